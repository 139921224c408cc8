#!/usr/bin/python3
"""What `pip install .` gives, checked in a venv of the version matrix (run
by run_in_venv.py, which has already checked that `mlmap` comes from the
venv): the package, the `mlmap` CLI on the venv's PATH, and a model saved
with the Python API and read back by both.  Importing mlmap imports no
scikit-learn, pickle-free loading, and nothing a wheel should not carry."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import mlmap

VENV = os.path.realpath(os.environ.get("VIRTUAL_ENV", sys.prefix))


class TestInstalled(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mlmap-installed-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_package_is_the_venvs(self):
        self.assertTrue(os.path.realpath(mlmap.__file__).startswith(VENV + os.sep), mlmap.__file__)
        self.assertEqual(os.path.realpath(sys.prefix), VENV)
        self.assertEqual(importlib.metadata.version("mlmap"), mlmap.__version__)
        core = os.path.realpath(mlmap._core.__file__)
        self.assertTrue(core.startswith(os.path.dirname(os.path.realpath(mlmap.__file__))), core)

    def test_wheel_installs_only_the_package_and_the_cli(self):
        files = [str(f) for f in importlib.metadata.files("mlmap")]
        outside = [f for f in files if not f.startswith(("mlmap/", "mlmap-")) and "/bin/mlmap" not in f
                   and not f.endswith("bin/mlmap")]
        self.assertEqual(outside, [], "files installed outside the package and bin/mlmap")
        self.assertFalse([f for f in files if f.endswith((".h", ".hpp", ".pc", ".a"))], files)
        self.assertFalse([f for f in files if "libmlmap" in f], files)

    def test_cli_on_path(self):
        cli = shutil.which("mlmap")
        self.assertIsNotNone(cli, "no mlmap on PATH")
        self.assertEqual(os.path.realpath(cli), os.path.join(VENV, "bin", "mlmap"))
        r = subprocess.run([cli, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("inspect", r.stdout)

    def test_save_with_python_read_with_cli(self):
        from sklearn.ensemble import RandomForestClassifier
        rng = np.random.default_rng(0)
        X = rng.normal(size=(300, 4))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        clf = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
        path = os.path.join(self.tmp, "rf.mlmap")
        mlmap.save(clf, path)
        m = mlmap.load(path)
        np.testing.assert_array_equal(m.predict(X), clf.predict(X))
        r = subprocess.run(["mlmap", "verify", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        csv = os.path.join(self.tmp, "x.csv")
        np.savetxt(csv, X[:20], delimiter=",", fmt="%.17g")
        r = subprocess.run(["mlmap", "predict", path, csv], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = [int(float(line.split(",")[-1])) for line in r.stdout.split()[1:]]
        self.assertEqual(got, [int(v) for v in clf.predict(X[:20])])

    def test_import_stays_light(self):
        code = "import sys, mlmap; print(sorted(m for m in ('sklearn', 'xgboost', 'torch', 'pandas') if m in sys.modules))"
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(r.stdout.strip(), "[]")


if __name__ == "__main__":
    unittest.main(verbosity=2)
