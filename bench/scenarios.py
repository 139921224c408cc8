"""The benchmark scenarios: what is trained, which peer it is measured against
and which targets (from the issue "a benchmark suite against the peers") the
results are checked against.

Adding a scenario is one entry in SCENARIOS: a name, a data set, a function
building the unfitted estimator, the peer and (optionally) targets.  Anything
`mlmap.save` accepts works; make_models.py trains it, bench_predict (C++) and
peers.py (Python) time it, run_benchmarks.py reports it.  For example, once
mlmap saves linear models:

    Scenario("logreg", "LogisticRegression, 100 features",
             Data("classification", n_features=100, n_train=20_000),
             lambda: sklearn.linear_model.LogisticRegression(max_iter=500)),

Targets are the issue's thresholds (inputs, not results); every number in the
report comes from a measurement of the same run.
"""

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass(frozen=True)
class Data:
    """A synthetic data set (sklearn make_classification / make_regression).
    Test rows are drawn from the same distribution; NaN is injected into
    train and test when nan_fraction > 0."""
    kind: str                      # "classification" | "regression"
    n_features: int
    n_train: int
    n_informative: int = 10
    n_classes: int = 2
    flip_y: float = 0.01
    nan_fraction: float = 0.0
    seed: int = 0
    categorical: int = 0           # the last `categorical` columns become codes 0..categories-1
    categories: int = 8
    strings: bool = False          # categorical columns hold the strings 'c<code>' (a DataFrame)


@dataclass(frozen=True)
class Target:
    """A threshold the report checks.

    metric:
      single_us        mlmap 1-row p50 latency in C++ (auto-chosen kernel), µs   (<=)
      single_vs_peer   peer 1-row p50 / mlmap 1-row p50                           (>=)
      batch_vs_peer    mlmap rows/s / peer rows/s at the record batch size        (>=)
      threads_speedup  mlmap rows/s with 2 threads / with 1 thread (record batch) (>=)
      open_us          mlmap Model::open in C++, warm, median µs                  (<)
      py_load_ms       mlmap.load in Python, warm, median ms                      (<)
      load_vs_joblib   joblib.load median / mlmap.load median                     (>=)
    """
    metric: str
    value: float
    issue: str = ""                     # the issue's scenario number


