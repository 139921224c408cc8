#!/usr/bin/python3
"""Cross-version files: models saved by mlmap in one environment of the
version matrix load and predict identically in every other.

Environment A is the interpreter running this (Debian's, with the build tree
on PYTHONPATH, as meson runs it); B, C ... are the venvs named by --venvs
under --venv-root, with the mlmap wheel installed (run the same way as
run_in_venv.py runs the suites).  Each environment saves a set of models
(cross_version_models.py save), then each other one checks them (check):
bit-identical to the saving environment's mlmap predictions, within 1e-6 of
the saving library's.  A missing venv is left out, unless
MLMAP_MATRIX_REQUIRED=1 (then it fails).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_in_venv  # noqa: E402

MODELS = os.path.join(HERE, "cross_version_models.py")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv-root", required=True)
    ap.add_argument("--venvs", nargs="*", default=[])
    args = ap.parse_args()
    envs = {"A (build tree)": (sys.executable, dict(os.environ))}
    for name in args.venvs:
        venv = os.path.join(args.venv_root, name)
        python = os.path.join(venv, "bin", "python")
        if not os.path.exists(python):
            if os.environ.get("MLMAP_MATRIX_REQUIRED") == "1":
                sys.exit(f"no venv at {venv}: `tools/dev.sh venvs` makes it")
            print(f"left out: no venv at {venv}")
            continue
        stale = run_in_venv.stale_modules(run_in_venv.installed_package(python))
        if stale:
            sys.exit(f"the mlmap installed in {venv} is not the checkout's ({', '.join(stale)} differ)")
        envs[f"{name} venv"] = (python, run_in_venv.clean_env(os.path.abspath(venv)))
    if len(envs) < 2:
        print("SKIP: only one environment")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="mlmap-cross-")
    failed = []
    try:
        dirs = {}
        for i, (label, (python, env)) in enumerate(envs.items()):
            d = os.path.join(tmp, f"env{i}")
            print(f"== saving in {label}", flush=True)
            r = subprocess.run([python, MODELS, "save", d], env=env, cwd=tmp)
            if r.returncode != 0:
                failed.append(f"saving in {label}")
                continue
            dirs[label] = d
        for saver, d in dirs.items():
            for label, (python, env) in envs.items():
                if label == saver:
                    continue
                print(f"== saved in {saver}, predicted in {label}", flush=True)
                r = subprocess.run([python, MODELS, "check", d], env=env, cwd=tmp)
                if r.returncode != 0:
                    failed.append(f"saved in {saver}, predicted in {label}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        print("FAILED: " + "; ".join(failed))
        sys.exit(1)
    print(f"OK: {len(dirs)} environments x {len(envs) - 1} others")


if __name__ == "__main__":
    main()
