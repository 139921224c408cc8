"""mlmap: machine-learning models in memory-mapped files.

    import mlmap
    mlmap.save(fitted_estimator, "model.mlmap")    # sklearn forest, pipeline ...
    m = mlmap.load("model.mlmap")                  # mmap: instant, shared pages
    m.predict(X); m.predict_proba(X)

``load`` and prediction import neither scikit-learn nor pickle: a model file
is data, never code.
"""

from ._errors import (FormatError, MissingValueError, MlmapError,
                      UnknownCategoryError, UnsupportedModelError)
from ._model import Model, ModelChangedError, load, verify
from ._save import save
from ._store import Store, Watch
from ._core import __version__, active_kernel, available_kernels, format_version, use_kernel

__all__ = [
    "save", "load", "verify", "Model", "Store", "Watch",
    "MlmapError", "FormatError", "UnsupportedModelError", "MissingValueError", "ModelChangedError",
    "UnknownCategoryError", "__version__", "format_version",
    "active_kernel", "available_kernels", "use_kernel",
]
