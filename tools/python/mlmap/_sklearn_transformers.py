"""Export of more scikit-learn transformers into the preprocessing program
(see _sklearn_pipeline.py for the program and the handler signature):

* Binarizer -> ``binarize`` (1 where x > threshold, else 0; NaN refused as
  sklearn refuses it);
* VarianceThreshold and every other SelectorMixin of sklearn.feature_selection
  (SelectKBest, SelectPercentile, SelectFpr/Fdr/Fwe, GenericUnivariateSelect,
  SelectFromModel, RFE, RFECV, SequentialFeatureSelector) -> no op: the
  columns ``get_support()`` keeps, in order;
* PCA (whiten or not), IncrementalPCA, TruncatedSVD -> ``project`` with
  parameter columns [center, components, scale] (FORMAT.md §7, §7.1);
* KBinsDiscretizer (every strategy; ordinal, onehot, onehot-dense) ->
  ``discretize`` (the bin: searchsorted over the interior edges, side
  'right'), then ``one_hot`` over the bins for the one-hot encodings;
* PowerTransformer (yeo-johnson, box-cox; standardize) -> ``yeo_johnson`` /
  ``box_cox``, then ``standardize``;
* QuantileTransformer (uniform, normal) -> ``quantile_uniform`` /
  ``quantile_normal`` with parameter columns [quantiles, references];
* TargetEncoder (binary, multiclass, continuous; unknown categories) ->
  ``one_hot``, ``project`` and ``standardize`` per input (_target_encoder);
* KMeans, MiniBatchKMeans (as transform) -> ``distance`` with parameter
  column [centers]; as the final model (export_kmeans): ``distance``, then
  one identity layer of -1 weights and the class of the largest raw score.
"""

import numpy as np

from ._sklearn_pipeline import refuse


def _binarizer(prog, est, cols, where):
    t = float(est.threshold)
    if t != t:
        refuse(est, where, "threshold is NaN")
    inputs = prog.numeric(cols, where)
    return prog.emit("binarize", inputs, len(inputs), a=[t] * len(inputs))


def _refuse_missing(prog, cols, where):
    """A ``refuse_missing`` step over ``cols``: NaN fails the row, and (read
    as numbers) +-inf is refused, as the input check of the scikit-learn step
    at ``where`` refuses both before arithmetic that would carry them."""
    inputs = prog.numeric(cols, where)
    return prog.emit("refuse_missing", inputs, len(inputs))


def _allows_nan(est):
    """scikit-learn's allow_nan tag: whether the estimator's input check lets
    NaN and +-inf through (ensure_all_finite=not allow_nan)."""
    try:
        from sklearn.utils import get_tags  # scikit-learn >= 1.6
    except ImportError:
        from sklearn.utils._tags import _safe_tags
        return bool(_safe_tags(est, key="allow_nan"))
    return bool(get_tags(est).input_tags.allow_nan)


def _selector(prog, est, cols, where):
    """Column selection.  A selector whose allow_nan tag is false (every one
    but VarianceThreshold, and SelectFromModel / RFE over a model that
    allows NaN) refuses NaN and +-inf in every column it reads, kept or
    not (SelectorMixin.transform's input check): a ``refuse_missing`` step
    first."""
    mask = np.asarray(est.get_support(), dtype=bool)
    if mask.shape != (len(cols),):
        refuse(est, where, f"get_support() has shape {mask.shape} for {len(cols)} columns")
    if not _allows_nan(est) and all(prog.kind_of(c) != "str" for c in cols):
        cols = _refuse_missing(prog, cols, where)
    return [c for c, keep in zip(cols, mask) if keep]


def _project(prog, cols, where, center, components, scale):
    inputs = prog.numeric(cols, where)
    components = np.ascontiguousarray(components, dtype=np.float64)
    n_out = components.shape[0]
    return prog.emit("project", inputs, n_out, columns=[
        {"role": "center", "values": np.ascontiguousarray(center, dtype=np.float64)},
        {"role": "components", "values": components},
        {"role": "scale", "values": np.ascontiguousarray(scale, dtype=np.float64)},
    ])


