"""Exporters for scikit-learn's linear models and multi-layer perceptrons:
both become mlmap dense networks (a linear model is one layer), computed in
float64 as sklearn does.

Linear models
    sklearn: ``raw = X @ coef_.T + intercept_`` (``decision_function`` /
    ``_decision_function``; shape (n,) for one raw score).  mlmap: one layer
    with weights ``coef_.T`` and bias ``intercept_``.

    Regressors: predict = raw (identity link).  PoissonRegressor,
    GammaRegressor and TweedieRegressor with a log link predict exp(raw).

    Classifiers: predict is sklearn's ``LinearClassifierMixin.predict``:
    ``raw > 0`` with one raw score, else the argmax of the raw scores (class
    decision ``argmax_raw``).  predict_proba:

    - LogisticRegression(CV): one-vs-rest (``multi_class='ovr'``, or
      ``'auto'`` with two classes or liblinear): ``expit(raw)`` (binary
      ``[1-p, p]``: link ``logistic``; multiclass normalised: link
      ``logistic_ovr``).  Multinomial: softmax over the raw scores (link
      ``softmax``); with two classes sklearn takes the softmax of
      ``[-raw, raw]``, i.e. ``expit(2 raw)``: link ``logistic``, scale 2.
    - SGDClassifier: ``loss='log_loss'`` as one-vs-rest logistic regression;
      ``'modified_huber'``: link ``modified_huber``; every other loss has no
      predict_proba (link ``hard``: the decided class gets 1).
    - LinearSVC, RidgeClassifier(CV), Perceptron,
      PassiveAggressiveClassifier: no predict_proba (link ``hard``).

MLPClassifier / MLPRegressor
    ``coefs_[i]`` is (n_in, n_out): mlmap's layer layout.  Hidden layers
    apply ``activation`` (identity, logistic, tanh, relu); the output
    activation becomes the link: identity (regressor), logistic (binary:
    ``[1-p, p]``, and predict is ``p > 0.5``, the argmax of the two), softmax
    (multiclass, argmax of the probabilities).  Multilabel classifiers are
    refused (their predict is one label set per row, not one class).
"""

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._sklearn import Exported, describe, public_name


def _refuse(estimator, what):
    import sklearn
    raise UnsupportedModelError(f"{public_name(estimator)} {what} (scikit-learn {sklearn.__version__})")


def _check_fitted(estimator, attribute):
    if not hasattr(estimator, attribute):
        from sklearn.exceptions import NotFittedError
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' before "
            "saving it with mlmap")


def _float64(name, values, estimator):
    a = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        _refuse(estimator, f"has non-finite values in {name}; it cannot be saved")
    return a


def linear_layer(estimator):
    """(weights (n_in, k), bias (k,)) of a fitted linear model."""
    _check_fitted(estimator, "coef_")
    coef = _float64("coef_", estimator.coef_, estimator)
    if coef.ndim == 1:
        coef = coef[np.newaxis, :]
    if coef.ndim != 2:
        _refuse(estimator, f"has coef_ of shape {np.shape(estimator.coef_)}; expected 1-D or 2-D")
    k, n = coef.shape
    intercept = _float64("intercept_", getattr(estimator, "intercept_", 0.0), estimator).ravel()
    if intercept.size == 1:
        intercept = np.full(k, intercept[0])
    if intercept.shape != (k,):
        _refuse(estimator, f"has intercept_ of shape {np.shape(estimator.intercept_)} for {k} outputs")
    n_in = getattr(estimator, "n_features_in_", n)
    if n != n_in:
        _refuse(estimator, f"has coef_ for {n} features but n_features_in_ = {n_in}")
    return np.ascontiguousarray(coef.T), intercept


# --- linear classifiers ---------------------------------------------------------

def _logistic_ovr(estimator):
    """Whether LogisticRegression(CV).predict_proba is one-vs-rest, by the rule
    of the scikit-learn that is imported (_logistic.py, predict_proba):

    - up to 1.7 (``multi_class`` exists): 'ovr' (or 'warn'); or 'auto' (1.5-1.7
      also 'deprecated', the new default) with two classes or a solver fitted
      one-vs-rest -- liblinear, and newton-cholesky before 1.6 (1.6 taught it
      multinomial);
    - from 1.8 (``multi_class`` removed): exactly the binary case, every
      multiclass fit is multinomial (softmax)."""
    from ._sklearn import sklearn_version
    binary = len(estimator.classes_) <= 2
    if not hasattr(estimator, "multi_class"):
        return binary
    multi_class = estimator.multi_class
    ovr_solvers = ("liblinear", "newton-cholesky") if sklearn_version() < (1, 6) else ("liblinear",)
    return multi_class in ("ovr", "warn") or (
        multi_class in ("auto", "deprecated") and (binary or estimator.solver in ovr_solvers))


