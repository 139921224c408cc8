#!/usr/bin/python3
"""Does mlmap's automatic tree kernel pick the faster of its two batch
algorithms on every ISA?  For the models of scenarios.TUNING (the
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
interpreter, make_models.build_scenario) and written again with mlmap.save
when the mlmap build changes.

--fit also fits the cost model's constants (tree_cost.hpp's TreeCosts) to the
forced timings of the tuning models alone, by non-negative least squares on
relative error, from the counts each file reports (info()["trees"]), and
prints them with how well they rank the sweep's models (not fitted on).
--from-json refits a saved --json without timing anything.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True)
    quick = os.environ.get("MLMAP_BENCH_QUICK", "") not in ("", "0")
    ap.add_argument("--rounds", type=int, default=2 if quick else 5,
                    help="interleaved rounds per configuration (default 5; 2 with MLMAP_BENCH_QUICK=1)")
    ap.add_argument("--kernels", nargs="*", help="SIMD kernels (default: every one but scalar)")
    ap.add_argument("--json", type=Path, help="also write the timings here")
    ap.add_argument("--fit", action="store_true", help="fit TreeCosts to the tuning models' forced timings")
    ap.add_argument("--from-json", type=Path, help="fit from a --json written before, timing nothing")
    ap.add_argument("--sweep-cache", type=Path,
                    help="also check the shape sweep's models found here (make_models.py's cache, e.g. "
                         "build/bench-cache): the check on shapes the constants were not fitted on")
    args = ap.parse_args()
    if args.from_json:
        fit(json.loads(args.from_json.read_text()))
        return
    import mlmap
    args.cache.mkdir(parents=True, exist_ok=True)
    kernels = args.kernels or [k for k in mlmap.available_kernels() if k != "scalar"]
    models = []
    vers, stamp = make_models.versions(), make_models.mlmap_stamp()
    for sc in S.TUNING:
        # Trained once into --cache, written again when the mlmap build changes.
        e = make_models.build_scenario(sc, args.cache, False, ROWS, vers, stamp)
        models.append((sc.name, Path(e["dir"]), e["n_features"], Path(e["X"])))
    tuning = {m[0] for m in models}
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
    for name, d, *_ in models:
        counts = cost_counts(d / "model.mlmap")  # once a model: every width weighs the same file
        for k in kernels:
            med = {a: statistics.median(times[(name, k, a)]) for a in ALGORITHMS}
            ran = "bitvectors" if abs(med["automatic"] - med["bitvectors"]) < abs(med["automatic"] - med["walk"]) \
                else "walk"
            ratio = med[ran] / min(med["walk"], med["bitvectors"])
            rows.append(dict(model=name, kernel=k, ran=ran, tuning=name in tuning,
                             counts=counts,
                             **{a: med[a] for a in ALGORITHMS}))
            print(f"| {name} | {k} | {med['walk'] * 1e3:.2f} | {med['bitvectors'] * 1e3:.2f} | "
                  f"{med['automatic'] * 1e3:.2f} | {ran} | {ratio:.2f} |")
            if ratio > MISS:
                misses.append(f"{name} on {k}: the automatic choice ({ran}) took {ratio:.2f}x the faster algorithm")
    print("\n" + ("\n".join(misses) if misses else f"the automatic choice within {MISS:.2f}x of the faster algorithm "
                                                     "everywhere"))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))
    if args.fit:
        fit(rows)


# The float lanes of each SIMD kernel's bit-vector tiles (tree_cost.hpp).
LANES = {"sse4_2": 4, "avx2": 8, "avx512bw": 16}


def cost_counts(path):
    """What tree_cost.hpp's estimates weigh, as the file reports it."""
    import mlmap
    info = mlmap.load(str(path)).info()
    t = info["trees"]
    b = t["bitvectors"]
    return dict(trees=t["n_trees"], records=b["n_records"], words=b["n_words"], features=b["n_features"],
                max_tree_leaves=b["max_tree_leaves"], walk_steps=b["walk_steps"], leaf_width=t["leaf_width"],
                n_raw=info["n_raw"], float64=t["threshold_bits"] == 64)


# The terms of tree_cost.hpp's two estimates, one column per constant: this
# mirrors bitvector_cycles() and walk_cycles() there (keep them together).
BV_CONSTANTS = ("record_4", "record_8", "record_16", "word", "gathered_tree", "lane_value", "feature")
WALK_CONSTANTS = ("step_4", "step_8", "step_16", "table_step_4", "table_step_8", "table_step_16",
                  "walk_tree_4", "walk_tree_8", "walk_tree_16")