def _check_matrix(est, where, name, m, n_in):
    m = np.asarray(m, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] != n_in or m.shape[0] == 0:
        refuse(est, where, f"{name} has shape {m.shape}, expected (k, {n_in}) with k >= 1")
    if not np.all(np.isfinite(m)):
        refuse(est, where, f"{name} holds non-finite values")
    return m


def _pca(prog, est, cols, where):
    components = _check_matrix(est, where, "components_", est.components_, len(cols))
    mean = getattr(est, "mean_", None)
    center = np.zeros(len(cols)) if mean is None else np.asarray(mean, dtype=np.float64)
    if center.shape != (len(cols),) or not np.all(np.isfinite(center)):
        refuse(est, where, "mean_ is not a finite vector of the input width")
    if est.whiten:
        # As sklearn >= 1.5 clips it (earlier releases divide by a zero
        # variance's root: inf / NaN outputs no model can use).
        scale = np.sqrt(np.asarray(est.explained_variance_, dtype=np.float64))
        eps = np.finfo(np.float64).eps
        scale[scale < eps] = eps
    else:
        scale = np.ones(components.shape[0])
    # sklearn refuses NaN here (Project would carry it into every output)
    return _project(prog, _refuse_missing(prog, cols, where), where, center, components, scale)


def _truncated_svd(prog, est, cols, where):
    components = _check_matrix(est, where, "components_", est.components_, len(cols))
    return _project(prog, _refuse_missing(prog, cols, where), where, np.zeros(len(cols)), components,
                    np.ones(components.shape[0]))


def _kmeans(prog, est, cols, where):
    centers = _check_matrix(est, where, "cluster_centers_", est.cluster_centers_, len(cols))
    inputs = [c.slot for c in _refuse_missing(prog, cols, where)]  # sklearn refuses NaN here
    return prog.emit("distance", inputs, centers.shape[0],
                     columns=[{"role": "centers", "values": np.ascontiguousarray(centers)}])


def _kbins(prog, est, cols, where):
    """KBinsDiscretizer, every strategy: the bins are fixed by bin_edges_ once
    fitted.  ``discretize`` gives the ordinal bin; 'onehot' / 'onehot-dense'
    one-hot encode it (a ``one_hot`` step over the bins 0 .. n_bins - 1, as
    sklearn's inner OneHotEncoder does)."""
    if est.encode not in ("ordinal", "onehot", "onehot-dense"):
        refuse(est, where, f"encode={est.encode!r}")
    if getattr(est, "dtype", None) not in (None, np.float64):
        refuse(est, where, f"dtype={est.dtype!r}: sklearn then bins float32-rounded inputs; mlmap "
                           "bins float64 ones")
    edges = list(est.bin_edges_)
    n_bins = [int(k) for k in est.n_bins_]
    if len(edges) != len(cols) or len(n_bins) != len(cols):
        refuse(est, where, f"{len(edges)} bin edge lists for {len(cols)} columns")
    interior = []
    for j, e in enumerate(edges):
        e = np.asarray(e, dtype=np.float64)
        if e.shape != (n_bins[j] + 1,) or n_bins[j] < 1:
            refuse(est, where, f"column {j}: {e.shape} bin edges for {n_bins[j]} bins")
        inner = e[1:-1]
        if not np.all(np.isfinite(inner)) or np.any(np.diff(inner) < 0):
            refuse(est, where, f"column {j}: bin edges not finite and sorted")
        interior.append(inner)
    inputs = prog.numeric(cols, where)
    bins = prog.emit("discretize", inputs, len(inputs), category_counts=[len(e) for e in interior],
                     numeric_categories=[float(v) for e in interior for v in e])
    if est.encode == "ordinal":
        return bins
    return prog.emit("one_hot", [c.slot for c in bins], sum(n_bins), category_counts=n_bins,
                     numeric_categories=[float(k) for n in n_bins for k in range(n)],
                     missing_category=[-1] * len(n_bins), unknown="ignore")