def export_linear_classifier(estimator, feature_names, preprocessing=None):
    from sklearn import linear_model
    _check_fitted(estimator, "classes_")
    weights, bias = linear_layer(estimator)
    binarizer = getattr(estimator, "_label_binarizer", None)
    if binarizer is not None and str(getattr(binarizer, "y_type_", "")).startswith("multilabel"):
        if type(estimator) not in (linear_model.RidgeClassifier, linear_model.RidgeClassifierCV):
            _refuse(estimator, "trained on multilabel targets is not supported (its predict gives a label "
                               "set per row)")
        return _export_multilabel_by_sign(estimator, weights, bias, feature_names, preprocessing)
    classes = estimator.classes_
    n_classes = len(classes)
    n_raw = weights.shape[1]
    if n_classes < 2:
        _refuse(estimator, f"trained on {n_classes} class is not supported")
    if n_raw != (1 if n_classes == 2 else n_classes):
        _refuse(estimator, f"has {n_raw} raw scores for {n_classes} classes")
    cls = type(estimator)
    binary = n_classes == 2
    if cls in (linear_model.LogisticRegression, linear_model.LogisticRegressionCV):
        if _logistic_ovr(estimator):
            link = dict(link="logistic") if binary else dict(link="logistic_ovr")
        else:
            # binary: scikit-learn's softmax of (-d, d) (the file's Softmax over one raw score)
            link = dict(link="softmax")
    elif cls is linear_model.SGDClassifier:
        if estimator.loss in ("log_loss", "log"):
            link = dict(link="logistic") if binary else dict(link="logistic_ovr")
        elif estimator.loss == "modified_huber":
            link = dict(link="modified_huber")
        else:
            link = dict(link="hard")
    else:
        link = dict(link="hard")
    desc = describe(estimator, task="classification", n_features=weights.shape[0],
                    n_outputs=n_classes, feature_names=feature_names, classes=classes,
                    class_decision="argmax_raw", **link)
    layers = [dict(weights=weights, bias=bias, activation="identity")]
    return Exported(layers, desc, _core.save_dense, preprocessing)


def _export_multilabel_by_sign(estimator, weights, bias, feature_names, preprocessing):
    """RidgeClassifier(CV) fitted on a multilabel target: class j's label is
    1 where its decision value d_j > 0 (predict: 2 * (d > 0) - 1 through the
    label binarizer).  Raw scores [0, d_j] per class (a zero weight column
    beside each: 0 for the finite inputs it takes), one output group of 2
    each with labels 0, 1: the group's first largest is 1 exactly when d_j >
    0 (link hard, no predict_proba, as scikit-learn); the Python reader's
    predict gives (n, K) indicators (MULTILABEL_KEY)."""
    from ._model import MULTILABEL_KEY
    n, k = weights.shape
    wide, wide_bias = np.zeros((n, 2 * k)), np.zeros(2 * k)
    wide[:, 1::2], wide_bias[1::2] = weights, bias
    desc = describe(estimator, task="classification", n_features=n, n_outputs=2 * k, feature_names=feature_names,
                    classes=np.tile(np.arange(2), k), link="hard", class_decision="argmax_outputs_per_group",
                    output_groups=[2] * k)
    desc["metadata"][MULTILABEL_KEY] = "1"
    return Exported([dict(weights=wide, bias=wide_bias, activation="identity")], desc, _core.save_dense,
                    preprocessing)


# --- linear regressors ------------------------------------------------------------

def export_linear_regressor(estimator, feature_names, preprocessing=None):
    from sklearn import linear_model
    weights, bias = linear_layer(estimator)
    link = "identity"
    glm = (linear_model.PoissonRegressor, linear_model.GammaRegressor, linear_model.TweedieRegressor)
    if type(estimator) in glm:
        from sklearn._loss.link import IdentityLink, LogLink
        link_obj = estimator._base_loss.link
        if type(link_obj) is LogLink:
            link = "exp"
        elif type(link_obj) is not IdentityLink:
            _refuse(estimator, f"with the link {type(link_obj).__name__} is not supported")
    desc = describe(estimator, task="regression", n_features=weights.shape[0],
                    n_outputs=weights.shape[1], feature_names=feature_names, link=link)
    layers = [dict(weights=weights, bias=bias, activation="identity")]
    return Exported(layers, desc, _core.save_dense, preprocessing)


# --- multi-layer perceptrons ---------------------------------------------------------

MLP_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


def mlp_layers(estimator):
    _check_fitted(estimator, "coefs_")
    if estimator.activation not in MLP_ACTIVATIONS:
        _refuse(estimator, f"with activation={estimator.activation!r} is not supported")
    layers = []
    n = len(estimator.coefs_)
    width = int(estimator.n_features_in_)
    for i, (w, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_)):
        w = np.ascontiguousarray(_float64(f"coefs_[{i}]", w, estimator))
        b = _float64(f"intercepts_[{i}]", b, estimator).ravel()
        if w.ndim != 2 or w.shape[0] != width or b.shape != (w.shape[1],):
            _refuse(estimator, f"has layer {i} of shape {w.shape} (bias {b.shape}) after width {width}")
        layers.append(dict(weights=w, bias=b,
                           activation="identity" if i == n - 1 else estimator.activation))
        width = w.shape[1]
    return layers


