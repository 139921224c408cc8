"""Exporters for scikit-learn's nearest neighbours: KNeighborsClassifier,
KNeighborsRegressor, RadiusNeighborsClassifier and RadiusNeighborsRegressor
become an mlmap neighbours model (FORMAT.md §5.3).

The training matrix ``_fit_X`` is stored as it is (float32 or float64: the
dtype sklearn kept) in blocks of 8 rows for the SIMD distance kernels; the
classifier's ``_y`` (class indices) or the regressor's targets beside it.
mlmap searches by brute force whatever sklearn's ``algorithm``: every
algorithm returns the same neighbours up to equal distances, and mlmap
resolves those as sklearn's brute force does (FORMAT.md §5.3).

Metrics: euclidean (l2, minkowski p=2), sqeuclidean, manhattan (l1,
cityblock, minkowski p=1), chebyshev (infinity, minkowski p=inf), minkowski
with any other p > 0, cosine.  Weights: 'uniform', 'distance'.  Refused, by
name: callable metrics and weights, 'precomputed', weighted minkowski (``w``)
and other metric_params, the other DistanceMetric metrics, sparse training
data, multi-output classifiers.

Classifiers predict the votes of the k neighbours per class (1 each, or
1 / distance) and normalise them into predict_proba (link ``normalize``);
predict is the class with the most votes, the first of equals (sklearn's
mode / weighted_mode).  Fitted on a 2-D y, each output is an output group
(its votes normalised over the group, its class the group's first largest:
ArgmaxOutputsPerGroup), from one search.  Regressors predict the
(weighted) mean of the neighbours' targets.

Radius neighbours (n_neighbors 0 in the file): every stored row whose
reduced distance is <= the radius reduced as sklearn reduces it, in row
order.  A classifier's row without neighbours votes for outlier_label_
(probability 1), or fails as sklearn's raises where it has none; an
outlier_label outside the classes is refused.  A regressor's such row is
NaN, as sklearn's.
"""

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._sklearn import Exported, describe, public_name

METRICS = {
    "euclidean": "euclidean", "l2": "euclidean", "sqeuclidean": "sqeuclidean",
    "manhattan": "manhattan", "l1": "manhattan", "cityblock": "manhattan",
    "chebyshev": "chebyshev", "infinity": "chebyshev",
    "minkowski": "minkowski", "cosine": "cosine",
}


def _refuse(estimator, option, why):
    raise UnsupportedModelError(f"{public_name(estimator)} with {option}: {why}")


def _check_fitted(estimator):
    if not hasattr(estimator, "_fit_X"):
        from sklearn.exceptions import NotFittedError
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' before "
            "saving it with mlmap")


def _metric(estimator):
    """(mlmap metric name, p) for the estimator's effective metric."""
    if estimator.metric == "precomputed":
        _refuse(estimator, "metric='precomputed'", "mlmap stores the training rows, not distances")
    metric = estimator.effective_metric_
    if callable(metric):
        _refuse(estimator, f"metric={getattr(metric, '__name__', metric)!r} (a callable)",
                "mlmap cannot store Python code")
    params = dict(getattr(estimator, "effective_metric_params_", None) or {})
    p = params.pop("p", None)
    if params.pop("w", None) is not None:
        _refuse(estimator, "metric_params={'w': ...}", "weighted Minkowski distances are not supported")
    if params:
        _refuse(estimator, f"metric_params={sorted(params)}", "these metric parameters are not supported")
    name = METRICS.get(metric)
    if name is None:
        _refuse(estimator, f"metric={metric!r}",
                f"supported metrics: {', '.join(sorted(METRICS))}")
    if name == "minkowski":
        p = float(p if p is not None else estimator.p)
        if p == 1:
            name = "manhattan"
        elif p == 2:
            name = "euclidean"
        elif np.isinf(p):
            name = "chebyshev"
        elif not p > 0:
            _refuse(estimator, f"p={p}", "the Minkowski exponent must be positive")
    return name, (p if name == "minkowski" else 2.0)


def _multi_output_labels(estimator, n_features, feature_names):
    """A classifier fitted on a 2-D y: one output group per output (its
    classes side by side, FORMAT.md §6) and, per stored row, each output's
    class slot (its index plus the group's offset), labels [n_samples, m]."""
    from ._sklearn_meta import multi_output_classes
    classes, groups = multi_output_classes(estimator, estimator.classes_, [public_name(estimator)])
    offsets = np.cumsum([0] + groups[:-1]).astype(np.uint32)
    labels = np.ascontiguousarray(np.asarray(estimator._y, dtype=np.uint32) + offsets[np.newaxis, :])
    desc = describe(estimator, task="classification", n_features=n_features, n_outputs=int(sum(groups)),
                    feature_names=feature_names, classes=classes, link="normalize",
                    class_decision="argmax_outputs_per_group", output_groups=groups)
    return labels, desc


def _reduced_radius(estimator, metric, p):
    """sklearn compares each reduced distance with the radius reduced as
    its DistanceMetric's _dist_to_rdist does (squared for euclidean, to the
    p-th power for minkowski), <= (FORMAT.md §5.3)."""
    radius = float(estimator.radius)
    if not (np.isfinite(radius) and radius >= 0):
        _refuse(estimator, f"radius={radius}", "the radius must be finite and >= 0")
    if metric == "euclidean":
        return radius * radius
    if metric == "minkowski":
        return radius ** p
    return radius


