"""Export of scikit-learn Pipelines: the preprocessing steps become one mlmap
preprocessing program (schema/mlmap.fbs, ``Preprocessing``) in front of the
final model's predictor, all in one file.

The program works on slots: numeric slot i < n_inputs holds input column i,
string slot i < n_inputs holds string input column i, and every op appends
its outputs after the slots written before it.  Here each column of the
matrix flowing through the pipeline is a ``Col`` (its kind and slot); a step
maps the list of columns it reads to the list it writes, in sklearn's output
order, emitting ops as it goes.  Nested Pipelines, ColumnTransformers and
FeatureUnions flatten into the same program.

Supported steps (exact classes; a subclass may override transform):
StandardScaler, MinMaxScaler (clip), MaxAbsScaler, RobustScaler, Normalizer,
SimpleImputer (every strategy, numeric and string columns, add_indicator,
keep_empty_features), MissingIndicator, OneHotEncoder, OrdinalEncoder,
PolynomialFeatures (degree <= 3), the text vectorizers of _sklearn_text.py, the
transformers of _sklearn_transformers.py
(Binarizer, the feature selectors, PCA, TruncatedSVD, KMeans), SplineTransformer
(_sklearn_spline.py), ColumnTransformer, FeatureUnion, Pipeline,
'passthrough' / None steps, FunctionTransformer without a function (the
identity).  The final step is any model mlmap saves on its own, XGBoost and
LightGBM models included (their importers write the file, with the program
in front).

Which input columns are strings: a DataFrame's dtypes are not stored in a
fitted pipeline, so the steps tell: an encoder whose categories are strings,
or an imputer whose fill value is a string, reads its column as strings.
Such a model predicts from a DataFrame (or a dict of columns).  A column no
step reads is numeric, unless the model reads strings anyway (then it takes
any values: it is ignored).

Anything else -- FunctionTransformer with a function, custom classes, other
sklearn transformers -- raises UnsupportedModelError naming the step's class
and where it sits, e.g. ``step 0 ('pre', ColumnTransformer) -> transformer
'num' (Pipeline) -> step 1 ('fn', FunctionTransformer)`` (steps count from
0, as in ``pipeline.steps``), and nothing is written.
"""

import numbers

import numpy as np

from ._errors import UnsupportedModelError
from ._sklearn import public_name

ARROW = " \u2192 "
MAX_POLYNOMIAL_DEGREE = 3


# --- columns and the program ------------------------------------------------------

class Col:
    """One column of the matrix between two steps."""

    __slots__ = ("kind", "slot", "input")

    def __init__(self, kind, slot, input=None):
        self.kind = kind    # "num" or "str"; None for an input column (see Program.kinds)
        self.slot = slot    # numeric or string slot, by kind (input columns: both are the index)
        self.input = input  # the input column index, or None for a computed column


class Program:
    """The preprocessing program under construction."""

    def __init__(self, n_inputs, feature_names):
        self.n_inputs = int(n_inputs)
        self.feature_names = feature_names
        self.kinds = [None] * self.n_inputs    # per input column: "num", "str", None (unread)
        self.readers = [None] * self.n_inputs  # the first step that fixed the kind
        self.ops = []
        self.n_slots = self.n_inputs
        self.n_string_slots = self.n_inputs
        self.features = None
        self.read_as_numbers = set()  # input columns some op reads as numbers

    def inputs(self):
        return [Col(None, c, c) for c in range(self.n_inputs)]

    def column_name(self, c):
        if self.feature_names is not None:
            return repr(self.feature_names[c])
        return str(c)

    def kind_of(self, col):
        return self.kinds[col.input] if col.input is not None else col.kind

    def fix(self, col, kind, where):
        """Declares that the step at ``where`` reads ``col`` as ``kind``."""
        if col.input is None:
            if col.kind != kind:
                read = "strings" if col.kind == "str" else "numbers"
                raise UnsupportedModelError(
                    f"{path_text(where)} reads a column of {read} as "
                    f"{'strings' if kind == 'str' else 'numbers'}; mlmap cannot save this")
            return
        c = col.input
        if self.kinds[c] is None:
            self.kinds[c] = kind
            self.readers[c] = where
        elif self.kinds[c] != kind:
            def how(k):
                return "strings" if k == "str" else "numbers"
            raise UnsupportedModelError(
                f"input column {self.column_name(c)} is read as {how(self.kinds[c])} by "
                f"{path_text(self.readers[c])} and as {how(kind)} by {path_text(where)}; "
                "mlmap gives each input column one kind")

    def numeric(self, cols, where, input_check=True):
        """The slots of numeric ``cols``; with ``input_check`` their input
        columns count as read by a scikit-learn input check (which refuses
        +-inf: read_as_numbers); a nested model (SubModel) decides that by
        itself (the meta-estimator's bases, _with_infinity)."""
        for col in cols:
            self.fix(col, "num", where)
            if col.input is not None and input_check:
                self.read_as_numbers.add(col.input)
        return [col.slot for col in cols]

    def strings(self, cols, where):
        for col in cols:
            self.fix(col, "str", where)
        return [col.slot for col in cols]

    def emit(self, kind, inputs, n_out, *, strings_out=False, **fields):
        """Appends one op reading ``inputs`` (slots); returns its output columns."""
        begin = self.n_string_slots if strings_out else self.n_slots
        op = {"kind": kind, "inputs": [int(i) for i in inputs], "out_begin": int(begin),
              "n_out": int(n_out)}
        op.update(fields)
        self.ops.append(op)
        if strings_out:
            self.n_string_slots += n_out
            return [Col("str", begin + i) for i in range(n_out)]
        self.n_slots += n_out
        return [Col("num", begin + i) for i in range(n_out)]

    def finish(self, cols, where):
        """The final model reads ``cols``: they must all be numbers."""
        for col in cols:
            if self.kind_of(col) == "str":
                what = (f"input column {self.column_name(col.input)}" if col.input is not None
                        else "a column of strings")
                raise UnsupportedModelError(
                    f"{what} reaches the model at {path_text(where)} without being encoded; "
                    "mlmap cannot save this")
            self.fix(col, "num", where)
        self.features = [col.slot for col in cols]
        unread = "str" if "str" in self.kinds else "num"
        self.kinds = [k if k is not None else unread for k in self.kinds]

    def has_strings(self):
        return "str" in self.kinds

    def unread_inputs(self):
        """The input columns that neither an op nor the model reads (a
        ColumnTransformer's dropped ones), by the library's own rule: those
        whose slot no op's inputs and no feature name."""
        read = set(self.features or ())
        for op in self.ops:
            read.update(op["inputs"])
        return [c for c in range(self.n_inputs) if c not in read]

    def trivial(self):
        """No op, no string, features = the inputs in order: no program needed."""
        return (not self.ops and not self.has_strings()
                and self.features == list(range(self.n_inputs)))

    def spec(self):
        """The dict _core.save_trees / save_dense take as ``preprocessing``."""
        return {
            "string_inputs": [k == "str" for k in self.kinds] if self.has_strings() else [],
            "n_slots": self.n_slots,
            "n_string_slots": self.n_string_slots,
            "ops": self.ops,
            "features": self.features,
        }


