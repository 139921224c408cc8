#!/usr/bin/python3
"""The README's C and C++ snippets compile and run as written (issue 17
item 12), from a directory outside the source tree, two ways: against the
build tree through meson's uninstalled pkg-config file
(build/meson-uninstalled/mlmap-uninstalled.pc), and against an install
(meson install --destdir) through the installed mlmap.pc.  The C++ program's
probabilities equal Python's; the C program's too, for a row of zeros.

Run: test_readme_snippets.py SOURCE_ROOT BUILD_ROOT  (PYTHONPATH=BUILD_ROOT/tools/python)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

import mlmap

source, build = (os.path.abspath(p) for p in sys.argv[1:3])
readme = open(os.path.join(source, "README.md")).read()
blocks = {lang: [b for b in re.findall(rf"```{lang}\n(.*?)```", readme, re.S) if "int main" in b]
          for lang in ("cpp", "c")}
assert len(blocks["cpp"]) == 1 and len(blocks["c"]) == 1, {k: len(v) for k, v in blocks.items()}


def pkg_config(env, *extra):
    r = subprocess.run(["pkg-config", *extra, "--cflags", "--libs", "mlmap"], capture_output=True, text=True,
                       env=env, check=True)
    return r.stdout.split()


def build_and_run(where, flags, libdir, tmp, model, rows, want):
    exe_cpp, exe_c = os.path.join(tmp, f"cpp-{where}"), os.path.join(tmp, f"c-{where}")
    for cmd in (["c++", "-std=c++17", "-o", exe_cpp, os.path.join(tmp, "predict.cc"), *flags],
                ["cc", "-std=c99", "-o", exe_c, os.path.join(tmp, "predict.c"), *flags]):
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        assert r.returncode == 0, f"{where}: {' '.join(cmd)}\n{r.stderr}"
    env = {**os.environ, "LD_LIBRARY_PATH": libdir}
    text = "\n".join(" ".join(repr(float(v)) for v in row) for row in rows)
    r = subprocess.run([exe_cpp, model], input=text, capture_output=True, text=True, env=env, cwd=tmp)
    assert r.returncode == 0, f"{where}: C++ snippet: {r.stderr}"
    got = np.array([[float(v) for v in line.split()] for line in r.stdout.splitlines()])
    assert got.shape == want.shape and np.abs(got - want).max() < 1e-5, (where, got[:2], want[:2])
    r = subprocess.run([exe_c, model], capture_output=True, text=True, env=env, cwd=tmp)
    assert r.returncode == 0, f"{where}: C snippet: {r.stderr}"
    zero = mlmap.load(model).predict_proba(np.zeros((1, rows.shape[1]), dtype=np.float32))[0]
    assert np.abs(np.array([float(v) for v in r.stdout.split()]) - zero).max() < 1e-5, (where, r.stdout, zero)
    print(f"{where}: C++ and C snippets compiled ({' '.join(flags)}) and agree with Python")


tmp = tempfile.mkdtemp(prefix="mlmap-readme-")
try:
    assert not tmp.startswith(source + os.sep)
    with open(os.path.join(tmp, "predict.cc"), "w") as f:
        f.write(blocks["cpp"][0])
    with open(os.path.join(tmp, "predict.c"), "w") as f:
        f.write(blocks["c"][0])
    X, y = make_classification(300, 5, n_informative=3, n_classes=3, random_state=2)
    model = os.path.join(tmp, "model.mlmap")
    mlmap.save(RandomForestClassifier(10, max_depth=5, random_state=0).fit(X[:250], y[:250]), model)
    rows = X[250:260].astype(np.float32)
    want = mlmap.load(model).predict_proba(rows)

    # the build tree, uninstalled
    env = {**os.environ, "PKG_CONFIG_PATH": os.path.join(build, "meson-uninstalled")}
    build_and_run("build tree", pkg_config(env), os.path.join(build, "lib"), tmp, model, rows, want)

    # an install (DESTDIR), its own mlmap.pc with the prefix moved there
    dest = os.path.join(tmp, "install")
    r = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + r.stdout
    pcs = [os.path.join(d, f) for d, _, fs in os.walk(dest) for f in fs if f == "mlmap.pc"]
    assert len(pcs) == 1, pcs
    prefix_line = next(line for line in open(pcs[0]) if line.startswith("prefix="))
    prefix = dest + prefix_line.split("=", 1)[1].strip()
    env = {**os.environ, "PKG_CONFIG_PATH": os.path.dirname(pcs[0])}
    flags = pkg_config(env, f"--define-variable=prefix={prefix}")
    libdir = next(f[2:] for f in flags if f.startswith("-L"))
    build_and_run("install", flags, libdir, tmp, model, rows, want)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
