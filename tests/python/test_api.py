#!/usr/bin/python3
"""Behaviour of mlmap's Python API: labels and shapes as scikit-learn gives
them, info(), save options, errors, atomic saves, import hygiene, threads.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/python/test_api.py
"""

import ast
import copy
import json
import os
import pathlib
import platform
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import numpy as np
import pandas as pd
import sklearn
from sklearn import ensemble, linear_model, tree
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

import mlmap

N_FEATURES = 6


def clf_data(n_classes=3, n=600, seed=0):
    X, y = make_classification(n_samples=n, n_features=N_FEATURES, n_informative=4, n_redundant=1,
                               n_classes=n_classes, n_clusters_per_class=1, random_state=seed)
    return X, y


def reg_data(n_targets=1, n=600, seed=0):
    return make_regression(n_samples=n, n_features=N_FEATURES, n_informative=4, n_targets=n_targets,
                           noise=1.0, random_state=seed)


def forest_clf(labels=None, **kw):
    X, y = clf_data()
    y = y if labels is None else np.asarray(labels)[y]
    return ensemble.RandomForestClassifier(n_estimators=10, random_state=0, **kw).fit(X, y), X



def sklearn_routes_nan(sk):
    """Whether this scikit-learn predicts on NaN with sk (>= 1.3 trees, 1.4
    forests) instead of refusing it."""
    import warnings
    row = np.full((1, sk.n_features_in_), np.nan)
    if hasattr(sk, "feature_names_in_"):
        row = pd.DataFrame(row, columns=sk.feature_names_in_)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk.predict(row)
        return True
    except ValueError:
        return False