# --- positions and refusals ------------------------------------------------------------

def class_name(est):
    if isinstance(est, str) or est is None:
        return repr(est)
    return type(est).__name__


def path_text(where):
    return ARROW.join(where) if where else "the top level"


def refuse(est, where, why):
    import sklearn
    raise UnsupportedModelError(f"{public_name(est)} at {path_text(where)} is not supported "
                                f"(scikit-learn {sklearn.__version__}): {why}")


def refuse_step(est, where):
    """An estimator that is not a supported transformer, at ``where``."""
    from sklearn.preprocessing import FunctionTransformer
    cls = type(est)
    if cls is FunctionTransformer:
        func = getattr(est.func, "__qualname__", None) or repr(est.func)
        refuse(est, where, f"it calls Python code (func={func}); a model file holds data, never code")
    module = cls.__module__.split(".")[0]
    if module != "sklearn":
        refuse(est, where, f"{cls.__qualname__} is a custom class (module {cls.__module__}); mlmap "
                           "saves only the scikit-learn transformers it knows, never code")
    supported = ", ".join(sorted(c.__name__ for c in transformers()))
    refuse(est, where, f"mlmap does not support this step; supported transformers: {supported}")


def _check_width(est, cols, where):
    n = getattr(est, "n_features_in_", None)
    if n is not None and n != len(cols):
        refuse(est, where, f"it was fitted on {n} columns but receives {len(cols)}")


def _is_nan(x):
    try:
        return x != x  # NaN (float or numpy), never True for other objects
    except Exception:  # noqa: BLE001  (exotic objects)
        return False


def _is_number(x):
    return isinstance(x, (numbers.Real, np.number)) and not isinstance(x, (bool, np.bool_))


# --- steps -----------------------------------------------------------------------------

def transform(prog, est, cols, where):
    """The columns ``est`` (a fitted transformer at ``where``) writes from ``cols``."""
    if est is None or (isinstance(est, str) and est == "passthrough"):
        return cols
    handler = transformers().get(type(est))
    if handler is None:
        refuse_step(est, where)
    # these check their parts; a HashingVectorizer is stateless (sklearn < 1.3
    # calls it unfitted)
    if handler not in (_function, _pipeline, _feature_union) and type(est).__name__ != "HashingVectorizer":
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(est)
    _check_width(est, cols, where)
    return handler(prog, est, cols, where)


def _function(prog, est, cols, where):
    if est.func is not None:
        refuse_step(est, where)
    return cols  # FunctionTransformer() without a function: the identity


def _standardize(prog, cols, where, center, scale):
    """(x - center) / scale, either part optional (None)."""
    inputs = prog.numeric(cols, where)
    if center is None and scale is None:
        return cols
    return prog.emit("standardize", inputs, len(inputs),
                     a=[] if center is None else [float(v) for v in center],
                     b=[] if scale is None else [float(v) for v in scale])


def _standard_scaler(prog, est, cols, where):
    return _standardize(prog, cols, where, est.mean_ if est.with_mean else None,
                        est.scale_ if est.with_std else None)


