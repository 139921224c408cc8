#!/usr/bin/python3
"""What a new user meets (issue 17 items 7, 8, 10, 11): errors that say what
happened, a dict of columns for every model, a loaded model where
scikit-learn code expects an estimator, n_jobs, close() and context managers.
Runs with whichever scikit-learn is installed (the version matrix).

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/python/test_conventions.py
"""

import gzip
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings
import zipfile

import numpy as np

import mlmap


def fitted(kind="forest"):
    from sklearn.datasets import make_classification
    X, y = make_classification(120, 4, random_state=0)
    if kind == "forest":
        from sklearn.ensemble import RandomForestClassifier
        return RandomForestClassifier(5, max_depth=3, random_state=0).fit(X, y), X, y
    if kind == "regressor":
        from sklearn.linear_model import Ridge
        return Ridge().fit(X, X @ [1.0, 2.0, 0.5, -1.0]), X, X @ [1.0, 2.0, 0.5, -1.0]
    raise ValueError(kind)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mlmap-conventions-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def file(self, name):
        return os.path.join(self.tmp, name)


class Errors(Base):
    """Item 8."""

    def load_error(self, path):
        with self.assertRaises(mlmap.FormatError) as caught:
            mlmap.load(path)
        return str(caught.exception)

    def test_pickle_and_joblib_files_are_named_and_never_unpickled(self):
        est, _, _ = fitted()
        path = self.file("model.pkl")
        with open(path, "wb") as f:
            pickle.dump(est, f, protocol=4)
        text = self.load_error(path)
        self.assertIn("Python pickle (protocol 4)", text)
        self.assertIn("never unpickles", text)
        self.assertIn("mlmap.save", text)
        # a pickle smaller than the 64-byte preamble is named too
        small = self.file("small.pkl")
        with open(small, "wb") as f:
            pickle.dump([1], f, protocol=2)
        self.assertIn("Python pickle (protocol 2)", self.load_error(small))
        try:
            import joblib
        except ImportError:
            return
        jpath = self.file("model.joblib")
        joblib.dump(est, jpath)
        self.assertIn("joblib file", self.load_error(jpath))
        zpath = self.file("model.joblib.gz")
        joblib.dump(est, zpath, compress=3)
        self.assertIn("compressed", self.load_error(zpath))

    def test_other_foreign_files(self):
        z = self.file("model.pt")
        with zipfile.ZipFile(z, "w") as f:
            f.writestr("data.pkl", b"x" * 100)
        self.assertIn("zip archive", self.load_error(z))
        g = self.file("model.gz")
        with gzip.open(g, "wb") as f:
            f.write(b"x" * 100)
        self.assertIn("compressed", self.load_error(g))
        j = self.file("model.json")
        with open(j, "w") as f:
            f.write('{"learner": {}, "version": [1, 7, 4]}' + " " * 64)
        self.assertIn("convert-xgboost", self.load_error(j))
        u = self.file("model.ubj")
        with open(u, "wb") as f:
            f.write(b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner{" + b"\x00" * 80)
        self.assertIn("UBJSON", self.load_error(u))

    def test_ubjson_given_to_the_json_importer(self):
        cli = os.environ.get("MLMAP_CLI")
        if not cli:
            self.skipTest("MLMAP_CLI not set")
        u = self.file("model.ubj")
        with open(u, "wb") as f:
            f.write(b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner{" + b"\x00" * 80)
        r = subprocess.run([cli, "convert-xgboost", u, self.file("out.mlmap")], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("UBJSON", r.stderr)
        self.assertNotIn("unbalanced", r.stderr)

    def test_search_cv_suggests_best_estimator(self):
        from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier
        _, X, y = fitted()
        for search in (GridSearchCV(DecisionTreeClassifier(), {"max_depth": [2, 3]}, cv=2),
                       RandomizedSearchCV(DecisionTreeClassifier(), {"max_depth": [2, 3]}, n_iter=2, cv=2)):
            search.fit(X, y)
            with self.assertRaises(mlmap.UnsupportedModelError) as caught:
                mlmap.save(search, self.file("s.mlmap"))
            text = str(caught.exception)
            self.assertIn("best_estimator_", text)
            self.assertIn("DecisionTreeClassifier", text)
            self.assertLess(len(text), 400)  # not a list of every supported class
            # ... and the suggestion works
            mlmap.save(search.best_estimator_, self.file("best.mlmap"))
        unfitted = GridSearchCV(DecisionTreeClassifier(), {"max_depth": [2]})
        with self.assertRaises(mlmap.UnsupportedModelError) as caught:
            mlmap.save(unfitted, self.file("s.mlmap"))
        self.assertIn("refit=True", str(caught.exception))
        # as a pipeline's last step
        pipe = make_pipeline(StandardScaler(), GridSearchCV(DecisionTreeClassifier(), {"max_depth": [2]}, cv=2))
        pipe.fit(X, y)
        with self.assertRaises(mlmap.UnsupportedModelError) as caught:
            mlmap.save(pipe, self.file("p.mlmap"))
        self.assertIn("best_estimator_", str(caught.exception))

    def test_a_value_that_is_not_a_string_is_an_unknown_category(self):
        """An int or a bool in a string column is not the category '3' or
        'True' (scikit-learn compares values with their types)."""
        import pandas as pd
        from sklearn.compose import make_column_transformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder
        X = pd.DataFrame({"zip": ["3", "7", "3", "7", "True", "True"], "a": [0.0, 1, 2, 3, 4, 5]})
        y = [0, 1, 0, 1, 1, 0]
        pipe = make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="error"), ["zip"]),
                                                     remainder="passthrough"),
                             LogisticRegression()).fit(X, y)
        path = self.file("p.mlmap")
        mlmap.save(pipe, path)
        m = mlmap.load(path)
        for value in (3, True, np.int64(7), 3.0):
            T = pd.DataFrame({"zip": pd.Series(["7", value], dtype=object), "a": [0.0, 1.0]})
            with self.assertRaises(ValueError):
                pipe.predict(T)
            with self.assertRaises(mlmap.UnknownCategoryError) as caught:
                m.predict(T)
            text = str(caught.exception)
            self.assertIn("row 1", text)
            self.assertIn("column 'zip'", text)
            self.assertIn(repr(value), text)
        np.testing.assert_allclose(m.predict_proba(X), pipe.predict_proba(X), rtol=1e-12)
        # The value's control bytes are escaped: a NUL would end the message
        # for C callers, a newline or an escape sequence forge a log line.
        T = pd.DataFrame({"zip": ["a\x00b\nc\x1b[31m"], "a": [0.0]})
        with self.assertRaises(mlmap.UnknownCategoryError) as caught:
            m.predict(T)
        text = str(caught.exception)
        self.assertIn("category 'a\\x00b\\x0ac\\x1b[31m'", text)
        self.assertFalse(any(c in text for c in "\x00\n\x1b"), text)

    def test_nan_after_preprocessing_names_the_input_column(self):
        import pandas as pd
        from sklearn.compose import make_column_transformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OrdinalEncoder, StandardScaler
        X = pd.DataFrame({"age": [20.0, 30, 40, 50, 60, 70], "city": ["a", "b", "a", "b", "a", "b"]})
        y = [0, 1, 0, 1, 0, 1]
        pipe = make_pipeline(
            make_column_transformer((StandardScaler(), ["age"]),
                                    (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
                                     ["city"])),
            LogisticRegression()).fit(X, y)
        path = self.file("p.mlmap")
        mlmap.save(pipe, path)
        m = mlmap.load(path)
        with self.assertRaises(mlmap.MissingValueError) as caught:
            m.predict(pd.DataFrame({"age": [20.0, 30], "city": ["a", "zz"]}))
        text = str(caught.exception)
        self.assertIn("row 1", text)
        self.assertIn("column 'city'", text)
        with self.assertRaises(mlmap.MissingValueError) as caught:
            m.predict(pd.DataFrame({"age": [np.nan, 30], "city": ["a", "a"]}))
        self.assertIn("column 'age'", str(caught.exception))

    def test_unknown_category_message_reads_cleanly(self):
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder
        X = pd.DataFrame({"c": ["a", "b", "a", "b"]})
        pipe = make_pipeline(OneHotEncoder(handle_unknown="error"), LogisticRegression()).fit(X, [0, 1, 0, 1])
        path = self.file("p.mlmap")
        mlmap.save(pipe, path)
        with self.assertRaises(mlmap.UnknownCategoryError) as caught:
            mlmap.load(path).predict(pd.DataFrame({"c": ["a", np.nan]}))
        text = str(caught.exception)
        self.assertIn("column 'c' has a missing value (NaN), unseen in training", text)
        self.assertNotIn("category a missing value", text)


class PandasColumns(Base):
    """DataFrame columns as scikit-learn reads them: categorical columns'
    values (codes only where the model's library reads codes), pandas.NA and
    pyarrow nulls as NaN, columns no step reads ignored."""

    def roundtrip(self, est, name="m.mlmap"):
        path = self.file(name)
        mlmap.save(est, path)
        return mlmap.load(path)

    def test_categorical_columns_give_their_values_to_scikit_learn_models(self):
        import pandas as pd
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.linear_model import LinearRegression
        from sklearn.tree import DecisionTreeClassifier
        rng = np.random.default_rng(0)
        values = rng.choice([10, 20, 30], 60)
        frame = pd.DataFrame({"a": rng.normal(size=60), "c": pd.Categorical(values)})
        y = frame["a"].to_numpy() + values / 10
        test = pd.DataFrame({"a": [0.0, 1.0, 2.0, 0.5], "c": pd.Categorical([30, 10, np.nan, 20])})
        for est in (LinearRegression(), RandomForestRegressor(5, random_state=0)):
            est.fit(frame, y)
            m = self.roundtrip(est)
            np.testing.assert_allclose(m.predict(frame), est.predict(frame), rtol=1e-12, err_msg=type(est).__name__)
            # categories in another order than training's: still their values
            other = frame.assign(c=frame["c"].cat.reorder_categories([30, 10, 20]))
            np.testing.assert_allclose(m.predict(other), est.predict(other), rtol=1e-12)
            if type(est) is RandomForestRegressor:  # NaN routed as scikit-learn >= 1.3 / refused before
                try:
                    want = est.predict(test)
                except ValueError:
                    with self.assertRaises(ValueError):
                        m.predict(test)
                else:
                    np.testing.assert_allclose(m.predict(test), want, rtol=1e-12)
        clf = DecisionTreeClassifier(random_state=0).fit(frame, values)
        np.testing.assert_array_equal(self.roundtrip(clf).predict(frame), clf.predict(frame))

    def test_categorical_columns_give_their_codes_where_the_model_reads_codes(self):
        """XGBoost (enable_categorical) and LightGBM without stored
        categories read a categorical column's codes; HistGradientBoosting's
        categorical_features="from_dtype" maps its values in the file."""
        import pandas as pd
        import sklearn
        rng = np.random.default_rng(1)
        codes = rng.integers(0, 4, 400)
        frame = pd.DataFrame({"x": rng.normal(size=400), "c": pd.Categorical(np.array([10, 20, 30, 40])[codes])})
        y = frame["x"].to_numpy() + (codes == 2) * 2.0 - (codes == 0)
        test = frame.iloc[:50].assign(c=pd.Categorical(np.r_[[np.nan], frame["c"].to_numpy()[1:50]]))
        checked = []
        if tuple(int(v) for v in sklearn.__version__.split(".")[:2]) >= (1, 4):
            from sklearn.ensemble import HistGradientBoostingRegressor
            est = HistGradientBoostingRegressor(max_iter=10, categorical_features="from_dtype").fit(frame, y)
            np.testing.assert_allclose(self.roundtrip(est).predict(test), est.predict(test), rtol=1e-12)
            checked.append("hgb")
        try:
            import xgboost
        except ImportError:
            xgboost = None
        if xgboost is not None:
            est = xgboost.XGBRegressor(n_estimators=5, max_depth=3, tree_method="hist", enable_categorical=True,
                                       max_cat_to_onehot=1, n_jobs=1).fit(frame, y)
            try:
                m = self.roundtrip(est)
            except mlmap.UnsupportedModelError:  # xgboost >= 3.1's categories encoder
                pass
            else:
                np.testing.assert_allclose(m.predict(test), est.predict(test), rtol=1e-6)
                checked.append("xgboost")
        try:
            import lightgbm
        except ImportError:
            lightgbm = None
        if lightgbm is not None:
            X = np.c_[frame["x"].to_numpy(), codes]
            booster = lightgbm.train({"objective": "regression", "verbose": -1, "min_data_in_leaf": 5,
                                      "min_data_per_group": 5, "cat_smooth": 1, "num_threads": 1},
                                     lightgbm.Dataset(X, y, categorical_feature=[1]), 5)
            m = self.roundtrip(booster)
            np.testing.assert_allclose(m.predict(test), booster.predict(test), rtol=1e-12)
            checked.append("lightgbm")
        if not checked:
            self.skipTest("no model here reads categories (scikit-learn < 1.4, no xgboost, no lightgbm)")

    def test_nullable_and_pyarrow_columns_give_nan(self):
        import pandas as pd
        from sklearn.ensemble import HistGradientBoostingRegressor
        from sklearn.linear_model import Ridge
        rng = np.random.default_rng(2)
        frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.integers(0, 5, 200).astype(np.float64)})
        y = frame["a"].to_numpy() * 2 + frame["b"].to_numpy()
        hgb = HistGradientBoostingRegressor(max_iter=10).fit(frame, y)
        ridge = Ridge().fit(frame, y)
        m, r = self.roundtrip(hgb, "h.mlmap"), self.roundtrip(ridge, "r.mlmap")
        kinds = [frame.head(4).astype({"a": "Float64", "b": "Int64"})]
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            pass
        else:
            kinds.append(frame.head(4).astype("float64[pyarrow]"))
        for test in kinds:
            label = str(list(test.dtypes))
            np.testing.assert_allclose(m.predict(test), hgb.predict(test), rtol=1e-12, err_msg=label)
            np.testing.assert_allclose(r.predict(test), ridge.predict(test), rtol=1e-12, err_msg=label)
            test.loc[1, "a"] = None
            test.loc[2, "b"] = None
            np.testing.assert_allclose(m.predict(test), hgb.predict(test), rtol=1e-12, err_msg=label)
            self.assertTrue(np.isnan(test["a"].to_numpy(dtype=np.float64, na_value=np.nan)[1]))
            with self.assertRaises(mlmap.MissingValueError):  # as NaN into a Ridge
                r.predict(test)
            with self.assertRaises(ValueError):
                ridge.predict(test)
            np.testing.assert_allclose(m.predict({"a": test["a"], "b": test["b"]}), hgb.predict(test), rtol=1e-12)
        booleans = frame.head(4).assign(b=pd.array([True, False, None, True], dtype="boolean"))
        np.testing.assert_allclose(m.predict(booleans), hgb.predict(booleans), rtol=1e-12)

    def test_dropped_columns_are_never_read(self):
        """A ColumnTransformer's dropped columns (remainder='drop', 'drop')
        may hold anything, as in scikit-learn, in a model that refuses NaN."""
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler
        frame = pd.DataFrame({"a": [0.1, 1.2, -0.3, 2.0, 0.7, -1.1], "note": list("xyxzyx"),
                              "b": [1.0, 0.0, 1.0, 0.5, 0.2, 0.9], "city": list("ppqqpq")})
        y = [0, 1, 0, 1, 1, 0]
        dropping = {
            "remainder": ColumnTransformer([("n", StandardScaler(), ["a", "b"])]),
            "explicit": ColumnTransformer([("n", StandardScaler(), ["a", "b"]), ("d", "drop", ["note", "city"])]),
            "strings": ColumnTransformer([("n", StandardScaler(), ["a", "b"]),
                                          ("c", OneHotEncoder(handle_unknown="ignore"), ["city"])]),
        }
        for label, ct in dropping.items():
            pipe = make_pipeline(ct, LogisticRegression()).fit(frame, y)
            m = self.roundtrip(pipe)
            self.assertFalse(m.info()["accepts_missing"])
            want = pipe.predict_proba(frame)
            np.testing.assert_allclose(m.predict_proba(frame), want, rtol=1e-12, err_msg=label)
            np.testing.assert_allclose(m.predict_proba(frame[list(reversed(frame.columns))]), want, rtol=1e-12)
            odd = frame.assign(note=[1, None, np.inf, "q", object(), np.nan])
            if label != "strings":
                odd = odd.assign(city=odd["note"])
            np.testing.assert_allclose(m.predict_proba(odd), pipe.predict_proba(odd), rtol=1e-12, err_msg=label)
            as_dict = {name: odd[name].tolist() for name in odd.columns}
            np.testing.assert_allclose(m.predict_proba(as_dict), want, rtol=1e-12, err_msg=label)
            one = {name: odd[name].iloc[2] for name in odd.columns}
            np.testing.assert_allclose(m.predict_proba(one), want[2:3], rtol=1e-12, err_msg=label)
            with self.assertRaises(mlmap.MissingValueError):  # a read column still refuses NaN
                m.predict(frame.assign(a=np.nan))
        # fitted on a matrix: columns by index, strings or +-inf in a dropped one
        X = frame[["a", "b", "note"]].to_numpy(dtype=object)
        pipe = make_pipeline(ColumnTransformer([("n", StandardScaler(), [0, 1])]), LogisticRegression())
        pipe.fit(X, y)
        m = self.roundtrip(pipe)
        np.testing.assert_allclose(m.predict_proba(X), pipe.predict_proba(X), rtol=1e-12)
        Xf = X.copy()
        Xf[:, 2] = np.inf
        Xf = Xf.astype(np.float64)
        np.testing.assert_allclose(m.predict_proba(Xf), pipe.predict_proba(Xf), rtol=1e-12)

    def test_a_duplicated_column_is_named(self):
        import pandas as pd
        from sklearn.linear_model import Ridge
        _, X, y = fitted("regressor")
        frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
        m = self.roundtrip(Ridge().fit(frame, y))
        twice = pd.concat([frame, frame[["b"]]], axis=1)
        with self.assertRaises(ValueError) as caught:
            m.predict(twice)
        self.assertIn("more than one column named 'b'", str(caught.exception))
        extra = pd.concat([frame, frame[["b"]].set_axis(["e"], axis=1), frame[["b"]].set_axis(["e"], axis=1)], axis=1)
        np.testing.assert_allclose(m.predict(extra), m.predict(frame))  # a column it does not read: no matter


