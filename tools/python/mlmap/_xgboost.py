"""Export of XGBoost models (to be written)."""

from ._errors import UnsupportedModelError


def is_xgboost(estimator):
    return type(estimator).__module__.split(".")[0] == "xgboost"


def export(estimator, *, feature_names=None):
    raise UnsupportedModelError(f"{type(estimator).__qualname__}: XGBoost models are not supported yet")