def _robust_scaler(prog, est, cols, where):
    return _standardize(prog, cols, where, est.center_ if est.with_centering else None,
                        est.scale_ if est.with_scaling else None)


def _min_max_scaler(prog, est, cols, where):
    inputs = prog.numeric(cols, where)
    low, high = est.feature_range
    return prog.emit("min_max", inputs, len(inputs), a=[float(v) for v in est.scale_],
                     b=[float(v) for v in est.min_], clip=bool(est.clip),
                     clip_low=float(low), clip_high=float(high))


def _max_abs_scaler(prog, est, cols, where):
    inputs = prog.numeric(cols, where)
    return prog.emit("max_abs", inputs, len(inputs), a=[float(v) for v in est.scale_])


def _normalizer(prog, est, cols, where):
    if est.norm not in ("l1", "l2", "max"):
        refuse(est, where, f"norm={est.norm!r}")
    inputs = prog.numeric(cols, where)
    return prog.emit("normalize", inputs, len(inputs), norm=est.norm)


def _polynomial(prog, est, cols, where):
    powers = np.asarray(est.powers_, dtype=np.int64)
    if powers.ndim != 2 or powers.shape[1] != len(cols):
        refuse(est, where, f"powers_ of shape {powers.shape} for {len(cols)} columns")
    degree = int(powers.sum(axis=1).max()) if powers.size else 0
    if degree > MAX_POLYNOMIAL_DEGREE:
        refuse(est, where, f"degree {degree}: mlmap saves polynomial features up to degree "
                           f"{MAX_POLYNOMIAL_DEGREE}")
    inputs = prog.numeric(cols, where)
    return prog.emit("polynomial", inputs, powers.shape[0],
                     powers=[int(p) for p in powers.ravel()])


def _scale_columns(prog, cols, weight, where):
    """sklearn's transformer_weights: every output column times ``weight``
    (min_max with a = weight, b = 0: x * w + 0 is x * w exactly)."""
    inputs = prog.numeric(cols, where)
    n = len(inputs)
    return prog.emit("min_max", inputs, n, a=[float(weight)] * n, b=[0.0] * n)


# -- missing values

def _missing_marker(est, where):
    """(is_nan, value) of an imputer's / indicator's missing_values."""
    mv = est.missing_values
    if mv is None or _is_nan(mv):
        return True, None
    if _is_number(mv):
        return False, float(mv)
    return False, mv  # a string marker: only for string columns, refused there


def _indicator_columns(prog, est, cols, features, where):
    """MissingIndicator outputs: 1.0 where the column is missing, for the
    columns ``features`` of ``cols``, in that order."""
    is_nan, value = _missing_marker(est, where)
    out = [None] * len(features)
    numeric = [(k, cols[f]) for k, f in enumerate(features) if prog.kind_of(cols[f]) != "str"]
    strings = [(k, cols[f]) for k, f in enumerate(features) if prog.kind_of(cols[f]) == "str"]
    if numeric:
        if not is_nan and not isinstance(value, float):
            refuse(est, where, f"missing_values={est.missing_values!r} on numeric columns")
        inputs = prog.numeric([c for _, c in numeric], where)
        fields = {} if is_nan else {"missing_value": value}
        res = prog.emit("missing_indicator", inputs, len(inputs), **fields)
        for (k, _), c in zip(numeric, res):
            out[k] = c
    if strings:
        if not is_nan:
            refuse(est, where, f"missing_values={est.missing_values!r} on string columns: mlmap "
                               "knows only None / NaN as a missing string")
        # A one-hot encoder with no category but the missing one: 1 iff
        # missing.  In an object column scikit-learn's missing_values=nan
        # does not match None, and missing_values=None does not match NaN.
        inputs = prog.strings([c for _, c in strings], where)
        n = len(inputs)
        none = est.missing_values is None
        res = prog.emit("one_hot", inputs, n, string_inputs=True, category_counts=[1] * n,
                        string_categories=[""] * n, missing_category=[-1 if none else 0] * n,
                        none_category=[0 if none else -1] * n, unknown="ignore")
        for (k, _), c in zip(strings, res):
            out[k] = c
    return out


def _missing_indicator(prog, est, cols, where):
    return _indicator_columns(prog, est, cols, [int(f) for f in est.features_], where)


