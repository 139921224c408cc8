#!/usr/bin/python3
"""Trains the benchmark models and writes everything the timers need into the
cache directory (build/bench-cache/ by default; never committed):

  <scenario>-<key>/model.joblib      the fitted estimator (sklearn peers)
  <scenario>-<key>/model.json        XGBoost's own JSON (the C API peer)
  <scenario>-<key>/model.mlmap       mlmap.save(estimator)
  <scenario>-<key>/X.f32             test rows, row-major float32 (NaN = missing); with
                                     Data.strings, categorical columns hold codes that stand
                                     for the strings 'c<code>' (scenarios.frame)
  <scenario>-<key>/ref.f64           the peer's outputs on X (probabilities or values)
  <scenario>-<key>/labels.i64        the peer's predicted class indices (classifiers)
  sweep-<key>/<n>trees.{joblib,mlmap}  models of growing size for open/load timing
  opens/<name>-<rows>-....{joblib,mlmap}  large k-NN models, opened and loaded only

Trained models are cached under a key of the scenario's definition and the
library versions; the .mlmap files are written again whenever the mlmap
build changes.  Writes manifest.json (for Python) and manifest.txt (for
bench_predict) and prints the manifest path.
"""

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
import scenarios as S  # noqa: E402


def log(*a):
    print("[make_models]", *a, flush=True)


def versions():
    import sklearn
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__}
    try:
        import xgboost
        out["xgboost"] = xgboost.__version__
    except ImportError:
        out["xgboost"] = None
    return out


def mlmap_stamp():
    """Identifies the mlmap build: re-export .mlmap files when it changes."""
    import mlmap
    core = Path(mlmap._core.__file__)
    st = core.stat()
    return f"{mlmap.__version__}:{mlmap.format_version}:{st.st_size}:{st.st_mtime_ns}"


def make_data(d, n_test):
    from sklearn.datasets import make_classification, make_regression
    n = d.n_train + n_test
    if d.kind == "classification":
        X, y = make_classification(n_samples=n, n_features=d.n_features, n_informative=d.n_informative,
                                   n_classes=d.n_classes, n_clusters_per_class=2 if d.n_classes <= 4 else 1,
                                   flip_y=d.flip_y, random_state=d.seed)
    else:
        X, y = make_regression(n_samples=n, n_features=d.n_features, n_informative=d.n_informative,
                               noise=1.0, random_state=d.seed)
    X = X.astype(np.float32)
    if d.categorical:
        k = d.categories
        X[:, -d.categorical:] = np.floor(np.clip((X[:, -d.categorical:] + 4) * (k / 8), 0, k - 0.01))
    if d.nan_fraction > 0:
        rng = np.random.default_rng(d.seed + 1000)
        X[rng.random(X.shape) < d.nan_fraction] = np.nan
    return X[:d.n_train], y[:d.n_train], np.ascontiguousarray(X[d.n_train:])


def atomic_write(path, write):
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def references(est, X, kind, peer):
    """The peer's own outputs on X: float64 (n, width) and class indices."""
    if kind == "classification":
        proba = np.asarray(est.predict_proba(X), dtype=np.float64)
        labels = np.searchsorted(est.classes_, est.predict(X)).astype(np.int64)
        return proba, labels
    return np.asarray(est.predict(X), dtype=np.float64).reshape(len(X), -1), None


def set_single_thread(est):
    """Prediction of the peers runs on one thread (training used two)."""
    if hasattr(est, "n_jobs"):
        est.n_jobs = 1
    return est


