#!/usr/bin/python3
"""mlmap against xgboost (1.7.4, 2.1, 3.x in the version matrix): every supported objective, Booster and
scikit-learn wrappers, categorical features, NaN, early stopping, dart, the
Python API (mlmap.save) and the CLI (mlmap convert-xgboost).

Run by meson (suite 'parity') with PYTHONPATH = the built Python package and
MLMAP_CLI = the built CLI; by hand:
    PYTHONPATH=build/tools/python MLMAP_CLI=build/tools/mlmap /usr/bin/python3 tests/importers/test_xgboost.py

Expected values are always xgboost's own predictions.  Tolerances:
probabilities max |a - b| <= 1e-6; values and raw scores
|a - b| <= 1e-5 * max(|b|, 1) (relative, with a floor for scores near 0; xgboost
sums in float32, mlmap in float64); labels: no mismatch.  The measured
worst differences per objective are printed at the end.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

import numpy as np
import pandas as pd
import xgboost as xgb

import mlmap

warnings.filterwarnings("ignore")

CLI = os.environ.get("MLMAP_CLI", "build/tools/mlmap")
TMP = None
PROBA_TOL = 1e-6
REL_TOL = 1e-5
WORST = {}  # objective -> {"proba": max abs, "value": max rel, "raw": max rel, "labels": mismatches, "n": compared}

OBJECTIVES = ["binary:logistic", "binary:logitraw", "binary:hinge", "multi:softprob", "multi:softmax",
              "reg:squarederror", "reg:absoluteerror", "reg:logistic", "reg:pseudohubererror", "count:poisson",
              "reg:gamma", "reg:tweedie", "rank:pairwise", "reg:quantileerror"]
XGB = tuple(int(v) for v in xgb.__version__.split(".")[:2])


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="mlmap-xgb-")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    print(f"\nworst differences vs xgboost {xgb.__version__} (proba: max abs; value/raw: max |a-b|/max(|b|,1)):",
          file=sys.stderr)
    for obj in OBJECTIVES:
        w = WORST.get(obj)
        if w:
            cells = "  ".join(f"{k} {w[k]:.2e}" if w[k] is not None else f"{k} {'-':8s}" for k in ("proba", "value", "raw"))
            print(f"  {obj:22s} compared {w['n']:7d}  {cells}  label mismatches {w['labels']}", file=sys.stderr)


def path(name):
    return os.path.join(TMP, name)


def record(objective, kind, value):
    w = WORST.setdefault(objective, {"proba": None, "value": None, "raw": None, "labels": 0, "n": 0})
    if kind in ("labels", "n"):
        w[kind] += int(value)
    else:
        w[kind] = max(w[kind] or 0.0, float(value))


# --- data ----------------------------------------------------------------------

def features(n, n_features=6, seed=0, nan_rate=0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(np.float32)
    X[:, 1] *= 100  # different scales
    X[:, 2] = rng.integers(0, 5, size=n)  # small integers: ties on thresholds
    X[rng.random(X.shape) < nan_rate] = np.nan
    return X


def target(objective, X, seed=0, n_classes=3):
    rng = np.random.default_rng(seed + 100)
    x0 = np.nan_to_num(X[:, 0])
    x1 = np.nan_to_num(X[:, 1]) / 100
    x2 = np.nan_to_num(X[:, 2])
    lin = x0 + 0.5 * x1 - 0.3 * x2 + 0.3 * rng.normal(size=len(X))
    if objective.startswith("binary:"):
        return (lin > -0.5).astype(np.float32)
    if objective.startswith("multi:"):
        return (np.digitize(lin, np.quantile(lin, np.linspace(0, 1, n_classes + 1)[1:-1]))).astype(np.float32)
    if objective in ("reg:squarederror", "reg:pseudohubererror", "reg:absoluteerror", "reg:quantileerror"):
        return (3 * x0 + x1 ** 2 + lin).astype(np.float32)
    if objective == "reg:logistic":
        return (1 / (1 + np.exp(-lin))).astype(np.float32)
    if objective in ("count:poisson", "reg:tweedie"):
        return rng.poisson(np.exp(0.5 * lin)).astype(np.float32)
    if objective == "reg:gamma":
        return (np.exp(0.5 * lin) * rng.gamma(2.0, 0.5, size=len(X)) + 0.01).astype(np.float32)
    if objective == "rank:pairwise":
        return np.clip(np.round(lin + 1.5), 0, 3).astype(np.float32)
    raise ValueError(objective)


def held_out(n_features=6, seed=99, n=400):
    X = features(n, n_features, seed=seed, nan_rate=0.15)
    X[:5] = np.nan  # rows that are entirely missing
    return X


# --- comparison ------------------------------------------------------------------

def rel_diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0))) if a.size else 0.0


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class Case(unittest.TestCase):
    def check_proba(self, objective, mine, theirs):
        mine, theirs = np.asarray(mine, np.float64), np.asarray(theirs, np.float64)
        self.assertEqual(mine.shape, theirs.shape)
        d = float(np.max(np.abs(mine - theirs)))
        record(objective, "proba", d)
        record(objective, "n", mine.size)
        self.assertLessEqual(d, PROBA_TOL, f"{objective}: probabilities differ by {d}")

    def check_values(self, objective, mine, theirs, kind="value"):
        d = rel_diff(mine, theirs)
        record(objective, kind, d)
        record(objective, "n", np.size(mine))
        self.assertLessEqual(d, REL_TOL, f"{objective}: {kind} differs by {d} (relative)")

    def check_labels(self, objective, mine, theirs):
        self.assertEqual(np.shape(mine), np.shape(theirs))
        mismatches = int(np.sum(np.asarray(mine) != np.asarray(theirs)))
        record(objective, "labels", mismatches)
        record(objective, "n", np.size(mine))
        self.assertEqual(mismatches, 0, f"{objective}: {mismatches} label mismatches")

    def check_booster(self, booster, m, X, objective):
        """mlmap model `m` against Booster.predict (all trees) on X."""
        dm = xgb.DMatrix(X)
        margin = booster.predict(dm, output_margin=True)
        pred = booster.predict(dm)
        self.check_values(objective, m.decision_function(X), margin, "raw")
        if objective == "binary:logistic":
            self.check_proba(objective, m.predict_proba(X)[:, 1], pred)
            self.check_labels(objective, m.predict(X), (pred > 0.5).astype(int))
        elif objective == "binary:hinge":
            # predict: margin > 0 ? 1 : 0 (HingeObj::PredTransform)
            self.assertTrue(set(np.unique(pred)) <= {0.0, 1.0})
            self.check_labels(objective, m.predict(X), pred.astype(int))
            with self.assertRaises(AttributeError):  # no probabilities, as sklearn's LinearSVC
                m.predict_proba(X)
        elif objective == "binary:logitraw":
            self.check_values(objective, m.decision_function(X), pred)
            self.check_proba(objective, m.predict_proba(X)[:, 1], 1 / (1 + np.exp(-pred.astype(np.float64))))
            self.check_labels(objective, m.predict(X), (pred > 0).astype(int))
        elif objective == "multi:softprob":
            self.check_proba(objective, m.predict_proba(X), pred)
            self.check_labels(objective, m.predict(X), np.argmax(pred, axis=1))
        elif objective == "multi:softmax":
            self.check_labels(objective, m.predict(X), pred.astype(int))
            self.check_proba(objective, m.predict_proba(X), softmax(margin))
        else:
            self.check_values(objective, m.predict(X), pred)


def train(objective, X, y, rounds=10, depth=3, base_score=None, n_classes=None, **params):
    p = {"objective": objective, "max_depth": depth, "eta": 0.3, "nthread": 1, "seed": 0}
    if base_score is not None:
        p["base_score"] = base_score
    if objective.startswith("multi:"):
        p["num_class"] = n_classes
    p.update(params)
    dm = xgb.DMatrix(X, label=y)
    if objective == "rank:pairwise":
        dm.set_group([20] * (len(X) // 20))
    return xgb.train(p, dm, num_boost_round=rounds)


# Explicit base scores valid for each objective's link.
BASE = {"binary:logistic": 0.3, "binary:logitraw": 0.2, "binary:hinge": 0.4, "reg:absoluteerror": 2.5,
        "reg:quantileerror": -1.5, "reg:logistic": 0.7, "count:poisson": 2.0,
        "reg:gamma": 1.5, "reg:tweedie": 0.8, "reg:squarederror": -4.0, "reg:pseudohubererror": 3.0,
        "rank:pairwise": 0.25, "multi:softprob": 0.1, "multi:softmax": 0.9}


class TestBoosterObjectives(Case):
    """xgb.train boosters of every objective, several shapes each, NaN in
    training and held-out data, saved with mlmap.save(booster)."""

    def run_objective(self, objective):
        if objective == "reg:quantileerror" and XGB < (2, 0):
            self.skipTest(f"reg:quantileerror is new in xgboost 2.0 (this is {xgb.__version__})")
        X = features(600, seed=1)
        Xt = held_out()
        configs = [dict(rounds=5, depth=2), dict(rounds=25, depth=6), dict(rounds=12, depth=4, base_score=BASE[objective])]
        class_counts = [3, 5] if objective.startswith("multi:") else [None]
        for k in class_counts:
            y = target(objective, X, n_classes=k or 3)
            for i, cfg in enumerate(configs):
                with self.subTest(objective=objective, classes=k, config=cfg):
                    extra = {"quantile_alpha": 0.3} if objective == "reg:quantileerror" else {}
                    b = train(objective, X, y, n_classes=k, **cfg, **extra)
                    p = path(f"{objective.replace(':', '_')}_{k}_{i}.mlmap")
                    mlmap.save(b, p)
                    m = mlmap.load(p, verify=True)
                    self.assertEqual(m.info()["metadata"]["xgboost.objective"], objective)
                    self.check_booster(b, m, Xt, objective)
                    self.check_booster(b, m, X, objective)


for _obj in OBJECTIVES:
    setattr(TestBoosterObjectives, "test_" + _obj.replace(":", "_"),
            lambda self, o=_obj: self.run_objective(o))


class TestSklearnWrappers(Case):
    def test_classifier_binary_and_multiclass(self):
        X, Xt = features(600, seed=2), held_out()
        for k, objective in [(2, None), (3, None), (4, "multi:softmax"), (5, None)]:
            with self.subTest(classes=k, objective=objective):
                y = target("multi:softprob", X, n_classes=k).astype(int) if k > 2 else target("binary:logistic", X).astype(int)
                params = dict(n_estimators=15, max_depth=4, n_jobs=1)
                if objective:
                    params["objective"] = objective
                clf = xgb.XGBClassifier(**params).fit(X, y)
                obj = clf.get_booster().save_config() and json.loads(clf.get_booster().save_config())["learner"]["objective"]["name"]
                mlmap.save(clf, path(f"clf{k}.mlmap"))
                m = mlmap.load(path(f"clf{k}.mlmap"))
                self.assertEqual(list(m.classes_), list(clf.classes_))
                self.assertEqual(m.info()["estimator"], "xgboost.XGBClassifier")
                self.check_proba(obj, m.predict_proba(Xt), clf.predict_proba(Xt))
                self.check_labels(obj, m.predict(Xt), clf.predict(Xt))
                self.check_values(obj, m.decision_function(Xt), clf.predict(Xt, output_margin=True), "raw")

    def test_regressor_objectives(self):
        X, Xt = features(600, seed=3), held_out()
        for objective in ["reg:squarederror", "reg:logistic", "reg:pseudohubererror", "count:poisson", "reg:gamma",
                          "reg:tweedie"]:
            with self.subTest(objective=objective):
                reg = xgb.XGBRegressor(objective=objective, n_estimators=20, max_depth=5, n_jobs=1,
                                       base_score=BASE[objective]).fit(X, target(objective, X))
                mlmap.save(reg, path("reg.mlmap"))
                m = mlmap.load(path("reg.mlmap"))
                self.assertEqual(m.info()["estimator"], "xgboost.XGBRegressor")
                self.check_values(objective, m.predict(Xt), reg.predict(Xt))
                self.check_values(objective, m.decision_function(Xt), reg.predict(Xt, output_margin=True), "raw")

    def test_ranker(self):
        # rank:ndcg (XGBRanker's default since xgboost 2.0) and rank:map train
        # otherwise than rank:pairwise but predict alike: the margin.
        X, Xt = features(600, seed=4), held_out()
        qid = np.repeat(np.arange(30), 20)
        for objective in ("rank:pairwise", "rank:ndcg", "rank:map"):
            with self.subTest(objective=objective):
                rk = xgb.XGBRanker(objective=objective, n_estimators=20, max_depth=4, n_jobs=1)
                y = target("rank:pairwise", X)
                rk.fit(X, (y > np.median(y)).astype(int) if objective == "rank:map" else y, qid=qid)  # map: 0/1 relevance
                mlmap.save(rk, path("rank.mlmap"))
                m = mlmap.load(path("rank.mlmap"))
                self.assertEqual(m.task, "ranking")
                self.assertEqual(m.info()["metadata"]["xgboost.objective"], objective)
                self.check_values(objective, m.predict(Xt), rk.predict(Xt))

    def test_booster_of_no_rounds(self):
        # xgboost 1.7 records best_iteration -1 for it; the file predicts the
        # base score.  (xgboost 3 predicts sigmoid(base_score) for a booster
        # without trees, as if the base score were the margin: not compared.)
        X = features(200, seed=11)
        b = xgb.train({"objective": "binary:logistic", "nthread": 1}, xgb.DMatrix(X, label=X[:, 0] > 0), 0)
        mlmap.save(b, path("none.mlmap"))
        m = mlmap.load(path("none.mlmap"))
        p = m.predict_proba(X)[:, 1]
        self.assertTrue(np.all(p == p[0]), "one value for every row")
        if XGB < (3, 0):
            self.check_proba("binary:logistic", m.predict_proba(X)[:, 1], b.predict(xgb.DMatrix(X)))

    def test_random_forests(self):
        X, Xt = features(600, seed=5), held_out()
        rf = xgb.XGBRFClassifier(n_estimators=8, max_depth=4, n_jobs=1).fit(X, target("binary:logistic", X).astype(int))
        mlmap.save(rf, path("rfc.mlmap"))
        m = mlmap.load(path("rfc.mlmap"))
        self.check_proba("binary:logistic", m.predict_proba(Xt), rf.predict_proba(Xt))
        self.check_labels("binary:logistic", m.predict(Xt), rf.predict(Xt))
        rr = xgb.XGBRFRegressor(n_estimators=8, max_depth=4, n_jobs=1).fit(X, target("reg:squarederror", X))
        mlmap.save(rr, path("rfr.mlmap"))
        self.check_values("reg:squarederror", mlmap.load(path("rfr.mlmap")).predict(Xt), rr.predict(Xt))

    def test_multi_target_regression(self):
        X, Xt = features(600, seed=6), held_out()
        Y = np.c_[target("reg:squarederror", X), -2 * target("reg:squarederror", X, seed=3)]
        reg = xgb.XGBRegressor(n_estimators=10, max_depth=3, tree_method="hist", n_jobs=1).fit(X, Y)
        mlmap.save(reg, path("mt.mlmap"))
        m = mlmap.load(path("mt.mlmap"))
        self.assertEqual(m.n_outputs, 2)
        self.check_values("reg:squarederror", m.predict(Xt), reg.predict(Xt))

    def test_multi_target_objectives(self):
        """One tree per target (multi_strategy one_output_per_tree, the
        default): reg:absoluteerror with two targets, reg:quantileerror with
        several quantile_alpha (one output each, xgboost >= 2.0)."""
        X, Xt = features(600, seed=24), held_out()
        Y = np.c_[target("reg:squarederror", X), -2 * target("reg:squarederror", X, seed=3)]
        cases = []
        if XGB >= (2, 0):  # 1.7: "multioutput is not supported by current objective function"
            cases.append(("reg:absoluteerror", Y, {}))
            y = target("reg:squarederror", X)
            cases += [("reg:quantileerror", y, {"quantile_alpha": np.array([0.1, 0.5, 0.9])}),
                      ("reg:quantileerror", y, {"quantile_alpha": [0.25, 0.75], "base_score": 0.5})]
        for objective, y, params in cases:
            with self.subTest(objective=objective, **{k: str(v) for k, v in params.items()}):
                reg = xgb.XGBRegressor(objective=objective, n_estimators=12, max_depth=4, n_jobs=1, **params).fit(X, y)
                mlmap.save(reg, path("mto.mlmap"))
                m = mlmap.load(path("mto.mlmap"), verify=True)
                expected = reg.predict(Xt)
                self.assertEqual(m.n_outputs, expected.shape[1])
                self.check_values(objective, m.predict(Xt), expected)
                b = reg.get_booster()
                mlmap.save(b, path("mtob.mlmap"))
                self.check_values(objective, mlmap.load(path("mtob.mlmap")).predict(Xt), b.predict(xgb.DMatrix(Xt)))

    def test_multi_output_tree(self):
        """multi_strategy="multi_output_tree" (xgboost >= 2.0): one tree per
        round whose leaves hold every output -- multi-target regression and
        multi-class, Booster and wrappers, early stopping (best_iteration)."""
        if XGB < (2, 0):
            self.skipTest(f"multi_output_tree is new in xgboost 2.0 (this is {xgb.__version__})")
        X, Xt = features(600, seed=30), held_out()
        Y = np.c_[target("reg:squarederror", X), -2 * target("reg:squarederror", X, seed=3), X[:, 0] ** 2]
        reg = xgb.XGBRegressor(n_estimators=10, max_depth=4, tree_method="hist", multi_strategy="multi_output_tree",
                               n_jobs=1).fit(X, np.nan_to_num(Y))
        mlmap.save(reg, path("mot.mlmap"))
        m = mlmap.load(path("mot.mlmap"), verify=True)
        self.assertEqual(m.n_outputs, 3)
        self.assertEqual(m.info()["trees"]["n_trees"], 10)
        self.check_values("reg:squarederror", m.predict(Xt), reg.predict(Xt))
        y = target("multi:softprob", X, n_classes=4).astype(int)
        for objective in ("multi:softprob", "multi:softmax"):
            with self.subTest(objective=objective):
                clf = xgb.XGBClassifier(objective=objective, n_estimators=200, learning_rate=0.5, max_depth=4,
                                        tree_method="hist", multi_strategy="multi_output_tree", n_jobs=1,
                                        early_stopping_rounds=3)
                clf.fit(X[:400], y[:400], eval_set=[(X[400:], y[400:])], verbose=False)
                self.assertLess(clf.best_iteration + 1, clf.get_booster().num_boosted_rounds())
                mlmap.save(clf, path("moc.mlmap"))
                m = mlmap.load(path("moc.mlmap"), verify=True)
                self.assertEqual(m.info()["trees"]["n_trees"], clf.best_iteration + 1)
                self.check_labels(objective, m.predict(Xt), clf.predict(Xt))
                if objective == "multi:softprob":
                    self.check_proba(objective, m.predict_proba(Xt), clf.predict_proba(Xt))
                b = clf.get_booster()
                for ext in ("json", "ubj"):
                    b.save_model(path(f"moc.{ext}"))
                    rc, out, err = run("convert-xgboost", path(f"moc.{ext}"), path(f"moc_{ext}.mlmap"))
                    self.assertEqual(rc, 0, err)
                    self.check_booster(b, mlmap.load(path(f"moc_{ext}.mlmap"), verify=True), Xt, objective)

    def test_hinge_classifier(self):
        X, Xt = features(600, seed=25), held_out()
        clf = xgb.XGBClassifier(objective="binary:hinge", n_estimators=15, max_depth=4, n_jobs=1)
        clf.fit(X, target("binary:logistic", X).astype(int))
        mlmap.save(clf, path("hinge.mlmap"))
        m = mlmap.load(path("hinge.mlmap"), verify=True)
        self.assertEqual(list(m.classes_), list(clf.classes_))
        self.check_labels("binary:hinge", m.predict(Xt), clf.predict(Xt))
        # XGBClassifier.predict_proba gives [1 - h, h] of the 0/1 output h: no
        # probabilities, which mlmap does not pretend to have.
        self.assertTrue(set(np.unique(clf.predict_proba(Xt))) <= {0.0, 1.0})
        with self.assertRaises(AttributeError):
            m.predict_proba(Xt)

    def test_booster_and_wrapper_agree(self):
        X, Xt = features(600, seed=7), held_out()
        clf = xgb.XGBClassifier(n_estimators=12, max_depth=3, n_jobs=1).fit(X, target("binary:logistic", X).astype(int))
        mlmap.save(clf, path("w.mlmap"))
        mlmap.save(clf.get_booster(), path("b.mlmap"))
        w, b = mlmap.load(path("w.mlmap")), mlmap.load(path("b.mlmap"))
        np.testing.assert_array_equal(w.predict_proba(Xt), b.predict_proba(Xt))
        self.assertEqual(b.info()["estimator"], "xgboost.Booster")
        self.check_booster(clf.get_booster(), b, Xt, "binary:logistic")

    def test_missing_marker(self):
        # A wrapper's `missing` (-999, 0, inf) is a missing value to XGBoost
        # beside NaN; the file turns it into NaN first (also behind a
        # Pipeline, where the marker is compared after the transformers).
        from sklearn.compose import ColumnTransformer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        rng = np.random.default_rng(5)
        X = rng.normal(size=(600, 3))
        y = X[:, 0] + X[:, 1] ** 2
        for marker in [-999.0, 0.0, np.inf]:
            Xm = X.copy()
            Xm[::4, 0] = marker
            Xm[1::5, 2] = marker
            Xm[2::7, 1] = np.nan  # NaN stays missing too
            ym = np.where(Xm[:, 0] == marker, 3.0, y)
            with self.subTest(marker=marker):
                reg = xgb.XGBRegressor(n_estimators=15, max_depth=4, n_jobs=1, missing=marker).fit(Xm, ym)
                mlmap.save(reg, path("marker.mlmap"))
                m = mlmap.load(path("marker.mlmap"))
                self.assertTrue(np.any(Xm == marker))
                self.check_values("reg:squarederror", m.predict(Xm), reg.predict(Xm))
                clf = xgb.XGBClassifier(n_estimators=10, max_depth=3, n_jobs=1, missing=marker).fit(Xm, ym > 1)
                mlmap.save(clf, path("marker_clf.mlmap"))
                m = mlmap.load(path("marker_clf.mlmap"))
                self.check_proba("binary:logistic", m.predict_proba(Xm), clf.predict_proba(Xm))
                self.check_labels("binary:logistic", m.predict(Xm), clf.predict(Xm))
        # Behind a Pipeline: the scaled columns hold no marker, the passed-through one does.
        Xm = X.copy()
        Xm[::3, 0] = -999.0
        pipe = Pipeline([("pre", ColumnTransformer([("s", StandardScaler(), [1, 2])], remainder="passthrough")),
                         ("xgb", xgb.XGBRegressor(n_estimators=15, max_depth=4, n_jobs=1, missing=-999.0))])
        pipe.fit(Xm, np.where(Xm[:, 0] == -999.0, 3.0, y))
        mlmap.save(pipe, path("marker_pipe.mlmap"))
        m = mlmap.load(path("marker_pipe.mlmap"))
        self.check_values("reg:squarederror", m.predict(Xm), pipe.predict(Xm))

    def test_dart(self):
        X, Xt = features(600, seed=8), held_out()
        y = target("reg:squarederror", X)
        reg = xgb.XGBRegressor(booster="dart", rate_drop=0.3, skip_drop=0.0, n_estimators=15, max_depth=3, n_jobs=1,
                               random_state=1).fit(X, y)
        self.assertEqual(json.loads(reg.get_booster().save_config())["learner"]["gradient_booster"]["name"], "dart")
        mlmap.save(reg, path("dart.mlmap"))
        m = mlmap.load(path("dart.mlmap"))
        self.check_values("reg:squarederror", m.predict(Xt), reg.predict(Xt))
        b = train("binary:logistic", X, target("binary:logistic", X), rounds=12, booster="dart", rate_drop=0.4,
                  skip_drop=0.0)
        mlmap.save(b, path("dartb.mlmap"))
        self.check_booster(b, mlmap.load(path("dartb.mlmap")), Xt, "binary:logistic")


class TestEarlyStopping(Case):
    def test_wrapper_uses_best_iteration_booster_uses_all(self):
        X, Xt = features(800, seed=9), held_out()
        y = target("binary:logistic", X).astype(int)
        y[np.random.default_rng(0).random(len(y)) < 0.25] ^= 1  # noise: validation loss turns up early
        clf = xgb.XGBClassifier(n_estimators=300, learning_rate=0.5, max_depth=6, n_jobs=1, early_stopping_rounds=3)
        clf.fit(X[:500], y[:500], eval_set=[(X[500:], y[500:])], verbose=False)
        booster = clf.get_booster()
        self.assertLess(clf.best_iteration + 1, booster.num_boosted_rounds())
        mlmap.save(clf, path("es.mlmap"))
        m = mlmap.load(path("es.mlmap"))
        self.assertEqual(m.info()["metadata"]["xgboost.iteration_end"], str(clf.best_iteration + 1))
        self.check_proba("binary:logistic", m.predict_proba(Xt), clf.predict_proba(Xt))
        self.check_labels("binary:logistic", m.predict(Xt), clf.predict(Xt))
        # The Booster's predict uses every tree, and so does its file.
        mlmap.save(booster, path("es_all.mlmap"))
        mall = mlmap.load(path("es_all.mlmap"))
        self.check_booster(booster, mall, Xt, "binary:logistic")
        self.assertGreater(np.max(np.abs(mall.predict_proba(Xt) - m.predict_proba(Xt))), 1e-3)
        # The CLI: Booster semantics by default, wrapper semantics with --best-iteration.
        booster.save_model(path("es.json"))
        rc, out, err = run("convert-xgboost", path("es.json"), path("es_cli.mlmap"), "--best-iteration")
        self.assertEqual(rc, 0, err)
        self.check_proba("binary:logistic", mlmap.load(path("es_cli.mlmap")).predict_proba(Xt), clf.predict_proba(Xt))
        rc, out, err = run("convert-xgboost", path("es.json"), path("es_cli_all.mlmap"))
        self.assertEqual(rc, 0, err)
        self.check_booster(booster, mlmap.load(path("es_cli_all.mlmap")), Xt, "binary:logistic")

    def test_multiclass_parallel_trees(self):
        X, Xt = features(800, seed=10), held_out()
        y = target("multi:softprob", X, n_classes=3).astype(int)
        y[np.random.default_rng(1).random(len(y)) < 0.3] = 0
        clf = xgb.XGBClassifier(n_estimators=200, learning_rate=0.6, max_depth=5, num_parallel_tree=2, subsample=0.8,
                                n_jobs=1, early_stopping_rounds=2, random_state=0)
        clf.fit(X[:500], y[:500], eval_set=[(X[500:], y[500:])], verbose=False)
        self.assertLess(clf.best_iteration + 1, clf.get_booster().num_boosted_rounds())
        mlmap.save(clf, path("es3.mlmap"))
        m = mlmap.load(path("es3.mlmap"))
        self.assertEqual(m.info()["trees"]["n_trees"], (clf.best_iteration + 1) * 2 * 3)
        self.check_proba("multi:softprob", m.predict_proba(Xt), clf.predict_proba(Xt))
        self.check_labels("multi:softprob", m.predict(Xt), clf.predict(Xt))


def categorical_frame(n, seed, nan_rate=0.15, n_cats=(7, 12)):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "num": rng.normal(size=n).astype(np.float32),
        "color": pd.Categorical(rng.integers(0, n_cats[0], n), categories=range(n_cats[0])),
        "amount": (rng.normal(size=n) * 50).astype(np.float32),
        "city": pd.Categorical(rng.integers(0, n_cats[1], n), categories=range(n_cats[1])),
    })
    for col in df.columns:
        df.loc[rng.random(n) < nan_rate, col] = np.nan
    return df


def category_codes(df):
    """What xgboost sees: numeric columns as float32, categories as their codes, NaN for missing."""
    cols = []
    for col in df.columns:
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            codes = df[col].cat.codes.to_numpy().astype(np.float32)
            codes[codes < 0] = np.nan
            cols.append(codes)
        else:
            cols.append(df[col].to_numpy(dtype=np.float32))
    return np.column_stack(cols).astype(np.float32)


# xgboost >= 3.1 trained on pandas category columns keeps a categories
# encoder (model 'cats') that re-codes a DataFrame's categories by value at
# predict time; mlmap refuses such models (tests/parity/test_versions.py).
# There the categorical tests train on the codes, declared categorical with
# feature_types, which is the same model xgboost < 3.1 builds from the frame.
CATS_ENCODER = tuple(int(v) for v in xgb.__version__.split(".")[:2]) >= (3, 1)


def cat_input(df):
    """What a categorical model is fitted on and predicts from: the frame, or
    its codes (see CATS_ENCODER)."""
    if not CATS_ENCODER:
        return df
    return pd.DataFrame(category_codes(df), columns=df.columns)


def fit_cat(model, df, y):
    if CATS_ENCODER:
        model.set_params(feature_types=["c" if isinstance(df[c].dtype, pd.CategoricalDtype) else "q"
                                        for c in df.columns])
    return model.fit(cat_input(df), y)


def categorical_target(df, seed):
    rng = np.random.default_rng(seed)
    color = df["color"].cat.codes.to_numpy()
    city = df["city"].cat.codes.to_numpy()
    return (np.isin(color, [1, 3, 4]) * 1.5 - np.isin(city, [0, 5, 7, 11]) + np.nan_to_num(df["num"].to_numpy())
            + 0.3 * rng.normal(size=len(df)))


class TestCategorical(Case):
    """pandas category columns, enable_categorical=True: one-hot and
    partition splits, NaN in categorical columns, unseen and invalid codes."""

    def test_classifier_and_regressor(self):
        df, dft = categorical_frame(1500, 11), categorical_frame(500, 12)
        Xt = category_codes(dft)
        z = categorical_target(df, 0)
        for onehot in (1, 64):  # 1: partition-based splits (sets); 64: one-hot splits
            with self.subTest(max_cat_to_onehot=onehot):
                clf = xgb.XGBClassifier(n_estimators=25, max_depth=5, tree_method="hist", enable_categorical=True,
                                        max_cat_to_onehot=onehot, n_jobs=1)
                clf = fit_cat(clf, df, (z > 0.5).astype(int))
                trees = json.loads(bytes(clf.get_booster().save_raw("json")))["learner"]["gradient_booster"]["model"]["trees"]
                splits = [(t["default_left"][i]) for t in trees for i, s in enumerate(t["split_type"]) if s == 1]
                self.assertTrue(splits and 0 in splits, "the model should have categorical splits sending NaN right")
                mlmap.save(clf, path("cat.mlmap"))
                m = mlmap.load(path("cat.mlmap"), verify=True)
                self.assertEqual(list(m.feature_names_in_), list(df.columns))
                self.assertTrue(m.info()["trees"]["has_categorical"])
                self.check_proba("binary:logistic", m.predict_proba(Xt), clf.predict_proba(cat_input(dft)))
                self.check_labels("binary:logistic", m.predict(Xt), clf.predict(cat_input(dft)))

                reg = xgb.XGBRegressor(n_estimators=25, max_depth=5, tree_method="hist", enable_categorical=True,
                                       max_cat_to_onehot=onehot, n_jobs=1)
                reg = fit_cat(reg, df, z)
                mlmap.save(reg, path("catr.mlmap"))
                self.check_values("reg:squarederror", mlmap.load(path("catr.mlmap")).predict(Xt), reg.predict(cat_input(dft)))

    def test_multiclass(self):
        df, dft = categorical_frame(1500, 13), categorical_frame(500, 14)
        z = categorical_target(df, 1)
        y = np.digitize(z, np.quantile(z, [0.25, 0.5, 0.75]))
        clf = xgb.XGBClassifier(n_estimators=15, max_depth=4, tree_method="hist", enable_categorical=True,
                                max_cat_to_onehot=1, n_jobs=1)
        clf = fit_cat(clf, df, y)
        mlmap.save(clf, path("catm.mlmap"))
        m = mlmap.load(path("catm.mlmap"))
        self.check_proba("multi:softprob", m.predict_proba(category_codes(dft)), clf.predict_proba(cat_input(dft)))
        self.check_labels("multi:softprob", m.predict(category_codes(dft)), clf.predict(cat_input(dft)))

    def test_unseen_and_invalid_categories(self):
        """Codes outside training, negative, fractional, huge and infinite: the
        Booster's inplace_predict accepts them (invalid ones go left)."""
        df = categorical_frame(1500, 15)
        clf = xgb.XGBClassifier(n_estimators=20, max_depth=5, tree_method="hist", enable_categorical=True,
                                max_cat_to_onehot=1, n_jobs=1)
        clf = fit_cat(clf, df, (categorical_target(df, 2) > 0.5).astype(int))
        booster = clf.get_booster()
        rng = np.random.default_rng(3)
        odd = np.array([np.nan, -1, -0.5, -0.0, 0, 1.5, 3.99, 6, 7, 11, 12, 31, 32, 33, 64, 100, 1e6, 2 ** 24 - 1,
                        2 ** 24, 3e7, np.inf, -np.inf], dtype=np.float32)
        X = category_codes(categorical_frame(300, 16))
        X[:, 1] = rng.choice(odd, size=len(X))
        X[:, 3] = rng.choice(odd, size=len(X))
        mlmap.save(booster, path("odd.mlmap"))
        m = mlmap.load(path("odd.mlmap"))
        p = booster.inplace_predict(X)
        self.check_proba("binary:logistic", m.predict_proba(X)[:, 1], p)


