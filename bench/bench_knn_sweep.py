#!/usr/bin/python3
"""k-nearest neighbours: mlmap against scikit-learn over a sweep of shapes
(issue 20 item 1), in CPU time, one thread each.

Every training-rows x features cell (10k/100k/1M x 8/64/256; --quick: 2k/20k
x 8/64) runs once, with k (1/5/50), weights (uniform/distance), classifier or
regressor and float32 or float64 training rows cycled over the cells so that
every level of each appears (a Latin-square-like design, not a full grid: the
full one would take hours on 2 cores).  Rows come from make_classification /
make_regression (10 informative features, the rest noise).

Per cell: sklearn's predict_proba (classifier) or predict (regressor) with its
default algorithm (its KD tree below 16 features, brute force above), and
brute force where that differs, and mlmap's, interleaved, each the minimum
CPU time of a few repetitions (time.process_time, sklearn limited to one
thread with threadpoolctl, mlmap n_threads=1).  Outputs are compared first
(sklearn's brute-force euclidean distances differ from exact ones by ~1e-15
relative, so a near tie may resolve otherwise: reported, not failed).

Prints a table and the median and worst (minimum) of sklearn CPU / mlmap CPU,
and the load average.  Options: --quick, --out FILE (JSON).
"""
import os
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import neighbors_sweep_common as common  # noqa: E402  (beside this script)

ROWS = (10_000, 100_000, 1_000_000)
FEATURES = (8, 64, 256)
QUICK_ROWS = (2_000, 20_000)
QUICK_FEATURES = (8, 64)
KS = (1, 5, 50)


def cells(rows, features):
    """(n_rows, n_features, k, weights, task, dtype) for each cell: k a Latin
    square over rows x features, the others alternating with other periods
    (the largest cell, 1M x 256, is float32: 1 GB)."""
    out = []
    for i, (r, f) in enumerate((r, f) for r in range(len(rows)) for f in range(len(features))):
        out.append(dict(n_train=rows[r], n_features=features[f], k=KS[(r + f) % 3],
                        weights=("uniform", "distance")[i % 2],
                        task=("classifier", "regressor")[(i // 2) % 2],
                        dtype=("float32", "float64")[(r + f) % 2]))
    return out


def main():
    args = common.parse_args(__doc__)

    import mlmap
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from threadpoolctl import threadpool_limits

    rows, features = (QUICK_ROWS, QUICK_FEATURES) if args.quick else (ROWS, FEATURES)
    results = []
    tmp = tempfile.mkdtemp(prefix="mlmap-knn-sweep-")
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores shared: read ratios, not times)", flush=True)
    head = (f"{'rows':>9} {'feat':>4} {'k':>3} {'weights':>8} {'task':>10} {'dtype':>7} {'queries':>7} "
            f"{'sk algo':>8} {'sk ms':>8} {'mlmap ms':>8} {'ratio':>6} {'brute ms':>8} {'ratio':>6} {'agree':>6}")
    print(head)
    for i, c in enumerate(cells(rows, features)):
        n_test = 1000 if c["n_train"] * c["n_features"] <= 100_000 * 64 else 200
        X, y, Xq, _ = common.data(c, n_test, seed=100 + i)
        cls = KNeighborsClassifier if c["task"] == "classifier" else KNeighborsRegressor
        sk = cls(n_neighbors=c["k"], weights=c["weights"]).fit(X, y)
        path = os.path.join(tmp, f"cell{i}.mlmap")
        mlmap.save(sk, path)
        mm = mlmap.load(path)
        brute = None
        if sk._fit_method != "brute":
            brute = cls(n_neighbors=c["k"], weights=c["weights"], algorithm="brute").fit(X, y)
        peer = "predict_proba" if c["task"] == "classifier" else "predict"
        with threadpool_limits(1):
            want = getattr(sk, peer)(Xq)
            got = getattr(mm, peer)(Xq)
            agree = common.agreement(got, want)
            reps = args.reps if c["n_train"] < 1_000_000 else 2
            t_sk = t_mm = t_br = float("inf")
            for _ in range(reps):  # interleaved: the machine's load hits both alike
                t_sk = min(t_sk, common.cpu_time(lambda: getattr(sk, peer)(Xq)))
                t_mm = min(t_mm, common.cpu_time(lambda: getattr(mm, peer)(Xq, n_threads=1)))
                if brute is not None:
                    t_br = min(t_br, common.cpu_time(lambda: getattr(brute, peer)(Xq)))
        r = dict(c, n_queries=n_test, sklearn_algorithm=sk._fit_method, sklearn_s=t_sk, mlmap_s=t_mm,
                 ratio=t_sk / t_mm, agree=agree)
        if brute is not None:
            r.update(sklearn_brute_s=t_br, brute_ratio=t_br / t_mm)
        results.append(r)
        print(f"{c['n_train']:>9} {c['n_features']:>4} {c['k']:>3} {c['weights']:>8} {c['task']:>10} "
              f"{c['dtype']:>7} {n_test:>7} {sk._fit_method:>8} {1e3 * t_sk:>8.1f} {1e3 * t_mm:>8.1f} "
              f"{r['ratio']:>6.2f} {1e3 * t_br if brute is not None else float('nan'):>8.1f} "
              f"{r.get('brute_ratio', float('nan')):>6.2f} {agree:>6.3f}", flush=True)
        os.unlink(path)
        del mm, sk, brute, X, Xq
    os.rmdir(tmp)
    common.print_ratios("sklearn CPU / mlmap CPU, sklearn's default algorithm", [r["ratio"] for r in results])
    common.print_ratios("sklearn brute force CPU / mlmap CPU", [r.get("brute_ratio", r["ratio"]) for r in results])
    common.finish(results, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
