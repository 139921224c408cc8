#!/usr/bin/python3
"""Cross-version XGBoost files: models written by each XGBoost of the version
matrix (A: Debian's 1.7.4; the venvs: 2.1.x, 3.x), as JSON and as UBJSON,
converted by *this* build's `mlmap convert-xgboost` (the Debian build) and
compared with the predictions of the XGBoost that wrote them: margins and
outputs within 1e-6 relative (as tests/importers/test_xgboost.py measures),
labels equal.  The importer does not depend on the Python stack; this proves
it on the files themselves.

    test_xgboost_files.py --venv-root DIR --venvs current compat

Needs MLMAP_CLI (the build's CLI) and the build's Python package (PYTHONPATH),
as meson runs it.  A missing venv is left out unless MLMAP_MATRIX_REQUIRED=1.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import mlmap

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_in_venv  # noqa: E402

CLI = os.environ.get("MLMAP_CLI", "build/tools/mlmap")
TOL = 1e-6

# Runs in the writing environment: trains, saves <name>.json / <name>.ubj and
# <name>.npz (X, xgboost's margin and predict).
WRITER = r'''
import json, os, sys
import numpy as np
import xgboost as xgb
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
V = tuple(int(v) for v in xgb.__version__.split(".")[:2])
rng = np.random.default_rng(0)
X = rng.normal(size=(500, 5)).astype(np.float32)
X[rng.random(X.shape) < 0.1] = np.nan
z = np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) ** 2 + 0.3 * rng.normal(size=len(X))
cases = {
    "logistic": ({"objective": "binary:logistic"}, (z > 0.3).astype(np.float32)),
    "softprob": ({"objective": "multi:softprob", "num_class": 3}, np.digitize(z, [-0.3, 0.6]).astype(np.float32)),
    "squared": ({"objective": "reg:squarederror"}, z),
    "poisson": ({"objective": "count:poisson"}, rng.poisson(np.exp(0.3 * z)).astype(np.float32)),
    "hinge": ({"objective": "binary:hinge"}, (z > 0.3).astype(np.float32)),
    "absolute": ({"objective": "reg:absoluteerror"}, z),
    "dart": ({"objective": "reg:squarederror", "booster": "dart", "rate_drop": 0.3, "skip_drop": 0.0}, z),
}
if V >= (2, 0):
    cases["quantiles"] = ({"objective": "reg:quantileerror", "quantile_alpha": np.array([0.1, 0.5, 0.9])}, z)
    cases["two_targets"] = ({"objective": "reg:squarederror"}, np.c_[z, -z * 2])
    cases["vector_leaves"] = ({"multi_strategy": "multi_output_tree", "tree_method": "hist"}, np.c_[z, -z * 2, z ** 2])
    cases["vector_softprob"] = ({"multi_strategy": "multi_output_tree", "tree_method": "hist",
                                 "objective": "multi:softprob", "num_class": 3}, np.digitize(z, [-0.3, 0.6]))
for name, (params, y) in cases.items():
    b = xgb.train({**params, "max_depth": 4, "nthread": 1, "seed": 0}, xgb.DMatrix(X, label=y), 8)
    b.save_model(os.path.join(out, name + ".json"))
    b.save_model(os.path.join(out, name + ".ubj"))
    dm = xgb.DMatrix(X)
    np.savez(os.path.join(out, name + ".npz"), X=X, margin=b.predict(dm, output_margin=True), pred=b.predict(dm),
             objective=json.loads(b.save_config())["learner"]["objective"]["name"])
print("xgboost", xgb.__version__, "wrote", len(cases), "models")
'''


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))


def check(directory, label):
    worst, failures = 0.0, []
    for npz in sorted(glob.glob(os.path.join(directory, "*.npz"))):
        name = os.path.basename(npz)[:-4]
        d = np.load(npz)
        objective = str(d["objective"])
        for ext in ("json", "ubj"):
            src, dst = os.path.join(directory, f"{name}.{ext}"), os.path.join(directory, f"{name}-{ext}.mlmap")
            r = subprocess.run([CLI, "convert-xgboost", src, dst], capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                failures.append(f"{label} {name}.{ext}: convert failed: {r.stderr.strip()}")
                continue
            m = mlmap.load(dst, verify=True)
            X = d["X"]
            diff = rel(m.decision_function(X).reshape(d["margin"].shape), d["margin"])
            if objective == "binary:hinge":
                bad = int(np.sum(m.predict(X) != d["pred"].astype(int)))
            elif objective == "binary:logistic":
                diff = max(diff, float(np.max(np.abs(m.predict_proba(X)[:, 1] - d["pred"]))))
                bad = 0
            elif objective == "multi:softprob":
                diff = max(diff, float(np.max(np.abs(m.predict_proba(X) - d["pred"]))))
                bad = int(np.sum(m.predict(X) != np.argmax(d["pred"], axis=1)))
            else:
                diff = max(diff, rel(m.predict(X).reshape(d["pred"].shape), d["pred"]))
                bad = 0
            worst = max(worst, diff)
            print(f"  {label:26s} {name + '.' + ext:20s} {objective:20s} worst {diff:.2e}  label mismatches {bad}")
            if diff > TOL or bad:
                failures.append(f"{label} {name}.{ext}: difference {diff:.3g}, {bad} label mismatches")
    return worst, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv-root", required=True)
    ap.add_argument("--venvs", nargs="*", default=[])
    args = ap.parse_args()
    envs = {"A (Debian)": (sys.executable, dict(os.environ))}
    for name in args.venvs:
        venv = os.path.abspath(os.path.join(args.venv_root, name))
        python = os.path.join(venv, "bin", "python")
        if not os.path.exists(python):
            if os.environ.get("MLMAP_MATRIX_REQUIRED") == "1":
                sys.exit(f"no venv at {venv}: `tools/dev.sh venvs` makes it")
            print(f"left out: no venv at {venv}")
            continue
        envs[f"{name} venv"] = (python, run_in_venv.clean_env(os.path.abspath(venv)))
    tmp = tempfile.mkdtemp(prefix="mlmap-xgb-files-")
    failures, worst = [], 0.0
    try:
        for i, (label, (python, env)) in enumerate(envs.items()):
            d = os.path.join(tmp, f"env{i}")
            r = subprocess.run([python, "-c", WRITER, d], env=env, cwd=tmp, capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                failures.append(f"writing in {label}: {r.stderr[-2000:]}")
                continue
            print(f"== {label}: {r.stdout.strip()}; converted by {CLI}", flush=True)
            w, f = check(d, label + " " + r.stdout.split()[1])
            worst, failures = max(worst, w), failures + f
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"worst difference over every version and format: {worst:.3g}")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    if len(envs) < 2:
        print("SKIP: only one environment")
        sys.exit(77)


if __name__ == "__main__":
    main()
