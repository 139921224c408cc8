"""Opening and predicting.  Imports neither scikit-learn nor pickle."""

import copy
import errno
import os

import numpy as np

from . import _core
from . import _reference
from ._reference import ModelChangedError  # noqa: F401  (re-exported)

# _core.fast's flag for a 1-D result when there is one value per row.
_FLAT = 4

# Reserved metadata key: numpy dtype of classes_ when it is not int64 or str.
CLASSES_DTYPE_KEY = "mlmap.classes_dtype"
# Reserved metadata key: "1" for a multilabel classifier (OneVsRestClassifier,
# MLPClassifier or RidgeClassifier on an indicator matrix), stored as one
# output group [1 - p, p] per class:
# predict_proba gives the (n, K) array of the p, classes_ the K columns.
MULTILABEL_KEY = "mlmap.multilabel"
# Libraries whose own predict turns a pandas categorical column into its codes
# (XGBoost's enable_categorical, LightGBM without stored categories);
# scikit-learn reads the category values.
_CODES_LIBRARIES = ("xgboost", "lightgbm")


def _is_1d(X):
    if isinstance(X, (list, tuple)):
        return all(not isinstance(v, (list, tuple, np.ndarray)) for v in X)
    return getattr(X, "ndim", None) == 1



_NAIVE_BAYES = ("GaussianNB", "MultinomialNB", "ComplementNB", "BernoulliNB", "CategoricalNB")


def _final_estimator(estimator):
    """The class name of the estimator that makes the predictions, from the
    file's estimator string: "sklearn.naive_bayes.GaussianNB" -> "GaussianNB",
    "sklearn.pipeline.Pipeline(StandardScaler, GaussianNB)" -> "GaussianNB"."""
    if estimator.endswith(")"):
        return estimator[:-1].rsplit(",", 1)[-1].rsplit("(", 1)[-1].strip()
    return estimator.rsplit(".", 1)[-1]


