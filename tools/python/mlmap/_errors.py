"""Exceptions raised by mlmap.  Each carries ``code``, the stable name of the
library's error code (e.g. ``"checksum_mismatch"``), when one applies."""


class MlmapError(Exception):
    """Base class of mlmap's own exceptions."""

    code = None


class FormatError(MlmapError, ValueError):
    """A file that is not a valid mlmap model (corrupt, truncated, foreign,
    newer major version ...)."""


class UnsupportedModelError(MlmapError, TypeError):
    """An estimator mlmap cannot save, or a file holding a model kind this
    version cannot run."""


class MissingValueError(MlmapError, ValueError):
    """NaN in the input of a model that was not trained to route missing
    values."""


class UnknownCategoryError(MlmapError, ValueError):
    """A category unseen in training where the model treats that as an
    error."""
