"""Distributed scoring on Dask.

    import mlmap.dask
    labels = mlmap.dask.predict(ddf, "model.mlmap")             # lazy dask Series
    proba = mlmap.dask.predict(darr, model, proba=True)         # lazy dask Array
    labels.compute()

The task graph carries the model by reference (path, size, content hash: a few
hundred bytes, see ``mlmap._reference``), never its parameters: each worker
process maps the file once and every worker on a host shares its pages.  The
file must be at the same path on every worker host; a worker that finds other
content there raises ``ModelChangedError`` (a ``FormatError``) instead of
predicting with other parameters.

Dask is imported when ``predict`` is called, not when ``mlmap`` is.
"""

import os

import numpy as np

from . import _model

__all__ = ["predict"]


def predict(data, model, *, proba=False):
    """Predict every partition (block) of a Dask collection; returns a lazy one.

    data: a ``dask.dataframe.DataFrame`` (columns matched by name, as
        ``Model.predict`` does for pandas; string columns for models that read
        them) or a 2-D ``dask.array.Array`` (columns in the model's order;
        chunks along columns are merged).
    model: an ``mlmap.Model`` or the path of a model file (opened here, in the
        client, to learn the output's shape and type).
    proba: class probabilities (``predict_proba``) instead of predictions.

    Returns, for a DataFrame, a dask Series (labels or values) or, for
    ``proba`` and multi-output regression, a dask DataFrame (columns: the
    classes, or 0..k-1), with the input's index and divisions; for an array, a
    dask array with the input's row chunks: 1-D (labels or values) or 2-D
    (n, n_classes) / (n, k).
    """
    if isinstance(model, (str, bytes, os.PathLike)):
        model = _model.load(model)
    elif not isinstance(model, _model.Model):
        raise TypeError(f"model must be an mlmap.Model or a path, not {type(model).__name__}")
    proba = bool(proba)
    if proba:
        _check_proba(model)
    module = type(data).__module__
    if module.startswith("dask.dataframe") and hasattr(data, "map_partitions") and hasattr(data, "columns"):
        return _predict_frame(data, model, proba)
    if module.startswith("dask.array") and hasattr(data, "map_blocks"):
        return _predict_array(data, model, proba)
    raise TypeError(
        f"mlmap.dask.predict takes a dask DataFrame or a dask Array, not {type(data).__module__}."
        f"{type(data).__name__}; for in-memory data call model.predict / model.predict_proba")


# -- what comes out ------------------------------------------------------------

def _check_proba(model):
    if model.task != "classification":
        raise AttributeError(f"predict_proba needs a classifier; this model does {model.task}")
    if model._groups:
        raise ValueError("proba=True of a multi-output classifier (a list of arrays) is not supported by "
                         "mlmap.dask.predict; its labels are (proba=False)")
    if model.info()["link"] == "hard":
        raise AttributeError(f"{model.info()['estimator']} has no predict_proba (it gives no probabilities)")


def _output(model, proba):
    """(dtype, width): width None for a 1-D output."""
    if proba:
        return np.dtype(np.float64), len(model.classes_)
    if model.task == "classification" and model._groups:  # one label per output
        return model._labels.dtype, len(model._groups)
    if model.task == "classification":
        return model.classes_.dtype, None
    width = model._core.n_outputs
    return np.dtype(np.float64), (None if width == 1 else width)


def _columns(model, proba, width):
    return list(model.classes_) if proba else list(range(width))


# -- dask.dataframe -------------------------------------------------------------

def _predict_frame(frame, model, proba):
    import pandas as pd
    dtype, width = _output(model, proba)
    if width is None:
        meta = pd.Series(np.empty(0, dtype=dtype), name=None)
    else:
        meta = pd.DataFrame(np.empty((0, width), dtype=dtype), columns=_columns(model, proba, width))
    meta.index = frame._meta.index[:0]
    return frame.map_partitions(_predict_partition, model, proba, meta=meta)


def _predict_partition(part, model, proba):
    import pandas as pd
    dtype, width = _output(model, proba)
    if len(part) == 0:
        values = np.empty((0,) if width is None else (0, width), dtype=dtype)
    elif proba:
        values = model.predict_proba(part)
    else:
        values = model.predict(part)
    if width is None:
        return pd.Series(values, index=part.index, name=None)
    return pd.DataFrame(values, index=part.index, columns=_columns(model, proba, width))


# -- dask.array ------------------------------------------------------------------

def _predict_array(array, model, proba):
    if array.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array, got {array.ndim}-D")
    if array.shape[1] != model.n_features_in_:
        raise ValueError(f"X has {array.shape[1]} features, but this model expects {model.n_features_in_}")
    if array.numblocks[1] != 1:
        array = array.rechunk({1: -1})
    dtype, width = _output(model, proba)
    if width is None:
        return array.map_blocks(_predict_block, model, proba, dtype=dtype, drop_axis=1,
                                chunks=(array.chunks[0],), meta=np.empty((0,), dtype=dtype))
    return array.map_blocks(_predict_block, model, proba, dtype=dtype,
                            chunks=(array.chunks[0], (width,)), meta=np.empty((0, 0), dtype=dtype))


def _predict_block(block, model, proba):
    dtype, width = _output(model, proba)
    if block.shape[0] == 0:
        return np.empty((0,) if width is None else (0, width), dtype=dtype)
    return model.predict_proba(block) if proba else model.predict(block)
