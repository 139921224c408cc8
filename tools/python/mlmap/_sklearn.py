"""Exporters from fitted scikit-learn estimators to mlmap's C++ writer.

Each exporter reads the estimator's fitted arrays (sklearn's ``tree_``
columns go to C++ without copies) and describes the model: task, labels,
link function.  Only exact classes are accepted: a subclass may override
predict, and mlmap would then silently answer differently.
"""

import platform

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._model import CLASSES_DTYPE_KEY


class Exported:
    """A model ready to be written: a predictor builder (or a dense network's
    layers) and its description, optionally behind a preprocessing program.

    preprocessing: None, or a program built by _sklearn_pipeline (anything
    with ``n_inputs``, ``feature_names`` and ``spec()``): the file then takes
    the program's input columns (their count and names replace the
    predictor's own) and runs the program in front of the predictor.
    """

    def __init__(self, builder, description, writer, preprocessing=None):
        self.builder = builder
        self.description = description
        self._writer = writer
        self.preprocessing = preprocessing
        if preprocessing is not None:
            description["n_features"] = int(preprocessing.n_inputs)
            description["feature_names"] = preprocessing.feature_names

    def write(self, path):
        if self.preprocessing is None:
            self._writer(path, self.builder, self.description)
        else:
            self._writer(path, self.builder, self.description, self.preprocessing.spec())


def qualified_name(obj):
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def public_name(obj):
    """The shortest public import path of obj's class, e.g.
    'sklearn.ensemble.RandomForestClassifier' (not sklearn.ensemble._forest)."""
    import importlib
    cls = type(obj)
    parts = cls.__module__.split(".")
    for i in range(1, len(parts) + 1):
        if parts[i - 1].startswith("_"):
            break
        module = ".".join(parts[:i])
        try:
            if getattr(importlib.import_module(module), cls.__name__, None) is cls:
                return f"{module}.{cls.__qualname__}"
        except ImportError:
            break
    return f"{cls.__module__}.{cls.__qualname__}"


def sklearn_version():
    """(major, minor) of the scikit-learn that is imported."""
    import re
    import sklearn
    return tuple(int(x) for x in re.findall(r"\d+", sklearn.__version__)[:2])


def refuse_attribute(estimator, attribute, why):
    """UnsupportedModelError naming the class, the attribute and the library
    version: what the exporters raise for what they do not understand."""
    import sklearn
    raise UnsupportedModelError(
        f"{public_name(estimator)} with {attribute} (scikit-learn {sklearn.__version__}): {why}")


def provenance():
    import sklearn
    return {
        "source_library": "scikit-learn",
        "source_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
    }


def class_labels(classes):
    """Labels as a list of int or of str, plus the numpy dtype to restore
    (None when int64 / str round-trip on their own)."""
    c = np.asarray(classes)
    int64 = np.iinfo(np.int64)
    if c.dtype.kind in "iub":
        if c.dtype.kind == "u" and c.size and int(c.max()) > int64.max:
            raise UnsupportedModelError(
                f"class label {int(c.max())} does not fit in int64; mlmap stores integer labels as int64")
        return [int(x) for x in c], (None if c.dtype == np.int64 else c.dtype.str)
    if c.dtype.kind == "U":
        return [str(x) for x in c], c.dtype.str
    if c.dtype.kind == "f":
        return [repr(float(x)) for x in c], c.dtype.str
    if c.dtype.kind == "O":
        if all(isinstance(x, str) for x in c):
            return [str(x) for x in c], "object"
        if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool)
               and int64.min <= int(x) <= int64.max for x in c):
            return [int(x) for x in c], "object"
    raise UnsupportedModelError(
        f"class labels of dtype {c.dtype} ({list(c[:3])}...) are not supported; "
        "use integers or strings")


def feature_names_of(estimator, given, n_features):
    if given is not None:
        names = [str(n) for n in given]
    elif hasattr(estimator, "feature_names_in_"):
        names = [str(n) for n in estimator.feature_names_in_]
    else:
        return None
    if len(names) != n_features:
        raise ValueError(f"{len(names)} feature names given for {n_features} features")
    if len(set(names)) != len(names):
        raise ValueError("feature names are not unique")
    return names


def describe(estimator, *, task, n_features, n_outputs, feature_names, classes=None, **extra):
    d = {
        "estimator": public_name(estimator),
        "task": task,
        "n_features": int(n_features),
        "n_outputs": int(n_outputs),
        "feature_names": feature_names_of(estimator, feature_names, n_features),
        "provenance": provenance(),
        "metadata": {},
    }
    if classes is not None:
        labels, dtype = class_labels(classes)
        d["classes"] = labels
        if dtype is not None:
            d["metadata"][CLASSES_DTYPE_KEY] = dtype
    d.update(extra)
    return d


