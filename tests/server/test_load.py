#!/usr/bin/python3
"""Load test of `mlmap serve` under hot reload: mlmap-loadgen drives the
server with C concurrent keep-alive clients for T seconds while a background
loop publishes a new version (cycling through three models) every ~200 ms;
every request must succeed.  Prints requests/s, p50/p99 latency, failures and
the versions the clients saw.

The store lives in /dev/shm when there is one (--tmp overrides): publishing
fsyncs, and on a busy virtual disk one fsync was seen to stall for seconds,
which would measure the disk rather than the server.

usage: test_load.py [--duration S] [--connections C] [--workers N] [--rows R]
                    [--publish-every S] [--tmp DIR]   (env MLMAP_CLI, MLMAP_LOADGEN)"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

import mlmap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverlib import CLI, Server  # noqa: E402

LOADGEN = os.environ["MLMAP_LOADGEN"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", type=int, default=10)
    ap.add_argument("--publish-every", type=float, default=0.2)
    ap.add_argument("--tmp", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="mlmap-load-", dir=a.tmp) as tmp:
        rng = np.random.default_rng(3)
        cols = [f"x{i}" for i in range(20)]
        X = pd.DataFrame(rng.normal(size=(2000, 20)), columns=cols)
        models = []
        for k in range(3):  # three models that answer differently
            y = (X.x0 + X.x1 * (k - 1) + rng.normal(scale=0.5, size=2000) > 0).astype(int)
            models.append(RandomForestClassifier(n_estimators=50, max_depth=10, random_state=k).fit(X, y))
        # Every publish is a new version: distinct files (the metadata differs),
        # cycling through the three models; past 100 files, publishes repeat
        # (a repeated publish only makes that version current again).
        n_files = min(100, int(a.duration / a.publish_every) + 5)
        files = []
        for i in range(n_files):
            files.append(f"{tmp}/v{i}.mlmap")
            mlmap.save(models[i % 3], files[-1], metadata={"build": str(i)})
        store = f"{tmp}/store"
        subprocess.run([CLI, "store", "publish", store, "m", files[0]], check=True, capture_output=True)
        body = f"{tmp}/body.json"
        with open(body, "w") as f:
            json.dump({"instances": X.iloc[: a.rows].values.tolist()}, f)

        with Server(store, "m", workers=a.workers) as srv:
            stop = threading.Event()
            published = []
            errors = []

            def publisher():
                k = 1
                while not stop.wait(a.publish_every):
                    t0 = time.time()
                    r = subprocess.run([CLI, "store", "publish", store, "m", files[k % len(files)]], capture_output=True, text=True)
                    (published if r.returncode == 0 else errors).append(time.time() - t0)
                    if r.returncode != 0:
                        errors.append(r.stderr)
                    k += 1

            t = threading.Thread(target=publisher)
            t.start()
            try:
                run = subprocess.run([LOADGEN, "--port", str(srv.port), "--path", "/predict", "--body", body,
                                      "--connections", str(a.connections), "--duration", str(a.duration), "--json"],
                                     capture_output=True, text=True, timeout=a.duration + 60)
            finally:
                stop.set()
                t.join()
            rc = srv.stop()
        assert run.stdout.strip(), f"loadgen printed nothing: {run.stderr}"
        r = json.loads(run.stdout)
        print(f"{os.cpu_count()} CPUs; server: {a.workers} workers; {a.connections} keep-alive clients; "
              f"{a.rows} rows per request; publish every {a.publish_every * 1000:.0f} ms; store in {tmp}")
        print(f"{r['requests']} requests in {r['duration_s']:.1f} s: {r['rps']:.0f} req/s, "
              f"p50 {r['p50_ms']:.2f} ms, p90 {r['p90_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, max {r['max_ms']:.1f} ms; "
              f"failed {r['failed']}")
        print(f"{len(published)} publishes ({len(errors)} failed; slowest {max(published + [0]) * 1000:.0f} ms); "
              f"{len(r['versions_seen'])} versions seen by clients")
        assert not errors, errors[:2]
        assert r["failed"] == 0, f"{r['failed']} failed requests: {r['first_error']}"
        assert r["requests"] > 0
        # Reloads happened under load (a publish on a stalled disk may take
        # seconds: ask for a few, not for one per 200 ms).
        assert len(r["versions_seen"]) >= 3, f"reloads not seen under load: {r['versions_seen']}"
        assert run.returncode == 0, run.stderr
        assert rc == 0, f"server exit status {rc}"


if __name__ == "__main__":
    main()
