"""What the Python peer scripts (peers.py, peers_ext.py, sklearn_onnx.py)
share: their command line and the manifest it names (make_models.py's
manifest-*.json), a scenario's stored test rows and reference outputs, and
the timer of calls.  Needs only numpy: peers_ext.py and sklearn_onnx.py run
in other interpreters, without mlmap."""

import argparse
import gc
import json
import os
import time
from pathlib import Path

import numpy as np

# run_benchmarks.py --cpu-clock (MLMAP_BENCH_CLOCK=cpu): time calls by this
# thread's CPU time (a shared machine's other processes then do not count;
# the peers run on one thread).  Budgets stay in wall time.
CLOCK_NS = time.thread_time_ns if os.environ.get("MLMAP_BENCH_CLOCK") == "cpu" else time.perf_counter_ns


def clock_pair_ns(pairs=20_000):
    """What two CLOCK_NS reads around nothing measure (median, ns).  The
    thread CPU clock is a system call on the project machine: ~0.57 us a
    pair from Python (perf_counter_ns: ~0.05 us), 1% of a scikit-learn
    one-row call; Timer takes it off every call."""
    d = []
    for _ in range(pairs):
        t0 = CLOCK_NS()
        t1 = CLOCK_NS()
        d.append(t1 - t0)
    return float(np.median(d))

# The input name of every ONNX model the peers convert (sklearn_onnx.py,
# peers_ext.py), which ONNX Runtime is fed by.
ONNX_INPUT = "input"


def parse_args(doc, paths=()):
    """--manifest, --out, --only and an optional path argument per (flag,
    help) of `paths`: returns (args, the manifest's contents)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--manifest", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--only", nargs="*")
    for flag, help in paths:
        ap.add_argument(flag, type=Path, help=help)
    args = ap.parse_args()
    return args, json.loads(args.manifest.read_text())


def read_stored(e, n=None):
    """The first n (default: all n_test) stored test rows of scenario entry e
    (float32) and its reference outputs."""
    n = e["n_test"] if n is None else n
    f, w = e["n_features"], e["ref_width"]
    X = np.fromfile(e["X"], dtype=np.float32, count=n * f).reshape(n, f)
    ref = np.fromfile(e["ref"], dtype=np.float64, count=n * w).reshape(n, w)
    return X, ref


def batch_blocks(X, rows, count=16):
    """`count` batches of `rows` stepping through the stored rows (wrapping),
    so that a call is not timed on rows the last one left in cache."""
    span = len(X) - rows + 1
    return [X[(k * rows) % span:(k * rows) % span + rows] for k in range(count)]


class Timer:
    """Runs fn repeatedly for about `budget` seconds (at least min_calls,
    at most max_calls) with the garbage collector off; returns the per-call
    times in seconds, less what reading the clock costs (clock_pair_ns)."""

    _clock_ns = None

    def __init__(self, budget, min_calls=3, max_calls=200_000):
        self.budget, self.min_calls, self.max_calls = budget, min_calls, max_calls
        if Timer._clock_ns is None:
            Timer._clock_ns = clock_pair_ns()

    def __call__(self, fn, arg_for):
        return np.array(self._run(lambda i: self._time(fn, arg_for(i))))

    def pairs(self, mine, peer, arg_for):
        """mine and peer timed in turn on the same argument, the order
        alternating: a pair per call of the budget; returns their times
        (seconds, two arrays, pair by pair)."""
        def pair(i):
            a = arg_for(i)
            if i % 2 == 0:
                t_mine = self._time(mine, a)
                return t_mine, self._time(peer, a)
            t_peer = self._time(peer, a)
            return self._time(mine, a), t_peer
        t = np.array(self._run(pair)).reshape(-1, 2)
        return t[:, 0], t[:, 1]

    @staticmethod
    def _time(fn, a):
        t0 = CLOCK_NS()
        fn(a)
        t1 = CLOCK_NS()
        return max(0.0, t1 - t0 - Timer._clock_ns) * 1e-9

    def _run(self, step):
        """step(i) for i = 0, 1, ... over the budget, the garbage collector off."""
        out = []
        gc_was = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            i = 0
            while i < self.min_calls or (time.perf_counter() - start < self.budget and i < self.max_calls):
                out.append(step(i))
                i += 1
        finally:
            if gc_was:
                gc.enable()
        return out