# --- trees ------------------------------------------------------------------

def add_sklearn_tree(builder, tree, *, normalize, output=0, leaf_scale=1.0, missing=False):
    """Adds one sklearn ``Tree`` (``estimator.tree_``).  missing: NaN follows
    ``tree_.missing_go_to_left`` (see accepts_nan)."""
    n = tree.node_count
    missing_left = np.asarray(tree.missing_go_to_left, dtype=np.uint8) if missing else None
    builder.add_tree(tree.children_left, tree.children_right, tree.feature, tree.threshold,
                     tree.value.reshape(n, -1), output=output, leaf_scale=leaf_scale,
                     normalize=normalize, missing_left=missing_left, cover=tree_cover(tree))


def tree_cover(tree):
    """The training rows that reached each node (``n_node_samples``): how deep
    rows go, which informs the kernel choice, not the predictions."""
    return np.asarray(tree.n_node_samples, dtype=np.float64)


def accepts_nan(estimator, trees):
    """Whether sklearn predicts on NaN with these trees, routing it by each
    node's ``missing_go_to_left``.

    scikit-learn >= 1.3 (_tree.pyx, apply_dense): at a split, NaN goes to the
    left child iff ``missing_go_to_left``, else ``x <= threshold`` decides;
    every split node has the flag (learnt where the training data had NaN,
    else the child with more samples).  Whether predict accepts NaN at all
    depends on the class, the splitter, the criterion and monotonic_cst, by
    version (1.3: DecisionTree*; 1.4: forests; 1.6: the random splitter):
    rather than repeating those rules, ask sklearn with one all-NaN row -- its
    input validation refuses NaN (ValueError) exactly where it does not route
    it.  Before 1.3 (no ``missing_go_to_left``) NaN is refused, and so it is
    by mlmap (MissingValueError)."""
    if not all(hasattr(t, "missing_go_to_left") for t in trees):
        return False
    probe = np.full((1, int(estimator.n_features_in_)), np.nan)
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.predict(probe)
    except ValueError:
        return False
    return True


def export_trees(estimator, feature_names, preprocessing=None):
    from sklearn.base import is_classifier
    forest = hasattr(estimator, "estimators_")
    trees = [e.tree_ for e in estimator.estimators_] if forest else [estimator.tree_]
    n_features = estimator.n_features_in_
    missing = accepts_nan(estimator, trees)
    if is_classifier(estimator) and estimator.n_outputs_ != 1:
        return _export_multi_output_trees(estimator, trees, feature_names, missing, preprocessing)
    if is_classifier(estimator):
        k = int(estimator.n_classes_)
        builder = _core.TreeEnsembleBuilder(n_features, k, k, "mean" if forest else "sum")
        for t in trees:
            # normalize: counts before scikit-learn 1.4.1, weighted fractions
            # since (tree_.value); the leaf's class distribution either way
            add_sklearn_tree(builder, t, normalize=True, missing=missing)
        desc = describe(estimator, task="classification", n_features=n_features, n_outputs=k,
                        feature_names=feature_names, classes=estimator.classes_)
    else:
        k = int(estimator.n_outputs_)
        builder = _core.TreeEnsembleBuilder(n_features, k, k, "mean" if forest else "sum")
        for t in trees:
            add_sklearn_tree(builder, t, normalize=False, missing=missing)
        desc = describe(estimator, task="regression", n_features=n_features, n_outputs=k,
                        feature_names=feature_names)
    return Exported(builder, desc, _core.save_trees, preprocessing)


def _export_multi_output_trees(estimator, trees, feature_names, missing, preprocessing):
    """A tree classifier fitted on a 2-D y: leaf j holds each output's class
    distribution, normalised as predict_proba does (proba[:, k,
    :n_classes_[k]] over its sum, a zero sum left as is), the outputs side
    by side; one output group each (class decision argmax_outputs_per_group)."""
    from ._sklearn_meta import multi_output_classes
    forest = hasattr(estimator, "estimators_")
    counts = [int(c) for c in np.atleast_1d(estimator.n_classes_)]
    classes, groups = multi_output_classes(estimator, estimator.classes_, [public_name(estimator)])
    k = sum(counts)
    builder = _core.TreeEnsembleBuilder(estimator.n_features_in_, k, k, "mean" if forest else "sum")
    for t in trees:
        value = t.value  # (nodes, outputs, max classes)
        parts = []
        for o, n_o in enumerate(counts):
            proba = value[:, o, :n_o]
            normalizer = proba.sum(axis=1)[:, np.newaxis]
            normalizer[normalizer == 0.0] = 1.0
            parts.append(proba / normalizer)
        leaves = np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float64)
        builder.add_tree(t.children_left, t.children_right, t.feature, t.threshold, leaves,
                         missing_left=np.asarray(t.missing_go_to_left, dtype=np.uint8) if missing else None,
                         cover=tree_cover(t))
    desc = describe(estimator, task="classification", n_features=estimator.n_features_in_, n_outputs=k,
                    feature_names=feature_names, classes=classes, link="identity",
                    class_decision="argmax_outputs_per_group", output_groups=groups)
    return Exported(builder, desc, _core.save_trees, preprocessing)


