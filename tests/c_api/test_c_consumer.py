#!/usr/bin/python3
"""The C API from a C program linked to libmlmap.so agrees with Python."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

import mlmap

consumer = sys.argv[1]
X, y = make_classification(600, 8, n_informative=5, n_classes=3, random_state=1)
model = RandomForestClassifier(20, max_depth=6, random_state=0).fit(X[:500], y[:500])
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "m.mlmap")
    mlmap.save(model, path)
    rows = X[500:].astype(np.float32)
    text = "\n".join(" ".join(repr(float(v)) for v in r) for r in rows)
    r = subprocess.run([consumer, path, str(len(rows))], input=text, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = np.array([[float(v) for v in line.split()] for line in r.stdout.splitlines()])
    want = mlmap.load(path).predict_proba(rows)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert np.abs(got - want).max() < 1e-6, np.abs(got - want).max()
    # An error reaches C as a code and a message.
    r = subprocess.run([consumer, os.path.join(tmp, "missing.mlmap"), "1"], capture_output=True, text=True)
    assert r.returncode == 2 and "io_error" in r.stderr, r.stderr
print("C consumer OK")
