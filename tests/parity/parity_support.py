"""What the parity suites share: how a difference is measured, where a test
class keeps its model files, and how a suite runs and reports."""

import os
import shutil
import sys
import tempfile
import time
import contextlib
import unittest

import numpy as np

import mlmap


def differences(got, expected, nan_matches=False):
    """(relative, absolute) worst difference: relative is
    |got - expected| / max(1, |expected|). A NaN on either side is an
    infinite difference, unless ``nan_matches`` and both sides are NaN."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.size == 0:
        return 0.0, 0.0
    if nan_matches:
        both_nan = np.isnan(got) & np.isnan(expected)
        got, expected = np.where(both_nan, 0.0, got), np.where(both_nan, 0.0, expected)
    if np.any(np.isnan(got) | np.isnan(expected)):
        return float("inf"), float("inf")
    a = np.abs(got - expected)
    return float(np.max(a / np.maximum(1.0, np.abs(expected)))), float(np.max(a))


@contextlib.contextmanager
def this_version_has_it(what=""):
    """Around constructing and fitting a configuration that some library
    version of the matrix does not have (a parameter or value removed or not
    yet added, e.g. criterion='friedman_mse' in scikit-learn 1.9,
    multi_class= in 1.8, loss='deviance' after 1.2, a multiclass liblinear
    fit from 1.8): this version's own refusal of it skips the (sub)test,
    naming the refusal.  Anything else propagates."""
    try:
        yield
    except (TypeError, ValueError) as e:
        text = str(e)
        if (type(e).__name__ == "InvalidParameterError"
                or (isinstance(e, TypeError) and "unexpected keyword argument" in text)
                or ("liblinear" in text and "multiclass" in text)):
            raise unittest.SkipTest(f"not in this library version{': ' + what if what else ''}: "
                                    f"{text.splitlines()[0][:200]}") from None
        raise


class ModelFiles(unittest.TestCase):
    """A temporary directory per test class; every saved model is verified
    before it is loaded."""

    prefix = "mlmap-parity-"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix=cls.prefix)
        cls.count = 0

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, name="model"):
        type(self).count += 1
        return os.path.join(self.tmp, f"{name}-{self.count}.mlmap")

    def roundtrip(self, est, **save_kw):
        path = self.path()
        mlmap.save(est, path, **save_kw)
        self.assertTrue(mlmap.verify(path))
        return mlmap.load(path)


def run(versions, print_summary=None):
    """unittest's main, then the suite's summary, the versions compared
    (``versions``: e.g. "sklearn 1.2.1, numpy 1.24.2") and the time taken."""
    start = time.perf_counter()
    prog = unittest.main(exit=False, verbosity=2)
    if print_summary:
        print_summary()
    print(f"{versions}, mlmap {mlmap.__version__} from {os.path.dirname(mlmap.__file__)}\n"
          f"total {time.perf_counter() - start:.1f} s")
    sys.exit(not prog.result.wasSuccessful())