class DictOfColumns(Base):
    """Item 7: a dict of columns works for every model with feature names."""

    def test_numeric_models_with_feature_names(self):
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        est, X, y = fitted()
        frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
        for model in (RandomForestClassifier(5, random_state=0).fit(frame, y), Ridge().fit(frame, y),
                      make_pipeline(StandardScaler(), Ridge()).fit(frame, y)):
            path = self.file("m.mlmap")
            mlmap.save(model, path)
            m = mlmap.load(path)
            columns = {name: frame[name].to_numpy() for name in reversed(frame.columns)}  # any order
            np.testing.assert_array_equal(m.predict(columns), m.predict(frame))
            np.testing.assert_array_equal(m.predict({k: list(v) for k, v in columns.items()}), m.predict(frame))
            one = {name: float(frame[name].iloc[3]) for name in frame.columns}  # one row of scalars
            np.testing.assert_array_equal(m.predict(one), m.predict(frame.iloc[3:4]))
            with self.assertRaises(ValueError) as caught:
                m.predict({"a": [1.0]})
            self.assertIn("lacks", str(caught.exception))

    def test_models_that_read_strings(self):
        """A dict of one value each is one row (a string is one value, not
        its characters), a dict of sequences is columns, for a model that
        reads string columns as for the others."""
        import pandas as pd
        from sklearn.compose import make_column_transformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder
        frame = pd.DataFrame({"num": [0.1, 1.2, -0.3, 2.0, 0.7, -1.1], "s": ["x", "y", "x", "z", "y", "x"]})
        pipe = make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["s"]),
                                                     remainder="passthrough"),
                             LogisticRegression()).fit(frame, [0, 1, 0, 1, 1, 0])
        path = self.file("s.mlmap")
        mlmap.save(pipe, path)
        m = mlmap.load(path)
        for row in ({"num": 0.1, "s": "x"}, {"s": "y", "num": np.float32(2.0)}, {"s": "zz", "num": 1},
                    {"num": 0.5, "s": None}, {"num": 0.5, "s": np.nan}, {"num": 0.5, "s": np.str_("z")}):
            want = pipe.predict_proba(pd.DataFrame({k: pd.Series([v], dtype=object if k == "s" else None)
                                                    for k, v in row.items()}))
            np.testing.assert_allclose(m.predict_proba(row), want, rtol=1e-12, err_msg=repr(row))
        columns = {"s": ["zz", "x", "y"], "num": (0.1, 0.2, 0.3)}
        np.testing.assert_allclose(m.predict_proba(columns), pipe.predict_proba(pd.DataFrame(columns)), rtol=1e-12)
        series = {name: pd.Series(v) for name, v in columns.items()}
        np.testing.assert_allclose(m.predict_proba(series), pipe.predict_proba(pd.DataFrame(columns)), rtol=1e-12)
        with self.assertRaises(ValueError) as caught:
            m.predict({"num": [0.1, 0.2], "s": "x"})
        self.assertIn("one value each", str(caught.exception))

    def test_a_model_without_names_says_so(self):
        est, X, _ = fitted()
        path = self.file("m.mlmap")
        mlmap.save(est, path)
        with self.assertRaises(TypeError) as caught:
            mlmap.load(path).predict({"a": [1.0]})
        self.assertIn("feature names", str(caught.exception))


