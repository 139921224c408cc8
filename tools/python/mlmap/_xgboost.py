"""Export of XGBoost models: the booster's own JSON (``save_raw('json')``) goes
to mlmap's C++ importer, which parses and checks it (the same code as
``mlmap convert-xgboost``).  Only saving imports xgboost; loading and
predicting never do.

Supported: ``xgboost.Booster`` and the scikit-learn wrappers
``XGBClassifier``, ``XGBRegressor``, ``XGBRanker``, ``XGBRFClassifier``,
``XGBRFRegressor`` (gbtree or dart; objectives listed in
mlmap/importers.hpp).  The file predicts what the object's own ``predict``
does: every tree for a Booster, the rounds up to ``best_iteration`` for the
wrappers (as their predict does after early stopping).
"""

import platform
import sys

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._imported import set_classes, xgboost_json

WRAPPERS = ("XGBClassifier", "XGBRegressor", "XGBRanker", "XGBRFClassifier", "XGBRFRegressor")

# Objectives XGBClassifier maps to class labels exactly (binary:hinge: labels
# by margin > 0, predict_proba [1 - h, h] of the 0/1 output h).  (With
# binary:logitraw its predict thresholds the margin at 0.5 and predict_proba
# returns the margin itself: save the Booster instead.)
CLASSIFIER_OBJECTIVES = ("binary:logistic", "multi:softprob", "multi:softmax", "binary:hinge")


def is_xgboost(estimator):
    return type(estimator).__module__.split(".")[0] == "xgboost"


def _provenance(xgboost):
    return {
        "source_library": "xgboost",
        "source_version": str(xgboost.__version__),
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
    }


def _feature_names(given, booster_names):
    if given is not None:
        names = [str(n) for n in given]
    elif booster_names:
        names = [str(n) for n in booster_names]
    else:
        return None
    if len(set(names)) != len(names):
        raise ValueError("feature names are not unique")
    return names


def export(estimator, *, feature_names=None, preprocessing=None):
    xgboost = sys.modules["xgboost"]  # loaded: the estimator comes from it
    cls = type(estimator)
    name = cls.__qualname__
    if cls is xgboost.Booster:
        booster = estimator
        options = {"estimator": "xgboost.Booster", "iteration_end": 0}
    elif name in WRAPPERS and cls is getattr(xgboost, name, None):
        booster = estimator.get_booster()  # raises NotFittedError when not fitted
        options = {"estimator": f"xgboost.{name}"}
        # The wrappers' predict uses iteration_range (0, best_iteration + 1)
        # whenever the booster has best_iteration (XGBModel._get_iteration_range).
        best = getattr(booster, "best_iteration", None)
        options["iteration_end"] = int(best) + 1 if best is not None else 0
        if name in ("XGBClassifier", "XGBRFClassifier"):
            objective = _objective_of(booster)
            if objective not in CLASSIFIER_OBJECTIVES:
                raise UnsupportedModelError(
                    f"xgboost.{name} with objective {objective!r}: its predict/predict_proba do not "
                    f"follow from the model's margins; supported: {', '.join(CLASSIFIER_OBJECTIVES)} "
                    "(or save the Booster: mlmap.save(model.get_booster(), path))")
            set_classes(options, estimator.classes_)
    else:
        supported = ", ".join(("Booster",) + WRAPPERS)
        raise UnsupportedModelError(
            f"{cls.__module__}.{name} is not supported by mlmap {_core.__version__}; "
            f"supported xgboost classes: {supported}")
    raw_json = booster.save_raw(raw_format="json")
    _refuse_unsupported(xgboost, f"xgboost.{name}", booster, raw_json)
    options["feature_names"] = _feature_names(feature_names, booster.feature_names)
    options["provenance"] = _provenance(xgboost)
    options.setdefault("metadata", {})
    if cls is not xgboost.Booster:
        preprocessing = _missing_as_nan(estimator, booster, options["feature_names"], preprocessing)
    return xgboost_json(raw_json, options, preprocessing)


def _missing_as_nan(estimator, booster, feature_names, preprocessing):
    """A wrapper's ``missing`` (e.g. -999; NaN by default) marks missing
    values in the data it is given, besides NaN, which XGBoost always takes
    as missing.  The file's trees take NaN as missing: a first step, or a
    last one after a Pipeline's program, turns the marker into NaN (an
    Impute op filling NaN, which lets NaN itself through; FORMAT.md §7).
    A Booster has no marker: its DMatrix's ``missing`` is the caller's."""
    missing = getattr(estimator, "missing", np.nan)
    if missing is None or np.isnan(missing):
        return preprocessing
    from ._sklearn_pipeline import Program
    marker = float(missing)
    if preprocessing is None:
        n = int(booster.num_features())
        preprocessing = Program(n, feature_names)
        features = list(range(n))
    else:
        features = preprocessing.features  # the columns that reach the model
    out = preprocessing.emit("impute", features, len(features), a=[float("nan")] * len(features),
                             missing_value=marker)
    preprocessing.features = [c.slot for c in out]
    if preprocessing.kinds and None in preprocessing.kinds:
        preprocessing.kinds = ["num" if k is None else k for k in preprocessing.kinds]
    return preprocessing


def _config(booster):
    import json
    return json.loads(booster.save_config())


def _objective_of(booster):
    return _config(booster)["learner"]["objective"]["name"]


def _refuse_unsupported(xgboost, what, booster, raw_json):
    """UnsupportedModelError, naming the class, the setting and xgboost's
    version, for models of xgboost 2.x / 3.x that mlmap cannot save yet:
    the categories encoder of xgboost >= 3.1 (model 'cats': predict re-codes
    a DataFrame's categories by value).  (Objectives the C++ importer does not
    know are refused there, naming them.)"""
    version = str(xgboost.__version__)
    if "c" in (booster.feature_types or []):
        import json
        cats = json.loads(raw_json)["learner"]["gradient_booster"]["model"].get("cats") or {}
        if any(len(e.get("values", [])) for e in cats.get("enc", [])):
            raise UnsupportedModelError(
                f"{what} with a categories encoder (model 'cats', xgboost {version}) is not supported: "
                "its predict re-codes a DataFrame's categories by value; train on category codes "
                "(numeric columns with feature_types='c') to save it")