def _simple_imputer(prog, est, cols, where):
    stats = est.statistics_
    object_fit = np.dtype(est._fit_dtype).kind in "OUS"
    # scikit-learn < 1.8 keeps every column with strategy="constant"; from 1.8 it
    # drops the empty ones (statistics_ NaN) there too, unless keep_empty_features
    from ._sklearn import sklearn_version
    keep_all = est.keep_empty_features or (est.strategy == "constant" and sklearn_version() < (1, 8))
    is_nan, value = _missing_marker(est, where)
    kept = []  # (column, statistic)
    for j, col in enumerate(cols):
        s = stats[j]
        if not keep_all and s is not None and _is_nan(s):
            continue  # sklearn drops columns without any observed value (statistic NaN; None is a value)
        kept.append((col, s))
    out = [None] * len(kept)
    numeric, strings = [], []
    for k, (col, s) in enumerate(kept):
        if s is None and object_fit:
            # most_frequent chose None (scikit-learn >= 1.3 counts None as a
            # value): it fills NaN with None, which mlmap's string imputer
            # (a string fill) cannot express
            refuse(est, where, f"strategy={est.strategy!r} chose None as the fill value of input {k}; "
                               "mlmap fills strings with a string (use strategy='constant')")
        if isinstance(s, (str, np.str_)) and object_fit:
            strings.append((k, col, str(s)))
        elif _is_number(s) or (not object_fit and not isinstance(s, str)):
            numeric.append((k, col, float(s)))
        else:
            refuse(est, where, f"fill value {s!r} of type {type(s).__name__}")
    if numeric:
        if not is_nan and not isinstance(value, float):
            refuse(est, where, f"missing_values={est.missing_values!r} on numeric columns")
        inputs = prog.numeric([c for _, c, _ in numeric], where)
        fields = {} if is_nan else {"missing_value": value}
        res = prog.emit("impute", inputs, len(inputs), a=[s for _, _, s in numeric], **fields)
        for (k, _, _), c in zip(numeric, res):
            out[k] = c
    if strings:
        if not is_nan:
            refuse(est, where, f"missing_values={est.missing_values!r} on string columns: mlmap "
                               "knows only None / NaN as a missing string")
        inputs = prog.strings([c for _, c, _ in strings], where)
        # scikit-learn: missing_values=nan leaves None in an object column as
        # it is (an encoder after it sees None); missing_values=None fills
        # None and raises on NaN
        res = prog.emit("impute_string", inputs, len(inputs), strings_out=True,
                        fill_strings=[s for _, _, s in strings],
                        string_missing="none_only" if est.missing_values is None else "nan_only")
        for (k, _, _), c in zip(strings, res):
            out[k] = c
    if est.add_indicator:
        out = out + _indicator_columns(prog, est.indicator_, cols,
                                       [int(f) for f in est.indicator_.features_], where)
    return out


# -- encoders

class _Categories:
    """One input's categories as mlmap stores them: the non-missing ones
    sorted (numbers by value, strings by UTF-8 bytes = code points), then
    None's if any (string inputs), then the missing one (NaN) if any;
    ``order[k]`` is sklearn's position of stored k.

    scikit-learn's encoders (every version, ``_encode._extract_missing``)
    keep None and NaN apart in an object column: None is an ordinary
    category, NaN the missing one (``encoded_missing_value``); pandas.NA is
    never a category.  The file says so (``none_category``), and the
    Python table passes None, NaN and pandas.NA apart."""

    def __init__(self, kind, values, order, missing, none=False):
        self.kind = kind        # "num" or "str"
        self.values = values    # stored (sorted) non-missing values, then placeholders
        self.order = order      # sklearn position of each stored category
        self.missing = missing  # whether the last stored category is the missing one
        self.none = none        # whether None has a category (before the missing one)

    def fields(self):
        """missing_category and none_category of this input, for an op."""
        n = len(self.values)
        missing = n - 1 if self.missing else -1
        none = n - 1 - (1 if self.missing else 0) if self.none else -1
        return missing, none


def _categories(est, cats, j, where):
    cats = np.asarray(cats)
    kind = None
    present, missing_pos, none_pos = [], None, None
    if cats.dtype.kind in "iufb":
        kind = "num"
        for pos, v in enumerate(cats):
            if _is_nan(v):
                if missing_pos is not None:
                    refuse(est, where, f"input {j} has two missing categories")
                missing_pos = pos
            else:
                present.append((float(v), pos))
    elif cats.dtype.kind in "OU":
        kinds = set()
        for pos, v in enumerate(cats):
            if v is None:
                none_pos = pos
            elif not isinstance(v, str) and _is_nan(v):
                if missing_pos is not None:
                    refuse(est, where, f"input {j} has two NaN categories")
                missing_pos = pos
            elif isinstance(v, (str, np.str_)):
                kinds.add("str")
                present.append((str(v), pos))
            elif _is_number(v) or isinstance(v, (bool, np.bool_)):
                kinds.add("num")  # bools: an imputer's indicator columns in an object matrix
                present.append((float(v), pos))
            else:
                refuse(est, where, f"input {j} has a category {v!r} of type {type(v).__name__}")
        if len(kinds) > 1:
            refuse(est, where, f"input {j} mixes string and numeric categories")
        kind = kinds.pop() if kinds else ("str" if cats.dtype.kind in "OU" else "num")
        if none_pos is not None and kind == "num":
            # numbers reach mlmap as float64: None is NaN there
            if missing_pos is not None:
                refuse(est, where, f"input {j} has numeric categories with both None and NaN; "
                                   "mlmap reads numbers as float64, where they are one value")
            missing_pos, none_pos = none_pos, None
    else:
        refuse(est, where, f"input {j} has categories of dtype {cats.dtype}")
    if kind == "str":
        present.sort(key=lambda vp: vp[0].encode("utf-8"))
    else:
        present.sort(key=lambda vp: vp[0])
    for a, b in zip(present, present[1:]):
        if a[0] == b[0]:
            refuse(est, where, f"input {j} lists the category {a[0]!r} twice")
    values = [v for v, _ in present]
    order = [p for _, p in present]
    for pos in (none_pos, missing_pos):
        if pos is not None:
            values.append("" if kind == "str" else 0.0)  # placeholder: never looked up
            order.append(pos)
    if not values:
        refuse(est, where, f"input {j} has no category")
    return _Categories(kind, values, order, missing_pos is not None, none_pos is not None)