def exporters():
    from sklearn import ensemble, tree
    from ._sklearn_boosting import exporters as boosting_exporters
    from ._sklearn_iforest import exporters as iforest_exporters
    from ._sklearn_linear import exporters as linear_exporters
    from ._sklearn_meta import exporters as meta_exporters
    from ._sklearn_naive_bayes import exporters as naive_bayes_exporters
    from ._sklearn_neighbors import exporters as neighbors_exporters
    from ._sklearn_pipeline import exporters as pipeline_exporters
    from ._sklearn_svm import exporters as svm_exporters
    from ._sklearn_transformers import exporters as transformer_exporters
    return {
        **boosting_exporters(),
        **transformer_exporters(),
        **linear_exporters(),
        **pipeline_exporters(),
        **neighbors_exporters(),
        **svm_exporters(),
        **naive_bayes_exporters(),
        **iforest_exporters(),
        **meta_exporters(),
        tree.DecisionTreeClassifier: export_trees,
        tree.DecisionTreeRegressor: export_trees,
        tree.ExtraTreeClassifier: export_trees,
        tree.ExtraTreeRegressor: export_trees,
        ensemble.RandomForestClassifier: export_trees,
        ensemble.RandomForestRegressor: export_trees,
        ensemble.ExtraTreesClassifier: export_trees,
        ensemble.ExtraTreesRegressor: export_trees,
    }


def refuses_infinity(estimator):
    """Whether scikit-learn's predict refuses +-inf in the input of this
    (final) estimator: its input check (check_array with finite values
    required, NaN allowed where routed) raises ValueError for every
    estimator mlmap saves but HistGradientBoosting, which bins inf with the
    largest / smallest values (scikit-learn 1.2, 1.6 and 1.9 alike; XGBoost
    predicts on inf too; a OneVsRestClassifier's _ConstantPredictor, for a
    class every or no training row has, does not check)."""
    from sklearn import ensemble
    if type(estimator) in (ensemble.HistGradientBoostingClassifier, ensemble.HistGradientBoostingRegressor):
        return False
    if type(estimator).__name__ == "_ConstantPredictor" and type(estimator).__module__ == "sklearn.multiclass":
        return False
    return type(estimator).__module__.split(".")[0] != "xgboost"


def search_hint(estimator):
    """For a hyper-parameter search (GridSearchCV, RandomizedSearchCV,
    Halving*SearchCV ...): what to save instead; else None."""
    cls = type(estimator)
    if not (cls.__name__.endswith("SearchCV") or hasattr(estimator, "best_estimator_")):
        return None
    best = getattr(estimator, "best_estimator_", None)
    if best is not None:
        return (f"{public_name(estimator)} is a hyper-parameter search, not a model: save the model it "
                f"chose, mlmap.save(search.best_estimator_, path) (a {type(best).__name__})")
    return (f"{public_name(estimator)} is a hyper-parameter search, not a model, and has no best_estimator_ "
            "(not fitted, or refit=False): fit it with refit=True and save search.best_estimator_")


def export(estimator, *, feature_names=None):
    table = exporters()
    fn = table.get(type(estimator))
    if fn is None:
        hint = search_hint(estimator)
        if hint:
            raise UnsupportedModelError(hint)
        supported = ", ".join(sorted(c.__name__ for c in table))
        raise UnsupportedModelError(
            f"{qualified_name(estimator)} is not supported by mlmap {_core.__version__}; "
            f"supported: {supported}")
    if not getattr(fn, "checks_fitted", False):  # a Pipeline checks its steps itself
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(estimator)
    exported = fn(estimator, feature_names)
    d = exported.description
    if "refuses_infinity" not in d:  # a Pipeline decides per column
        d["refuses_infinity"] = [refuses_infinity(estimator)] * int(d["n_features"])
    return exported