# tree_cost.hpp's min_top_levels and max_top_levels (the batch walk's table).
MIN_TOP_LEVELS, MAX_TOP_LEVELS = 6, 10


def bitvector_terms(c, lanes):
    one_value = c["n_raw"] == 1 and c["leaf_width"] == 1
    row = dict.fromkeys(BV_CONSTANTS, 0.0)
    row[f"record_{lanes}"] = c["records"] / lanes
    row["word"] = c["words"] / lanes
    if one_value:
        row["gathered_tree"] = c["trees"] / lanes if c["max_tree_leaves"] > 16 else 0.0
    else:
        row["lane_value"] = c["trees"] * c["leaf_width"]
    row["feature"] = c["features"]
    return [row[k] for k in BV_CONSTANTS]


def table_steps(c):
    """tree_cost.hpp's table_steps(): a row's levels through the top levels' table."""
    per_tree = c["walk_steps"] / c["trees"] if c["trees"] else 0.0
    if c["float64"] or per_tree < MIN_TOP_LEVELS:
        return 0.0
    return c["trees"] * min(per_tree, MAX_TOP_LEVELS)


def walk_terms(c, lanes):
    row = dict.fromkeys(WALK_CONSTANTS, 0.0)
    table = table_steps(c)
    row[f"step_{lanes}"] = c["walk_steps"] - table
    row[f"table_step_{lanes}"] = table
    row[f"walk_tree_{lanes}"] = c["trees"]
    return [row[k] for k in WALK_CONSTANTS]


def nnls_relative(terms, measured):
    """Non-negative constants minimising the squared relative error."""
    from scipy.optimize import nnls
    a = np.array(terms, dtype=float) / np.array(measured)[:, None]
    x, _ = nnls(a, np.ones(len(measured)))
    return x


def fit(rows):
    """Fits TreeCosts in nanoseconds per row to the tuning models' forced
    timings, then judges the ranking on every model (the sweep's not fitted on)."""
    rows = [r for r in rows if r["kernel"] in LANES]
    ns = lambda seconds: seconds / ROWS * 1e9  # noqa: E731
    tuning = [r for r in rows if r["tuning"]]
    f32 = [r for r in tuning if not r["counts"]["float64"]]
    walk = nnls_relative([walk_terms(r["counts"], LANES[r["kernel"]]) for r in f32], [ns(r["walk"]) for r in f32])
    walk_k = dict(zip(WALK_CONSTANTS, walk))

    def walk_cost(c, lanes, float64_walk=1.0):
        w = float(np.dot(walk_terms(c, lanes), walk))
        return w * (float64_walk if c["float64"] else 1.0)
    f64 = [r for r in tuning if r["counts"]["float64"]]
    float64_walk = statistics.median(ns(r["walk"]) / walk_cost(r["counts"], LANES[r["kernel"]]) for r in f64) \
        if f64 else 1.0
    bv = nnls_relative([bitvector_terms(r["counts"], LANES[r["kernel"]]) for r in tuning],
                       [ns(r["bitvectors"]) for r in tuning])
    print(f"\nTreeCosts fitted on {len(tuning)} tuning (model, width) timings (ns per row on this machine):")
    for k, v in list(zip(BV_CONSTANTS, bv)) + list(walk_k.items()) + [("float64_walk", float64_walk)]:
        print(f"  {k} = {v:.3g}")
    print("\n| model | kernel | fitted on | walk est / measured | bit-vectors est / measured | would run | its / best |")
    print("|---|---|---|---|---|---|---|")
    worst = []
    for r in rows:
        c, lanes = r["counts"], LANES[r["kernel"]]
        w_est = walk_cost(c, lanes, float64_walk)
        b_est = float(np.dot(bitvector_terms(c, lanes), bv))
        pick = "bitvectors" if b_est < w_est else "walk"
        ratio = r[pick] / min(r["walk"], r["bitvectors"])
        worst.append((ratio, r["model"], r["kernel"], r["tuning"]))
        print(f"| {r['model']} | {r['kernel']} | {'yes' if r['tuning'] else 'no'} | {w_est / ns(r['walk']):.2f} | "
              f"{b_est / ns(r['bitvectors']):.2f} | {pick} | {ratio:.2f} |")
    for fitted in (True, False):
        sel = sorted((w for w in worst if w[3] == fitted), reverse=True)
        if sel:
            over = [f"{m} {k} {x:.2f}x" for x, m, k, _ in sel if x > MISS]
            print(f"{'tuning' if fitted else 'sweep (not fitted on)'}: {len(sel)} (model, width) pairs, "
                  f"{len(over)} above {MISS}x: {', '.join(over) or 'none'}")


if __name__ == "__main__":
    main()
