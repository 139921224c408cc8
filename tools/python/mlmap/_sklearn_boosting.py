"""Exporters for scikit-learn's gradient boosting estimators.

GradientBoostingClassifier / GradientBoostingRegressor
    ``estimators_`` is an (n_stages, K) array of DecisionTreeRegressor; sklearn
    computes ``raw = init + learning_rate * sum(tree.predict(X))`` with X cast
    to float32 and ``x <= threshold`` splits.  mlmap: float32 thresholds
    (rounded down), each tree's leaves scaled by ``learning_rate``
    (``leaf_scale``), tree (i, k) adds to raw score k, and the constant init
    raw prediction (what ``_raw_predict_init`` returns for any row) becomes
    ``base_score``.  Only init estimators whose prediction cannot depend on X
    (``'zero'`` and the constant Dummy strategies) are accepted.

HistGradientBoostingClassifier / HistGradientBoostingRegressor
    ``_predictors[i][k]`` trees compare float64 inputs with float64
    thresholds (``x <= num_threshold``), NaN follows ``missing_go_to_left``,
    leaves already include the learning rate, and
    ``raw = _baseline_prediction + sum(leaves)``.  Categorical nodes are
    re-encoded so that mlmap routes every value as sklearn 1.2 does (see
    ``_HgbCategories``).
"""

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._sklearn import Exported, describe, tree_cover


def _name(estimator):
    """'sklearn.ensemble.HistGradientBoostingClassifier' (the public path; the
    class lives in sklearn.ensemble._hist_gradient_boosting.gradient_boosting)."""
    return f"sklearn.ensemble.{type(estimator).__name__}"


def _refuse(estimator, option, why):
    import sklearn
    raise UnsupportedModelError(f"{_name(estimator)} with {option} (scikit-learn {sklearn.__version__}): {why}")


def _check_fitted(estimator, attribute):
    if not hasattr(estimator, attribute):
        from sklearn.exceptions import NotFittedError
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' before "
            "saving it with mlmap")


def _describe_classifier(estimator, k, links, **common):
    """The description of a boosted classifier whose loss and tree layout
    ``links`` supports: {(loss class, "binary" | "multiclass"): link settings}.
    Binary means one raw score for two classes, multiclass one per class."""
    classes = estimator.classes_
    n_classes = len(classes)
    if n_classes < 2:
        _refuse(estimator, f"{n_classes} class", "a classifier trained on a single class is not supported")
    layout = "binary" if k == 1 and n_classes == 2 else "multiclass" if k == n_classes > 2 else None
    link = links.get((type(estimator._loss), layout))
    if link is None:
        _refuse(estimator, f"loss={estimator.loss!r} ({type(estimator._loss).__name__}, {n_classes} classes)",
                "this loss is not supported")
    return describe(estimator, task="classification", n_outputs=n_classes, classes=classes,
                    **common, **link)


# --- GradientBoostingClassifier / GradientBoostingRegressor -------------------

