#!/usr/bin/python3
"""The C API from a C program linked to libmlmap.so agrees with Python: a
forest's probabilities, an SVC's one-vs-rest decision function and labels,
an IsolationForest's scores, decision values and outlier labels, and a
pipeline of projection steps (binarize, project, distance: FORMAT.md §7)."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import Binarizer, StandardScaler
from sklearn.svm import SVC

import mlmap

consumer = sys.argv[1]
X, y = make_classification(600, 8, n_informative=5, n_classes=3, random_state=1)
rows = X[500:].astype(np.float32)
text = "\n".join(" ".join(repr(float(v)) for v in r) for r in rows)


def run(path, *what):
    r = subprocess.run([consumer, path, str(len(rows)), *what], input=text, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    return int(lines[0].split()[1]), np.array([[float(v) for v in line.split()] for line in lines[1:]])


with tempfile.TemporaryDirectory() as tmp:
    cases = [
        ("forest", RandomForestClassifier(20, max_depth=6, random_state=0).fit(X[:500], y[:500]), 1,
         [((), "predict_proba"), (("raw",), "decision_function")]),
        ("svc", SVC().fit(X[:500], y[:500]), 1,
         [(("decision",), "decision_function"), (("raw",), None)]),
        ("iforest", IsolationForest(n_estimators=20, random_state=0).fit(X[:500]), 3,
         [(("value",), "score_samples"), (("decision",), "decision_function")]),
        ("steps", make_pipeline(StandardScaler(),
                                FeatureUnion([("pca", PCA(3, whiten=True)), ("bin", Binarizer()),
                                              ("km", KMeans(4, n_init=2, random_state=0))]),
                                LogisticRegression(max_iter=500)).fit(X[:500], y[:500]), 1,
         [((), "predict_proba")]),
    ]
    for name, model, task, outputs in cases:
        path = os.path.join(tmp, name + ".mlmap")
        mlmap.save(model, path)
        m = mlmap.load(path)
        for what, method in outputs:
            got_task, got = run(path, *what)
            assert got_task == task, (name, got_task)
            want = getattr(m, method)(rows) if method else m._core.predict_values(
                np.ascontiguousarray(rows, dtype=np.float64), "raw", 1)
            want = want.reshape(len(rows), -1)
            assert got.shape == want.shape, (name, what, got.shape, want.shape)
            assert np.abs(got - want).max() <= 1e-6 * max(1, np.abs(want).max()), (name, what)
        _, cls = run(path, "class")
        labels = m.classes_[cls[:, 0].astype(int)]
        assert np.array_equal(labels, model.predict(rows.astype(np.float64))), name
    # An error reaches C as a code and a message.
    r = subprocess.run([consumer, os.path.join(tmp, "missing.mlmap"), "1"], capture_output=True, text=True)
    assert r.returncode == 2 and "io_error" in r.stderr, r.stderr
print("C consumer OK")
