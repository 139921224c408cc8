#!/usr/bin/python3
"""Scale-out: models pickle by reference (path, size, content hash), unpickle
through a per-process cache, refuse a changed file; process pools
(multiprocessing, concurrent.futures, joblib) and Dask (mlmap.dask.predict on
a 2-worker LocalCluster) predict what the model predicts in memory.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/python/test_scaleout.py
"""

import concurrent.futures
import gc
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import numpy as np
import pandas as pd
from sklearn import ensemble
from sklearn.datasets import make_classification, make_regression

import mlmap
from mlmap import _reference

N_FEATURES = 6
COLUMNS = [f"f{i}" for i in range(N_FEATURES)]
LABELS = np.array(["cat", "dog", "eel"])
TIMEOUT = 120  # seconds for any one pool / cluster result: a hang fails, not blocks


def clf_data(n=600, seed=0):
    X, y = make_classification(n_samples=n, n_features=N_FEATURES, n_informative=4, n_redundant=1,
                               n_classes=3, n_clusters_per_class=1, random_state=seed)
    return X, LABELS[y]


def save_classifier(path, n_estimators=20, seed=0):
    """A forest fitted on a DataFrame (feature names) with string labels."""
    X, y = clf_data(seed=seed)
    est = ensemble.RandomForestClassifier(n_estimators=n_estimators, random_state=seed)
    est.fit(pd.DataFrame(X, columns=COLUMNS), y)
    mlmap.save(est, path)
    return X


def save_regressor(path, n_targets=1, seed=0):
    X, y = make_regression(n_samples=600, n_features=N_FEATURES, n_informative=4, n_targets=n_targets,
                           noise=1.0, random_state=seed)
    est = ensemble.RandomForestRegressor(n_estimators=10, random_state=seed)
    est.fit(pd.DataFrame(X, columns=COLUMNS), y)
    mlmap.save(est, path)
    return X


def replace_with_other_model(path, seed=1):
    """Another model saved over ``path`` (mlmap.save renames over it)."""
    save_classifier(path, n_estimators=5, seed=seed)


def mapped_count(path):
    """How many mappings of ``path`` this process has (/proc/self/maps)."""
    real = os.path.realpath(path)
    with open("/proc/self/maps") as f:
        return sum(1 for line in f if line.rstrip("\n").endswith(" " + real))


# --- functions run in worker processes (module level: spawn imports them) -----------

def task_predict(model, X):
    return model.predict(X)


def task_predict_proba(model, X):
    return model.predict_proba(X)


def task_identity(model):
    return os.getpid(), id(model), mapped_count(model.path)


def task_mapped_count(path):
    return mapped_count(path)