def _constant_init(estimator):
    """Whether ``init_`` predicts the same for every row (so that sklearn's
    ``_raw_predict_init`` is a constant mlmap can store as base_score)."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    init = estimator.init_
    if isinstance(init, str):
        return init == "zero"
    if type(init) is DummyRegressor:
        return True  # mean, median, quantile, constant: all ignore X
    if type(init) is DummyClassifier:
        # every strategy but 'stratified' (random draws) predicts a constant
        # probability row; getattr: the fitted strategy in 1.2 is _strategy
        return getattr(init, "_strategy", init.strategy) != "stratified"
    return False


def _gb_init_raw(estimator, n_features, k):
    """The init raw prediction, computed by sklearn itself on probe rows."""
    if not _constant_init(estimator):
        init = estimator.init_
        name = init if isinstance(init, str) else type(init).__name__
        _refuse(estimator, f"init={name}",
                "an init estimator whose prediction depends on X is not supported; use the "
                "default (init=None), init='zero' or a constant DummyClassifier/DummyRegressor")
    rng = np.random.default_rng(0)
    probe = np.vstack([np.zeros((1, n_features)), rng.normal(size=(3, n_features)) * 100])
    raw = np.asarray(estimator._raw_predict_init(probe.astype(np.float32)), dtype=np.float64)
    if raw.shape != (len(probe), k) or not np.all(raw == raw[0]) or not np.all(np.isfinite(raw)):
        _refuse(estimator, f"init={type(estimator.init_).__name__}",
                f"the init estimator's raw prediction is not one finite constant row of {k}")
    return [float(v) for v in raw[0]]


def _gb_losses(estimator):
    """(k, classifier links, regression loss classes) for the loss module of
    this scikit-learn: ``sklearn.ensemble._gb_losses`` up to 1.3 (``loss.K``
    trees per stage; binary predict is the argmax of [1 - p, p], i.e.
    raw > 0), the common ``sklearn._loss.loss`` from 1.4
    (``n_trees_per_iteration_``; binary predict is ``raw >= 0`` for both
    log_loss and exponential, _gb.py GradientBoostingClassifier.predict)."""
    loss = estimator._loss
    if type(loss).__module__ == "sklearn.ensemble._gb_losses":
        from sklearn.ensemble import _gb_losses as L
        links = {
            # predict: argmax of [1 - expit(raw), expit(raw)]
            (L.BinomialDeviance, "binary"): dict(link="logistic"),
            # proba expit(2 raw); predict: raw >= 0 (decided on the raw score)
            (L.ExponentialLoss, "binary"): dict(link="logistic", link_scale=2.0,
                                                class_decision="raw_nonnegative"),
            # softmax; predict: argmax of the probabilities
            (L.MultinomialDeviance, "multiclass"): dict(link="softmax"),
        }
        regression = (L.LeastSquaresError, L.LeastAbsoluteError, L.HuberLossFunction,
                      L.QuantileLossFunction)
        return int(loss.K), links, regression
    from sklearn._loss import loss as L
    links = {
        # predict_proba: expit(raw); predict: raw >= 0
        (L.HalfBinomialLoss, "binary"): dict(link="logistic", class_decision="raw_nonnegative"),
        # predict_proba: expit(2 raw); predict: raw >= 0
        (L.ExponentialLoss, "binary"): dict(link="logistic", link_scale=2.0,
                                            class_decision="raw_nonnegative"),
        # predict_proba: softmax(raw); predict: argmax of the raw scores
        (L.HalfMultinomialLoss, "multiclass"): dict(link="softmax", class_decision="argmax_raw"),
    }
    regression = (L.HalfSquaredError, L.AbsoluteError, L.HuberLoss, L.PinballLoss)
    return int(estimator.n_trees_per_iteration_), links, regression


def export_gb(estimator, feature_names, preprocessing=None):
    from sklearn.base import is_classifier
    _check_fitted(estimator, "estimators_")
    kind = type(estimator._loss)
    n_features = int(estimator.n_features_in_)
    k, links, regression = _gb_losses(estimator)
    stages = estimator.estimators_
    if stages.ndim != 2 or stages.shape[1] != k or stages.shape[0] == 0:
        _refuse(estimator, f"estimators_ of shape {stages.shape}",
                f"expected (n_stages, {k}) fitted trees")
    lr = float(estimator.learning_rate)
    base_score = _gb_init_raw(estimator, n_features, k)

    builder = _core.TreeEnsembleBuilder(n_features, 1, k, "sum", rule="<=", thresholds="float32")
    for row in stages:
        for j, tree in enumerate(row):
            t = tree.tree_
            if t.n_outputs != 1:
                _refuse(estimator, f"a {t.n_outputs}-output stage tree", "expected single-output trees")
            n = t.node_count
            builder.add_tree(t.children_left, t.children_right, t.feature, t.threshold,
                             t.value.reshape(n, -1), output=j, leaf_scale=lr, normalize=False,
                             cover=tree_cover(t))

    if is_classifier(estimator):
        desc = _describe_classifier(estimator, k, links, n_features=n_features,
                                    feature_names=feature_names, base_score=base_score)
    else:
        if kind not in regression or k != 1:
            _refuse(estimator, f"loss={estimator.loss!r} ({kind.__name__})", "this loss is not supported")
        desc = describe(estimator, task="regression", n_features=n_features, n_outputs=1,
                        feature_names=feature_names, base_score=base_score, link="identity")
    desc["estimator"] = _name(estimator)
    return Exported(builder, desc, _core.save_trees, preprocessing)


# --- HistGradientBoostingClassifier / HistGradientBoostingRegressor -----------

class _HgbCategories:
    """Category sets for HGB's categorical nodes, encoded for mlmap.

    sklearn 1.2 (_predictor.pyx, _predict_one_from_raw_data) routes a non-NaN
    value v at a categorical node as:  v < 0 -> the missing way; else with
    c = <uint8>v (truncation):  c in the node's raw_left_cat_bitsets row ->
    left;  c a category known in training (known_cat_bitsets) -> right;
    otherwise (unknown) -> the missing way.

    mlmap: v outside [0, 32 * W) -> the missing way; else left iff bit floor(v)
    of the node's set.  With W words covering every known category (and every
    left bit), a node's set is
        left  |  (missing_go_to_left ? ([0, 32 W) minus known) : {})
    which gives sklearn's answer for every v in [0, 256): values in
    [32 W, 256) are unknown to sklearn too and go the missing way in both.
    Values >= 256 lie outside the range sklearn documents for categories
    ([0, max_bins - 1]); sklearn 1.2's double -> uint8 cast of them is
    undefined behaviour (on x86-64 gcc: v mod 256 below 2^31), mlmap sends
    them the missing way, as unknown categories.
    """

    def __init__(self, estimator, builder):
        self.builder = builder
        self.known = None
        self.words = 1
        self.cache = {}
        if getattr(estimator, "is_categorical_", None) is None or not np.any(estimator.is_categorical_):
            return
        known_bitsets, f_idx_map = estimator._bin_mapper.make_known_categories_bitsets()
        self.known_bitsets = np.asarray(known_bitsets, dtype=np.uint32)
        self.f_idx_map = np.asarray(f_idx_map)
        # enough words for every known category and every left bit of any node
        bits = [self.known_bitsets]
        for predictors in estimator._predictors:
            for p in predictors:
                bits.append(np.asarray(p.raw_left_cat_bitsets, dtype=np.uint32).reshape(-1, 8))
        top = 0
        for b in bits:
            nz = np.nonzero(b)
            if len(nz[0]):
                last_word = int(nz[1].max())
                top = max(top, 32 * last_word + int(b[:, last_word].max()).bit_length())
        self.words = max(1, -(-top // 32))

    def _widen(self, row):
        out = np.zeros(self.words, dtype=np.uint32)
        n = min(self.words, row.shape[0])
        out[:n] = row[:n]
        return out

    def set_for(self, feature, left_row, missing_left):
        left = self._widen(np.asarray(left_row, dtype=np.uint32))
        if missing_left:
            known = self._widen(self.known_bitsets[self.f_idx_map[feature]])
            words = left | ~known
        else:
            words = left
        words = np.ascontiguousarray(words, dtype=np.uint32)
        key = words.tobytes()
        index = self.cache.get(key)
        if index is None:
            index = self.builder.add_category_set(words)
            self.cache[key] = index
        return index


def _add_hgb_tree(builder, predictor, output, categories):
    nodes = predictor.nodes
    n = len(nodes)
    leaf = nodes["is_leaf"].astype(bool)
    left = np.where(leaf, -1, nodes["left"].astype(np.int64))
    right = np.where(leaf, -1, nodes["right"].astype(np.int64))
    feature = nodes["feature_idx"].astype(np.int64)
    threshold = nodes["num_threshold"].astype(np.float64)
    values = np.ascontiguousarray(nodes["value"], dtype=np.float64).reshape(n, 1)
    missing_left = nodes["missing_go_to_left"].astype(np.uint8)
    categorical = (nodes["is_categorical"].astype(bool) & ~leaf)
    category_set = np.zeros(n, dtype=np.uint32)
    if categorical.any():
        raw_bitsets = np.asarray(predictor.raw_left_cat_bitsets, dtype=np.uint32)
        for i in np.flatnonzero(categorical):
            category_set[i] = categories.set_for(int(feature[i]), raw_bitsets[nodes["bitset_idx"][i]],
                                                 bool(missing_left[i]))
        threshold = np.where(categorical, 0.0, threshold)
    builder.add_tree(left, right, feature, threshold, values, missing_left=missing_left,
                     categorical=categorical.astype(np.uint8), category_set=category_set,
                     output=output, leaf_scale=1.0, normalize=False,
                     cover=nodes["count"].astype(np.float64))


def _hgb_preprocessing(estimator, feature_names, program=None):
    """The program for HGB's internal ``_preprocessor`` (scikit-learn >= 1.4,
    categorical_features="from_dtype" -- the default from 1.6 -- or given by
    name on a DataFrame): a ColumnTransformer that ordinal-encodes the
    categorical columns (unknown and missing -> NaN) and passes the numeric
    ones through ``check_array``, categorical columns first
    (gradient_boosting.py, _preprocess_X).  The trees read that order.
    ``program``: a pipeline's program whose features feed this estimator;
    the encoding is appended to it."""
    import functools
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder
    from sklearn.utils.validation import check_array
    from ._sklearn_pipeline import Col, Program, _ordinal
    ct = estimator._preprocessor
    where = [f"{type(estimator).__name__}._preprocessor"]
    if type(ct) is not ColumnTransformer:
        _refuse(estimator, f"_preprocessor of type {type(ct).__name__}", "expected a ColumnTransformer")
    n_inputs = int(ct.n_features_in_)
    indices = ct._transformer_to_input_indices
    encoder = ct.named_transformers_.get("encoder")
    numerical = ct.named_transformers_.get("numerical")
    if (type(encoder) is not OrdinalEncoder or type(numerical) is not FunctionTransformer
            or not isinstance(numerical.func, functools.partial) or numerical.func.func is not check_array
            or [name for name, _, _ in ct.transformers_ if name != "remainder"] != ["encoder", "numerical"]):
        _refuse(estimator, "_preprocessor", "expected the OrdinalEncoder and check_array columns of "
                                            "HistGradientBoosting's own categorical handling")
    if program is None:
        names = feature_names
        if names is None and hasattr(ct, "feature_names_in_"):
            names = [str(n) for n in ct.feature_names_in_]
        prog = Program(n_inputs, names)
        cols = prog.inputs()
    else:
        prog = program
        cols = [Col("num", slot) for slot in prog.features]  # checked numeric by finish()
        if len(cols) != n_inputs:
            _refuse(estimator, "_preprocessor", f"{n_inputs} columns, but the steps before it give {len(cols)}")
    cat = _ordinal(prog, encoder, [cols[i] for i in indices["encoder"]], where + ["encoder"])
    num = [cols[i] for i in indices["numerical"]]
    prog.numeric(num, where + ["numerical"])
    out = cat + num
    if len(out) != int(estimator._bin_mapper.n_bins_non_missing_.shape[0]):
        _refuse(estimator, "_preprocessor", f"{len(out)} columns for the trees' "
                                            f"{estimator._bin_mapper.n_bins_non_missing_.shape[0]}")
    prog.finish(out, where)
    if prog.has_strings() and prog.feature_names is None:
        prog.feature_names = [f"x{i}" for i in range(n_inputs)]
    return prog


def export_hgb(estimator, feature_names, preprocessing=None):
    from sklearn._loss import loss as L
    from sklearn.base import is_classifier
    _check_fitted(estimator, "_predictors")
    if not isinstance(estimator.loss, str):
        _refuse(estimator, f"loss={type(estimator.loss).__name__}(...)",
                "custom loss objects are not supported; use one of the named losses")
    loss = estimator._loss
    kind = type(loss)
    n_features = int(estimator.n_features_in_)
    k = int(estimator.n_trees_per_iteration_)
    if getattr(estimator, "_preprocessor", None) is not None:
        preprocessing = _hgb_preprocessing(estimator, feature_names, preprocessing)
        feature_names = None
    baseline = np.asarray(estimator._baseline_prediction, dtype=np.float64).ravel()
    if baseline.shape != (k,) or not np.all(np.isfinite(baseline)):
        _refuse(estimator, f"_baseline_prediction of shape {np.shape(estimator._baseline_prediction)}",
                f"expected {k} finite values")

    builder = _core.TreeEnsembleBuilder(n_features, 1, k, "sum", rule="<=", thresholds="float64")
    categories = _HgbCategories(estimator, builder)
    n_trees = 0
    for predictors in estimator._predictors:
        if len(predictors) != k:
            _refuse(estimator, f"an iteration of {len(predictors)} trees", f"expected {k}")
        for j, predictor in enumerate(predictors):
            _add_hgb_tree(builder, predictor, j, categories)
            n_trees += 1
    if n_trees == 0:
        # no iteration at all: raw = baseline; one all-zero leaf keeps the
        # ensemble non-empty
        for j in range(k):
            builder.add_tree(np.array([-1]), np.array([-1]), np.array([0]), np.array([0.0]),
                             np.zeros((1, 1)), output=j)

    base_score = [float(v) for v in baseline]
    if is_classifier(estimator):
        from ._sklearn import sklearn_version
        # predict: up to 1.4 the argmax of predict_proba ([1 - p, p] when
        # binary); from 1.5 decided on the raw scores (raw > 0; argmax)
        decision = {} if sklearn_version() < (1, 5) else dict(class_decision="argmax_raw")
        desc = _describe_classifier(estimator, k, {
            (L.HalfBinomialLoss, "binary"): dict(link="logistic", **decision),
            (L.HalfMultinomialLoss, "multiclass"): dict(link="softmax", **decision),
        }, n_features=n_features, feature_names=feature_names, base_score=base_score)
    else:
        if k != 1:
            _refuse(estimator, f"{k} trees per iteration", "expected one")
        if kind in (L.HalfSquaredError, L.AbsoluteError, L.PinballLoss):
            link = "identity"
        elif kind is L.HalfPoissonLoss or kind is getattr(L, "HalfGammaLoss", None):
            link = "exp"  # log link: predict = exp(raw)
        else:
            _refuse(estimator, f"loss={estimator.loss!r} ({kind.__name__})", "this loss is not supported")
        desc = describe(estimator, task="regression", n_features=n_features, n_outputs=1,
                        feature_names=feature_names, base_score=base_score, link=link)
    desc["estimator"] = _name(estimator)
    return Exported(builder, desc, _core.save_trees, preprocessing)


def exporters():
    """Exact estimator class -> exporter function (see _sklearn.exporters)."""
    from sklearn import ensemble
    return {
        ensemble.GradientBoostingClassifier: export_gb,
        ensemble.GradientBoostingRegressor: export_gb,
        ensemble.HistGradientBoostingClassifier: export_hgb,
        ensemble.HistGradientBoostingRegressor: export_hgb,
    }
