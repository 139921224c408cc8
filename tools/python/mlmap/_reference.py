"""Models that pickle by reference.

A pickled ``mlmap.Model`` holds where its file is and what it contains -- the
absolute path, the file size, the content hash (XXH3-128 of the header, which
covers every column's checksum) and the load options -- a few hundred bytes,
never the parameters.  Unpickling opens the file again through a per-process
cache, so a worker process that receives the same model in a thousand tasks
maps it once, and every process on a host shares the file's pages.

Unpickling refuses a file whose content is not the pickled one (another model
saved over the path, a stale copy on one host): the model it gives raises
ModelChangedError (a FormatError), naming the path and both hashes, on every
use, rather than predicting with other parameters.  (Raising while unpickling
would kill the Dask worker or hang the multiprocessing.Pool doing it; raised
from the task, the error reaches the caller as it is.)

The hook for other sources: ``Model.__reduce__`` returns the model's
``_pickled_as``, a ``(opener, args)`` pair; a loader that is not a plain file
(a model store, later: store, name, version) sets its own with
``model._set_reference(opener, args)``, where ``opener`` is a module-level
function that returns the Model (pickle stores it by qualified name) and
``args`` is small and picklable.  Models from ``mlmap.load`` get
``(open_file_reference, (1, path, size, content_hash, options))``.

This module imports no pickle module: it only defines what pickle calls.
"""

import collections
import errno
import os
import threading
import weakref

from . import _core
from ._errors import FormatError

# Bumped if the arguments of open_file_reference change; unpickling refuses a
# version it does not know instead of misreading it.
FILE_REFERENCE_VERSION = 1

# Models kept open per process (least recently used beyond this are dropped
# from the cache; a model still referenced elsewhere stays valid).
CACHE_SIZE = 64


class ModelChangedError(FormatError):
    """The file at a pickled model's path is not the file that was pickled:
    its content hash (or size) differs, or it is no longer a readable model.
    Every process that unpickles a model must see the same file at the same
    path (a shared filesystem, or identical copies on every host)."""

    code = "checksum_mismatch"

    def __init__(self, message, *, path=None, expected_hash=None, found_hash=None):
        super().__init__(message)
        self.path = path
        self.expected_hash = expected_hash
        self.found_hash = found_hash


def file_reference(path, info, *, copy=False, verify=False):
    """The ``(opener, args)`` pair a model opened from ``path`` pickles as."""
    options = {}
    if copy:
        options["copy"] = True
    if verify:
        options["verify"] = True
    return (open_file_reference,
            (FILE_REFERENCE_VERSION, path, int(info["file_size"]), info["content_hash"], options))


def opened(model, *, copy, verify):
    """Called by ``load`` for each model it opens: sets what the model
    pickles as and lists it among this process's open models, so that
    unpickling its reference here (or in a forked child) returns it rather
    than mapping the file again."""
    model._set_reference(*file_reference(model.path, model._info, copy=copy, verify=verify))
    key = (model.path, model._info["content_hash"], bool(copy))
    with _lock:
        if verify:
            _verified.add(model)
        if key not in _open_models or verify:
            _open_models[key] = model


def forget(model):
    """A closed model: unpickling must not hand it out any more."""
    with _lock:
        for key in [k for k, m in _open_models.items() if m is model]:
            del _open_models[key]
        for key in [k for k, e in _cache.items() if e.model is model]:
            del _cache[key]
        _verified.discard(model)


class _Entry:
    __slots__ = ("model", "signature")

    def __init__(self, model, signature):
        self.model = model
        self.signature = signature


# (path, content_hash, copy) -> _Entry: the models unpickling handed out, kept
# open, with the stat() signature of the file they were checked against.
_cache = collections.OrderedDict()
# (path, content_hash, copy) -> Model: models open in this process (load()),
# held weakly; unpickling reuses them after checking the file.
_open_models = weakref.WeakValueDictionary()
_verified = weakref.WeakSet()  # models fully verified (load(verify=True) or unpickled so)
_lock = threading.Lock()


def _reset_after_fork():
    # A fork taken while another thread held the lock would leave it locked
    # forever in the child.  The cached models (mappings) stay valid there.
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _signature(st):
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _changed(path, size, content_hash, found_hash, found_size, why=None):
    if why is not None:
        found = f"a file that mlmap cannot open ({why})"
        found_hash = None
    else:
        found = f"content hash {found_hash}, {found_size} bytes"
    return ModelChangedError(
        f"model file {path!r} changed since the model was pickled: pickled content hash "
        f"{content_hash} ({size} bytes), found {found}.  Every process that unpickles a model must "
        "see the same file at the same path; load the current file again, or restore the pickled one",
        path=path, expected_hash=content_hash, found_hash=found_hash)


def open_file_reference(version, path, size, content_hash, options):
    """Unpickle a model: the already-open one from this process's cache, or
    the file at ``path`` opened again after checking that its content hash
    and size are the pickled ones.

    When the file is missing or not the pickled one, this returns an
    UnavailableModel whose every use (predict, info, classes_ ...) raises
    the error, rather than raising here: an exception while unpickling kills
    a Dask worker (the task is retried elsewhere, then KilledWorker), hangs
    a multiprocessing.Pool and breaks a ProcessPoolExecutor, where an
    exception from the task reaches the caller as it is."""
    reference = (open_file_reference, (version, path, size, content_hash, options))
    try:
        return _open_file(version, path, size, content_hash, options)
    except (FormatError, OSError) as e:
        return unavailable(e, reference)


