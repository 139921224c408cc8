#!/usr/bin/python3
"""`mlmap serve` throughput and tail latency, this build against a baseline
CLI (e.g. main's, built in another directory): requests/s and p99 at 64 and
1,000 keep-alive connections, with single-row and 1,000-row POST /predict
bodies, 2 workers, mlmap-loadgen on the same machine.  Runs alternate
between the two CLIs (A B A B ...) and the table reports the median and the
worst of the repeats.

usage: bench_server.py [--duration S] [--repeats N] [--base PATH_TO_BASE_MLMAP]
       (env MLMAP_CLI, MLMAP_LOADGEN; MLMAP_CLI_BASE as --base)"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

import mlmap

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "server"))
import serverlib  # noqa: E402

LOADGEN = os.environ["MLMAP_LOADGEN"]


def run(cli, store, body_file, connections, duration):
    serverlib.CLI = cli
    with serverlib.Server(store, "m", workers=2, extra=["--max-rows", "100000"]) as srv:
        out = subprocess.run([LOADGEN, "--port", str(srv.port), "--body", body_file, "--connections", str(connections),
                              "--duration", str(duration), "--json"], capture_output=True, text=True, timeout=duration + 120)
        srv.stop()
    if out.returncode not in (0, 1):
        raise RuntimeError(f"loadgen failed: {out.stderr}")
    r = json.loads(out.stdout)
    return r["rps"], r["p99_ms"], r.get("failed", 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--base", default=os.environ.get("MLMAP_CLI_BASE", ""))
    ap.add_argument("--connections", default="64,1000")
    ap.add_argument("--rows", default="1,1000")
    a = ap.parse_args()
    clis = [("this", os.environ["MLMAP_CLI"])] + ([("base", a.base)] if a.base else [])
    with tempfile.TemporaryDirectory(prefix="mlmap-bench-server-") as tmp:
        rng = np.random.default_rng(0)
        X = pd.DataFrame(rng.normal(size=(2000, 8)), columns=[f"f{i}" for i in range(8)])
        y = (X.f0 + X.f1 > 0).astype(int)
        mlmap.save(RandomForestClassifier(n_estimators=20, max_depth=8, random_state=0).fit(X, y), f"{tmp}/m.mlmap")
        subprocess.run([clis[0][1], "store", "publish", f"{tmp}/store", "m", f"{tmp}/m.mlmap"], check=True,
                       capture_output=True)
        bodies = {}
        for rows in (1, 1000):
            path = f"{tmp}/body{rows}.json"
            with open(path, "w") as f:
                json.dump({"instances": X.iloc[:rows].round(4).values.tolist()}, f)
            bodies[rows] = path
        results = {}
        for connections in map(int, a.connections.split(",")):
            for rows in map(int, a.rows.split(",")):
                for _ in range(a.repeats):
                    for name, cli in clis:
                        rps, p99, failed = run(cli, f"{tmp}/store", bodies[rows], connections, a.duration)
                        results.setdefault((connections, rows, name), []).append((rps, p99, failed))
        print(f"2 workers, {a.duration:g} s per run, {a.repeats} runs each (interleaved); median (worst)")
        print("| connections | rows/request | build | requests/s | p99 ms | failed |")
        print("|---:|---:|---|---:|---:|---:|")
        for (connections, rows, name), runs in results.items():
            rps = [r[0] for r in runs]
            p99 = [r[1] for r in runs]
            failed = sum(r[2] for r in runs)
            print(f"| {connections} | {rows} | {name} | {statistics.median(rps):.0f} ({min(rps):.0f}) | "
                  f"{statistics.median(p99):.1f} ({max(p99):.1f}) | {failed} |")


if __name__ == "__main__":
    main()