class TmpDir(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mlmap-api-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def path(self, name="model.mlmap"):
        return os.path.join(self.dir, name)

    def roundtrip(self, est, name="model.mlmap", **kw):
        p = self.path(name)
        mlmap.save(est, p, **kw)
        return mlmap.load(p)

    def leftovers(self, directory=None):
        return sorted(f for f in os.listdir(directory or self.dir) if ".tmp-" in f)


# --- labels and shapes ------------------------------------------------------------

class TestLabelsAndShapes(TmpDir):

    LABELS = {
        "int64": np.array([0, 1, 2], dtype=np.int64),
        "int32": np.array([0, 1, 2], dtype=np.int32),
        "uint8": np.array([1, 2, 250], dtype=np.uint8),
        "noncontiguous": np.array([-5, 3, 100]),
        "str": np.array(["setosa", "versicolor", "virginica"]),
        "unicode": np.array(["é", "日本", "a b"]),
        "object-str": np.array(["x", "yy", "zzz"], dtype=object),
        # numpy's fixed-width strings would drop the NUL, merging two classes
        "nul-ended": np.array(["a", "a\x00", "b"], dtype=object),
        "integral-float": np.array([0.0, 1.0, 2.0]),
    }

    def test_label_types_equal_sklearn(self):
        X, y = clf_data()
        for name, labels in self.LABELS.items():
            for cls in (tree.DecisionTreeClassifier, ensemble.RandomForestClassifier):
                with self.subTest(labels=name, estimator=cls.__name__):
                    est = cls(random_state=0, max_depth=6)
                    if isinstance(est, ensemble.RandomForestClassifier):
                        est.set_params(n_estimators=5)
                    sk = est.fit(X, labels[y])
                    m = self.roundtrip(sk)
                    self.assertEqual(m.classes_.dtype, sk.classes_.dtype)
                    self.assertEqual(m.classes_.tolist(), sk.classes_.tolist())
                    got, expected = m.predict(X), sk.predict(X)
                    self.assertEqual(got.dtype, expected.dtype)
                    self.assertEqual(type(got[0]), type(expected[0]))
                    self.assertEqual(got.tolist(), expected.tolist())

    def test_bool_labels(self):
        X, y = clf_data(2)
        sk = ensemble.ExtraTreesClassifier(n_estimators=5, random_state=0).fit(X, y == 1)
        m = self.roundtrip(sk)
        self.assertEqual(m.classes_.dtype, np.bool_)
        self.assertEqual(m.classes_.tolist(), [False, True])
        got = m.predict(X)
        self.assertEqual(got.dtype, np.bool_)
        self.assertTrue(np.array_equal(got, sk.predict(X)))

    def test_pandas_categorical_labels(self):
        X, y = clf_data()
        labels = pd.Series(np.array(["p", "q", "r"])[y]).astype("category")
        sk = tree.DecisionTreeClassifier(random_state=0).fit(X, labels)
        m = self.roundtrip(sk)
        self.assertEqual(m.classes_.dtype, sk.classes_.dtype)
        self.assertEqual(m.predict(X).tolist(), sk.predict(X).tolist())

    def test_labels_int64_cannot_hold_are_refused(self):
        # uint64 labels above 2^63 - 1: a clear refusal, not a crash or a wrap.
        X, y = clf_data()
        sk = tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(
            X, np.array([0, 5, 2**63 + 5], dtype=np.uint64)[y])
        with self.assertRaises(mlmap.UnsupportedModelError):
            mlmap.save(sk, self.path())
        self.assertFalse(os.path.exists(self.path()))
        self.assertEqual(self.leftovers(), [])

    def test_shapes(self):
        X, y = clf_data(2)
        cases = [
            (ensemble.RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y), 2),
            (tree.DecisionTreeClassifier(random_state=0).fit(*clf_data(7)), 7),
        ]
        for sk, k in cases:
            m = self.roundtrip(sk)
            for n in (1, 2, 37):
                with self.subTest(estimator=type(sk).__name__, rows=n):
                    self.assertEqual(m.predict(X[:n]).shape, (n,))
                    self.assertEqual(m.predict_proba(X[:n]).shape, (n, k))
                    self.assertEqual(m.predict_proba(X[:n]).shape, sk.predict_proba(X[:n]).shape)
                    self.assertEqual(m.predict_proba(X[:n]).dtype, np.float64)
        for n_targets in (1, 2, 3):
            Xr, yr = reg_data(n_targets)
            for sk in (tree.DecisionTreeRegressor(max_depth=5, random_state=0).fit(Xr, yr),
                       ensemble.RandomForestRegressor(n_estimators=5, random_state=0).fit(Xr, yr)):
                m = self.roundtrip(sk)
                for n in (1, 5):
                    with self.subTest(estimator=type(sk).__name__, targets=n_targets, rows=n):
                        got = m.predict(Xr[:n])
                        self.assertEqual(got.shape, sk.predict(Xr[:n]).shape)
                        self.assertEqual(got.shape, (n,) if n_targets == 1 else (n, n_targets))
                        self.assertEqual(got.dtype, np.float64)

    def test_zero_rows(self):
        sk, X = forest_clf(["a", "b", "c"])
        m = self.roundtrip(sk)
        self.assertEqual(m.predict(X[:0]).shape, (0,))
        self.assertEqual(m.predict(X[:0]).dtype, sk.classes_.dtype)
        self.assertEqual(m.predict_proba(X[:0]).shape, (0, 3))

    def test_unaligned_arrays(self):
        # Arrays rebuilt from pickles or shared buffers can start at any byte.
        sk, X = forest_clf()
        m = self.roundtrip(sk)
        for dtype in (np.float32, np.float64):
            with self.subTest(dtype=dtype.__name__):
                raw = np.zeros(X.size * np.dtype(dtype).itemsize + 1, dtype=np.uint8)
                unaligned = raw[1:].view(dtype).reshape(X.shape)
                unaligned[...] = X
                self.assertFalse(unaligned.flags.aligned)
                self.assertTrue(np.array_equal(m.predict_proba(unaligned), sk.predict_proba(X.astype(dtype))))

    def test_every_array_layout_predicts_as_sklearn(self):
        # C-contiguous native float32/float64 arrays take the binding's fast
        # path (1-D results made in C++); every other layout the checked one.
        Xr, yr = reg_data()
        Xc, yc = clf_data(2)
        reg = tree.DecisionTreeRegressor(max_depth=6, random_state=0).fit(Xr, yr)
        clf = linear_model.LogisticRegression(max_iter=500).fit(Xc, yc)
        for sk, Xs in ((reg, Xr), (clf, Xc)):
            m = self.roundtrip(sk)
            X = Xs[:9]
            layouts = {"float64": X, "float32": X.astype(np.float32), "big-endian": X.astype(">f8"),
                       "fortran": np.asfortranarray(X), "strided": Xs[:18:2], "int": np.rint(X).astype(np.int64),
                       "float16": X.astype(np.float16), "one row": X[:1]}
            for name, A in layouts.items():
                methods = ("predict", "decision_function", "predict_proba") if sk is clf else ("predict",)
                for method in methods:
                    with self.subTest(estimator=type(sk).__name__, layout=name, method=method):
                        want = getattr(sk, method)(np.asarray(A, dtype=np.float64 if sk is clf else np.float32))
                        got = getattr(m, method)(A)
                        self.assertEqual(got.shape, want.shape)
                        if method == "predict" and sk is clf:
                            self.assertTrue(np.array_equal(got, want))
                        else:
                            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)

    def test_regressor_has_no_probabilities(self):
        Xr, yr = reg_data()
        m = self.roundtrip(tree.DecisionTreeRegressor(max_depth=3).fit(Xr, yr))
        with self.assertRaises(AttributeError):
            m.predict_proba(Xr[:2])
        self.assertFalse(hasattr(m, "classes_"))

    def test_decision_function_of_forest_is_its_probabilities(self):
        # Trees have an identity link: raw scores are the averaged leaf values.
        sk, X = forest_clf()
        m = self.roundtrip(sk)
        self.assertEqual(m.info()["link"], "identity")
        self.assertTrue(np.array_equal(m.decision_function(X), m.predict_proba(X)))


# --- info ----------------------------------------------------------------------------

class TestOutputsOfEveryKind(TmpDir):
    """predict_log_proba, decision_function and score_samples across model
    kinds: what sklearn has, and refusals where it has nothing."""

    def test_log_proba_and_decisions(self):
        from sklearn.ensemble import IsolationForest
        from sklearn.naive_bayes import GaussianNB
        from sklearn.svm import SVC
        X, y = clf_data()
        forest = ensemble.RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
        gnb = GaussianNB().fit(X, y)
        svc = SVC().fit(X, y)
        iforest = IsolationForest(n_estimators=10, random_state=0).fit(X)
        for est in (forest, gnb, svc, iforest):
            p = self.path()
            mlmap.save(est, p)
            m = mlmap.load(p)
            with self.subTest(type(est).__name__):
                if hasattr(est, "predict_proba"):
                    with np.errstate(divide="ignore"):
                        np.testing.assert_allclose(m.predict_log_proba(X), est.predict_log_proba(X), rtol=1e-9,
                                                   atol=1e-12)
                elif hasattr(est, "classes_"):
                    with self.assertRaises(AttributeError):
                        m.predict_log_proba(X)
                if hasattr(est, "decision_function"):
                    np.testing.assert_allclose(m.decision_function(X), est.decision_function(X), rtol=1e-9,
                                               atol=1e-12)
                if hasattr(est, "score_samples"):
                    np.testing.assert_allclose(m.score_samples(X), est.score_samples(X), rtol=1e-9, atol=1e-12)
                    self.assertEqual(m.task, "outlier_detection")
                    self.assertTrue(np.array_equal(m.predict(X), est.predict(X)))
                    with self.assertRaises(AttributeError):
                        m.predict_proba(X)
                else:
                    with self.assertRaises(AttributeError):
                        m.score_samples(X)
        self.assertEqual(mlmap.load(p).info()["decision_function"], "output_minus_offset")