class Model:
    """A model file opened for prediction, with scikit-learn's predict API.

    The parameters stay in the mapped file: opening costs the same for a
    kilobyte or a gigabyte, and every process that opens the same file
    shares its pages.  Instances are immutable and thread-safe; prediction
    releases the GIL.
    """

    def __init__(self, core, path):
        self._core = core
        self._closed = False
        self.path = os.path.abspath(path)
        info = core.info()
        self._info = info
        self._feature_names = tuple(info["feature_names"])
        # Most trees compare float32 inputs (as sklearn does: integers go
        # straight to float32, not through float64); everything else,
        # HistGradientBoosting's trees included, computes in float64.
        trees = info.get("trees")
        direct_trees = trees and trees["threshold_bits"] == 32 and "preprocessing" not in info
        self._input_dtype = np.float32 if direct_trees else np.float64
        # Models that read string columns take named columns (a DataFrame).
        self._string_columns = frozenset(info["string_columns"])
        self._unread = _unread_columns(info)
        # pandas categorical columns: their codes or their values (_reorder_columns)
        self._source_library = (info.get("provenance") or {}).get("source_library")
        self._categorical_codes = "preprocessing" not in info and self._source_library in _CODES_LIBRARIES
        # LightGBM stores feature names with spaces as '_' ('unit price' ->
        # 'unit_price') and still predicts the DataFrame it was trained on.
        self._spaces_as_underscores = self._source_library == "lightgbm"
        self.n_features_in_ = info["n_features"]
        if info["feature_names"]:
            self.feature_names_in_ = np.array(info["feature_names"], dtype=object)
        if info["classes"] is not None:
            labels = info["classes"]
            # numpy's fixed-width strings drop trailing NULs ('a\x00' would
            # become 'a', merging two classes): such labels stay objects.
            nul_ended = any(isinstance(c, str) and c.endswith("\x00") for c in labels)
            classes = np.array(labels, dtype=object) if nul_ended else np.array(labels)
            dtype = None if nul_ended else info["metadata"].get(CLASSES_DTYPE_KEY)
            if dtype:
                classes = classes.astype(dtype)
            self.classes_ = classes
        # Multi-output classifiers (MultiOutputClassifier): predict gives
        # (n, m) labels and predict_proba m arrays, as scikit-learn; classes_
        # is then the list of each output's labels.
        self._groups = [int(k) for k in info.get("output_groups", [])]
        # Where each output's columns start after the first (np.split's cuts).
        self._group_starts = np.cumsum(self._groups)[:-1]
        self._multilabel = info["metadata"].get(MULTILABEL_KEY) == "1"
        if self._multilabel and not (self._groups and set(self._groups) == {2}
                                     and np.array_equal(classes, np.tile([0, 1], len(self._groups)))):
            from ._errors import FormatError
            raise FormatError(f"metadata {MULTILABEL_KEY} needs output groups of the 2 labels 0, 1 "
                              f"(has output_groups {self._groups})")
        if self._groups:
            self._labels = classes
            self.classes_ = (np.arange(len(self._groups)) if self._multilabel
                             else np.split(classes, self._group_starts))
        self._has_proba = info["task"] == "classification" and info["link"] != "hard"
        # sklearn's naive Bayes give log-probabilities as the joint
        # log-likelihood minus its logsumexp (finite where a probability
        # underflows); its other classifiers (linear models, MLPs, trees)
        # give np.log(predict_proba), -inf there.
        self._log_proba_from_raw = (info["link"] == "softmax" and info["link_scale"] == 1.0
                                    and _final_estimator(info["estimator"]) in _NAIVE_BAYES)
        self._is_classifier = info["task"] == "classification"
        self._has_labels = info["task"] in ("classification", "outlier_detection")  # predict gives labels

    # -- what the file says ------------------------------------------------
    @property
    def task(self):
        """'classification', 'regression' or 'ranking'."""
        return self._info["task"]

    @property
    def n_outputs(self):
        return self._info["n_outputs"]

    def info(self):
        """Everything the header says: format and producer versions, source
        library, estimator, feature names, classes, sizes, content hash."""
        return copy.deepcopy(self._info)

    def verify(self):
        """Full validation (every index, every checksum); raises FormatError."""
        self._core.verify()
        return True

    # -- prediction ------------------------------------------------------------
    # Each method tries _core.fast first: a C-contiguous float32/float64
    # matrix as wide as the model goes to the library as it is, one call, no
    # conversion (the per-call overhead of issue 14); anything else (None
    # back) takes the checked path below.  Output codes: 0 value, 1 raw, 2
    # class index, 3 decision; + _FLAT: one value per row comes back as
    # shape (n,), no slice needed.
    #
    # n_threads: 1 (default), 0 = every core; n_jobs: the same as joblib and
    # scikit-learn spell it (-1 = every core, -2 = all but one ...).

    def predict(self, X, *, n_threads=None, n_jobs=None):
        """Class labels (classifiers; outlier detectors: -1 for an outlier, 1
        for an inlier) or values: shape (n,) for one output, (n, k) for k
        outputs."""
        threads = 1 if n_threads is None and n_jobs is None else self._threads(n_threads, n_jobs)
        if self._has_labels:
            indices = self._core.fast(X, 2, threads)
            if indices is None:
                indices = self._class_indices(X, threads)
            return (self._labels if self._groups else self.classes_)[indices]
        values = self._core.fast(X, _FLAT, threads)
        if values is not None:
            return values
        values = self._values(X, "value", threads)
        return values[:, 0] if values.shape[1] == 1 else values

    def predict_proba(self, X, *, n_threads=None, n_jobs=None):
        """Class probabilities, shape (n, n_classes); a multi-output
        classifier: a list of one (n, n_classes_j) array per output; a
        multilabel one (OneVsRestClassifier): each class's probability,
        unnormalised, shape (n, n_classes)."""
        if not self._has_proba:
            self._no_proba("predict_proba")
        threads = 1 if n_threads is None and n_jobs is None else self._threads(n_threads, n_jobs)
        values = self._core.fast(X, 0, threads)
        if values is None:
            values = self._values(X, "value", threads)
        return self._per_output(values)

    def _per_output(self, values):
        """A multi-output classifier's (n, sum of classes) values as the list
        of each output's (copies, as scikit-learn gives separate arrays)."""
        if not self._groups:
            return values
        if self._multilabel:  # each class's p, unnormalised, as scikit-learn
            return np.ascontiguousarray(values[:, 1::2])
        return [np.ascontiguousarray(v) for v in np.split(values, self._group_starts, axis=1)]

    def predict_log_proba(self, X, *, n_threads=None, n_jobs=None):
        """Logarithms of the class probabilities, shape (n, n_classes).  For
        naive Bayes the raw scores minus their logsumexp, as sklearn's naive
        Bayes (finite where a probability underflows to 0); otherwise the log
        of predict_proba, as sklearn's other classifiers (-inf there)."""
        if not self._has_proba:
            self._no_proba("predict_log_proba")
        threads = 1 if n_threads is None and n_jobs is None else self._threads(n_threads, n_jobs)
        if self._log_proba_from_raw:
            raw = self._core.fast(X, 1, threads)
            if raw is None:
                raw = self._values(X, "raw", threads)
            top = np.max(raw, axis=1, keepdims=True)
            with np.errstate(divide="ignore"):
                return raw - (top + np.log(np.sum(np.exp(raw - top), axis=1, keepdims=True)))
        with np.errstate(divide="ignore"):
            proba = self.predict_proba(X, n_threads=threads)
            return [np.log(p) for p in proba] if isinstance(proba, list) else np.log(proba)

    def decision_function(self, X, *, n_threads=None, n_jobs=None):
        """sklearn's decision_function: the raw scores (before the link
        function), except for one-vs-one SVMs with
        decision_function_shape='ovr' (one value per class), outlier
        detectors (score_samples minus the offset: negative for outliers)
        and meta-estimators that compute it beside their probabilities
        (BaggingClassifier: the mean of its estimators' decision values);
        (n,) for one value per row, else (n, k)."""
        if self._multilabel:
            raise AttributeError("the decision_function of a multilabel OneVsRestClassifier is not saved "
                                 "(its file keeps each class's probability or label)")
        threads = 1 if n_threads is None and n_jobs is None else self._threads(n_threads, n_jobs)
        values = self._core.fast(X, 3 + _FLAT, threads)
        if values is not None:
            return values
        values = self._values(X, "decision", threads)
        return values[:, 0] if values.shape[1] == 1 else values

    def score_samples(self, X, *, n_threads=None, n_jobs=None):
        """Outlier detectors: the anomaly score of each row (the lower, the
        more abnormal), shape (n,)."""
        if self.task != "outlier_detection":
            raise AttributeError(f"score_samples needs an outlier detector; this model does {self.task}")
        threads = 1 if n_threads is None and n_jobs is None else self._threads(n_threads, n_jobs)
        values = self._core.fast(X, 0, threads)
        if values is None:
            values = self._values(X, "value", threads)
        return values[:, 0]

    def _no_proba(self, what):
        if self.task != "classification":
            raise AttributeError(f"{what} needs a classifier; this model does {self.task}")
        raise AttributeError(f"{self._info['estimator']} has no {what} (it gives no probabilities)")
    # -- closing -------------------------------------------------------------------
    def close(self):
        """Lets go of the file: every later use of this object raises
        ValueError.  The mapping is released when nothing else holds it
        (another Model of the same file, a Watch, a running prediction)."""
        if self._closed:
            return
        self._closed = True
        self._core = Closed(f"the mlmap model of {self.path!r}")
        _reference.forget(self)

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        if self._closed:
            self._core.fast  # raises
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- scikit-learn's estimator conventions (sklearn imported only here) ---------
    @property
    def _estimator_type(self):
        return {"classification": "classifier", "regression": "regressor",
                "outlier_detection": "outlier_detector"}.get(self.task)

    def fit(self, X=None, y=None, **kwargs):
        """A loaded model is fitted already and cannot be refitted."""
        raise TypeError("an mlmap model is fitted already and cannot be refitted; fit the source "
                        "estimator and mlmap.save it again")

    def __sklearn_is_fitted__(self):
        return True

    def get_params(self, deep=True):
        """No hyper-parameters: a loaded model is fixed (scikit-learn's API)."""
        return {}

    def set_params(self, **params):
        if params:
            raise ValueError(f"an mlmap model has no parameters to set; got {sorted(params)}")
        return self

    def score(self, X, y, sample_weight=None):
        """Accuracy (classifiers) or R^2 (regressors), as scikit-learn's
        ClassifierMixin / RegressorMixin score."""
        if self._groups and not self._multilabel:  # MultiOutputClassifier.score: rows with every output right
            return float(np.mean(np.all(np.asarray(y) == self.predict(X), axis=1)))
        if self._is_classifier:
            from sklearn.metrics import accuracy_score
            return accuracy_score(y, self.predict(X), sample_weight=sample_weight)
        from sklearn.metrics import r2_score
        return r2_score(y, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        # scikit-learn >= 1.6
        from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags
        return Tags(estimator_type=self._estimator_type,
                    target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags() if self._is_classifier else None,
                    regressor_tags=RegressorTags() if self.task == "regression" else None,
                    input_tags=InputTags(allow_nan=bool(self._info["accepts_missing"]),
                                         string=bool(self._string_columns)))

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"allow_nan": bool(self._info["accepts_missing"]), "requires_fit": True,
                "requires_y": True, "multioutput": (self.n_outputs > 1 and not self._is_classifier) or bool(self._groups)}

    def _get_tags(self):
        from sklearn.utils._tags import _DEFAULT_TAGS
        return {**_DEFAULT_TAGS, **self._more_tags()}

    # -- inputs ------------------------------------------------------------------
    def _values(self, X, output, n_threads):
        if self._string_columns:
            columns, n = self._columns(X)
            return self._core.predict_table(columns, n, output, n_threads)
        return self._core.predict_values(self._matrix(X), output, n_threads)

    def _class_indices(self, X, n_threads):
        if self._string_columns:
            columns, n = self._columns(X)
            return self._core.predict_table_class(columns, n, n_threads)
        return self._core.predict_class(self._matrix(X), n_threads)

    def _columns(self, X):
        """Named columns for a model that reads strings: a DataFrame or a dict
        of column name -> values (sequences, or one value each for one row)."""
        if hasattr(X, "columns") and hasattr(X, "iloc"):
            _check_unique_columns(X.columns, self._feature_names)
            present, get, n = set(X.columns), (lambda name: X[name]), len(X)
        elif isinstance(X, dict):
            present, get = set(X), (lambda name: X[name])
            n = _dict_rows(X, self._feature_names)
            if n is None:  # one value each: one row
                get = (lambda name: [X[name]])
                n = 1
        elif len(self._feature_names) == 1 and self._string_columns and _is_1d(X):
            # one column of strings (a text vectorizer's documents): a list,
            # a 1-D array or Series, as scikit-learn takes them
            values = X.tolist() if hasattr(X, "tolist") else list(X)
            return {self._feature_names[0]: values}, len(values)
        else:
            raise TypeError(
                "this model reads string columns (" + ", ".join(sorted(self._string_columns)) +
                "): pass a pandas DataFrame or a dict of columns, not a matrix")
        missing = [name for name in self._feature_names if name not in present]
        if missing:
            raise ValueError(f"X lacks the model's input columns {missing}")
        columns = {}
        for c, name in enumerate(self._feature_names):
            if c in self._unread:  # no step reads it: whatever it holds
                columns[name] = [None] * n if name in self._string_columns else np.full(n, np.nan)
            elif name in self._string_columns:
                columns[name] = _string_cells(get(name))
            else:
                columns[name] = _float_column(get(name), np.float64, name)
        return columns, n

    # -- helpers -----------------------------------------------------------
    @staticmethod
    def _threads(n_threads, n_jobs=None):
        if n_threads is not None and n_jobs is not None:
            raise TypeError("give n_threads or n_jobs, not both (n_jobs is its scikit-learn spelling)")
        if n_jobs is not None:
            if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
                raise TypeError(f"n_jobs must be an int, not {type(n_jobs).__name__}")
            if n_jobs == 0:
                raise ValueError("n_jobs == 0 has no meaning (joblib's convention): use 1, or -1 for every core")
            if n_jobs < 0:  # joblib: -1 every core, -2 all but one ...
                cores = os.cpu_count() or 1
                n_jobs = 0 if n_jobs == -1 else max(1, cores + 1 + int(n_jobs))
            n_threads = n_jobs
        if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)):
            raise TypeError(f"n_threads must be an int, not {type(n_threads).__name__}")
        if not 0 <= n_threads <= 4096:
            raise ValueError(f"n_threads must be in [0, 4096] (0 = all cores), not {n_threads}")
        return int(n_threads)

    @staticmethod
    def _squeeze(values):
        return values[:, 0] if values.shape[1] == 1 else values

    def _matrix(self, X):
        if type(X).__module__.startswith("scipy.sparse"):
            if self._source_library == "xgboost":
                # XGBoost reads a sparse matrix's implicit zeros as missing
                raise TypeError("sparse input is not supported; pass a dense array holding NaN where X has no "
                                "entry, as XGBoost reads it (X.toarray() would give 0 there)")
            raise TypeError("sparse input is not supported; pass X.toarray()")
        if hasattr(X, "columns") and hasattr(X, "iloc"):  # a pandas DataFrame
            X = self._reorder_columns(X)
        elif isinstance(X, dict):  # columns by name, as a DataFrame's
            X = self._dict_matrix(X)
        if not isinstance(X, np.ndarray):
            # As sklearn's check_array: lists convert straight to the model's
            # input dtype (Python ints round once, to float32 for trees).
            try:
                X = np.asarray(X, dtype=self._input_dtype)
            except (TypeError, ValueError) as e:
                X = self._without_unread(X, e)
        if X.dtype != np.float32 and X.dtype != np.float64:
            try:
                X = X.astype(self._input_dtype)
            except (TypeError, ValueError) as e:
                X = self._without_unread(X, e)
        if X.ndim != 2:
            raise ValueError(
                f"Expected a 2-D array, got {X.ndim}-D; reshape a single row with "
                "X.reshape(1, -1)")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but this model expects {self.n_features_in_}")
        # Aligned as well as contiguous: arrays rebuilt from pickles or
        # buffers (Dask, multiprocessing) may start at any byte.
        return np.require(X, requirements=("C", "A"))

    def _without_unread(self, X, error):
        """X (a matrix that did not convert to numbers) with NaN in the
        columns no step reads, converted; or the conversion's error."""
        if self._unread:
            try:
                X = np.array(X, dtype=object)
            except (TypeError, ValueError):
                X = None
            if X is not None and X.ndim == 2 and X.shape[1] == self.n_features_in_:
                X[:, sorted(self._unread)] = np.nan
                try:
                    return X.astype(self._input_dtype)
                except (TypeError, ValueError) as e:
                    error = e
        raise ValueError(f"X must be numeric: {error}") from None

    def _dict_matrix(self, columns):
        """A dict of column name -> values (sequences, arrays, or one value
        each for one row) as the model's matrix, in its feature order."""
        names = list(self._feature_names)
        if not names:
            raise TypeError("a dict of columns needs a model that knows its feature names (saved from a "
                            "DataFrame, or with feature_names=); pass a matrix")
        missing = [n for n in names if n not in columns]
        if missing:
            raise ValueError(f"X lacks the model's feature columns {missing}")
        cols = [None if c in self._unread else _float_column(columns[n], self._input_dtype, n, dict_value=True)
                for c, n in enumerate(names)]
        read = [col for col in cols if col is not None]
        if all(col.ndim == 0 for col in read):
            cols = [np.nan if col is None else col for col in cols]
            return np.array([cols], dtype=self._input_dtype)  # one row
        if any(col.ndim != 1 for col in read) or len({len(col) for col in read}) != 1:
            raise ValueError("the columns of a dict must be 1-D and of one length: "
                             + ", ".join(f"{n} {col.shape}" for n, col in zip(names, cols) if col is not None))
        n_rows = len(read[0])
        cols = [np.full(n_rows, np.nan) if col is None else col for col in cols]
        return np.ascontiguousarray(np.column_stack(cols))

    def _reorder_columns(self, frame):
        names = list(self._feature_names)
        if names:
            _check_unique_columns(frame.columns, names)
            present = set(frame.columns)
            missing = [n for n in names if n not in present]
            if missing and self._spaces_as_underscores:
                frame = _lightgbm_named(frame, missing)
                present = set(frame.columns)
                missing = [n for n in names if n not in present]
            if missing:
                raise ValueError(f"X lacks the model's feature columns {missing}")
            frame = frame[names]
        dtypes = list(frame.dtypes)
        if not self._unread and all(isinstance(t, np.dtype) for t in dtypes):
            return frame.to_numpy()  # numpy columns: one conversion, as before
        # Column by column: NaN for the columns no step reads (never
        # converted); pandas categorical columns give their codes (missing:
        # NaN) to a model whose library reads the codes (XGBoost, LightGBM
        # without stored categories), else their values as scikit-learn reads
        # them (a Pipeline's encoders, HistGradientBoosting's
        # categorical_features="from_dtype" and a LightGBM model's stored
        # categories map the values in the file's program); nullable and
        # pyarrow columns give NaN for pandas.NA / null, as scikit-learn.
        out = np.empty((len(frame), len(dtypes)), dtype=np.float64)
        for c, t in enumerate(dtypes):
            if c in self._unread:
                out[:, c] = np.nan
                continue
            column = frame.iloc[:, c]
            name = frame.columns[c]
            if isinstance(t, np.dtype):
                values = column.to_numpy()
            elif str(t) == "category":
                if self._categorical_codes:
                    codes = column.cat.codes.to_numpy()
                    values = np.where(codes >= 0, codes, np.nan)
                else:
                    values = np.asarray(column)
            else:
                values = _float_column(column, np.float64, name)
            try:
                out[:, c] = values
            except (TypeError, ValueError) as e:
                raise ValueError(f"X must be numeric: column {name!r}: {e}") from None
        return out

    # -- pickling: by reference (see _reference.py) -------------------------------
    _pickled_as = None  # (opener, args); set by load() and other loaders

    def _set_reference(self, opener, args):
        """What this model pickles as: ``opener(*args)`` must return it (or the
        same model) in another process.  Loaders other than ``load`` (a model
        store) set their own."""
        self._pickled_as = (opener, tuple(args))

    def __reduce__(self):
        # A few hundred bytes: path, size, content hash and load options, never
        # the parameters.  Unpickling maps the file again (once per process)
        # and refuses a file whose content hash differs.
        if self._pickled_as is not None:
            return self._pickled_as
        return _reference.file_reference(self.path, self._info)

    def __copy__(self):
        return self  # immutable

    def __deepcopy__(self, memo):
        return self

    def __dask_tokenize__(self):
        opener, args = self.__reduce__()
        return ("mlmap.Model", opener.__module__, opener.__qualname__, args)

    def __repr__(self):
        i = self._info
        return (f"<mlmap.Model {i['estimator']} {i['task']} n_features={i['n_features']} "
                f"n_outputs={i['n_outputs']} path={self.path!r}>")


