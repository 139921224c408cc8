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
            "versions": versions, "n_test": N_TEST_GENERATED,
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


def _xgb(**kw):
    def make():
        import xgboost
        return xgboost.XGBClassifier(**kw)
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


def by_name(names=None):
    if not names:
        return list(SCENARIOS)
    wanted = set(names)
    unknown = wanted - {s.name for s in SCENARIOS}
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(s.name for s in SCENARIOS)}")
    return [s for s in SCENARIOS if s.name in wanted]


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
