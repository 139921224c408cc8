#!/usr/bin/python3
"""mlmap's Keras importer on files laid out as Keras 3.15 writes them, made
here with h5py, zipfile and json (Debian has no Keras): the `.keras` archive
(config.json, metadata.json, model.weights.h5 with layers/<snake_case>/vars/<i>
and their `name` attributes) and the legacy `.h5` file (model_config,
model_weights/<layer>/<weight name>, weight_names attributes, also split
into weight_names0, weight_names1 ... and Keras 2's batch_input_shape and
nested-list inbound_nodes).  The expected values come from a numpy forward
pass in float64 over the same float32 weights (mlmap must agree within
1e-12); then hostile and malformed files, each refused by `mlmap
convert-keras` (exit 2) with a message naming the problem, nothing written.

The parity suite against Keras itself is tests/parity/test_keras.py
(environment B).

Run: PYTHONPATH=build/tools/python MLMAP_CLI=build/tools/mlmap /usr/bin/python3 tests/importers/test_keras_files.py
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

import h5py
import numpy as np

import mlmap

CLI = os.environ.get("MLMAP_CLI", "build/tools/mlmap")
RNG = np.random.default_rng(11)


def f32(*shape, low=-0.8, high=0.8):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


def policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def layer(cls, name, **config):
    return {"module": "keras.layers", "class_name": cls, "config": {"name": name, "dtype": policy(), **config},
            "registered_name": None}


def snake(cls):
    import re
    s = re.sub(r"\W+", "", cls)
    s = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", s)
    return re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()


class Net:
    """A Keras-like model description: layers (config dicts) with their
    variables, written in either file format, and a numpy forward pass."""

    def __init__(self, n_in, functional=False):
        self.n_in = n_in
        self.functional = functional
        self.layers = []   # (config, [arrays], forward(x) -> x)

    def add(self, cfg, weights, forward):
        self.layers.append((cfg, weights, forward))
        return self

    def predict(self, X):
        x = X.astype(np.float64)
        for _, _, fwd in self.layers:
            x = fwd(x)
        return x

    def config(self, keras2=False):
        shape_key = "batch_input_shape" if keras2 else "batch_shape"
        inp = {"module": "keras.layers", "class_name": "InputLayer",
               "config": {shape_key: [None, self.n_in], "dtype": "float32", "name": "input_layer"},
               "registered_name": None}
        if not self.functional:
            return {"module": "keras", "class_name": "Sequential",
                    "config": {"name": "sequential", "layers": [inp] + [c for c, _, _ in self.layers]}}
        entries = [dict(inp, name="input_layer", inbound_nodes=[])]
        prev = "input_layer"
        for c, _, _ in self.layers:
            name = c["config"]["name"]
            if keras2:
                nodes = [[[prev, 0, 0, {}]]]
            else:
                nodes = [{"args": [{"class_name": "__keras_tensor__",
                                    "config": {"shape": [None, 1], "dtype": "float32", "keras_history": [prev, 0, 0]}}],
                          "kwargs": {}}]
            entries.append(dict(c, name=name, inbound_nodes=nodes))
            prev = name
        return {"module": "keras.src.models.functional", "class_name": "Functional",
                "config": {"name": "functional", "layers": entries, "input_layers": [["input_layer", 0, 0]],
                           "output_layers": [[prev, 0, 0]]}}

    def keras_bytes(self, mutate_h5=None, config=None):
        h5buf = io.BytesIO()
        with h5py.File(h5buf, "w") as f:
            used = {}
            saved = list(self.layers)
            names = ([("InputLayer", "input_layer")] if self.functional else []) + \
                [(c["class_name"], c["config"]["name"]) for c, _, _ in saved]
            weights = {c["config"]["name"]: w for c, w, _ in saved}
            for cls, name in names:
                base = snake(cls)
                if base in used:
                    used[base] += 1
                    base = f"{base}_{used[base]}"
                else:
                    used[base] = 0
                g = f.create_group(f"layers/{base}/vars")
                g.attrs["name"] = name
                for i, w in enumerate(weights.get(name, [])):
                    g[str(i)] = w
            f.create_group("vars").attrs["name"] = "sequential"
            if mutate_h5:
                mutate_h5(f)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "2026-12-04"}))
            z.writestr("config.json", json.dumps(config or self.config()))
            z.writestr("model.weights.h5", h5buf.getvalue())
        return out.getvalue()

    def h5_bytes(self, keras2=False, split=False, mutate_h5=None, config=None):
        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            cfg = json.dumps(config or self.config(keras2))
            f.attrs["model_config"] = cfg.encode() if keras2 else cfg
            f.attrs["keras_version"] = "2.15.0" if keras2 else "3.15.1"
            mw = f.create_group("model_weights")
            mw.attrs["layer_names"] = np.array([c["config"]["name"].encode() for c, _, _ in self.layers])
            for c, ws, _ in self.layers:
                name = c["config"]["name"]
                g = mw.create_group(name)
                wnames = [f"sequential/{name}/w{i}" for i in range(len(ws))]
                arr = np.array([n.encode() for n in wnames]) if wnames else np.array([], dtype="S1")
                if split and len(wnames) > 1:   # Keras splits long attributes into name0, name1 ...
                    g.attrs["weight_names0"] = arr[:1]
                    g.attrs["weight_names1"] = arr[1:]
                else:
                    g.attrs["weight_names"] = arr
                for n, w in zip(wnames, ws):
                    g[n] = w
            if mutate_h5:
                mutate_h5(f)
        return buf.getvalue()


def dense(name, n_in, units, activation="linear", bias=True):
    W, b = f32(n_in, units), f32(units)
    acts = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
            "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
            "softplus": lambda z: np.logaddexp(0, z), "softsign": lambda z: z / (1 + np.abs(z)),
            "softmax": lambda z: np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)}
    cfg = layer("Dense", name, units=units, activation=activation, use_bias=bias)
    W64, b64 = W.astype(np.float64), b.astype(np.float64)
    return cfg, [W, b] if bias else [W], lambda x: acts[activation](x @ W64 + (b64 if bias else 0))


def sample(functional=False):
    """Dense(relu) -> BatchNormalization -> LayerNormalization -> PReLU ->
    Dropout -> Dense(softmax): every kind of mlmap layer."""
    n = 6
    net = Net(n, functional)
    net.add(*dense("dense", n, 8, "relu"))
    gamma, beta, mean, var = f32(8, low=0.5, high=1.5), f32(8), f32(8), f32(8, low=0.3, high=2)
    net.add(layer("BatchNormalization", "batch_normalization", axis=-1, epsilon=1e-3, center=True, scale=True),
            [gamma, beta, mean, var],
            lambda x: (x - mean.astype(np.float64)) / np.sqrt(var.astype(np.float64) + 1e-3) * gamma + beta.astype(np.float64))
    g2, b2 = f32(8, low=0.5, high=1.5), f32(8)
    net.add(layer("LayerNormalization", "layer_normalization", axis=[-1], epsilon=1e-3, center=True, scale=True,
                  rms_scaling=False), [g2, b2],
            lambda x: (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-3) * g2.astype(np.float64)
            + b2.astype(np.float64))
    alpha = f32(8)
    net.add(layer("PReLU", "p_re_lu", shared_axes=None), [alpha],
            lambda x: np.where(x > 0, x, alpha.astype(np.float64) * x))
    net.add(layer("Dropout", "dropout", rate=0.5), [], lambda x: x)
    net.add(*dense("dense_1", 8, 3, "softmax"))
    return net


class KerasFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mlmap-keras-files-")
        cls.count = 0

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def file(self, data, ext):
        type(self).count += 1
        path = os.path.join(self.tmp, f"m{self.count}.{ext}")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def convert(self, data, ext, *args):
        src = self.file(data, ext)
        out = src + ".mlmap"
        r = subprocess.run([CLI, "convert-keras", src, out, *args], capture_output=True, text=True)
        return r, out

    def converts(self, net, data, ext, *args):
        r, out = self.convert(data, ext, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK: ", r.stdout)
        self.assertTrue(mlmap.verify(out))
        m = mlmap.load(out)
        X = RNG.normal(size=(50, net.n_in)).astype(np.float32)
        want = net.predict(X)
        got = m.predict_proba(X) if m.task == "classification" else m.predict(X).reshape(want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        return m

    def refused(self, data, ext, *needles, code="import_failed", args=()):
        r, out = self.convert(data, ext, *args)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
        self.assertIn(f"mlmap: {code}: ", r.stderr)
        for n in needles:
            self.assertIn(n, r.stderr)
        self.assertFalse(os.path.exists(out))

    # -- well-formed files ---------------------------------------------------------
    def test_keras_archive_sequential_and_functional(self):
        for functional in (False, True):
            with self.subTest(functional=functional):
                net = sample(functional)
                m = self.converts(net, net.keras_bytes(), "keras")
                info = m.info()
                self.assertEqual(info["estimator"], "keras.Functional" if functional else "keras.Sequential")
                self.assertEqual(info["provenance"]["source_library"], "keras")
                self.assertEqual(info["provenance"]["source_version"], "3.15.1")
                self.assertEqual(info["metadata"]["keras.format"], ".keras")
                self.assertEqual(info["link"], "softmax")

    def test_legacy_h5(self):
        for functional in (False, True):
            for keras2 in (False, True):
                for split in (False, True):
                    with self.subTest(functional=functional, keras2=keras2, split=split):
                        net = sample(functional)
                        m = self.converts(net, net.h5_bytes(keras2=keras2, split=split), "h5")
                        self.assertEqual(m.info()["metadata"]["keras.format"], "legacy .h5")

    def test_classes(self):
        net = sample()
        m = self.converts(net, net.keras_bytes(), "keras", "--classes", "a,b,c")
        self.assertEqual(list(m.classes_), ["a", "b", "c"])
        m = self.converts(net, net.h5_bytes(), "h5", "--classes", "-1,0,7")
        self.assertEqual(list(m.classes_), [-1, 0, 7])
        self.refused(net.keras_bytes(), "keras", "2 classes were given", "3 class probabilities",
                     code="invalid_argument", args=("--classes", "a,b"))
        lin = Net(4).add(*dense("d", 4, 3))
        self.refused(lin.keras_bytes(), "keras", "linear over 3 units, not class probabilities",
                     code="invalid_argument", args=("--classes", "a,b,c"))

    def test_weights_found_by_name_when_numbering_differs(self):
        """Keras 3.15 records each layer's name on its vars group: a file
        whose groups are numbered otherwise is still read right."""
        net = Net(5).add(*dense("first", 5, 4, "tanh")).add(*dense("second", 4, 2))

        def swap(f):
            a, b = f["layers/dense/vars"], f["layers/dense_1/vars"]
            wa, wb = [a[k][()] for k in sorted(a)], [b[k][()] for k in sorted(b)]
            del f["layers/dense"], f["layers/dense_1"]
            for group, name, ws in (("dense_1", "first", wa), ("dense", "second", wb)):
                g = f.create_group(f"layers/{group}/vars")
                g.attrs["name"] = name
                for i, w in enumerate(ws):
                    g[str(i)] = w
        self.converts(net, net.keras_bytes(mutate_h5=swap), "keras")

    # -- refused files ----------------------------------------------------------------
    def test_not_a_keras_file(self):
        self.refused(b"hello", "keras", "neither a Keras .keras archive nor a legacy .h5 file")
        self.refused(b"PK\x03\x04garbage", "keras", "zip archive")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("config.json", "{}")
        self.refused(out.getvalue(), "keras", "no member 'model.weights.h5'")
        net = sample()
        data = net.keras_bytes()
        self.refused(data[: len(data) // 2], "keras", "zip archive")
        h5 = net.h5_bytes()
        self.refused(h5[: len(h5) // 3], "h5", "HDF5")

    def test_weights_only_h5(self):
        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            f.create_group("layers")
        self.refused(buf.getvalue(), "h5", "no model_config attribute", "save_weights")

    def test_malformed_configs(self):
        net = sample()
        for label, config, needle, code in (
                ("not JSON", "{", "not valid JSON", "import_failed"),
                ("deep", "[" * 5000 + "]" * 5000, "not valid JSON", "import_failed"),
                ("no layers", {"class_name": "Sequential", "config": {"name": "s"}}, "without a layers list",
                 "unsupported_model"),
                ("subclassed", {"class_name": "MyModel", "config": {"name": "m", "layers": []}},
                 "model class 'MyModel'", "unsupported_model"),
                ("unknown layer", {"class_name": "Sequential", "config": {"layers": [
                    layer("InputLayer", "in", batch_shape=[None, 6]), layer("Conv2D", "conv", filters=3)]}},
                 "layer 'conv' (Conv2D) is not supported", "unsupported_model"),
                ("custom activation", {"class_name": "Sequential", "config": {"layers": [
                    layer("InputLayer", "in", batch_shape=[None, 6]),
                    layer("Dense", "d", units=2, activation={"class_name": "MyAct", "config": {}})]}},
                 "layer 'd' (Dense): activation object 'MyAct'", "unsupported_model"),
                ("unknown activation", {"class_name": "Sequential", "config": {"layers": [
                    layer("InputLayer", "in", batch_shape=[None, 6]), layer("Dense", "d", units=2, activation="mish")]}},
                 "activation 'mish'", "unsupported_model"),
                ("mixed precision", {"class_name": "Sequential", "config": {"layers": [
                    layer("InputLayer", "in", batch_shape=[None, 6]),
                    dict(layer("Dense", "d", units=2), config={"name": "d", "units": 2, "dtype": "mixed_float16"})]}},
                 "dtype policy 'mixed_float16'", "unsupported_model"),
                ("unknown input size", {"class_name": "Sequential", "config": {"layers": [
                    layer("InputLayer", "in", batch_shape=[None, None])]}},
                 "not a fixed positive size", "unsupported_model"),
                ("units not a number", {"class_name": "Sequential", "config": {"layers": [
                    layer("InputLayer", "in", batch_shape=[None, 6]), layer("Dense", "dense", units="many")]}},
                 "layer 'dense' (Dense): config field 'units' is not an integer", "import_failed"),
                ("huge units", {"class_name": "Sequential", "config": {"layers": [
                    layer("InputLayer", "in", batch_shape=[None, 6]), layer("Dense", "dense", units=1 << 40)]}},
                 "units, mlmap allows 1 to", "unsupported_model")):
            with self.subTest(config=label):
                text = config if isinstance(config, str) else json.dumps(config)
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w") as z:
                    z.writestr("config.json", text)
                    z.writestr("model.weights.h5", net.keras_bytes() and _empty_h5())
                self.refused(buf.getvalue(), "keras", needle, code=code)

    def test_graphs_that_are_not_chains(self):
        net = sample(functional=True)
        base = net.config()
        branch = json.loads(json.dumps(base))
        extra = dict(layer("Dense", "side", units=2), name="side", inbound_nodes=base["config"]["layers"][1]["inbound_nodes"])
        branch["config"]["layers"].append(extra)
        self.refused(net.keras_bytes(config=branch), "keras", "layer 'side' (Dense) is not on the path", code="unsupported_model")
        cycle = json.loads(json.dumps(base))
        first = cycle["config"]["layers"][1]
        first["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] = cycle["config"]["layers"][-1]["name"]
        self.refused(net.keras_bytes(config=cycle), "keras", "cycle")
        two = json.loads(json.dumps(base))
        two["config"]["input_layers"] = [["input_layer", 0, 0], ["input_layer", 0, 0]]
        self.refused(net.keras_bytes(config=two), "keras", "one input and one output", code="unsupported_model")
        twice = json.loads(json.dumps(base))
        node = twice["config"]["layers"][2]["inbound_nodes"][0]
        twice["config"]["layers"][2]["inbound_nodes"] = [node, node]
        self.refused(net.keras_bytes(config=twice), "keras", "called 2 times", code="unsupported_model")

    def test_bad_weights(self):
        net = Net(4).add(*dense("dense", 4, 3, "relu"))

        def wrong_shape(f):
            del f["layers/dense/vars/0"]
            f["layers/dense/vars/0"] = f32(5, 3)
        self.refused(net.keras_bytes(mutate_h5=wrong_shape), "keras", "layer 'dense' (Dense): kernel of shape 5x3, expected 4x3")

        def nan(f):
            w = f["layers/dense/vars/0"][()]
            w[1, 2] = np.nan
            del f["layers/dense/vars/0"]
            f["layers/dense/vars/0"] = w
        self.refused(net.keras_bytes(mutate_h5=nan), "keras", "weight", "not finite", code="invalid_model")

        def missing(f):
            del f["layers/dense"]
        self.refused(net.keras_bytes(mutate_h5=missing), "keras", "no variables for layer 'dense' (Dense)")

        def strings(f):
            del f["layers/dense/vars/1"]
            f["layers/dense/vars/1"] = np.array([b"a", b"b", b"c"])
        self.refused(net.keras_bytes(mutate_h5=strings), "keras", "does not hold IEEE floats", code="unsupported_model")

        def extra(f):
            f["layers/dense/vars/2"] = f32(3)
        self.refused(net.keras_bytes(mutate_h5=extra), "keras", "3 weight arrays, expected 2")

        def legacy_missing(f):
            del f["model_weights/dense"]
        self.refused(net.h5_bytes(mutate_h5=legacy_missing), "h5", "no group for layer 'dense' (Dense)")


def _empty_h5():
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("layers")
    return buf.getvalue()


if __name__ == "__main__":
    prog = unittest.main(exit=False, verbosity=2)
    print(f"h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version}), mlmap {mlmap.__version__}")
    sys.exit(not prog.result.wasSuccessful())