def _unread_columns(info):
    """The input columns no step of the file's program reads (a
    ColumnTransformer's dropped ones): the reader passes NaN there instead of
    converting what X holds, as scikit-learn never looks at them."""
    return frozenset(info.get("preprocessing", {}).get("unread_columns", ()))


def _lightgbm_named(frame, missing):
    """``frame`` with the columns whose names LightGBM stored with '_' for
    spaces renamed so, where that gives a missing name and no other column
    has it."""
    wanted = set(missing)
    renamed = {c: str(c).replace(" ", "_") for c in frame.columns if isinstance(c, str) and " " in c}
    hits = [new for new in renamed.values() if new in wanted]
    if len(set(hits)) != len(hits):
        return frame  # ambiguous: two columns would take one name
    return frame.rename(columns={c: new for c, new in renamed.items() if new in wanted})


def _check_unique_columns(columns, names):
    """A DataFrame with two columns of a name the model reads: an error
    naming it (not the width it would give)."""
    if not columns.is_unique:
        wanted = set(names)
        twice = sorted({str(n) for n in columns[columns.duplicated()] if n in wanted})
        if twice:
            raise ValueError(f"X has more than one column named {', '.join(map(repr, twice))}")


def _is_scalar(v):
    """One value (a dict's one-row entry), not a column of values."""
    ndim = getattr(v, "ndim", None)
    if ndim is not None:
        return ndim == 0
    return isinstance(v, (str, bytes)) or not hasattr(v, "__len__")