def _encode(prog, est, cols, where, one_hot):
    cats = [_categories(est, c, j, where) for j, c in enumerate(est.categories_)]
    if len(cats) != len(cols):
        refuse(est, where, f"{len(cats)} category lists for {len(cols)} columns")
    if one_hot:
        if getattr(est, "_infrequent_enabled", False) or est.handle_unknown == "infrequent_if_exist":
            return _one_hot_grouped(prog, est, cols, cats, where)
        if est.handle_unknown not in ("error", "ignore"):
            refuse(est, where, f"handle_unknown={est.handle_unknown!r}")
        unknown = est.handle_unknown
        drop_idx = est.drop_idx_
        drops = [-1 if drop_idx is None or drop_idx[j] is None else int(drop_idx[j])
                 for j in range(len(cats))]
    else:
        if est.handle_unknown == "error":
            unknown = "error"
        elif est.handle_unknown == "use_encoded_value":
            unknown = "use_value"
        else:
            refuse(est, where, f"handle_unknown={est.handle_unknown!r}")
    widths = []
    for j, c in enumerate(cats):
        if one_hot:
            widths.append(len(c.values) - (1 if drops[j] >= 0 else 0))
        else:
            widths.append(1)
    out = [None] * len(cols)
    for kind in ("num", "str"):
        group = [j for j in range(len(cols)) if cats[j].kind == kind]
        if not group:
            continue
        gcols = [cols[j] for j in group]
        inputs = prog.strings(gcols, where) if kind == "str" else prog.numeric(gcols, where)
        values = [v for j in group for v in cats[j].values]
        order = [p for j in group for p in cats[j].order]
        fields = {
            "string_inputs": kind == "str",
            "category_counts": [len(cats[j].values) for j in group],
            ("string_categories" if kind == "str" else "numeric_categories"): values,
            "missing_category": [cats[j].fields()[0] for j in group],
            "unknown": unknown,
        }
        if kind == "str":
            fields["none_category"] = [cats[j].fields()[1] for j in group]
        if order != [k for j in group for k in range(len(cats[j].values))]:
            fields["category_order"] = order
        if one_hot:
            if any(drops[j] >= 0 for j in group):
                fields["drop"] = [drops[j] for j in group]
            res = prog.emit("one_hot", inputs, sum(widths[j] for j in group), **fields)
        else:
            if unknown == "use_value":
                fields["unknown_value"] = float(est.unknown_value)
            fields["missing_encoded"] = float(est.encoded_missing_value)
            res = prog.emit("ordinal", inputs, len(group), **fields)
        at = 0
        for j in group:
            out[j] = res[at:at + widths[j]]
            at += widths[j]
    return [c for per_input in out for c in per_input]


