"""Models that mlmap's C++ importers convert from their library's own format
(XGBoost JSON, LightGBM text): the bytes, the importer's options and, for the
last step of a Pipeline, the program in front."""

from . import _core


class Exported:
    """A model ready to be written: the library's own bytes and the options
    that describe them (``description`` takes the user's metadata),
    optionally behind a Pipeline's preprocessing program (from
    _sklearn_pipeline), whose input columns the file then takes."""

    def __init__(self, convert, data, description, preprocessing=None):
        self._convert = convert  # a _core.convert_* function
        self._data = data
        self.description = description
        self.preprocessing = preprocessing

    def write(self, path):
        if self.preprocessing is None:
            self._convert(self._data, path, self.description)
            return
        prog = self.preprocessing
        spec = dict(prog.spec(), n_inputs=int(prog.n_inputs), input_names=prog.feature_names)
        options = {k: v for k, v in self.description.items() if k != "feature_names"}
        self._convert(self._data, path, options, spec)


def set_classes(options, classes):
    """The importer's class labels (and the numpy dtype to restore them as)
    from a scikit-learn wrapper's ``classes_``."""
    from ._sklearn import class_labels  # numpy only; no sklearn import
    labels, dtype = class_labels(classes)
    options["classes"] = labels
    if dtype is not None:
        from ._model import CLASSES_DTYPE_KEY
        options.setdefault("metadata", {})[CLASSES_DTYPE_KEY] = dtype


def xgboost_json(data, description, preprocessing=None):
    return Exported(_core.convert_xgboost_json, data, description, preprocessing)


def lightgbm_text(data, description, preprocessing=None):
    return Exported(_core.convert_lightgbm_text, data, description, preprocessing)
