#!/usr/bin/python3
"""Parity of mlmap with scikit-learn (1.2) on tree models.

Every model is trained here on generated data; mlmap must give the same
labels (0 mismatches) and the same probabilities / values (within 1e-6,
absolute, or relative to |value| when that is larger) on held-out rows, for
float64, float32, list, oddly laid out and DataFrame inputs, and on a grid of
inputs placed exactly on the float32-rounded split thresholds.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_trees.py
"""

import collections
import functools
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import ensemble, tree
from sklearn.datasets import make_classification, make_regression

from parity_support import ModelFiles, differences, run, this_version_has_it

TOL = 1e-6
N_TRAIN = 2400
N_TEST = 800
N_TREES = 25

CLASSIFIERS = [tree.DecisionTreeClassifier, tree.ExtraTreeClassifier,
               ensemble.RandomForestClassifier, ensemble.ExtraTreesClassifier]
REGRESSORS = [tree.DecisionTreeRegressor, tree.ExtraTreeRegressor,
              ensemble.RandomForestRegressor, ensemble.ExtraTreesRegressor]
FORESTS = (ensemble.RandomForestClassifier, ensemble.ExtraTreesClassifier,
           ensemble.RandomForestRegressor, ensemble.ExtraTreesRegressor)


# --- data ---------------------------------------------------------------------

def _shape_features(X):
    """Make the features less uniform: a few coarse (repeated values, so test
    rows often equal training values), one large, one tiny in magnitude."""
    X = X.copy()
    X[:, :3] = np.round(X[:, :3], 1)
    X[:, 3] *= 1e4
    X[:, 4] *= 1e-4
    return X


@functools.lru_cache(maxsize=None)
def clf_data(n_classes, seed=0):
    X, y = make_classification(n_samples=N_TRAIN + N_TEST, n_features=12, n_informative=8,
                               n_redundant=2, n_classes=n_classes, n_clusters_per_class=1,
                               flip_y=0.03, random_state=seed)
    X = _shape_features(X)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


@functools.lru_cache(maxsize=None)
def reg_data(n_targets, seed=0):
    X, y = make_regression(n_samples=N_TRAIN + N_TEST, n_features=10, n_informative=7,
                           n_targets=n_targets, noise=5.0, random_state=seed)
    X = _shape_features(X)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def relabel(y, kind, n_classes):
    """Integer classes 0..k-1 as labels of the given kind."""
    if kind == "int":
        return y
    if kind == "str":
        names = np.array(["cat", "dog", "emu", "gnu", "yak", "owl", "ant"][:n_classes])
        return names[y]
    if kind == "noncontiguous":
        return np.array([-5, 3, 100, 7, 2000, -90, 11][:n_classes])[y]
    if kind == "bool":
        assert n_classes == 2
        return y.astype(bool)
    raise ValueError(kind)


def sample_weights(n, seed=1):
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.0, 3.0, n)
    w[rng.random(n) < 0.1] = 0.0
    return w


def make(cls, params):
    """An estimator of class cls with those of params that it takes."""
    est = cls()
    accepted = est.get_params()
    p = {k: v for k, v in params.items() if k in accepted}
    if "random_state" in accepted:
        p.setdefault("random_state", 0)
    if isinstance(est, FORESTS):
        p.setdefault("n_estimators", N_TREES)
        p.setdefault("n_jobs", 1)
    return est.set_params(**p)


