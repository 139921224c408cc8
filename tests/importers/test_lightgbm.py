#!/usr/bin/python3
"""mlmap against LightGBM's own predict: every supported objective, Booster
and scikit-learn wrappers, NaN, zeros and values within LightGBM's zero band
(|x| <= 1e-35), large-magnitude features (float64 thresholds), integer-coded
categorical features (with negative, fractional and huge values), pandas
categorical columns (strings and numbers, custom order, unseen values),
zero_as_missing and use_missing=False, num_iteration and early stopping, rf /
dart / goss, a Pipeline ending in a LightGBM model, the CLI
(`mlmap convert-lightgbm`) and the refusals (linear trees, reg_sqrt,
cross_entropy_lambda).

Needs lightgbm (not in Debian): without it this suite exits 77, which meson
counts as SKIP -- unless MLMAP_LIGHTGBM_PYTHON names an interpreter that has
it (a venv of Debian's /usr/bin/python3, so that the built extension loads),
which then runs this script instead:
    MLMAP_LIGHTGBM_PYTHON=/path/to/venv/bin/python meson test -C build parity-lightgbm
Run by meson (suite 'parity') with PYTHONPATH = the built
Python package and MLMAP_CLI = the built CLI; by hand, with an interpreter
that has lightgbm, pandas and scikit-learn:
    PYTHONPATH=build/tools/python MLMAP_CLI=build/tools/mlmap python tests/importers/test_lightgbm.py

Expected values are always LightGBM's own predictions on held-out rows.
Tolerance: |a - b| <= 1e-6 * max(|b|, 1) for probabilities, values and raw
scores; labels: no mismatch.  Both sides sum float64 leaves in the same
order, so the measured differences are ~1e-16; the worst per objective are
printed at the end.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

try:
    import lightgbm as lgb
except ImportError:
    other = os.environ.pop("MLMAP_LIGHTGBM_PYTHON", None)  # popped: tried once
    if other:
        os.execv(other, [other, os.path.abspath(__file__)] + sys.argv[1:])
    print(f"SKIP: lightgbm is not installed for {sys.executable}; this suite runs where it is "
          "(tools/requirements-current.txt, environment B; or set MLMAP_LIGHTGBM_PYTHON)")
    sys.exit(77)

import numpy as np
import pandas as pd

import mlmap

warnings.filterwarnings("ignore")

CLI = os.environ.get("MLMAP_CLI", "build/tools/mlmap")
TMP = None
TOL = 1e-6
WORST = {}  # objective -> {"proba"|"value"|"raw": max rel diff, "labels": mismatches, "n": values compared}

OBJECTIVES = ["binary", "cross_entropy", "multiclass", "multiclassova", "regression", "regression_l1", "huber",
              "fair", "quantile", "mape", "poisson", "gamma", "tweedie", "lambdarank", "rank_xendcg"]
CLASSIFIERS = ("binary", "multiclass", "multiclassova")
RANKERS = ("lambdarank", "rank_xendcg")


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="mlmap-lgb-")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    print(f"\nworst differences vs lightgbm {lgb.__version__} (max |a-b|/max(|b|,1)):", file=sys.stderr)
    for name in sorted(WORST):
        w = WORST[name]
        cells = "  ".join(f"{k} {w[k]:.2e}" if w.get(k) is not None else f"{k} {'-':8s}"
                          for k in ("proba", "value", "raw"))
        print(f"  {name:34s} compared {w['n']:8d}  {cells}  label mismatches {w['labels']}", file=sys.stderr)


def path(name):
    return os.path.join(TMP, name)


def record(name, kind, value):
    w = WORST.setdefault(name, {"labels": 0, "n": 0})
    if kind in ("labels", "n"):
        w[kind] += int(value)
    else:
        w[kind] = max(w.get(kind) or 0.0, float(value))


# --- data ----------------------------------------------------------------------------

CITIES = ["Paris", "Lyon", "Nice", "Lille", "Brest", "Caen"]
BAND = [0.0, -0.0, 1e-36, -1e-36, 1e-35, -1e-35, 2e-35, -2e-35, 1e-300]


def frame(n, seed, held_out=False):
    """A DataFrame of every kind of column; held-out rows add what training
    never saw: unseen categories, fractional / negative / huge codes,
    infinities, whole rows of NaN."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    amount = 1.7e9 + rng.integers(0, 1000, n) + rng.random(n)  # float32 would merge these
    zeros = np.where(rng.random(n) < 0.4, rng.choice(BAND, n), rng.normal(size=n))
    ints = rng.integers(0, 5, n).astype(float)
    code = rng.integers(0, 12, n).astype(float)
    cities = np.array(CITIES + (["Nowhere"] if held_out else []), dtype=object)
    city = rng.choice(cities, n).astype(object)
    size = rng.choice([10, 20, 30], n)
    for col in (x0, amount, zeros, ints, code):
        col[rng.random(n) < 0.08] = np.nan
    city[rng.random(n) < 0.08] = None
    if held_out:
        special = np.array([-1.0, -0.5, -1e-300, -0.0, 2.5, 11.999, 12.0, 1e6, 3e9, np.inf, -np.inf, -3.0])
        code[:len(special)] = special
        zeros[:len(BAND)] = BAND
        x0[len(special):len(special) + 3] = [np.inf, -np.inf, 0.0]
    df = pd.DataFrame({
        "x0": x0, "amount": amount, "zeros": zeros, "ints": ints, "code": code,
        # Training sees all categories in one order; held-out data builds its own
        # Categorical (other categories, other order): LightGBM maps by value.
        "city": pd.Categorical(city, categories=CITIES if not held_out else sorted(set(cities))),
        "size": pd.Categorical(size, categories=[30, 10, 20] if not held_out else [10, 20, 30]),
    })
    if held_out:
        df.iloc[-3:, :] = np.nan
    return df