class TestFeatureNames(Case):
    def test_names_from_dmatrix_dataframe_and_override(self):
        X, Xt = features(400, seed=17), held_out()
        names = [f"f_{i}" for i in range(X.shape[1])]
        b = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "nthread": 1},
                      xgb.DMatrix(X, label=target("reg:squarederror", X), feature_names=names), 8)
        mlmap.save(b, path("names.mlmap"))
        m = mlmap.load(path("names.mlmap"))
        self.assertEqual(list(m.feature_names_in_), names)
        frame = pd.DataFrame(Xt, columns=names)
        shuffled = frame[names[::-1]]
        self.check_values("reg:squarederror", m.predict(shuffled), b.predict(xgb.DMatrix(frame)))
        mlmap.save(b, path("renamed.mlmap"), feature_names=list("abcdef"))
        self.assertEqual(list(mlmap.load(path("renamed.mlmap")).feature_names_in_), list("abcdef"))
        with self.assertRaises(ValueError):
            mlmap.save(b, path("bad.mlmap"), feature_names=["a"])
        with self.assertRaises(ValueError):
            mlmap.save(b, path("bad.mlmap"), feature_names=list("aabcde"))
        self.assertFalse(os.path.exists(path("bad.mlmap")))


class TestPythonAPI(Case):
    def test_provenance_metadata_and_no_xgboost_at_load(self):
        X = features(300, seed=18)
        clf = xgb.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1).fit(X, target("binary:logistic", X).astype(int))
        mlmap.save(clf, path("prov.mlmap"), metadata={"owner": "risk-team"})
        info = mlmap.load(path("prov.mlmap")).info()
        prov = info["provenance"]
        self.assertEqual(prov["source_library"], "xgboost")
        self.assertEqual(prov["source_version"], xgb.__version__)
        self.assertEqual(prov["numpy_version"], np.__version__)
        self.assertEqual(prov["python_version"], ".".join(map(str, sys.version_info[:3])))
        self.assertEqual(info["metadata"]["owner"], "risk-team")
        saved = json.loads(bytes(clf.get_booster().save_raw("json")))["learner"]["learner_model_param"]
        self.assertEqual(info["metadata"]["xgboost.base_score"], saved["base_score"])
        np.save(path("X.npy"), X)
        code = ("import sys, numpy as np, mlmap; m = mlmap.load(sys.argv[1]); m.predict(np.load(sys.argv[2])); "
                "m.predict_proba(np.load(sys.argv[2])); assert 'xgboost' not in sys.modules, 'xgboost imported'; "
                "assert 'sklearn' not in sys.modules, 'sklearn imported'")
        r = subprocess.run([sys.executable, "-c", code, path("prov.mlmap"), path("X.npy")], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_sparse_input_advice(self):
        # XGBoost reads a sparse matrix's implicit zeros as missing: the error
        # says so, where X.toarray() would predict otherwise than xgboost.
        import scipy.sparse
        X = np.maximum(np.random.default_rng(20).normal(size=(200, 4)), 0)
        reg = xgb.XGBRegressor(n_estimators=5, max_depth=3, n_jobs=1).fit(X, X[:, 0] + X[:, 1])
        mlmap.save(reg, path("sparse.mlmap"))
        m = mlmap.load(path("sparse.mlmap"))
        csr = scipy.sparse.csr_matrix(X)
        with self.assertRaisesRegex(TypeError, "NaN where X has no entry"):
            m.predict(csr)
        dense = np.where(csr.toarray() == 0, np.nan, X)  # no explicit zeros here
        self.check_values("reg:squarederror", m.predict(dense), reg.predict(csr))

    def test_unsupported(self):
        X = features(300, seed=19)
        y = target("reg:squarederror", X)
        linear = xgb.train({"booster": "gblinear", "nthread": 1}, xgb.DMatrix(X, label=y), 3)
        with self.assertRaisesRegex(mlmap.UnsupportedModelError, "gblinear"):
            mlmap.save(linear, path("lin.mlmap"))
        aft = xgb.train({"objective": "survival:aft", "nthread": 1},
                        xgb.DMatrix(X, label_lower_bound=np.abs(y), label_upper_bound=np.abs(y) + 1), 3)
        with self.assertRaisesRegex(mlmap.UnsupportedModelError, f"survival:aft.*xgboost {xgb.__version__}"):
            mlmap.save(aft, path("abs.mlmap"))
        logitraw = xgb.XGBClassifier(objective="binary:logitraw", n_estimators=3, n_jobs=1).fit(
            X, target("binary:logistic", X).astype(int))
        with self.assertRaisesRegex(mlmap.UnsupportedModelError, "binary:logitraw"):
            mlmap.save(logitraw, path("raw.mlmap"))
        mlmap.save(logitraw.get_booster(), path("raw.mlmap"))  # the Booster is fine: it predicts margins
        with self.assertRaises(Exception):
            mlmap.save(xgb.XGBClassifier(), path("unfitted.mlmap"))
        for name in ("lin", "abs", "unfitted"):
            self.assertFalse(os.path.exists(path(f"{name}.mlmap")))


def run(*args):
    p = subprocess.run([CLI, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class TestCLI(Case):
    def convert(self, booster, name):
        booster.save_model(path(name + ".json"))
        rc, out, err = run("convert-xgboost", path(name + ".json"), path(name + ".mlmap"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        self.assertTrue(out.startswith("OK: "), out)
        return mlmap.load(path(name + ".mlmap"), verify=True)

    def test_converted_files_predict_like_xgboost(self):
        X, Xt = features(600, seed=20), held_out()
        for objective in ["binary:logistic", "multi:softprob", "count:poisson", "rank:pairwise"]:
            with self.subTest(objective=objective):
                b = train(objective, X, target(objective, X), rounds=10, depth=4, n_classes=4,
                          base_score=BASE[objective])
                m = self.convert(b, "cli_" + objective.replace(":", "_"))
                self.assertEqual(m.info()["provenance"]["source_version"], xgb.__version__)
                self.check_booster(b, m, Xt, objective)
        df = categorical_frame(1000, 21)
        clf = xgb.XGBClassifier(n_estimators=10, max_depth=4, tree_method="hist", enable_categorical=True,
                                max_cat_to_onehot=1, n_jobs=1)
        clf = fit_cat(clf, df, (categorical_target(df, 4) > 0.5).astype(int))
        m = self.convert(clf.get_booster(), "cli_cat")
        dft = categorical_frame(300, 22)
        self.check_proba("binary:logistic", m.predict_proba(category_codes(dft)), clf.predict_proba(cat_input(dft)))
        # The CLI's own predict verb on the converted file, through a CSV.
        Xc = category_codes(dft)
        with open(path("cat.csv"), "w") as f:
            f.write(",".join(df.columns) + "\n")
            for row in Xc:
                f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + "\n")
        rc, out, err = run("predict", path("cli_cat.mlmap"), path("cat.csv"), "--proba")
        self.assertEqual(rc, 0, err)
        proba = np.array([[float(v) for v in line.split(",")] for line in out.splitlines()[1:]])
        self.check_proba("binary:logistic", proba, clf.predict_proba(cat_input(dft)))

    def test_ubjson_files_by_content(self):
        """save_model('m.ubj') (UBJSON; xgboost's default since 2.1) converts
        exactly as the JSON of the same model, whatever the file is named."""
        X, Xt = features(600, seed=26), held_out()
        objectives = ["binary:logistic", "multi:softprob", "reg:squarederror", "reg:absoluteerror", "binary:hinge"]
        for objective in objectives:
            with self.subTest(objective=objective):
                b = train(objective, X, target(objective, X), rounds=8, depth=4, n_classes=3,
                          base_score=BASE[objective])
                name = "ubj_" + objective.replace(":", "_")
                b.save_model(path(name + ".ubj"))
                with open(path(name + ".ubj"), "rb") as f:
                    head = f.read(2)
                self.assertEqual(head[:1], b"{")
                self.assertNotIn(head[1:2], b' \n"}')  # UBJSON, not JSON text
                shutil.copy(path(name + ".ubj"), path(name + ".model"))  # named like neither
                mj = self.convert(b, name)  # through the JSON
                for ext in ("ubj", "model"):
                    rc, out, err = run("convert-xgboost", path(f"{name}.{ext}"), path(f"{name}_{ext}.mlmap"))
                    self.assertEqual(rc, 0, err)
                    mu = mlmap.load(path(f"{name}_{ext}.mlmap"), verify=True)
                    self.check_booster(b, mu, Xt, objective)
                    np.testing.assert_array_equal(mu.decision_function(Xt), mj.decision_function(Xt))
        # A categorical model and a dart model as UBJSON.
        df = categorical_frame(800, 27)
        clf = fit_cat(xgb.XGBClassifier(n_estimators=8, max_depth=4, tree_method="hist", enable_categorical=True,
                                        max_cat_to_onehot=1, n_jobs=1), df, (categorical_target(df, 5) > 0.5).astype(int))
        clf.get_booster().save_model(path("cat.ubj"))
        rc, out, err = run("convert-xgboost", path("cat.ubj"), path("cat_ubj.mlmap"))
        self.assertEqual(rc, 0, err)
        dft = categorical_frame(300, 28)
        self.check_proba("binary:logistic", mlmap.load(path("cat_ubj.mlmap")).predict_proba(category_codes(dft)),
                         clf.predict_proba(cat_input(dft)))
        d = train("reg:squarederror", X, target("reg:squarederror", X), rounds=10, booster="dart", rate_drop=0.3,
                  skip_drop=0.0)
        d.save_model(path("dart.ubj"))
        rc, out, err = run("convert-xgboost", path("dart.ubj"), path("dart_ubj.mlmap"))
        self.assertEqual(rc, 0, err)
        self.check_booster(d, mlmap.load(path("dart_ubj.mlmap")), Xt, "reg:squarederror")

    def test_files_that_are_not_models_say_what_they_are(self):
        import pickle
        X = features(300, seed=29)
        b = train("binary:logistic", X, target("binary:logistic", X), rounds=3)
        with open(path("b.pkl"), "wb") as f:
            pickle.dump(b, f)
        cases = [("b.pkl", "Python pickle")]
        raw = bytes(b.save_raw("deprecated")) if XGB < (2, 1) else None
        if raw is not None:  # the old binary format (xgboost < 2.1)
            with open(path("b.bin"), "wb") as f:
                f.write(raw)
            cases.append(("b.bin", "old binary model format"))
        for name, needle in cases:
            with self.subTest(name=name):
                rc, out, err = run("convert-xgboost", path(name), path("never.mlmap"))
                self.assertEqual(rc, 2, err)
                self.assertIn("import_failed", err)
                self.assertIn(needle, err)
                self.assertFalse(os.path.exists(path("never.mlmap")))

    def test_exit_codes_and_messages(self):
        X = features(300, seed=23)
        b = train("binary:logistic", X, target("binary:logistic", X), rounds=3)
        b.save_model(path("ok.json"))
        with open(path("ok.json")) as f:
            text = f.read()

        def fails(expect_rc, *args, needle=""):
            out_file = path("never.mlmap")
            rc, out, err = run("convert-xgboost", *args)
            self.assertEqual(rc, expect_rc, (args, out, err))
            self.assertEqual(out, "")
            lines = err.splitlines()
            self.assertEqual(len(lines), 1, err)
            self.assertTrue(lines[0].startswith("mlmap: "), err)
            self.assertIn(needle, lines[0])
            self.assertFalse(os.path.exists(out_file))

        fails(1)
        fails(1, path("ok.json"), needle="missing")
        fails(1, path("ok.json"), path("never.mlmap"), "extra")
        fails(1, path("ok.json"), path("never.mlmap"), "--bogus", needle="--bogus")
        fails(2, path("missing.json"), path("never.mlmap"), needle="io_error")
        fails(2, TMP, path("never.mlmap"), needle="not_a_file")
        with open(path("trunc.json"), "w") as f:
            f.write(text[: len(text) // 2])
        fails(2, path("trunc.json"), path("never.mlmap"), needle="import_failed")
        with open(path("empty.json"), "w"):
            pass
        fails(2, path("empty.json"), path("never.mlmap"), needle="empty")
        doc = json.loads(text)
        doc["learner"]["objective"]["name"] = "survival:cox"
        with open(path("abs.json"), "w") as f:
            json.dump(doc, f)
        fails(2, path("abs.json"), path("never.mlmap"), needle="unsupported_model")
        doc = json.loads(text)
        doc["learner"]["gradient_booster"]["model"]["trees"][1]["left_children"][0] = 10 ** 6
        with open(path("child.json"), "w") as f:
            json.dump(doc, f)
        fails(2, path("child.json"), path("never.mlmap"), needle="tree 1, node 0: child 1000000")
        linear = xgb.train({"booster": "gblinear", "nthread": 1}, xgb.DMatrix(X, label=target("reg:squarederror", X)), 2)
        linear.save_model(path("linear.json"))
        fails(2, path("linear.json"), path("never.mlmap"), needle="gblinear")
        fails(2, path("ok.json"), os.path.join(TMP, "no-such-dir", "x.mlmap"), needle="")
        rc, out, err = run("convert-xgboost", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("convert-xgboost MODEL.json|MODEL.ubj OUT.mlmap", out)
        rc, out, err = run("--help")
        self.assertIn("convert-xgboost", out)


if __name__ == "__main__":
    unittest.main(verbosity=1)
