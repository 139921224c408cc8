#!/usr/bin/python3
"""Parity of mlmap with scikit-learn (1.2) on preprocessing and Pipelines:
every supported step (StandardScaler, MinMaxScaler, MaxAbsScaler,
RobustScaler, Normalizer, SimpleImputer, MissingIndicator, OneHotEncoder,
OrdinalEncoder, PolynomialFeatures, ColumnTransformer, FeatureUnion, nested
Pipelines) in front of linear models, MLPs, forests and boosting, saved as
one file.

Held-out data holds NaN and (where the step allows them) categories unseen in
training.  mlmap must give the same labels (0 mismatches) and the same
predict_proba, decision_function and regression values within 1e-6
(absolute, or relative to |value| when that is larger).  Unknown categories
under handle_unknown='error' must raise mlmap.UnknownCategoryError naming the
column and the value; unsupported steps must raise UnsupportedModelError
naming the class and its position, and write nothing.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_pipeline.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import collections
import functools
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.decomposition import KernelPCA
from sklearn.ensemble import (GradientBoostingClassifier, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import (FunctionTransformer, MaxAbsScaler, MinMaxScaler, Normalizer,
                                   OneHotEncoder, OrdinalEncoder, PolynomialFeatures, RobustScaler,
                                   StandardScaler)
from sklearn.tree import DecisionTreeClassifier

import mlmap
from parity_support import ModelFiles, differences, run

TOL = 1e-6
N_TRAIN = 700
N_TEST = 400

WORST = collections.defaultdict(lambda: {"rel": 0.0, "abs": 0.0, "n": 0})

NUMERIC = ["age", "income", "score", "kids"]
STRINGS = ["city", "color", "grade"]
CITIES = ["paris", "rome", "oslo", "z\u00fcrich", "\u00c5rhus", "bern"]
COLORS = ["red", "green", "blue"]
GRADES = ["a", "b", "c", "d"]


@functools.lru_cache(maxsize=None)
def frames(seed=0):
    """(train, test, y_class, y_reg): a DataFrame with numeric and string
    columns and NaN in both; the test rows add unseen categories (in 'city'
    and 'kids'), values outside the training range and NaN where training
    had none ('color')."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_TEST
    df = pd.DataFrame({
        "age": np.round(rng.normal(40, 12, n), 0),
        "income": np.exp(rng.normal(8, 1, n)),
        "score": rng.normal(0, 1, n),
        "kids": rng.integers(0, 4, n).astype(np.float64),
        "city": rng.choice(CITIES, n).astype(object),
        "color": rng.choice(COLORS, n).astype(object),
        "grade": rng.choice(GRADES, n).astype(object),
    })
    for col, rate in (("age", 0.08), ("income", 0.05), ("kids", 0.1), ("city", 0.1)):
        df.loc[rng.random(n) < rate, col] = np.nan
    city_effect = {c: e for c, e in zip(CITIES, (1.0, -0.5, 0.3, 1.5, -1.2, 0.0))}
    z = (0.05 * (df.age.fillna(40) - 40) + 0.4 * np.log(df.income.fillna(3000)) - 3.2
         + df.score + df.city.map(city_effect).fillna(0.2) + 0.3 * df.kids.fillna(1)
         + (df.color == "red") * 0.8 + df.grade.map({"a": 0.5, "b": 0, "c": -0.3, "d": 0.1}))
    y_reg = 10 * z + rng.normal(0, 1, n)
    y_cls = np.digitize(z + rng.normal(0, 0.3, n), np.quantile(z, [0.33, 0.66]))
    train, test = df.iloc[:N_TRAIN].reset_index(drop=True), df.iloc[N_TRAIN:].reset_index(drop=True)
    test = test.copy()
    test.loc[:14, "city"] = ["atlantis", "lyon", "ROME", "", " rome"] * 3
    test.loc[15:24, "kids"] = [7.0, -1.0, 2.5, 100.0, 0.5] * 2
    test.loc[25:40, "age"] = np.linspace(-200, 400, 16)
    test.loc[41:50, "income"] = np.linspace(1e-3, 1e7, 10)
    test.loc[51:58, "color"] = np.nan
    return train, test, y_cls[:N_TRAIN], y_reg[:N_TRAIN]


def numeric_only(test):
    """Test rows usable by steps that refuse unknown categories / missing strings."""
    t = test.copy()
    t.loc[t.city.isin(["atlantis", "lyon", "ROME", "", " rome"]), "city"] = "paris"
    t.loc[~t.kids.isin([0.0, 1.0, 2.0, 3.0]) & t.kids.notna(), "kids"] = 1.0
    t["color"] = t.color.fillna("red")
    return t


