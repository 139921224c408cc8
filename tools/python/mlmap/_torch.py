"""Export of PyTorch multi-layer perceptrons: a ``torch.nn.Sequential`` of
``Linear`` layers and ``ReLU`` / ``Tanh`` / ``Sigmoid`` activations, with an
optional final ``Softmax(dim=-1)`` or ``Sigmoid``, becomes an mlmap dense
network.  Only saving touches torch (the module comes from it); loading and
predicting never import it.

Mapping: each Linear is a layer ``x @ weight.T + bias`` (weights stored as
float64 ``weight.detach().double().T``, so mlmap computes what the module
computes in float64: ``module.double()(x)``); the activation after it is the
layer's activation.  Where an activation does not follow a Linear (the first
module, or two activations in a row), or a ReLU / Tanh ends the network, an
identity layer (weights I, bias 0: exact) carries it.  A final Softmax or
Sigmoid becomes the link (softmax over the outputs / the logistic function of
each output).  The file is a regressor whose outputs are the module's outputs
(``predict`` returns them; ``decision_function`` the values before a final
Softmax / Sigmoid).  Nested Sequentials flatten.

Anything else -- other layers (Dropout, BatchNorm, Conv...), Softmax over
another dimension, a Softmax that is not last, a Sequential subclass or a
custom Module -- raises UnsupportedModelError naming the layer and its
position (``layer 2``, ``layer 1.3`` inside nested Sequentials).
"""

import platform
import sys

import numpy as np

from . import _core
from ._errors import UnsupportedModelError


def is_torch(obj):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


class Exported:
    """A dense network ready to be written (``description`` takes the user's
    metadata)."""

    def __init__(self, layers, description):
        self.layers = layers
        self.description = description

    def write(self, path):
        _core.save_dense(path, self.layers, self.description)


def _name(module):
    cls = type(module)
    if cls.__module__.startswith("torch.nn"):
        return f"torch.nn.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def _flatten(torch, seq, prefix):
    """(position, module) of every module in a Sequential, nested ones flattened."""
    out = []
    for i, (key, module) in enumerate(seq._modules.items()):
        pos = f"{prefix}{i}"
        label = pos if key == str(i) else f"{pos} ({key!r})"
        if type(module) is torch.nn.Sequential:
            out.extend(_flatten(torch, module, pos + "."))
        else:
            out.append((label, module))
    return out


def _refuse(position, module, why):
    raise UnsupportedModelError(f"torch.nn.Sequential layer {position} ({_name(module)}) is not supported: {why}")


def export(module, *, feature_names=None, n_features=None):
    torch = sys.modules["torch"]
    nn = torch.nn
    cls = type(module)
    if cls is nn.Linear:
        modules = [("0", module)]
    elif cls is nn.Sequential:
        modules = _flatten(torch, module, "")
    elif isinstance(module, nn.Sequential):
        raise UnsupportedModelError(
            f"{_name(module)} is a subclass of torch.nn.Sequential (it may override forward); "
            "mlmap saves torch.nn.Sequential itself")
    else:
        raise UnsupportedModelError(
            f"{_name(module)} is not supported: mlmap saves a torch.nn.Sequential of Linear, ReLU, "
            "Tanh and Sigmoid layers (with a final Softmax(dim=-1) or Sigmoid); a custom "
            "Module's forward is code, and a model file holds no code")
    if not modules:
        raise UnsupportedModelError("torch.nn.Sequential: the network has no layers")

    activations = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "logistic"}
    layers = []       # dicts for _core.save_dense
    open_layer = False  # the last layer has no activation yet
    link = "identity"
    width = None
    for k, (pos, m) in enumerate(modules):
        last = k == len(modules) - 1
        t = type(m)
        if t is nn.Linear:
            w = m.weight.detach().double().cpu().numpy()
            if w.ndim != 2:
                _refuse(pos, m, f"weight of shape {tuple(w.shape)}")
            if width is not None and w.shape[1] != width:
                _refuse(pos, m, f"in_features={w.shape[1]} after {width} outputs")
            b = (m.bias.detach().double().cpu().numpy() if m.bias is not None
                 else np.zeros(w.shape[0]))
            if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                _refuse(pos, m, "non-finite weights")
            layers.append(dict(weights=np.ascontiguousarray(w.T), bias=b, activation="identity"))
            open_layer = True
            width = w.shape[0]
        elif t is nn.Softmax:
            if m.dim not in (-1, 1):
                _refuse(pos, m, f"Softmax(dim={m.dim}): mlmap applies softmax over each row's "
                                "outputs (dim=-1)")
            if not last:
                _refuse(pos, m, "a Softmax is supported only as the last layer")
            if width is None:
                _refuse(pos, m, "the network has no Linear layer")
            if width < 2:
                _refuse(pos, m, "a softmax over one output (always 1)")
            if not open_layer:  # after an activation: an identity output layer
                layers.append(dict(weights=np.eye(width), bias=np.zeros(width),
                                   activation="identity"))
            link = "softmax"
        elif t in activations:
            if last and t is nn.Sigmoid and width is not None:
                if not open_layer:
                    layers.append(dict(weights=np.eye(width), bias=np.zeros(width),
                                       activation="identity"))
                link = "logistic"
                break
            if width is None:
                if n_features is None:
                    _refuse(pos, m, "the network starts with an activation: pass n_features=")
                width = int(n_features)
            if not open_layer:
                # an identity layer carries this activation
                layers.append(dict(weights=np.eye(width), bias=np.zeros(width),
                                   activation="identity"))
            layers[-1]["activation"] = activations[t]
            open_layer = False
            if last:
                # the network ends in an activation: an identity output layer
                layers.append(dict(weights=np.eye(width), bias=np.zeros(width),
                                   activation="identity"))
        else:
            _refuse(pos, m, "mlmap saves Linear, ReLU, Tanh, Sigmoid and a final Softmax(dim=-1) "
                            "or Sigmoid" + ("" if t.__module__.startswith("torch.")
                                            else "; a custom Module's forward is code"))
    if not layers:
        raise UnsupportedModelError("torch.nn.Sequential: the network has no Linear layer")
    n_in = layers[0]["weights"].shape[0]
    if n_features is not None and int(n_features) != n_in:
        raise ValueError(f"n_features={n_features}, but the network's first layer takes {n_in} inputs")
    n_out = layers[-1]["weights"].shape[1]
    names = None
    if feature_names is not None:
        names = [str(n) for n in feature_names]
        if len(names) != n_in:
            raise ValueError(f"{len(names)} feature names given for {n_in} features")
        if len(set(names)) != len(names):
            raise ValueError("feature names are not unique")
    description = {
        "estimator": _name(module),
        "task": "regression",
        "n_features": int(n_in),
        "n_outputs": int(n_out),
        "feature_names": names,
        "link": link,
        "provenance": {
            "source_library": "torch",
            "source_version": str(torch.__version__),
            "numpy_version": np.__version__,
            "python_version": platform.python_version(),
        },
        "metadata": {},
    }
    return Exported(layers, description)