# Classifier configurations: (name, n_classes, label kind, params, fit options).
CLF_CONFIGS = [
    ("depth2-2cls", 2, "int", {"max_depth": 2}, {}),
    ("depth8-3cls", 3, "int", {"max_depth": 8}, {}),
    ("unlimited-7cls", 7, "int", {}, {}),
    ("str-labels-3cls", 3, "str", {"max_depth": 10}, {}),
    ("noncontiguous-labels", 3, "noncontiguous", {}, {}),
    ("bool-labels", 2, "bool", {"max_depth": 8}, {}),
    ("class-weight-balanced", 3, "int", {"class_weight": "balanced"}, {}),
    ("class-weight-dict-str", 3, "str", {"class_weight": {"cat": 1.0, "dog": 3.5, "emu": 0.25}}, {}),
    ("balanced-subsample", 3, "noncontiguous", {"class_weight": "balanced_subsample"},
     {"forest_only": True}),
    ("sample-weight", 3, "int", {"max_depth": 12}, {"sample_weight": True}),
    ("min-samples-leaf-7", 7, "str", {"min_samples_leaf": 7}, {}),
    ("max-features-0.5", 3, "int", {"max_features": 0.5}, {}),
    ("max-features-all-entropy", 2, "int", {"max_features": None, "criterion": "entropy"}, {}),
    ("max-features-3-log-loss", 7, "noncontiguous", {"max_features": 3, "criterion": "log_loss"}, {}),
    ("bootstrap-off", 3, "int", {"bootstrap": False}, {}),
    ("max-samples-0.5", 2, "bool", {"bootstrap": True, "max_samples": 0.5}, {}),
    ("max-leaf-nodes-20", 7, "int", {"max_leaf_nodes": 20}, {}),
]

REG_CONFIGS = [
    ("depth2", 1, {"max_depth": 2}, {}),
    ("depth8-2targets", 2, {"max_depth": 8}, {}),
    ("unlimited-3targets", 3, {}, {}),
    ("unlimited-1target", 1, {}, {}),
    ("sample-weight", 1, {"max_depth": 12}, {"sample_weight": True}),
    ("sample-weight-2targets", 2, {}, {"sample_weight": True}),
    ("min-samples-leaf-10", 1, {"min_samples_leaf": 10}, {}),
    ("max-features-0.3", 2, {"max_features": 0.3}, {}),
    ("max-features-1.0", 1, {"max_features": 1.0}, {}),
    ("bootstrap-off", 3, {"bootstrap": False, "max_depth": 10}, {}),
    ("max-samples-0.5", 1, {"bootstrap": True, "max_samples": 0.5}, {}),
    ("absolute-error", 1, {"criterion": "absolute_error", "max_depth": 6}, {"single_only": True}),
    ("poisson", 1, {"criterion": "poisson", "max_depth": 8}, {"positive_y": True}),
    ("friedman-mse", 2, {"criterion": "friedman_mse", "max_depth": 8}, {}),
]


# --- comparisons -----------------------------------------------------------------

WORST = collections.defaultdict(float)  # estimator class -> worst relative difference


def print_summary():
    print(f"\nmax difference mlmap vs scikit-learn {sklearn.__version__} (rel = |d| / max(1, |value|); "
          "predict_proba, values):")
    for name, rel in sorted(WORST.items()):
        print(f"  {name:32s} rel {rel:.3g}")


class Parity(ModelFiles):
    """Shared assertions."""

    def assert_labels(self, got, expected, what):
        self.assertEqual(got.shape, expected.shape, what)
        self.assertEqual(got.dtype, expected.dtype, f"{what}: label dtype")
        mismatches = int(np.sum(got != expected))
        self.assertEqual(mismatches, 0, f"{what}: {mismatches} of {len(expected)} labels differ; "
                                        f"first rows {np.flatnonzero(got != expected)[:5]}")

    def assert_values(self, got, expected, what, sk=None):
        self.assertEqual(got.shape, expected.shape, what)
        err = differences(got, expected)[0]
        if sk is not None:
            WORST[type(sk).__name__] = max(WORST[type(sk).__name__], err)
        self.assertLessEqual(err, TOL, f"{what}: worst difference {err:.3g}")

    def assert_classifier(self, m, sk, X, what):
        self.assert_labels(m.predict(X), sk.predict(X), f"{what}: predict")
        self.assert_values(m.predict_proba(X), sk.predict_proba(X), f"{what}: predict_proba", sk)

    def assert_regressor(self, m, sk, X, what):
        self.assert_values(m.predict(X), sk.predict(X), f"{what}: predict", sk)


# --- the configurations --------------------------------------------------------------