def build_scenario(sc, cache, quick, n_test, vers, stamp):
    import joblib
    import mlmap
    key = sc.key(quick, vers)
    d = cache / f"{sc.name}-{key}"
    d.mkdir(parents=True, exist_ok=True)
    meta_path = d / "meta.json"
    est = None
    if not meta_path.exists():
        data = sc.data_for(quick)
        log(f"{sc.name}: training ({data.n_train} rows) ...")
        Xtr, ytr, Xte = make_data(data, sc.n_test_generated())
        est = sc.estimator_for(quick)
        t0 = time.perf_counter()
        est.fit(S.frame(Xtr, S.string_columns(data)), ytr)
        fit_s = time.perf_counter() - t0
        del Xtr, ytr
        set_single_thread(est)
        if sc.peer == "xgboost":
            est.get_booster().set_param({"nthread": 1})
            tmp = d / "model.tmp.json"  # xgboost picks the format from the suffix
            est.save_model(str(tmp))
            os.replace(tmp, d / "model.json")
        else:
            atomic_write(d / "model.joblib", lambda p, est=est: joblib.dump(est, p))
        proba, labels = references(est, S.frame(Xte, S.string_columns(data)), data.kind, sc.peer)
        atomic_write(d / "X.f32", lambda p: Xte.tofile(p))
        atomic_write(d / "ref.f64", lambda p: proba.tofile(p))
        if labels is not None:
            atomic_write(d / "labels.i64", lambda p: labels.tofile(p))
        meta = {"fit_seconds": fit_s, "n_test_stored": int(len(Xte)), "n_features": int(Xte.shape[1]),
                "n_classes": int(data.n_classes) if data.kind == "classification" else 0,
                "ref_width": int(proba.shape[1]), "kind": data.kind, "n_train": data.n_train,
                "has_nan": bool(np.isnan(Xte).any())}
        meta.update(tree_stats(est))
        atomic_write(meta_path, lambda p: p.write_text(json.dumps(meta, indent=1)))
        log(f"{sc.name}: trained in {fit_s:.1f} s")
    meta = json.loads(meta_path.read_text())
    meta["n_test"] = min(n_test, meta["n_test_stored"], sc.n_test or n_test)  # the first n_test stored rows

    mpath = d / "model.mlmap"
    stamp_path = d / "mlmap.stamp"
    if not mpath.exists() or not stamp_path.exists() or stamp_path.read_text() != stamp:
        if est is None:
            est = load_peer_estimator(sc, d)
        log(f"{sc.name}: mlmap.save")
        mlmap.save(est, mpath)
        stamp_path.write_text(stamp)
    del est
    layout = tree_layout(mpath)

    entry = {
        "name": sc.name, "title": sc.title, "issue": sc.issue, "peer": sc.peer,
        "dir": str(d), "model": str(mpath),
        "joblib": str(d / "model.joblib") if sc.peer == "sklearn" else None,
        "xgb_json": str(d / "model.json") if sc.peer == "xgboost" else None,
        "X": str(d / "X.f32"), "ref": str(d / "ref.f64"),
        "labels": str(d / "labels.i64") if meta["kind"] == "classification" else None,
        "threads": list(sc.threads), "shape": sc.shape,
        "string_columns": S.string_columns(sc.data_for(quick)), "group": sc.group,
        "layout": layout,
        "tolerance": sc.tolerance, "tolerance_why": sc.tolerance_why,
        "targets": [[t.metric, t.value, t.issue or sc.issue] for t in sc.targets],
        "sizes": {"mlmap": mpath.stat().st_size,
                  "joblib": (d / "model.joblib").stat().st_size if sc.peer == "sklearn" else None,
                  "xgb_json": (d / "model.json").stat().st_size if sc.peer == "xgboost" else None},
        **meta,
    }
    return entry


def tree_layout(path):
    """Which batch layout the writer gave a tree model's file (the file's own
    summary: inspect --json's trees.layouts); None for other models (the
    pipelines' linear models, the MLP)."""
    import mlmap
    trees = mlmap.load(str(path)).info().get("trees")
    if trees is None:
        return None
    return "bit-vectors" if "bitvectors" in trees["layouts"] else "nodes"


def load_peer_estimator(sc, d):
    if sc.peer == "xgboost":
        import xgboost
        est = xgboost.XGBRegressor() if sc.data.kind == "regression" else xgboost.XGBClassifier()
        est.load_model(str(d / "model.json"))
        return est
    import joblib
    return set_single_thread(joblib.load(d / "model.joblib"))


def tree_stats(est):
    """Node and tree counts of sklearn forests / boosting (best effort)."""
    trees = []
    if hasattr(est, "estimators_"):
        for e in np.ravel(np.asarray(est.estimators_, dtype=object)):
            if hasattr(e, "tree_"):
                trees.append(e.tree_.node_count)
    elif hasattr(est, "_predictors"):
        trees = [p.nodes.shape[0] for it in est._predictors for p in it]
    elif hasattr(est, "get_booster"):
        dump = json.loads(est.get_booster().save_raw("json"))
        ts = dump["learner"]["gradient_booster"]["model"]["trees"]
        trees = [len(t["left_children"]) for t in ts]
    return {"n_trees": len(trees), "n_nodes": int(sum(trees))} if trees else {}