class TmpDir(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mlmap-scaleout-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def path(self, name="model.mlmap"):
        return os.path.join(self.dir, name)

    def assertChangedError(self, err, path, old_hash, new_hash):
        self.assertIsInstance(err, mlmap.FormatError)
        self.assertIsInstance(err, _reference.ModelChangedError)
        msg = str(err)
        self.assertIn(path, msg)
        self.assertIn(old_hash, msg)
        if new_hash is not None:
            self.assertIn(new_hash, msg)
        self.assertEqual(err.path, path)
        self.assertEqual(err.expected_hash, old_hash)
        self.assertEqual(err.found_hash, new_hash)


# --- pickling by reference ----------------------------------------------------------

class TestPickleByReference(TmpDir):

    def setUp(self):
        super().setUp()
        _reference.clear_cache()
        self.addCleanup(_reference.clear_cache)

    def test_pickle_is_small_and_holds_the_reference(self):
        p = self.path()
        save_classifier(p, n_estimators=200)  # a file of hundreds of kilobytes
        m = mlmap.load(p)
        info = m.info()
        self.assertGreater(info["file_size"], 256 << 10)
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=protocol):
                data = pickle.dumps(m, protocol=protocol)
                self.assertLess(len(data), 1024)
                self.assertIn(m.path.encode(), data)
                self.assertIn(info["content_hash"].encode(), data)
        # The reference: path, size and content hash, whatever the model's size.
        opener, args = m.__reduce__()
        self.assertIs(opener, _reference.open_file_reference)
        self.assertEqual(args[1:4], (m.path, info["file_size"], info["content_hash"]))

    def test_path_is_absolute(self):
        p = self.path()
        save_classifier(p)
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            m = mlmap.load("model.mlmap")
            expected = os.path.join(os.getcwd(), "model.mlmap")
        finally:
            os.chdir(cwd)
        self.assertEqual(m.__reduce__()[1][1], expected)
        X = clf_data()[0]
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(m)).predict(X), m.predict(X))

    def test_roundtrip_predicts_the_same(self):
        p_clf, p_reg = self.path("clf.mlmap"), self.path("reg.mlmap")
        X = save_classifier(p_clf)
        save_regressor(p_reg, n_targets=2)
        for p in (p_clf, p_reg):
            with self.subTest(model=os.path.basename(p)):
                m = mlmap.load(p)
                self.assertIs(pickle.loads(pickle.dumps(m)), m)  # the model already open here
                data, info = pickle.dumps(m), m.info()
                expected = [m.predict(X)]
                if m.task == "classification":
                    expected += [m.predict_proba(X), m.classes_]
                del m
                gc.collect()
                _reference.clear_cache()
                m2 = pickle.loads(data)  # nothing open: maps the file again
                self.assertIsInstance(m2, mlmap.Model)
                self.assertEqual(m2.info(), info)
                got = [m2.predict(X)]
                if m2.task == "classification":
                    got += [m2.predict_proba(X), m2.classes_]
                self.assertEqual(len(got), len(expected))
                for g, e in zip(got, expected):
                    np.testing.assert_array_equal(g, e)

    def test_cache_returns_the_same_object(self):
        p = self.path()
        save_classifier(p)
        m = mlmap.load(p)
        data = pickle.dumps(m)
        a, b = pickle.loads(data), pickle.loads(data)
        self.assertIs(a, b)
        self.assertIs(a, m)  # the model load() opened
        self.assertIs(pickle.loads(pickle.dumps(a)), a)
        # One pickle holding the model twice gives one object too.
        x, y = pickle.loads(pickle.dumps([m, m]))
        self.assertIs(x, a)
        self.assertIs(y, a)
        # Replaced by an identical copy (new inode, same content): still the same object.
        shutil.copy(p, p + ".copy")
        os.replace(p + ".copy", p)
        self.assertIs(pickle.loads(data), a)
        # Other load options are another cache entry.
        c = pickle.loads(pickle.dumps(mlmap.load(p, copy=True)))
        self.assertIsNot(c, a)
        self.assertIs(pickle.loads(pickle.dumps(c)), c)
        X = clf_data()[0]
        np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))
        # copy() and deepcopy() of an immutable model are the model.
        import copy
        self.assertIs(copy.copy(m), m)
        self.assertIs(copy.deepcopy([m])[0], m)

    def test_threads_unpickle_one_model(self):
        p = self.path()
        X = save_classifier(p)
        data = pickle.dumps(mlmap.load(p))  # the loaded model is dropped: nothing open
        gc.collect()
        got, errors = [], []

        def work():
            try:
                for _ in range(50):
                    got.append(pickle.loads(data))
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT)
        self.assertEqual(errors, [])
        self.assertEqual(len(got), 400)
        self.assertEqual(len({id(m) for m in got}), 1)
        self.assertEqual(mapped_count(p), 1)
        np.testing.assert_array_equal(got[0].predict(X), mlmap.load(p).predict(X))

    def test_load_options_travel_with_the_pickle(self):
        p = self.path()
        X = save_classifier(p)
        np.save(self.path("X.npy"), X)
        script = (
            "import json, pickle, sys\n"
            "import numpy as np\n"
            "m = pickle.loads(sys.stdin.buffer.read())\n"
            "X = np.load(sys.argv[1])\n"
            "proba = m.predict_proba(X)\n"
            "maps = sum(1 for l in open('/proc/self/maps') if l.rstrip().endswith(' ' + sys.argv[2]))\n"
            "print(json.dumps({'maps': maps, 'options': m.__reduce__()[1][4], 'proba': proba.tolist(),\n"
            "                  'dask': sorted(sys.modules.keys() & {'dask', 'distributed'})}))\n")
        m = mlmap.load(p)
        for copy in (False, True):
            with self.subTest(copy=copy):
                data = pickle.dumps(mlmap.load(p, copy=copy))
                r = subprocess.run([sys.executable, "-c", script, self.path("X.npy"), os.path.realpath(p)],
                                   input=data, capture_output=True, env=dict(os.environ), timeout=TIMEOUT)
                self.assertEqual(r.returncode, 0, r.stderr.decode())
                out = json.loads(r.stdout)
                # copy=False maps the file; copy=True reads it into private memory.
                self.assertEqual(out["maps"], 0 if copy else 1)
                self.assertEqual(out["options"].get("copy", False), copy)
                self.assertEqual(out["dask"], [])  # unpickling imports no dask
                np.testing.assert_array_equal(np.array(out["proba"]), m.predict_proba(X))

    def test_changed_file_is_refused(self):
        p = self.path()
        X = save_classifier(p)
        m = mlmap.load(p)
        old_hash = m.info()["content_hash"]
        data = pickle.dumps(m)
        shutil.copy(p, self.path("original.mlmap"))
        replace_with_other_model(p)
        new_hash = mlmap.load(p).info()["content_hash"]
        self.assertNotEqual(new_hash, old_hash)
        stale = pickle.loads(data)
        # Unpickling gives a stand-in whose every use raises (an exception
        # while unpickling would kill a Dask worker or hang a Pool).
        self.assertIsInstance(stale, mlmap.Model)
        for use in (lambda: stale.predict(X), lambda: stale.predict_proba(X), lambda: stale.info(),
                    lambda: stale.classes_, lambda: stale.path):
            with self.assertRaises(mlmap.FormatError) as cm:
                use()
            self.assertChangedError(cm.exception, m.path, old_hash, new_hash)
        self.assertIn(old_hash, repr(stale))
        # It pickles as the original reference: where the right file is, it opens.
        self.assertEqual(pickle.dumps(stale), data)
        os.replace(self.path("original.mlmap"), p)
        np.testing.assert_array_equal(pickle.loads(data).predict(X), m.predict(X))

    def test_cached_model_is_rechecked(self):
        # A worker that already opened the model must not keep answering with
        # it once the file at the path is another model.
        p = self.path()
        X = save_classifier(p)
        m = mlmap.load(p)
        data = pickle.dumps(m)
        cached = pickle.loads(data)
        np.testing.assert_array_equal(cached.predict(X), m.predict(X))
        replace_with_other_model(p)
        new = mlmap.load(p)
        stale = pickle.loads(data)
        self.assertIsNot(stale, cached)
        with self.assertRaises(mlmap.FormatError) as cm:
            stale.predict(X)
        self.assertChangedError(cm.exception, m.path, m.info()["content_hash"], new.info()["content_hash"])
        # The new model's pickle opens the new file.
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(new)).predict(X), new.predict(X))

    def test_size_is_checked(self):
        p = self.path()
        X = save_classifier(p)
        m = mlmap.load(p)
        data = pickle.dumps(m)
        # Same header (same content hash), other size.
        shutil.copy(p, p + ".tmp")
        with open(p + ".tmp", "ab") as f:
            f.write(b"\0" * 4096)
        os.replace(p + ".tmp", p)
        with self.assertRaises(mlmap.FormatError) as cm:
            pickle.loads(data).predict(X)
        e = cm.exception
        self.assertIsInstance(e, _reference.ModelChangedError)
        self.assertIn(m.path, str(e))
        self.assertIn(m.info()["content_hash"], str(e))
        self.assertIn(str(m.info()["file_size"]), str(e))

    def test_missing_file(self):
        p = self.path()
        X = save_classifier(p)
        data = pickle.dumps(mlmap.load(p))
        os.remove(p)
        with self.assertRaises(FileNotFoundError) as cm:
            pickle.loads(data).predict(X)
        self.assertEqual(cm.exception.filename, os.path.abspath(p))

    def test_unknown_reference_version(self):
        p = self.path()
        save_classifier(p)
        opener, args = mlmap.load(p).__reduce__()
        m = opener(args[0] + 1, *args[1:])
        with self.assertRaises(mlmap.FormatError) as cm:
            m.info()
        self.assertIn("reference version", str(cm.exception))

    def test_import_mlmap_does_not_import_dask(self):
        r = subprocess.run([sys.executable, "-c",
                            "import sys, mlmap; print(sorted(sys.modules.keys() & {'dask', 'distributed', 'pandas'}))"],
                           capture_output=True, text=True, env=dict(os.environ), timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("dask", r.stdout)
        self.assertNotIn("distributed", r.stdout)


# --- process pools --------------------------------------------------------------------

class TestProcessPools(TmpDir):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mlmap-pools-")
        cls.model_path = os.path.join(cls.tmp, "model.mlmap")
        cls.X = save_classifier(cls.model_path)
        cls.model = mlmap.load(cls.model_path)
        cls.chunks = np.array_split(cls.X, 8)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def check_results(self, labels, probas):
        np.testing.assert_array_equal(np.concatenate(labels), self.model.predict(self.X))
        np.testing.assert_array_equal(np.concatenate(probas), self.model.predict_proba(self.X))

    def check_identity(self, triples):
        by_pid = {}
        for pid, ident, maps in triples:
            by_pid.setdefault(pid, set()).add(ident)
            self.assertLessEqual(maps, 1)  # each process maps the file at most once
        self.assertNotIn(os.getpid(), by_pid)
        for pid, ids in by_pid.items():
            self.assertEqual(len(ids), 1, f"process {pid} opened the model {len(ids)} times")

    def changed_model(self):
        """A model whose file is then replaced by another: (model, old hash, new hash)."""
        p = self.path()
        save_classifier(p)
        m = mlmap.load(p)
        replace_with_other_model(p)
        return m, m.info()["content_hash"], mlmap.load(p).info()["content_hash"]

    def test_multiprocessing_pool(self):
        for method in ("fork", "spawn"):
            with self.subTest(start_method=method):
                with multiprocessing.get_context(method).Pool(2) as pool:
                    labels = pool.starmap_async(task_predict, [(self.model, c) for c in self.chunks]).get(TIMEOUT)
                    probas = pool.starmap_async(task_predict_proba,
                                                [(self.model, c) for c in self.chunks]).get(TIMEOUT)
                    self.check_results(labels, probas)
                    self.check_identity(pool.map_async(task_identity, [self.model] * 16, chunksize=1).get(TIMEOUT))
                    m, old, new = self.changed_model()
                    with self.assertRaises(mlmap.FormatError) as cm:
                        pool.apply_async(task_predict, (m, self.X)).get(TIMEOUT)
                    self.assertChangedError(cm.exception, m.path, old, new)
                    # The pool survives: the next task still runs.
                    np.testing.assert_array_equal(pool.apply_async(task_predict, (self.model, self.X)).get(TIMEOUT),
                                                  self.model.predict(self.X))

    def test_process_pool_executor(self):
        for method in ("fork", "spawn"):
            with self.subTest(start_method=method):
                ctx = multiprocessing.get_context(method)
                with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
                    labels = list(ex.map(task_predict, [self.model] * len(self.chunks), self.chunks,
                                         timeout=TIMEOUT))
                    probas = list(ex.map(task_predict_proba, [self.model] * len(self.chunks), self.chunks,
                                         timeout=TIMEOUT))
                    self.check_results(labels, probas)
                    self.check_identity(list(ex.map(task_identity, [self.model] * 16, timeout=TIMEOUT)))
                    m, old, new = self.changed_model()
                    with self.assertRaises(mlmap.FormatError) as cm:
                        ex.submit(task_predict, m, self.X).result(TIMEOUT)
                    self.assertChangedError(cm.exception, m.path, old, new)
                    np.testing.assert_array_equal(ex.submit(task_predict, self.model, self.X).result(TIMEOUT),
                                                  self.model.predict(self.X))

    def test_joblib_loky(self):
        import joblib
        with joblib.Parallel(n_jobs=2, backend="loky", timeout=TIMEOUT) as parallel:
            labels = parallel(joblib.delayed(task_predict)(self.model, c) for c in self.chunks)
            probas = parallel(joblib.delayed(task_predict_proba)(self.model, c) for c in self.chunks)
            self.check_results(labels, probas)
            self.check_identity(parallel(joblib.delayed(task_identity)(self.model) for _ in range(16)))
            m, old, new = self.changed_model()
            with self.assertRaises(mlmap.FormatError) as cm:
                parallel([joblib.delayed(task_predict)(m, self.X)])
            self.assertChangedError(cm.exception, m.path, old, new)


# --- Dask -------------------------------------------------------------------------------

class TestDask(TmpDir):
    """One 2-process LocalCluster for the class (its start-up takes seconds)."""

    @classmethod
    def setUpClass(cls):
        import dask.array  # noqa: F401
        import dask.dataframe  # noqa: F401
        from distributed import Client, LocalCluster
        import mlmap.dask  # noqa: F401
        cls.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
        cls.client = Client(cls.cluster)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()

    def compute(self, collection):
        return self.client.compute(collection).result(TIMEOUT)

    def frame(self, X, npartitions=5):
        import dask.dataframe as dd
        df = pd.DataFrame(X, columns=COLUMNS, index=np.arange(len(X)) * 3 + 7)
        return df, dd.from_pandas(df[COLUMNS[::-1]], npartitions=npartitions)  # columns by name

    def test_dataframe(self):
        import dask
        p = self.path()
        X = save_classifier(p)
        m = mlmap.load(p)
        df, ddf = self.frame(X)
        for model in (m, p):
            with self.subTest(model=type(model).__name__):
                labels = mlmap.dask.predict(ddf, model)
                self.assertTrue(dask.is_dask_collection(labels))
                self.assertEqual(labels.npartitions, ddf.npartitions)
                out = self.compute(labels)
                self.assertIsInstance(out, pd.Series)
                self.assertTrue(out.index.equals(df.index))
                np.testing.assert_array_equal(out.to_numpy(), m.predict(df))
                self.assertEqual(out.dtype, labels.dtype)
                proba = self.compute(mlmap.dask.predict(ddf, model, proba=True))
                self.assertIsInstance(proba, pd.DataFrame)
                self.assertEqual(list(proba.columns), list(m.classes_))
                self.assertTrue(proba.index.equals(df.index))
                np.testing.assert_array_equal(proba.to_numpy(), m.predict_proba(df))
        # Each worker process maps the file once, however many partitions it ran.
        counts = self.client.run(task_mapped_count, p)
        self.assertEqual(len(counts), 2)
        self.assertEqual(sorted(counts.values()), [1, 1], counts)

    def test_dataframe_regression(self):
        for n_targets in (1, 3):
            with self.subTest(n_targets=n_targets):
                p = self.path(f"reg{n_targets}.mlmap")
                X = save_regressor(p, n_targets=n_targets)
                m = mlmap.load(p)
                df, ddf = self.frame(X, npartitions=3)
                out = self.compute(mlmap.dask.predict(ddf, m))
                expected = m.predict(df)
                np.testing.assert_array_equal(out.to_numpy(), expected)
                self.assertEqual(out.ndim, expected.ndim)
                with self.assertRaises(AttributeError):
                    mlmap.dask.predict(ddf, m, proba=True)

    def test_dataframe_with_string_column(self):
        from sklearn.compose import ColumnTransformer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder
        import dask.dataframe as dd
        rng = np.random.default_rng(0)
        n = 800
        df = pd.DataFrame({"colour": rng.choice(["red", "green", "blue", "grey"], n),
                           "size": rng.normal(size=n), "weight": rng.normal(size=n)})
        y = np.where((df["colour"].isin(["red", "blue"])) ^ (df["size"] > 0.3), "yes", "no")
        pipe = make_pipeline(
            ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), ["colour"])],
                              remainder="passthrough"),
            ensemble.RandomForestClassifier(n_estimators=10, random_state=0)).fit(df, y)
        p = self.path("pipeline.mlmap")
        try:
            mlmap.save(pipe, p)
        except mlmap.UnsupportedModelError as e:
            self.skipTest(f"mlmap.save cannot save a Pipeline with a OneHotEncoder yet: {e}")
        m = mlmap.load(p)
        self.assertIn("colour", m.info()["string_columns"])
        ddf = dd.from_pandas(df, npartitions=4)
        np.testing.assert_array_equal(self.compute(mlmap.dask.predict(ddf, m)).to_numpy(), m.predict(df))
        np.testing.assert_array_equal(self.compute(mlmap.dask.predict(ddf, m, proba=True)).to_numpy(),
                                      m.predict_proba(df))
        np.testing.assert_array_equal(m.predict(df), pipe.predict(df))

    def test_array(self):
        import dask.array as da
        p = self.path()
        X = save_classifier(p)
        m = mlmap.load(p)
        x = da.from_array(X, chunks=(97, 4))  # column chunks are merged
        labels = mlmap.dask.predict(x, m)
        self.assertEqual(labels.shape, (len(X),))
        self.assertEqual(labels.chunks[0], x.chunks[0])
        out = self.compute(labels)
        self.assertEqual(out.dtype, labels.dtype)
        np.testing.assert_array_equal(out, m.predict(X))
        proba = mlmap.dask.predict(x, p, proba=True)
        self.assertEqual(proba.shape, (len(X), len(m.classes_)))
        np.testing.assert_array_equal(self.compute(proba), m.predict_proba(X))
        # float32 input and a multi-output regressor
        p2 = self.path("reg.mlmap")
        X2 = save_regressor(p2, n_targets=2)
        m2 = mlmap.load(p2)
        x2 = da.from_array(X2.astype(np.float32), chunks=(128, N_FEATURES))
        out2 = mlmap.dask.predict(x2, m2)
        self.assertEqual(out2.shape, (len(X2), 2))
        np.testing.assert_array_equal(self.compute(out2), m2.predict(X2.astype(np.float32)))
        # a multi-output classifier: one label per output; proba refused
        from sklearn.ensemble import RandomForestClassifier
        p3 = self.path("multi.mlmap")
        Y = np.c_[X[:, 0] > 0, (X[:, 1] > 0.3).astype(int) + (X[:, 2] > 0)]
        mlmap.save(RandomForestClassifier(5, random_state=0).fit(X, Y), p3)
        m3 = mlmap.load(p3)
        out3 = mlmap.dask.predict(x, m3)
        self.assertEqual(out3.shape, (len(X), 2))
        np.testing.assert_array_equal(self.compute(out3), m3.predict(X))
        with self.assertRaises(ValueError):
            mlmap.dask.predict(x, m3, proba=True)

    def test_bad_inputs(self):
        import dask.array as da
        p = self.path()
        X = save_classifier(p)
        m = mlmap.load(p)
        with self.assertRaises(TypeError):
            mlmap.dask.predict(X, m)  # numpy: call m.predict
        with self.assertRaises(TypeError):
            mlmap.dask.predict(da.from_array(X), 42)
        with self.assertRaises(ValueError):
            mlmap.dask.predict(da.from_array(X[:, :3]), m)

    def test_changed_after_submission(self):
        import dask.array as da
        p = self.path()
        X = save_classifier(p)
        m = mlmap.load(p)
        old = m.info()["content_hash"]
        df, ddf = self.frame(X)
        labels = mlmap.dask.predict(ddf, m)
        proba = mlmap.dask.predict(da.from_array(X, chunks=100), m, proba=True)
        # The workers open (and cache) the model ...
        np.testing.assert_array_equal(self.compute(labels).to_numpy(), m.predict(df))
        # ... then another model is saved over the file: the same graphs must
        # fail with the clear error, not answer with either model.
        replace_with_other_model(p)
        new = mlmap.load(p).info()["content_hash"]
        for collection in (labels, proba):
            with self.assertRaises(mlmap.FormatError) as cm:
                self.compute(collection)
            self.assertChangedError(cm.exception, m.path, old, new)
        # The cluster is still healthy.
        self.assertEqual(len(self.client.scheduler_info()["workers"]), 2)
        new_model = mlmap.load(p)
        np.testing.assert_array_equal(self.compute(mlmap.dask.predict(ddf, new_model)).to_numpy(),
                                      new_model.predict(df))


def load_tests(loader, tests, pattern):
    # Forking pools first, before the Dask client has started its threads.
    suite = unittest.TestSuite()
    for case in (TestPickleByReference, TestProcessPools, TestDask):
        suite.addTests(loader.loadTestsFromTestCase(case))
    return suite


if __name__ == "__main__":
    unittest.main(verbosity=2)