def _outlier_slots(estimator, groups):
    """Per output, the class slot a row without neighbours gets (sklearn's
    outlier_label_, probability 1), or None: such a row is an error."""
    labels = getattr(estimator, "outlier_label_", None)
    if labels is None:
        return None
    per_output = estimator.classes_ if estimator.outputs_2d_ else [estimator.classes_]
    slots, offset = [], 0
    for classes, label, n in zip(per_output, labels, groups):
        index = np.flatnonzero(np.asarray(classes) == label)
        if index.size != 1:
            _refuse(estimator, f"outlier_label={estimator.outlier_label!r}",
                    "the label is not one of the classes (sklearn then predicts a label outside classes_ "
                    "with probabilities 0), which mlmap cannot store")
        slots.append(offset + int(index[0]))
        offset += n
    # scikit-learn 1.4+'s brute-force uniform predict_proba (RadiusNeighborsClassMode)
    # compares the outlier_label parameter with the class indices, not the labels.
    try:
        from sklearn.metrics._pairwise_distances_reduction import RadiusNeighborsClassMode
        from sklearn.neighbors._classification import _adjusted_metric
    except ImportError:
        return slots
    metric, _ = _adjusted_metric(metric=estimator.metric, metric_kwargs=dict(estimator.metric_params or {}),
                                 p=estimator.p)
    X = estimator._fit_X
    if (estimator.weights == "uniform" and estimator._fit_method == "brute" and not estimator.outputs_2d_
            and RadiusNeighborsClassMode.is_usable_for(X[:1], X, metric)):
        other = [i for i in range(groups[0]) if _same(i, estimator.outlier_label)]
        if other != slots:
            _refuse(estimator, f"outlier_label={estimator.outlier_label!r}",
                    "this scikit-learn's brute-force predict_proba gives rows without neighbours the probability "
                    "1 at the class index equal to outlier_label, or none, and predict_proba then disagrees with "
                    "predict; mlmap cannot store that")
    return slots


def _same(index, label):
    try:
        return bool(index == label)
    except (TypeError, ValueError):
        return False


def export_neighbors(estimator, feature_names, preprocessing=None):
    from scipy import sparse
    from sklearn.base import is_classifier
    _check_fitted(estimator)
    metric, p = _metric(estimator)
    radius = getattr(estimator, "n_neighbors", None) is None  # RadiusNeighbors*
    weights = estimator.weights
    if radius and weights is None:
        weights = "uniform"
    if callable(weights) or weights not in ("uniform", "distance"):
        _refuse(estimator, f"weights={getattr(weights, '__name__', weights)!r}",
                "supported weights: 'uniform', 'distance'")
    X = estimator._fit_X
    if sparse.issparse(X):
        _refuse(estimator, "sparse training data", "mlmap stores dense training rows")
    X = np.asarray(X)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        _refuse(estimator, "non-finite or malformed training rows", "they cannot be saved")
    n_samples, n_features = X.shape
    k = 0 if radius else int(estimator.n_neighbors)
    if not radius and not 1 <= k <= n_samples:
        _refuse(estimator, f"n_neighbors={k}", f"the model holds {n_samples} training rows")
    spec = dict(samples=np.ascontiguousarray(X), n_neighbors=k, metric=metric, p=p, weights=weights)
    if radius:
        spec["reduced_radius"] = _reduced_radius(estimator, metric, p)
    if is_classifier(estimator):
        if getattr(estimator, "outputs_2d_", False):
            spec["labels"], desc = _multi_output_labels(estimator, n_features, feature_names)
        else:
            classes = estimator.classes_
            if len(classes) < 2:
                _refuse(estimator, f"{len(classes)} class", "a classifier trained on a single class is not supported")
            spec["labels"] = np.asarray(estimator._y, dtype=np.uint32)
            desc = describe(estimator, task="classification", n_features=n_features, n_outputs=len(classes),
                            feature_names=feature_names, classes=classes, link="normalize",
                            class_decision="argmax_raw")
        if radius:
            groups = [len(c) for c in estimator.classes_] if estimator.outputs_2d_ else [len(estimator.classes_)]
            slots = _outlier_slots(estimator, groups)
            if slots is not None:
                spec["outlier_slots"] = slots
    else:
        y = np.asarray(estimator._y, dtype=np.float64)
        if y.ndim == 1:
            y = y[:, np.newaxis]
        if not np.all(np.isfinite(y)):
            _refuse(estimator, "non-finite targets", "they cannot be saved")
        spec["targets"] = np.ascontiguousarray(y)
        desc = describe(estimator, task="regression", n_features=n_features, n_outputs=y.shape[1],
                        feature_names=feature_names, link="identity")
    return Exported(spec, desc, _core.save_neighbors, preprocessing)


def exporters():
    from sklearn import neighbors
    return {
        neighbors.KNeighborsClassifier: export_neighbors,
        neighbors.KNeighborsRegressor: export_neighbors,
        neighbors.RadiusNeighborsClassifier: export_neighbors,
        neighbors.RadiusNeighborsRegressor: export_neighbors,
    }
