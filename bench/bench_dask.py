#!/usr/bin/python3
"""Distributed scoring on Dask: an mlmap model against the same scikit-learn
model shipped by Dask the usual ways.

A LocalCluster (2 worker processes, 1 thread each) scores --rows rows
(predict_proba of a RandomForestClassifier) held in worker memory as a dask
DataFrame, with

  mlmap            mlmap.dask.predict: the graph carries the model by
                   reference (path, size, content hash); each worker maps the
                   file once and both share its pages
  sklearn, graph   the fitted estimator passed to map_partitions: captured in
                   the task graph, shipped and unpickled with every task
  sklearn, scatter client.scatter(estimator, broadcast=True), the future passed
                   to map_partitions: one copy unpickled per worker

Each variant runs on a fresh cluster ("cold": imports, first
mapping / unpickling included) and then once more on the same workers
("warm").  Reported: time to the first partition's result and to the last
(graph building and scattering included), the model's pickled size in the
graph, and the sum over the two worker processes of their peak PSS
(/proc/self/smaps_rollup, sampled every 20 ms inside each worker through
client.run) and of its rise over the workers' PSS before the run (data
already in memory).  Ratios compare variants of the same run.

Usage (Debian's /usr/bin/python3, the package from a build tree):
  PYTHONPATH=build/tools/python /usr/bin/python3 bench/bench_dask.py [--quick]
      [--rows 1000000] [--partitions 10] [--trees 100] [--cache-dir DIR]
"""

import argparse
import logging
import os
import pickle
import platform
import sys
import tempfile
import time
import warnings

import numpy as np

N_FEATURES = 20


# --- run inside the workers (client.run) -----------------------------------------

def worker_pss_kib():
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError("no Pss line in /proc/self/smaps_rollup")


def sampler_start(dask_worker=None, interval=0.02):
    import threading
    state = {"peak": worker_pss_kib(), "stop": threading.Event()}

    def run():
        while not state["stop"].is_set():
            state["peak"] = max(state["peak"], worker_pss_kib())
            state["stop"].wait(interval)

    state["thread"] = threading.Thread(target=run, name="pss-sampler", daemon=True)
    state["thread"].start()
    dask_worker._bench_pss_sampler = state
    return state["peak"]


def sampler_stop(dask_worker=None):
    state = dask_worker._bench_pss_sampler
    state["stop"].set()
    state["thread"].join()
    state["peak"] = max(state["peak"], worker_pss_kib())
    return state["peak"]


def sklearn_proba(part, estimator, columns):
    import pandas as pd
    return pd.DataFrame(estimator.predict_proba(part.to_numpy()), index=part.index, columns=columns)


# --- the client side --------------------------------------------------------------