@dataclass
class Scenario:
    name: str
    title: str
    data: Data
    make: Callable[[], object]          # the unfitted estimator
    peer: str = "sklearn"               # "sklearn" (Python, via joblib) | "xgboost" (C API)
    targets: tuple = ()
    threads: tuple = (1,)               # mlmap batch thread counts to time
    issue: str = ""                     # the issue's scenario number, for the report
    quick: dict = field(default_factory=dict)  # Data overrides in --quick mode
    quick_make: Optional[Callable[[], object]] = None
    in_sweep: bool = False              # its trees feed the open/load-vs-size sweep
    group: str = ""                     # scenarios of one group: the report gives their median and worst ratio
    shape: bool = False                 # a point of the shape sweep (SHAPES): fewer timings, own report
    in_quick: bool = True               # timed by --quick runs too
    # The check before timing: |mlmap - peer| <= tolerance * max(1, |peer|).
    # Looser only where the peer itself computes in lower precision (say why).
    tolerance: float = 1e-6
    tolerance_why: str = ""
    # At most this many test rows in every timing and check (models whose
    # rows cost milliseconds each: k-nearest neighbours); None: the mode's.
    n_test: Optional[int] = None

    def data_for(self, quick):
        return dataclasses.replace(self.data, **self.quick) if quick else self.data

    def estimator_for(self, quick):
        return (self.quick_make or self.make)() if quick else self.make()

    def n_test_generated(self):
        """Test rows drawn for this model: N_TEST_GENERATED, fewer for wide
        sweep shapes (SHAPE_TEST_BYTES of float32 at most)."""
        if not self.shape:
            return N_TEST_GENERATED
        return max(RECORD_BATCH, min(N_TEST_GENERATED, SHAPE_TEST_BYTES // (4 * self.data.n_features)))

    def key(self, quick, versions):
        """Cache key: everything that determines the trained model."""
        est = self.estimator_for(quick)
        params = est.get_params() if hasattr(est, "get_params") else {}
        data = dataclasses.asdict(self.data_for(quick))
        for f in ("categories", "strings"):  # fields added later: their defaults keep old keys
            if data[f] == Data.__dataclass_fields__[f].default:
                del data[f]
        blob = json.dumps({
            "name": self.name, "data": data,
            "estimator": f"{type(est).__module__}.{type(est).__qualname__}",
            "params": {k: repr(v) for k, v in sorted(params.items())},
            "versions": versions, "n_test": self.n_test_generated(),
        }, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _sk(cls_path, **kw):
    def make():
        import importlib
        module, cls = cls_path.rsplit(".", 1)
        return getattr(importlib.import_module(module), cls)(**kw)
    return make


def _pipeline(n_numeric=8, n_categorical=4, names=False, poly=False, impute_categories=False):
    """Imputer + scaler on the numeric columns (then, with `poly`, their
    degree-2 products), one-hot on the categorical ones, then a logistic
    regression.  Columns by index, or by name (f0, f1, ...) for DataFrames."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

    def cols(r):
        return [f"f{i}" for i in r] if names else list(r)

    num = [("impute", SimpleImputer()), ("scale", StandardScaler())]
    if poly:
        num.append(("poly", PolynomialFeatures(2)))
    cat = OneHotEncoder(handle_unknown="ignore")
    if impute_categories:
        cat = Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")), ("one_hot", cat)])
    parts = [("num", Pipeline(num), cols(range(n_numeric)))]
    if n_categorical:
        parts.append(("cat", cat, cols(range(n_numeric, n_numeric + n_categorical))))
    return Pipeline([("pre", ColumnTransformer(parts)), ("model", LogisticRegression(max_iter=1000))])


def _pipeline_12():
    """The issue's 12-column pipeline: imputer + scaler on 8 numeric columns,
    one-hot on 4 coded ones, then a logistic regression."""
    return _pipeline()


def _xgb(regression=False, **kw):
    def make():
        import xgboost
        return (xgboost.XGBRegressor if regression else xgboost.XGBClassifier)(**kw)
    return make


# Training uses both cores (n_jobs=2); every timed prediction of a peer runs on
# one thread (n_jobs=1, OMP_NUM_THREADS=1, XGBoost nthread=1).
SCENARIOS = [
    Scenario(
        "rf_clf", "RandomForestClassifier, 100 trees, max_depth 8, 20 features, 2 classes",
        Data("classification", n_features=20, n_train=20_000, seed=1),
        _sk("sklearn.ensemble.RandomForestClassifier", n_estimators=100, max_depth=8,
            n_jobs=2, random_state=0),
        targets=(Target("single_us", 3.0, "1"), Target("batch_vs_peer", 5.0, "1"),
                 Target("threads_speedup", 1.8, "4")),
        threads=(1, 2), issue="1, 4", in_sweep=True),
    Scenario(
        "xgb_clf", "XGBClassifier, 300 trees, max_depth 8, 30 features, NaN in train and test",
        Data("classification", n_features=30, n_train=50_000, nan_fraction=0.1, seed=2),
        _xgb(n_estimators=300, max_depth=8, tree_method="hist", n_jobs=2, random_state=0),
        peer="xgboost",
        targets=(Target("single_vs_peer", 5.0, "2"), Target("batch_vs_peer", 3.0, "2")),
        issue="2"),
    Scenario(
        "rf_large", "RandomForestClassifier, unlimited depth, 20 features (the large forest: "
        "200 trees on 560k rows; --quick: 24 trees on 60k rows)",
        Data("classification", n_features=20, n_train=560_000, seed=3),
        _sk("sklearn.ensemble.RandomForestClassifier", n_estimators=200, n_jobs=2, random_state=0),
        targets=(Target("open_us", 100.0, "3"), Target("py_load_ms", 1.0, "3"),
                 Target("load_vs_joblib", 1000.0, "3"), Target("batch_vs_peer", 5.0, "3"),
                 Target("threads_speedup", 1.8, "4")),
        threads=(1, 2), issue="3, 4", in_sweep=True,
        quick={"n_train": 60_000},
        quick_make=_sk("sklearn.ensemble.RandomForestClassifier", n_estimators=24, n_jobs=2,
                       random_state=0)),
    Scenario(
        "logreg", "LogisticRegression (multinomial), 100 features, 5 classes",
        Data("classification", n_features=100, n_train=20_000, n_informative=20, n_classes=5, seed=8),
        _sk("sklearn.linear_model.LogisticRegression", max_iter=500),
        targets=(Target("batch_vs_peer", 10.0, "5"),), issue="5"),
    Scenario(
        "mlp", "MLPClassifier 64-256-128-10 (relu)",
        Data("classification", n_features=64, n_train=10_000, n_informative=30, n_classes=10, seed=9),
        _sk("sklearn.neural_network.MLPClassifier", hidden_layer_sizes=(256, 128), max_iter=30,
            random_state=0),
        targets=(Target("batch_vs_peer", 5.0, "5"),), issue="5",
        # Trained on float32 rows, sklearn keeps float32 weights and predicts in
        # float32 (differences up to ~2e-6 from the float64 result); mlmap
        # computes in float64 and equals sklearn's float64 computation to ~1e-15.
        tolerance=1e-5, tolerance_why="sklearn predicts this MLP in float32"),
    Scenario(
        "pipeline", "Pipeline: imputer + scaler (8 columns), one-hot (4 columns), LogisticRegression",
        Data("classification", n_features=12, n_train=20_000, nan_fraction=0.05, categorical=4, seed=10),
        _pipeline_12,
        targets=(Target("single_us", 2.0, "5"), Target("batch_vs_peer", 10.0, "14")), issue="5, 14",
        group="pipeline"),
    # Pipeline shapes beyond the one above (issue 14: batch >= 10x sklearn).
    Scenario(
        "pipeline_str", "Pipeline as 'pipeline' on a DataFrame whose 4 categorical columns are strings "
        "(missing ones imputed)",
        Data("classification", n_features=12, n_train=20_000, nan_fraction=0.05, categorical=4, strings=True,
             seed=10),
        lambda: _pipeline(names=True, impute_categories=True),
        targets=(Target("batch_vs_peer", 10.0, "14"),), issue="14", group="pipeline"),
    Scenario(
        "pipeline_num", "Pipeline: imputer + scaler (12 numeric columns), LogisticRegression",
        Data("classification", n_features=12, n_train=20_000, nan_fraction=0.05, seed=11),
        lambda: _pipeline(n_numeric=12, n_categorical=0), issue="14", group="pipeline"),
    Scenario(
        "pipeline_wide", "Pipeline: imputer + scaler (8 columns), one-hot (4 columns of 64 categories: "
        "256 outputs), LogisticRegression",
        Data("classification", n_features=12, n_train=20_000, nan_fraction=0.05, categorical=4, categories=64,
             seed=12),
        _pipeline, issue="14", group="pipeline"),
    Scenario(
        "pipeline_poly", "Pipeline: imputer + scaler + degree-2 polynomial (8 columns: 45 outputs), one-hot "
        "(4 columns), LogisticRegression",
        Data("classification", n_features=12, n_train=20_000, nan_fraction=0.05, categorical=4, seed=13),
        lambda: _pipeline(poly=True), issue="14", group="pipeline"),
    Scenario(
        "et_reg", "ExtraTreesRegressor, 100 trees, max_depth 12, 20 features",
        Data("regression", n_features=20, n_train=20_000, seed=4),
        _sk("sklearn.ensemble.ExtraTreesRegressor", n_estimators=100, max_depth=12,
            n_jobs=2, random_state=0),
        issue="5"),
    Scenario(
        "gb_reg", "GradientBoostingRegressor, 300 trees, max_depth 3, 20 features",
        Data("regression", n_features=20, n_train=20_000, seed=5),
        _sk("sklearn.ensemble.GradientBoostingRegressor", n_estimators=300, random_state=0),
        issue="5"),
    Scenario(
        "gb_clf4", "GradientBoostingClassifier, 4 classes, 100 rounds (400 trees), 20 features",
        Data("classification", n_features=20, n_train=10_000, n_classes=4, seed=6),
        _sk("sklearn.ensemble.GradientBoostingClassifier", n_estimators=100, random_state=0),
        issue="5"),
    Scenario(
        "knn_clf", "KNeighborsClassifier, k=5, 100,000 x 64 training rows (float32), brute force "
        "(--quick: 20,000 rows); 1,000 test rows",
        Data("classification", n_features=64, n_train=100_000, seed=11),
        _sk("sklearn.neighbors.KNeighborsClassifier", n_neighbors=5),
        targets=(Target("batch_vs_peer", 10.0, "20"), Target("threads_speedup", 1.8, "20")),
        threads=(1, 2), issue="20", quick={"n_train": 20_000}, n_test=1_000),
    Scenario(
        "hgb_clf", "HistGradientBoostingClassifier, 100 rounds, 20 features, NaN in train and test",
        Data("classification", n_features=20, n_train=50_000, nan_fraction=0.05, seed=7),
        _sk("sklearn.ensemble.HistGradientBoostingClassifier", early_stopping=False, random_state=0),
        issue="5"),
]


def string_columns(d):
    """Indices of the columns that hold strings (Data.strings)."""
    return list(range(d.n_features - d.categorical, d.n_features)) if d.strings else []


def frame(X, strings):
    """Rows as the peers see them: X itself, or with string columns a
    DataFrame (columns f0, f1, ...) whose `strings` columns hold 'c<code>' for
    the code stored in X, NaN for a missing value.  bench_predict builds the
    same strings from the same codes."""
    if not strings:
        return X
    import numpy as np
    import pandas as pd
    df = pd.DataFrame({f"f{j}": X[:, j] for j in range(X.shape[1])})
    for j in strings:
        df[f"f{j}"] = np.array([f"c{int(c)}" if c == c else np.nan for c in X[:, j]], dtype=object)
    return df


@dataclass(frozen=True)
class Open:
    """A large model that is only opened and loaded (C++ Model::open, Python
    mlmap.load, joblib.load), not predicted: a k-nearest-neighbours model is
    its training set, so its size is the training matrix's."""
    name: str
    title: str
    rows: int                     # training rows (float32)
    features: int
    quick_rows: int               # in --quick mode
    targets: tuple = ()
    issue: str = ""

    def rows_for(self, quick):
        return self.quick_rows if quick else self.rows


OPENS = [
    Open("knn_1gb", "KNeighborsClassifier: its training set, 4,194,304 x 64 float32 rows (1 GiB; "
         "--quick: 524,288 rows, 128 MiB)", rows=4_194_304, features=64, quick_rows=524_288,
         targets=(Target("open_us", 100.0, "20"), Target("py_load_ms", 1.0, "20"),
                  Target("load_vs_joblib", 1000.0, "20")), issue="20"),
]


# ---------------------------------------------------------------------------
# The shape sweep (issue 14): tree models of many shapes, each against its
# peer, so that a speed claim holds for models nobody tuned on.  Breadth over
# depth: XGBoost over depth 2-12 and lossguide up to 255 leaves, 10-2,000
# trees, 5-500 features, 0-30 % NaN, binary / multi-class / regression;
# scikit-learn forests and boosting from shallow to unlimited depth.  The
# kernels' cost model was fitted on TUNING below, none of which is
# here (other seeds, depths, tree counts and widths).

def _informative(features):
    """Informative features of a shape's synthetic data (sweep and tuning)."""
    return max(2, min(features - 2, 12))


def _xgb_tree_params(trees, depth, leaves, seed):
    """XGBoost parameters of a shape: depth-wise (depth > 0) or lossguide with `leaves`."""
    params = dict(n_estimators=trees, tree_method="hist", n_jobs=2, random_state=seed)
    if leaves:
        params.update(grow_policy="lossguide", max_leaves=leaves, max_depth=0)
    else:
        params.update(max_depth=depth)
    return params


def _xgb_shape(name, kind, depth, trees, features, nan=0.0, classes=2, leaves=0, seed=0, quick=False):
    """One XGBoost point: depth-wise (depth > 0) or lossguide with `leaves`."""
    params = _xgb_tree_params(trees, depth, leaves, seed)
    shape = f"lossguide {leaves} leaves" if leaves else f"depth {depth}"
    task = {"regression": "regression"}.get(kind, f"{classes} classes" if classes > 2 else "binary")
    title = f"XGBoost {shape}, {trees} rounds, {features} features, {task}" + (f", {nan:.0%} NaN" if nan else "")
    data = Data(kind, n_features=features, n_train=SHAPE_TRAIN_ROWS, n_informative=_informative(features),
                n_classes=classes, nan_fraction=nan, seed=100 + seed)
    # XGBoost sums its trees in float32: with regression targets of a few
    # hundred (make_regression) and up to 2,000 rounds its error is absolute,
    # ~1e-3, whatever the value (mlmap sums in float64).
    # Probabilities: within 1e-5 (as tests/parity/test_xgboost.py), as
    # x_d3_t700_f10_c3 needs: 2,100 trees summed in float32 put 6 of 5,000
    # rows 1.19e-6 off on every kernel, the scalar reference included.
    loose = dict(tolerance=1e-3, tolerance_why="XGBoost sums regression trees in float32") \
        if kind == "regression" else \
        dict(tolerance=1e-5, tolerance_why="XGBoost sums the trees' margins in float32")
    return Scenario(name, title, data, _xgb(regression=kind == "regression", **params), peer="xgboost",
                    threads=(1, 2), shape=True, in_quick=quick, **loose)


def _sk_shape(name, cls, kind, features, classes=2, seed=0, quick=False, **kw):
    short = cls.rsplit(".", 1)[1]
    args = ", ".join(f"{k}={v}" for k, v in kw.items() if k not in ("n_jobs", "random_state"))
    title = f"{short}({args}), {features} features" + (f", {classes} classes" if classes > 2 else "")
    data = Data(kind, n_features=features, n_train=SHAPE_TRAIN_ROWS, n_informative=_informative(features),
                n_classes=classes, seed=200 + seed)
    if "HistGradient" not in cls and "GradientBoosting" not in cls:
        kw.setdefault("n_jobs", 2)
    kw.setdefault("random_state", seed)
    return Scenario(name, title, data, _sk(cls, **kw), shape=True, threads=(1, 2), in_quick=quick)


SHAPE_TRAIN_ROWS = 8_000
SHAPES = [
    # XGBoost, depth-wise: shallow to deep, few to many rounds, narrow to wide
    _xgb_shape("x_d2_t10_f5", "classification", 2, 10, 5, seed=1, quick=True),
    _xgb_shape("x_d2_t2000_f100_reg", "regression", 2, 2000, 100, seed=2),
    _xgb_shape("x_d3_t200_f500_nan10", "classification", 3, 200, 500, nan=0.10, seed=3, quick=True),
    _xgb_shape("x_d4_t60_f30_c5", "classification", 4, 60, 30, classes=5, seed=4),
    _xgb_shape("x_d5_t800_f20_reg_nan30", "regression", 5, 800, 20, nan=0.30, seed=5, quick=True),
    _xgb_shape("x_d6_t100_f8", "classification", 6, 100, 8, seed=6),
    _xgb_shape("x_d6_t150_f300_c3", "classification", 6, 150, 300, classes=3, seed=7),
    _xgb_shape("x_d7_t500_f60_nan5", "classification", 7, 500, 60, nan=0.05, seed=8),
    _xgb_shape("x_d8_t40_f15_reg", "regression", 8, 40, 15, seed=9),
    _xgb_shape("x_d8_t1000_f50_nan20", "classification", 8, 1000, 50, nan=0.20, seed=10),
    _xgb_shape("x_d10_t200_f40", "classification", 10, 200, 40, seed=11, quick=True),
    _xgb_shape("x_d12_t100_f25_reg_nan10", "regression", 12, 100, 25, nan=0.10, seed=12),
    _xgb_shape("x_d12_t300_f120", "classification", 12, 300, 120, seed=13),
    _xgb_shape("x_d3_t700_f10_c3", "classification", 3, 700, 10, classes=3, seed=14),
    # XGBoost, lossguide
    _xgb_shape("x_lg16_t400_f50", "classification", 0, 400, 50, leaves=16, seed=15),
    _xgb_shape("x_lg63_t150_f12_c4", "classification", 0, 150, 12, classes=4, leaves=63, seed=16, quick=True),
    _xgb_shape("x_lg255_t100_f80_reg_nan30", "regression", 0, 100, 80, nan=0.30, leaves=255, seed=17),
    _xgb_shape("x_lg255_t1000_f20", "classification", 0, 1000, 20, leaves=255, seed=18),
    # scikit-learn forests and boosting: shallow to unlimited depth
    _sk_shape("s_rf_d4_t50_f10", "sklearn.ensemble.RandomForestClassifier", "classification", 10,
              n_estimators=50, max_depth=4, seed=1, quick=True),
    _sk_shape("s_rf_d10_t200_f40_c4", "sklearn.ensemble.RandomForestClassifier", "classification", 40, classes=4,
              n_estimators=200, max_depth=10, seed=2),
    _sk_shape("s_rf_full_t100_f20", "sklearn.ensemble.RandomForestClassifier", "classification", 20,
              n_estimators=100, seed=3, quick=True),
    _sk_shape("s_rfr_d6_t300_f100", "sklearn.ensemble.RandomForestRegressor", "regression", 100,
              n_estimators=300, max_depth=6, seed=4),
    _sk_shape("s_rfr_full_t30_f8", "sklearn.ensemble.RandomForestRegressor", "regression", 8,
              n_estimators=30, seed=5),
    _sk_shape("s_et_d8_t100_f30", "sklearn.ensemble.ExtraTreesClassifier", "classification", 30,
              n_estimators=100, max_depth=8, seed=6),
    _sk_shape("s_etr_full_t50_f12", "sklearn.ensemble.ExtraTreesRegressor", "regression", 12,
              n_estimators=50, seed=7),
    _sk_shape("s_gb_d2_t500_f20", "sklearn.ensemble.GradientBoostingClassifier", "classification", 20,
              n_estimators=500, max_depth=2, seed=8),
    _sk_shape("s_gbr_d5_t150_f50", "sklearn.ensemble.GradientBoostingRegressor", "regression", 50,
              n_estimators=150, max_depth=5, seed=9, quick=True),
    _sk_shape("s_gb_d3_t80_f15_c3", "sklearn.ensemble.GradientBoostingClassifier", "classification", 15, classes=3,
              n_estimators=80, max_depth=3, seed=10),
    _sk_shape("s_hgb_l31_t200_f30", "sklearn.ensemble.HistGradientBoostingClassifier", "classification", 30,
              max_iter=200, early_stopping=False, seed=11, quick=True),
    _sk_shape("s_hgbr_l127_t100_f60", "sklearn.ensemble.HistGradientBoostingRegressor", "regression", 60,
              max_iter=100, max_leaf_nodes=127, early_stopping=False, seed=12),
    _sk_shape("s_hgb_l15_t300_f10_c3", "sklearn.ensemble.HistGradientBoostingClassifier", "classification", 10,
              classes=3, max_iter=100, max_leaf_nodes=15, early_stopping=False, seed=13),
]
# The models the kernels' cost model (lib/src/kernels/tree_cost.hpp) was fitted
# and tuned on: the issue's six XGBoost shapes (binary, 20,000 training rows)
# and random forests and HistGradientBoosting models of several depths, each
# timed with the walk and the bit-vector kernel forced by
# bench/tune_tree_cost.py on every ISA.  Not part of the sweep, nor of any
# scenario; trained and cached as they are (make_models.build_scenario).
def _tuning_xgb(depth, trees, features, leaves=0, nan=0.0):
    name = f"tune_xgb_{f'lg{leaves}' if leaves else f'd{depth}'}_t{trees}_f{features}"
    data = Data("classification", n_features=features, n_train=20_000, n_informative=_informative(features),
                nan_fraction=nan, seed=1)
    return Scenario(name, name, data, _xgb(**_xgb_tree_params(trees, depth, leaves, seed=1)), peer="xgboost",
                    shape=True, in_quick=False)


def _tuning_sk(cls, features, classes=2, **kw):
    short = "".join(c for c in cls if c.isupper()).lower()  # RandomForestClassifier -> rfc
    size = f"l{kw['max_leaf_nodes']}" if "max_leaf_nodes" in kw else f"d{kw.get('max_depth') or 'full'}"
    trees = kw.get("n_estimators") or kw.get("max_iter")
    name = f"tune_{short}_{size}_t{trees}_f{features}" + (f"_c{classes}" if classes > 2 else "")
    kind = "regression" if cls.endswith("Regressor") else "classification"
    if "HistGradient" in cls:
        kw.update(early_stopping=False)
    else:
        kw.update(n_jobs=2)
    data = Data(kind, n_features=features, n_train=20_000, n_informative=_informative(features),
                n_classes=classes, seed=5)
    return Scenario(name, name, data, _sk("sklearn.ensemble." + cls, random_state=5, **kw), shape=True,
                    in_quick=False)


TUNING = [
    _tuning_xgb(3, 50, 10),
    _tuning_xgb(4, 100, 20),
    _tuning_xgb(6, 500, 50),
    _tuning_xgb(6, 1000, 200),
    _tuning_xgb(8, 300, 30),
    _tuning_xgb(0, 300, 40, leaves=255, nan=0.05),
    _tuning_sk("RandomForestClassifier", 20, max_depth=8, n_estimators=100),
    _tuning_sk("RandomForestClassifier", 20, max_depth=12, n_estimators=100),
    _tuning_sk("RandomForestClassifier", 20, max_depth=None, n_estimators=50),
    _tuning_sk("RandomForestRegressor", 20, max_depth=10, n_estimators=50),
    # Added with the per-ISA refit: float64 thresholds (HistGradientBoosting),
    # a shallow forest's two leaf values a tree and a deeper one's three.
    _tuning_sk("HistGradientBoostingRegressor", 30, max_leaf_nodes=63, max_iter=150),
    _tuning_sk("HistGradientBoostingClassifier", 20, max_leaf_nodes=31, max_iter=80),
    _tuning_sk("RandomForestClassifier", 16, max_depth=5, n_estimators=80),
    _tuning_sk("RandomForestClassifier", 30, classes=3, max_depth=10, n_estimators=150),
]


def all_scenarios(quick=False, shapes=True):
    """Every scenario a run times: SCENARIOS, then the shape sweep (its
    quick points in --quick mode)."""
    out = list(SCENARIOS)
    if shapes:
        out += [s for s in SHAPES if s.in_quick or not quick]
    return out


def by_name(names=None, quick=False, shapes=True):
    known = all_scenarios(quick=False, shapes=True)
    if not names:
        return all_scenarios(quick, shapes)
    wanted = set(names)
    unknown = wanted - {s.name for s in known}
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(s.name for s in known)}")
    return [s for s in known if s.name in wanted]


# The sweep's targets (issue 14), checked per shape and summarised per peer:
# batch (RECORD_BATCH rows, 1 thread) and single-row ratios to the peer, and
# 2 threads over 1 at THREADS_BATCH rows.
SHAPE_TARGETS = {
    "xgboost": {"batch": 3.0, "single": 5.0},
    "sklearn": {"batch": 5.0, "single": 100.0},
    "onnxruntime": {"batch": 2.0},
    "lightgbm": {},
    "threads": 1.8,
}
THREADS_BATCH = 100_000
# Test rows stored per shape: as many as THREADS_BATCH needs, at most this
# many bytes (wide shapes time 2 threads on fewer rows; the report says so).
SHAPE_TEST_BYTES = 40 << 20

# Batch sizes timed for the throughput curve; RECORD_BATCH is the one the
# targets and the tables use.
BATCH_SIZES = {"full": (1, 10, 100, 1_000, 10_000, 100_000), "quick": (1, 100, 10_000)}
RECORD_BATCH = 10_000
# Test rows drawn once per model (the same in both modes, so that quick and
# full runs share the models they have in common); a mode uses the first N_TEST.
N_TEST_GENERATED = 100_000
N_TEST = {"full": 100_000, "quick": 10_000}

# Open/load time vs size: approximate joblib sizes in MB.  The models are
# RandomForestClassifiers built from the trees of the in_sweep scenarios
# (subsets, or deep copies of them for sizes beyond the trained forest).
SWEEP_MB = {"full": (1, 10, 100, 1000), "quick": (1, 10, 100)}
# A sweep model uses at most this many times its source's trees (copies beyond).
SWEEP_MAX_COPIES = 10