class TestClassifierParity(Parity):

    def test_configurations(self):
        for name, k, kind, params, fit in CLF_CONFIGS:
            Xtr, ytr, Xte, _ = clf_data(k)
            ytr = relabel(ytr, kind, k)
            fit_kw = {"sample_weight": sample_weights(len(ytr))} if fit.get("sample_weight") else {}
            for cls in CLASSIFIERS:
                accepted = cls().get_params()
                if any(p not in accepted for p in params):
                    continue  # e.g. bootstrap for a single tree
                if fit.get("forest_only") and not issubclass(cls, FORESTS):
                    continue
                with self.subTest(estimator=cls.__name__, config=name):
                    sk = make(cls, params).fit(Xtr, ytr, **fit_kw)
                    m = self.roundtrip(sk)
                    self.assertEqual(m.classes_.dtype, sk.classes_.dtype)
                    self.assertTrue(np.array_equal(m.classes_, sk.classes_))
                    self.assertEqual(m.n_features_in_, sk.n_features_in_)
                    self.assert_classifier(m, sk, Xte, "float64")
                    self.assert_classifier(m, sk, Xte.astype(np.float32), "float32")
                    self.assert_classifier(m, sk, Xtr[:300], "training rows")

    def test_configurations_cover_every_classifier(self):
        seen = {cls for cls in CLASSIFIERS
                for _, _, _, params, _ in CLF_CONFIGS
                if all(p in cls().get_params() for p in params)}
        self.assertEqual(seen, set(CLASSIFIERS))


class TestRegressorParity(Parity):

    def test_configurations(self):
        for name, n_targets, params, fit in REG_CONFIGS:
            Xtr, ytr, Xte, _ = reg_data(n_targets)
            if fit.get("positive_y"):
                ytr = np.exp(ytr / np.abs(ytr).max() * 3)
            fit_kw = {"sample_weight": sample_weights(len(ytr))} if fit.get("sample_weight") else {}
            for cls in REGRESSORS:
                accepted = cls().get_params()
                if any(p not in accepted for p in params):
                    continue
                if fit.get("single_only") and issubclass(cls, FORESTS):
                    continue  # absolute_error forests are slow to train
                with self.subTest(estimator=cls.__name__, config=name):
                    with this_version_has_it(name):
                        sk = make(cls, params).fit(Xtr, ytr, **fit_kw)
                    m = self.roundtrip(sk)
                    self.assertFalse(hasattr(m, "classes_"))
                    self.assertEqual(m.n_outputs, n_targets)
                    self.assert_regressor(m, sk, Xte, "float64")
                    self.assert_regressor(m, sk, Xte.astype(np.float32), "float32")
                    self.assert_regressor(m, sk, Xtr[:300], "training rows")