def _open_file(version, path, size, content_hash, options):
    if version != FILE_REFERENCE_VERSION:
        raise FormatError(
            f"cannot unpickle the mlmap model at {path!r}: reference version {version} (this mlmap "
            f"reads version {FILE_REFERENCE_VERSION}); unpickle it with the mlmap that pickled it")
    copy = bool(options.get("copy", False))
    verify = bool(options.get("verify", False))
    key = (path, content_hash, copy)
    with _lock:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            _drop_path(path, keep_hash=None)
            raise FileNotFoundError(
                errno.ENOENT, f"cannot unpickle the mlmap model (content hash {content_hash}): "
                "no such model file on this host", path) from None
        signature = _signature(st)
        entry = _cache.get(key)
        if entry is not None and entry.signature == signature:
            # The very file this entry was opened from: nothing to check.
            _cache.move_to_end(key)
            return _verified_if(entry.model, verify)

        # A new file, or one changed since it was cached: read its hash.
        # Opening costs O(number of columns) and checks the header checksum.
        try:
            core = _core.Model.open(path, verify=False, copy=copy)
        except (FormatError, OSError) as e:
            _drop_path(path, keep_hash=None)
            raise _changed(path, size, content_hash, None, st.st_size, why=e) from e
        info = core.info()
        if info["content_hash"] != content_hash or int(info["file_size"]) != size:
            _drop_path(path, keep_hash=info["content_hash"])
            raise _changed(path, size, content_hash, info["content_hash"], int(info["file_size"]))
        _drop_path(path, keep_hash=content_hash)

        # The file holds the pickled content.  Keep handing out the model
        # already open with it (identity holds within a process; a forked
        # child reuses its parent's mapping); else the one just opened.
        model = entry.model if entry is not None else _open_models.get(key)
        if model is None:
            from ._model import Model  # here: _model imports this module
            model = Model(core, path)
            model._set_reference(*file_reference(path, info, copy=copy, verify=verify))
        del core
        _verified_if(model, verify)
        _cache[key] = _Entry(model, signature)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return model


def _verified_if(model, verify):
    if verify and model not in _verified:
        model.verify()  # O(size), once per model
        _verified.add(model)
    return model


def _drop_path(path, keep_hash):
    """Forget the cached models of ``path`` whose content is not that of the
    file there now (``keep_hash``; None: no readable file)."""
    for key in [k for k in _cache if k[0] == path and k[1] != keep_hash]:
        del _cache[key]


def clear_cache():
    """Forget every model this process opened by unpickling (models still
    referenced elsewhere stay usable)."""
    with _lock:
        _cache.clear()


# -- what unpickling gives for a file that is not the pickled one ----------------

_unavailable_class = None


def unavailable(error, reference):
    """A stand-in for a model that could not be unpickled: an mlmap.Model
    (isinstance holds) whose every attribute raises a fresh copy of
    ``error``; it pickles as ``reference`` again, so a process that does see
    the right file can still open it."""
    global _unavailable_class
    if _unavailable_class is None:
        _unavailable_class = _make_unavailable_class()
    return _unavailable_class(error, reference)


def _copy_error(e):
    """A new exception equal to ``e`` (raising one instance twice would chain
    its tracebacks)."""
    if isinstance(e, ModelChangedError):
        return ModelChangedError(str(e), path=e.path, expected_hash=e.expected_hash, found_hash=e.found_hash)
    if isinstance(e, OSError) and e.errno is not None:
        return type(e)(e.errno, e.strerror, e.filename)
    copy = type(e)(*e.args)
    if getattr(e, "code", None) is not None:
        copy.code = e.code
    return copy


def _make_unavailable_class():
    from ._model import Model  # here: _model imports this module

    passthrough = frozenset(("_pickled_as", "_unavailable_error"))
    # What a Model has: its class's attributes and those __init__ sets.
    # Anything else raises AttributeError, as on any Model: libraries probe
    # objects they carry (dask >= 2025 unpickles graphs on the scheduler and
    # asks every operand for `.expr`), and a probe must not turn into the
    # model's error there instead of in the task that uses it.
    known = frozenset(dir(Model)) | {"_core", "path", "_info", "_feature_names", "_input_dtype",
                                     "_string_columns", "n_features_in_", "feature_names_in_", "classes_"}

    class UnavailableModel(Model):
        __slots__ = ()

        def __init__(self, error, reference):  # pylint: disable=super-init-not-called
            object.__setattr__(self, "_unavailable_error", error)
            object.__setattr__(self, "_pickled_as", reference)

        def __getattribute__(self, name):
            if name in passthrough or (name.startswith("__") and name.endswith("__")):
                # Pickling (__reduce_ex__ ...), repr, and protocol probes
                # (hasattr(x, "__array__"), dask's __dask_graph__ ...) see an
                # ordinary object; everything a user calls raises the error.
                return object.__getattribute__(self, name)
            if name not in known:
                raise AttributeError(f"'Model' object has no attribute {name!r}")
            raise _copy_error(object.__getattribute__(self, "_unavailable_error"))

        def __setattr__(self, name, value):
            raise _copy_error(object.__getattribute__(self, "_unavailable_error"))

        def __repr__(self):
            return f"<mlmap.Model unavailable: {object.__getattribute__(self, '_unavailable_error')}>"

    UnavailableModel.__module__ = __name__
    return UnavailableModel
