"""Export of PyTorch networks: a ``torch.nn.Sequential`` (nested ones
flatten) of ``Linear``, ``BatchNorm1d`` (eval mode), ``LayerNorm`` and
activation modules becomes an mlmap dense network.  Only saving touches torch
(the module comes from it); loading and predicting never import it.

Mapping (FORMAT.md §6.1):

* ``Linear``: a dense layer ``x @ weight.T + bias``; the weights are stored
  in the module's own dtype (float32 columns for a float32 module, widened
  exactly when computed), so mlmap computes in float64 what
  ``module.double()(x)`` computes.
* ``BatchNorm1d`` (eval: running statistics): an affine layer
  ``x * s + (bias - running_mean * s)`` with ``s = weight / sqrt(running_var
  + eps)``, folded in float64.  ``LayerNorm((n,))``: a layer-norm layer
  (weight and bias as stored, ``eps``).
* Activations -- ``ReLU``, ``ReLU6``, ``LeakyReLU(negative_slope)``,
  ``ELU(alpha)``, ``SELU``, ``GELU(approximate='none'|'tanh')``, ``SiLU``,
  ``Sigmoid``, ``Hardsigmoid``, ``Tanh``, ``Softplus(beta, threshold)``,
  ``Softsign``, ``PReLU``, ``Softmax(dim=-1)`` -- become the activation of the
  layer before them, or of an identity affine layer of their own (exact)
  where that layer already has one or there is none.
* ``Dropout``, ``AlphaDropout``, ``Identity`` and ``Flatten`` (of rows) are
  the identity at inference: they write nothing.
* A final ``Softmax`` or ``Sigmoid`` becomes the link (softmax over the
  outputs / the logistic function of each).  The file is a regressor whose
  outputs are the module's outputs (``predict`` returns them;
  ``decision_function`` the values before a final Softmax / Sigmoid), or,
  with ``classes=``, a classifier: a final Softmax gives one probability per
  class, a final Sigmoid over one output two classes ``[1 - p, p]``.

Anything else -- other layers (Conv, RNN, Embedding ...), a module in
training mode where that matters (BatchNorm1d), Softmax over another
dimension, a Sequential subclass or a custom Module -- raises
UnsupportedModelError naming the layer and its position (``layer 2``,
``layer 1.3`` inside nested Sequentials).
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


SUPPORTED = ("Linear, BatchNorm1d, LayerNorm, ReLU, ReLU6, LeakyReLU, ELU, SELU, GELU, SiLU, Sigmoid, "
             "Hardsigmoid, Tanh, Softplus, Softsign, PReLU, Softmax(dim=-1), Dropout, AlphaDropout, "
             "Identity and Flatten")


class _Dtype(Exception):
    pass


def _array(t):
    """A parameter as float64 values and whether it is float32."""
    a = t.detach().cpu().numpy()
    if a.dtype not in (np.float32, np.float64):
        raise _Dtype(f"parameters of dtype {a.dtype} (mlmap stores float32 and float64)")
    return a.astype(np.float64), a.dtype == np.float32


def _activation(nn, m, pos):
    """The activation dict fields of an activation module, or None."""
    t = type(m)
    simple = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "logistic", nn.SELU: "selu", nn.SiLU: "silu",
              nn.Hardsigmoid: "hard_sigmoid", nn.Softsign: "softsign"}
    if t in simple:
        return {"activation": simple[t]}
    if t is nn.ReLU6:
        return {"activation": "relu", "relu_max": 6.0}
    if t is nn.LeakyReLU:
        return {"activation": "relu", "relu_slope": float(m.negative_slope)}
    if t is nn.ELU:
        return {"activation": "elu", "elu_alpha": float(m.alpha)}
    if t is nn.GELU:
        approximate = getattr(m, "approximate", "none")
        if approximate not in ("none", "tanh"):
            _refuse(pos, m, f"GELU(approximate={approximate!r})")
        return {"activation": "gelu" if approximate == "none" else "gelu_tanh"}
    if t is nn.Softplus:
        # torch: x where beta * x > threshold, else log(1 + exp(beta * x)) / beta
        return {"activation": "softplus", "softplus_beta": float(m.beta), "softplus_threshold": float(m.threshold)}
    if t is nn.Softmax:
        # dim=None: torch's implicit dim, 1 for the 2-D (rows, features) input mlmap feeds
        if m.dim not in (-1, 1, None):
            _refuse(pos, m, f"Softmax(dim={m.dim}): mlmap applies softmax over each row's outputs (dim=-1)")
        return {"activation": "softmax"}
    return None


def export(module, *, feature_names=None, n_features=None, classes=None):
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
            f"{_name(module)} is not supported: mlmap saves a torch.nn.Sequential of {SUPPORTED}; "
            "a custom Module's forward is code, and a model file holds no code")
    if not modules:
        raise UnsupportedModelError("torch.nn.Sequential: the network has no layers")

    layers = []   # dicts for _core.save_dense
    width = None  # the current output width
    n_in = None   # the network's input width

    def need_width(pos, m):
        nonlocal width, n_in
        if width is None:  # the network starts with this layer
            if n_features is None:
                _refuse(pos, m, "the network starts with it and its input width is unknown: pass n_features=")
            width = n_in = int(n_features)
        return width

    def carrier(pos, m, float32=False):
        """The layer an activation goes on: the last one if it has none yet,
        else a new identity affine layer (exact)."""
        if layers and layers[-1]["activation"] == "identity":
            return layers[-1]
        layers.append(dict(kind="affine", n_out=need_width(pos, m), activation="identity", float32=float32))
        return layers[-1]

    for pos, m in modules:
        t = type(m)
        try:
            if t is nn.Linear:
                w, w32 = _array(m.weight)
                if w.ndim != 2:
                    _refuse(pos, m, f"weight of shape {tuple(w.shape)}")
                if width is not None and w.shape[1] != width:
                    _refuse(pos, m, f"in_features={w.shape[1]} after {width} outputs")
                if m.bias is not None:
                    b, b32 = _array(m.bias)
                else:
                    b, b32 = np.zeros(w.shape[0]), True
                if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                    _refuse(pos, m, "non-finite weights")
                if n_in is None:
                    n_in = w.shape[1]
                layers.append(dict(weights=np.ascontiguousarray(w.T), bias=b, activation="identity",
                                   float32=bool(w32 and b32)))
                width = w.shape[0]
            elif t is nn.BatchNorm1d:
                n = need_width(pos, m)
                if m.training and m.track_running_stats:
                    _refuse(pos, m, "the module is in training mode (batch statistics); call module.eval()")
                if m.running_mean is None:
                    _refuse(pos, m, "track_running_stats=False normalises by each batch's statistics")
                if m.num_features != n:
                    _refuse(pos, m, f"num_features={m.num_features} after {n} outputs")
                mean, _ = _array(m.running_mean)
                var, _ = _array(m.running_var)
                s = 1.0 / np.sqrt(var + float(m.eps))
                if m.affine:
                    s = s * _array(m.weight)[0]
                shift = -mean * s + (_array(m.bias)[0] if m.affine else 0.0)
                layers.append(dict(kind="affine", n_out=n, weights=s, bias=shift, activation="identity"))
            elif t is nn.LayerNorm:
                n = need_width(pos, m)
                if tuple(m.normalized_shape) != (n,):
                    _refuse(pos, m, f"normalized_shape={tuple(m.normalized_shape)} over {n} features")
                layer = dict(kind="layer_norm", n_out=n, epsilon=float(m.eps), activation="identity", float32=True)
                if m.weight is not None:
                    layer["weights"], layer["float32"] = _array(m.weight)
                if getattr(m, "bias", None) is not None:
                    layer["bias"], b32 = _array(m.bias)
                    layer["float32"] = layer["float32"] and b32
                layers.append(layer)
            elif t is nn.PReLU:
                n = need_width(pos, m)
                alpha, a32 = _array(m.weight)
                if alpha.size not in (1, n):
                    _refuse(pos, m, f"num_parameters={alpha.size} over {n} features")
                if layers and layers[-1]["activation"] == "identity" and layers[-1].get("float32") == a32:
                    layer = layers[-1]
                else:
                    layer = dict(kind="affine", n_out=n, activation="identity", float32=a32)
                    layers.append(layer)
                layer["activation"] = "prelu"
                layer["alpha"] = np.broadcast_to(alpha.reshape(-1), (n,)).copy()
            elif t in (nn.Dropout, nn.AlphaDropout, nn.Identity):
                pass
            elif t is nn.Flatten:
                if (m.start_dim, m.end_dim) not in ((1, -1),):
                    _refuse(pos, m, f"Flatten(start_dim={m.start_dim}, end_dim={m.end_dim}): mlmap reads rows")
            else:
                fields = _activation(nn, m, pos)
                if fields is None:
                    _refuse(pos, m, f"mlmap saves {SUPPORTED}" + (
                        "" if t.__module__.startswith("torch.") else "; a custom Module's forward is code"))
                carrier(pos, m).update(fields)
        except _Dtype as e:
            _refuse(pos, m, str(e))
    if not layers:
        raise UnsupportedModelError("torch.nn.Sequential: the network has no Linear layer")
    if n_features is not None and int(n_features) != n_in:
        raise ValueError(f"n_features={n_features}, but the network's first layer takes {n_in} inputs")

    # A final Softmax / Sigmoid becomes the link; decision_function then gives
    # the values before it.
    def outputs(layer):
        return layer["weights"].shape[1] if layer.get("kind", "dense") == "dense" else layer["n_out"]

    last = layers[-1]
    n_out = outputs(last)
    link = "identity"
    if last["activation"] == "softmax" and n_out >= 2:
        link, last["activation"] = "softmax", "identity"
    elif last["activation"] == "logistic":
        link, last["activation"] = "logistic", "identity"
    if (len(layers) > 1 and last.get("kind") == "affine" and last["activation"] == "identity"
            and all(last.get(k) is None for k in ("weights", "bias", "alpha"))):
        layers.pop()  # it only carried the final Softmax / Sigmoid
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
    if classes is not None:
        from ._classes import classifier_description
        classifier_description(description, classes, link, n_out, what="the network ends in")
    return Exported(layers, description)