class Estimator(Base):
    """Item 10: a loaded model where scikit-learn code expects an estimator,
    without importing scikit-learn on load."""

    def load(self, kind):
        est, X, y = fitted(kind)
        path = self.file(f"{kind}.mlmap")
        mlmap.save(est, path)
        return est, mlmap.load(path), X, y

    def test_load_and_predict_import_no_sklearn(self):
        est, X, _ = fitted()
        path = self.file("m.mlmap")
        mlmap.save(est, path)
        code = ("import sys, numpy as np, mlmap\n"
                f"m = mlmap.load({path!r})\n"
                "m.predict(np.zeros((2, 4))); m.predict_proba(np.zeros((1, 4))); m.info()\n"
                "m.get_params(); m.set_params(); m.__sklearn_is_fitted__()\n"
                "print(sorted(k for k in sys.modules if k == 'sklearn' or k.startswith('sklearn.')))\n")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONWARNINGS": "ignore"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "[]")

    def test_sklearn_sees_an_estimator(self):
        from sklearn.base import is_classifier, is_regressor
        from sklearn.utils.validation import check_is_fitted
        est, clf, X, y = self.load("forest")
        self.assertTrue(is_classifier(clf))
        self.assertFalse(is_regressor(clf))
        check_is_fitted(clf)
        self.assertEqual(clf.get_params(), {})
        self.assertIs(clf.set_params(), clf)
        with self.assertRaises(ValueError):
            clf.set_params(n_estimators=3)
        self.assertAlmostEqual(clf.score(X, y), est.score(X, y), places=12)
        w = np.linspace(0.1, 1, len(y))
        self.assertAlmostEqual(clf.score(X, y, sample_weight=w), est.score(X, y, sample_weight=w), places=12)
        with np.errstate(divide="ignore"):
            np.testing.assert_allclose(clf.predict_log_proba(X), est.predict_log_proba(X), rtol=1e-12)
        reg_est, reg, Xr, yr = self.load("regressor")
        self.assertTrue(is_regressor(reg))
        self.assertFalse(is_classifier(reg))
        check_is_fitted(reg)
        self.assertAlmostEqual(reg.score(Xr, yr), reg_est.score(Xr, yr), places=12)
        with self.assertRaises(TypeError):
            reg.fit(Xr, yr)

    def test_tags_as_the_installed_version_reads_them(self):
        import sklearn
        _, clf, _, _ = self.load("forest")
        version = tuple(int(v) for v in sklearn.__version__.split(".")[:2])
        if version >= (1, 6):
            from sklearn.utils import get_tags
            tags = get_tags(clf)
            self.assertEqual(tags.estimator_type, "classifier")
            self.assertEqual(tags.input_tags.allow_nan, clf.info()["accepts_missing"])
            self.assertTrue(tags.requires_fit)
        else:
            from sklearn.utils._tags import _safe_tags
            self.assertEqual(_safe_tags(clf, "allow_nan"), clf.info()["accepts_missing"])
            self.assertTrue(_safe_tags(clf, "requires_fit"))