class TestEdgeShapes(Parity):
    """Degenerate and unusual trees: a single leaf, one class, stumps, many
    features, huge magnitudes."""

    def test_single_leaf_and_single_class(self):
        Xtr, ytr, Xte, _ = clf_data(2)
        for cls in CLASSIFIERS:
            with self.subTest(estimator=cls.__name__, labels="one class"):
                sk = make(cls, {}).fit(Xtr, np.full(len(Xtr), "only"))
                m = self.roundtrip(sk)
                self.assertEqual(m.predict_proba(Xte).shape, (len(Xte), 1))
                self.assert_classifier(m, sk, Xte, "one class")
        for cls in REGRESSORS:
            with self.subTest(estimator=cls.__name__, target="constant"):
                sk = make(cls, {}).fit(Xtr, np.full(len(Xtr), -3.25))
                self.assertEqual(tree_estimators(sk)[0].tree_.node_count, 1)
                self.assert_regressor(self.roundtrip(sk), sk, Xte, "constant target")

    def test_stumps(self):
        Xtr, ytr, Xte, _ = clf_data(3)
        for cls in CLASSIFIERS:
            with self.subTest(estimator=cls.__name__):
                sk = make(cls, {"max_depth": 1}).fit(Xtr, ytr)
                self.assert_classifier(self.roundtrip(sk), sk, Xte, "stump")

    def test_many_features(self):
        X, y = make_classification(n_samples=400, n_features=3000, n_informative=30, n_classes=3,
                                   random_state=2)
        Xr = X[:, :2000]
        yr = X[:, :5] @ np.arange(1.0, 6.0)
        for sk, Xt in [(make(ensemble.RandomForestClassifier, {"n_estimators": 10}).fit(X[:300], y[:300]), X[300:]),
                       (make(ensemble.ExtraTreesRegressor, {"n_estimators": 10}).fit(Xr[:300], yr[:300]), Xr[300:])]:
            with self.subTest(estimator=type(sk).__name__):
                m = self.roundtrip(sk)
                for X_in in (Xt, Xt.astype(np.float32)):
                    if hasattr(sk, "classes_"):
                        self.assert_classifier(m, sk, X_in, f"{X_in.dtype} wide")
                    else:
                        self.assert_regressor(m, sk, X_in, f"{X_in.dtype} wide")

    def test_huge_magnitudes(self):
        X, y = make_classification(n_samples=3000, n_features=6, n_informative=6, n_redundant=0,
                                   shuffle=False, random_state=4)
        X[:, 0] *= 1e30
        X[:, 1] = X[:, 1] * 1e5 + 1e9  # float32 spacing here is 64
        X[:, 2] = -X[:, 2] * 1e-3
        Xtr, Xte = X[:2400], X[2400:]
        yr = X[:, 0] * 1e-28 + X[:, 3] * 1e6
        for sk, is_clf, y_fit in [(make(tree.DecisionTreeClassifier, {}), True, y[:2400]),
                                  (make(ensemble.RandomForestRegressor, {"n_estimators": 10}), False, yr[:2400])]:
            sk.fit(Xtr, y_fit)
            with self.subTest(estimator=type(sk).__name__):
                used = {int(f) for e in tree_estimators(sk) for f in e.tree_.feature if f >= 0}
                self.assertTrue({0, 1, 2} <= used, used)
                m = self.roundtrip(sk)
                for X_in in (Xte, Xte.astype(np.float32)):
                    if is_clf:
                        self.assert_classifier(m, sk, X_in, f"{X_in.dtype} huge")
                    else:
                        self.assert_regressor(m, sk, X_in, f"{X_in.dtype} huge")
                g32, g64, _ = threshold_grid(sk, Xtr, max_trees=3)
                for X_in in (g32, g64):
                    if is_clf:
                        self.assert_classifier(m, sk, X_in, "huge threshold grid")
                    else:
                        self.assert_regressor(m, sk, X_in, "huge threshold grid")


# --- inputs ------------------------------------------------------------------------