def _power(prog, est, cols, where):
    """PowerTransformer: ``yeo_johnson`` / ``box_cox`` with lambdas_, then
    (standardize=True) the inner StandardScaler as a ``standardize`` step."""
    kinds = {"yeo-johnson": "yeo_johnson", "box-cox": "box_cox"}
    if est.method not in kinds:
        refuse(est, where, f"method={est.method!r}")
    lambdas = np.asarray(est.lambdas_, dtype=np.float64)
    if lambdas.shape != (len(cols),) or not np.all(np.isfinite(lambdas)):
        refuse(est, where, "lambdas_ is not a finite vector of the input width")
    inputs = prog.numeric(cols, where)
    out = prog.emit(kinds[est.method], inputs, len(inputs), a=[float(v) for v in lambdas])
    if est.standardize:
        from ._sklearn_pipeline import transform
        out = transform(prog, est._scaler, out, where + ["its standardize (StandardScaler)"])
    return out


BOUNDS_THRESHOLD = 1e-7  # sklearn.preprocessing._data.BOUNDS_THRESHOLD


def _quantile(prog, est, cols, where):
    """QuantileTransformer: ``quantile_uniform`` / ``quantile_normal`` with
    parameter columns [quantiles (n_inputs x n_quantiles), references]; the
    normal output's clip bounds as scipy computes them."""
    if est.output_distribution not in ("uniform", "normal"):
        refuse(est, where, f"output_distribution={est.output_distribution!r}")
    q = np.asarray(est.quantiles_, dtype=np.float64)
    r = np.asarray(est.references_, dtype=np.float64)
    if q.ndim != 2 or q.shape[1] != len(cols) or r.shape != (q.shape[0],) or q.shape[0] < 2:
        refuse(est, where, f"quantiles_ of shape {q.shape} and references_ of shape {r.shape}")
    if not np.all(np.isfinite(q)) or np.any(np.diff(q, axis=0) < 0):
        refuse(est, where, "quantiles_ are not finite and sorted")
    inputs = prog.numeric(cols, where)
    fields = {}
    if est.output_distribution == "normal":
        from scipy import stats
        fields = {"clip_low": float(stats.norm.ppf(BOUNDS_THRESHOLD - np.spacing(1))),
                  "clip_high": float(stats.norm.ppf(1 - (BOUNDS_THRESHOLD - np.spacing(1))))}
    return prog.emit(f"quantile_{est.output_distribution}", inputs, len(inputs), columns=[
        {"role": "quantiles", "values": np.ascontiguousarray(q.T)},
        {"role": "references", "values": np.ascontiguousarray(r)},
    ], **fields)


def _target_encoder(prog, est, cols, where):
    """TargetEncoder (scikit-learn >= 1.3; binary, multiclass, continuous
    targets) at transform time, from the steps mlmap has: per input, a
    ``one_hot`` over its categories (missing values as their own category
    when fitted with one; unknown categories give zeros), a ``project`` whose
    row k holds encodings_ - target_mean_ for target k (one product is
    nonzero: the sum is that value exactly), then a ``standardize`` with
    center -target_mean_ (x - (-m) = x + m): the encoding, and target_mean_
    for an unknown category, as sklearn gives them (within one rounding)."""
    from ._sklearn_pipeline import _categories
    if est.target_type_ not in ("binary", "multiclass", "continuous"):
        refuse(est, where, f"target_type_={est.target_type_!r}")
    n_targets = len(est.classes_) if est.target_type_ == "multiclass" else 1
    means = np.atleast_1d(np.asarray(est.target_mean_, dtype=np.float64))
    if means.shape != (n_targets,):
        refuse(est, where, f"target_mean_ of shape {means.shape} for {n_targets} targets")
    if len(est.categories_) != len(cols) or len(est.encodings_) != len(cols) * n_targets:
        refuse(est, where, f"{len(est.encodings_)} encodings for {len(cols)} columns")
    out = []
    for j, col in enumerate(cols):
        cats = _categories(est, est.categories_[j], j, where)
        inputs = prog.strings([col], where) if cats.kind == "str" else prog.numeric([col], where)
        n = len(cats.values)
        fields = {
            "string_inputs": cats.kind == "str",
            "category_counts": [n],
            ("string_categories" if cats.kind == "str" else "numeric_categories"): cats.values,
            "missing_category": [cats.fields()[0]],
            "unknown": "ignore",
        }
        if cats.kind == "str":
            fields["none_category"] = [cats.fields()[1]]  # None: a category of its own, as the encoders
        if cats.order != list(range(n)):
            fields["category_order"] = cats.order
        indicators = prog.emit("one_hot", inputs, n, **fields)
        enc = np.array([np.asarray(est.encodings_[j * n_targets + k], dtype=np.float64)
                        for k in range(n_targets)])
        if enc.shape != (n_targets, n) or not np.all(np.isfinite(enc)):
            refuse(est, where, f"input {j}: encodings of shape {enc.shape} for {n} categories")
        res = _project(prog, indicators, where, np.zeros(n), enc - means[:, None], np.ones(n_targets))
        out.extend(prog.emit("standardize", [c.slot for c in res], n_targets, a=[float(-m) for m in means]))
    return out


