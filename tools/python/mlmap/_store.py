"""A directory of published model versions (see mlmap/store.hpp): publish,
list, roll back, garbage-collect, and follow the current version."""

import os
import tempfile
import threading
import weakref

from . import _core, _reference
from ._model import Closed, Model

# Store models open in this process, for as long as something else holds
# them: (dir, name, version, content_hash, copy) -> Model.  The content hash
# is part of the key because a version number is not: after rollback + gc, or
# a store directory deleted and made again, the same number holds other
# content.  copy=True models (private memory) and mapped ones are apart.  A
# model one user closed is never handed out again (see _open).
_open_versions = weakref.WeakValueDictionary()
_open_lock = threading.Lock()


def _key(dir, name, version, content_hash, copy):
    return (dir, name, int(version), content_hash, bool(copy))


def _options(copy, verify):
    """The load options a store model pickles with (as file models do, see
    _reference.file_reference)."""
    options = {}
    if copy:
        options["copy"] = True
    if verify:
        options["verify"] = True
    return options


def _usable(model, verify):
    """Whether a cached model may be handed out: not closed by its user, and
    opened with verify=True if ``verify`` (else a verified load replaces it,
    so that what it hands out pickles with verify, as mlmap.load's models)."""
    return (model is not None and not model.closed
            and (not verify or model._pickled_as[1][4].get("verify", False)))


def _open(key, verify):
    """The open model of ``key`` if it is usable, else None."""
    with _open_lock:
        model = _open_versions.get(key)
    return model if _usable(model, verify) else None


def open_store_reference(dir, name, version, content_hash, options=None):
    """What a store model unpickles through: the same store, name and
    version, with the load options it was loaded with (opened once per
    process), refused if its content changed."""
    options = dict(options or {})  # pickles made before options: none
    copy, verify = bool(options.get("copy", False)), bool(options.get("verify", False))
    reference = (open_store_reference, (dir, name, version, content_hash, options))
    model = _open(_key(dir, name, version, content_hash, copy), verify)
    if model is not None:
        return model
    try:
        model = Store(dir, create=False).load(name, version, copy=copy, verify=verify)
    except Exception as e:  # the task reports it, see _reference
        return _reference.unavailable(e, reference)
    found = model._info["content_hash"]
    if found != content_hash:
        return _reference.unavailable(_reference.ModelChangedError(
            f"version {version} of {name!r} in the store {dir!r} has content hash {found}, "
            f"the pickled model had {content_hash}",
            path=model.path, expected_hash=content_hash, found_hash=found), reference)
    return model


def _store_model(store_dir, name, version, core, *, copy=False, verify=False):
    """The Model of ``core`` (version ``version`` of ``name``, opened with
    ``copy`` and ``verify``): the one already open in this process with that
    content, else a new one."""
    model = Model(core, core.path)
    content_hash = model._info["content_hash"]
    model._set_reference(open_store_reference,
                         (store_dir, name, int(version), content_hash, _options(copy, verify)))
    key = _key(store_dir, name, version, content_hash, copy)
    with _open_lock:
        cached = _open_versions.get(key)
        if _usable(cached, verify):
            model = cached
        else:
            _open_versions[key] = model
    return model


# Watches alive in this process, for the fork hook below.
_watches = weakref.WeakSet()


