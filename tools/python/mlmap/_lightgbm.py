"""Export of LightGBM models: the booster's own text (``model_to_string()``,
what ``save_model`` writes) goes to mlmap's C++ importer, which parses and
checks it and maps LightGBM's semantics onto mlmap's (the same code as
``mlmap convert-lightgbm``).  Only saving imports lightgbm; loading and
predicting never do.

Supported: ``lightgbm.Booster`` and the scikit-learn wrappers
``LGBMClassifier``, ``LGBMRegressor``, ``LGBMRanker`` (gbdt, dart, goss, rf;
objectives listed in mlmap/importers.hpp).  The file predicts what the
object's own ``predict`` does: the iterations up to ``best_iteration`` when
early stopping set one, every iteration otherwise.  A model trained on a
DataFrame with pandas categorical columns keeps their category lists: the
file maps a DataFrame's category values to LightGBM's codes as LightGBM's
predict does (by value, not by the DataFrame's own codes).
"""

import platform
import sys

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._imported import lightgbm_text, set_classes

WRAPPERS = ("LGBMClassifier", "LGBMRegressor", "LGBMRanker")

# The objectives whose predict_proba / predict the classifier wrapper derives
# from the model's outputs as mlmap does (probabilities, then argmax).
CLASSIFIER_OBJECTIVES = ("binary", "multiclass", "multiclassova")
CLASSIFICATION = CLASSIFIER_OBJECTIVES
ALIASES = {"softmax": "multiclass", "multiclass_ova": "multiclassova", "ova": "multiclassova",
           "ovr": "multiclassova"}


def is_lightgbm(estimator):
    return type(estimator).__module__.split(".")[0] == "lightgbm"


def _provenance(lightgbm):
    return {
        "source_library": "lightgbm",
        "source_version": str(lightgbm.__version__),
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
    }


def objective_of(text):
    """The objective named on the model text's objective= line (aliases
    resolved as LightGBM resolves a whole line), or 'custom'."""
    for line in text.split("\n", 64)[:64]:
        if line.startswith("objective="):
            name = line[len("objective="):].strip()
            return ALIASES.get(name, name).split(" ")[0]
        if line.startswith("Tree="):
            break
    return "custom"


def export(estimator, *, feature_names=None, pandas_categorical=None, preprocessing=None):
    lightgbm = sys.modules["lightgbm"]  # loaded: the estimator comes from it
    cls = type(estimator)
    name = cls.__qualname__
    if cls is lightgbm.Booster:
        booster = estimator
        options = {"estimator": "lightgbm.Booster"}
        params = dict(booster.params or {})
    elif name in WRAPPERS and cls is getattr(lightgbm, name, None):
        booster = estimator.booster_  # raises LGBMNotFittedError when not fitted
        options = {"estimator": f"lightgbm.{name}"}
        params = dict(estimator.get_params())
        # A custom objective: a regressor's or ranker's predict is the raw
        # score, which the file gives (as for the Booster); a classifier's
        # predict and predict_proba give raw scores in place of labels and
        # probabilities, which the file cannot.
        custom = callable(getattr(estimator, "_objective", None)) or callable(params.get("objective"))
        if custom and name == "LGBMClassifier":
            raise UnsupportedModelError(
                f"lightgbm.{name} with a custom objective function: its predict returns raw scores "
                "whose meaning the model does not record (save the Booster for those: "
                "mlmap.save(model.booster_, path))")
    else:
        supported = ", ".join(("Booster",) + WRAPPERS)
        raise UnsupportedModelError(
            f"{cls.__module__}.{name} is not supported by mlmap {_core.__version__}; "
            f"supported lightgbm classes: {supported}")
    # The wrappers' predict passes their params on; Booster.predict takes
    # only its own arguments (training params such as pred_early_stop in
    # booster.params do not apply), so a Booster sums every tree.
    for key in ("pred_early_stop",) if cls is not lightgbm.Booster else ():
        if params.get(key) not in (None, False, 0, "false", "False"):
            raise UnsupportedModelError(
                f"{options['estimator']} with {key}={params[key]!r}: its predict stops summing trees early "
                "for rows with a confident margin, which a model file cannot reproduce")
    text = booster.model_to_string(num_iteration=-1)
    objective = objective_of(text)
    if name == "LGBMClassifier":
        if objective not in CLASSIFIER_OBJECTIVES:
            raise UnsupportedModelError(
                f"lightgbm.LGBMClassifier with objective {objective!r}: mlmap saves classifiers trained "
                f"with {', '.join(CLASSIFIER_OBJECTIVES)} (or save the Booster: "
                "mlmap.save(model.booster_, path))")
        set_classes(options, estimator.classes_)
    elif name in ("LGBMRegressor", "LGBMRanker") and objective in CLASSIFICATION:
        raise UnsupportedModelError(
            f"lightgbm.{name} with objective {objective!r}: its predict returns probabilities that "
            "mlmap would save as a classifier; save the Booster (mlmap.save(model.booster_, path)) "
            "or use LGBMClassifier")
    # predict's num_iteration=None: best_iteration when early stopping set one.
    best = int(getattr(booster, "best_iteration", 0) or 0)
    options["iteration_end"] = best if best > 0 else 0
    names = feature_names
    if names is None and name in WRAPPERS and getattr(estimator, "_fitted_with_feature_names", False):
        names = list(estimator.feature_names_in_)
    if names is not None:
        names = [str(n) for n in names]
        if len(set(names)) != len(names):
            raise ValueError("feature names are not unique")
    options["feature_names"] = names
    if pandas_categorical is not None:
        options["pandas_categorical"] = [str(c) for c in pandas_categorical]
    options["provenance"] = _provenance(lightgbm)
    options.setdefault("metadata", {})
    return lightgbm_text(text.encode("utf-8"), options, preprocessing)