class TestInputs(Parity):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Xtr, ytr, cls.Xte, _ = clf_data(3)
        cls.clf = make(ensemble.RandomForestClassifier, {}).fit(Xtr, relabel(ytr, "str", 3))
        Rtr, rtr, cls.Rte, _ = reg_data(2)
        cls.reg = make(ensemble.ExtraTreesRegressor, {"max_depth": 12}).fit(Rtr, rtr)

    def test_python_lists(self):
        m = self.roundtrip(self.clf)
        rows = self.Xte.tolist()
        self.assertIsInstance(rows[0][0], float)
        self.assert_classifier(m, self.clf, rows, "list of lists")
        r = self.roundtrip(self.reg)
        self.assert_regressor(r, self.reg, self.Rte.tolist(), "list of lists")

    def test_one_row_and_tuple(self):
        m = self.roundtrip(self.clf)
        one = self.Xte[:1]
        self.assert_classifier(m, self.clf, one, "one row")
        self.assert_classifier(m, self.clf, [tuple(self.Xte[5])], "one tuple")

    def test_memory_layouts(self):
        m = self.roundtrip(self.clf)
        r = self.roundtrip(self.reg)
        for what, X in [("fortran", np.asfortranarray(self.Xte)),
                        ("strided rows", self.Xte[::3]),
                        ("reversed columns twice", self.Xte[:, ::-1][:, ::-1]),
                        ("float32 fortran", np.asfortranarray(self.Xte.astype(np.float32))),
                        ("read-only", np.require(self.Xte, requirements="C").copy())]:
            if what == "read-only":
                X.setflags(write=False)
            with self.subTest(layout=what):
                self.assert_classifier(m, self.clf, X, what)
        for what, X in [("fortran", np.asfortranarray(self.Rte)), ("strided rows", self.Rte[1::2])]:
            with self.subTest(layout=what):
                self.assert_regressor(r, self.reg, X, what)

    def test_integer_and_float16_input(self):
        m = self.roundtrip(self.clf)
        Xi = np.round(self.Xte * 3).astype(np.int64)
        Xi[:, 3] = np.round(self.Xte[:, 3]).astype(np.int64)  # large column: keep its scale
        self.assert_classifier(m, self.clf, Xi, "int64")
        self.assert_classifier(m, self.clf, Xi.astype(np.int32), "int32")
        X16 = np.clip(self.Xte, -60000, 60000).astype(np.float16)  # float16 max is 65504
        self.assert_classifier(m, self.clf, X16, "float16")

    def test_large_integer_input(self):
        # sklearn casts int64 input straight to float32.  Going through
        # float64 first rounds twice: 2^60 + 2^36 + 1 becomes 2^60 + 2^36
        # (a float32 tie, rounded to even) instead of 2^60 + 2^37.
        k = np.arange(64)
        x = (2**60 + k * 2**37).astype(np.int64)  # consecutive float32 values
        sk = tree.DecisionTreeClassifier(random_state=0).fit(x[:, None], k % 2)
        m = self.roundtrip(sk)
        for what, q in [("training values", x), ("just above half a float32 step", x + 2**36 + 1),
                        ("just below half a step", x + 2**36 - 1), ("between", x + 12345)]:
            with self.subTest(inputs=what):
                self.assert_classifier(m, sk, q[:, None], f"int64 {what}")
                self.assert_classifier(m, sk, [[int(v)] for v in q], f"Python int {what}")
                self.assert_classifier(m, sk, pd.DataFrame({"a": q}).to_numpy(), f"int64 frame {what}")

    def test_dataframe_with_shuffled_columns(self):
        Xtr, ytr, Xte, _ = clf_data(3)
        names = [f"col_{i}" for i in range(Xtr.shape[1])]
        dtr = pd.DataFrame(Xtr, columns=names)
        dte = pd.DataFrame(Xte, columns=names)
        shuffled = list(np.random.default_rng(3).permutation(names))
        self.assertNotEqual(shuffled, names)
        for cls in (ensemble.RandomForestClassifier, tree.DecisionTreeClassifier):
            with self.subTest(estimator=cls.__name__):
                sk = make(cls, {}).fit(dtr, relabel(ytr, "noncontiguous", 3))
                m = self.roundtrip(sk)
                self.assertEqual(list(m.feature_names_in_), list(sk.feature_names_in_))
                self.assert_labels(m.predict(dte[shuffled]), sk.predict(dte), "shuffled DataFrame")
                self.assert_values(m.predict_proba(dte[shuffled]), sk.predict_proba(dte),
                                   "shuffled DataFrame: predict_proba")
                self.assert_labels(m.predict(dte[shuffled].astype(np.float32)),
                                   sk.predict(dte.astype(np.float32)), "float32 DataFrame")
        Rtr, rtr, Rte, _ = reg_data(2)
        rnames = [f"r{i}" for i in range(Rtr.shape[1])]
        sk = make(ensemble.RandomForestRegressor, {"max_depth": 8}).fit(
            pd.DataFrame(Rtr, columns=rnames), rtr)
        m = self.roundtrip(sk)
        rte = pd.DataFrame(Rte, columns=rnames)
        self.assert_values(m.predict(rte[rnames[::-1]]), sk.predict(rte), "regressor DataFrame")


# --- thresholds ------------------------------------------------------------------

def tree_estimators(est):
    return list(est.estimators_) if hasattr(est, "estimators_") else [est]