def build_sweep(sweep_sources, cache, quick, vers, stamp):
    """Forests of growing size from the trees of the in_sweep scenarios: for a
    target size, the source with the largest trees that still fit in it,
    subset or deep-copied (copies so that pickle cannot share them)."""
    import joblib
    import mlmap
    mode = "quick" if quick else "full"
    sources = []
    for e in sweep_sources:
        per_tree = e["sizes"]["joblib"] / e["n_trees"]
        sources.append((per_tree, e))
    sources.sort(key=lambda t: t[0])
    out = []
    loaded = {}
    for mb in S.SWEEP_MB[mode]:
        target = mb * 1e6
        fitting = [s for s in sources if s[0] <= target * 1.5] or sources[:1]
        per_tree, src = fitting[-1]
        n = max(1, int(round(target / per_tree)))
        if n > S.SWEEP_MAX_COPIES * src["n_trees"]:
            log(f"sweep: ~{mb} MB skipped: it would take {n} trees, more than "
                f"{S.SWEEP_MAX_COPIES}x the {src['n_trees']} of {src['name']}")
            continue
        key = f"{Path(src['dir']).name}-{n}"
        d = cache / "sweep"
        d.mkdir(parents=True, exist_ok=True)
        jpath, mpath = d / f"{key}.joblib", d / f"{key}.mlmap"
        stamp_path = d / f"{key}.stamp"
        need_joblib = not jpath.exists()
        need_mlmap = not mpath.exists() or not stamp_path.exists() or stamp_path.read_text() != stamp
        if need_joblib or need_mlmap:
            if src["dir"] not in loaded:
                loaded.clear()
                loaded[src["dir"]] = joblib.load(src["joblib"])
            base = loaded[src["dir"]]
            m = copy.copy(base)
            k = len(base.estimators_)
            m.estimators_ = [base.estimators_[i] if i < k else copy.deepcopy(base.estimators_[i % k])
                             for i in range(n)]
            m.n_estimators = n
            if need_joblib:
                log(f"sweep: {n} trees of {src['name']} (~{mb} MB) -> joblib")
                atomic_write(jpath, lambda p: joblib.dump(m, p))
            if need_mlmap:
                log(f"sweep: {n} trees of {src['name']} -> mlmap")
                mlmap.save(m, mpath)
                stamp_path.write_text(stamp)
            del m
        out.append({"name": f"{mb}MB", "target_mb": mb, "source": src["name"], "n_trees": n,
                    "joblib": str(jpath), "model": str(mpath),
                    "sizes": {"joblib": jpath.stat().st_size, "mlmap": mpath.stat().st_size}})
    loaded.clear()
    return out


def build_opens(cache, quick, vers, stamp):
    """The OPENS models: fitted on random float32 rows (a k-NN fit only stores
    them), saved with joblib and mlmap, cached by size and versions."""
    import joblib
    import mlmap
    from sklearn.neighbors import KNeighborsClassifier
    out = []
    for o in S.OPENS:
        rows = o.rows_for(quick)
        d = cache / "opens"
        d.mkdir(parents=True, exist_ok=True)
        key = f"{o.name}-{rows}-{vers['sklearn']}-{vers['numpy']}"
        jpath, mpath, stamp_path = d / f"{key}.joblib", d / f"{key}.mlmap", d / f"{key}.stamp"
        need_mlmap = not mpath.exists() or not stamp_path.exists() or stamp_path.read_text() != stamp
        if not jpath.exists() or need_mlmap:
            log(f"{o.name}: {rows} x {o.features} float32 training rows")
            rng = np.random.default_rng(0)
            X = rng.standard_normal((rows, o.features), dtype=np.float32)
            est = KNeighborsClassifier(5).fit(X, rng.integers(0, 2, size=rows))
            del X
            if not jpath.exists():
                atomic_write(jpath, lambda p, est=est: joblib.dump(est, p))
            if need_mlmap:
                mlmap.save(est, mpath)
                stamp_path.write_text(stamp)
            del est
        out.append({"name": o.name, "title": o.title, "issue": o.issue, "peer": "sklearn",
                    "model": str(mpath), "joblib": str(jpath), "n_train": rows, "n_features": o.features, "n_test": 0,
                    "targets": [[t.metric, t.value, t.issue or o.issue] for t in o.targets],
                    "sizes": {"mlmap": mpath.stat().st_size, "joblib": jpath.stat().st_size}})
    return out


