#!/usr/bin/python3
"""Parity of mlmap with the behaviours that changed between the library
versions of the matrix (scikit-learn 1.2 / 1.6 / 1.9, NumPy 1.24 / 2.x,
pandas 1.5 / 2 / 3, XGBoost 1.7 / 2.1 / 3.x).  Each test runs in every
environment and checks what this environment's versions do; where a
behaviour does not exist in a version the test says so (skip) or checks the
older behaviour.  Same tolerance as the other parity suites: labels equal,
values within 1e-6 (absolute, or relative to |value| when larger).

- trees: NaN routing by tree_.missing_go_to_left (sklearn >= 1.3 trees, 1.4
  forests, 1.6 random splitter), +inf thresholds of "missing only" splits;
  NaN refused where sklearn refuses it (1.2);
- classifier trees' tree_.value as weighted fractions (>= 1.4.1) and counts;
- GradientBoosting on the common loss module (>= 1.4): binary decided by
  raw >= 0; HistGradientBoosting decided on raw scores (>= 1.5);
- HistGradientBoosting categorical_features="from_dtype" (>= 1.4, default
  1.6): the internal _preprocessor (categorical columns first), pandas
  categorical inputs with string and integer categories, unknown and missing
  categories;
- LogisticRegression's one-vs-rest / multinomial rule of each version;
- set_output(transform="pandas") pipelines; pandas' string dtype (default in
  pandas 3), pd.NA; NumPy 2 scalars as labels and categories;
- OneHotEncoder infrequent categories (min_frequency, max_categories,
  infrequent_if_exist, drop) against sklearn's transform;
- refusals naming the class, the attribute and the version: TargetEncoder,
  SplineTransformer (degree 0 with constant extrapolation); XGBoost's categories encoder (3.1+);
- XGBoost 2/3: reg:absoluteerror, binary:hinge, reg:quantileerror with
  several quantiles, multi_strategy="multi_output_tree".

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_versions.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import collections
import re
import unittest
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import ensemble, linear_model, tree
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import mlmap
from parity_support import ModelFiles, differences, run

TOL = 1e-6
SK = tuple(int(x) for x in re.findall(r"\d+", sklearn.__version__)[:3])
PD = tuple(int(x) for x in re.findall(r"\d+", pd.__version__)[:2])
WORST = collections.defaultdict(float)


def data(n=1500, d=8, seed=0, nan_rate=0.0, classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X[:, 1] = np.round(X[:, 1], 1)
    y = (X[:, 0] + X[:, 2] * X[:, 3] > 0).astype(int) + (classes > 2) * (X[:, 4] > 0.8)
    if nan_rate:
        mask = rng.random((n, d)) < nan_rate
        mask[:, 5:] = False  # a few columns never missing in training
        X[mask] = np.nan
    return X, y


class Versions(ModelFiles):
    prefix = "mlmap-versions-"

    def close(self, got, expected, label):
        got, expected = np.asarray(got), np.asarray(expected)
        self.assertEqual(got.shape, expected.shape, label)
        rel = differences(got, expected)[0]
        family = label.split(":")[0]
        WORST[family] = max(WORST[family], rel)
        self.assertLessEqual(rel, TOL, f"{label}: worst difference {rel:.3g}")

    def labels(self, got, expected, label):
        got, expected = np.asarray(got), np.asarray(expected)
        self.assertEqual(got.dtype, expected.dtype, label)
        bad = int(np.sum(got != expected))
        self.assertEqual(bad, 0, f"{label}: {bad} of {len(expected)} labels differ")

    def classifier(self, m, sk, X, label):
        self.labels(m.predict(X), sk.predict(X), f"{label}: predict")
        self.close(m.predict_proba(X), sk.predict_proba(X), f"{label}: predict_proba")

    def refused(self, est, *words, X=None):
        path = self.path("refused")
        with self.assertRaises(mlmap.UnsupportedModelError) as cm:
            mlmap.save(est, path)
        self.assertFalse(os.path.exists(path))
        for w in words:
            self.assertIn(w, str(cm.exception))
        return str(cm.exception)


# --- trees and NaN -----------------------------------------------------------------

def sklearn_accepts_nan(est, d):
    try:
        est.predict(np.full((1, d), np.nan))
        return True
    except ValueError:
        return False


class TestTreeMissingValues(Versions):

    CASES = [
        (tree.DecisionTreeClassifier, {}),
        (tree.DecisionTreeRegressor, {}),
        (tree.DecisionTreeClassifier, {"splitter": "random"}),
        (tree.ExtraTreeRegressor, {}),
        (ensemble.RandomForestClassifier, {"n_estimators": 15}),
        (ensemble.RandomForestRegressor, {"n_estimators": 10}),
        (ensemble.ExtraTreesClassifier, {"n_estimators": 10}),
        (ensemble.ExtraTreesRegressor, {"n_estimators": 10}),
    ]

    def test_nan_routing_or_refusal(self):
        X, y = data(nan_rate=0.15)
        Xc, _ = data(seed=1)  # no NaN in training: missing_go_to_left = bigger child
        Xte, _ = data(seed=2, nan_rate=0.3)
        routed = 0
        for cls, params in self.CASES:
            for name, Xtr in (("nan in training", X), ("no nan in training", Xc)):
                with self.subTest(estimator=cls.__name__, params=params, data=name):
                    est = cls(random_state=0, **params)
                    target = y if sklearn.base.is_classifier(est) else y * 1.5 + Xc[:, 3]
                    try:
                        est.fit(Xtr, target)
                    except ValueError:
                        self.assertLess(SK, (1, 6), f"{cls.__name__} refuses NaN at fit in {sklearn.__version__}")
                        continue  # this version cannot learn NaN here
                    m = self.roundtrip(est)
                    accepts = sklearn_accepts_nan(est, Xtr.shape[1])
                    if not accepts:
                        with self.assertRaises(mlmap.MissingValueError):
                            m.predict(Xte)
                        continue
                    routed += 1
                    self.assertTrue(all(hasattr(t.tree_, "missing_go_to_left")
                                        for t in getattr(est, "estimators_", [est])))
                    if sklearn.base.is_classifier(est):
                        self.classifier(m, est, Xte, f"trees NaN: {cls.__name__}")
                        self.classifier(m, est, Xte.astype(np.float32), f"trees NaN: {cls.__name__} float32")
                    else:
                        self.close(m.predict(Xte), est.predict(Xte), f"trees NaN: {cls.__name__}")
        if SK >= (1, 3):
            self.assertGreater(routed, 0, "no tree routed NaN in scikit-learn >= 1.3")
        else:
            self.assertEqual(routed, 0)

    def test_missing_only_split_has_infinite_threshold(self):
        if SK < (1, 3):
            self.skipTest(f"scikit-learn {sklearn.__version__} learns no NaN routing")
        rng = np.random.default_rng(4)
        x = rng.normal(size=2000)
        y = (x > 0).astype(int)
        x[y == 1] = np.where(rng.random(int(y.sum())) < 0.5, np.nan, x[y == 1])
        y[np.isnan(x)] = 2  # the missing values are their own class
        est = tree.DecisionTreeClassifier(random_state=0).fit(x[:, None], y)
        self.assertTrue(np.isinf(est.tree_.threshold).any(), "no split sending only NaN right")
        m = self.roundtrip(est)
        probe = np.array([[np.nan], [0.0], [-1.0], [3.0], [1e30], [-3e38]])
        self.classifier(m, est, probe, "trees NaN: infinite threshold")

    def test_weighted_fractions_in_value(self):
        X, y = data(classes=3)
        w = np.random.default_rng(3).uniform(0.1, 3.0, len(y))
        est = ensemble.RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y, sample_weight=w)
        value = est.estimators_[0].tree_.value
        fractions = np.allclose(value.sum(axis=-1), 1.0)
        self.assertEqual(fractions, SK >= (1, 4, 1), f"tree_.value of scikit-learn {sklearn.__version__}")
        self.classifier(self.roundtrip(est), est, data(seed=5)[0], "trees: weighted value")


# --- boosting ----------------------------------------------------------------------------

class TestBoostingDecisions(Versions):

    def test_gradient_boosting_binary_decision_at_zero(self):
        # one feature, two points: raw scores that land exactly on 0
        X = np.array([[0.0], [1.0]] * 50)
        y = np.array([0, 1] * 50)
        for loss in ("log_loss", "exponential"):
            with self.subTest(loss=loss):
                est = ensemble.GradientBoostingClassifier(loss=loss, n_estimators=3, random_state=0).fit(X, y)
                Xq = np.array([[0.0], [1.0], [0.5]])
                m = self.roundtrip(est)
                self.classifier(m, est, Xq, f"gradient boosting: {loss}")
                self.close(m.decision_function(Xq), est.decision_function(Xq), f"gradient boosting: {loss} raw")

    def test_gradient_boosting_losses(self):
        X, y = data(classes=3)
        Xte, _ = data(seed=7)
        for k in (2, 3):
            yk = y if k == 3 else (y > 0).astype(int)
            est = ensemble.GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X, yk)
            self.classifier(self.roundtrip(est), est, Xte, f"gradient boosting: {k} classes")
        for loss in ("squared_error", "absolute_error", "huber", "quantile"):
            est = ensemble.GradientBoostingRegressor(loss=loss, n_estimators=20, random_state=0).fit(X, X[:, 0] + y)
            self.close(self.roundtrip(est).predict(Xte), est.predict(Xte), f"gradient boosting: {loss}")

    def test_hist_gradient_boosting_decisions(self):
        X, y = data(classes=3, nan_rate=0.1)
        Xte, _ = data(seed=8, nan_rate=0.1)
        for k in (2, 3):
            yk = y if k == 3 else (y > 0).astype(int)
            est = ensemble.HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, yk)
            m = self.roundtrip(est)
            self.classifier(m, est, Xte, f"hist gradient boosting: {k} classes")
            decision = m.info()["class_decision"]
            self.assertEqual(decision, "argmax_raw" if SK >= (1, 5) else "argmax_outputs")
        losses = ["squared_error", "absolute_error", "poisson", "quantile"] + (["gamma"] if SK >= (1, 3) else [])
        for loss in losses:
            x0 = np.nan_to_num(X[:, 0])
            target = np.exp(x0 * 0.3) + y if loss in ("poisson", "gamma") else x0 + y
            kw = {"quantile": 0.3} if loss == "quantile" else {}
            est = ensemble.HistGradientBoostingRegressor(loss=loss, max_iter=20, random_state=0, **kw)
            est.fit(np.nan_to_num(X), target)
            self.close(self.roundtrip(est).predict(Xte), est.predict(Xte), f"hist gradient boosting: {loss}")


def category_frame(n=1200, seed=0, string_dtype=None):
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue", "mauve"], n)
    size = rng.choice([3, 11, 7], n)
    frame = pd.DataFrame({
        "x": rng.normal(size=n),
        "colour": pd.Categorical(colour),
        "y": rng.normal(size=n),
        "size": pd.Categorical(size),
    })
    frame.loc[rng.random(n) < 0.05, "colour"] = np.nan
    target = ((frame["colour"] == "red").to_numpy() * 2 + frame["x"].to_numpy()
              + (size == 11) - (colour == "blue") * frame["y"].to_numpy())
    return frame, target


class TestHistGradientBoostingFromDtype(Versions):

    def setUp(self):
        if SK < (1, 4):
            self.skipTest(f"categorical_features='from_dtype' is new in 1.4 (this is {sklearn.__version__})")

    def check(self, est, frame, label):
        m = self.roundtrip(est)
        self.assertIsNotNone(est._preprocessor)
        self.assertEqual(list(m.feature_names_in_), list(frame.columns))
        shuffled = frame[list(reversed(frame.columns))]
        if sklearn.base.is_classifier(est):
            self.classifier(m, est, frame, label)
            self.labels(m.predict(shuffled), est.predict(frame), f"{label}: shuffled columns")
        else:
            self.close(m.predict(frame), est.predict(frame), label)
            self.close(m.predict(shuffled), est.predict(frame), f"{label}: shuffled columns")

    def test_from_dtype_reorders_categorical_first(self):
        frame, target = category_frame()
        test, _ = category_frame(seed=1)
        kw = {} if SK >= (1, 6) else {"categorical_features": "from_dtype"}
        reg = ensemble.HistGradientBoostingRegressor(max_iter=30, random_state=0, **kw).fit(frame, target)
        self.assertTrue(reg._preprocessor is not None and reg.is_categorical_.tolist() == [False, True, False, True])
        self.check(reg, test, "hist gradient boosting from_dtype: regressor")
        clf = ensemble.HistGradientBoostingClassifier(max_iter=30, random_state=0, **kw).fit(frame, target > 1)
        self.check(clf, test, "hist gradient boosting from_dtype: classifier")

    def test_unknown_and_missing_categories(self):
        frame, target = category_frame()
        kw = {} if SK >= (1, 6) else {"categorical_features": "from_dtype"}
        est = ensemble.HistGradientBoostingRegressor(max_iter=30, random_state=0, **kw).fit(frame, target)
        test, _ = category_frame(n=200, seed=3)
        test["colour"] = pd.Categorical(np.array(["red", "teal", None, "blue"] * 50, dtype=object))
        test["size"] = pd.Categorical(np.array([3, 5, 11, 7] * 50))
        self.check(est, test, "hist gradient boosting from_dtype: unknown categories")

    def test_by_name_on_frame(self):
        frame, target = category_frame()
        plain = frame.assign(colour=frame["colour"].cat.codes.astype(float).replace(-1, np.nan),
                             size=frame["size"].cat.codes.astype(float))
        est = ensemble.HistGradientBoostingRegressor(max_iter=20, random_state=0,
                                                     categorical_features=["colour", "size"]).fit(plain, target)
        m = self.roundtrip(est)
        self.close(m.predict(plain), est.predict(plain), "hist gradient boosting from_dtype: by name")


# --- linear models ---------------------------------------------------------------------------

class TestLogisticRules(Versions):

    def test_every_solver(self):
        X, y = data(classes=3)
        Xte, _ = data(seed=9)
        for solver in ("lbfgs", "newton-cg", "newton-cholesky", "sag", "saga", "liblinear"):
            for k in (2, 3):
                yk = y if k == 3 else (y > 0).astype(int)
                with self.subTest(solver=solver, classes=k):
                    est = linear_model.LogisticRegression(solver=solver, max_iter=2000)
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            est.fit(X, yk)
                    except ValueError as e:
                        self.assertIn("liblinear", str(e))  # 1.8+: liblinear is binary only
                        continue
                    self.classifier(self.roundtrip(est), est, Xte, f"logistic regression: {solver}")


# --- pipelines, pandas, NumPy 2 --------------------------------------------------------------

class TestPandasAndNumpy(Versions):

    def test_set_output_pandas_pipeline(self):
        frame, target = category_frame()
        frame = frame.assign(colour=frame["colour"].astype(object), size=frame["size"].astype(int))
        frame["colour"] = frame["colour"].where(frame["colour"].notna(), "none")
        pre = ColumnTransformer([("num", StandardScaler(), ["x", "y"]),
                                 ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False)
                                  if SK >= (1, 2) else OneHotEncoder(handle_unknown="ignore"), ["colour"])])
        pipe = Pipeline([("pre", pre), ("model", linear_model.LogisticRegression(max_iter=500))])
        pipe.set_output(transform="pandas")
        pipe.fit(frame, target > 1)
        self.assertIsInstance(pipe[:-1].transform(frame), pd.DataFrame)
        self.classifier(self.roundtrip(pipe), pipe, frame, "pipelines: set_output pandas")

    def test_string_dtype_columns(self):
        frame, target = category_frame()
        colour = frame["colour"].astype(object).where(frame["colour"].notna(), None)
        strings = frame.assign(colour=colour.astype("string"), size=frame["size"].astype(int))
        if PD >= (3, 0):
            self.assertEqual(str(pd.Series(["a"]).dtype), "str", "pandas 3's default string dtype")
        pipe = Pipeline([("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"])],
                                                   remainder="passthrough")),
                         ("model", tree.DecisionTreeRegressor(max_depth=6, random_state=0))])
        fit_frame = strings.assign(colour=strings["colour"].fillna("none"))
        pipe.fit(fit_frame, target)
        m = self.roundtrip(pipe)
        test = fit_frame.copy()
        test.loc[test.index[:5], "colour"] = "unseen"
        self.close(m.predict(test), pipe.predict(test), "pipelines: string dtype")
        default = test.assign(colour=test["colour"].astype(object).astype(str))  # pandas 3: dtype str
        self.close(m.predict(default), pipe.predict(default), "pipelines: default string dtype")

    def test_missing_strings_in_default_string_dtype(self):
        # pandas 3 infers dtype str for these, pandas <= 2 object; missing is NaN in both.
        # (Not None: SimpleImputer(missing_values=nan) leaves None in an object
        # column, where mlmap's one missing string value is imputed -- a known
        # divergence on object columns holding None; pandas 3's str dtype turns
        # None into NaN.)
        from sklearn.impute import SimpleImputer
        rng = np.random.default_rng(6)
        colour = [np.nan if rng.random() < 0.1 else str(v) for v in rng.choice(["red", "green", "blue"], 600)]
        frame = pd.DataFrame({"colour": colour, "x": rng.normal(size=600)})
        if PD >= (3, 0):
            self.assertEqual(str(frame["colour"].dtype), "str")
        self.assertTrue(frame["colour"].isna().any())
        target = (frame["colour"] == "red").to_numpy() * 2.0 + frame["x"].to_numpy()
        impute = Pipeline([("fill", SimpleImputer(strategy="constant", fill_value="none")),
                           ("oh", OneHotEncoder(handle_unknown="ignore"))])
        pipe = Pipeline([("pre", ColumnTransformer([("cat", impute, ["colour"])], remainder="passthrough")),
                         ("model", linear_model.Ridge())]).fit(frame, target)
        m = self.roundtrip(pipe)
        self.close(m.predict(frame), pipe.predict(frame), "pipelines: missing strings")

    def test_numpy_scalar_labels_and_copies(self):
        X, y = data(classes=3)
        labels = np.array([np.int16(4), np.int16(-2), np.int16(9)])[y]
        est = tree.DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, labels)
        m = self.roundtrip(est)
        self.assertEqual(m.classes_.dtype, est.classes_.dtype)
        self.classifier(m, est, X[:200], "numpy: int16 labels")
        self.assertEqual(repr(m.predict(X[:1])[0]), repr(est.predict(X[:1])[0]))
        Xr = np.asarray(X[:50]).copy()
        Xr.setflags(write=False)
        self.classifier(m, est, Xr, "numpy: read-only input")
        f32 = linear_model.LogisticRegression(max_iter=500).fit(X.astype(np.float32), y)
        self.classifier(self.roundtrip(f32), f32, X.astype(np.float32), "numpy: float32 fit")


class TestOneHotInfrequent(Versions):
    """OneHotEncoder infrequent categories (min_frequency, max_categories),
    handle_unknown='infrequent_if_exist', drop, NaN as a category (frequent
    or infrequent), string and numeric columns, unknown values."""

    CONFIGS = [
        {"min_frequency": 0.1},
        {"max_categories": 3},
        {"min_frequency": 100, "handle_unknown": "infrequent_if_exist"},
        {"min_frequency": 0.1, "handle_unknown": "ignore"},
        {"min_frequency": 0.1, "drop": "first"},
        {"max_categories": 2, "drop": "if_binary", "handle_unknown": "infrequent_if_exist"},
        {"handle_unknown": "infrequent_if_exist"},
        {"min_frequency": 0.2, "handle_unknown": "infrequent_if_exist", "drop": "first"},
    ]

    @staticmethod
    def frames(seed=0, n=2000):
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame({
            # "a" sorts first and is rare: drop='first' meets an infrequent first category
            "c": rng.choice(["a", "b", "c", "d", "e", "f"], n, p=[0.02, 0.4, 0.3, 0.2, 0.05, 0.03]).astype(object),
            "k": rng.choice([1.0, 2.0, 3.0, 4.0, np.nan], n, p=[0.5, 0.3, 0.1, 0.06, 0.04]),
            "m": rng.choice([5.0, 6.0, np.nan], n, p=[0.2, 0.1, 0.7]),  # NaN the most frequent
            "x": rng.normal(size=n),
        })
        target = rng.normal(size=n) + (frame["c"] == "b") * 2 - np.nan_to_num(frame["k"]) * 0.5
        unseen = frame.copy()
        unseen.loc[unseen.index[:25], "c"] = "zzz"
        unseen.loc[unseen.index[25:40], "k"] = 9.0
        return frame, target, unseen

    def test_infrequent_categories(self):
        frame, target, unseen = self.frames()
        checked = 0
        for params in self.CONFIGS:
            with self.subTest(**params):
                enc = OneHotEncoder(**params)
                pipe = Pipeline([("pre", ColumnTransformer([("oh", enc, ["c", "k", "m"])], remainder="passthrough")),
                                 ("model", linear_model.Ridge(alpha=0.1))])
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    pipe.fit(frame, target)
                fitted = pipe.named_steps["pre"].named_transformers_["oh"]
                m = self.roundtrip(pipe)
                self.close(m.predict(frame), pipe.predict(frame), "one-hot infrequent: training rows")
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        expected = pipe.predict(unseen)
                except ValueError:
                    self.assertEqual(fitted.handle_unknown, "error")
                    with self.assertRaises(mlmap.UnknownCategoryError):
                        m.predict(unseen)
                else:
                    self.close(m.predict(unseen), expected, "one-hot infrequent: unknown categories")
                checked += bool(getattr(fitted, "_infrequent_enabled", False))
        self.assertGreater(checked, 0)


# --- refusals -----------------------------------------------------------------------------------

class TestRefusals(Versions):

    def test_spline_transformer(self):
        # TargetEncoder (>= 1.3) and SplineTransformer, once refused here, are saved since
        # (tests/parity/test_transformers.py); what is refused is the corner where scikit-learn
        # itself raises on rows above the knots: degree 0 with constant extrapolation
        from sklearn.preprocessing import SplineTransformer
        X, y = data()
        pipe = Pipeline([("step", SplineTransformer(n_knots=4, degree=0, extrapolation="constant")),
                         ("model", linear_model.Ridge())]).fit(X, X[:, 0] + y)
        self.refused(pipe, "SplineTransformer", sklearn.__version__, "step 0", "degree=0")

    def test_xgboost_objectives_of_2_and_3(self):
        """reg:absoluteerror, binary:hinge, reg:quantileerror with several
        quantiles and multi_output_tree (2.0+) predict as xgboost does; what
        the importer does not understand yet (the categories encoder of 3.1+)
        is refused naming the setting and xgboost's version."""
        try:
            import xgboost
        except ImportError:
            self.skipTest("no xgboost")
        X, y = data(classes=2)
        version = xgboost.__version__
        for params in ({"objective": "reg:absoluteerror"}, {"objective": "binary:hinge"},
                       {"objective": "reg:quantileerror", "quantile_alpha": np.array([0.2, 0.8])}):
            with self.subTest(**{k: str(v) for k, v in params.items()}):
                try:
                    booster = xgboost.train({**params, "max_depth": 3}, xgboost.DMatrix(X, label=y), 3)
                except xgboost.core.XGBoostError:
                    self.assertLess(tuple(int(v) for v in version.split(".")[:2]), (2, 0))
                    continue
                m = self.roundtrip(booster)
                expected = booster.predict(xgboost.DMatrix(X))
                if params["objective"] == "binary:hinge":
                    self.labels(m.predict(X), expected.astype(int), "xgboost: binary:hinge")
                else:
                    self.close(m.predict(X), expected, f"xgboost: {params['objective']}")
        if version.startswith("1."):
            return
        multi = xgboost.train({"multi_strategy": "multi_output_tree", "tree_method": "hist", "max_depth": 3},
                              xgboost.DMatrix(X, label=np.c_[X[:, 0], X[:, 1]]), 3)
        m = self.roundtrip(multi)
        self.assertEqual(m.info()["metadata"]["xgboost.multi_strategy"], "multi_output_tree")
        self.close(m.predict(X), multi.predict(xgboost.DMatrix(X)), "xgboost: multi_output_tree")
        frame = pd.DataFrame({"a": X[:, 0], "c": pd.Categorical(np.array(["u", "v", "w"])[(X[:, 1] > 0).astype(int) + (X[:, 2] > 0)])})
        clf = xgboost.XGBClassifier(n_estimators=3, enable_categorical=True, tree_method="hist").fit(frame, y)
        if "cats" in clf.get_booster().save_raw("json").decode():
            self.refused(clf, "categories encoder", version)
        else:
            m = self.roundtrip(clf)
            self.labels(m.predict(frame), clf.predict(frame), "xgboost: categorical frame")


def print_summary():
    print("\nworst relative difference per family:")
    for family, worst in sorted(WORST.items()):
        print(f"  {family:40s} {worst:.3g}")


def versions():
    out = f"sklearn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}"
    try:
        import xgboost
        out += f", xgboost {xgboost.__version__}"
    except ImportError:
        pass
    return out


if __name__ == "__main__":
    run(versions(), print_summary)
