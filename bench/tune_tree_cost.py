#!/usr/bin/python3
"""Does mlmap's automatic tree kernel pick the faster of its two batch
algorithms on every ISA?  For the models of scenarios.TUNING_SHAPES (the
cost model's fitting set, none of them in the sweep or a scenario) it times
10,000 rows on one thread with the node walk and with the leaf bit-vector
kernel forced (MLMAP_TREE_ALGORITHM), and with the automatic choice, on each
SIMD kernel this CPU runs (MLMAP_FORCE_ARCH), each configuration in its own
process; CPU time, the median over interleaved rounds.  Prints a table and
the models where the algorithm the automatic choice ran took more than 15%
longer than the other.

  PYTHONPATH=build/tools/python LD_LIBRARY_PATH=build/tools/python/mlmap \\
    /usr/bin/python3 bench/tune_tree_cost.py --cache build/bench-cache/tuning

Models are trained once into --cache (scikit-learn and XGBoost of this
interpreter) and written again with mlmap.save on every run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
import make_models  # noqa: E402
import scenarios as S  # noqa: E402

ROWS = 10_000
TRAIN_ROWS = 20_000
ALGORITHMS = ("walk", "bitvectors", "automatic")
# A miss: the algorithm the automatic choice ran took this much longer than
# the other (repeated runs here differ by up to ~10%).
MISS = 1.15

# One process, one configuration: one timing of `calls` batches (~50 ms).
TIMER = r"""
import sys, time, numpy as np, mlmap
path, x_path, features, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
X = np.fromfile(x_path, dtype=np.float32, count=rows * features).reshape(-1, features)
m = mlmap.load(path)
predict = m.predict_proba if m.task == "classification" else m.predict
predict(X[:100])
t0 = time.thread_time(); predict(X); first = time.thread_time() - t0
calls = max(1, int(0.05 / max(first, 1e-6)))
t0 = time.thread_time()
for _ in range(calls):
    predict(X)