class ThreadsAndClosing(Base):
    """Item 11."""

    def test_n_jobs_is_n_threads(self):
        est, X, _ = fitted()
        path = self.file("m.mlmap")
        mlmap.save(est, path)
        m = mlmap.load(path)
        want = m.predict_proba(X)
        big = np.repeat(X, 10, axis=0)
        for kw in ({"n_jobs": -1}, {"n_jobs": 2}, {"n_jobs": -2}, {"n_threads": 0}, {"n_jobs": 1}):
            np.testing.assert_array_equal(m.predict_proba(X, **kw), want)
            np.testing.assert_array_equal(m.predict(big, **kw), m.predict(big))
        with self.assertRaises(TypeError):
            m.predict(X, n_jobs=2, n_threads=2)
        with self.assertRaises(ValueError):
            m.predict(X, n_jobs=0)
        with self.assertRaises(TypeError):
            m.predict(X, n_jobs=1.5)
        self.assertEqual(m._threads(None, -1), 0)
        self.assertEqual(m._threads(None, -2), max(1, (os.cpu_count() or 1) - 1))

    def test_close_and_context_manager(self):
        import gc
        import pickle as pk
        est, X, _ = fitted()
        path = self.file("m.mlmap")
        mlmap.save(est, path)
        with mlmap.load(path) as m:
            want = m.predict(X)
        self.assertTrue(m.closed)
        for call in (lambda: m.predict(X), lambda: m.predict_proba(X), lambda: m.decision_function(X),
                     lambda: m.verify()):
            with self.assertRaises(ValueError) as caught:
                call()
            self.assertIn("closed", str(caught.exception))
        m.close()  # twice is fine
        # unpickling a reference does not hand out the closed model
        again = pk.loads(pk.dumps(m))
        np.testing.assert_array_equal(again.predict(X), want)
        # the mapping goes once nothing holds it
        m2 = mlmap.load(path)
        maps = lambda: sum(1 for line in open("/proc/self/maps") if path in line)  # noqa: E731
        self.assertGreaterEqual(maps(), 1)
        again.close()
        m2.close()
        del again, m2
        gc.collect()
        self.assertEqual(maps(), 0)

    def test_watch_close_and_context_manager(self):
        est, X, _ = fitted()
        store = mlmap.Store(self.file("store"))
        store.save("m", est)
        with store.watch("m", poll_ms=10) as w:
            model = w.current()
            want = model.predict(X)
        self.assertTrue(w.closed)
        with self.assertRaises(ValueError):
            w.current()
        np.testing.assert_array_equal(model.predict(X), want)  # handed out before: still usable
        w.close()

    def test_bogus_force_arch_is_an_error_naming_the_valid_values(self):
        est, X, _ = fitted()
        path = self.file("m.mlmap")
        mlmap.save(est, path)
        code = f"import mlmap; mlmap.load({path!r})"
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "MLMAP_FORCE_ARCH": "bogus"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("MLMAP_FORCE_ARCH='bogus'", r.stderr)
        self.assertIn("avx2", r.stderr)
        self.assertIn("scalar", r.stderr)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "MLMAP_FORCE_ARCH": "scalar"})
        self.assertEqual(r.returncode, 0, r.stderr)
        cli = os.environ.get("MLMAP_CLI")
        if cli:
            r = subprocess.run([cli, "inspect", path], capture_output=True, text=True,
                               env={**os.environ, "MLMAP_FORCE_ARCH": "bogus"})
            self.assertEqual(r.returncode, 2)
            self.assertIn("MLMAP_FORCE_ARCH='bogus'", r.stderr)


if __name__ == "__main__":
    warnings.simplefilter("ignore", FutureWarning)
    unittest.main(verbosity=2)
