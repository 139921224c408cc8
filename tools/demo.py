#!/usr/bin/python3
"""mlmap demo: one RandomForest saved with joblib and with mlmap, side by side.

Run through `tools/dev.sh demo` (which builds mlmap and sets PYTHONPATH).
Shows file sizes, load times, that predictions are equal, single-row latency,
and the memory that 4 processes hold when each loads the model.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import mlmap

CHILD = r"""
import sys, time, numpy as np
kind, path, xpath = sys.argv[1], sys.argv[2], sys.argv[3]
X = np.load(xpath)
if kind == "joblib":
    import joblib
    m = joblib.load(path)
elif kind == "mlmap":
    import mlmap
    m = mlmap.load(path)
else:
    m = None  # baseline: the interpreter and numpy only
if m is not None:
    m.predict_proba(X)  # touch the model as serving would
print("ready", flush=True)
sys.stdin.readline()
"""


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def smaps(pid):
    """Rss, Pss and private bytes of a process (from /proc/PID/smaps_rollup)."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) * 1024
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields.get("Rss", 0), fields.get("Pss", 0), private


def processes_memory(kind, path, xpath, n):
    """Summed (Rss, Pss, Private) of n processes that each loaded the model."""
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, kind, path, xpath],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(n)]
    try:
        for p in procs:
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError(f"{kind} child failed")
        totals = [0, 0, 0]
        for p in procs:
            for i, v in enumerate(smaps(p.pid)):
                totals[i] += v
        return totals
    finally:
        for p in procs:
            p.stdin.close()
            p.wait()


def mib(n):
    return f"{n / 2**20:,.1f} MiB"


# Differences of PSS below this are page-accounting noise (a small model, or
# another process's pages coming and going), not memory the model holds.
MEASURABLE_BYTES = 1 << 20


def memory_above(total, base):
    """``total - base`` as text, or "not measurable" when below MEASURABLE_BYTES
    (negative included: the processes held less than the baseline)."""
    d = total - base
    return mib(d) if d >= MEASURABLE_BYTES else f"not measurable (< {mib(MEASURABLE_BYTES)})"


def memory_ratio(a, b, what):
    """"a/b x what" for two measured amounts, or "not measurable" when either
    is below MEASURABLE_BYTES (a ratio of noise is not a ratio)."""
    if a < MEASURABLE_BYTES or b < MEASURABLE_BYTES:
        return "ratio not measurable (model too small)"
    return f"{a / b:,.1f}x {what}"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--rows", type=int, default=60000, help="training rows (sets the model size)")
    ap.add_argument("--processes", type=int, default=4)
    args = ap.parse_args()

    import joblib
    import sklearn
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    print(f"mlmap {mlmap.__version__} (format {mlmap.format_version}), scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}")
    X, y = make_classification(n_samples=args.rows + 5000, n_features=20, n_informative=12,
                               n_classes=3, random_state=0)
    X_train, y_train, X_test = X[:args.rows], y[:args.rows], X[args.rows:]
    t0 = time.perf_counter()
    model = RandomForestClassifier(n_estimators=args.trees, n_jobs=2, random_state=0).fit(X_train, y_train)
    model.n_jobs = 1  # compare single-threaded prediction
    print(f"trained RandomForestClassifier({args.trees} trees, "
          f"{sum(e.tree_.node_count for e in model.estimators_):,} nodes) in {time.perf_counter() - t0:.1f} s\n")

    with tempfile.TemporaryDirectory(prefix="mlmap-demo-") as tmp:
        jpath, mpath, xpath = (os.path.join(tmp, n) for n in ("forest.joblib", "forest.mlmap", "X.npy"))
        np.save(xpath, X_test[:1000])
        t0 = time.perf_counter()
        joblib.dump(model, jpath)
        t_jdump = time.perf_counter() - t0
        t0 = time.perf_counter()
        mlmap.save(model, mpath, metadata={"demo": "tools/demo.py"})
        t_msave = time.perf_counter() - t0

        t_jload = median_time(lambda: joblib.load(jpath), 5)
        t_mload = median_time(lambda: mlmap.load(mpath), 50)
        m = mlmap.load(mpath)

        p_sk = model.predict_proba(X_test)
        p_mm = m.predict_proba(X_test)
        mismatches = int((model.predict(X_test) != m.predict(X_test)).sum())
        max_diff = float(np.abs(p_sk - p_mm).max())

        row = X_test[:1]
        lat_sk = median_time(lambda: model.predict_proba(row), 50)
        lat_mm = median_time(lambda: m.predict_proba(row), 2000)
        batch = X_test[:5000]
        thr_sk = len(batch) / median_time(lambda: model.predict_proba(batch), 3)
        thr_mm = len(batch) / median_time(lambda: m.predict_proba(batch), 10)

        base = processes_memory("baseline", "", xpath, 1)
        mem_j = processes_memory("joblib", jpath, xpath, args.processes)
        mem_m = processes_memory("mlmap", mpath, xpath, args.processes)

        n = args.processes
        rows = [
            ("file size", mib(os.path.getsize(jpath)), mib(os.path.getsize(mpath)), ""),
            ("save", f"{t_jdump * 1e3:,.0f} ms", f"{t_msave * 1e3:,.0f} ms", "mlmap.save also verifies the file"),
            ("load (median)", f"{t_jload * 1e3:,.1f} ms", f"{t_mload * 1e6:,.0f} us",
             f"{t_jload / t_mload:,.0f}x faster"),
            ("predict 1 row, Python (median)", f"{lat_sk * 1e6:,.0f} us", f"{lat_mm * 1e6:,.1f} us",
             f"{lat_sk / lat_mm:,.0f}x faster"),
            ("predict batch, 1 thread", f"{thr_sk:,.0f} rows/s", f"{thr_mm:,.0f} rows/s",
             f"{thr_mm / thr_sk:,.1f}x"),
            (f"{n} processes: summed PSS", mib(mem_j[1]), mib(mem_m[1]), ""),
            (f"{n} processes: PSS above bare Python", memory_above(mem_j[1], n * base[1]),
             memory_above(mem_m[1], n * base[1]),
             memory_ratio(mem_j[1] - n * base[1], mem_m[1] - n * base[1], "less")),
            (f"{n} processes: private memory", mib(mem_j[2]), mib(mem_m[2]), "mlmap pages are shared"),
        ]
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows + [("", "joblib", "", "")])
        w2 = max(len(r[2]) for r in rows + [("", "", "mlmap", "")])
        print(f"{'':<{w0}}  {'joblib':>{w1}}  {'mlmap':>{w2}}")
        for name, a, b, note in rows:
            print(f"{name:<{w0}}  {a:>{w1}}  {b:>{w2}}  {note}")
        print(f"\npredictions on {len(X_test):,} held-out rows: {mismatches} label mismatches, "
              f"max |proba difference| = {max_diff:.2e}")

        cli = os.environ.get("MLMAP_CLI")
        if cli and os.path.exists(cli):
            print(f"\n$ mlmap inspect {os.path.basename(mpath)}")
            sys.stdout.flush()
            subprocess.run([cli, "inspect", mpath], check=False)
        if mismatches or max_diff > 1e-6:
            print("PARITY FAILURE", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
