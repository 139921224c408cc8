"""Export of live Keras models.  The model is saved to a temporary ``.keras``
file with Keras' own ``model.save`` and converted by mlmap's C++ importer
(``mlmap convert-keras``, mlmap/importers.hpp): one mapping of Keras layers
for files and live models.  Only saving touches Keras; loading and predicting
never import it or TensorFlow.

``classes=`` makes a classifier of a model whose output is a softmax over one
unit per class, or a sigmoid over one unit (two classes); any other output is
refused with ValueError.
"""

import os
import platform
import sys
import tempfile

import numpy as np

from . import _core
from ._model import CLASSES_DTYPE_KEY


def is_keras(obj):
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(obj, keras.Model)


class Exported:
    """A Keras model ready to be converted (``description`` takes the user's
    metadata, as for the other exporters)."""

    def __init__(self, model, options):
        self.model = model
        self.description = options

    def write(self, path):
        with tempfile.TemporaryDirectory(prefix="mlmap-keras-") as tmp:
            saved = os.path.join(tmp, "model.keras")
            self.model.save(saved)
            with open(saved, "rb") as f:
                data = f.read()
        _core.convert_keras(data, path, self.description)


def export(model, *, feature_names=None, classes=None):
    keras = sys.modules["keras"]
    options = {
        "provenance": {
            "source_library": "keras",
            "source_version": str(keras.__version__),
            "numpy_version": np.__version__,
            "python_version": platform.python_version(),
        },
        "metadata": {},
    }
    if feature_names is not None:
        names = [str(n) for n in feature_names]
        if len(set(names)) != len(names):
            raise ValueError("feature names are not unique")
        options["feature_names"] = names
    if classes is not None:
        from ._sklearn import class_labels  # numpy only; no sklearn import
        labels, dtype = class_labels(classes)
        if len(set(labels)) != len(labels):
            raise ValueError("classes are not unique")
        options["classes"] = labels
        if dtype:
            options["metadata"][CLASSES_DTYPE_KEY] = dtype
    return Exported(model, options)