def _dict_rows(columns, names):
    """The row count of a dict of columns (those named ``names`` present), or
    None when each holds one value (one row)."""
    values = [columns[n] for n in names if n in columns]
    scalar = [_is_scalar(v) for v in values]
    if all(scalar):
        return None
    if any(scalar):
        raise ValueError("a dict of columns holds sequences of one length, or one value each (one row), "
                         "not both: " + ", ".join(f"{n!r} {'one value' if _is_scalar(columns[n]) else 'a sequence'}"
                                                  for n in names if n in columns))
    return len(values[0])


def _float_column(values, dtype, name, dict_value=False):
    """One numeric column as a float array.  pandas' nullable (Float64,
    Int64, boolean) and pyarrow columns give NaN for pandas.NA / null, as
    scikit-learn reads them; anything else converts as numpy does."""
    kind = getattr(values, "dtype", None)
    if kind is not None and not isinstance(kind, np.dtype) and hasattr(values, "to_numpy") and str(kind) != "category":
        try:
            return values.to_numpy(dtype=dtype, na_value=np.nan)
        except (TypeError, ValueError) as e:
            raise ValueError(f"column {name!r} must be numeric: {e}") from None
    try:
        if dict_value:
            return np.asarray(values, dtype=dtype)
        return np.require(values, dtype=dtype, requirements=("C", "A"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"column {name!r} must be numeric: {e}") from None


def _not_a_string(v):
    """What a string column passes for a value that is neither a string nor
    None, NaN or pandas.NA (an int, a bool, a float): a text no encoder
    learnt, so the value is an unknown category, as scikit-learn compares
    values with their types (3 is not the category '3') -- 'error' raises
    UnknownCategoryError naming it, 'ignore' and infrequent categories treat it
    as scikit-learn does, and imputers pass it on."""
    text = repr(v)
    return f"<{type(v).__name__} {text if len(text) <= 40 else text[:37] + '...'}: not a string>"


def _string_cells(values):
    """A string column as the list the library reads: strings (numpy's
    too), None, NaN and pandas.NA as they are (the library tells them
    apart); a NaN of another float type as NaN; any other value as an
    unknown category (_not_a_string)."""
    cells = values.tolist() if hasattr(values, "tolist") else list(values)
    for i in [i for i, v in enumerate(cells) if type(v) is not str]:
        v = cells[i]
        if v is None or isinstance(v, str) or type(v).__name__ == "NAType":
            continue
        if isinstance(v, float) or isinstance(v, np.floating):
            if v != v:
                cells[i] = float("nan")
                continue
        cells[i] = _not_a_string(v)
    return cells


class Closed:
    """What a closed Model (or Watch) holds instead of its file (or thread):
    every use raises ValueError naming what was closed."""

    __slots__ = ("what",)

    def __init__(self, what):
        self.what = what

    def __getattr__(self, name):
        raise ValueError(f"{self.what} is closed")


def load(path, *, verify=False, copy=False):
    """Open a model file.  Mapped read-only (instant, shared between
    processes); ``verify=True`` adds the full O(size) validation;
    ``copy=True`` reads the file into private memory instead of mapping it
    (for files that may be modified while in use)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, "No such model file", path)
    model = Model(_core.Model.open(path, verify=verify, copy=copy), path)
    _reference.opened(model, copy=copy, verify=verify)  # pickling by reference
    return model


def verify(path):
    """Fully validate a model file; returns True or raises FormatError."""
    load(path, verify=True)
    return True