def quietly(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return fn(*args)


class Base(ModelFiles):
    prefix = "mlmap-pipeline-"

    def close(self, got, expected, label, what, tol=None):
        tol = TOL if tol is None else tol
        got, expected = np.asarray(got), np.asarray(expected)
        self.assertEqual(got.shape, expected.shape, f"{label} {what}: shape")
        rel, ab = differences(got, expected, nan_matches=True)
        w = WORST[label]
        w["rel"], w["abs"] = max(w["rel"], rel), max(w["abs"], ab)
        self.assertLessEqual(rel, tol, f"{label} {what}: max difference {rel:.3g} (abs {ab:.3g})")

    def check(self, pipe, X, label, X_mlmap=None, value_tol=None):
        """Saves ``pipe`` and compares everything it predicts on X."""
        m = self.roundtrip(pipe)
        WORST[label]["n"] += 1
        Xm = X if X_mlmap is None else X_mlmap
        if sklearn.base.is_classifier(pipe):
            got, exp = m.predict(Xm), quietly(pipe.predict, X)
            self.assertEqual(int(np.sum(got != exp)), 0, f"{label}: label mismatches")
            if hasattr(pipe, "predict_proba"):
                self.close(m.predict_proba(Xm), quietly(pipe.predict_proba, X), label, "predict_proba")
            if hasattr(pipe, "decision_function"):
                self.close(m.decision_function(Xm), quietly(pipe.decision_function, X), label,
                           "decision_function")
        else:
            self.close(m.predict(Xm), quietly(pipe.predict, X), label, "predict", value_tol)
        return m


# --- single steps ------------------------------------------------------------------------

class Steps(Base):

    def numeric_pipe(self, *steps, model=None):
        return make_pipeline(*steps, model or Ridge(alpha=1.0))

    def test_scalers(self):
        """NaN flows through the scalers (as in sklearn) into an imputer."""
        train, test, _, y = frames()
        Xtr, Xte = train[NUMERIC], test[NUMERIC]
        cases = {
            "StandardScaler": StandardScaler(),
            "StandardScaler (no mean)": StandardScaler(with_mean=False),
            "StandardScaler (no std)": StandardScaler(with_std=False),
            "StandardScaler (neither)": StandardScaler(with_mean=False, with_std=False),
            "MinMaxScaler": MinMaxScaler(),
            "MinMaxScaler (range, clip)": MinMaxScaler(feature_range=(-2, 3), clip=True),
            "MaxAbsScaler": MaxAbsScaler(),
            "RobustScaler": RobustScaler(),
            "RobustScaler (quantiles, no centering)": RobustScaler(with_centering=False,
                                                                   quantile_range=(10, 90)),
            "RobustScaler (no scaling)": RobustScaler(with_scaling=False),
        }
        for label, scaler in cases.items():
            with self.subTest(step=label):
                pipe = self.numeric_pipe(scaler, SimpleImputer()).fit(Xtr, y)
                self.check(pipe, Xte, label)
                self.check(pipe, Xte.to_numpy(), label, Xte.to_numpy())

    def test_min_max_clip_applies(self):
        train, test, _, y = frames()
        pipe = self.numeric_pipe(SimpleImputer(), MinMaxScaler(clip=True)).fit(train[NUMERIC], y)
        Xt = pipe[:-1].transform(test[NUMERIC])
        self.assertTrue(np.any(Xt == 0) and np.any(Xt == 1))  # clipped rows exist
        self.check(pipe, test[NUMERIC], "MinMaxScaler (range, clip)")

    def test_normalizer(self):
        train, test, cls, y = frames()
        for norm in ("l1", "l2", "max"):
            with self.subTest(norm=norm):
                pipe = self.numeric_pipe(SimpleImputer(), StandardScaler(), Normalizer(norm=norm))
                pipe.fit(train[NUMERIC], y)
                Xte = test[NUMERIC].copy()
                Xte.iloc[:3] = 0.0  # zero rows stay zero
                self.check(pipe, Xte, f"Normalizer ({norm})")

    def test_normalizer_tiny_norm(self):
        """CORE: sklearn's normalize() (dense) sets norms below 10 * eps
        (2.2e-15) to 1 (_handle_zeros_in_scale); mlmap's Normalize op only
        replaces a zero norm.  Fails until the core's Normalize treats
        norm < 10 * DBL_EPSILON as 1."""
        rng = np.random.default_rng(3)
        X = rng.normal(size=(200, 3))
        y = X @ [1.0, 2.0, 3.0]
        rows = np.array([[1e-16, 0, 0], [3e-16, -2e-16, 1e-17], [1e-300, 0, 0], [1.0, 2.0, 3.0]])
        for norm in ("l1", "l2", "max"):
            with self.subTest(norm=norm):
                pipe = make_pipeline(Normalizer(norm=norm), LinearRegression()).fit(X, y)
                self.check(pipe, rows, f"Normalizer ({norm}, norms < 10 eps: CORE)")

    def test_polynomial(self):
        train, test, _, y = frames()
        cases = {
            "PolynomialFeatures (2)": PolynomialFeatures(2),
            "PolynomialFeatures (3)": PolynomialFeatures(3),
            "PolynomialFeatures (3, interaction only, no bias)": PolynomialFeatures(
                3, interaction_only=True, include_bias=False),
            "PolynomialFeatures ((2, 3))": PolynomialFeatures((2, 3), include_bias=False),
        }
        for label, poly in cases.items():
            with self.subTest(step=label):
                pipe = self.numeric_pipe(SimpleImputer(), StandardScaler(), poly).fit(train[NUMERIC], y)
                self.check(pipe, test[NUMERIC], label)

    def test_numeric_imputers(self):
        train, test, _, y = frames()
        Xtr, Xte = train[NUMERIC].copy(), test[NUMERIC].copy()
        Xtr["empty"] = np.nan  # no observed value: dropped unless keep_empty_features
        Xte["empty"] = np.linspace(-1, 1, len(Xte))
        Xte.loc[::3, "empty"] = np.nan
        for strategy in ("mean", "median", "most_frequent", "constant"):
            for indicator in (False, True):
                for keep in (False, True):
                    label = f"SimpleImputer ({strategy})"
                    imp = SimpleImputer(strategy=strategy, add_indicator=indicator,
                                        keep_empty_features=keep,
                                        fill_value=7.5 if strategy == "constant" else None)
                    with self.subTest(strategy=strategy, indicator=indicator, keep=keep):
                        pipe = self.numeric_pipe(imp).fit(Xtr, y)
                        self.check(pipe, Xte, label)

    def test_imputer_missing_marker(self):
        train, test, _, y = frames()
        Xtr = train[["age", "kids", "score"]].fillna(-1)
        Xte = test[["age", "kids", "score"]].fillna(-1)
        for strategy in ("mean", "median", "most_frequent"):
            with self.subTest(strategy=strategy):
                pipe = self.numeric_pipe(SimpleImputer(missing_values=-1, strategy=strategy,
                                                       add_indicator=True)).fit(Xtr, y)
                self.check(pipe, Xte, f"SimpleImputer ({strategy}, missing_values=-1)")

    def test_missing_indicator(self):
        train, test, _, y = frames()
        for features in ("missing-only", "all"):
            with self.subTest(features=features):
                union = FeatureUnion([("imp", SimpleImputer()),
                                      ("ind", MissingIndicator(features=features, error_on_new=False))])
                pipe = self.numeric_pipe(union).fit(train[NUMERIC], y)
                self.check(pipe, test[NUMERIC], f"MissingIndicator ({features})")

    def test_string_imputers(self):
        train, test, cls, _ = frames()
        cols = ["city", "color"]
        for strategy, fill in (("most_frequent", None), ("constant", None), ("constant", "?")):
            for indicator in (False, True):
                with self.subTest(strategy=strategy, fill=fill, indicator=indicator):
                    pipe = make_pipeline(
                        SimpleImputer(strategy=strategy, fill_value=fill, add_indicator=indicator),
                        OneHotEncoder(handle_unknown="ignore"),
                        LogisticRegression(max_iter=500)).fit(train[cols], cls)
                    m = self.check(pipe, test[cols], f"SimpleImputer (strings, {strategy})")
                    self.assertEqual(m.info()["string_columns"], cols)


class Encoders(Base):

    def test_one_hot(self):
        train, test, cls, _ = frames()
        cols = ["city", "color", "kids", "grade"]  # strings and numbers in one encoder
        cases = {
            "OneHotEncoder (ignore)": OneHotEncoder(handle_unknown="ignore"),
            "OneHotEncoder (ignore, dense)": OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            "OneHotEncoder (drop first)": OneHotEncoder(drop="first", handle_unknown="ignore"),
            "OneHotEncoder (drop if_binary)": OneHotEncoder(drop="if_binary", handle_unknown="ignore"),
            "OneHotEncoder (drop explicit)": OneHotEncoder(drop=["rome", "blue", 2.0, "c"],
                                                           handle_unknown="ignore"),
            "OneHotEncoder (user categories)": OneHotEncoder(
                categories=[["oslo", "z\u00fcrich", "paris", "\u00c5rhus", "rome", "bern", np.nan],
                            ["red", "blue", "green"], [0.0, 1.0, 2.0, 3.0, np.nan], ["d", "b", "a", "c"]],
                handle_unknown="ignore"),
            "OneHotEncoder (user categories, drop)": OneHotEncoder(
                categories=[["oslo", "z\u00fcrich", "paris", "\u00c5rhus", "rome", "bern", np.nan],
                            ["red", "blue", "green"], [0.0, 1.0, 2.0, 3.0, np.nan], ["d", "b", "a", "c"]],
                drop=["paris", "green", 3.0, "b"], handle_unknown="ignore"),
        }
        for label, enc in cases.items():
            with self.subTest(step=label):
                pipe = make_pipeline(enc, LogisticRegression(max_iter=500)).fit(train[cols], cls)
                self.check(pipe, test[cols], label)

    def test_one_hot_binary_drop(self):
        train, test, cls, _ = frames()
        tr, te = train.copy(), test.copy()
        tr["flag"] = np.where(tr.score > 0, "yes", "no")
        te["flag"] = np.where(te.score > 0, "yes", "no")
        te.loc[:3, "flag"] = "maybe"
        pipe = make_pipeline(OneHotEncoder(drop="if_binary", handle_unknown="ignore"),
                             LogisticRegression(max_iter=500)).fit(tr[["flag", "color"]], cls)
        self.check(pipe, te[["flag", "color"]], "OneHotEncoder (drop if_binary)")

    def test_one_hot_error_mode(self):
        train, test, cls, _ = frames()
        cols = ["city", "grade", "kids"]
        pipe = make_pipeline(OneHotEncoder(), LogisticRegression(max_iter=500)).fit(train[cols], cls)
        clean = numeric_only(test)
        self.check(pipe, clean[cols], "OneHotEncoder (error)")
        m = self.roundtrip(pipe)
        for col, value, shown in (("city", "atlantis", "'atlantis'"), ("kids", 7.0, "7")):
            with self.subTest(column=col):
                bad = clean[cols].copy()
                bad.loc[5, col] = value
                with self.assertRaises(ValueError):
                    pipe.predict(bad)
                with self.assertRaises(mlmap.UnknownCategoryError) as ctx:
                    m.predict(bad)
                msg = str(ctx.exception)
                self.assertIn(f"'{col}'", msg)
                self.assertIn(shown, msg)
                self.assertIn("row 5", msg)

    def test_unknown_category_after_imputer_names_the_column(self):
        """CORE: an encoder reading an imputer's output reports 'an
        intermediate column (slot N)' instead of the input column.  Fails
        until the core traces slots written by one-to-one ops (impute,
        impute_string, standardize, min_max, max_abs) back to their input
        column in Preprocessor::unknown."""
        train, test, cls, _ = frames()
        pipe = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(),
                             LogisticRegression(max_iter=500)).fit(train[["city", "grade"]], cls)
        m = self.roundtrip(pipe)
        bad = numeric_only(test)[["city", "grade"]]
        bad.loc[2, "city"] = "atlantis"
        with self.assertRaises(ValueError):
            pipe.predict(bad)
        with self.assertRaises(mlmap.UnknownCategoryError) as ctx:
            m.predict(bad)
        self.assertIn("'atlantis'", str(ctx.exception))
        self.assertIn("'city'", str(ctx.exception))

    def test_ordinal(self):
        train, test, cls, y = frames()
        cols = ["city", "color", "kids", "grade"]
        user = [["oslo", "z\u00fcrich", "paris", "\u00c5rhus", "rome", "bern", np.nan],
                ["red", "blue", "green"], [0.0, 1.0, 2.0, 3.0, np.nan], ["d", "b", "a", "c"]]
        cases = {
            "OrdinalEncoder (unknown -1)": OrdinalEncoder(handle_unknown="use_encoded_value",
                                                          unknown_value=-1),
            "OrdinalEncoder (unknown NaN, missing -2)": OrdinalEncoder(
                handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=-2),
            "OrdinalEncoder (user categories)": OrdinalEncoder(
                categories=user, handle_unknown="use_encoded_value", unknown_value=-5),
        }
        for label, enc in cases.items():
            for model in (HistGradientBoostingRegressor(max_iter=15, random_state=0),
                          DecisionTreeClassifier(max_depth=6, random_state=0)):
                with self.subTest(step=label, model=type(model).__name__):
                    steps = [enc] if isinstance(model, HistGradientBoostingRegressor) else \
                        [enc, SimpleImputer(strategy="constant", fill_value=-3)]
                    target = y if isinstance(model, HistGradientBoostingRegressor) else cls
                    pipe = make_pipeline(*steps, model).fit(train[cols], target)
                    self.check(pipe, test[cols], label)

    def test_ordinal_into_native_categorical_boosting(self):
        """OrdinalEncoder codes as HistGradientBoosting's categorical
        features: unknown (-1) and missing (NaN) codes go the missing way."""
        train, test, cls, y = frames()
        cat_cols = ["city", "color", "grade"]
        for unknown in (-1, np.nan):
            with self.subTest(unknown_value=unknown):
                ct = ColumnTransformer([("ord", OrdinalEncoder(handle_unknown="use_encoded_value",
                                                               unknown_value=unknown), cat_cols)],
                                       remainder="passthrough")
                model = HistGradientBoostingClassifier(max_iter=20, categorical_features=[0, 1, 2],
                                                       random_state=0)
                pipe = make_pipeline(ct, model).fit(train, cls)
                self.check(pipe, test, "OrdinalEncoder -> HistGradientBoosting (categorical)")

    def test_ordinal_error_mode(self):
        train, test, cls, _ = frames()
        cols = ["grade", "color"]
        pipe = make_pipeline(OrdinalEncoder(), StandardScaler(),
                             LogisticRegression()).fit(train[cols], cls)
        clean = numeric_only(test)
        self.check(pipe, clean[cols], "OrdinalEncoder (error)")
        m = self.roundtrip(pipe)
        bad = clean[cols].copy()
        bad.loc[7, "color"] = "purple"
        with self.assertRaises(ValueError):
            pipe.predict(bad)
        with self.assertRaises(mlmap.UnknownCategoryError) as ctx:
            m.predict(bad)
        self.assertIn("'color'", str(ctx.exception))
        self.assertIn("'purple'", str(ctx.exception))
        bad = clean[cols].copy()
        bad.loc[3, "color"] = np.nan  # never missing in training: unknown
        with self.assertRaises(ValueError):
            pipe.predict(bad)
        with self.assertRaises(mlmap.UnknownCategoryError) as ctx:
            m.predict(bad)
        self.assertIn("'color'", str(ctx.exception))