print(repr((time.thread_time() - t0) / calls))
"""


def name_of(shape):
    kind = shape.get("forest") or ("xgb_lossguide" if shape.get("grow_policy") else "xgb")
    size = (f"l{shape['max_leaf_nodes']}" if "max_leaf_nodes" in shape
            else f"d{shape.get('max_depth') or shape.get('max_leaves') or 'full'}")
    classes = f"_c{shape['classes']}" if shape.get("classes", 2) > 2 else ""
    return f"{kind}_{size}_t{shape['n_estimators']}_f{shape['features']}{classes}"


def train(shape, seed=1):
    from sklearn.datasets import make_classification, make_regression
    features = shape["features"]
    informative = max(2, min(features - 2, 12))
    seed = seed if "forest" not in shape else 5
    if shape.get("forest", "").endswith("Regressor"):
        X, y = make_regression(n_samples=TRAIN_ROWS + ROWS, n_features=features, n_informative=informative,
                               random_state=seed)
    else:
        X, y = make_classification(n_samples=TRAIN_ROWS + ROWS, n_features=features, n_informative=informative,
                                   n_classes=shape.get("classes", 2), random_state=seed)
    X = X.astype(np.float32)
    if shape.get("nan"):
        rng = np.random.default_rng(seed)
        X[rng.random(X.shape) < shape["nan"]] = np.nan
    Xtr, ytr, Xte = X[:TRAIN_ROWS], y[:TRAIN_ROWS], X[TRAIN_ROWS:]
    if "HistGradient" in shape.get("forest", ""):
        import sklearn.ensemble as E
        est = getattr(E, shape["forest"])(max_iter=shape["n_estimators"], max_leaf_nodes=shape["max_leaf_nodes"],
                                          early_stopping=False, random_state=5)
    elif "forest" in shape:
        import sklearn.ensemble as E
        est = getattr(E, shape["forest"])(n_estimators=shape["n_estimators"], max_depth=shape["max_depth"],
                                          n_jobs=2, random_state=5)
    else:
        import xgboost
        params = dict(n_estimators=shape["n_estimators"], tree_method="hist", n_jobs=2, random_state=seed)
        if shape.get("grow_policy"):
            params.update(grow_policy="lossguide", max_leaves=shape["max_leaves"], max_depth=0)
        else:
            params.update(max_depth=shape["max_depth"])
        est = xgboost.XGBClassifier(**params)
    est.fit(Xtr, ytr)
    return est, Xte


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True)
    quick = os.environ.get("MLMAP_BENCH_QUICK", "") not in ("", "0")
    ap.add_argument("--rounds", type=int, default=2 if quick else 5,
                    help="interleaved rounds per configuration (default 5; 2 with MLMAP_BENCH_QUICK=1)")
    ap.add_argument("--kernels", nargs="*", help="SIMD kernels (default: every one but scalar)")
    ap.add_argument("--json", type=Path, help="also write the timings here")
    ap.add_argument("--sweep-cache", type=Path,
                    help="also check the shape sweep's models found here (make_models.py's cache, e.g. "
                         "build/bench-cache): the check on shapes the constants were not fitted on")
    args = ap.parse_args()
    import joblib
    import mlmap
    args.cache.mkdir(parents=True, exist_ok=True)
    kernels = args.kernels or [k for k in mlmap.available_kernels() if k != "scalar"]
    models = []
    for shape in S.TUNING_SHAPES:
        name = name_of(shape)
        d = args.cache / name
        d.mkdir(exist_ok=True)
        if not (d / "model.joblib").exists():
            print(f"[tune] training {name}", flush=True)
            est, Xte = train(shape)
            joblib.dump(est, d / "model.joblib")
            Xte.tofile(d / "X.f32")
        mlmap.save(joblib.load(d / "model.joblib"), str(d / "model.mlmap"))
        models.append((name, d, shape["features"], d / "X.f32"))
    if args.sweep_cache:
        for sc in S.SHAPES:
            found = sorted(args.sweep_cache.glob(sc.name + "-*/model.mlmap"))
            if found:
                # Saved again by this build: the writer decides the layout.
                src, d = found[-1].parent, args.cache / "sweep" / sc.name
                d.mkdir(parents=True, exist_ok=True)
                mlmap.save(make_models.load_peer_estimator(sc, src), str(d / "model.mlmap"))
                models.append((sc.name, d, json.loads((src / "meta.json").read_text())["n_features"], src / "X.f32"))

    # Files without the bit-vector layout (the writer judged it not worth it)
    # walk on every width whatever is forced: nothing to time or judge.
    walk_only = [m for m in models if make_models.tree_layout(m[1] / "model.mlmap") != "bit-vectors"]
    models = [m for m in models if m not in walk_only]

    times = {}  # (model, kernel, algorithm) -> [seconds per batch]
    for r in range(args.rounds):
        configs = [(m, k, a) for m in models for k in kernels for a in ALGORITHMS]
        order = configs if r % 2 == 0 else configs[::-1]
        for (name, d, features, x_path), k, a in order:
            env = dict(os.environ, MLMAP_FORCE_ARCH=k, MLMAP_TREE_ALGORITHM=a, OMP_NUM_THREADS="1")
            out = subprocess.run([sys.executable, "-c", TIMER, str(d / "model.mlmap"), str(x_path),
                                  str(features), str(ROWS)], env=env, check=True, capture_output=True, text=True)
            times.setdefault((name, k, a), []).append(float(out.stdout))
        print(f"[tune] round {r + 1} of {args.rounds}", flush=True)

    print(f"\n10,000 rows, one thread, CPU time per batch (median of {args.rounds}), ms.  'ran': the algorithm "
          "whose forced time the automatic one's is nearer (the library does not say which it ran); "
          "'its / best': that algorithm's forced time over the faster one's\n")
    print("| model | kernel | walk | bit-vectors | automatic | ran | its / best |")
    print("|---|---|---|---|---|---|---|")
    misses, rows = [], []
    for name, *_ in walk_only:
        print(f"| {name} | – | no bit-vector layout: the walk on every width | | | | |")
    for name, *_ in models:
        for k in kernels:
            med = {a: statistics.median(times[(name, k, a)]) for a in ALGORITHMS}
            ran = "bitvectors" if abs(med["automatic"] - med["bitvectors"]) < abs(med["automatic"] - med["walk"]) \
                else "walk"
            ratio = med[ran] / min(med["walk"], med["bitvectors"])
            rows.append(dict(model=name, kernel=k, ran=ran, **{a: med[a] for a in ALGORITHMS}))
            print(f"| {name} | {k} | {med['walk'] * 1e3:.2f} | {med['bitvectors'] * 1e3:.2f} | "
                  f"{med['automatic'] * 1e3:.2f} | {ran} | {ratio:.2f} |")
            if ratio > MISS:
                misses.append(f"{name} on {k}: the automatic choice ({ran}) took {ratio:.2f}x the faster algorithm")
    print("\n" + ("\n".join(misses) if misses else f"the automatic choice within {MISS:.2f}x of the faster algorithm "
                                                     "everywhere"))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
