#!/usr/bin/python3
"""mlmap.Store from Python and `mlmap store` from the command line: publish,
dedupe, list, rollback, gc, watch, pickling by (store, name, version)."""

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

import mlmap

CLI = os.environ.get("MLMAP_CLI")


def forest(seed):
    X, y = make_classification(400, 6, random_state=0)
    return RandomForestClassifier(5, max_depth=4, random_state=seed).fit(X, y), X


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "store")
        self.store = mlmap.Store(self.dir)

    def tearDown(self):
        self.tmp.cleanup()

    def test_save_publish_rollback_gc(self):
        a, X = forest(1)
        b, _ = forest(2)
        v1 = self.store.save("churn", a)
        self.assertTrue(v1["created"])
        self.assertEqual(v1["version"], 1)
        self.assertEqual(stat.S_IMODE(os.stat(v1["path"]).st_mode), 0o444)
        # Publishing the very same file again is a no-op reporting version 1.
        again = self.store.publish("churn", v1["path"])
        self.assertFalse(again["created"])
        self.assertEqual(again["version"], 1)
        v2 = self.store.save("churn", b)
        self.assertEqual(v2["version"], 2)
        self.assertEqual(v2["previous"], 1)
        np.testing.assert_array_equal(self.store.load("churn").predict_proba(X), b.predict_proba(X))
        np.testing.assert_array_equal(self.store.load("churn", 1).predict_proba(X), a.predict_proba(X))
        self.assertEqual([v["current"] for v in self.store.versions("churn")], [False, True])
        self.store.rollback("churn", 1)
        self.assertEqual(self.store.current("churn")["version"], 1)
        self.assertEqual(self.store.gc(0)["removed_versions"], 1)
        self.assertEqual([v["version"] for v in self.store.versions("churn")], [1])
        self.assertEqual(self.store.names(), ["churn"])

    def test_refuses_bad_files_and_names(self):
        bad = os.path.join(self.tmp.name, "bad.mlmap")
        with open(bad, "wb") as f:
            f.write(b"not a model" * 10)
        with self.assertRaises(mlmap.FormatError) as e:
            self.store.publish("m", bad)
        self.assertIn("refusing to publish", str(e.exception))
        with self.assertRaises(ValueError):
            self.store.publish("../escape", bad)
        self.assertEqual(self.store.names(), [])

    def test_save_checks_the_name_before_writing(self):
        a, _ = forest(1)
        outside = os.path.join(self.tmp.name, "outside")
        for name in ("../outside", os.path.join(outside, "abs"), ".lock", "a b/c", ""):
            with self.assertRaisesRegex(ValueError, "must be 1-128 of"):
                self.store.save(name, a)
        self.assertEqual(sorted(os.listdir(self.tmp.name)), ["store"])     # nothing written outside
        self.assertFalse(os.path.isdir(os.path.join(self.dir, ".lock")))  # the lock still works:
        self.assertEqual(self.store.save("churn", a)["version"], 1)
        self.store.gc(1)
        with self.assertRaises(mlmap.UnsupportedModelError):
            self.store.save("other", object())
        self.assertEqual(self.store.names(), ["churn"])  # no empty name left by a failed save
        self.assertEqual([f for f in os.listdir(self.dir) if f.startswith(".tmp-")], [])

    def test_watch_follows_publishes(self):
        a, X = forest(1)
        b, _ = forest(2)
        self.store.save("m", a)
        watch = self.store.watch("m", poll_ms=5)
        first = watch.current()
        np.testing.assert_array_equal(first.predict_proba(X), a.predict_proba(X))
        self.store.save("m", b)
        deadline = time.time() + 5
        while watch.version != 2 and time.time() < deadline:
            time.sleep(0.01)
        self.assertEqual(watch.version, 2)
        np.testing.assert_array_equal(watch.current().predict_proba(X), b.predict_proba(X))
        np.testing.assert_array_equal(first.predict_proba(X), a.predict_proba(X))  # the old snapshot still works
        self.assertEqual(watch.last_error(), "")

    def test_a_closed_model_is_not_handed_out_again(self):
        a, X = forest(1)
        self.store.save("m", a)
        watch = self.store.watch("m")
        self.addCleanup(watch.close)
        with watch.current() as m:  # one user closes the model it was given
            blob = pickle.dumps(m)
        self.store.load("m").close()
        for get in (watch.current, lambda: self.store.load("m"), lambda: mlmap.Store(self.dir).load("m"),
                    lambda: pickle.loads(blob)):
            np.testing.assert_array_equal(get().predict_proba(X), a.predict_proba(X))

    def test_numbers_are_not_reused_and_a_remade_store_loads_its_own_content(self):
        a, X = forest(1)
        b, _ = forest(2)
        c, _ = forest(3)
        self.store.save("m", a)
        self.store.save("m", b)
        self.store.rollback("m", 1)
        self.store.gc(0)
        self.assertEqual(self.store.save("m", c)["version"], 3)  # never a second 2
        # A store deleted and made again at the same place numbers from 1
        # again, with other content: loads give that content (the cache keys
        # by content), a model held from before keeps its own.
        held = self.store.load("m", 1)
        shutil.rmtree(self.store.dir)
        again = mlmap.Store(self.store.dir)
        self.assertEqual(again.save("m", b)["version"], 1)
        np.testing.assert_array_equal(again.load("m").predict_proba(X), b.predict_proba(X))
        np.testing.assert_array_equal(again.load("m", 1).predict_proba(X), b.predict_proba(X))
        np.testing.assert_array_equal(held.predict_proba(X), a.predict_proba(X))

    def test_load_options_are_kept_apart_and_pickled(self):
        a, X = forest(1)
        self.store.save("m", a)
        mapped = self.store.load("m")
        copied = self.store.load("m", copy=True)
        self.assertIsNot(copied, mapped)  # not the mapped model of that version
        self.assertIs(self.store.load("m", copy=True), copied)
        self.assertEqual(copied.__reduce__()[1][-1], {"copy": True})  # as mlmap.load(copy=True)
        self.assertEqual(mapped.__reduce__()[1][-1], {})
        self.assertIs(pickle.loads(pickle.dumps(copied)), copied)
        verified = self.store.load("m", verify=True)
        self.assertIsNot(verified, mapped)
        self.assertEqual(verified.__reduce__()[1][-1], {"verify": True})
        self.assertIs(self.store.load("m"), verified)  # a verified model serves plain loads too
        if not os.path.exists("/proc/self/maps"):
            return
        # A worker maps nothing for a copy=True model.
        code = ("import pickle, sys; m = pickle.loads(sys.stdin.buffer.read()); m.predict([[0.0] * 6]); "
                "print(sum(m.path in line for line in open('/proc/self/maps')))")
        out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(copied), capture_output=True,
                             check=True, env=dict(os.environ))
        self.assertEqual(out.stdout.strip(), b"0")

    @unittest.skipUnless(hasattr(os, "fork"), "no fork")
    def test_watch_works_in_a_forked_child(self):
        a, X = forest(1)
        self.store.save("m", a)
        watch = self.store.watch("m", poll_ms=5)
        self.addCleanup(watch.close)
        watch.current()
        pid = os.fork()
        if pid == 0:  # the child: follows a new version, then closes (used to hang joining no thread)
            code = 1
            try:
                self.store.save("m", forest(2)[0])
                watch.refresh()
                ok = watch.version == 2 and watch.current().predict_proba(X).shape == (len(X), 2)
                watch.close()
                code = 0 if ok else 3
            finally:
                os._exit(code)
        deadline = time.time() + 10
        while time.time() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            self.fail("the forked child hung")
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        watch.refresh()
        self.assertEqual(watch.version, 2)  # the parent's watch still follows

    def test_store_models_pickle_as_store_name_version(self):
        a, X = forest(1)
        self.store.save("m", a)
        m = self.store.load("m")
        blob = pickle.dumps(m)
        self.assertLess(len(blob), 1024)
        self.assertIn(b"open_store_reference", blob)
        self.assertIs(pickle.loads(blob), m)
        # A new process gets exactly that version, even after a newer one is current.
        self.store.save("m", forest(2)[0])
        code = ("import pickle, sys, numpy as np; m = pickle.loads(sys.stdin.buffer.read()); "
                "np.save(sys.stdout.buffer, m.predict_proba(np.load(sys.argv[1])))")
        xpath = os.path.join(self.tmp.name, "X.npy")
        np.save(xpath, X)
        out = subprocess.run([sys.executable, "-c", code, xpath], input=blob, capture_output=True, check=True,
                             env=dict(os.environ))
        import io
        np.testing.assert_array_equal(np.load(io.BytesIO(out.stdout)), a.predict_proba(X))