def transformers():
    """Exact class -> handler, for the classes this sklearn has."""
    from sklearn import cluster, decomposition, feature_selection as fs, preprocessing as pp
    out = {
        pp.Binarizer: _binarizer,
        pp.KBinsDiscretizer: _kbins,
        pp.PowerTransformer: _power,
        pp.QuantileTransformer: _quantile,
        decomposition.PCA: _pca,
        decomposition.IncrementalPCA: _pca,
        decomposition.TruncatedSVD: _truncated_svd,
        cluster.KMeans: _kmeans,
        cluster.MiniBatchKMeans: _kmeans,
    }
    if hasattr(pp, "TargetEncoder"):
        out[pp.TargetEncoder] = _target_encoder
    for name in ("VarianceThreshold", "SelectKBest", "SelectPercentile", "SelectFpr", "SelectFdr",
                 "SelectFwe", "GenericUnivariateSelect", "SelectFromModel", "RFE", "RFECV",
                 "SequentialFeatureSelector"):
        cls = getattr(fs, name, None)
        if cls is not None:
            out[cls] = _selector
    return out


# --- KMeans / MiniBatchKMeans as the final model -----------------------------------------

def export_kmeans(est, feature_names, preprocessing=None):
    """predict: the nearest centre.  A ``distance`` step (after the pipeline's
    program, if any) gives the k distances; one identity layer negates them
    (raw scores = -distance, decision_function), and the class is the largest
    raw score, the first of equal ones, as sklearn's argmin; labels 0 .. k-1,
    int32 as sklearn's predict returns them (the classes' dtype is kept).
    No predict_proba (link ``hard``), as KMeans has none."""
    from . import _core
    from ._sklearn import Exported, describe, feature_names_of
    from ._sklearn_pipeline import Program
    n_in = int(est.n_features_in_)
    centers = _check_matrix(est, [], "cluster_centers_", est.cluster_centers_, n_in)
    k = centers.shape[0]
    if k < 2:
        refuse(est, [], f"{k} cluster: mlmap saves KMeans with at least 2 clusters as a model")
    prog = preprocessing
    if prog is None:
        prog = Program(n_in, feature_names_of(est, feature_names, n_in))
        prog.finish(prog.inputs(), [])
    if len(prog.features) != n_in:
        refuse(est, [], f"it was fitted on {n_in} columns but receives {len(prog.features)}")
    res = prog.emit("distance", prog.features, k,
                    columns=[{"role": "centers", "values": np.ascontiguousarray(centers)}])
    prog.features = [c.slot for c in res]
    desc = describe(est, task="classification", n_features=k, n_outputs=k,
                    feature_names=[f"distance{i}" for i in range(k)], classes=np.arange(k, dtype=np.int32),
                    class_decision="argmax_raw", link="hard")
    layers = [dict(weights=-np.eye(k), bias=np.zeros(k), activation="identity")]
    return Exported(layers, desc, _core.save_dense, prog)


def exporters():
    """Final models: exact class -> exporter (see _sklearn.exporters)."""
    from sklearn import cluster
    return {cluster.KMeans: export_kmeans, cluster.MiniBatchKMeans: export_kmeans}