def train(args):
    """(estimator, mlmap path); cached in --cache-dir when given."""
    import mlmap
    cache = args.cache_dir or tempfile.mkdtemp(prefix="mlmap-bench-dask-")
    os.makedirs(cache, exist_ok=True)
    tag = f"rf{args.trees}-n{args.train_rows}-f{N_FEATURES}"
    est_path, model_path = os.path.join(cache, tag + ".pkl"), os.path.join(cache, tag + ".mlmap")
    if os.path.exists(est_path) and os.path.exists(model_path):
        with open(est_path, "rb") as f:
            estimator = pickle.load(f)
        return estimator, model_path, cache
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    X, y = make_classification(n_samples=args.train_rows, n_features=N_FEATURES, n_informative=10, flip_y=0.05,
                               random_state=0)
    t = time.perf_counter()
    estimator = RandomForestClassifier(n_estimators=args.trees, n_jobs=2, random_state=0).fit(X, y)
    estimator.n_jobs = 1
    print(f"trained {args.trees} trees on {args.train_rows} rows in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)
    mlmap.save(estimator, model_path)
    with open(est_path + ".tmp", "wb") as f:
        pickle.dump(estimator, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(est_path + ".tmp", est_path)
    return estimator, model_path, cache


def make_data(client, rows, partitions):
    """A dask DataFrame generated and persisted on the workers."""
    import dask.array as da
    import dask.dataframe as dd
    from distributed import wait
    chunk = -(-rows // partitions)
    x = da.random.RandomState(1).standard_normal((rows, N_FEATURES), chunks=(chunk, N_FEATURES))
    ddf = dd.from_dask_array(x, columns=[f"x{i}" for i in range(N_FEATURES)])
    ddf = client.persist(ddf)
    wait(ddf)
    return ddf


def run_variant(client, ddf, build):
    """Build the collection from ``ddf`` (timed), compute its partitions;
    returns timings, PSS and the result."""
    from distributed import as_completed, wait
    base = client.run(worker_pss_kib)
    client.run(sampler_start)
    t0 = time.perf_counter()
    collection, shipped = build(ddf)
    futures = client.compute(collection.to_delayed())
    first = None
    for _ in as_completed(futures):
        first = time.perf_counter() - t0
        break
    wait(futures)
    total = time.perf_counter() - t0
    peak = client.run(sampler_stop)
    errors = [f for f in futures if f.status != "finished"]
    if errors:
        errors[0].result()  # raises the task's error
    import pandas as pd
    result = pd.concat(client.gather(futures))
    del futures
    return {"first": first, "total": total, "shipped": shipped,
            "pss_peak": sum(peak.values()) / 1024, "pss_rise": (sum(peak.values()) - sum(base.values())) / 1024,
            "workers": len(peak)}, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--partitions", type=int, default=10)
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--train-rows", type=int, default=100_000)
    ap.add_argument("--cache-dir", help="keep the trained models here between runs")
    ap.add_argument("--quick", action="store_true", help="200k rows, 20 trees on 20k rows")
    args = ap.parse_args()
    if args.quick or os.environ.get("MLMAP_BENCH_QUICK"):
        args.rows, args.trees, args.train_rows = min(args.rows, 200_000), min(args.trees, 20), 20_000

    import mlmap
    import mlmap.dask
    from distributed import Client, LocalCluster

    estimator, model_path, cache = train(args)
    model = mlmap.load(model_path)
    columns = list(estimator.classes_)
    estimator_bytes = len(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL))
    model_bytes = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))

    # Expected for "sklearn, graph": that is the point of the comparison.
    warnings.filterwarnings("ignore", message="Large object of size")
    cluster = client = None
    try:
        import pandas as pd
        meta = pd.DataFrame(np.empty((0, len(columns))), columns=columns)
        scattered = {}

        def build_mlmap(ddf):
            return mlmap.dask.predict(ddf, model, proba=True), model_bytes

        def build_graph(ddf):
            return ddf.map_partitions(sklearn_proba, estimator, columns, meta=meta), estimator_bytes

        def build_scatter(ddf):
            if "future" not in scattered:
                scattered["future"] = client.scatter(estimator, broadcast=True, hash=False)
            return ddf.map_partitions(sklearn_proba, scattered["future"], columns, meta=meta), estimator_bytes

        variants = [("mlmap", build_mlmap), ("sklearn, graph", build_graph), ("sklearn, scatter", build_scatter)]
        rows, results = [], {}
        for name, build in variants:
            # A fresh cluster per variant (client.restart() sometimes waited
            # forever for the workers here).
            if client is not None:
                client.close()
                cluster.close()
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
            scattered.clear()
            ddf = make_data(client, args.rows, args.partitions)
            for run in ("cold", "warm"):
                stats, result = run_variant(client, ddf, build)
                rows.append((name, run, stats))
                results[name] = result
                print(f"{name} {run}: {stats}", file=sys.stderr)
            del ddf
            scattered.clear()

        reference = results["mlmap"].to_numpy()
        for name in ("sklearn, graph", "sklearn, scatter"):
            diff = float(np.max(np.abs(results[name].to_numpy() - reference)))
            if diff > 1e-9:
                raise SystemExit(f"{name}: probabilities differ from mlmap's by up to {diff}")
    finally:
        if client is not None:
            client.close()
            cluster.close()

    def fmt_bytes(n):
        return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n} B"

    print(f"## Dask scoring: {args.rows:,} rows, {args.partitions} partitions, predict_proba of a "
          f"RandomForestClassifier ({args.trees} trees, {N_FEATURES} features; mlmap file "
          f"{os.path.getsize(model_path) / 1e6:.1f} MB)\n")
    print(f"LocalCluster: 2 worker processes x 1 thread; {platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, mlmap {mlmap.__version__}.  Cold: a fresh cluster.\n")
    print("| variant | run | first result (s) | total (s) | model in graph | worker PSS peak, sum (MiB) "
          "| PSS rise (MiB) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, run, s in rows:
        print(f"| {name} | {run} | {s['first']:.2f} | {s['total']:.2f} | {fmt_bytes(s['shipped'])} | "
              f"{s['pss_peak']:.0f} | {s['pss_rise']:.0f} |")
    by = {(n, r): s for n, r, s in rows}
    print("\nRatios (sklearn / mlmap, same run):\n")
    print("| variant | run | first result | total | PSS rise |")
    print("|---|---|---:|---:|---:|")
    for name in ("sklearn, graph", "sklearn, scatter"):
        for run in ("cold", "warm"):
            a, b = by[(name, run)], by[("mlmap", run)]
            rise = f"{a['pss_rise'] / b['pss_rise']:.1f}x" if b["pss_rise"] > 1 else "n/a"
            print(f"| {name} | {run} | {a['first'] / b['first']:.1f}x | {a['total'] / b['total']:.1f}x | {rise} |")
    if not args.cache_dir:
        import shutil
        shutil.rmtree(cache, True)


if __name__ == "__main__":
    main()