@unittest.skipUnless(CLI, "MLMAP_CLI not set")
class StoreCliTest(unittest.TestCase):
    def run_cli(self, *args, code=0):
        r = subprocess.run([CLI, *args], capture_output=True, text=True)
        self.assertEqual(r.returncode, code, r.stderr)
        if code:
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        return r.stdout

    def test_verbs(self):
        with tempfile.TemporaryDirectory() as tmp:
            store = os.path.join(tmp, "s")
            paths = []
            for seed in (1, 2):
                p = os.path.join(tmp, f"m{seed}.mlmap")
                mlmap.save(forest(seed)[0], p)
                paths.append(p)
            self.assertIn("published churn version 1", self.run_cli("store", "publish", store, "churn", paths[0]))
            self.assertIn("already version 1", self.run_cli("store", "publish", store, "churn", paths[0]))
            self.assertIn("version 2", self.run_cli("store", "publish", store, "churn", paths[1]))
            listed = json.loads(self.run_cli("store", "list", store, "--json"))
            self.assertEqual([v["version"] for v in listed["churn"]], [1, 2])
            self.assertEqual([v["current"] for v in listed["churn"]], [False, True])
            self.run_cli("store", "rollback", store, "churn", "1")
            self.assertIn("* v1", self.run_cli("store", "list", store, "churn"))
            self.assertIn("removed 1 versions", self.run_cli("store", "gc", store, "--keep", "0"))
            self.run_cli("store", "rollback", store, "churn", "9", code=2)  # no such version
            self.run_cli("store", "rollback", store, "churn", "x", code=1)  # not a number

    def test_errors(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.run_cli("store", "list", os.path.join(tmp, "missing"), code=2)
            self.run_cli("store", "gc", tmp, code=1)                       # --keep missing
            self.run_cli("store", "frobnicate", tmp, code=1)
            bad = os.path.join(tmp, "bad.mlmap")
            with open(bad, "w") as f:
                f.write("x" * 100)
            self.run_cli("store", "publish", os.path.join(tmp, "s"), "m", bad, code=2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
