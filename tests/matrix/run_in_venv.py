#!/usr/bin/python3
"""Runs a test script against the mlmap *installed* in a venv of the version
matrix (tools/dev.sh venvs), as a user who ran `pip install` would.

    run_in_venv.py VENV SCRIPT [ARGS...]

The script runs under VENV's interpreter, from a fresh directory outside the
checkout, with an environment stripped of the build tree (no PYTHONPATH, no
sanitizer preloads), VENV's bin/ first on PATH and MLMAP_CLI = the CLI the
wheel installed there.  Before the script runs, this checks in that process
that `mlmap` is imported from VENV's site-packages and that no sys.path entry
holds another mlmap package; and, before that, that the installed package's
Python modules are the checkout's (a stale wheel would test old code).

A missing venv skips (exit 77) unless MLMAP_MATRIX_REQUIRED=1, as
`tools/dev.sh test` sets (then it fails).
"""

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_PACKAGE = os.path.normpath(os.path.join(HERE, "..", "..", "tools", "python", "mlmap"))

# Runs in the venv's interpreter before the script (argv: venv, script, args).
PRELUDE = r"""
import os, runpy, sys
venv, script = os.path.realpath(sys.argv[1]), sys.argv[2]
import mlmap
where = os.path.realpath(mlmap.__file__)
assert where.startswith(venv + os.sep), f"mlmap imported from {where}, not from the venv {venv}"
for entry in sys.path:
    if entry and os.path.isdir(os.path.join(entry, "mlmap")) and not os.path.realpath(entry).startswith(venv + os.sep):
        raise AssertionError(f"sys.path entry {entry} holds another mlmap package")
print(f"[matrix] mlmap {mlmap.__version__} from {os.path.dirname(where)}", flush=True)
sys.argv = [script] + sys.argv[3:]
sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
runpy.run_path(script, run_name="__main__")
"""


def installed_package(python):
    out = subprocess.run([python, "-c", "import importlib.util as u; print(u.find_spec('mlmap').submodule_search_locations[0])"],
                         capture_output=True, text=True, env=clean_env(None), cwd=tempfile.gettempdir())
    if out.returncode != 0:
        sys.exit(f"mlmap is not installed in {python}: {out.stderr.strip()}")
    return out.stdout.strip()


def stale_modules(installed):
    names = sorted(n for n in os.listdir(SOURCE_PACKAGE) if n.endswith(".py"))
    return [n for n in names
            if not os.path.exists(os.path.join(installed, n))
            or not filecmp.cmp(os.path.join(SOURCE_PACKAGE, n), os.path.join(installed, n), shallow=False)]


def clean_env(venv):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "MLMAP_CLI")}
    if venv is not None:
        env["VIRTUAL_ENV"] = venv
        env["PATH"] = os.path.join(venv, "bin") + os.pathsep + env.get("PATH", "")
        env["MLMAP_CLI"] = os.path.join(venv, "bin", "mlmap")
    return env


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    venv, script = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        msg = f"no venv at {venv}: `tools/dev.sh venvs` makes it"
        if os.environ.get("MLMAP_MATRIX_REQUIRED") == "1":
            sys.exit(msg)
        print(f"SKIP: {msg}")
        sys.exit(77)
    stale = stale_modules(installed_package(python))
    if stale:
        sys.exit(f"the mlmap installed in {venv} is not the checkout's ({', '.join(stale)} differ): "
                 "`tools/dev.sh venvs` rebuilds and reinstalls the wheel")
    cwd = tempfile.mkdtemp(prefix="mlmap-matrix-")
    try:
        r = subprocess.run([python, "-c", PRELUDE, venv, script] + sys.argv[3:], env=clean_env(venv), cwd=cwd)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()
