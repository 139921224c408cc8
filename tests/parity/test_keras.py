#!/usr/bin/python3
"""Parity of mlmap with Keras (issue 16): every supported layer and
activation, in Keras 3 ``.keras`` and legacy ``.h5`` files written by
Keras itself, converted three ways -- the file by ``mlmap convert-keras``
(the CLI), the file through the Python binding's C++ importer, and the live
model by ``mlmap.save`` -- each against ``model.predict`` within 1e-6
(absolute, or relative to |value| when larger).  Classifiers (``classes=``,
``--classes``) give Keras' probabilities and their argmax labels.
Unsupported layers, activations, dtype policies and graphs are refused
naming the layer, and nothing is written.

Keras and TensorFlow are not Debian packages: where ``import keras`` fails
this suite prints why and exits 77, which meson counts as SKIP.  Run it in
environment B (keras 3.15.1, tensorflow-cpu 2.21.0, h5py):

  PYTHONPATH=build/tools/python MLMAP_CLI=build/tools/mlmap VENV/bin/python tests/parity/test_keras.py
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

try:
    import keras
    from keras import layers
except ImportError as e:  # not in Debian: environment B has it
    print(f"SKIP: keras is not importable here ({e}); this suite runs in environment B "
          "(keras 3.15.1, tensorflow-cpu 2.21.0)")
    sys.exit(77)

import collections
import subprocess

import numpy as np

import mlmap
from parity_support import ModelFiles, differences, run

TOL = 1e-6
N = 12
CLI = os.environ.get("MLMAP_CLI") or os.path.join(os.path.dirname(mlmap.__file__), "..", "..", "mlmap")
WORST = collections.defaultdict(lambda: {"rel": 0.0, "abs": 0.0, "n": 0})

ACTIVATIONS = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "sigmoid",
               "hard_sigmoid", "tanh", "softplus", "softsign", "softmax", "exponential"]


def rows(n=300, seed=0, shape=(N,)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n,) + shape) * rng.choice([0.5, 1.0, 2.0], size=(1,) + shape)
    return X.astype(np.float32)


def seq(*body, shape=(N,), seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape)] + list(body))


def trained_bn(bn, n, seed=1):
    """Gives a built BatchNormalization trained-looking statistics."""
    rng = np.random.default_rng(seed)
    values = []
    for w in bn.weights:
        name = w.path.split("/")[-1]
        if "variance" in name:
            values.append(rng.uniform(0.2, 3, n))
        elif "gamma" in name:
            values.append(rng.uniform(0.5, 2, n))
        else:
            values.append(rng.uniform(-1, 1, n))
    bn.set_weights([v.astype(np.float32) for v in values])


class KerasParity(ModelFiles):
    prefix = "mlmap-keras-"

    def close(self, got, expected, label, what, tol=TOL):
        got = np.asarray(got).reshape(np.shape(expected))
        rel, ab = differences(got, expected)
        w = WORST[label]
        w["rel"], w["abs"] = max(w["rel"], rel), max(w["abs"], ab)
        self.assertLessEqual(rel, tol, f"{label} {what}: max difference {rel:.3g} (abs {ab:.3g})")

    def cli(self, *args):
        return subprocess.run([CLI, *args], capture_output=True, text=True)

    def check(self, model, label, X=None, classes=None, tol=TOL):
        """The model's files (.keras, .h5) through the CLI and the binding,
        and the live model through mlmap.save, against model.predict."""
        X = rows(shape=model.input_shape[1:]) if X is None else X
        ref = model.predict(X, verbose=0)
        flat = X.reshape(len(X), -1)
        WORST[label]["n"] += 1
        results = []
        for ext in ("keras", "h5"):
            src = self.path(label.replace(" ", "_")).replace(".mlmap", "." + ext)
            model.save(src)
            out = self.path("cli")
            extra = ["--classes", ",".join(map(str, classes))] if classes else []
            r = self.cli("convert-keras", src, out, *extra)
            self.assertEqual(r.returncode, 0, f"{label} {ext}: {r.stderr}")
            self.assertTrue(mlmap.verify(out))
            results.append((f"mlmap convert-keras .{ext}", mlmap.load(out)))
        live = self.path("live")
        mlmap.save(model, live, classes=classes)
        self.assertTrue(mlmap.verify(live))
        results.append(("mlmap.save(model)", mlmap.load(live)))
        for what, m in results:
            if classes is None:
                self.assertEqual(m.task, "regression")
                self.close(m.predict(flat), ref, label, what, tol)
                self.close(m.predict(flat.astype(np.float64)), ref, label, what + " (float64 rows)", tol)
            else:
                p = ref if ref.shape[1] > 1 else np.hstack([1 - ref, ref])
                self.assertEqual(m.task, "classification")
                self.assertEqual(list(m.classes_), list(classes))
                self.close(m.predict_proba(flat), p, label, what + " predict_proba")
                np.testing.assert_array_equal(m.predict(flat), np.asarray(classes)[p.argmax(axis=1)])
        return results

    def refused(self, model, *needles, X_shape=None):
        """Each way in refuses the model, naming what; nothing is written."""
        for ext in ("keras", "h5"):
            src = self.path("refused").replace(".mlmap", "." + ext)
            model.save(src)
            out = self.path("refused-out")
            r = self.cli("convert-keras", src, out)
            self.assertEqual(r.returncode, 2, r.stderr)
            for needle in needles:
                self.assertIn(needle, r.stderr)
            self.assertFalse(os.path.exists(out))
        out = self.path("refused-live")
        with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
            mlmap.save(model, out)
        for needle in needles:
            self.assertIn(needle, str(ctx.exception))
        self.assertFalse(os.path.exists(out))

    # -- activations ------------------------------------------------------------
    def test_dense_activations(self):
        for act in ACTIVATIONS:
            if act == "exponential":
                continue
            with self.subTest(activation=act):
                self.check(seq(layers.Dense(16, activation=act), layers.Dense(4)), f"Dense({act})")
                self.check(seq(layers.Dense(16, activation="tanh"), layers.Dense(3, activation=act)),
                           f"Dense({act}) last")

    def test_exponential(self):
        """exp amplifies float32 rounding: Keras' own result is ~3e-6 from the
        exact one here (measured against the float64 forward pass below), so
        mlmap must match the exact result within 1e-12 and Keras within
        Keras' own error (and 1e-6 at least)."""
        X = rows()
        X64 = X.astype(np.float64)
        for label, model, forward in (
                ("Dense(exponential)", seq(layers.Dense(16, activation="exponential"), layers.Dense(4)),
                 lambda W1, b1, W2, b2: np.exp(X64 @ W1 + b1) @ W2 + b2),
                ("Dense(exponential) last", seq(layers.Dense(16, activation="tanh"),
                                                layers.Dense(3, activation="exponential")),
                 lambda W1, b1, W2, b2: np.exp(np.tanh(X64 @ W1 + b1) @ W2 + b2))):
            with self.subTest(net=label):
                exact = forward(*[w.astype(np.float64) for w in model.get_weights()])
                keras_error = differences(model.predict(X, verbose=0), exact)[0]
                for what, m in self.check(model, label, X, tol=max(TOL, 1.5 * keras_error)):
                    self.close(m.predict(X), exact, label + " vs float64", what, 1e-12)
                print(f"  {label}: Keras (float32) vs the exact result {keras_error:.3g}")

    def test_activation_layers(self):
        cases = {
            "Activation(gelu)": lambda: layers.Activation("gelu"),
            "Activation(softmax)": lambda: layers.Activation("softmax"),
            "ReLU": lambda: layers.ReLU(),
            "ReLU(max_value, negative_slope, threshold)": lambda: layers.ReLU(max_value=2.0, negative_slope=0.1,
                                                                              threshold=0.3),
            "ReLU(max_value=6)": lambda: layers.ReLU(max_value=6.0),
            "LeakyReLU": lambda: layers.LeakyReLU(),
            "LeakyReLU(0.05)": lambda: layers.LeakyReLU(negative_slope=0.05),
            "PReLU": lambda: layers.PReLU(alpha_initializer=keras.initializers.RandomUniform(-0.5, 0.5)),
            "ELU": lambda: layers.ELU(),
            "ELU(0.6)": lambda: layers.ELU(alpha=0.6),
            "Softmax": lambda: layers.Softmax(),
        }
        for label, make in cases.items():
            with self.subTest(layer=label):
                self.check(seq(layers.Dense(16), make(), layers.Dense(4)), label)
                self.check(seq(layers.Dense(5, activation="relu"), make()), label + " last")

    # -- normalisation and identity layers ----------------------------------------
    def test_batch_normalization(self):
        for label, kw in (("BatchNormalization", {}), ("BatchNormalization(center=False)", {"center": False}),
                          ("BatchNormalization(scale=False)", {"scale": False}),
                          ("BatchNormalization(neither)", {"center": False, "scale": False}),
                          ("BatchNormalization(epsilon=0.1)", {"epsilon": 0.1})):
            with self.subTest(layer=label):
                bn = layers.BatchNormalization(**kw)
                model = seq(layers.Dense(16, activation="relu"), bn, layers.Dense(3))
                trained_bn(bn, 16)
                self.check(model, label)
        bn = layers.BatchNormalization()
        model = seq(bn, layers.Dense(2))
        trained_bn(bn, N)
        self.check(model, "BatchNormalization first")

    def test_layer_normalization(self):
        for label, kw in (("LayerNormalization", {}), ("LayerNormalization(center=False)", {"center": False}),
                          ("LayerNormalization(scale=False, epsilon=1e-5)", {"scale": False, "epsilon": 1e-5})):
            with self.subTest(layer=label):
                init = keras.initializers.RandomUniform(0.5, 1.5)
                ln = layers.LayerNormalization(gamma_initializer=init, beta_initializer="random_normal", **kw)
                self.check(seq(layers.Dense(16), ln, layers.Dense(3)), label)
        self.check(seq(layers.LayerNormalization(), layers.Dense(2)), "LayerNormalization first")

    def test_normalization(self):
        rng = np.random.default_rng(4)
        mean, var = rng.normal(size=N), rng.uniform(0.1, 4, N)
        self.check(seq(layers.Normalization(mean=mean, variance=var), layers.Dense(3)), "Normalization(mean, variance)")
        self.check(seq(layers.Normalization(mean=0.5, variance=2.0), layers.Dense(3)), "Normalization(scalars)")
        norm = layers.Normalization()
        norm.adapt(rows(200, seed=9))
        self.check(seq(norm, layers.Dense(16, activation="elu"), layers.Dense(1)), "Normalization adapted")
        inv = layers.Normalization(mean=mean[:4], variance=var[:4], invert=True)
        self.check(seq(layers.Dense(4), inv), "Normalization(invert=True)")

    def test_identity_layers(self):
        model = seq(layers.Dropout(0.5), layers.Dense(16, activation="relu"), layers.GaussianNoise(0.3),
                    layers.AlphaDropout(0.2), layers.Dropout(0.1), layers.Dense(3))
        self.check(model, "Dropout-GaussianNoise-AlphaDropout")
        self.check(seq(layers.Flatten(), layers.Dense(4), shape=(3, 4)), "Flatten (3, 4)")
        self.check(seq(layers.Reshape((12,)), layers.Dense(4, activation="softsign"), shape=(3, 4)),
                   "Reshape (3, 4) -> (12,)")
        self.check(seq(layers.Dense(6), layers.Reshape((-1,)), layers.Dense(2)), "Reshape (-1,)")

    # -- model kinds ------------------------------------------------------------------
    def test_functional_chain(self):
        keras.utils.set_random_seed(2)
        inp = keras.Input((N,))
        x = layers.Dense(24, activation="gelu")(inp)
        x = layers.LayerNormalization()(x)
        x = layers.Dropout(0.2)(x)
        x = layers.Dense(8)(x)
        x = layers.LeakyReLU()(x)
        out = layers.Dense(3, activation="softmax")(x)
        self.check(keras.Model(inp, out), "Functional chain")

    def test_sequential_without_input(self):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(2)])
        model.build((None, N))
        self.check(model, "Sequential built without Input")

    def test_deep_mlp(self):
        body = []
        for width in (64, 64, 32, 32, 16):
            body += [layers.Dense(width), layers.BatchNormalization(), layers.Activation("relu"), layers.Dropout(0.1)]
        model = seq(*body, layers.Dense(5, activation="softmax"))
        for L in model.layers:
            if isinstance(L, layers.BatchNormalization):
                trained_bn(L, L.weights[0].shape[0])
        self.check(model, "deep MLP with BatchNormalization")

    # -- classifiers --------------------------------------------------------------------
    def test_classes(self):
        softmax = seq(layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax"))
        self.check(softmax, "classes softmax", classes=["cat", "dog", "eel"])
        self.check(softmax, "classes softmax ints", classes=[3, 5, 7])
        sigmoid = seq(layers.Dense(8, activation="tanh"), layers.Dense(1, activation="sigmoid"))
        self.check(sigmoid, "classes sigmoid", classes=["no", "yes"])
        linear = seq(layers.Dense(3))
        with self.assertRaises(ValueError) as ctx:
            mlmap.save(linear, self.path("bad"), classes=[0, 1, 2])
        self.assertIn("not class probabilities", str(ctx.exception))
        with self.assertRaises(ValueError) as ctx:
            mlmap.save(softmax, self.path("bad"), classes=[0, 1])
        self.assertIn("2 classes were given", str(ctx.exception))
        src = self.path("linear").replace(".mlmap", ".keras")
        linear.save(src)
        r = self.cli("convert-keras", src, self.path("bad-cli"), "--classes", "a,b,c")
        self.assertEqual(r.returncode, 2)
        self.assertIn("linear over 3 units, not class probabilities", r.stderr)

    # -- refusals -------------------------------------------------------------------------
    def test_refusals(self):
        self.refused(seq(layers.Conv1D(2, 3, name="conv"), layers.Flatten(), layers.Dense(1), shape=(8, 1)),
                     "'conv' (Conv1D)")
        self.refused(seq(layers.LSTM(4, name="rnn"), layers.Dense(1), shape=(5, 3)), "'rnn' (LSTM)")
        self.refused(seq(layers.Dense(4, activation="mish", name="d")), "'d' (Dense)", "activation 'mish'")
        self.refused(seq(layers.Dense(4, dtype="mixed_float16", name="half")), "'half' (Dense)", "mixed_float16")
        self.refused(seq(layers.Dense(4, name="d3"), shape=(3, 4)), "'d3' (Dense)", "(3, 4)")
        inp = keras.Input((N,))
        a = layers.Dense(4, name="left")(inp)
        b = layers.Dense(4, name="right")(inp)
        self.refused(keras.Model(inp, layers.Add(name="join")([a, b])), "join", "not a chain")
        inner = keras.Sequential([keras.Input((N,)), layers.Dense(3)], name="inner")
        self.refused(keras.Sequential([keras.Input((N,)), inner, layers.Dense(1)]), "'inner' (Sequential)", "nested")

    def test_load_and_predict_do_not_import_keras(self):
        model = seq(layers.Dense(4, activation="relu"), layers.Dense(2, activation="softmax"))
        path = self.path("no-keras")
        mlmap.save(model, path)
        X = rows(5)
        code = ("import sys, json, numpy as np, mlmap\n"
                f"m = mlmap.load({path!r})\n"
                f"p = m.predict(np.array({X.tolist()!r}, dtype=np.float32))\n"
                "print(json.dumps({'keras': 'keras' in sys.modules or 'tensorflow' in sys.modules, "
                "'p': p.tolist()}))\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env=dict(os.environ))
        import json
        result = json.loads(out.stdout)
        self.assertFalse(result["keras"], "loading / predicting imported keras or tensorflow")
        self.close(np.array(result["p"]), model.predict(X, verbose=0), "no keras import", "subprocess predict")


def print_summary():
    print(f"\nmax difference mlmap vs keras {keras.__version__} model.predict "
          "(rel = |d| / max(1, |value|); every way in: CLI on .keras and .h5, mlmap.save):")
    for label, w in sorted(WORST.items()):
        print(f"  {label:48s} checks {w['n']:2d}  rel {w['rel']:.3g}  abs {w['abs']:.3g}")


if __name__ == "__main__":
    import tensorflow as tf
    run(f"keras {keras.__version__}, tensorflow {tf.__version__}, numpy {np.__version__}", print_summary)