def _after_fork_in_child():
    # A fork taken while another thread held the lock would leave it locked.
    global _open_lock
    _open_lock = threading.Lock()
    for watch in list(_watches):
        watch._forget_native()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Store:
    """``mlmap.Store(dir)``: opens (creating if needed) a model store.

    Published files are verified first, written atomically, read-only and
    never modified in place, so readers in any process can map them safely.
    """

    def __init__(self, dir, *, create=True):
        self._core = _core.Store(os.fspath(dir), create)

    @property
    def dir(self):
        return self._core.dir

    def publish(self, name, path, *, move=False):
        """Verify ``path`` and publish it as ``name``'s next (current)
        version.  The same content twice is a no-op reporting the existing
        version (``created`` False).  Returns a dict describing the version."""
        return self._core.publish(name, os.fspath(path), move)

    def save(self, name, estimator, **save_options):
        """``mlmap.save`` straight into the store: the file is written in the
        store's directory and moved into place, never copied."""
        from ._save import save
        # The name first: nothing is written for a name publish would refuse
        # ('../x', an absolute path, '.lock' ...).  The file is written in the
        # store's own directory (a '.tmp-' file, as publish's; gc removes
        # leftovers) and publish makes the name's directory.
        self._check_name(name)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-save-", suffix=".mlmap", dir=self.dir)
        os.close(fd)
        try:
            save(estimator, tmp, **save_options)
            return self._core.publish(name, tmp, True)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _check_name(self, name):
        """Raises the ValueError publish would raise for a bad ``name`` (the
        library's rule, mlmap::Store::check_name)."""
        _core.Store.check_name(name)

    def names(self):
        return self._core.names()

    def versions(self, name):
        """Oldest first; each a dict with version, path, content_hash, size,
        published_unix_ms, current."""
        return self._core.versions(name)

    def current(self, name):
        return self._core.current(name)

    def rollback(self, name, version):
        self._core.rollback(name, int(version))

    def gc(self, keep):
        """Keep the ``keep`` newest versions of each name plus the current one."""
        return self._core.gc(int(keep))

    def load(self, name, version=None, *, verify=False, copy=False):
        """Open a version (default: the current one) as an ``mlmap.Model``."""
        info = self.current(name) if version is None else next(
            (v for v in self.versions(name) if v["version"] == int(version)), None)
        if info is None:
            raise ValueError(f"{name!r} has no version {version}")
        model = _open(_key(self.dir, name, info["version"], info["content_hash"], copy), verify)
        if model is not None:
            return model
        core = self._core.load(name, info["version"], verify, copy)
        return _store_model(self.dir, name, info["version"], core, copy=copy, verify=verify)

    def watch(self, name, *, poll_ms=100):
        """A reader that follows ``name``'s current version (see Watch)."""
        return Watch(self, self._core.watch(name, int(poll_ms)), name, int(poll_ms))

    def __repr__(self):
        return f"<mlmap.Store {self.dir!r}>"


class Watch:
    """Follows a name's current version: a background thread picks up a new
    version within about ``poll_ms``; ``current()`` returns the model to use
    for one request (the previous one stays valid while referenced).

    A Watch made before ``os.fork()`` works in the child too: there it
    starts its own background thread on first use."""

    def __init__(self, store, core, name, poll_ms=100):
        self._store, self._watch, self._name, self._poll_ms = store, core, name, poll_ms
        self._cached = (None, None)  # (file path, Model) last handed out
        _watches.add(self)

    def _native(self):
        watch = self._watch
        if watch is None:  # left behind by fork(): a new one, with its thread
            watch = self._watch = self._store._core.watch(self._name, self._poll_ms)
        return watch

    def _forget_native(self):
        """In a forked child: let go of the parent's native watch, whose
        poller thread stayed in the parent (mlmap::Watch then drops it
        without waiting on that thread); the next use opens one here."""
        if self._watch is not None and not isinstance(self._watch, Closed):
            self._watch = None

    @property
    def version(self):
        return self._native().version

    def current(self):
        core, version = self._native().current()
        # The file's path names version and content hash: a version number
        # alone may come back with other content.  A model its user closed
        # is replaced by a new one of the same mapping.
        path = core.path
        cached_path, model = self._cached
        if cached_path != path or model.closed:
            model = _store_model(self._store.dir, self._name, version, core)
            self._cached = (path, model)
        return model

    def refresh(self):
        self._native().refresh()

    def last_error(self):
        return self._native().last_error()

    def close(self):
        """Stops following the name (the background thread ends when nothing
        else holds the watch); later calls raise ValueError.  Models already
        handed out by current() stay usable."""
        if isinstance(self._watch, Closed):
            return
        self._watch = Closed(f"the mlmap Watch of {self._name!r}")
        self._cached = (None, None)

    @property
    def closed(self):
        return isinstance(self._watch, Closed)

    def __enter__(self):
        if self.closed:
            self._watch.current  # raises
        return self

    def __exit__(self, *exc):
        self.close()
        return False

