"""What the neighbours sweeps (bench_knn_sweep.py, bench_radius_sweep.py)
share: their options, their data, the CPU-time measure, the agreement check
and the summary they end with."""
import argparse
import json
import os
import statistics
import time

import numpy as np


def parse_args(doc, extra=None):
    """--quick (or MLMAP_BENCH_QUICK), --out FILE, --reps N; `extra(ap)` adds more."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", default=bool(os.environ.get("MLMAP_BENCH_QUICK")))
    ap.add_argument("--out", help="write the results as JSON here")
    ap.add_argument("--reps", type=int, default=3)
    if extra:
        extra(ap)
    return ap.parse_args()


def data(c, n_test, seed, n_extra=0):
    """Training rows and targets, n_test query rows and n_extra more rows
    (make_classification with 3 classes or make_regression, 10 informative
    features, in the cell's dtype)."""
    from sklearn.datasets import make_classification, make_regression
    t = c["n_train"]
    kw = dict(n_samples=t + n_test + n_extra, n_features=c["n_features"], n_informative=min(10, c["n_features"]),
              random_state=seed)
    if c["task"] == "classifier":
        X, y = make_classification(n_redundant=0, n_classes=3, n_clusters_per_class=1, **kw)
    else:
        X, y = make_regression(noise=1.0, **kw)
    X = X.astype(c["dtype"])
    return X[:t], y[:t], X[t:t + n_test], X[t + n_test:]


def cpu_time(fn):
    """The process's CPU time of one call of fn."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def agreement(got, want):
    """The fraction of rows whose values all agree within 1e-6 (relative
    above 1; NaN agrees with NaN)."""
    got, want = np.asarray(got), np.asarray(want)
    close = (np.abs(got - want) <= 1e-6 * np.maximum(1, np.abs(want))) | (np.isnan(got) & np.isnan(want))
    return float(np.mean(np.all(close, axis=-1) if close.ndim > 1 else close))


def print_ratios(label, ratios):
    print(f"{label}: median {statistics.median(ratios):.2f}, worst {min(ratios):.2f}, best {max(ratios):.2f} "
          f"({len(ratios)} cells)")


def finish(results, out):
    """The load average after, and the results as JSON when --out names a file."""
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if out:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, "w") as f:
            json.dump(dict(results=results, loadavg=os.getloadavg()), f, indent=1)