def target(objective, df, seed=0):
    rng = np.random.default_rng(seed + 100)
    x0 = df["x0"].fillna(0).to_numpy()
    code = df["code"].fillna(-1).to_numpy()
    city = df["city"].astype(object).fillna("").to_numpy()
    z = df["zeros"].fillna(1).to_numpy()
    lin = (x0 + np.isin(code, [0, 3, 7]) - 0.7 * (city == "Lyon") + 0.5 * (np.abs(z) <= 1e-35)
           + 0.3 * (df["amount"].fillna(0).to_numpy() % 2 > 1) + 0.3 * rng.normal(size=len(df)))
    if objective == "binary":
        return (lin > 0.3).astype(int)
    if objective in ("multiclass", "multiclassova"):
        return np.digitize(lin, np.quantile(lin, [1 / 3, 2 / 3]))
    if objective == "cross_entropy":
        return 1 / (1 + np.exp(-lin))
    if objective in ("poisson", "tweedie"):
        return rng.poisson(np.exp(0.5 * lin)).astype(float)
    if objective in ("gamma", "mape"):
        return np.exp(0.5 * lin) * rng.gamma(2.0, 0.5, size=len(df)) + 0.05
    if objective in RANKERS:
        return np.clip(np.round(lin + 1.5), 0, 3).astype(int)
    return 3 * x0 + lin


def numeric(n, seed, held_out=False):
    """A matrix whose column 1 is an integer-coded categorical feature."""
    df = frame(n, seed, held_out)
    return df[["x0", "code", "zeros", "amount", "ints"]].to_numpy(dtype=np.float64)


# --- comparison -------------------------------------------------------------------------

def rel_diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    if not a.size:
        return 0.0
    both_inf = np.isinf(a) & (a == b)
    d = np.where(both_inf, 0.0, np.abs(a - b) / np.maximum(np.abs(b), 1.0))
    return float(np.nanmax(np.where(np.isnan(a) & np.isnan(b), 0.0, np.where(np.isnan(d), np.inf, d))))


