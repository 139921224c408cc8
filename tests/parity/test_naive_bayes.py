#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on naive Bayes: GaussianNB (priors,
var_smoothing), MultinomialNB, ComplementNB (norm), BernoulliNB (binarize
None, 0 and 0.5), CategoricalNB (min_categories; unseen and negative
categories refused as sklearn refuses them).  Labels must match (0
mismatches); predict_proba, predict_log_proba and the joint log-likelihood
(sklearn's predict_joint_log_proba, mlmap's decision_function) within 1e-6.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_naive_bayes.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import functools

import numpy as np
import sklearn
from sklearn import naive_bayes as nb
from sklearn.datasets import make_classification

import mlmap
from api_parity import ApiParity, WORST, print_summary, quietly
from parity_support import run

LABELS = np.array(["ant", "bee", "cat", "dog", "emu"])
METHODS = ("predict", "predict_proba", "predict_log_proba")


@functools.lru_cache(maxsize=None)
def data(n_classes, seed=0):
    X, y = make_classification(n_samples=600, n_features=12, n_informative=6, n_classes=n_classes,
                               n_clusters_per_class=1, random_state=seed)
    return X[:400], y[:400], X[400:]


@functools.lru_cache(maxsize=None)
def counts(n_classes, seed=0):
    """Non-negative counts (word counts of a bag of words)."""
    X, y, Xte = data(n_classes, seed)
    return np.floor(np.abs(X) * 3), y, np.floor(np.abs(Xte) * 3)


class NaiveBayes(ApiParity):
    prefix = "mlmap-nb-"

    def compare(self, sk, X, label):
        m = self.check(sk, X, label, methods=METHODS)
        if hasattr(sk, "predict_joint_log_proba"):
            self.close(m.decision_function(X), sk.predict_joint_log_proba(X), label, "joint log-likelihood")
        return m

    def test_gaussian(self):
        for n_classes in (2, 3, 5):
            X, y, Xte = data(n_classes)
            far = np.vstack([Xte, Xte[:30] * 20])  # probabilities that underflow
            for label, make in {
                "GaussianNB": lambda: nb.GaussianNB(),
                "GaussianNB (priors)": lambda: nb.GaussianNB(priors=np.arange(1, n_classes + 1) / np.sum(
                    np.arange(1, n_classes + 1))),
                "GaussianNB (var_smoothing=1e-3)": lambda: nb.GaussianNB(var_smoothing=1e-3),
            }.items():
                with self.subTest(label, n_classes=n_classes):
                    m = self.compare(make().fit(X, LABELS[y]), far, label)
                    self.assertEqual(m.info()["naive_bayes"], "gaussian")

    def test_discrete(self):
        for n_classes in (2, 4):
            X, y, Xte = counts(n_classes)
            cases = {
                "MultinomialNB": lambda: nb.MultinomialNB(),
                "MultinomialNB (alpha=0.1, no prior)": lambda: nb.MultinomialNB(alpha=0.1, fit_prior=False),
                "ComplementNB": lambda: nb.ComplementNB(),
                "ComplementNB (norm)": lambda: nb.ComplementNB(norm=True, alpha=0.5),
                "BernoulliNB (binarize=0.0)": lambda: nb.BernoulliNB(),
                "BernoulliNB (binarize=1.5)": lambda: nb.BernoulliNB(binarize=1.5, alpha=0.3),
            }
            for label, make in cases.items():
                with self.subTest(label, n_classes=n_classes):
                    self.compare(quietly(make().fit, X, y), np.vstack([Xte, Xte[:20] * 50]), label)

    def test_bernoulli_without_threshold(self):
        # binarize=None: the inputs are taken as they are (0/1 data), a
        # linear layer.
        X, y, Xte = counts(3)
        sk = nb.BernoulliNB(binarize=None).fit(X > 1, y)
        m = self.compare(sk, np.vstack([Xte > 1, Xte[:20] > 0]).astype(float), "BernoulliNB (binarize=None)")
        self.assertEqual(m.info()["predictor"], "linear")

    def test_bernoulli_on_raw_values(self):
        X, y, Xte = data(3)
        for binarize in (0.0, 0.5, 1.0):
            label = f"BernoulliNB (binarize={binarize}, real inputs)"
            with self.subTest(label):
                self.compare(quietly(nb.BernoulliNB(binarize=binarize).fit, X, y), Xte, label)

    def test_categorical(self):
        rng = np.random.default_rng(4)
        for n_classes in (2, 3):
            X = rng.integers(0, 5, size=(500, 6))
            X[:, 2] = rng.integers(0, 2, size=500)
            y = (X[:, 0] + X[:, 1] + rng.integers(0, 3, size=500)) % n_classes
            Q = rng.integers(0, 5, size=(200, 6)).astype(float)
            Q[:, 2] = rng.integers(0, 2, size=200)
            Q[:10] += rng.uniform(0, 0.99, size=(10, 6))  # truncated to the category, as sklearn casts
            for label, make in {
                "CategoricalNB": lambda: nb.CategoricalNB(),
                "CategoricalNB (min_categories=7)": lambda: nb.CategoricalNB(min_categories=7, alpha=0.5),
            }.items():
                with self.subTest(label, n_classes=n_classes):
                    sk = quietly(make().fit, X, LABELS[y])
                    m = self.compare(sk, Q, label)
                    self.assertEqual(m.info()["naive_bayes"], "categorical")
        # Unseen categories: sklearn's feature_log_prob_ lookup fails
        # (IndexError), negative ones are a ValueError; mlmap refuses both
        # with UnknownCategoryError naming row and feature.
        sk = nb.CategoricalNB().fit(X, y)
        m = self.roundtrip(sk)
        bad = Q[:5].copy()
        bad[3, 2] = 2  # feature 2 knows 0 and 1
        with self.assertRaises(IndexError):
            sk.predict(bad)
        with self.assertRaises(mlmap.UnknownCategoryError) as ctx:
            m.predict(bad)
        self.assertIn("row 3, feature 2: category 2 was not seen", str(ctx.exception))
        bad[3, 2] = -1
        with self.assertRaises(ValueError):
            sk.predict(bad)
        with self.assertRaises(mlmap.UnknownCategoryError) as ctx:
            m.predict_proba(bad)
        self.assertIn("is negative", str(ctx.exception))
        with self.assertRaises(mlmap.MissingValueError):
            m.predict(np.where(np.arange(6) == 1, np.nan, Q[:1]))

    def test_single_class_refused(self):
        X, _, _ = counts(2)
        for sk in (nb.GaussianNB(), nb.MultinomialNB(), nb.CategoricalNB()):
            with self.subTest(type(sk).__name__):
                sk.fit(X, np.zeros(len(X), dtype=int))
                with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
                    mlmap.save(sk, self.path("single"))
                self.assertIn(type(sk).__name__, str(ctx.exception))

    def test_pipeline(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler
        X, y, Xte = data(3)
        sk = make_pipeline(MinMaxScaler(), nb.MultinomialNB()).fit(X, y)
        self.check(sk, Xte, "Pipeline (MinMaxScaler, MultinomialNB)", methods=METHODS)


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