class TestInfo(TmpDir):

    def test_contents(self):
        X, y = clf_data()
        names = [f"feat_{i}" for i in range(N_FEATURES)]
        sk = ensemble.RandomForestClassifier(n_estimators=7, max_depth=5, random_state=0).fit(
            pd.DataFrame(X, columns=names), np.array(["a", "b", "c"])[y])
        metadata = {"owner": "team-ml", "unicode": "naïve – 日本", "empty": "", "long": "x" * 100000,
                    "with.dots": "1"}
        before = int(time.time() * 1000)
        m = self.roundtrip(sk, metadata=metadata)
        after = int(time.time() * 1000)
        info = m.info()

        # The lowest minor version that expresses the file (FORMAT.md §13):
        # forests were in 1.0, and are 1.1 when the writer's cost model gives
        # their trees the leaf bit-vector layout (the C++ kernel tests pin
        # which); mlmap reads and writes up to format_version.
        self.assertIn(info["format_version"], ("1.0", "1.1"))
        self.assertEqual(mlmap.format_version, "1.1")
        layouts = info["trees"]["layouts"]
        self.assertEqual(layouts[0], "nodes")
        self.assertEqual(len(layouts) > 1, info["format_version"] == "1.1")  # both layouts are 1.1 features
        self.assertEqual("bitvectors" in info["trees"], "bitvectors" in layouts)
        prov = info["provenance"]
        self.assertEqual(prov["producer"], "mlmap")
        self.assertEqual(prov["producer_version"], mlmap.__version__)
        self.assertEqual(prov["source_library"], "scikit-learn")
        self.assertEqual(prov["source_version"], sklearn.__version__)
        self.assertEqual(prov["numpy_version"], np.__version__)
        self.assertEqual(prov["python_version"], platform.python_version())
        self.assertGreaterEqual(prov["created_unix_ms"], before)
        self.assertLessEqual(prov["created_unix_ms"], after)

        self.assertEqual(info["estimator"], "sklearn.ensemble.RandomForestClassifier")
        self.assertEqual(info["predictor"], "tree_ensemble")
        self.assertEqual(info["task"], "classification")
        self.assertEqual(info["n_features"], N_FEATURES)
        self.assertEqual(info["n_outputs"], 3)
        self.assertEqual(info["feature_names"], names)
        self.assertEqual(list(m.feature_names_in_), names)
        self.assertEqual(m.n_features_in_, N_FEATURES)
        self.assertEqual(info["classes"], ["a", "b", "c"])
        # scikit-learn >= 1.4 forests route NaN (tree_.missing_go_to_left)
        self.assertEqual(info["accepts_missing"], sklearn_routes_nan(sk))

        user = {k: v for k, v in info["metadata"].items() if not k.startswith("mlmap.")}
        self.assertEqual(user, metadata)

        trees = info["trees"]
        self.assertEqual(trees["n_trees"], 7)
        self.assertEqual(trees["n_nodes"], sum(e.tree_.node_count for e in sk.estimators_))
        self.assertEqual(trees["n_leaves"], sum(e.tree_.n_leaves for e in sk.estimators_))
        self.assertEqual(trees["max_depth"], max(e.tree_.max_depth for e in sk.estimators_))
        self.assertEqual(trees["leaf_width"], 3)

        self.assertEqual(info["file_size"], os.path.getsize(self.path()))
        self.assertRegex(info["content_hash"], r"\A[0-9a-f]{32}\Z")
        self.assertEqual(mlmap.load(self.path(), copy=True).info()["content_hash"], info["content_hash"])

    def test_estimator_names(self):
        X, y = clf_data()
        Xr, yr = reg_data()
        for sk, name in [
                (tree.DecisionTreeClassifier(max_depth=2).fit(X, y), "sklearn.tree.DecisionTreeClassifier"),
                (tree.ExtraTreeRegressor(max_depth=2).fit(Xr, yr), "sklearn.tree.ExtraTreeRegressor"),
                (ensemble.ExtraTreesRegressor(n_estimators=2, max_depth=2).fit(Xr, yr),
                 "sklearn.ensemble.ExtraTreesRegressor")]:
            with self.subTest(name=name):
                info = self.roundtrip(sk).info()
                self.assertEqual(info["estimator"], name)
                self.assertEqual(info["task"], "classification" if sklearn.base.is_classifier(sk)
                                 else "regression")
                self.assertEqual(info["classes"], [0, 1, 2] if sklearn.base.is_classifier(sk) else None)

    def test_no_names_no_metadata(self):
        X, y = clf_data()
        m = self.roundtrip(tree.DecisionTreeClassifier(max_depth=3).fit(X, y))
        self.assertFalse(hasattr(m, "feature_names_in_"))  # as sklearn, fitted on an array
        self.assertEqual(m.info()["feature_names"], [])
        self.assertEqual(m.info()["metadata"], {})

    def test_info_is_a_copy(self):
        sk, _ = forest_clf(["a", "b", "c"])
        m = self.roundtrip(sk, metadata={"k": "v"})
        expected = copy.deepcopy(m.info())
        first = m.info()
        first["metadata"].clear()
        first["provenance"]["source_library"] = "changed"
        first["feature_names"].append("x")
        first["estimator"] = "changed"
        self.assertEqual(m.info(), expected)

    def test_editing_info_cannot_change_predictions(self):
        X, y = clf_data()
        names = [f"z{i}" for i in range(N_FEATURES)]  # sorting reverses them
        names.reverse()
        frame = pd.DataFrame(X, columns=names)
        sk = tree.DecisionTreeClassifier(random_state=0).fit(frame, y)
        m = self.roundtrip(sk)
        expected = sk.predict_proba(frame)
        m.info()["feature_names"].sort()  # a caller tidying its own copy
        self.assertTrue(np.array_equal(m.predict_proba(frame), expected))


    def test_walk_estimate_from_training_covers(self):
        """The node walk's cost estimate (FORMAT.md 5.1.1), which picks the
        batch kernel, weighs each leaf by the training rows that reached it
        (n_node_samples; XGBoost's sum_hessian): the expected deepest path of
        8 rows a tree, recomputed here from the definition."""
        def lockstep(depths, weights):
            reach = np.bincount(depths, weights=weights) / np.sum(weights)
            below = np.cumsum(reach)[:-1]
            return float(np.sum(1.0 - np.minimum(below, 1.0) ** 8))

        def leaves(left, right):
            out, stack = [], [(0, 0)]
            while stack:
                node, d = stack.pop()
                if left[node] == -1:
                    out.append((node, d))
                else:
                    stack += [(left[node], d + 1), (right[node], d + 1)]
            return out

        X, y = clf_data(n=4000)
        # Deep, unbalanced trees: the writer gives them the bit-vector layout.
        sk = ensemble.RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
        want = 0.0
        for e in sk.estimators_:
            t = e.tree_
            nodes, depths = zip(*leaves(t.children_left, t.children_right))
            want += lockstep(np.array(depths), t.n_node_samples[list(nodes)].astype(float))
        bitvectors = self.roundtrip(sk).info()["trees"]["bitvectors"]
        self.assertTrue(bitvectors["walk_steps_covered"])
        self.assertAlmostEqual(bitvectors["walk_steps"], want, delta=1e-9 * want)

        try:
            import xgboost
        except ImportError:  # the XGBoost half needs it; the scikit-learn half ran
            return
        xg = xgboost.XGBClassifier(n_estimators=20, grow_policy="lossguide", max_leaves=255, max_depth=0,
                                   tree_method="hist").fit(X, y)
        want = 0.0
        for tree_json in json.loads(xg.get_booster().save_raw("json"))["learner"]["gradient_booster"]["model"][
                "trees"]:
            nodes, depths = zip(*leaves(tree_json["left_children"], tree_json["right_children"]))
            want += lockstep(np.array(depths), np.array(tree_json["sum_hessian"], dtype=np.float32)[list(nodes)])
        bitvectors = self.roundtrip(xg, "xgb.mlmap").info()["trees"]["bitvectors"]
        self.assertTrue(bitvectors["walk_steps_covered"])
        self.assertAlmostEqual(bitvectors["walk_steps"], want, delta=1e-6 * want)