def threshold_grid(est, X_base, max_trees=10):
    """Rows that put each split's feature exactly on its float32-rounded
    threshold and on the float32 neighbours of that, starting from a row that
    reaches the split.  Also float64 values the float32 cast rounds onto
    those: the threshold itself and midpoints between float32 neighbours.
    Returns (float32-exact rows, float64-only rows, rounding statistics)."""
    rows32, rows64 = [], []
    n_up = n_down = 0
    for t in tree_estimators(est)[:max_trees]:
        tr = t.tree_
        path = t.decision_path(X_base).tocsc()
        for node in np.flatnonzero(tr.children_left >= 0):
            reach = path.indices[path.indptr[node]:path.indptr[node + 1]]
            base = X_base[reach[0]] if len(reach) else X_base[node % len(X_base)]
            base = base.astype(np.float32).astype(np.float64)  # every other feature float32 too
            f = tr.feature[node]
            t64 = tr.threshold[node]
            t32 = np.float32(t64)  # nearest
            if float(t32) > t64:
                n_up += 1
            elif float(t32) < t64:
                n_down += 1
            below = np.nextafter(t32, np.float32(-np.inf))
            above = np.nextafter(t32, np.float32(np.inf))
            for v in (np.nextafter(below, np.float32(-np.inf)), below, t32, above,
                      np.nextafter(above, np.float32(np.inf))):
                r = base.copy()
                r[f] = float(v)
                rows32.append(r)
            for v in (t64,
                      (float(below) + float(t32)) / 2, (float(t32) + float(above)) / 2,
                      np.nextafter(t64, -np.inf), np.nextafter(t64, np.inf)):
                r = base.copy()
                r[f] = v
                rows64.append(r)
    return np.array(rows32), np.array(rows64), (n_up, n_down)


class TestThresholds(Parity):
    """Inputs exactly on the float32-rounded thresholds: sklearn compares
    float32(x) <= t (t a float64 midpoint), so mlmap must round t DOWN."""

    def check(self, sk, X_base, is_classifier):
        m = self.roundtrip(sk)
        g32, g64, (n_up, n_down) = threshold_grid(sk, X_base)
        # The grid has teeth only if nearest rounding would go up somewhere.
        self.assertGreater(n_up, 0, "no threshold rounds up to float32: the grid tests nothing")
        self.assertTrue(np.array_equal(g32.astype(np.float32).astype(np.float64), g32))
        for what, X in [("float32 grid as float32", g32.astype(np.float32)),
                        ("float32 grid as float64", g32),
                        ("float64 values around thresholds", g64)]:
            if is_classifier:
                self.assert_classifier(m, sk, X, what)
            else:
                self.assert_regressor(m, sk, X, what)
        return n_up, n_down

    def test_classifiers(self):
        Xtr, ytr, Xte, _ = clf_data(3)
        for cls in CLASSIFIERS:
            with self.subTest(estimator=cls.__name__):
                sk = make(cls, {}).fit(Xtr, ytr)
                self.check(sk, Xtr, True)

    def test_regressors(self):
        Xtr, ytr, _, _ = reg_data(2)
        for cls in REGRESSORS:
            with self.subTest(estimator=cls.__name__):
                sk = make(cls, {"max_depth": 10}).fit(Xtr, ytr)
                self.check(sk, Xtr, False)

    def test_dense_grid_on_one_feature(self):
        # A one-feature tree on an integer grid: every threshold is a .5
        # midpoint, many of them between float32 neighbours at this scale.
        rng = np.random.default_rng(7)
        x = rng.integers(2**24 - 2000, 2**24 + 2000, 3000).astype(np.float64)
        # Odd values above 2^24 are not float32: keep what float32 can hold so
        # training sees the values sklearn will see.
        x = x.astype(np.float32).astype(np.float64)
        y = (np.sin(x / 37.0) > 0).astype(int) + (x % 3 == 0)
        sk = tree.DecisionTreeClassifier(random_state=0).fit(x[:, None], y)
        m = self.roundtrip(sk)
        lo, hi = np.float32(2**24 - 2100), np.float32(2**24 + 2100)
        grid = [lo]
        while grid[-1] < hi:
            grid.append(np.nextafter(grid[-1], np.float32(np.inf)))
        X = np.array(grid, dtype=np.float32)[:, None]
        self.assert_classifier(m, sk, X, "float32 grid")
        self.assert_classifier(m, sk, X.astype(np.float64), "float64 grid")
        X64 = (np.arange(2**24 - 2100, 2**24 + 2100, 0.25))[:, None]
        self.assert_classifier(m, sk, X64, "float64 quarter steps")


if __name__ == "__main__":
    warnings.simplefilter("error", UserWarning)  # e.g. sklearn's feature-name warnings
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