class Case(unittest.TestCase):
    def check(self, name, kind, mine, theirs):
        d = rel_diff(mine, theirs)
        record(name, kind, d)
        record(name, "n", np.size(mine))
        self.assertLessEqual(d, TOL, f"{name}: {kind} differs by {d} (relative)")

    def check_labels(self, name, mine, theirs):
        self.assertEqual(np.shape(mine), np.shape(theirs))
        mismatches = int(np.sum(np.asarray(mine) != np.asarray(theirs)))
        record(name, "labels", mismatches)
        self.assertEqual(mismatches, 0, f"{name}: {mismatches} label mismatches")

    def check_booster(self, name, booster, m, X, num_iteration=None, average=1):
        """mlmap model m against Booster.predict (value and raw_score) on X."""
        pred = booster.predict(X, num_iteration=num_iteration)
        raw = booster.predict(X, raw_score=True, num_iteration=num_iteration)
        # rf: LightGBM's raw_score is the sum over iterations, its predict
        # the average; mlmap's raw scores are what the link sees (the average).
        self.check(name, "raw", m.decision_function(X), raw / average)
        if m.task == "classification":
            proba = m.predict_proba(X)
            if proba.shape[1] == 2 and np.ndim(pred) == 1:
                self.check(name, "proba", proba[:, 1], pred)
                self.check_labels(name, m.predict(X), np.argmax(np.vstack([1 - pred, pred]).T, axis=1))
            else:
                self.check(name, "proba", proba, pred)
                self.check_labels(name, m.predict(X), np.argmax(pred, axis=1))
        else:
            self.check(name, "value", m.predict(X), pred)

    def check_wrapper(self, name, est, m, X):
        if hasattr(est, "predict_proba"):
            self.check(name, "proba", m.predict_proba(X), est.predict_proba(X))
            self.check_labels(name, m.predict(X), est.predict(X))
            self.check(name, "raw", m.decision_function(X), est.predict(X, raw_score=True))
        else:
            self.check(name, "value", m.predict(X), est.predict(X))


def save_load(model, name, **kw):
    p = path(name + ".mlmap")
    mlmap.save(model, p, **kw)
    m = mlmap.load(p, verify=True)
    return m


def params(objective, **kw):
    p = {"objective": objective, "verbose": -1, "num_threads": 1, "seed": 0, "num_leaves": 15,
         "min_data_in_leaf": 5, "min_data_per_group": 5, "cat_smooth": 1.0, "max_cat_to_onehot": 4}
    if objective in ("multiclass", "multiclassova"):
        p["num_class"] = 3
    p.update(kw)
    return p