class TestSaveOptions(TmpDir):

    def test_feature_names_argument(self):
        X, y = clf_data()
        sk = tree.DecisionTreeClassifier(random_state=0).fit(X, y)
        names = [f"n{i}" for i in range(N_FEATURES)]
        m = self.roundtrip(sk, feature_names=np.array(names))
        self.assertEqual(m.feature_names_in_.tolist(), names)
        self.assertEqual(m.feature_names_in_.dtype, object)
        # A DataFrame is then matched by name.
        frame = pd.DataFrame(X, columns=names)[names[::-1]]
        self.assertTrue(np.array_equal(m.predict(frame), sk.predict(X)))
        with self.assertRaisesRegex(ValueError, "n0"):
            m.predict(frame.drop(columns=["n0"]))

    def test_feature_names_override_the_estimators(self):
        X, y = clf_data()
        sk = tree.DecisionTreeClassifier(random_state=0).fit(
            pd.DataFrame(X, columns=[f"c{i}" for i in range(N_FEATURES)]), y)
        names = [f"other{i}" for i in range(N_FEATURES)]
        self.assertEqual(self.roundtrip(sk, feature_names=names).feature_names_in_.tolist(), names)

    def test_bad_feature_names(self):
        sk, _ = forest_clf()
        for bad in (["a"] * N_FEATURES, ["a", "b"], [f"f{i}" for i in range(N_FEATURES + 1)]):
            with self.subTest(names=bad):
                with self.assertRaises(ValueError):
                    mlmap.save(sk, self.path(), feature_names=bad)
                self.assertFalse(os.path.exists(self.path()))
        self.assertEqual(os.listdir(self.dir), [])

    def test_metadata_validation(self):
        sk, _ = forest_clf()
        for bad, exc in [({"a": 1}, TypeError), ({1: "a"}, TypeError), ({"a": None}, TypeError),
                         ({"a": b"bytes"}, TypeError), ([("a", "b")], TypeError), ("a=b", TypeError),
                         ({"mlmap.x": "1"}, ValueError), ({"mlmap.classes_dtype": "<U1"}, ValueError)]:
            with self.subTest(metadata=bad):
                with self.assertRaises(exc) as cm:
                    mlmap.save(sk, self.path(), metadata=bad)
                if exc is ValueError:
                    self.assertNotIsInstance(cm.exception, TypeError)
                self.assertFalse(os.path.exists(self.path()))
        self.assertEqual(os.listdir(self.dir), [])

    def test_pathlib_paths(self):
        sk, X = forest_clf()
        p = pathlib.Path(self.dir) / "p.mlmap"
        mlmap.save(sk, p)
        m = mlmap.load(p)
        self.assertTrue(np.array_equal(m.predict(X), sk.predict(X)))
        self.assertEqual(m.path, str(p))
        self.assertTrue(mlmap.verify(p))


