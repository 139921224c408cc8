#!/usr/bin/python3
"""Parity of mlmap with PyTorch on ``torch.nn.Sequential`` networks: Linear,
BatchNorm1d (eval), LayerNorm, every supported activation (ReLU, ReLU6,
LeakyReLU, ELU, SELU, GELU both ways, SiLU, Sigmoid, Hardsigmoid, Tanh,
Softplus with beta / threshold, Softsign, PReLU, Softmax), the identities
(Dropout, AlphaDropout, Identity, Flatten), a final Softmax(dim=-1) or
Sigmoid, and classifiers (``classes=``).

mlmap stores the weights in the module's dtype and computes in float64, so
the reference is the module run in float64 (``copy.deepcopy(module).double()``):
values must agree within 1e-6 (absolute, or relative to |value| when
larger); ``decision_function`` is the output before a final Softmax /
Sigmoid.  The float32 module as the user runs it must agree within 1e-6 too,
on the rows without the x40 saturation (rel32; there the module's own
float32 rounding alone exceeds it).  Unsupported layers must raise
UnsupportedModelError naming the layer and its position and write nothing;
loading and predicting must not import torch.  Runs under Debian's torch
1.13 and torch 2.13 (environment B).

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_torch.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import collections
import copy
import subprocess
import sys

import numpy as np
import torch
from torch import nn

import mlmap
from parity_support import ModelFiles, differences, run

TOL = 1e-6
N_FEATURES = 12

WORST = collections.defaultdict(lambda: {"rel": 0.0, "abs": 0.0, "rel32": 0.0, "n": 0})


def rows(n=500, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES)) * rng.choice([0.1, 1.0, 5.0], size=(1, N_FEATURES))
    X[:20] *= 40  # saturated activations and softmax
    return X


def net(*layers, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(*layers)


class TorchParity(ModelFiles):
    prefix = "mlmap-torch-"

    def close(self, got, expected, label, what):
        self.assertEqual(np.shape(got), np.shape(expected), f"{label} {what}: shape")
        rel, ab = differences(got, expected)
        w = WORST[label]
        w["rel"], w["abs"] = max(w["rel"], rel), max(w["abs"], ab)
        self.assertLessEqual(rel, TOL, f"{label} {what}: max difference {rel:.3g} (abs {ab:.3g})")

    def check(self, module, label, X=None, pre_link=None, float32_tol=TOL, **kw):
        """pre_link: the module without its final Softmax / Sigmoid (for
        decision_function)."""
        X = rows() if X is None else X
        m = self.roundtrip(module, **kw)
        WORST[label]["n"] += 1
        with torch.no_grad():
            ref = copy.deepcopy(module).double()(torch.from_numpy(X)).numpy()
            ref32 = module(torch.from_numpy(X.astype(np.float32))).double().numpy()
            raw = (copy.deepcopy(pre_link).double()(torch.from_numpy(X)).numpy()
                   if pre_link is not None else ref)
        self.assertEqual(m.task, "regression")
        got = m.predict(X)
        if ref.shape[1] == 1:
            ref, raw, ref32 = ref[:, 0], raw[:, 0], ref32[:, 0]
        self.close(got, ref, label, "predict")
        self.close(m.decision_function(X), raw, label, "decision_function")
        self.close(m.predict(X.astype(np.float32)), copy.deepcopy(module).double()(
            torch.from_numpy(X.astype(np.float32).astype(np.float64))).detach().numpy().reshape(got.shape),
            label, "float32 input")
        # The float32 module, as the user runs it, on the rows without the
        # x40 saturation (there its own float32 rounding alone passes 1e-6).
        rel32 = differences(got[20:], ref32[20:])[0]
        WORST[label]["rel32"] = max(WORST[label]["rel32"], rel32)
        if float32_tol is not None:
            self.assertLessEqual(rel32, float32_tol, f"{label}: vs the float32 module {rel32:.3g}")
        return m

    def test_mlps(self):
        cases = {
            "Linear": lambda: net(nn.Linear(N_FEATURES, 3)),
            "Linear-ReLU-Linear": lambda: net(nn.Linear(N_FEATURES, 32), nn.ReLU(), nn.Linear(32, 4)),
            "Linear-Tanh-Linear-Tanh-Linear": lambda: net(
                nn.Linear(N_FEATURES, 16), nn.Tanh(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 1)),
            "Linear-Sigmoid-Linear": lambda: net(nn.Linear(N_FEATURES, 10), nn.Sigmoid(), nn.Linear(10, 2)),
            "no bias": lambda: net(nn.Linear(N_FEATURES, 20, bias=False), nn.ReLU(inplace=True),
                                   nn.Linear(20, 3, bias=False)),
            "Linear-Linear": lambda: net(nn.Linear(N_FEATURES, 6), nn.Linear(6, 2)),
            "wide": lambda: net(nn.Linear(N_FEATURES, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                nn.Linear(128, 10)),
        }
        for label, make in cases.items():
            with self.subTest(net=label):
                self.check(make(), label)

    def test_final_softmax_and_sigmoid(self):
        body = [nn.Linear(N_FEATURES, 24), nn.ReLU(), nn.Linear(24, 5)]
        import warnings
        warnings.filterwarnings("ignore", message="Implicit dimension choice")  # Softmax() warns, and means dim=1 here
        for label, last in (("Softmax(dim=-1)", nn.Softmax(dim=-1)), ("Softmax(dim=1)", nn.Softmax(dim=1)),
                            ("Softmax()", nn.Softmax()), ("final Sigmoid", nn.Sigmoid())):
            with self.subTest(last=label):
                module = net(*copy.deepcopy(body), last)
                pre = nn.Sequential(*list(module.children())[:-1])
                m = self.check(module, label, pre_link=pre)
                self.assertEqual(m.info()["link"], "softmax" if "Softmax" in label else "logistic")
                if "Softmax" in label:
                    np.testing.assert_allclose(m.predict(rows()).sum(axis=1), 1.0, rtol=1e-12)
        module = net(nn.Linear(N_FEATURES, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())
        self.check(module, "final Sigmoid", pre_link=nn.Sequential(*list(module.children())[:-1]))

    def test_identity_layers(self):
        """Activations that do not follow a Linear: an exact identity layer
        carries them."""
        cases = {
            "starts with an activation": (lambda: net(nn.Tanh(), nn.Linear(N_FEATURES, 4)), N_FEATURES),
            "two activations in a row": (lambda: net(nn.Linear(N_FEATURES, 9), nn.ReLU(), nn.Tanh(),
                                                     nn.Linear(9, 2)), None),
            "ends with an activation": (lambda: net(nn.Linear(N_FEATURES, 7), nn.ReLU(),
                                                    nn.Linear(7, 3), nn.Tanh()), None),
            "activation before the final Sigmoid": (lambda: net(nn.Linear(N_FEATURES, 3), nn.ReLU(),
                                                                nn.Sigmoid()), None),
        }
        for label, (make, n_features) in cases.items():
            with self.subTest(net=label):
                module = make()
                kw = {"n_features": n_features} if n_features else {}
                pre = None
                if isinstance(list(module.children())[-1], nn.Sigmoid):
                    pre = nn.Sequential(*list(module.children())[:-1])
                self.check(module, label, pre_link=pre, **kw)
        with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
            mlmap.save(net(nn.ReLU(), nn.Linear(N_FEATURES, 2)), self.path())
        self.assertIn("n_features", str(ctx.exception))

    def test_nested_sequential_and_bare_linear(self):
        module = net(nn.Sequential(nn.Linear(N_FEATURES, 10), nn.ReLU()),
                     nn.Sequential(nn.Linear(10, 10), nn.Tanh(), nn.Sequential(nn.Linear(10, 3))))
        self.check(module, "nested Sequential")
        torch.manual_seed(1)
        self.check(nn.Linear(N_FEATURES, 2), "bare Linear")

    def test_feature_names_and_info(self):
        names = [f"f{i}" for i in range(N_FEATURES)]
        module = net(nn.Linear(N_FEATURES, 4), nn.ReLU(), nn.Linear(4, 2))
        m = self.roundtrip(module, feature_names=names, metadata={"owner": "ml"})
        self.assertEqual(list(m.feature_names_in_), names)
        info = m.info()
        self.assertEqual(info["estimator"], "torch.nn.Sequential")
        self.assertEqual(info["provenance"]["source_library"], "torch")
        self.assertEqual(info["metadata"]["owner"], "ml")
        with self.assertRaises(ValueError):
            mlmap.save(module, self.path(), n_features=N_FEATURES + 1)

    def refused(self, module, *needles):
        path = self.path("refused")
        with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
            mlmap.save(module, path)
        for needle in needles:
            self.assertIn(needle, str(ctx.exception))
        self.assertFalse(os.path.exists(path))
        self.assertEqual([f for f in os.listdir(self.tmp) if "refused" in f], [])

    def test_refusals(self):
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.ReLU(), nn.Conv1d(1, 1, 1), nn.Linear(8, 2)),
                     "layer 2", "torch.nn.Conv1d")
        bn = nn.BatchNorm1d(8)
        bn.train()
        self.refused(net(nn.Linear(N_FEATURES, 8), bn, nn.Linear(8, 2)), "layer 1", "BatchNorm1d", "training mode")
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.BatchNorm1d(8, track_running_stats=False).eval(),
                         nn.Linear(8, 2)), "layer 1", "track_running_stats")
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.LayerNorm((2, 4))), "layer 1", "normalized_shape")
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.Softmax(dim=0)), "layer 1", "dim=0")
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.Flatten(0)), "layer 1", "Flatten")
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.Hardtanh(), nn.Linear(8, 2)), "layer 1", "Hardtanh")
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.Sequential(nn.ReLU(), nn.Embedding(4, 2)), nn.Linear(8, 1)),
                     "layer 1.1", "Embedding")
        self.refused(net(nn.Linear(N_FEATURES, 8), nn.GELU(), nn.Linear(7, 1)), "layer 2", "in_features=7")

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(N_FEATURES, 2)

            def forward(self, x):
                return self.fc(x) * 2

        self.refused(Net(), "Net", "custom")

        class MySequential(nn.Sequential):
            pass

        self.refused(MySequential(nn.Linear(N_FEATURES, 2)), "MySequential", "subclass")

        class Scale(nn.Module):
            def forward(self, x):
                return x * 3

        self.refused(net(nn.Linear(N_FEATURES, 4), Scale(), nn.Linear(4, 1)), "layer 1", "Scale", "code")

    def test_existing_file_untouched(self):
        path = self.path("existing")
        mlmap.save(net(nn.Linear(N_FEATURES, 2)), path)
        with open(path, "rb") as f:
            before = f.read()
        with self.assertRaises(mlmap.UnsupportedModelError):
            mlmap.save(net(nn.Linear(N_FEATURES, 2), nn.Hardtanh()), path)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_layers_and_activations(self):
        """Every supported layer and activation (issue 16), each in a small
        network, against the module in eval mode in float64 and float32."""
        def bn(n):
            m = nn.BatchNorm1d(n)
            with torch.no_grad():  # trained-looking statistics and affine parameters
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.2, 3)
                m.weight.uniform_(0.5, 2)
                m.bias.uniform_(-1, 1)
            return m

        def ln(n, affine=True):
            m = nn.LayerNorm(n, eps=1e-4, elementwise_affine=affine)
            if affine:
                with torch.no_grad():
                    m.weight.uniform_(0.5, 2)
                    m.bias.uniform_(-1, 1)
            return m

        cases = {
            "LeakyReLU": lambda: [nn.LeakyReLU(0.1)],
            "LeakyReLU default": lambda: [nn.LeakyReLU()],
            "ELU": lambda: [nn.ELU()],
            "ELU(0.7)": lambda: [nn.ELU(alpha=0.7)],
            "SELU": lambda: [nn.SELU()],
            "GELU": lambda: [nn.GELU()],
            "GELU(tanh)": lambda: [nn.GELU(approximate="tanh")],
            "SiLU": lambda: [nn.SiLU()],
            "Softplus": lambda: [nn.Softplus()],
            "Softplus(beta=2, threshold=3)": lambda: [nn.Softplus(beta=2, threshold=3)],
            "Softsign": lambda: [nn.Softsign()],
            "Hardsigmoid": lambda: [nn.Hardsigmoid()],
            "ReLU6": lambda: [nn.ReLU6()],
            "PReLU": lambda: [nn.PReLU()],
            "PReLU(16)": lambda: [nn.PReLU(16, init=0.1)],
            "hidden Softmax": lambda: [nn.Softmax(dim=-1)],
            "BatchNorm1d": lambda: [bn(16)],
            "BatchNorm1d-ReLU": lambda: [bn(16), nn.ReLU()],
            "BatchNorm1d without affine": lambda: [nn.BatchNorm1d(16, affine=False)],
            "LayerNorm": lambda: [ln(16)],
            "LayerNorm without affine": lambda: [ln(16, affine=False)],
            "Dropout-Identity-Flatten": lambda: [nn.Dropout(0.3), nn.Identity(), nn.Flatten(), nn.AlphaDropout(0.1)],
        }
        for label, middle in cases.items():
            with self.subTest(layer=label):
                torch.manual_seed(3)
                module = nn.Sequential(nn.Linear(N_FEATURES, 16), *middle(), nn.Linear(16, 4)).eval()
                self.check(module, label)
        # Activations that end the network stay on its last layer.
        for label in ("LeakyReLU", "ELU", "SELU", "GELU", "GELU(tanh)", "SiLU", "Softplus", "Softsign",
                      "Hardsigmoid", "ReLU6"):
            with self.subTest(last=label):
                torch.manual_seed(4)
                module = nn.Sequential(nn.Linear(N_FEATURES, 5), *cases[label]()).eval()
                self.check(module, label + " last")

    def test_batchnorm_and_layernorm_first(self):
        """Normalisation layers before any Linear read the inputs (n_features)."""
        torch.manual_seed(5)
        m = nn.BatchNorm1d(N_FEATURES)
        with torch.no_grad():
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
        for label, first in (("BatchNorm1d first", m), ("LayerNorm first", nn.LayerNorm(N_FEATURES))):
            with self.subTest(net=label):
                module = nn.Sequential(first, nn.Linear(N_FEATURES, 3), nn.Tanh()).eval()
                self.check(module, label, n_features=N_FEATURES)

    def test_softplus_threshold_exactly(self):
        """torch's Softplus returns x itself where beta * x > threshold."""
        module = nn.Sequential(nn.Softplus(beta=1, threshold=2)).eval()
        X = np.array([[1.5, 1.999, 2.0, 2.001, 2.5, -30.0, 30.0, 0.0, -1.0, 5.0, 1.0, 3.0]])
        m = self.roundtrip(module, n_features=N_FEATURES)
        with torch.no_grad():
            ref = module.double()(torch.from_numpy(X)).numpy()
        self.close(m.predict(X), ref, "Softplus threshold", "predict")
        self.assertEqual(m.predict(X)[0][3], X[0][3])

    def test_classes(self):
        torch.manual_seed(7)
        body = [nn.Linear(N_FEATURES, 16), nn.GELU(), nn.Linear(16, 3)]
        module = nn.Sequential(*body, nn.Softmax(dim=-1)).eval()
        X = rows()
        for labels in (["cat", "dog", "eel"], [10, 20, 30]):
            path = self.path("classes")
            mlmap.save(module, path, classes=labels)
            m = mlmap.load(path)
            self.assertEqual(m.task, "classification")
            self.assertEqual(list(m.classes_), labels)
            with torch.no_grad():
                ref = module.double()(torch.from_numpy(X)).numpy()
            self.close(m.predict_proba(X), ref, "classes", "predict_proba")
            np.testing.assert_array_equal(m.predict(X), np.asarray(labels)[ref.argmax(axis=1)])
        binary = nn.Sequential(nn.Linear(N_FEATURES, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid()).eval()
        path = self.path("binary")
        mlmap.save(binary, path, classes=[0, 1])
        m = mlmap.load(path)
        with torch.no_grad():
            p = binary.double()(torch.from_numpy(X)).numpy()[:, 0]
        self.close(m.predict_proba(X), np.stack([1 - p, p], axis=1), "classes binary", "predict_proba")
        np.testing.assert_array_equal(m.predict(X), (p > 0.5).astype(int))
        for bad, why in ((nn.Sequential(*body), "no softmax or sigmoid over 3"),
                         (nn.Sequential(nn.Linear(N_FEATURES, 2), nn.Sigmoid()), "sigmoid over 2"),
                         (nn.Sequential(*body, nn.Softmax(dim=-1)), "2 classes given for 3")):
            with self.assertRaises(ValueError) as ctx:
                mlmap.save(bad, self.path("bad"), classes=[0, 1])
            self.assertIn(why, str(ctx.exception))

    def test_load_and_predict_do_not_import_torch(self):
        path = self.path("no-torch")
        module = net(nn.Linear(N_FEATURES, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=-1))
        mlmap.save(module, path)
        X = rows(5)
        with torch.no_grad():
            expected = copy.deepcopy(module).double()(torch.from_numpy(X)).numpy()
        code = ("import sys, json, numpy as np, mlmap\n"
                f"m = mlmap.load({path!r})\n"
                f"p = m.predict(np.array({X.tolist()!r}))\n"
                "print(json.dumps({'torch': 'torch' in sys.modules, 'p': p.tolist()}))\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env=dict(os.environ))
        import json
        result = json.loads(out.stdout)
        self.assertFalse(result["torch"], "loading / predicting imported torch")
        self.close(np.array(result["p"]), expected, "Softmax(dim=-1)", "subprocess predict")


def print_summary():
    print(f"\nmax difference mlmap vs torch {torch.__version__} in float64 "
          "(rel = |d| / max(1, |value|); predict and decision_function); "
          "rel32: vs the float32 module on unsaturated rows:")
    for label, w in sorted(WORST.items()):
        print(f"  {label:40s} checks {w['n']:2d}  rel {w['rel']:.3g}  abs {w['abs']:.3g}  "
              f"rel32 {w['rel32']:.3g}")


if __name__ == "__main__":
    run(f"torch {torch.__version__}, numpy {np.__version__}", print_summary)
