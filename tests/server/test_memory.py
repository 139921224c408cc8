#!/usr/bin/python3
"""Memory shared across processes: `mlmap serve` workers serving one model
from the store hold ONE copy of it.

A ~600 MB forest (the C++ writer, make_large_model) is published into a store
in $TMPDIR.  `mlmap serve --warm` runs with 1 worker, then with 8: --warm
makes every worker read every page of the model through its own mapping
(verify()), and each worker then predicts.  From /proc/PID/smaps_rollup:
every worker's Rss covers the whole file (each process really has all of
the model mapped), and the summed Pss of the 8 workers stays within 1.25x
the Pss of the single worker.  The files are deleted afterwards.

usage: test_memory.py MAKE_LARGE_MODEL [SIZE_MB]    (env MLMAP_CLI)"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverlib import Server  # noqa: E402


def rollup(pid):
    """{'Rss': KiB, 'Pss': KiB, ...} from /proc/PID/smaps_rollup."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def measure(store, workers, file_kib):
    with Server(store, "big", workers=workers, extra=["--warm"], timeout=300) as srv:
        warmed = [line for line in srv.log if "warmed version" in line]
        assert len(warmed) >= workers, f"{len(warmed)} of {workers} workers warmed: {''.join(srv.log)}"
        # Each connection lands on some worker; enough of them reach every one.
        rng = random.Random(1)
        for _ in range(16 * workers):
            rows = [[rng.random() for _ in range(16)] for _ in range(50)]
            st, _, body = srv.request("POST", "/predict", {"instances": rows})
            assert st == 200 and len(body["predictions"]) == 50, (st, body)
        pids = srv.workers()
        assert len(pids) == workers, pids
        per = {pid: rollup(pid) for pid in pids}
        master = rollup(srv.pid)
        rc = srv.stop(timeout=60)
        assert rc == 0, f"exit status {rc}"
    for pid, r in per.items():
        assert r["Rss"] >= 0.95 * file_kib, f"worker {pid} has only {r['Rss']} KiB resident of a {file_kib} KiB model"
    return per, master


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def main():
    make = sys.argv[1]
    size_mb = sys.argv[2] if len(sys.argv) > 2 else "600"
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix="mlmap-memory-", dir=os.environ.get("MLMAP_LARGE_DIR") or None)
    try:
        store = os.path.join(tmp, "store")
        out = subprocess.run([make, store, "big", size_mb], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        path, size = out.stdout.split()[0], int(out.stdout.split()[1])
        file_kib = size / 1024
        print(f"model: {size / 1e6:.0f} MB ({out.stdout.strip()})")

        one, master1 = measure(store, 1, file_kib)
        eight, master8 = measure(store, 8, file_kib)
        pss1 = sum(r["Pss"] for r in one.values())
        pss8 = sum(r["Pss"] for r in eight.values())
        ratio = pss8 / pss1
        print(f"1 worker:  Pss {mib(pss1)}, Rss {mib(sum(r['Rss'] for r in one.values()))}  (master Pss {mib(master1['Pss'])})")
        print(f"8 workers: Pss {mib(pss8)} summed; each: " +
              ", ".join(f"{mib(r['Pss'])} (Rss {mib(r['Rss'])})" for r in eight.values()) +
              f"  (master Pss {mib(master8['Pss'])})")
        print(f"ratio 8 workers / 1 worker: {ratio:.3f} (limit 1.25); without sharing it would be ~8")
        assert pss1 >= 0.95 * file_kib, f"one worker's Pss {pss1} KiB < the model's {file_kib:.0f} KiB"
        assert ratio <= 1.25, f"8 workers hold {ratio:.2f}x the memory of one"
        print(f"done in {time.time() - t0:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