# --- composition -------------------------------------------------------------------------

def preprocessor(dense=False, scaler=None, weights=None, drop=None):
    """Numeric columns imputed and scaled, string columns imputed and
    one-hot encoded, 'grade' ordinal-encoded, the rest dropped."""
    num = Pipeline([("imp", SimpleImputer(strategy="median", add_indicator=True)),
                    ("scale", scaler or StandardScaler())])
    cat = Pipeline([("imp", SimpleImputer(strategy="constant", fill_value="none")),
                    ("ohe", OneHotEncoder(handle_unknown="ignore", sparse_output=not dense, drop=drop))])
    return ColumnTransformer([("num", num, ["age", "income", "score"]),
                              ("cat", cat, ["city", "color"]),
                              ("ord", OrdinalEncoder(handle_unknown="use_encoded_value",
                                                     unknown_value=-1), ["grade"])],
                             remainder="drop", sparse_threshold=0 if dense else 0.3,
                             transformer_weights=weights)


class Composition(Base):

    def test_column_transformer_into_models(self):
        train, test, cls, y = frames()
        models = {
            # (model, target, dense; drop: no collinear dummies for an
            # unpenalised least-squares fit, whose coefficients would be ~1e13)
            "Pipeline -> LogisticRegression": (LogisticRegression(max_iter=1000), cls, False),
            "Pipeline -> SGDClassifier (hinge)": (SGDClassifier(random_state=0), cls, False),
            "Pipeline -> RandomForestClassifier": (RandomForestClassifier(30, max_depth=8, random_state=0),
                                                   cls, False),
            "Pipeline -> HistGradientBoostingClassifier": (
                HistGradientBoostingClassifier(max_iter=20, random_state=0), cls, True),
            "Pipeline -> GradientBoostingClassifier": (
                GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0), cls, True),
            "Pipeline -> MLPClassifier": (MLPClassifier(hidden_layer_sizes=(16,), max_iter=80, random_state=0), cls, False),
            "Pipeline -> LinearRegression": (LinearRegression(), y, "drop"),
            "Pipeline -> RandomForestRegressor": (RandomForestRegressor(20, max_depth=8, random_state=0),
                                                  y, False),
            "Pipeline -> HistGradientBoostingRegressor": (
                HistGradientBoostingRegressor(max_iter=20, random_state=0), y, True),
            "Pipeline -> MLPRegressor": (MLPRegressor(hidden_layer_sizes=(8,), max_iter=80, random_state=0), y, False),
        }
        for label, (model, target, dense) in models.items():
            with self.subTest(model=label):
                pre = preprocessor(dense=dense is True, drop="first" if dense == "drop" else None)
                pipe = quietly(Pipeline([("pre", pre), ("model", model)]).fit, train, target)
                # XGBoost sums its trees in float32: values within 1e-5
                # relative, as tests/importers/test_xgboost.py's REL_TOL (the
                # 15-tree regressor measured 1.2e-6 under xgboost 3.2).
                m = self.check(pipe, test, label, value_tol=1e-5)
                self.assertEqual(list(m.feature_names_in_), list(train.columns))
                # 'kids' is read by no step: it takes any values (strings too)
                self.assertEqual(m.info()["string_columns"], ["kids", "city", "color", "grade"])
                # columns by name in any order, and a dict of columns
                self.check(pipe, test, label, X_mlmap=test[test.columns[::-1]])
                self.check(pipe, test, label, X_mlmap={c: test[c].to_numpy() for c in test.columns})

    def test_pipeline_ending_in_xgboost(self):
        """XGBoost's scikit-learn wrappers as the last step (issue 17 item 6: they
        were refused as "not supported as the final model"): XGBoost's own
        importer writes the file with the steps in front."""
        try:
            import xgboost
        except ImportError:
            self.skipTest("xgboost is not installed")
        train, test, cls, y = frames()
        for label, model, target in (
                ("Pipeline -> XGBClassifier", xgboost.XGBClassifier(n_estimators=15, max_depth=3), cls),
                ("Pipeline -> XGBRegressor", xgboost.XGBRegressor(n_estimators=15, max_depth=3), y)):
            with self.subTest(model=label):
                pipe = quietly(Pipeline([("pre", preprocessor(dense=True)), ("model", model)]).fit, train, target)
                # XGBoost sums its trees in float32: values within 1e-5
                # relative, as tests/importers/test_xgboost.py's REL_TOL (the
                # 15-tree regressor measured 1.2e-6 under xgboost 3.2).
                m = self.check(pipe, test, label, value_tol=1e-5)
                self.assertEqual(list(m.feature_names_in_), list(train.columns))
                self.assertTrue(m.info()["estimator"].startswith("sklearn.pipeline.Pipeline("))
                self.assertIn("XGB", m.info()["estimator"])
        # Numeric steps only, a matrix in: the trivial program keeps no step.
        pipe = quietly(make_pipeline(SimpleImputer(), xgboost.XGBClassifier(n_estimators=5)).fit,
                       train[NUMERIC].to_numpy(), cls)
        self.check(pipe, test[NUMERIC].to_numpy(), "Pipeline -> XGBClassifier")

    def test_trees_compare_float32_after_scaling(self):
        """sklearn casts the transformed float64 matrix to float32 for its
        trees; values on a coarse grid put many rows next to thresholds."""
        rng = np.random.default_rng(7)
        X = np.round(rng.normal(size=(1500, 4)) * 3, 1)
        y = (X[:, 0] + X[:, 1] ** 2 - X[:, 2] > 1).astype(int)
        pipe = make_pipeline(StandardScaler(), MinMaxScaler(),
                             RandomForestClassifier(40, random_state=0)).fit(X[:1000], y[:1000])
        self.check(pipe, X[1000:], "Pipeline -> RandomForestClassifier")
        self.check(pipe, X[:1000], "Pipeline -> RandomForestClassifier")

    def test_column_selection(self):
        train, test, _, y = frames()
        for remainder in ("drop", "passthrough", StandardScaler()):
            tr, te = train, test
            if not isinstance(remainder, str) or remainder == "passthrough":
                # the remainder (kids) must be numeric and complete
                tr = train.drop(columns="grade").assign(kids=train.kids.fillna(0))
                te = test.drop(columns="grade").assign(kids=test.kids.fillna(0))
            names = list(tr.columns)
            idx = [names.index(c) for c in ("score", "age", "income")]
            specs = {
                "names": ["score", "age", "income"],
                "indices": idx,
                "negative indices": [i - len(names) for i in idx],
                "int slice": slice(0, 3),
                "name slice": slice("age", "score"),
                "boolean mask": [c in ("age", "income", "score") for c in names],
                "callable": lambda X: ["income", "score", "age"],
                "column selector": make_column_selector(pattern="^(age|income|score)$"),
            }
            for label, spec in specs.items():
                with self.subTest(spec=label, remainder=str(remainder)):
                    ct = ColumnTransformer(
                        [("cat", OneHotEncoder(handle_unknown="ignore"), ["color", "city"]),
                         ("num", make_pipeline(SimpleImputer(), StandardScaler()), spec)],
                        remainder=remainder)
                    pipe = Pipeline([("ct", ct), ("m", Ridge())]).fit(tr, y)
                    self.assertEqual(sorted(pipe[0]._transformer_to_input_indices["num"]),
                                     sorted(idx))
                    self.check(pipe, te, f"ColumnTransformer ({label})")

    def test_numpy_column_transformer(self):
        """Fitted on a matrix: columns by index, no names; numbers only, so
        the file takes matrices."""
        train, test, cls, _ = frames()
        Xtr, Xte = train[NUMERIC].to_numpy(), test[NUMERIC].to_numpy()
        ct = ColumnTransformer([("poly", make_pipeline(SimpleImputer(), PolynomialFeatures(2)), [0, 2]),
                                ("kids", OneHotEncoder(handle_unknown="ignore"), [3])],
                               remainder=make_pipeline(SimpleImputer(strategy="median"), RobustScaler()))
        pipe = make_pipeline(ct, LogisticRegression(max_iter=1000)).fit(Xtr, cls)
        m = self.check(pipe, Xte, "ColumnTransformer (indices, numpy)")
        self.assertFalse(hasattr(m, "feature_names_in_"))
        self.assertEqual(m.info()["string_columns"], [])

    def test_transformer_weights_and_feature_union(self):
        train, test, cls, _ = frames()
        pipe = Pipeline([("pre", preprocessor(weights={"num": 2.5, "cat": 0.5})),
                         ("m", LogisticRegression(max_iter=1000))]).fit(train, cls)
        self.check(pipe, test, "ColumnTransformer (transformer_weights)")
        union = FeatureUnion([("scaled", make_pipeline(SimpleImputer(), StandardScaler())),
                              ("minmax", make_pipeline(SimpleImputer(strategy="median"), MinMaxScaler())),
                              ("dropped", "drop"), ("raw", make_pipeline(SimpleImputer(), "passthrough"))],
                             transformer_weights={"minmax": 3.0})
        pipe = make_pipeline(union, LogisticRegression(max_iter=1000)).fit(train[NUMERIC], cls)
        self.check(pipe, test[NUMERIC], "FeatureUnion")

    def test_nested_pipelines(self):
        train, test, cls, _ = frames()
        inner = Pipeline([("pre", preprocessor()), ("nothing", "passthrough"),
                          ("abs", MaxAbsScaler())])
        pipe = Pipeline([("prep", inner), ("skip", None),
                         ("model", Pipeline([("poly", PolynomialFeatures(2, interaction_only=True)),
                                             ("lr", LogisticRegression(max_iter=300))]))])
        quietly(pipe.fit, train, cls)
        m = self.check(pipe, test, "nested Pipelines")
        self.assertIn("Pipeline", m.info()["estimator"])
        # a ColumnTransformer inside a ColumnTransformer
        outer = ColumnTransformer([("inner", preprocessor(), list(train.columns)),
                                   ("again", StandardScaler(), ["score"])])
        pipe = make_pipeline(outer, LogisticRegression(max_iter=1000)).fit(train, cls)
        self.check(pipe, test, "nested ColumnTransformers")

    def test_numeric_pipeline_takes_matrices(self):
        train, test, cls, _ = frames()
        pipe = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()).fit(
            train[NUMERIC], cls)
        m = self.roundtrip(pipe)
        self.assertEqual(list(m.feature_names_in_), NUMERIC)
        X = test[NUMERIC]
        np.testing.assert_array_equal(m.predict(X.to_numpy()), pipe.predict(X))
        self.check(pipe, X, "Pipeline -> LogisticRegression", X_mlmap=X[X.columns[::-1]])
        self.assertEqual(m.info()["preprocessing"]["steps"], ["impute", "standardize"])

    def test_numeric_category_columns_are_read_as_values(self):
        """A pandas Categorical of numbers into an encoder: sklearn encodes its
        values; mlmap gave the encoder the DataFrame's own codes (every row
        then an unknown category), found with LightGBM's pandas step."""
        train, test, cls, _ = frames()
        kids = train.kids.fillna(0)
        pipe = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression()).fit(kids.to_frame(), cls)
        categorical = test.kids.where(test.kids.isin([0.0, 1.0, 2.0, 3.0]), 0.0)
        X = pd.DataFrame({"kids": pd.Categorical(categorical, categories=[3.0, 1.0, 0.0, 2.0])})
        self.check(pipe, X.astype(float), "Pipeline -> LogisticRegression", X_mlmap=X)

    def test_string_model_refuses_matrices(self):
        train, test, cls, _ = frames()
        pipe = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression()).fit(
            train[["color", "grade"]], cls)
        m = self.roundtrip(pipe)
        with self.assertRaises(TypeError):
            m.predict(test[["color", "grade"]].to_numpy())

    def test_passthrough_only(self):
        """No preprocessing at all: the model file is the model's own."""
        train, test, cls, _ = frames()
        X = train[NUMERIC].fillna(0)
        pipe = Pipeline([("nothing", "passthrough"), ("m", RandomForestClassifier(10, random_state=0))])
        pipe.fit(X, cls)
        m = self.check(pipe, test[NUMERIC].fillna(0), "Pipeline -> RandomForestClassifier")
        self.assertNotIn("preprocessing", m.info())
        self.assertEqual(list(m.feature_names_in_), NUMERIC)


