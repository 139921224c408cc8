"""Saving: turns a fitted estimator into mlmap columns and writes one file
atomically.  Only this module imports scikit-learn, and only when called."""

import os

from ._errors import UnsupportedModelError
from ._model import CLASSES_DTYPE_KEY


def save(estimator, path, *, feature_names=None, metadata=None, n_features=None, classes=None,
         pandas_categorical=None):
    """Write a fitted estimator to ``path``.

    The write is atomic: a temporary file in the same directory is written,
    fsynced, checked by opening it, then renamed over ``path``.  A failed or
    interrupted save leaves any existing file at ``path`` untouched.

    feature_names: names of the input columns (default: the estimator's
        ``feature_names_in_`` when it was fitted on a DataFrame).
    metadata: a dict of str -> str stored in the file (keys starting with
        "mlmap." are reserved).
    n_features: the input width; needed only for a torch.nn.Sequential that
        starts with an activation (otherwise checked against the model's).
    classes: labels for a Keras model or torch.nn.Sequential whose output is
        a softmax (one label per output) or a sigmoid over one output (two
        labels): the file is then a classifier (``predict`` gives labels,
        ``predict_proba`` the probabilities).  Refused (ValueError) for other
        outputs; scikit-learn, XGBoost and LightGBM classifiers carry their own.
    pandas_categorical: LightGBM models trained on a DataFrame with pandas
        categorical columns: those columns' names, in order.  Needed only
        when mlmap cannot tell them from the model (an ordered Categorical,
        or categorical_feature given explicitly); the error says so.
    """
    path = os.fspath(path)
    user_metadata = _check_metadata(metadata)
    from ._xgboost import is_xgboost
    from ._lightgbm import is_lightgbm
    from ._torch import is_torch
    if pandas_categorical is not None and not is_lightgbm(estimator):
        raise ValueError("pandas_categorical applies to LightGBM models only")
    from ._keras import is_keras
    if is_torch(estimator):
        from ._torch import export as export_torch
        exported = export_torch(estimator, feature_names=feature_names, n_features=n_features, classes=classes)
    elif is_keras(estimator):
        from ._keras import export as export_keras
        if n_features is not None:
            raise ValueError("n_features= does not apply to Keras models (they state their input shape)")
        exported = export_keras(estimator, feature_names=feature_names, classes=classes)
    else:
        if classes is not None:
            raise ValueError("classes= applies to Keras models and torch.nn.Sequential networks; "
                             "scikit-learn, XGBoost and LightGBM classifiers carry their own classes_")
        if is_lightgbm(estimator):
            from ._lightgbm import export as export_lightgbm
            exported = export_lightgbm(estimator, feature_names=feature_names,
                                       pandas_categorical=pandas_categorical)
        else:
            if is_xgboost(estimator):
                from ._xgboost import export
            else:
                from ._sklearn import export  # imports sklearn: only when saving
            exported = export(estimator, feature_names=feature_names)
        if (n_features is not None and "n_features" in exported.description
                and int(n_features) != exported.description["n_features"]):
            raise ValueError(f"n_features={n_features}, but the model takes "
                             f"{exported.description.get('n_features')} input columns")
    exported.description["metadata"] = {**exported.description.get("metadata", {}), **user_metadata}
    exported.write(path)


def _check_metadata(metadata):
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise TypeError("metadata must be a dict of str to str")
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"metadata must map str to str; got {k!r}: {v!r}")
        if k.startswith("mlmap."):
            raise ValueError(f"metadata key {k!r}: keys starting with 'mlmap.' are reserved")
    return dict(metadata)


__all__ = ["save", "UnsupportedModelError", "CLASSES_DTYPE_KEY"]