def remove_stale(cache, vers):
    """Deletes cached models no scenario of either mode would use any more
    (changed definitions or library versions), so the cache does not grow."""
    import re
    import shutil
    everything = S.all_scenarios()
    keep = {f"{sc.name}-{sc.key(q, vers)}" for sc in everything for q in (False, True)}
    names = {sc.name for sc in everything}
    for d in cache.iterdir():
        m = re.fullmatch(r"(.+)-([0-9a-f]{12})", d.name)
        if d.is_dir() and m and m.group(1) in names and d.name not in keep:
            log(f"removing stale {d.name}")
            shutil.rmtree(d)
    sweep = cache / "sweep"
    if sweep.is_dir():
        for f in sweep.iterdir():
            m = re.fullmatch(r"(.+-[0-9a-f]{12})-\d+\.(joblib|mlmap|stamp)", f.name)
            if m and m.group(1) not in keep:
                log(f"removing stale sweep/{f.name}")
                f.unlink()


def write_text_manifest(path, manifest):
    """One line per item, tab-separated key=value fields, for bench_predict."""
    lines = [f"config\tquick={int(manifest['quick'])}\tbatch_sizes="
             + ",".join(map(str, manifest["batch_sizes"])) + f"\trecord_batch={manifest['record_batch']}"
             + f"\ttolerance={manifest['tolerance']!r}\tthreads_batch={manifest['threads_batch']}"]
    for e in manifest["scenarios"]:
        f = {"name": e["name"], "model": e["model"], "X": e["X"], "rows": e["n_test"],
             "features": e["n_features"], "ref": e["ref"], "ref_width": e["ref_width"],
             "kind": e["kind"], "threads": ",".join(map(str, e["threads"])), "peer": e["peer"],
             "tolerance": repr(e["tolerance"]), "shape": int(e["shape"])}
        if e["labels"]:
            f["labels"] = e["labels"]
        if e["xgb_json"]:
            f["xgb_json"] = e["xgb_json"]
        if e["string_columns"]:
            f["strings"] = ",".join(map(str, e["string_columns"]))
        lines.append("scenario\t" + "\t".join(f"{k}={v}" for k, v in f.items()))
    for e in manifest["sweep"]:
        lines.append(f"open\tname=sweep_{e['name']}\tmodel={e['model']}")
    for e in manifest["opens"]:
        lines.append(f"open\tname={e['name']}\tmodel={e['model']}")
    for v in manifest["scenarios"] + manifest["sweep"] + manifest["opens"]:
        for k in ("model", "X", "ref"):
            if "\t" in str(v.get(k, "")) or "\n" in str(v.get(k, "")):
                raise SystemExit(f"path with a tab or newline: {v[k]!r}")
    path.write_text("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True, type=Path)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", nargs="*", help="scenario names (default: all)")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--no-shapes", action="store_true", help="skip the shape sweep (SHAPES)")
    args = ap.parse_args()

    mode = "quick" if args.quick else "full"
    cache = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    vers = versions()
    stamp = mlmap_stamp()
    remove_stale(cache, vers)
    entries = []
    for sc in S.by_name(args.only, quick=args.quick, shapes=not args.no_shapes):
        if sc.peer == "xgboost" and vers["xgboost"] is None:
            log(f"{sc.name}: skipped (python3-xgboost is not installed)")
            continue
        entries.append(build_scenario(sc, cache, args.quick, S.N_TEST[mode], vers, stamp))
    sweep_src = [e for e in entries if S.by_name([e["name"]])[0].in_sweep and e.get("n_trees")]
    shape_targets = S.SHAPE_TARGETS
    sweep = [] if args.no_sweep or not sweep_src else build_sweep(sweep_src, cache, args.quick, vers, stamp)
    opens = [] if args.no_sweep else build_opens(cache, args.quick, vers, stamp)
    manifest = {"quick": args.quick, "mode": mode, "versions": vers,
                "batch_sizes": list(S.BATCH_SIZES[mode]), "record_batch": S.RECORD_BATCH,
                "tolerance": S.Scenario.tolerance, "scenarios": entries, "sweep": sweep, "opens": opens,
                "shape_targets": shape_targets, "threads_batch": S.THREADS_BATCH}
    mpath = cache / f"manifest-{mode}.json"
    mpath.write_text(json.dumps(manifest, indent=1))
    write_text_manifest(cache / f"manifest-{mode}.txt", manifest)
    print(mpath)


if __name__ == "__main__":
    main()
