#!/usr/bin/python3
"""mlmap's inverse standard normal CDF (QuantileTransformer's normal output,
lib/src/model/preprocessing/ndtri.cc) against scipy.special.ndtri, which
scipy.stats.norm.ppf calls: the distance in ulps over a dense sweep of
(0, 1) — every decade of the lower tail down to the smallest subnormal,
the upper tail up to 1 - 2^-53, the central range, both sides of the
range switches at exp(-2) and exp(-32), and random values — plus 0, 1,
NaN and values outside [0, 1].  The worst distance asserted is the one
measured: 0 ulp (Boost.Math's erfc_inv, used before, was 6 ulp away).

Run: MLMAP_NDTRI_SWEEP=build/tests/tools/ndtri_sweep /usr/bin/python3 tests/parity/test_ndtri.py
"""

import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import scipy
from scipy import special

MAX_ULP = 0  # measured: bit-equal to scipy 1.10.1, 1.15.3 and 1.17.1 (the brief asks <= 1)
MEASURED = {}


def sweep():
    rng = np.random.default_rng(0)
    lower = np.concatenate([10.0 ** -rng.uniform(0, 323, 200_000), 10.0 ** -np.linspace(0.9, 300, 20_000),
                            np.array([5e-324, 1e-320, 2.2250738585072014e-308, 1e-300])])
    upper = 1.0 - np.concatenate([10.0 ** -rng.uniform(0.9, 16, 100_000), np.ldexp(1.0, -np.arange(2, 54))])
    centre = np.concatenate([rng.random(200_000), np.linspace(0, 1, 100_001)[1:-1]])
    switches = []
    for edge in (np.exp(-2), 1 - np.exp(-2), np.exp(-32), 1 - np.exp(-32), 0.5):
        e = edge
        for _ in range(50):
            switches += [e]
            e = np.nextafter(e, 2)
        e = edge
        for _ in range(50):
            e = np.nextafter(e, -1)
            switches += [e]
    u = np.concatenate([lower, upper, centre, np.array(switches)])
    return u[(u > 0) & (u < 1)]


def ulps(a, b):
    """Distance in units in the last place between float64 arrays (finite, same sign or zero)."""
    ia = a.view(np.int64).astype(object)
    ib = b.view(np.int64).astype(object)
    # map the sign-magnitude integers onto a monotone line
    def line(i):
        return np.array([v if v >= 0 else -(v & 0x7FFFFFFFFFFFFFFF) for v in i], dtype=object)
    return np.abs(line(ia) - line(ib)).astype(np.float64)


class Ndtri(unittest.TestCase):
    def run_mlmap(self, u):
        exe = os.environ.get("MLMAP_NDTRI_SWEEP")
        if not exe or not os.path.exists(exe):
            self.skipTest("MLMAP_NDTRI_SWEEP (build/tests/tools/ndtri_sweep) not given")
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "in"), os.path.join(d, "out")
            np.ascontiguousarray(u, dtype="<f8").tofile(src)
            subprocess.run([exe, src, dst], check=True)
            return np.fromfile(dst, dtype="<f8")

    def test_within_one_ulp_of_scipy(self):
        u = sweep()
        got, exp = self.run_mlmap(u), special.ndtri(u)
        self.assertEqual(got.shape, exp.shape)
        self.assertTrue(np.all(np.isfinite(exp)))
        d = ulps(got, exp)
        worst = int(d.max())
        MEASURED["values"] = len(u)
        MEASURED["worst ulp"] = worst
        MEASURED["median ulp"] = float(np.median(d))
        MEASURED["share exact"] = float(np.mean(d == 0))
        MEASURED["worst at"] = float(u[int(np.argmax(d))])
        self.assertLessEqual(worst, MAX_ULP, f"worst {worst} ulp at u = {u[int(np.argmax(d))]!r}")

    def test_edges(self):
        u = np.array([0.0, 1.0, np.nan, -0.5, 1.5, -np.inf, np.inf, -0.0])
        got, exp = self.run_mlmap(u), special.ndtri(u)
        np.testing.assert_array_equal(got, exp)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    print(f"scipy {scipy.__version__}, numpy {np.__version__}: " +
          ", ".join(f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}" for k, v in MEASURED.items()))
    sys.exit(0 if result.wasSuccessful() else 1)
