#!/usr/bin/python3
"""`mlmap store publish` against files and directories that change under it.

1. A source file truncated while it is being published: every run ends with
   exit 0 (the whole file was read before the truncation) or exit 2 and one
   line of message, never a signal (it died of SIGBUS when the source was
   read through a mapping); after a refusal the store is exactly as before
   (no new version, CURRENT unchanged, no temporary file).
2. Two publishers started together into a missing or an empty directory:
   both succeed (one of them used to find the other's half-made store and
   call it "a non-empty directory that is not an mlmap store").

usage: test_store_races.py MAKE_LARGE_MODEL [RUNS]    (env MLMAP_CLI)"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CLI = os.environ["MLMAP_CLI"]


def store_state(store, name):
    """What a refused publish must leave alone: the name's files and CURRENT."""
    d = os.path.join(store, name)
    if not os.path.isdir(d):
        return None
    files = sorted(os.listdir(d))
    current = open(os.path.join(d, "CURRENT")).read() if "CURRENT" in files else None
    return files, current


def leftovers(store):
    out = []
    for root, _, files in os.walk(store):
        out += [os.path.join(root, f) for f in files if ".tmp-" in f]
    return out


def truncated_while_publishing(make_large_model, tmp, runs):
    scratch = os.path.join(tmp, "scratch")
    out = subprocess.run([make_large_model, scratch, "big", "24"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    with open(out.stdout.split()[0], "rb") as f:
        good = f.read()
    src = os.path.join(tmp, "source.mlmap")
    store = os.path.join(tmp, "store")
    rng = random.Random(5)
    outcomes = {"published": 0, "refused": 0}
    # How long a publish takes here, so that truncations land inside it.
    with open(src, "wb") as f:
        f.write(good)
    t0 = time.time()
    r = subprocess.run([CLI, "store", "publish", os.path.join(tmp, "timing"), "m", src], capture_output=True, text=True)
    span = time.time() - t0
    assert r.returncode == 0, r.stderr
    for i in range(runs):
        with open(src, "wb") as f:
            f.write(good)
        before = store_state(store, "m")
        p = subprocess.Popen([CLI, "store", "publish", store, "m", src], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0, span))
        os.truncate(src, rng.randrange(0, len(good)))
        stdout, stderr = p.communicate(timeout=60)
        rc = p.returncode
        assert rc in (0, 2), f"run {i}: exit status {rc} (signal {-rc if rc < 0 else None}); stderr {stderr!r}"
        assert not leftovers(store), f"run {i}: temporary files left: {leftovers(store)}"
        if rc == 2:
            lines = stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("mlmap: "), f"run {i}: stderr {stderr!r}"
            assert store_state(store, "m") == before, f"run {i}: a refused publish changed the store"
            outcomes["refused"] += 1
        else:
            v = subprocess.run([CLI, "store", "list", store, "m"], capture_output=True, text=True)
            assert v.returncode == 0, v.stderr
            outcomes["published"] += 1
    # Whatever got in is the whole, verified file.
    if outcomes["published"]:
        cur = store_state(store, "m")[1].split()[1]
        with open(os.path.join(store, "m", cur), "rb") as f:
            assert f.read() == good, "the published version differs from the source"
    print(f"truncated while publishing ({len(good) / 1e6:.0f} MB, a publish takes {span * 1000:.0f} ms): "
          f"{runs} runs, {outcomes['published']} published, {outcomes['refused']} refused with exit 2, 0 signals")
    return outcomes


def concurrent_creation(tmp, runs, model):
    failures = []
    for i in range(runs):
        store = os.path.join(tmp, f"race{i}")
        if i % 2:
            os.mkdir(store)  # empty; otherwise missing
        barrier = threading.Barrier(2)
        results = [None, None]

        def publisher(k):
            barrier.wait()
            results[k] = subprocess.run([CLI, "store", "publish", store, f"n{k}", model], capture_output=True, text=True)

        threads = [threading.Thread(target=publisher, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for k, r in enumerate(results):
            if r.returncode != 0:
                failures.append((i, k, r.stderr.strip()))
        if not failures:
            names = subprocess.run([CLI, "store", "list", store], capture_output=True, text=True)
            assert names.returncode == 0 and "n0" in names.stdout and "n1" in names.stdout, names
        shutil.rmtree(store)
    assert not failures, f"{len(failures)} of {2 * runs} concurrent publishes failed, e.g. {failures[:3]}"
    print(f"concurrent creation: {runs} runs (missing and empty directories), 2 publishers each, all succeeded")


def main():
    make_large_model = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    tmp = tempfile.mkdtemp(prefix="mlmap-store-races-")
    try:
        truncated_while_publishing(make_large_model, tmp, runs)
        model = os.path.join(tmp, "small.mlmap")
        scratch = os.path.join(tmp, "small-store")
        out = subprocess.run([make_large_model, scratch, "s", "1"], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        shutil.copy(out.stdout.split()[0], model)
        concurrent_creation(tmp, runs // 2, model)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
