"""Exporter for scikit-learn's IsolationForest: an mlmap tree ensemble and
an outlier detector (FORMAT.md §6, §6.1).

sklearn scores a row by the path lengths of its leaves: each tree adds
``depth + c(n) - 1`` for the leaf it reaches, with ``depth`` the nodes on
the path (the root counts 1), ``n`` the leaf's training rows and ``c``
sklearn's ``_average_path_length`` correction; then

    score_samples = -2 ** (-sum / (n_trees * c(max_samples)))
    decision_function = score_samples - offset_
    predict = 1 if decision_function >= 0 else -1

mlmap stores each leaf's ``depth + c(n) - 1`` (computed by sklearn's own
function, in its order), sums the trees in order (sklearn's order), and
applies the ``isolation`` link with ``link_scale = 1 / (n_trees *
c(max_samples))``, the ``output_minus_offset`` decision function and the
``decision_nonnegative`` class decision.  With ``max_samples=1`` that
normaliser is 0 and sklearn takes the exponent to be -1 for every row (its
``np.divide(..., out=ones, where=denominator != 0)``; every tree is then a
single leaf worth 0): mlmap stores ``base_score = 1`` and ``link_scale = 1``.  Trees fitted on a subset of the features
(``max_features < 1``) read them through ``estimators_features_``, mapped
back to input columns.  NaN follows ``missing_go_to_left`` where sklearn
accepts NaN (1.6 and later); older versions refuse it, as sklearn does.
"""

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._sklearn import Exported, describe, public_name, tree_cover


def _node_depths(tree):
    """Nodes on the path to each node, the root counting 1 (sklearn's
    Tree.compute_node_depths, 1.3 and later; the decision_path node count
    of 1.2)."""
    depths = np.empty(tree.node_count, dtype=np.int64)
    depths[0] = 1
    for node in range(tree.node_count):
        if tree.children_left[node] != -1:
            depths[tree.children_left[node]] = depths[node] + 1
            depths[tree.children_right[node]] = depths[node] + 1
    return depths


def _allows_nan(estimator):
    try:
        return bool(estimator.__sklearn_tags__().input_tags.allow_nan)
    except AttributeError:
        return bool(estimator._get_tags().get("allow_nan", False))


def export_isolation_forest(estimator, feature_names, preprocessing=None):
    from sklearn.ensemble._iforest import _average_path_length
    if not hasattr(estimator, "estimators_"):
        from sklearn.exceptions import NotFittedError
        raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' before "
                             "saving it with mlmap")
    n_features = int(estimator.n_features_in_)
    subsample = estimator._max_features != n_features
    nan_ok = _allows_nan(estimator)
    builder = _core.TreeEnsembleBuilder(n_features, 1, 1, "sum")
    for tree, features in zip(estimator.estimators_, estimator.estimators_features_):
        t = tree.tree_
        feature = np.array(t.feature, dtype=np.int64)
        internal = t.children_left != -1
        if subsample:
            feature[internal] = np.asarray(features, dtype=np.int64)[feature[internal]]
        values = _node_depths(t) + _average_path_length(t.n_node_samples) - 1.0
        missing = None
        if nan_ok and hasattr(t, "missing_go_to_left"):
            missing = np.asarray(t.missing_go_to_left, dtype=np.uint8)
        builder.add_tree(t.children_left, t.children_right, feature, t.threshold, values.reshape(-1, 1),
                         missing_left=missing, cover=tree_cover(t))
    max_samples = getattr(estimator, "_max_samples", None)
    if max_samples is None:
        max_samples = estimator.max_samples_
    denominator = len(estimator.estimators_) * _average_path_length([max_samples])
    denominator = float(np.ravel(denominator)[0])
    if not np.isfinite(denominator) or denominator < 0:
        raise UnsupportedModelError(f"{public_name(estimator)}: path-length normaliser {denominator} is not usable")
    scale = dict(link_scale=1.0 / denominator) if denominator != 0 else dict(link_scale=1.0, base_score=[1.0])
    desc = describe(estimator, task="outlier_detection", n_features=n_features, n_outputs=1,
                    feature_names=feature_names, classes=np.array([-1, 1]), link="isolation",
                    decision_function="output_minus_offset", decision_offset=float(estimator.offset_),
                    class_decision="decision_nonnegative", **scale)
    return Exported(builder, desc, _core.save_trees, preprocessing)


def exporters():
    from sklearn.ensemble import IsolationForest
    return {IsolationForest: export_isolation_forest}