# --- refusals --------------------------------------------------------------------------------

class MissingValues(Base):
    """info()['accepts_missing'] comes from the whole pipeline (issue 17 item
    2): an imputer in front of a model that refuses NaN makes the model accept
    it, and NaN rows then predict as sklearn does."""

    def test_imputer_in_front_of_a_model_that_refuses_nan(self):
        train, test, cls, _ = frames()
        self.assertTrue(test[NUMERIC].isna().any().any())
        pipe = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=1000))
        quietly(pipe.fit, train[NUMERIC], cls)
        m = self.check(pipe, test[NUMERIC], "accepts_missing: SimpleImputer -> LogisticRegression")
        self.assertTrue(m.info()["accepts_missing"])
        # Without the imputer the same model refuses NaN, and says so.
        plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        rows = train[NUMERIC].notna().all(axis=1)
        quietly(plain.fit, train[NUMERIC][rows], cls[rows.to_numpy()])
        m = self.roundtrip(plain)
        self.assertFalse(m.info()["accepts_missing"])
        with self.assertRaises(mlmap.MissingValueError):
            m.predict(test[NUMERIC])

    def test_columns_the_imputer_leaves_out(self):
        """Imputing two of four columns: NaN elsewhere still reaches the model."""
        train, test, cls, _ = frames()
        ct = ColumnTransformer([("imputed", SimpleImputer(), ["age", "income"]),
                                ("raw", "passthrough", ["score"])])
        pipe = make_pipeline(ct, LogisticRegression(max_iter=1000))
        quietly(pipe.fit, train[["age", "income", "score"]], cls)
        m = self.roundtrip(pipe)
        self.assertFalse(m.info()["accepts_missing"])
        X = test[["age", "income", "score"]].copy()
        X["score"] = X["score"].fillna(0.0)
        self.assertTrue(X[["age", "income"]].isna().any().any())
        self.close(m.predict_proba(X), quietly(pipe.predict_proba, X), "accepts_missing: partial imputer",
                   "predict_proba")

    def test_strings_and_encoders(self):
        """A missing string is accepted when imputed or encoded with its own
        category; a tree model that routes NaN accepts every column."""
        train, test, cls, _ = frames()
        cols = NUMERIC + ["city", "color"]
        ct = ColumnTransformer([
            ("num", SimpleImputer(), NUMERIC),
            ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
            ("color", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                    OneHotEncoder(handle_unknown="ignore")), ["color"]),
        ])
        pipe = quietly(make_pipeline(ct, LogisticRegression(max_iter=1000)).fit, train[cols], cls)
        m = self.check(pipe, test[cols], "accepts_missing: strings")
        self.assertTrue(m.info()["accepts_missing"])
        hist = make_pipeline(ColumnTransformer([("num", "passthrough", NUMERIC)]),
                             HistGradientBoostingClassifier(max_iter=20)).fit(train[NUMERIC], cls)
        self.assertTrue(self.check(hist, test[NUMERIC], "accepts_missing: NaN-routing trees")
                        .info()["accepts_missing"])