def dataset(objective, df, y, **kw):
    ds = lgb.Dataset(df, y, free_raw_data=False, **kw)
    if objective in RANKERS:
        ds.set_group([20] * (len(df) // 20))
    return ds


# --- tests ----------------------------------------------------------------------------------

class TestObjectives(Case):
    """lgb.train boosters of every objective on a DataFrame with pandas
    categoricals, NaN and the zero band; saved with mlmap.save(booster)."""

    def run_objective(self, objective):
        df = frame(1200, seed=1)
        dt = frame(500, seed=2, held_out=True)
        y = target(objective, df)
        for i, extra in enumerate([dict(), dict(num_leaves=63, learning_rate=0.3),
                                   dict(zero_as_missing=True), dict(use_missing=False)]):
            with self.subTest(objective=objective, config=i):
                b = lgb.train(params(objective, **extra), dataset(objective, df, y), num_boost_round=15)
                m = save_load(b, f"{objective}-{i}")
                self.check_booster(objective, b, m, dt)
                self.assertEqual(m.info()["provenance"]["source_library"], "lightgbm")

    def test_each_objective(self):
        for objective in OBJECTIVES:
            self.run_objective(objective)


class TestWrappers(Case):
    def test_classifier_with_string_labels_and_categoricals(self):
        df, dt = frame(1200, 3), frame(400, 4, held_out=True)
        for objective, n_classes in (("binary", 2), ("multiclass", 3), ("multiclassova", 3)):
            y = np.array(["lo", "mid", "hi"])[np.clip(target("multiclass", df), 0, n_classes - 1)]
            est = lgb.LGBMClassifier(objective=objective if objective != "binary" else None, n_estimators=20,
                                     num_leaves=15, min_child_samples=5, verbose=-1).fit(df, y)
            m = save_load(est, f"clf-{objective}")
            self.assertEqual(list(m.classes_), list(est.classes_))
            self.assertEqual(m.info()["estimator"], "lightgbm.LGBMClassifier")
            self.check_wrapper(f"LGBMClassifier {objective}", est, m, dt)
            if objective == "multiclassova":
                self.assertEqual(m.info()["link"], "logistic_each")
                self.assertEqual(m.info()["format_version"], "1.1")

    def test_regressor_and_ranker(self):
        df, dt = frame(1200, 5), frame(400, 6, held_out=True)
        est = lgb.LGBMRegressor(n_estimators=30, min_child_samples=5, verbose=-1).fit(df, target("regression", df))
        self.check_wrapper("LGBMRegressor", est, save_load(est, "reg"), dt)
        est = lgb.LGBMRegressor(objective="poisson", n_estimators=30, min_child_samples=5, verbose=-1).fit(
            df, target("poisson", df))
        self.check_wrapper("LGBMRegressor poisson", est, save_load(est, "reg-poisson"), dt)
        est = lgb.LGBMRanker(n_estimators=20, min_child_samples=5, verbose=-1).fit(
            df, target("lambdarank", df), group=[20] * 60)
        m = save_load(est, "ranker")
        self.assertEqual(m.task, "ranking")
        self.check_wrapper("LGBMRanker", est, m, dt)

    def test_walk_estimate_from_leaf_counts(self):
        """LightGBM's leaf_count (training rows a leaf) weighs the node walk's
        cost estimate, which picks the batch kernel (FORMAT.md 5.1.1): the
        expected deepest path of 8 rows a tree, recomputed from the dump."""
        rng = np.random.default_rng(12)
        X = rng.normal(size=(3000, 8)).astype(np.float32)  # numeric: float32 thresholds, no category sets
        y = X[:, 0] * 3 + np.sin(X[:, 1] * 2) + X[:, 2] * X[:, 3]
        est = lgb.LGBMRegressor(n_estimators=20, num_leaves=255, min_child_samples=2, verbose=-1).fit(X, y)
        want = 0.0
        for tree in est.booster_.dump_model()["tree_info"]:
            depths, counts, stack = [], [], [(tree["tree_structure"], 0)]
            while stack:
                node, d = stack.pop()
                if "leaf_index" in node or "split_index" not in node:
                    depths.append(d)
                    counts.append(node.get("leaf_count", 0))
                else:
                    stack += [(node["left_child"], d + 1), (node["right_child"], d + 1)]
            reach = np.bincount(depths, weights=counts) / np.sum(counts)
            want += float(np.sum(1.0 - np.minimum(np.cumsum(reach)[:-1], 1.0) ** 8))
        info = save_load(est, "covers").info()["trees"]
        self.assertIn("bitvectors", info)  # deep, unbalanced trees: the writer gives them the layout
        self.assertTrue(info["bitvectors"]["walk_steps_covered"])
        self.assertAlmostEqual(info["bitvectors"]["walk_steps"], want, delta=1e-9 * want)

    def test_early_stopping_uses_best_iteration(self):
        df, dv, dt = frame(1200, 7), frame(300, 8), frame(400, 9, held_out=True)
        est = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.3, min_child_samples=5, verbose=-1)
        est.fit(df, target("binary", df), eval_set=[(dv, target("binary", dv))],
                callbacks=[lgb.early_stopping(5, verbose=False)])
        self.assertGreater(est.best_iteration_, 0)
        # (lgb.train keeps the iterations up to the best one: the booster ends there)
        m = save_load(est, "early")
        self.check_wrapper("early stopping (best_iteration)", est, m, dt)
        m = save_load(est.booster_, "early-booster")
        self.check_booster("early stopping (best_iteration)", est.booster_, m, dt)

    def test_num_iteration(self):
        df, dt = frame(1000, 10), frame(300, 11, held_out=True)
        b = lgb.train(params("multiclass"), dataset("multiclass", df, target("multiclass", df)), 12)
        text = b.model_to_string().encode()
        for k in (1, 5, 12):
            p = path(f"iter-{k}.mlmap")
            mlmap._core.convert_lightgbm_text(text, p, {"iteration_end": k})
            self.check_booster("num_iteration", b, mlmap.load(p), dt, num_iteration=k)
        with self.assertRaises(ValueError):
            mlmap._core.convert_lightgbm_text(text, path("x.mlmap"), {"iteration_end": 13})


class TestBoosting(Case):
    def test_rf_dart_goss(self):
        df, dt = frame(1200, 12), frame(400, 13, held_out=True)
        for objective in ("binary", "multiclass", "regression"):
            y = target(objective, df)
            for name, extra in (("rf", dict(boosting="rf", bagging_freq=1, bagging_fraction=0.7)),
                                ("dart", dict(boosting="dart", drop_rate=0.3)),
                                ("goss", dict(data_sample_strategy="goss"))):
                with self.subTest(objective=objective, boosting=name):
                    n = 12
                    b = lgb.train(params(objective, **extra), dataset(objective, df, y), n)
                    m = save_load(b, f"{name}-{objective}")
                    self.check_booster(f"{name} {objective}", b, m, dt, average=n if name == "rf" else 1)


class TestMatrices(Case):
    """Integer-coded categorical features of a matrix (no pandas step): LightGBM's
    own reading of negative, fractional, huge and infinite codes."""

    def test_integer_coded_categorical(self):
        X, Xt = numeric(2000, 14), numeric(600, 15, held_out=True)
        for objective in ("binary", "regression", "multiclass"):
            for extra in (dict(), dict(max_cat_to_onehot=1, cat_l2=1.0), dict(zero_as_missing=True)):
                with self.subTest(objective=objective, extra=extra):
                    df = pd.DataFrame(X)
                    y = target(objective, pd.DataFrame({"x0": X[:, 0], "code": X[:, 1], "zeros": X[:, 2],
                                                        "amount": X[:, 3], "city": [None] * len(X)}))
                    b = lgb.train(params(objective, **extra),
                                  lgb.Dataset(X, y, categorical_feature=[1], free_raw_data=False), 25)
                    m = save_load(b, "coded")
                    self.assertEqual(m.info()["feature_names"], [])  # LightGBM's Column_i names: none
                    self.check_booster(f"integer-coded {objective}", b, m, Xt)
                    self.check_booster(f"integer-coded {objective} float32", b, m, Xt.astype(np.float32))


class TestPandas(Case):
    def test_category_values_not_codes(self):
        """A held-out DataFrame whose Categoricals have other categories, in
        another order, with values training never saw."""
        df = frame(1000, 16)
        b = lgb.train(params("binary"), dataset("binary", df, target("binary", df)), 20)
        m = save_load(b, "pandas")
        self.assertEqual(m.info()["string_columns"], ["city"])
        dt = frame(300, 17, held_out=True)
        self.check_booster("pandas categories", b, m, dt)
        # The same rows as plain strings / numbers: mlmap maps by value too.
        plain = dt.assign(city=dt["city"].astype(object), size=dt["size"].astype(float))
        self.check(("pandas categories"), "proba", m.predict_proba(plain)[:, 1], b.predict(dt))

    def test_numeric_categories_only(self):
        df = frame(1000, 18).drop(columns=["city"])
        b = lgb.train(params("regression"), dataset("regression", df, target("regression", frame(1000, 18))), 20)
        m = save_load(b, "pandas-numeric")
        self.assertEqual(m.info()["string_columns"], [])
        self.check_booster("pandas numeric categories", b, m, frame(300, 19, held_out=True).drop(columns=["city"]))

    def test_ordered_categorical_needs_names(self):
        df = frame(1000, 20)
        df["grade"] = pd.Categorical(np.random.default_rng(0).choice(["lo", "mid", "hi"], len(df)),
                                     categories=["lo", "mid", "hi"], ordered=True)
        b = lgb.train(params("binary"), dataset("binary", df, target("binary", df)), 10)
        with self.assertRaises(mlmap.UnsupportedModelError) as cm:
            mlmap.save(b, path("ordered.mlmap"))
        self.assertIn("pandas_categorical=", str(cm.exception))
        m = save_load(b, "ordered", pandas_categorical=["city", "size", "grade"])
        dt = frame(300, 21, held_out=True)
        dt["grade"] = pd.Categorical(np.random.default_rng(1).choice(["lo", "mid", "hi"], len(dt)),
                                     categories=["lo", "mid", "hi"], ordered=True)
        self.check_booster("ordered categorical", b, m, dt)


class TestPipeline(Case):
    def test_pipeline_ending_in_lightgbm(self):
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler
        df = frame(1000, 22)
        df["city"] = df["city"].astype(object).where(df["city"].notna(), "none")
        dt = frame(300, 23, held_out=True).replace([np.inf, -np.inf], np.nan)  # sklearn refuses inf
        dt["city"] = dt["city"].astype(object).where(dt["city"].notna(), "none")
        num = ["x0", "amount", "zeros", "ints", "code"]
        pre = ColumnTransformer([("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), num),
                                 ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"])])
        for final, name in ((lgb.LGBMClassifier(n_estimators=20, verbose=-1), "classifier"),
                            (lgb.LGBMRegressor(n_estimators=20, verbose=-1), "regressor")):
            pipe = Pipeline([("pre", pre), ("model", final)])
            y = target("binary" if name == "classifier" else "regression", df)
            pipe.fit(df[num + ["city"]], y)
            m = save_load(pipe, f"pipe-{name}")
            self.assertIn("LGBM", m.info()["estimator"])
            X = dt[num + ["city"]]
            if name == "classifier":
                self.check(f"Pipeline -> LGBM {name}", "proba", m.predict_proba(X), pipe.predict_proba(X))
                self.check_labels(f"Pipeline -> LGBM {name}", m.predict(X), pipe.predict(X))
            else:
                self.check(f"Pipeline -> LGBM {name}", "value", m.predict(X), pipe.predict(X))


class TestRefusals(Case):
    def setUp(self):
        self.df = frame(500, 24)

    def refused(self, objective, y, message, **extra):
        b = lgb.train(params(objective, **extra), dataset(objective, self.df, y), 5)
        with self.assertRaises(mlmap.UnsupportedModelError) as cm:
            mlmap.save(b, path("refused.mlmap"))
        self.assertIn(message, str(cm.exception))
        self.assertFalse(os.path.exists(path("refused.mlmap")))

    def test_linear_tree(self):
        X = numeric(500, 25)
        b = lgb.train(params("regression", linear_tree=True), lgb.Dataset(X, X[:, 0] * 2 + 1), 5)
        with self.assertRaises(mlmap.UnsupportedModelError) as cm:
            mlmap.save(b, path("linear.mlmap"))
        self.assertIn("linear_tree", str(cm.exception))

    def test_objectives_without_a_link(self):
        self.refused("cross_entropy_lambda", target("cross_entropy", self.df), "cross_entropy_lambda")
        self.refused("regression", target("regression", self.df), "reg_sqrt", reg_sqrt=True)

    def test_wrappers(self):
        est = lgb.LGBMRegressor(objective="binary", n_estimators=3, verbose=-1).fit(self.df, target("binary", self.df))
        with self.assertRaises(mlmap.UnsupportedModelError):
            mlmap.save(est, path("x.mlmap"))
        est = lgb.LGBMClassifier(n_estimators=3, verbose=-1, pred_early_stop=True).fit(self.df, target("binary", self.df))
        with self.assertRaises(mlmap.UnsupportedModelError):
            mlmap.save(est, path("x.mlmap"))
        # A Booster's predict takes no training params: pred_early_stop in
        # them does not apply, so it is saved and predicts every tree.
        X = np.random.default_rng(3).normal(size=(400, 4))
        y = (X[:, 0] * 2 + X[:, 1] > 0).astype(int)
        b = lgb.train(dict(objective="binary", verbose=-1, num_threads=1, pred_early_stop=True,
                           pred_early_stop_margin=0.5, pred_early_stop_freq=2), lgb.Dataset(X, y), 20)
        mlmap.save(b, path("early.mlmap"))
        np.testing.assert_allclose(mlmap.load(path("early.mlmap")).predict_proba(X)[:, 1], b.predict(X), rtol=1e-12)

    def test_custom_objective(self):
        # A regressor's predict with a custom objective is the raw score: saved.
        # A classifier's would give raw scores as labels and probabilities: refused.
        def l2(y_true, y_pred):
            return y_pred - y_true, np.ones_like(y_pred)
        X = np.random.default_rng(6).normal(size=(300, 3))
        y = X[:, 0] - 2 * X[:, 1]
        reg = lgb.LGBMRegressor(objective=l2, n_estimators=10, verbose=-1, n_jobs=1).fit(X, y)
        mlmap.save(reg, path("custom.mlmap"))
        np.testing.assert_allclose(mlmap.load(path("custom.mlmap")).predict(X), reg.predict(X), rtol=1e-12)
        clf = lgb.LGBMClassifier(objective=l2, n_estimators=3, verbose=-1, n_jobs=1).fit(X, y > 0)
        with self.assertRaisesRegex(mlmap.UnsupportedModelError, "custom objective"):
            mlmap.save(clf, path("custom_clf.mlmap"))

    def test_feature_names_with_spaces(self):
        # LightGBM stores 'unit price' as 'unit_price' and still predicts the
        # DataFrame it was trained on: so does the file.
        rng = np.random.default_rng(4)
        df = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a b", "c", "unit price"])
        y = df["a b"] * 2 - df["c"]
        for est in [lgb.LGBMRegressor(n_estimators=5, verbose=-1, n_jobs=1).fit(df, y),
                    lgb.train({"verbose": -1, "num_threads": 1}, lgb.Dataset(df, y), 5)]:
            with self.subTest(type(est).__name__):
                mlmap.save(est, path("spaces.mlmap"))
                m = mlmap.load(path("spaces.mlmap"))
                self.assertEqual(list(m.feature_names_in_), ["a_b", "c", "unit_price"])
                np.testing.assert_allclose(m.predict(df), est.predict(df), rtol=1e-12)
                np.testing.assert_allclose(m.predict(df[["unit price", "c", "a b"]]), est.predict(df), rtol=1e-12)
        est = lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(self.df, target("binary", self.df))
        with self.assertRaises(ValueError):
            mlmap.save(est, path("x.mlmap"), pandas_categorical=["nope", "size"])
        with self.assertRaises(ValueError):
            mlmap.save(est, path("x.mlmap"), pandas_categorical=["city"])  # two lists
        with self.assertRaises(ValueError):
            mlmap.save(np.zeros(3), path("x.mlmap"), pandas_categorical=["city"])


class TestCLI(Case):
    def run_cli(self, *args):
        return subprocess.run([CLI, *args], capture_output=True, text=True)

    def test_convert(self):
        X, Xt = numeric(1000, 26), numeric(300, 27, held_out=True)
        b = lgb.train(params("multiclass"), lgb.Dataset(X, target("multiclass", frame(1000, 26)),
                                                        categorical_feature=[1]), 10)
        b.save_model(path("model.txt"))
        r = self.run_cli("convert-lightgbm", path("model.txt"), path("cli.mlmap"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK:", r.stdout)
        self.check_booster("CLI convert-lightgbm", b, mlmap.load(path("cli.mlmap"), verify=True), Xt)
        r = self.run_cli("convert-lightgbm", path("model.txt"), path("cli3.mlmap"), "--num-iteration", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_booster("CLI convert-lightgbm", b, mlmap.load(path("cli3.mlmap")), Xt, num_iteration=3)
        # Errors: one line on stderr, exit 2 (bad input) or 1 (usage).
        with open(path("model.txt")) as f:
            text = f.read()
        with open(path("bad.txt"), "w") as f:
            f.write(text.replace("num_leaves=", "num_leaves=x", 1))
        r = self.run_cli("convert-lightgbm", path("bad.txt"), path("bad.mlmap"))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("num_leaves", r.stderr)
        self.assertFalse(os.path.exists(path("bad.mlmap")))
        r = self.run_cli("convert-lightgbm", path("model.txt"))
        self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