def _one_hot_grouped(prog, est, cols, cats, where):
    """OneHotEncoder with infrequent categories (min_frequency /
    max_categories, scikit-learn >= 1.1) or handle_unknown='infrequent_if_exist'.

    sklearn (_encoders.py) groups feature j's categories before one-hot
    encoding: ``_default_to_infrequent_mappings[j]`` maps each index of
    ``categories_[j]`` to its grouped column -- the frequent ones in order,
    then one 'infrequent_sklearn' column shared by every infrequent category
    (None: no grouping) -- and drops the grouped column
    ``_drop_idx_after_grouping[j]`` (``drop_idx_`` before 1.3).  Unknown
    values raise (handle_unknown='error'), give no column ('ignore'), or the
    infrequent column where the feature has one ('infrequent_if_exist').

    mlmap, per feature: an ordinal op codes each category so that frequent
    ones get their grouped column and infrequent ones distinct codes from the
    infrequent column up (a permutation, as the op requires); a min_max op
    clips codes to [-1, infrequent column], merging the infrequent ones;
    unknown values get -1 (or the infrequent column); a numeric one-hot op
    over the grouped columns (drop applied, -1 unknown: no column) writes the
    outputs.  The mapping is checked against sklearn's own transform of every
    category before anything is written."""
    mappings = getattr(est, "_default_to_infrequent_mappings", None)
    if mappings is None:
        mappings = [None] * len(cats)
    drops = getattr(est, "_drop_idx_after_grouping", None)
    if drops is None and not hasattr(est, "_drop_idx_after_grouping"):
        drops = est.drop_idx_  # before 1.3: indices of the grouped columns (_remove_dropped_categories)
    unknown_mode = est.handle_unknown
    if unknown_mode not in ("error", "ignore", "infrequent_if_exist"):
        refuse(est, where, f"handle_unknown={unknown_mode!r}")
    out = []
    expected = []  # per feature: grouped output column (after drop) of each sklearn category, or -1
    for j, (col, c) in enumerate(zip(cols, cats)):
        n = len(est.categories_[j])
        m = (np.arange(n) if mappings[j] is None else np.asarray(mappings[j], dtype=np.int64))
        if m.shape != (n,) or (n and (m.min() < 0)):
            refuse(est, where, f"_default_to_infrequent_mappings[{j}] of shape {m.shape} for {n} categories")
        groups = int(m.max()) + 1 if n else 0
        # sklearn keeps a mapping only for features that have infrequent categories
        infrequent_col = groups - 1 if mappings[j] is not None else None
        # codes per sklearn position: frequent = grouped column; infrequent =
        # infrequent column, +1, +2 ... (clipped back to it below)
        code = np.empty(n, dtype=np.int64)
        next_code = groups - 1
        for p in range(n):
            if infrequent_col is not None and m[p] == infrequent_col:
                code[p] = next_code
                next_code += 1
            else:
                code[p] = m[p]
        if sorted(code.tolist()) != list(range(n)):
            refuse(est, where, f"_default_to_infrequent_mappings[{j}] does not group the categories "
                               "as frequent columns then one infrequent column")
        drop = -1 if drops is None or drops[j] is None else int(drops[j])
        if unknown_mode == "error":
            unknown, unknown_value = "error", None
        elif unknown_mode == "infrequent_if_exist" and infrequent_col is not None:
            unknown, unknown_value = "use_value", float(infrequent_col)
        else:
            unknown, unknown_value = "use_value", -1.0
        kind = c.kind
        inputs = prog.strings([col], where) if kind == "str" else prog.numeric([col], where)
        fields = {
            "string_inputs": kind == "str",
            "category_counts": [len(c.values)],
            ("string_categories" if kind == "str" else "numeric_categories"): c.values,
            "missing_category": [c.fields()[0]],
            **({"none_category": [c.fields()[1]]} if kind == "str" else {}),
            "unknown": unknown,
            "category_order": [int(code[p]) for p in c.order],
            "missing_encoded": float(m[c.order[-1]]) if c.missing else 0.0,
        }
        if unknown_value is not None:
            fields["unknown_value"] = unknown_value
        (coded,) = prog.emit("ordinal", inputs, 1, **fields)
        if infrequent_col is not None:
            (coded,) = prog.emit("min_max", [coded.slot], 1, a=[1.0], b=[0.0], clip=True,
                                 clip_low=-1.0, clip_high=float(infrequent_col))
        width = groups - (1 if drop >= 0 else 0)
        res = prog.emit("one_hot", [coded.slot], width, string_inputs=False, category_counts=[groups],
                        numeric_categories=[float(g) for g in range(groups)], missing_category=[-1],
                        unknown="ignore", **({"drop": [drop]} if drop >= 0 else {}))
        out.extend(res)
        expected.append([-1 if m[p] == drop else int(m[p]) - (1 if 0 <= drop < m[p] else 0)
                         for p in range(n)])
    _check_one_hot_groups(est, expected, where)
    return out


def _check_one_hot_groups(est, expected, where):
    """sklearn's own transform of every category must put its 1 where
    _one_hot_grouped does (or nowhere, for a dropped column)."""
    import warnings
    n_rows = max((len(c) for c in est.categories_), default=0)
    if n_rows == 0:
        return
    columns = []
    for c in est.categories_:
        values = [c[min(r, len(c) - 1)] for r in range(n_rows)]
        columns.append(np.array(values, dtype=c.dtype))
    try:
        if hasattr(est, "feature_names_in_"):
            import pandas as pd
            # object columns stay object: pandas >= 3 would infer its str
            # dtype and turn a None category into NaN
            X = pd.DataFrame({name: pd.Series(col, dtype=col.dtype) for name, col in
                              zip(est.feature_names_in_, columns)})
        else:
            X = np.empty((n_rows, len(columns)), dtype=object if any(c.dtype.kind in "OUS" for c in columns)
                         else np.float64)
            for j, col in enumerate(columns):
                X[:, j] = col
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = est.transform(X)
        got = got.toarray() if hasattr(got, "toarray") else np.asarray(got)
    except Exception as e:  # noqa: BLE001
        refuse(est, where, f"checking its infrequent categories, its own transform failed: {e}")
    widths = [len(est._compute_transformed_categories(j)) for j in range(len(columns))] \
        if hasattr(est, "_compute_transformed_categories") else None
    at = 0
    for j, exp in enumerate(expected):
        width = widths[j] if widths else max(exp) + 1
        block = got[:, at:at + width]
        for r in range(len(est.categories_[j])):
            hot = np.flatnonzero(block[r])
            want = [] if exp[r] < 0 else [exp[r]]
            if list(hot) != want:
                refuse(est, where, f"category {est.categories_[j][r]!r} of input {j} goes to column "
                                   f"{list(hot)} in sklearn, {want} by the infrequent grouping mlmap read from "
                                   "_default_to_infrequent_mappings / _drop_idx_after_grouping")
        at += width
    if at != got.shape[1]:
        refuse(est, where, f"{got.shape[1]} output columns, {at} by the infrequent grouping")