class Doubler(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def transform(self, X):
        return np.asarray(X) * 2


class Refusals(Base):

    def refused(self, pipe, *needles):
        path = self.path("refused")
        with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
            mlmap.save(pipe, path)
        msg = str(ctx.exception)
        for needle in needles:
            self.assertIn(needle, msg)
        self.assertFalse(os.path.exists(path))
        self.assertEqual([f for f in os.listdir(self.tmp) if "refused" in f], [])
        return msg

    def test_function_transformer(self):
        train, _, cls, _ = frames()
        X = train[NUMERIC].fillna(1).abs()
        pipe = Pipeline([("imp", SimpleImputer()), ("scale", MinMaxScaler()),
                         ("fn", FunctionTransformer(np.log1p)), ("m", LogisticRegression())])
        quietly(pipe.fit, X, cls)
        self.refused(pipe, "step 2 ('fn', FunctionTransformer)", "FunctionTransformer", "code")

    def test_lambda_inside_column_transformer(self):
        train, _, cls, _ = frames()
        num = Pipeline([("imp", SimpleImputer()), ("fn", FunctionTransformer(lambda X: X * 2))])
        pipe = Pipeline([("pre", ColumnTransformer([("num", num, ["age", "score"]),
                                                    ("cat", OneHotEncoder(), ["color"])])),
                         ("m", LogisticRegression())]).fit(train, cls)
        self.refused(pipe, "step 0 ('pre', ColumnTransformer) \u2192 transformer 'num' (Pipeline) "
                           "\u2192 step 1 ('fn', FunctionTransformer)", "<lambda>")

    def test_identity_function_transformer_is_accepted(self):
        train, test, cls, _ = frames()
        pipe = make_pipeline(SimpleImputer(), FunctionTransformer(), LogisticRegression()).fit(
            train[NUMERIC], cls)
        self.check(pipe, test[NUMERIC], "FunctionTransformer (identity)")

    def test_custom_class(self):
        train, _, cls, _ = frames()
        pipe = Pipeline([("imp", SimpleImputer()), ("double", Doubler()),
                         ("m", LogisticRegression())]).fit(train[NUMERIC], cls)
        self.refused(pipe, "step 1 ('double', Doubler)", "custom class")

    def test_unsupported_sklearn_steps(self):
        train, _, cls, _ = frames()
        X = train[NUMERIC].fillna(0)
        pipe = make_pipeline(StandardScaler(), KernelPCA(2), LogisticRegression()).fit(X, cls)
        self.refused(pipe, "sklearn.decomposition.KernelPCA", "step 1 ('kernelpca', KernelPCA)")
        pipe = make_pipeline(StandardScaler(), PolynomialFeatures(4), Ridge()).fit(X, cls)
        self.refused(pipe, "step 1 ('polynomialfeatures', PolynomialFeatures)", "degree 4")

    def test_one_hot_infrequent_categories(self):
        # once refused; exact since (more configurations in test_versions.py)
        train, test, cls, _ = frames()
        for enc in (OneHotEncoder(handle_unknown="infrequent_if_exist"),
                    OneHotEncoder(handle_unknown="ignore", min_frequency=5),
                    OneHotEncoder(max_categories=3)):
            with self.subTest(encoder=repr(enc)):
                pipe = make_pipeline(enc, LogisticRegression()).fit(train[["city", "color"]].fillna("x"), cls)
                rows = train if enc.handle_unknown == "error" else test  # test rows hold unseen cities
                m = self.check(pipe, rows[["city", "color"]].fillna("x"), f"OneHotEncoder ({enc!r})")
                if enc.handle_unknown == "error":
                    with self.assertRaises(ValueError):
                        quietly(pipe.predict, test[["city", "color"]].fillna("x"))
                    with self.assertRaises(mlmap.UnknownCategoryError):
                        m.predict(test[["city", "color"]].fillna("x"))

    def test_unsupported_model_and_transformer_endings(self):
        from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis as QDA
        train, _, cls, _ = frames()
        X = train[NUMERIC].fillna(0)
        self.refused(make_pipeline(StandardScaler(), QDA()).fit(X, cls),
                     "sklearn.discriminant_analysis.QuadraticDiscriminantAnalysis",
                     "step 1 ('quadraticdiscriminantanalysis', QuadraticDiscriminantAnalysis)")
        self.refused(make_pipeline(SimpleImputer(), StandardScaler()).fit(X), "transformer, not a model")
        self.refused(Pipeline([("s", StandardScaler()), ("end", "passthrough")]).fit(X), "passthrough")

    def test_existing_file_untouched(self):
        train, _, cls, _ = frames()
        X = train[NUMERIC].fillna(0)
        path = self.path("existing")
        good = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, cls)
        mlmap.save(good, path)
        with open(path, "rb") as f:
            before = f.read()
        bad = make_pipeline(StandardScaler(), FunctionTransformer(np.tanh), LogisticRegression()).fit(X, cls)
        with self.assertRaises(mlmap.UnsupportedModelError):
            mlmap.save(bad, path)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(sorted(os.listdir(self.tmp)).count(os.path.basename(path)), 1)

    def test_column_read_as_number_and_string(self):
        """An object column of numeric strings: sklearn's scaler parses them
        as numbers, its encoder keeps them as strings.  mlmap gives each
        input column one kind and refuses."""
        train, _, cls, _ = frames()
        X = pd.DataFrame({"v": np.round(train.score, 0).astype(str).astype(object), "s": train.score})
        ct = ColumnTransformer([("a", OneHotEncoder(handle_unknown="ignore"), ["v"]),
                                ("b", StandardScaler(), ["v", "s"])])
        pipe = make_pipeline(ct, LogisticRegression()).fit(X, cls)
        self.refused(pipe, "input column 'v'", "transformer 'a' (OneHotEncoder)",
                     "transformer 'b' (StandardScaler)")


def print_summary():
    print(f"\nmax difference mlmap vs scikit-learn {sklearn.__version__} "
          "(rel = |d| / max(1, |value|); over predict_proba, decision_function, values):")
    for est, w in sorted(WORST.items()):
        print(f"  {est:56s} checks {w['n']:3d}  rel {w['rel']:.3g}  abs {w['abs']:.3g}")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}", print_summary)
