#!/usr/bin/python3
"""Radius neighbours: mlmap against scikit-learn over a sweep of shapes
(issue 20 item 1), in CPU time, one thread each; bench_knn_sweep.py's sibling.

Every training-rows x features cell (10k/100k x 8/64/256; --quick: 2k/20k x
8/64) runs twice, with a radius giving about 5 and about 100 neighbours a
query on average (the quantile of the distances from 200 held-out rows to the
training rows), with classifier or regressor, euclidean or manhattan and
float32 or float64 training rows cycled over the cells so that every level of
each appears (a Latin-square-like design, not the full grid).  Rows come from
make_classification / make_regression (10 informative features, the rest
noise); classifiers get outlier_label='most_frequent' (a query may have no
neighbour) and distance weights (uniform weights with an outlier label and
sklearn's brute force are refused: their predict_proba disagrees with
predict), regressors uniform weights.

Per cell: sklearn's predict_proba (classifier) or predict (regressor) with its
default algorithm (its KD tree below 16 features, brute force above) and with
brute force, and mlmap's, interleaved, each the minimum CPU time of --reps
repetitions (time.process_time, sklearn limited to one thread with
threadpoolctl, mlmap n_threads=1).  Outputs are compared first (a distance
within ~1e-15 of the radius may fall on the other side in sklearn's brute
force: reported as the share of rows agreeing, not failed).

Prints a table, the median and worst (minimum) of sklearn CPU / mlmap CPU,
and the load average.  Options: --quick, --out FILE (JSON), --reps.
"""
import os
import sys
import tempfile
import warnings

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import neighbors_sweep_common as common  # noqa: E402  (beside this script)

ROWS = (10_000, 100_000)
FEATURES = (8, 64, 256)
QUICK_ROWS = (2_000, 20_000)
QUICK_FEATURES = (8, 64)
NEIGHBOURS = (5, 100)


def cells(rows, features):
    """(n_train, n_features, neighbours, metric, task, dtype) for each cell."""
    out = []
    grid = [(r, f) for r in range(len(rows)) for f in range(len(features))]
    for i, (r, f) in enumerate(grid):
        for j, nb in enumerate(NEIGHBOURS):
            out.append(dict(n_train=rows[r], n_features=features[f], neighbours=nb,
                            metric=("euclidean", "manhattan")[(i + j) % 2],
                            task=("classifier", "regressor")[(i // 2 + j) % 2],
                            dtype=("float32", "float64")[(r + f + j) % 2]))
    return out


def radius_for(X, Xcal, metric, neighbours):
    """The radius within which a held-out row has `neighbours` training rows on average."""
    from sklearn.metrics import pairwise_distances
    d = pairwise_distances(Xcal.astype(np.float64), X.astype(np.float64), metric=metric)
    return float(np.quantile(d, neighbours / X.shape[0]))


def main():
    args = common.parse_args(
        __doc__, lambda ap: ap.add_argument("--only", type=int, nargs="*", help="run these cell numbers only"))

    import mlmap
    from sklearn.neighbors import RadiusNeighborsClassifier, RadiusNeighborsRegressor
    from threadpoolctl import threadpool_limits

    rows, features = (QUICK_ROWS, QUICK_FEATURES) if args.quick else (ROWS, FEATURES)
    results = []
    tmp = tempfile.mkdtemp(prefix="mlmap-radius-sweep-")
    print(f"mlmap {mlmap.__file__}")
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores shared: read ratios, not times)", flush=True)
    print(f"{'cell':>4} {'rows':>7} {'feat':>4} {'nbrs':>5} {'metric':>9} {'task':>10} {'dtype':>7} {'queries':>7} "
          f"{'sk algo':>8} {'sk ms':>8} {'mlmap ms':>8} {'ratio':>6} {'brute ms':>8} {'ratio':>6} {'agree':>6}")
    for i, c in enumerate(cells(rows, features)):
        if args.only and i not in args.only:
            continue
        n_test = 1000 if c["n_train"] * c["n_features"] <= 100_000 * 64 else 200
        X, y, Xq, Xcal = common.data(c, n_test, seed=100 + i, n_extra=200)
        radius = radius_for(X, Xcal, c["metric"], c["neighbours"])
        if c["task"] == "classifier":
            make = lambda **kw: RadiusNeighborsClassifier(radius=radius, metric=c["metric"],
                                                          outlier_label="most_frequent", weights="distance",
                                                          **kw).fit(X, y)
        else:
            make = lambda **kw: RadiusNeighborsRegressor(radius=radius, metric=c["metric"], **kw).fit(X, y)
        sk, brute = make(), make(algorithm="brute")
        path = os.path.join(tmp, f"cell{i}.mlmap")
        mlmap.save(sk, path)
        mm = mlmap.load(path)
        peer = "predict_proba" if c["task"] == "classifier" else "predict"
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # regressors warn of rows without neighbours
            want = np.asarray(getattr(brute, peer)(Xq))
            got = np.asarray(getattr(mm, peer)(Xq, n_threads=1))
            agree = common.agreement(got, want)
            t_sk = t_mm = t_br = float("inf")
            for _ in range(args.reps):  # interleaved: the machine's load hits all alike
                t_sk = min(t_sk, common.cpu_time(lambda: getattr(sk, peer)(Xq)))
                t_mm = min(t_mm, common.cpu_time(lambda: getattr(mm, peer)(Xq, n_threads=1)))
                t_br = min(t_br, common.cpu_time(lambda: getattr(brute, peer)(Xq)))
        r = dict(c, cell=i, radius=radius, n_queries=n_test, sklearn_algorithm=sk._fit_method, sklearn_s=t_sk,
                 mlmap_s=t_mm, ratio=t_sk / t_mm, sklearn_brute_s=t_br, brute_ratio=t_br / t_mm, agree=agree)
        results.append(r)
        print(f"{i:>4} {c['n_train']:>7} {c['n_features']:>4} {c['neighbours']:>5} {c['metric']:>9} {c['task']:>10} "
              f"{c['dtype']:>7} {n_test:>7} {sk._fit_method:>8} {1e3 * t_sk:>8.1f} {1e3 * t_mm:>8.1f} "
              f"{r['ratio']:>6.2f} {1e3 * t_br:>8.1f} {r['brute_ratio']:>6.2f} {agree:>6.3f}", flush=True)
        os.unlink(path)
        del mm, sk, brute, X, Xq
    os.rmdir(tmp)
    for name, key in (("sklearn's default algorithm", "ratio"), ("sklearn brute force", "brute_ratio")):
        for metric in ("euclidean", "manhattan", None):
            v = [r[key] for r in results if metric in (None, r["metric"])]
            if v:
                common.print_ratios(f"{name} CPU / mlmap CPU, {metric or 'all'}", v)
    common.finish(results, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