# --- errors ------------------------------------------------------------------

class TestSaveErrors(TmpDir):

    def test_unsupported_estimators(self):
        X, y = clf_data()

        class MyForest(ensemble.RandomForestClassifier):
            pass

        def closeness(d):
            return 1 / (1 + d)

        for est, name in [(QuadraticDiscriminantAnalysis(reg_param=0.1).fit(X, y), "QuadraticDiscriminantAnalysis"),
                          (MyForest(n_estimators=3).fit(X, y), "MyForest"),
                          (KNeighborsClassifier(weights=closeness).fit(X, y), "KNeighborsClassifier")]:
            with self.subTest(estimator=name):
                with self.assertRaises(mlmap.UnsupportedModelError) as cm:
                    mlmap.save(est, self.path())
                self.assertIsInstance(cm.exception, TypeError)
                self.assertIn(name, str(cm.exception))
                self.assertFalse(os.path.exists(self.path()))

    def test_multi_output_classifier(self):
        # a forest and a k-NN classifier on a 2-D y are saved (labels per
        # output, a list of probability arrays)
        X, y = clf_data()
        for sk in (ensemble.RandomForestClassifier(n_estimators=3, random_state=0).fit(X, np.c_[y, 2 - y]),
                   KNeighborsClassifier(3, weights="distance").fit(X, np.c_[y, X[:, 1] > 0])):
            with self.subTest(type(sk).__name__):
                mlmap.save(sk, self.path())
                m = mlmap.load(self.path(), verify=True)
                self.assertEqual(m.info()["output_groups"], [len(c) for c in sk.classes_])
                self.assertTrue(np.array_equal(m.predict(X), sk.predict(X)))
                proba = m.predict_proba(X)
                self.assertEqual(len(proba), 2)
                for got, want in zip(proba, sk.predict_proba(X)):
                    self.assertTrue(np.allclose(got, want, rtol=0, atol=1e-12))
                os.unlink(self.path())

    def test_unfitted(self):
        for est in (tree.DecisionTreeClassifier(), ensemble.RandomForestRegressor()):
            with self.subTest(estimator=type(est).__name__):
                with self.assertRaises(NotFittedError):
                    mlmap.save(est, self.path())
                self.assertFalse(os.path.exists(self.path()))
        self.assertEqual(os.listdir(self.dir), [])

    def test_not_an_estimator(self):
        for obj in (None, "forest", {"a": 1}):
            with self.subTest(obj=obj):
                with self.assertRaises(mlmap.UnsupportedModelError):
                    mlmap.save(obj, self.path())