def _one_hot(prog, est, cols, where):
    return _encode(prog, est, cols, where, one_hot=True)


def _ordinal(prog, est, cols, where):
    return _encode(prog, est, cols, where, one_hot=False)


# -- composition

def _pipeline_steps(pipe, where):
    """(position, estimator) of every step, nested Pipelines flattened and
    'passthrough' / None steps left out."""
    from sklearn.pipeline import Pipeline
    out = []
    for i, (name, est) in enumerate(pipe.steps):
        here = where + [f"step {i} ({name!r}, {class_name(est)})"]
        if est is None or (isinstance(est, str) and est == "passthrough"):
            continue
        if type(est) is Pipeline:
            out.extend(_pipeline_steps(est, here))
        else:
            out.append((here, est))
    return out


def _pipeline(prog, est, cols, where):
    for here, step in _pipeline_steps(est, where):
        cols = transform(prog, step, cols, here)
    return cols


def _resolve_columns(ct, spec, n):
    """Input indices of a column specification (when _transformer_to_input_indices
    is absent)."""
    names = list(getattr(ct, "feature_names_in_", []))
    if callable(spec):
        return None
    if isinstance(spec, (str, numbers.Integral)):
        spec = [spec]
    if isinstance(spec, slice):
        if isinstance(spec.start, str) or isinstance(spec.stop, str):
            start = names.index(spec.start) if spec.start is not None else 0
            stop = names.index(spec.stop) + 1 if spec.stop is not None else n
            return list(range(start, stop, spec.step or 1))
        return list(range(n))[spec]
    spec = list(spec)
    if spec and all(isinstance(s, (bool, np.bool_)) for s in spec):
        return [i for i, s in enumerate(spec) if s]
    out = []
    for s in spec:
        if isinstance(s, str):
            if s not in names:
                return None
            out.append(names.index(s))
        else:
            out.append(int(s) % n)
    return out


def _column_transformer(prog, ct, cols, where):
    indices = getattr(ct, "_transformer_to_input_indices", None)
    weights = ct.transformer_weights or {}
    out = []
    for name, trans, spec in ct.transformers_:
        if isinstance(trans, str) and trans == "drop":
            continue
        if indices is not None and name in indices:
            idx = list(indices[name])
        else:
            idx = _resolve_columns(ct, spec, len(cols))
            if idx is None:
                refuse(ct, where, f"the columns of transformer {name!r} cannot be resolved")
        if not idx:
            continue
        here = where + ([f"remainder ({class_name(trans)})"] if name == "remainder"
                        else [f"transformer {name!r} ({class_name(trans)})"])
        res = transform(prog, trans, [cols[i] for i in idx], here)
        w = weights.get(name)
        if w is not None and w != 1:
            res = _scale_columns(prog, res, w, here)
        out.extend(res)
    return out


def _feature_union(prog, fu, cols, where):
    weights = fu.transformer_weights or {}
    out = []
    for name, trans in fu.transformer_list:
        if isinstance(trans, str) and trans == "drop":
            continue
        here = where + [f"transformer {name!r} ({class_name(trans)})"]
        res = transform(prog, trans, cols, here)
        w = weights.get(name)
        if w is not None and w != 1:
            res = _scale_columns(prog, res, w, here)
        out.extend(res)
    return out


def transformers():
    """Exact transformer class -> handler(program, estimator, columns, where)."""
    from sklearn import compose, impute, pipeline, preprocessing as pp
    from . import _sklearn_spline, _sklearn_text, _sklearn_transformers
    return {
        **_sklearn_transformers.transformers(),
        **_sklearn_spline.transformers(),
        **_sklearn_text.transformers(),
        pp.StandardScaler: _standard_scaler,
        pp.MinMaxScaler: _min_max_scaler,
        pp.MaxAbsScaler: _max_abs_scaler,
        pp.RobustScaler: _robust_scaler,
        pp.Normalizer: _normalizer,
        pp.PolynomialFeatures: _polynomial,
        pp.OneHotEncoder: _one_hot,
        pp.OrdinalEncoder: _ordinal,
        pp.FunctionTransformer: _function,
        impute.SimpleImputer: _simple_imputer,
        impute.MissingIndicator: _missing_indicator,
        compose.ColumnTransformer: _column_transformer,
        pipeline.Pipeline: _pipeline,
        pipeline.FeatureUnion: _feature_union,
    }


# --- the Pipeline exporter ---------------------------------------------------------------

def _input_names(first, given, n_inputs):
    if given is not None:
        names = [str(n) for n in given]
    elif hasattr(first, "feature_names_in_"):
        names = [str(n) for n in first.feature_names_in_]
    else:
        return None
    if len(names) != n_inputs:
        raise ValueError(f"{len(names)} feature names given for {n_inputs} input columns")
    if len(set(names)) != len(names):
        raise ValueError("feature names are not unique")
    return names