def export_mlp(estimator, feature_names, preprocessing=None):
    from sklearn.base import is_classifier
    layers = mlp_layers(estimator)
    n_in = layers[0]["weights"].shape[0]
    n_raw = layers[-1]["weights"].shape[1]
    out = estimator.out_activation_
    if is_classifier(estimator):
        binarizer = estimator._label_binarizer
        if str(binarizer.y_type_).startswith("multilabel"):
            return _export_mlp_multilabel(estimator, layers, feature_names, preprocessing)
        classes = estimator.classes_
        n_classes = len(classes)
        if out == "logistic" and n_raw == 1 and n_classes == 2:
            link = "logistic"
        elif out == "softmax" and n_raw == n_classes and n_classes > 2:
            link = "softmax"
        else:
            _refuse(estimator, f"with output activation {out!r}, {n_raw} outputs and {n_classes} classes "
                               "is not supported")
        desc = describe(estimator, task="classification", n_features=n_in, n_outputs=n_classes,
                        feature_names=feature_names, classes=classes, link=link,
                        class_decision="argmax_outputs")
    else:
        if out != "identity":
            _refuse(estimator, f"with output activation {out!r} is not supported")
        desc = describe(estimator, task="regression", n_features=n_in, n_outputs=n_raw,
                        feature_names=feature_names, link="identity")
    return Exported(layers, desc, _core.save_dense, preprocessing)


def _export_mlp_multilabel(estimator, layers, feature_names, preprocessing):
    """MLPClassifier fitted on a multilabel target: each class's probability
    is the output layer's logistic p_j, unnormalised (predict_proba (n, K)),
    and its label p_j > 0.5 (the label binarizer's threshold, scikit-learn
    1.2 to 1.9).  The last layer keeps its logistic as an activation and one
    more Dense layer writes [1 - p_j, p_j] per class (weights -1 / 1, bias 1 /
    0: 1 - p_j rounded once, as numpy's): one output group of 2 each with
    labels 0, 1, link Identity; the group's first largest is 1 exactly when
    p_j > 1 - p_j, which in float64 is p_j > 0.5 (p_j = 0.5 gives 0 in both).
    The Python reader's predict gives (n, K) indicators (MULTILABEL_KEY)."""
    from ._model import MULTILABEL_KEY
    if estimator.out_activation_ != "logistic":
        _refuse(estimator, f"trained on multilabel targets with output activation "
                           f"{estimator.out_activation_!r} is not supported")
    n_in = layers[0]["weights"].shape[0]
    k = layers[-1]["weights"].shape[1]
    layers[-1]["activation"] = "logistic"
    pairs, pairs_bias = np.zeros((k, 2 * k)), np.zeros(2 * k)
    pairs[np.arange(k), 2 * np.arange(k)] = -1.0
    pairs[np.arange(k), 2 * np.arange(k) + 1] = 1.0
    pairs_bias[0::2] = 1.0
    layers.append(dict(weights=pairs, bias=pairs_bias, activation="identity"))
    desc = describe(estimator, task="classification", n_features=n_in, n_outputs=2 * k,
                    feature_names=feature_names, classes=np.tile(np.arange(2), k), link="identity",
                    class_decision="argmax_outputs_per_group", output_groups=[2] * k)
    desc["metadata"][MULTILABEL_KEY] = "1"
    return Exported(layers, desc, _core.save_dense, preprocessing)


def exporters():
    """Exact estimator class -> exporter function (see _sklearn.exporters)."""
    from sklearn import linear_model as lm
    from sklearn import neural_network as nn
    from sklearn import svm
    table = {}
    for cls in (lm.LogisticRegression, lm.LogisticRegressionCV, lm.RidgeClassifier,
                lm.RidgeClassifierCV, lm.SGDClassifier, lm.Perceptron,
                lm.PassiveAggressiveClassifier, svm.LinearSVC):
        table[cls] = export_linear_classifier
    for cls in (lm.LinearRegression, lm.Ridge, lm.RidgeCV, lm.Lasso, lm.LassoCV, lm.ElasticNet,
                lm.ElasticNetCV, lm.MultiTaskLasso, lm.MultiTaskElasticNet, lm.Lars, lm.LassoLars,
                lm.HuberRegressor, lm.BayesianRidge, lm.ARDRegression, lm.SGDRegressor,
                lm.PassiveAggressiveRegressor, lm.PoissonRegressor, lm.GammaRegressor,
                lm.TweedieRegressor, svm.LinearSVR):
        table[cls] = export_linear_regressor
    table[nn.MLPClassifier] = export_mlp
    table[nn.MLPRegressor] = export_mlp
    return table
