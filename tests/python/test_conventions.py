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


if __name__ == "__main__":
    warnings.simplefilter("ignore", FutureWarning)
    unittest.main(verbosity=2)