class TestLoadErrors(TmpDir):

    @classmethod
    def setUpClass(cls):
        cls.sk, cls.X = forest_clf()

    def valid_bytes(self):
        p = self.path("valid.mlmap")
        mlmap.save(self.sk, p)
        with open(p, "rb") as f:
            return f.read()

    def write(self, data, name="bad.mlmap"):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def assert_format_error(self, path, code=None, verify=False):
        with self.assertRaises(mlmap.FormatError) as cm:
            mlmap.load(path, verify=verify)
        e = cm.exception
        self.assertIsInstance(e, ValueError)
        self.assertIsInstance(e.code, str)
        self.assertTrue(e.code)
        if code is not None:
            self.assertEqual(e.code, code, str(e))
        with self.assertRaises(mlmap.FormatError):
            mlmap.verify(path)
        return e

    def test_missing_file(self):
        with self.assertRaises(FileNotFoundError):
            mlmap.load(self.path("nope.mlmap"))
        with self.assertRaises(FileNotFoundError):
            mlmap.verify(self.path("nope.mlmap"))

    def test_empty_file(self):
        self.assert_format_error(self.write(b""), "file_too_small")

    def test_directory(self):
        d = self.path("dir.mlmap")
        os.mkdir(d)
        self.assert_format_error(d, "not_a_file")

    def test_random_bytes(self):
        rng = np.random.default_rng(0)
        for n in (64, 100, 5000):
            with self.subTest(size=n):
                self.assert_format_error(self.write(rng.bytes(n)), "bad_magic")
        self.assert_format_error(self.write(b"PK\x03\x04" + bytes(200)), "bad_magic")

    def test_magic_then_garbage(self):
        data = self.valid_bytes()
        rng = np.random.default_rng(1)
        self.assert_format_error(self.write(data[:8] + rng.bytes(len(data) - 8)))

    def test_newer_major_version(self):
        data = bytearray(self.valid_bytes())
        data[8:10] = (99).to_bytes(2, "little")
        self.assert_format_error(self.write(bytes(data)), "unsupported_version")

    def test_truncated(self):
        data = self.valid_bytes()
        for n in (1, 63, 64, 65, 200, len(data) // 2, len(data) - 4096, len(data) - 1):
            with self.subTest(length=n):
                self.assert_format_error(self.write(data[:n]))

    def test_trailing_bytes(self):
        self.assert_format_error(self.write(self.valid_bytes() + b"\0"))

    def test_flipped_byte_in_the_middle(self):
        data = bytearray(self.valid_bytes())
        # The middle of the file, moved to the next non-zero byte so that it
        # is model data rather than alignment padding.
        i = len(data) // 2
        while data[i] == 0:
            i += 1
        data[i] ^= 0x10
        p = self.write(bytes(data))
        e = self.assert_format_error(p, verify=True)
        self.assertEqual(e.code, "checksum_mismatch")
        # A mapped open without verify is allowed to succeed, but predicting
        # from it must stay memory-safe and verify() must still refuse it.
        try:
            m = mlmap.load(p)
        except mlmap.FormatError:
            return
        out = m.predict_proba(self.X)
        self.assertEqual(out.shape, (len(self.X), 3))
        with self.assertRaises(mlmap.FormatError):
            m.verify()

    def test_flipped_byte_in_the_header(self):
        data = bytearray(self.valid_bytes())
        data[64 + 40] ^= 0x01
        self.assert_format_error(self.write(bytes(data)), "checksum_mismatch")


class TestPredictErrors(TmpDir):

    def test_unopened_core_objects(self):
        # pybind11's __new__ alone would make an instance holding no C++
        # object, whose methods read unconstructed bytes (info() raised
        # SystemError, Watch.version hung): the binding's types that only
        # C++ makes refuse it, by name.
        sk, X = forest_clf()
        model = self.roundtrip(sk)
        core_type = type(model._core)
        for make in (lambda: core_type.__new__(core_type), lambda: core_type()):
            with self.assertRaisesRegex(TypeError, "Model objects cannot be created directly: use mlmap.load"):
                make()
        store = mlmap.Store(self.path("store"))
        store.publish("m", self.path())
        with store.watch("m", poll_ms=10) as w:
            watch_type = type(w._watch)
            with self.assertRaisesRegex(TypeError, "Watch objects cannot be created directly"):
                watch_type.__new__(watch_type)
            self.assertEqual(w.version, 1)  # made by C++ as before
        # The types Python builds build their object in __new__: __new__
        # without the constructor's arguments makes nothing.
        from mlmap import _core
        for cls in (_core.Store, _core.TreeEnsembleBuilder):
            with self.subTest(cls=cls.__name__):
                with self.assertRaisesRegex(TypeError, "__new__"):
                    cls.__new__(cls)
        core_store = _core.Store.__new__(_core.Store, self.path("store"), False)
        self.assertEqual(core_store.names(), ["m"])
        builder = _core.TreeEnsembleBuilder(N_FEATURES, 1, 1, "sum")
        builder.__init__(1, 2, 3, "mean")  # a second __init__ changes nothing
        self.assertEqual((builder.n_trees, builder.n_nodes), (0, 0))

    def test_feature_count(self):
        sk, X = forest_clf()
        m = self.roundtrip(sk)
        for width in (N_FEATURES + 3, N_FEATURES - 2):
            with self.subTest(width=width):
                X2 = np.zeros((4, width))
                for f in (m.predict, m.predict_proba, m.decision_function):
                    with self.assertRaises(ValueError) as cm:
                        f(X2)
                    msg = str(cm.exception)
                    self.assertIn(str(width), msg)
                    self.assertIn(str(N_FEATURES), msg)

    def test_one_dimensional_input(self):
        sk, X = forest_clf()
        m = self.roundtrip(sk)
        for bad in (X[0], X[0].tolist(), np.zeros((2, N_FEATURES, 1)), 3.0):
            with self.subTest(shape=np.shape(bad)):
                with self.assertRaises(ValueError):
                    m.predict(bad)
                with self.assertRaises(ValueError):
                    m.predict_proba(bad)

    def test_non_numeric_input(self):
        sk, X = forest_clf()
        m = self.roundtrip(sk)
        with self.assertRaises(ValueError):
            m.predict([["a"] * N_FEATURES])

    def test_nan_into_random_forest(self):
        sk, X = forest_clf()
        m = self.roundtrip(sk)
        for dtype in (np.float64, np.float32):
            X2 = X[:200].astype(dtype)
            X2[150, 4] = np.nan
            for f in (m.predict, m.predict_proba):
                with self.subTest(dtype=dtype.__name__, method=f.__name__):
                    if sklearn_routes_nan(sk):  # scikit-learn >= 1.4: as sklearn does
                        expected = getattr(sk, f.__name__)(X2)
                        if f.__name__ == "predict":
                            np.testing.assert_array_equal(f(X2), expected)
                        else:
                            np.testing.assert_allclose(f(X2), expected, rtol=0, atol=1e-12)
                        continue
                    with self.assertRaises(mlmap.MissingValueError) as cm:
                        f(X2)
                    self.assertIsInstance(cm.exception, ValueError)
                    self.assertEqual(cm.exception.code, "missing_value")
        Xr, yr = reg_data()
        rf = ensemble.RandomForestRegressor(n_estimators=3).fit(Xr, yr)
        r = self.roundtrip(rf, "r.mlmap")
        if sklearn_routes_nan(rf):
            np.testing.assert_allclose(r.predict([[np.nan] * N_FEATURES]), rf.predict([[np.nan] * N_FEATURES]),
                                       rtol=1e-12)
        else:
            with self.assertRaises(mlmap.MissingValueError):
                r.predict([[np.nan] * N_FEATURES])

    def test_nan_after_preprocessing_names_the_row(self):
        """NaN passes a scaler (as in sklearn) and is refused before the
        logistic regression, naming the first such row past the NaN scan's
        4,096-value chunks."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        sk, X = forest_clf()
        y = sk.predict(X)
        pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
        m = self.roundtrip(pipe, "pipe.mlmap")
        X2 = np.tile(X, (max(1, 5000 // len(X)) + 1, 1))[:5000].copy()
        X2[4321, 2] = np.nan
        X2[4999, 0] = np.nan
        with self.assertRaises(mlmap.MissingValueError) as cm:
            m.predict(X2)
        self.assertIn("row 4321", str(cm.exception))
        self.assertIn("after preprocessing", str(cm.exception))

    def test_negative_threads(self):
        sk, X = forest_clf()
        m = self.roundtrip(sk)
        with self.assertRaises(ValueError):
            m.predict(X, n_threads=-1)


# --- atomic save --------------------------------------------------------------------

class TestAtomicSave(TmpDir):

    def setUp(self):
        super().setUp()
        self.clf, self.X = forest_clf()
        Xr, yr = reg_data()
        self.reg = tree.DecisionTreeRegressor(max_depth=4, random_state=0).fit(Xr, yr)

    def read(self, p):
        with open(p, "rb") as f:
            return f.read()

    def test_save_replaces(self):
        p = self.path()
        mlmap.save(self.reg, p)
        old = self.read(p)
        old_inode = os.stat(p).st_ino
        mlmap.save(self.clf, p)
        self.assertNotEqual(self.read(p), old)
        self.assertNotEqual(os.stat(p).st_ino, old_inode)  # a new file renamed over it
        m = mlmap.load(p)
        self.assertEqual(m.info()["estimator"], "sklearn.ensemble.RandomForestClassifier")
        self.assertTrue(np.array_equal(m.predict(self.X), self.clf.predict(self.X)))
        self.assertEqual(os.listdir(self.dir), ["model.mlmap"])

    def test_open_model_survives_replacement(self):
        p = self.path()
        mlmap.save(self.clf, p)
        mapped = mlmap.load(p)
        expected = mapped.predict_proba(self.X)
        mlmap.save(self.reg, p)
        self.assertTrue(np.array_equal(mapped.predict_proba(self.X), expected))
        self.assertEqual(mlmap.load(p).task, "regression")

    def test_failed_saves_leave_the_file_alone(self):
        X, y = clf_data()
        p = self.path()
        mlmap.save(self.clf, p)
        original = self.read(p)
        failures = [
            ("unsupported", QuadraticDiscriminantAnalysis(reg_param=0.1).fit(X, y), {}, mlmap.UnsupportedModelError),
            ("unfitted", ensemble.RandomForestClassifier(), {}, NotFittedError),
            ("k-NN metric", KNeighborsClassifier(3, metric="canberra").fit(X, y), {}, mlmap.UnsupportedModelError),
            ("bad metadata", self.reg, {"metadata": {"k": 1}}, TypeError),
            ("reserved metadata", self.reg, {"metadata": {"mlmap.k": "1"}}, ValueError),
            ("bad feature names", self.reg, {"feature_names": ["a"]}, ValueError),
        ]
        for what, est, kw, exc in failures:
            with self.subTest(failure=what):
                with self.assertRaises(exc):
                    mlmap.save(est, p, **kw)
                self.assertEqual(self.read(p), original)
                self.assertEqual(os.listdir(self.dir), ["model.mlmap"])
        self.assertTrue(np.array_equal(mlmap.load(p, verify=True).predict(self.X), self.clf.predict(self.X)))

    def test_target_is_a_directory(self):
        d = self.path("dir.mlmap")
        os.mkdir(d)
        with self.assertRaises(OSError):
            mlmap.save(self.clf, d)
        self.assertTrue(os.path.isdir(d))
        self.assertEqual(os.listdir(d), [])
        self.assertEqual(self.leftovers(), [])

    def test_nonexistent_directory(self):
        p = os.path.join(self.dir, "no", "such", "dir", "m.mlmap")
        with self.assertRaises(OSError):
            mlmap.save(self.clf, p)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "no")))
        self.assertEqual(os.listdir(self.dir), [])

    def test_read_only_directory(self):
        d = self.path("ro")
        os.mkdir(d)
        p = os.path.join(d, "m.mlmap")
        mlmap.save(self.reg, p)
        original = self.read(p)
        os.chmod(d, 0o555)
        self.addCleanup(os.chmod, d, 0o755)
        script = (
            "import sys, numpy as np, mlmap\n"
            "from sklearn.tree import DecisionTreeClassifier\n"
            "X = np.random.default_rng(0).random((50, %d)); y = (X[:, 0] > .5).astype(int)\n"
            "try:\n"
            "    mlmap.save(DecisionTreeClassifier().fit(X, y), sys.argv[1])\n"
            "except OSError as e:\n"
            "    print('OSError', e); sys.exit(3)\n"
            "sys.exit(0)\n" % N_FEATURES)
        preexec = None
        if os.geteuid() == 0:
            # root writes anywhere: run the save as 'nobody'.
            os.chmod(self.dir, 0o755)

            def preexec():
                os.setgid(65534)
                os.setuid(65534)
        try:
            r = subprocess.run([sys.executable, "-c", script, p], capture_output=True, text=True,
                               env=dict(os.environ), preexec_fn=preexec, timeout=60)
        except (PermissionError, subprocess.SubprocessError) as e:
            self.skipTest(f"cannot run a save without write permission here: {e}")
        if r.returncode == 1 and "No module named 'mlmap'" in r.stderr:
            # 'nobody' cannot read this checkout (e.g. a private temporary clone).
            self.skipTest("the unprivileged user cannot import mlmap from this build tree")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertEqual(self.read(p), original)
        self.assertEqual(os.listdir(d), ["m.mlmap"])


# --- imports ------------------------------------------------------------------------

class TestImports(TmpDir):

    def test_load_and_predict_import_no_sklearn(self):
        sk, X = forest_clf(["a", "b", "c"])
        p = self.path()
        mlmap.save(sk, p)
        np.save(self.path("X.npy"), X)
        script = (
            "import json, sys\n"
            "import numpy as np\n"
            "import mlmap\n"
            "m = mlmap.load(sys.argv[1])\n"
            "X = np.load(sys.argv[2])\n"
            "out = {'predict': m.predict(X).tolist(), 'proba': m.predict_proba(X).tolist(),\n"
            "       'verified': mlmap.verify(sys.argv[1]), 'info': m.info()['estimator'],\n"
            "       'package': mlmap.__file__,\n"
            "       'modules': sorted(k for k in sys.modules\n"
            "                         if k.split('.')[0] in ('sklearn', 'joblib', 'cloudpickle', 'dill'))}\n"
            "print(json.dumps(out))\n")
        r = subprocess.run([sys.executable, "-c", script, p, self.path("X.npy")], capture_output=True,
                           text=True, env=dict(os.environ), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["modules"], [])
        self.assertEqual(out["predict"], sk.predict(X).tolist())
        self.assertTrue(np.allclose(out["proba"], sk.predict_proba(X), rtol=0, atol=1e-12))
        self.assertEqual(os.path.dirname(out["package"]), os.path.dirname(mlmap.__file__))

    def test_package_never_imports_pickle(self):
        forbidden = {"pickle", "cPickle", "_pickle", "joblib", "cloudpickle", "dill", "shelve", "marshal"}
        pkg = pathlib.Path(mlmap.__file__).parent
        sources = sorted(pkg.glob("*.py"))
        self.assertGreaterEqual(len(sources), 5, sources)
        for src in sources:
            with self.subTest(file=src.name):
                text = src.read_text()
                found = set()
                for node in ast.walk(ast.parse(text)):
                    if isinstance(node, ast.Import):
                        found |= {a.name.split(".")[0] for a in node.names}
                    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                        found.add(node.module.split(".")[0])
                    elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
                        fname = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                        if fname in ("__import__", "import_module") and node.args and \
                                isinstance(node.args[0], ast.Constant):
                            found.add(str(node.args[0].value).split(".")[0])
                self.assertEqual(found & forbidden, set())
                self.assertIsNone(re.search(r"^\s*(import|from)\s+(c?pickle|_pickle|joblib)\b", text, re.M))
        # Only the saving side may import scikit-learn.
        for src in sources:
            if src.name in ("_save.py", "_sklearn.py"):
                continue
            with self.subTest(file=src.name, check="no sklearn"):
                self.assertNotRegex(src.read_text(), r"^\s*(import|from)\s+sklearn\b")


# --- threads and copies ------------------------------------------------------------

class TestConcurrency(TmpDir):

    @classmethod
    def setUpClass(cls):
        X, y = clf_data(3, n=3000)
        cls.clf = ensemble.RandomForestClassifier(n_estimators=30, random_state=0).fit(X, y)
        Xr, yr = reg_data(2, n=3000)
        cls.reg = ensemble.ExtraTreesRegressor(n_estimators=20, random_state=0).fit(Xr, yr)
        rng = np.random.default_rng(5)
        cls.X = rng.normal(size=(20000, N_FEATURES)) * 2
        cls.X32 = cls.X.astype(np.float32)

    def test_threads_give_identical_results(self):
        m = self.roundtrip(self.clf)
        r = self.roundtrip(self.reg, "r.mlmap")
        expected = (m.predict(self.X), m.predict_proba(self.X), r.predict(self.X32))
        results, errors = [], []
        start = threading.Barrier(4)

        def work():
            try:
                start.wait()
                for _ in range(3):
                    results.append((m.predict(self.X), m.predict_proba(self.X), r.predict(self.X32)))
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 12)
        for got in results:
            for g, e in zip(got, expected):
                self.assertTrue(np.array_equal(g, e))
        self.assertTrue(np.array_equal(expected[0], self.clf.predict(self.X)))

    def test_n_threads(self):
        m = self.roundtrip(self.clf)
        r = self.roundtrip(self.reg, "r.mlmap")
        for X in (self.X, self.X32, self.X[:130], self.X[:3]):
            one = (m.predict(X, n_threads=1), m.predict_proba(X, n_threads=1), r.predict(X, n_threads=1),
                   m.decision_function(X, n_threads=1))
            for n in (2, 0, 3, 64):
                with self.subTest(rows=len(X), dtype=X.dtype.name, n_threads=n):
                    got = (m.predict(X, n_threads=n), m.predict_proba(X, n_threads=n),
                           r.predict(X, n_threads=n), m.decision_function(X, n_threads=n))
                    for g, e in zip(got, one):
                        self.assertTrue(np.array_equal(g, e))

    def test_copy_load(self):
        p = self.path()
        mlmap.save(self.clf, p)
        mapped = mlmap.load(p)
        copied = mlmap.load(p, copy=True)
        verified = mlmap.load(p, copy=True, verify=True)
        for m in (copied, verified):
            self.assertTrue(np.array_equal(m.predict(self.X), mapped.predict(self.X)))
            self.assertTrue(np.array_equal(m.predict_proba(self.X32), mapped.predict_proba(self.X32)))
            self.assertEqual(m.info(), mapped.info())
        # The copy no longer depends on the file.
        os.remove(p)
        self.assertTrue(np.array_equal(copied.predict_proba(self.X), mapped.predict_proba(self.X)))


if __name__ == "__main__":
    print(f"sklearn {sklearn.__version__}, numpy {np.__version__}, mlmap {mlmap.__version__} "
          f"from {os.path.dirname(mlmap.__file__)}", flush=True)
    start = time.perf_counter()
    result = unittest.main(exit=False, verbosity=2).result
    print(f"total {time.perf_counter() - start:.1f} s")
    sys.exit(0 if result.wasSuccessful() else 1)
