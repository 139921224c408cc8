#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on IsolationForest (score_samples,
decision_function, predict): contamination 'auto' and a fraction,
max_samples and max_features below the data's (each tree reading its own
feature subset), bootstrap, a single training row, float32 and float64
rows, and NaN where sklearn accepts it (1.6 and later; refused before, as
sklearn refuses it).  OneClassSVM is in test_svm.py.  Labels must match (0
mismatches); scores within 1e-6.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_outliers.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import sklearn
from sklearn.datasets import make_blobs
from sklearn.ensemble import IsolationForest

import mlmap
from api_parity import ApiParity, print_summary, quietly
from parity_support import run


def data(seed=0):
    X, _ = make_blobs(n_samples=700, n_features=8, centers=3, random_state=seed)
    rng = np.random.default_rng(seed)
    outliers = rng.uniform(-15, 15, size=(40, 8))
    return np.vstack([X[:500], outliers[:20]]), np.vstack([X[500:], outliers[20:]])


class Isolation(ApiParity):
    prefix = "mlmap-iforest-"

    def test_isolation_forest(self):
        Xtr, Xte = data()
        cases = {
            "IsolationForest": dict(),
            "IsolationForest (contamination=0.1)": dict(contamination=0.1),
            "IsolationForest (max_features=0.5)": dict(max_features=0.5, n_estimators=40),
            "IsolationForest (max_features=3, bootstrap)": dict(max_features=3, bootstrap=True),
            "IsolationForest (max_samples=32)": dict(max_samples=32, n_estimators=300),
            "IsolationForest (max_samples=1.0)": dict(max_samples=1.0, n_estimators=20),
        }
        for label, kw in cases.items():
            for seed in (0, 1):
                with self.subTest(label, seed=seed):
                    sk = IsolationForest(random_state=seed, **kw).fit(Xtr)
                    m = self.check(sk, Xte, label)
                    self.assertEqual(m.task, "outlier_detection")
                    self.assertEqual(m.info()["link"], "isolation")
                    for dtype in (np.float32, np.float64):
                        self.check(sk, Xte.astype(dtype), label, model=m)

    def test_tiny_samples(self):
        # max_samples=1: every tree is a leaf and c(1) = 0; sklearn's
        # denominator is 0 and it scores every row -2^-1.
        Xtr, Xte = data(2)
        for max_samples in (1, 2, 3):
            label = f"IsolationForest (max_samples={max_samples})"
            with self.subTest(label):
                sk = quietly(IsolationForest(max_samples=max_samples, n_estimators=10, random_state=0).fit, Xtr)
                self.check(sk, Xte, label)

    def test_missing_values(self):
        Xtr, Xte = data(3)
        sk = IsolationForest(n_estimators=30, random_state=0).fit(Xtr)
        m = self.roundtrip(sk)
        X = Xte.copy()
        X[::7, 2] = np.nan
        try:
            expected = sk.score_samples(X)
        except ValueError:  # sklearn before 1.6 refuses NaN: so does mlmap
            with self.assertRaises(mlmap.MissingValueError):
                m.score_samples(X)
            return
        self.close(m.score_samples(X), expected, "IsolationForest (NaN)", "score_samples")
        self.assertEqual(int(np.sum(m.predict(X) != sk.predict(X))), 0)

    def test_pipeline(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        Xtr, Xte = data(4)
        sk = make_pipeline(StandardScaler(), IsolationForest(random_state=0)).fit(Xtr)
        self.check(sk, Xte, "Pipeline (StandardScaler, IsolationForest)")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
