#!/usr/bin/python3
"""Parity of mlmap with scikit-learn (1.2) on gradient boosting.

GradientBoostingClassifier/Regressor (every loss, default / 'zero' / constant
Dummy init, subsample, learning rates, depths, early stopping) and
HistGradientBoostingClassifier/Regressor (every loss, NaN, categorical
features with unseen / negative / fractional categories, early stopping,
float64 features of large magnitude).  Models are trained here; on held-out
rows, rows placed on the split thresholds, and edge rows, mlmap must give the
same labels (0 mismatches) and the same predict_proba, decision_function and
regression values within 1e-6 (absolute, or relative to |value| when that is
larger).  The worst difference per estimator and loss is printed at the end.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_boosting.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # HGB threads: a small, shared machine

import collections
import functools
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, HistGradientBoostingRegressor)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression

import mlmap
from parity_support import ModelFiles, differences, run, this_version_has_it

TOL = 1e-6
N_TRAIN = 1500
N_TEST = 600

# (estimator, loss) -> {"rel": worst |got-exp|/max(1,|exp|), "abs": worst |got-exp|, "n": configs}
WORST = collections.defaultdict(lambda: {"rel": 0.0, "abs": 0.0, "n": 0})


# --- data -----------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def clf_data(n_classes, seed=0):
    X, y = make_classification(n_samples=N_TRAIN + N_TEST, n_features=8, n_informative=6,
                               n_redundant=1, n_classes=n_classes, n_clusters_per_class=1,
                               flip_y=0.05, random_state=seed)
    X[:, :2] = np.round(X[:, :2], 1)  # coarse: test rows often equal training values
    X[:, 2] *= 1e4
    X[:, 3] *= 1e-4
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


@functools.lru_cache(maxsize=None)
def reg_data(seed=0):
    X, y = make_regression(n_samples=N_TRAIN + N_TEST, n_features=7, n_informative=5, noise=10.0,
                           random_state=seed)
    X[:, :2] = np.round(X[:, :2], 1)
    X[:, 2] *= 1e4
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


LABELS = np.array(["ant", "bee", "cat", "dog", "emu", "fox", "gnu"])


def relabel(y, kind):
    if kind == "int":
        return y
    if kind == "str":
        return LABELS[y]
    if kind == "noncontiguous":
        return np.array([-7, 3, 100, 12, 2000, -90, 11])[y]
    raise ValueError(kind)


def with_nan(X, rate, seed, columns=None):
    rng = np.random.default_rng(seed)
    X = X.copy()
    cols = range(X.shape[1]) if columns is None else columns
    for c in cols:
        X[rng.random(len(X)) < rate, c] = np.nan
    return X


# Categorical data: column 0 has 12 categories (0..11), column 1 has 45
# categories (0..44, two bitset words), columns 2.. are numeric; NaN in every
# column of the training data.
CAT_CARDS = (12, 45)


@functools.lru_cache(maxsize=None)
def cat_data(task, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_TEST
    c0 = rng.integers(0, CAT_CARDS[0], n).astype(np.float64)
    c1 = rng.integers(0, CAT_CARDS[1], n).astype(np.float64)
    num = rng.normal(size=(n, 3))
    effect0 = np.sin(np.arange(CAT_CARDS[0]) * 1.7) * 2
    effect1 = np.cos(np.arange(CAT_CARDS[1]) * 0.9) * 1.5
    score = effect0[c0.astype(int)] + effect1[c1.astype(int)] + num[:, 0] - 0.5 * num[:, 1] ** 2
    score += rng.normal(scale=0.3, size=n)
    X = np.column_stack([c0, c1, num])
    X[:N_TRAIN] = with_nan(X[:N_TRAIN], 0.07, seed + 1)
    X[N_TRAIN:] = with_nan(X[N_TRAIN:], 0.05, seed + 2)
    if task == "reg":
        y = score * 3
    else:
        y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def category_edge_rows(Xte, seed=0):
    """Rows whose categorical columns hold values sklearn 1.2 defines the
    routing of: unseen in-range values (< 256), negative, fractional, -0.0,
    NaN, and the extremes of the uint8 range."""
    rng = np.random.default_rng(seed)
    base = Xte[:40]
    special = {
        0: [CAT_CARDS[0], CAT_CARDS[0] + 1, 31, 32, 33, 63, 64, 100, 254, 255, 255.5,
            -1, -0.5, -3.0, -1e9, -0.0, 0.0, 0.25, 3.7, 11.99, np.nan],
        1: [CAT_CARDS[1], 50, 63, 64, 65, 95, 96, 200, 254, 255, 255.9,
            -1, -2.5, -0.01, -0.0, 31.5, 32.01, 44.999, 12.5, np.nan],
    }
    rows = []
    for col, values in special.items():
        for v in values:
            block = base.copy()
            block[:, col] = v
            rows.append(block)
    both = base.copy()
    both[:, 0] = rng.choice(special[0], len(both))
    both[:, 1] = rng.choice(special[1], len(both))
    rows.append(both)
    return np.vstack(rows)


def gb_threshold_rows(sk, X, max_trees=6, seed=0):
    """Rows of X with one feature set on a split threshold of the model, as
    float32 (what GradientBoosting compares) and its float32 neighbours."""
    rng = np.random.default_rng(seed)
    out = []
    for tree in sk.estimators_.ravel()[:max_trees]:
        t = tree.tree_
        for node in np.flatnonzero(t.children_left >= 0):
            f, thr = int(t.feature[node]), float(t.threshold[node])
            v32 = np.float32(thr)
            for v in (v32, np.nextafter(v32, np.float32(np.inf)), np.nextafter(v32, np.float32(-np.inf))):
                row = X[rng.integers(len(X))].copy()
                row[f] = float(v)
                out.append(row)
    return np.array(out)


def hgb_threshold_rows(sk, X, max_trees=6, seed=0):
    """Rows of X with one numeric feature set on a float64 split threshold of
    the model and on its float64 neighbours."""
    rng = np.random.default_rng(seed)
    out = []
    for predictors in sk._predictors[:max_trees]:
        for p in predictors:
            nodes = p.nodes
            for node in np.flatnonzero(~nodes["is_leaf"].astype(bool) & ~nodes["is_categorical"].astype(bool)):
                f, thr = int(nodes["feature_idx"][node]), float(nodes["num_threshold"][node])
                for v in (thr, np.nextafter(thr, np.inf), np.nextafter(thr, -np.inf)):
                    row = X[rng.integers(len(X))].copy()
                    row[f] = v
                    out.append(row)
    return np.array(out) if out else X[:0]


# --- comparisons ------------------------------------------------------------------

def loss_name(sk):
    loss = sk.loss if isinstance(sk.loss, str) else type(sk.loss).__name__
    if loss in ("log_loss", "deviance", "auto", "binary_crossentropy", "categorical_crossentropy"):
        k = len(sk.classes_)
        loss = f"{loss} ({'binary' if k == 2 else 'multiclass'})"
    return loss


class Parity(ModelFiles):
    prefix = "mlmap-boosting-"

    def record(self, sk, rel, abs_):
        w = WORST[(type(sk).__name__, loss_name(sk))]
        w["rel"] = max(w["rel"], rel)
        w["abs"] = max(w["abs"], abs_)

    def assert_values(self, sk, got, expected, what):
        got = np.asarray(got)
        expected = np.asarray(expected)
        self.assertEqual(got.shape, expected.shape, what)
        rel, abs_ = differences(got, expected)
        self.record(sk, rel, abs_)
        self.assertLessEqual(rel, TOL, f"{what}: worst difference {rel:.3g}")

    def assert_labels(self, got, expected, what):
        self.assertEqual(got.shape, expected.shape, what)
        self.assertEqual(got.dtype, expected.dtype, f"{what}: label dtype")
        bad = np.flatnonzero(got != expected)
        self.assertEqual(len(bad), 0, f"{what}: {len(bad)} of {len(expected)} labels differ; rows {bad[:5]}")

    def check(self, m, sk, X, what, X_sk=None):
        """mlmap model m against sklearn estimator sk on X (sk sees X_sk
        instead when given: a DataFrame with the columns in training order)."""
        X_sk = X if X_sk is None else X_sk
        if hasattr(sk, "classes_"):
            self.assert_labels(m.predict(X), sk.predict(X_sk), f"{what}: predict")
            self.assert_values(sk, m.predict_proba(X), sk.predict_proba(X_sk), f"{what}: predict_proba")
            self.assert_values(sk, m.decision_function(X), sk.decision_function(X_sk),
                               f"{what}: decision_function")
        else:
            self.assert_values(sk, m.predict(X), sk.predict(X_sk), f"{what}: predict")
            # the raw score before the link (base_score + trees); GradientBoosting's
            # predict is its raw score, HistGradientBoosting's _raw_predict checks X
            raw = sk._raw_predict(X_sk).ravel() if hasattr(sk, "_predictors") else sk.predict(X_sk)
            self.assert_values(sk, m.decision_function(X), raw, f"{what}: raw score")

    def check_model(self, sk, Xte, Xtr, extra=()):
        m = self.roundtrip(sk)
        self.assertEqual(m.n_features_in_, sk.n_features_in_)
        if hasattr(sk, "classes_"):
            self.assertEqual(m.classes_.dtype, sk.classes_.dtype)
            self.assertTrue(np.array_equal(m.classes_, sk.classes_))
        else:
            self.assertFalse(hasattr(m, "classes_"))
        info = m.info()
        self.assertEqual(info["estimator"], f"sklearn.ensemble.{type(sk).__name__}")
        hist = hasattr(sk, "_predictors")
        self.assertEqual(info["trees"]["threshold_bits"], 64 if hist else 32)
        self.assertEqual(info["accepts_missing"], hist)
        WORST[(type(sk).__name__, loss_name(sk))]["n"] += 1
        self.check(m, sk, Xte, "held-out float64")
        self.check(m, sk, Xte.astype(np.float32), "held-out float32")
        self.check(m, sk, Xtr[:200], "training rows")
        for what, X in extra:
            self.check(m, sk, X, what)
        return m

    def check_class_layout_refused(self, sk):
        """A classifier whose raw scores do not fit its classes (here one raw
        score for three classes, as a tampered estimator would have) is refused
        and nothing is written."""
        Xtr, ytr, _, _ = clf_data(2)
        sk.fit(Xtr, ytr)
        sk.classes_ = np.array([0, 1, 2])
        path = os.path.join(self.tmp, "refused.mlmap")
        with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
            mlmap.save(sk, path)
        self.assertIn(type(sk).__name__, str(ctx.exception))
        self.assertIn("3 classes", str(ctx.exception))
        self.assertFalse(os.path.exists(path))


def fit_quietly(est, X, y, **kw):
    with warnings.catch_warnings(), this_version_has_it():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated loss names
        return est.fit(X, y, **kw)


# --- GradientBoosting --------------------------------------------------------------

# (name, n_classes, label kind, params)
GB_CLF_CONFIGS = [
    ("log-loss-binary", 2, "int", {}),
    ("log-loss-binary-str-subsample", 2, "str", {"subsample": 0.7, "learning_rate": 0.3}),
    ("log-loss-binary-zero-init", 2, "noncontiguous", {"init": "zero", "max_depth": 4}),
    ("deviance-binary", 2, "int", {"loss": "deviance", "learning_rate": 0.05}),
    ("exponential", 2, "int", {"loss": "exponential"}),
    ("exponential-zero-init-lr0.5", 2, "str", {"loss": "exponential", "init": "zero",
                                               "learning_rate": 0.5, "max_depth": 2}),
    ("exponential-subsample-depth5", 2, "noncontiguous", {"loss": "exponential", "subsample": 0.6,
                                                          "max_depth": 5}),
    ("log-loss-3cls", 3, "int", {}),
    ("log-loss-4cls-str-subsample", 4, "str", {"subsample": 0.8, "learning_rate": 0.2, "max_depth": 2}),
    ("log-loss-5cls-zero-init", 5, "noncontiguous", {"init": "zero", "learning_rate": 0.7}),
    ("deviance-3cls", 3, "str", {"loss": "deviance", "max_leaf_nodes": 6}),
    ("dummy-most-frequent-init", 3, "int", {"init": DummyClassifier(strategy="most_frequent")}),
    ("dummy-uniform-init", 2, "int", {"init": DummyClassifier(strategy="uniform")}),
    ("dummy-prior-init-exponential", 2, "int", {"loss": "exponential",
                                                "init": DummyClassifier(strategy="prior")}),
    ("early-stopping", 3, "int", {"n_estimators": 200, "n_iter_no_change": 2,
                                  "validation_fraction": 0.2, "learning_rate": 0.5}),
]

GB_REG_CONFIGS = [
    ("squared-error", {}),
    ("squared-error-zero-init-subsample", {"init": "zero", "subsample": 0.5, "learning_rate": 0.3}),
    ("absolute-error", {"loss": "absolute_error", "max_depth": 4}),
    ("absolute-error-subsample", {"loss": "absolute_error", "subsample": 0.7, "learning_rate": 0.05}),
    ("huber", {"loss": "huber"}),
    ("huber-alpha0.6-zero-init", {"loss": "huber", "alpha": 0.6, "init": "zero", "learning_rate": 0.5}),
    ("quantile-0.9", {"loss": "quantile", "alpha": 0.9}),
    ("quantile-0.2-subsample", {"loss": "quantile", "alpha": 0.2, "subsample": 0.8, "max_depth": 5}),
    ("constant-dummy-init", {"init": DummyRegressor(strategy="constant", constant=-40.0)}),
    ("median-dummy-init-huber", {"loss": "huber", "init": DummyRegressor(strategy="median")}),
    ("early-stopping", {"n_estimators": 300, "n_iter_no_change": 3, "learning_rate": 0.4}),
]


class TestGradientBoosting(Parity):

    def test_classifier_configurations(self):
        for name, k, kind, params in GB_CLF_CONFIGS:
            Xtr, ytr, Xte, _ = clf_data(k)
            with self.subTest(config=name):
                p = {"n_estimators": 30, "max_depth": 3, "random_state": 0, **params}
                sk = fit_quietly(GradientBoostingClassifier(**p), Xtr, relabel(ytr, kind))
                if "n_iter_no_change" in params:
                    self.assertLess(sk.n_estimators_, params["n_estimators"], "early stopping")
                self.check_model(sk, Xte, Xtr, [("thresholds", gb_threshold_rows(sk, Xte))])

    def test_regressor_configurations(self):
        Xtr, ytr, Xte, _ = reg_data()
        for name, params in GB_REG_CONFIGS:
            with self.subTest(config=name):
                p = {"n_estimators": 30, "max_depth": 3, "random_state": 0, **params}
                sk = fit_quietly(GradientBoostingRegressor(**p), Xtr, ytr)
                if "n_iter_no_change" in params:
                    self.assertLess(sk.n_estimators_, params["n_estimators"], "early stopping")
                self.check_model(sk, Xte, Xtr, [("thresholds", gb_threshold_rows(sk, Xte))])

    def test_exponential_loss_decision_at_zero(self):
        # sklearn's ExponentialLoss predicts class 1 when raw >= 0 (mlmap's
        # raw_nonnegative class decision).  A leaf holding as many samples of
        # each class (first stage, init='zero') has value exactly 0, so raw == 0.
        X = np.array([[0.0]] * 20 + [[1.0]] * 20)
        y = np.array([0, 1] * 10 + [1] * 15 + [0] * 5)
        sk = GradientBoostingClassifier(loss="exponential", init="zero", n_estimators=1, max_depth=1,
                                        random_state=0).fit(X, y)
        Xt = np.array([[0.0], [1.0]])
        self.assertEqual(sk.decision_function(Xt)[0], 0.0)
        self.assert_labels(self.roundtrip(sk).predict(Xt), sk.predict(Xt), "raw == 0")

    def test_single_leaf_stages(self):
        # every stage tree is one leaf: raw = init + n * lr * leaf
        Xtr, ytr, Xte, _ = reg_data()
        sk = GradientBoostingRegressor(n_estimators=5, min_samples_split=10 * N_TRAIN, random_state=0,
                                       init="zero").fit(Xtr, ytr)
        self.assertEqual(sk.estimators_[0, 0].tree_.node_count, 1)
        self.check_model(sk, Xte, Xtr)

    def test_dataframe_input(self):
        Xtr, ytr, Xte, _ = clf_data(3)
        names = [f"f{i}" for i in range(Xtr.shape[1])]
        dtr, dte = pd.DataFrame(Xtr, columns=names), pd.DataFrame(Xte, columns=names)
        sk = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(dtr, relabel(ytr, "str"))
        m = self.roundtrip(sk)
        self.assertEqual(list(m.feature_names_in_), names)
        shuffled = list(np.random.default_rng(1).permutation(names))
        self.check(m, sk, dte[shuffled], "shuffled DataFrame", X_sk=dte)

    def test_nan_is_refused(self):
        # sklearn's GradientBoosting rejects NaN; so does the file (has_missing false)
        Xtr, ytr, Xte, _ = reg_data()
        sk = GradientBoostingRegressor(n_estimators=3, random_state=0).fit(Xtr, ytr)
        m = self.roundtrip(sk)
        X = Xte[:3].copy()
        X[1, 0] = np.nan
        with self.assertRaises(ValueError):
            sk.predict(X)
        with self.assertRaises(mlmap.MissingValueError):
            m.predict(X)

    def test_unsupported_init(self):
        Xtr, ytr, _, _ = clf_data(2)
        Rtr, rtr, _, _ = reg_data()
        cases = [
            (GradientBoostingClassifier(n_estimators=3, init=LogisticRegression()), Xtr, ytr),
            (GradientBoostingClassifier(n_estimators=3, init=DummyClassifier(strategy="stratified")), Xtr, ytr),
            (GradientBoostingRegressor(n_estimators=3, init=LinearRegression()), Rtr, rtr),
        ]
        for sk, X, y in cases:
            sk.fit(X, y)
            with self.subTest(estimator=type(sk).__name__, init=type(sk.init).__name__):
                with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
                    mlmap.save(sk, os.path.join(self.tmp, "refused.mlmap"))
                self.assertIn(type(sk).__name__, str(ctx.exception))
                self.assertIn("init", str(ctx.exception))
                self.assertFalse(os.path.exists(os.path.join(self.tmp, "refused.mlmap")))

    def test_class_layout_mismatch_is_refused(self):
        self.check_class_layout_refused(GradientBoostingClassifier(n_estimators=3))

    def test_not_fitted(self):
        for sk in (GradientBoostingClassifier(), GradientBoostingRegressor()):
            with self.subTest(estimator=type(sk).__name__):
                with self.assertRaises(NotFittedError):
                    mlmap.save(sk, os.path.join(self.tmp, "unfitted.mlmap"))


# --- HistGradientBoosting ----------------------------------------------------------

# (name, n_classes, label kind, data, params); data: "dense", "nan", "cat"
HGB_CLF_CONFIGS = [
    ("binary", 2, "int", "dense", {}),
    ("binary-nan-str", 2, "str", "nan", {"learning_rate": 0.3, "max_depth": 4}),
    ("3cls-nan", 3, "int", "nan", {"max_leaf_nodes": 8}),
    ("5cls-str-lr0.05", 5, "str", "dense", {"learning_rate": 0.05, "max_leaf_nodes": 15}),
    ("4cls-max-bins-32", 4, "noncontiguous", "nan", {"max_bins": 32, "l2_regularization": 1.0}),
    ("early-stopping", 3, "int", "nan", {"max_iter": 300, "early_stopping": True, "n_iter_no_change": 3,
                                         "validation_fraction": 0.2, "learning_rate": 0.5}),
    ("early-stopping-accuracy", 2, "str", "dense", {"max_iter": 300, "early_stopping": True,
                                                    "scoring": "accuracy", "n_iter_no_change": 2,
                                                    "learning_rate": 0.8}),
    ("categorical-binary", 2, "int", "cat", {}),
    ("categorical-3cls-str", 3, "str", "cat", {"learning_rate": 0.2, "max_depth": 5}),
    ("categorical-5cls-class-weight", 5, "int", "cat", {"class_weight": "balanced", "max_leaf_nodes": 10}),
    ("categorical-binary-deprecated-loss", 2, "noncontiguous", "cat", {"loss": "binary_crossentropy",
                                                                       "max_bins": 64}),
    ("categorical-3cls-auto-loss", 3, "int", "cat", {"loss": "auto", "min_samples_leaf": 5}),
]

HGB_REG_CONFIGS = [
    ("squared-error", "dense", {}),
    ("squared-error-nan-lr0.5", "nan", {"learning_rate": 0.5, "max_depth": 3}),
    ("absolute-error", "nan", {"loss": "absolute_error"}),
    ("absolute-error-categorical", "cat", {"loss": "absolute_error", "learning_rate": 0.3}),
    ("poisson", "dense", {"loss": "poisson"}),
    ("poisson-categorical", "cat", {"loss": "poisson", "max_leaf_nodes": 12}),
    ("quantile-0.8", "nan", {"loss": "quantile", "quantile": 0.8}),
    ("quantile-0.3-categorical", "cat", {"loss": "quantile", "quantile": 0.3}),
    ("squared-error-categorical-early-stopping", "cat", {"max_iter": 300, "early_stopping": True,
                                                         "n_iter_no_change": 2, "learning_rate": 0.6}),
]


def hgb_clf_data(k, kind, data):
    if data == "cat":
        Xtr, ytr, Xte, _ = cat_data("clf", k)
    else:
        Xtr, ytr, Xte, _ = clf_data(k)
        if data == "nan":
            Xtr, Xte = with_nan(Xtr, 0.08, 1), with_nan(Xte, 0.05, 2)
    return Xtr, relabel(ytr, kind), Xte


def hgb_reg_data(data, poisson):
    if data == "cat":
        Xtr, ytr, Xte, _ = cat_data("reg")
    else:
        Xtr, ytr, Xte, _ = reg_data()
        if data == "nan":
            Xtr, Xte = with_nan(Xtr, 0.08, 1), with_nan(Xte, 0.05, 2)
    if poisson:
        ytr = np.random.default_rng(0).poisson(np.exp(ytr / np.abs(ytr).max() * 2)).astype(np.float64)
    return Xtr, ytr, Xte


class TestHistGradientBoosting(Parity):

    def hgb_extra_rows(self, sk, Xte, data):
        extra = [("thresholds", hgb_threshold_rows(sk, Xte))]
        if data == "cat":
            extra.append(("category edges", category_edge_rows(Xte)))
        if data != "dense":
            all_nan = Xte[:5].copy()
            all_nan[:] = np.nan
            extra.append(("all NaN", all_nan))
        return extra

    def test_classifier_configurations(self):
        for name, k, kind, data, params in HGB_CLF_CONFIGS:
            Xtr, ytr, Xte = hgb_clf_data(k, kind, data)
            with self.subTest(config=name):
                p = {"max_iter": 25, "random_state": 0, **params}
                if data == "cat":
                    p["categorical_features"] = [0, 1]
                sk = fit_quietly(HistGradientBoostingClassifier(**p), Xtr, ytr)
                if "n_iter_no_change" in params:
                    self.assertLess(sk.n_iter_, params["max_iter"], "early stopping")
                self.check_model(sk, Xte, Xtr, self.hgb_extra_rows(sk, Xte, data))

    def test_regressor_configurations(self):
        for name, data, params in HGB_REG_CONFIGS:
            Xtr, ytr, Xte = hgb_reg_data(data, params.get("loss") == "poisson")
            with self.subTest(config=name):
                p = {"max_iter": 25, "random_state": 0, **params}
                if data == "cat":
                    p["categorical_features"] = [0, 1]
                sk = fit_quietly(HistGradientBoostingRegressor(**p), Xtr, ytr)
                if "n_iter_no_change" in params:
                    self.assertLess(sk.n_iter_, params["max_iter"], "early stopping")
                self.check_model(sk, Xte, Xtr, self.hgb_extra_rows(sk, Xte, data))

    def test_categorical_routing_is_exercised(self):
        # The edge rows must reach both directions of categorical nodes with
        # missing going left and right, and unknown categories must matter.
        Xtr, ytr, Xte, _ = cat_data("clf", 3)
        sk = HistGradientBoostingClassifier(max_iter=25, random_state=0, categorical_features=[0, 1],
                                            learning_rate=0.2, max_depth=5).fit(Xtr, ytr)
        nodes = np.concatenate([p.nodes for ps in sk._predictors for p in ps])
        cat = nodes[nodes["is_categorical"].astype(bool) & ~nodes["is_leaf"].astype(bool)]
        self.assertGreater(len(cat), 0)
        self.assertEqual(set(np.unique(cat["missing_go_to_left"])), {0, 1})
        self.assertEqual(set(np.unique(cat["feature_idx"])), {0, 1})
        edges = category_edge_rows(Xte)
        unknown = edges.copy()
        unknown[:, :2] = np.where(np.isnan(edges[:, :2]), 0.0, edges[:, :2])
        known = unknown.copy()
        known[:, 0] = np.mod(np.floor(np.abs(known[:, 0])), CAT_CARDS[0])
        known[:, 1] = np.mod(np.floor(np.abs(known[:, 1])), CAT_CARDS[1])
        self.assertGreater(int(np.sum(np.any(sk.decision_function(unknown) != sk.decision_function(known),
                                             axis=1))), 0)

    def test_sparse_category_codes(self):
        # Known codes spread over the whole uint8 range (8 bitset words), so
        # unknown codes lie between known ones; every value 0..255 and some
        # fractional ones are then tried in each categorical column.
        rng = np.random.default_rng(11)
        codes = np.array([1, 3, 7, 40, 64, 100, 130, 200, 254])
        n = N_TRAIN + N_TEST
        c0 = rng.choice(codes, n).astype(np.float64)
        c1 = rng.choice(codes[::2], n).astype(np.float64)
        num = rng.normal(size=n)
        effect = dict(zip(codes, np.sin(codes * 0.37) * 2))
        score = np.vectorize(effect.get)(c0) - np.vectorize(effect.get)(c1) * 0.5 + num
        X = with_nan(np.column_stack([c0, c1, num]), 0.06, 12)
        values = np.concatenate([np.arange(256.0), [0.5, 6.9, 40.2, 253.99, 254.5, 255.75]])
        probe = np.tile(X[N_TRAIN:N_TRAIN + len(values)], (2, 1))
        probe[:len(values), 0] = values
        probe[len(values):, 1] = values
        for sk, y in ((HistGradientBoostingClassifier(max_iter=20, random_state=0, categorical_features=[0, 1]),
                       (score > np.median(score)).astype(int)),
                      (HistGradientBoostingRegressor(max_iter=20, random_state=0, categorical_features=[0, 1],
                                                     learning_rate=0.3), score)):
            with self.subTest(estimator=type(sk).__name__):
                sk.fit(X[:N_TRAIN], y[:N_TRAIN])
                self.check_model(sk, X[N_TRAIN:], X[:N_TRAIN], [("every uint8 code", probe)])

    def test_category_values_beyond_uint8(self):
        # sklearn 1.2 documents categories in [0, max_bins - 1]; for values
        # >= 256 its double -> uint8 cast is undefined behaviour (x86-64: the
        # value modulo 256).  mlmap sends them the missing way, as unknown
        # categories: the same as sklearn on NaN.
        for est in (HistGradientBoostingClassifier(max_iter=20, random_state=0, categorical_features=[0, 1]),
                    HistGradientBoostingRegressor(max_iter=20, random_state=0, categorical_features=[0, 1])):
            Xtr, ytr, Xte, _ = cat_data("clf" if hasattr(est, "predict_proba") else "reg", 3)
            sk = est.fit(Xtr, ytr)
            m = self.roundtrip(sk)
            big = Xte[:60].copy()
            big[:30, 0] = [256, 257, 300, 511, 512, 1e4, 2.0**31 + 1, 1e12, 1e300, np.inf] * 3
            big[30:, 1] = [256, 258, 290, 1000, 4097, 65536, 2.0**40, 1.7e9, 3e200, np.inf] * 3
            if getattr(sk, "_preprocessor", None) is not None:
                # scikit-learn >= 1.4 ordinal-encodes categorical columns first
                # (unknown -> NaN) and refuses infinite input there
                big[np.isinf(big)] = 1e301
            as_nan = big.copy()
            as_nan[:30, 0] = np.nan
            as_nan[30:, 1] = np.nan
            with self.subTest(estimator=type(sk).__name__):
                if hasattr(sk, "classes_"):
                    self.assert_labels(m.predict(big), sk.predict(as_nan), "categories >= 256")
                self.assert_values(sk, m.decision_function(big), np.squeeze(sk._raw_predict(as_nan)),
                                   "categories >= 256: raw")
                differ = int(np.sum(np.any(sk._raw_predict(big) != sk._raw_predict(as_nan), axis=1)))
                print(f"\n  {type(sk).__name__}: categories >= 256, sklearn 1.2 differs from its own "
                      f"NaN routing on {differ} of {len(big)} rows (uint8 wrap-around)")

    def test_large_magnitude_float64_features(self):
        # Unix timestamps ~1.7e9: float32 spacing there is 128 s, so a model
        # that compared float32 would route many rows differently.
        rng = np.random.default_rng(5)
        n = N_TRAIN + N_TEST
        ts = 1.7e9 + np.round(rng.uniform(0, 2e5, n))
        amount = rng.normal(size=n) * 1e6 + 5e9
        other = rng.normal(size=n)
        phase = np.sin(ts / 3000.0) + 0.5 * np.cos((amount - 5e9) / 2e5)
        X = np.column_stack([ts, amount, other])
        X = with_nan(X, 0.03, 9, columns=[0])
        y_clf = (phase + 0.3 * other > 0).astype(int)
        y_reg = phase * 10 + other
        for sk, y in ((HistGradientBoostingClassifier(max_iter=40, random_state=0, learning_rate=0.3), y_clf),
                      (HistGradientBoostingRegressor(max_iter=40, random_state=0), y_reg)):
            with self.subTest(estimator=type(sk).__name__):
                sk.fit(X[:N_TRAIN], y[:N_TRAIN])
                Xte = X[N_TRAIN:]
                grid = hgb_threshold_rows(sk, Xte, max_trees=40)
                X32 = grid.astype(np.float32).astype(np.float64)
                flips = int(np.sum(np.squeeze(sk._raw_predict(grid)) != np.squeeze(sk._raw_predict(X32))))
                self.assertGreater(flips, 0, "float32 inputs should route some threshold rows differently")
                self.check_model(sk, Xte, X[:N_TRAIN], [("thresholds", grid)])

    def test_single_leaf_predictors(self):
        Xtr, ytr, Xte = hgb_reg_data("nan", False)
        sk = HistGradientBoostingRegressor(max_iter=3, min_samples_leaf=N_TRAIN, random_state=0).fit(Xtr, ytr)
        self.assertEqual(len(sk._predictors[0][0].nodes), 1)
        self.check_model(sk, Xte, Xtr)

    def test_dataframe_with_named_categorical_features(self):
        Xtr, ytr, Xte, _ = cat_data("clf", 3)
        names = ["color", "city", "x0", "x1", "x2"]
        dtr, dte = pd.DataFrame(Xtr, columns=names), pd.DataFrame(category_edge_rows(Xte), columns=names)
        sk = HistGradientBoostingClassifier(max_iter=15, random_state=0,
                                            categorical_features=["color", "city"]).fit(dtr, relabel(ytr, "str"))
        m = self.roundtrip(sk)
        self.assertEqual(list(m.feature_names_in_), names)
        self.check(m, sk, dte[names[::-1]], "reversed DataFrame", X_sk=dte)

    def test_custom_loss_object_is_refused(self):
        from sklearn._loss.loss import HalfSquaredError
        Xtr, ytr, _, _ = reg_data()
        sk = HistGradientBoostingRegressor(loss=HalfSquaredError(), max_iter=3).fit(Xtr, ytr)
        with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
            mlmap.save(sk, os.path.join(self.tmp, "refused.mlmap"))
        self.assertIn("HistGradientBoostingRegressor", str(ctx.exception))
        self.assertIn("loss", str(ctx.exception))

    def test_class_layout_mismatch_is_refused(self):
        self.check_class_layout_refused(HistGradientBoostingClassifier(max_iter=3))

    def test_not_fitted(self):
        for sk in (HistGradientBoostingClassifier(), HistGradientBoostingRegressor()):
            with self.subTest(estimator=type(sk).__name__):
                with self.assertRaises(NotFittedError):
                    mlmap.save(sk, os.path.join(self.tmp, "unfitted.mlmap"))


# --- report ------------------------------------------------------------------------

def print_summary():
    print(f"\nmax difference mlmap vs scikit-learn {sklearn.__version__} "
          "(rel = |d| / max(1, |value|); over predict_proba, decision_function, values):")
    for (est, loss), w in sorted(WORST.items()):
        print(f"  {est:32s} {loss:36s} configs {w['n']:2d}  rel {w['rel']:.3g}  abs {w['abs']:.3g}")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