def _final_step(pipe):
    from sklearn.pipeline import Pipeline
    est = pipe.steps[-1][1] if pipe.steps else None
    if type(est) is Pipeline:
        return _final_step(est)
    return est


def _boosting_library_exporter(est):
    """The exporter of an XGBoost or LightGBM model as a final step (their
    C++ importers take the program in front), or None."""
    from ._lightgbm import is_lightgbm
    from ._xgboost import is_xgboost
    if is_xgboost(est):
        from ._xgboost import export
    elif is_lightgbm(est):
        from ._lightgbm import export
    else:
        return None

    def exporter(final, feature_names, preprocessing=None):
        return export(final, feature_names=feature_names, preprocessing=preprocessing)
    return exporter


def export_pipeline(pipe, feature_names, preprocessing=None):
    from sklearn.pipeline import Pipeline
    from ._sklearn import exporters
    if preprocessing is not None:
        raise UnsupportedModelError("a Pipeline inside another model's preprocessing")
    final = _final_step(pipe)
    if final is None or (isinstance(final, str) and final == "passthrough"):
        raise UnsupportedModelError(
            "sklearn.pipeline.Pipeline ending in 'passthrough' is a transformer, not a model; "
            "mlmap saves pipelines that end in a model")
    steps = _pipeline_steps(pipe, [])
    final_where, final_est = steps[-1]
    if final_est is not final:
        raise UnsupportedModelError("sklearn.pipeline.Pipeline: cannot find its final estimator")
    table = exporters()
    exporter = table.get(type(final)) or _boosting_library_exporter(final)
    if exporter is None or type(final) is Pipeline:
        if type(final) in transformers():
            raise UnsupportedModelError(
                f"sklearn.pipeline.Pipeline ending in {public_name(final)} (at "
                f"{path_text(final_where)}) is a transformer, not a model; mlmap saves pipelines "
                "that end in a model")
        cls = type(final)
        from ._sklearn import search_hint
        hint = search_hint(final)
        if hint:
            raise UnsupportedModelError(f"{hint} (at {path_text(final_where)}; put the best estimator in the "
                                        "pipeline in its place)")
        supported = ", ".join(sorted(c.__name__ for c in table if c is not Pipeline))
        raise UnsupportedModelError(
            f"{public_name(final)} at {path_text(final_where)} is not supported as the final "
            f"model; supported: {supported}, and the XGBoost and LightGBM models mlmap.save "
            "takes" +
            ("" if cls.__module__.split(".")[0] in ("sklearn", "xgboost", "lightgbm")
             else f" ({cls.__qualname__} is a custom class: a model file holds no code)"))
    from sklearn.utils.validation import check_is_fitted
    check_is_fitted(final)  # every other step is checked where it is read

    first = steps[0][1]
    from ._sklearn_text import reads_documents
    # a vectorizer reads one column of documents (a list of strings)
    n_inputs = 1 if reads_documents(first) else getattr(first, "n_features_in_", None)
    if n_inputs is None:
        raise UnsupportedModelError(
            f"sklearn.pipeline.Pipeline: the first step ({class_name(first)}) does not record "
            "its number of input columns (n_features_in_)")
    names = _input_names(first, feature_names, n_inputs)
    prog = Program(n_inputs, names)
    cols = prog.inputs()
    for where, est in steps[:-1]:
        cols = transform(prog, est, cols, where)
    n_model = getattr(final, "n_features_in_", len(cols))
    if n_model != len(cols):
        refuse(final, final_where, f"it was fitted on {n_model} columns but the steps before it "
                                   f"give {len(cols)}")
    prog.finish(cols, final_where)
    if prog.has_strings() and prog.feature_names is None:
        # the table path matches columns by name: name them as sklearn does
        prog.feature_names = [f"x{i}" for i in range(n_inputs)]
    if prog.trivial():
        exported = exporter(final, None)
        exported.description["feature_names"] = prog.feature_names
    else:
        exported = exporter(final, None, preprocessing=prog)
    inner = ", ".join(class_name(est) for _, est in steps)
    exported.description["estimator"] = f"sklearn.pipeline.Pipeline({inner})"
    # +-inf: every scikit-learn transformer's input check refuses it (so
    # does a ColumnTransformer's for the columns its transformers read);
    # columns that reach the model untouched follow the model's rule (a
    # meta-estimator's exporter judged them on this program already: its
    # bases' rule)
    if "refuses_infinity" in exported.description:
        return exported
    from ._sklearn import refuses_infinity
    final_refuses = refuses_infinity(final)
    unread = set(prog.unread_inputs())  # scikit-learn never looks at them
    exported.description["refuses_infinity"] = [
        prog.kinds[c] != "str" and c not in unread and (final_refuses or c in prog.read_as_numbers)
        for c in range(n_inputs)]
    return exported


# sklearn 1.2's check_is_fitted(pipeline) fails on a pipeline ending in
# 'passthrough' (TypeError); export_pipeline checks each step itself.
export_pipeline.checks_fitted = True


def exporters():
    """Exact estimator class -> exporter function (see _sklearn.exporters)."""
    from sklearn.pipeline import Pipeline
    return {Pipeline: export_pipeline}
