"""Exporters for scikit-learn's naive Bayes classifiers.  Every one gives
one raw score per class, sklearn's joint log-likelihood
(``predict_joint_log_proba``); predict is its argmax, predict_proba its
softmax and predict_log_proba (mlmap.Model) ``raw - logsumexp(raw)``, as
sklearn's ``_BaseNB``.

MultinomialNB, ComplementNB, BernoulliNB (``binarize=None``)
    Linear in the inputs: one dense layer, ``X @ feature_log_prob_.T`` plus
    ``class_log_prior_`` (ComplementNB: no prior with two or more classes;
    BernoulliNB: weights ``log p - log(1 - p)``, bias the prior plus
    ``sum log(1 - p)``, as sklearn computes it).
BernoulliNB with a ``binarize`` threshold
    A naive Bayes predictor: the weights of the features with x > threshold.
GaussianNB
    A naive Bayes predictor computing sklearn's own expression,
    ``log prior + (log_norm - 0.5 * sum((x - theta)^2 / var))`` with numpy's
    summation order (bit for bit sklearn's; not expanded into a quadratic
    form, which would lose precision).
CategoricalNB
    A naive Bayes predictor: the sum of each feature's log-probability of
    its category (the input truncated to an integer, as sklearn's cast),
    then the prior.  A category outside ``[0, n_categories_)`` (sklearn:
    IndexError, or ValueError when negative) raises UnknownCategoryError.
"""

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._sklearn import Exported, describe, public_name


def _refuse(estimator, option, why):
    raise UnsupportedModelError(f"{public_name(estimator)} with {option}: {why}")


def _fitted(estimator, attribute):
    if not hasattr(estimator, attribute):
        from sklearn.exceptions import NotFittedError
        raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' before "
                             "saving it with mlmap")


def _finite(estimator, name, values):
    a = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        _refuse(estimator, f"non-finite {name}", "it cannot be saved (a zero probability without smoothing?)")
    return a


def _describe(estimator, n_features, feature_names):
    classes = estimator.classes_
    if len(classes) < 2:
        _refuse(estimator, f"{len(classes)} class", "a classifier trained on a single class is not supported")
    return describe(estimator, task="classification", n_features=n_features, n_outputs=len(classes),
                    feature_names=feature_names, classes=classes, link="softmax", class_decision="argmax_raw")


def _bernoulli_parts(estimator):
    """(weights (C, F), bias (C,)) exactly as BernoulliNB._joint_log_likelihood
    computes them."""
    flp = estimator.feature_log_prob_
    neg_prob = np.log(1 - np.exp(flp))
    weights = flp - neg_prob
    bias = estimator.class_log_prior_ + neg_prob.sum(axis=1)
    return _finite(estimator, "log probabilities", weights), _finite(estimator, "class log prior", bias)


def export_discrete_nb(estimator, feature_names, preprocessing=None):
    from sklearn import naive_bayes
    _fitted(estimator, "feature_log_prob_")
    cls = type(estimator)
    flp = _finite(estimator, "feature_log_prob_", estimator.feature_log_prob_)
    n_classes, n_features = flp.shape
    desc = _describe(estimator, n_features, feature_names)
    if cls is naive_bayes.BernoulliNB:
        weights, bias = _bernoulli_parts(estimator)
        if estimator.binarize is not None:
            threshold = float(estimator.binarize)
            if np.isnan(threshold):
                _refuse(estimator, "binarize=nan", "the threshold must be a number")
            spec = dict(kind="bernoulli", n_classes=n_classes, n_features=n_features, bias=bias,
                        weights=np.ascontiguousarray(weights), threshold=threshold)
            return Exported(spec, desc, _core.save_naive_bayes, preprocessing)
        layers = [dict(weights=np.ascontiguousarray(weights.T), bias=bias, activation="identity")]
        return Exported(layers, desc, _core.save_dense, preprocessing)
    if cls is naive_bayes.ComplementNB:
        bias = np.zeros(n_classes)  # sklearn adds the prior only with a single class
    else:
        bias = _finite(estimator, "class_log_prior_", estimator.class_log_prior_)
    layers = [dict(weights=np.ascontiguousarray(flp.T), bias=bias, activation="identity")]
    return Exported(layers, desc, _core.save_dense, preprocessing)


def export_gaussian_nb(estimator, feature_names, preprocessing=None):
    _fitted(estimator, "theta_")
    theta = _finite(estimator, "theta_", estimator.theta_)
    var = _finite(estimator, "var_", estimator.var_)
    if not np.all(var > 0):
        _refuse(estimator, "a zero variance", "its log-likelihood is not finite")
    n_classes, n_features = theta.shape
    desc = _describe(estimator, n_features, feature_names)
    # GaussianNB._joint_log_likelihood's per-class constants, as it computes them.
    log_prior = [np.log(estimator.class_prior_[i]) for i in range(n_classes)]
    log_norm = [-0.5 * np.sum(np.log(2.0 * np.pi * estimator.var_[i, :])) for i in range(n_classes)]
    spec = dict(kind="gaussian", n_classes=n_classes, n_features=n_features,
                bias=_finite(estimator, "log class prior", log_prior), theta=np.ascontiguousarray(theta),
                var=np.ascontiguousarray(var), log_norm=_finite(estimator, "variances", log_norm))
    return Exported(spec, desc, _core.save_naive_bayes, preprocessing)


def export_categorical_nb(estimator, feature_names, preprocessing=None):
    _fitted(estimator, "feature_log_prob_")
    blocks = [_finite(estimator, "feature_log_prob_", f) for f in estimator.feature_log_prob_]
    n_features = len(blocks)
    desc = _describe(estimator, n_features, feature_names)
    n_classes = len(estimator.classes_)
    if any(b.ndim != 2 or b.shape[0] != n_classes or b.shape[1] < 1 for b in blocks):
        _refuse(estimator, "malformed feature_log_prob_", "each feature needs (n_classes, n_categories)")
    spec = dict(kind="categorical", n_classes=n_classes, n_features=n_features,
                bias=_finite(estimator, "class_log_prior_", estimator.class_log_prior_),
                category_counts=[int(b.shape[1]) for b in blocks],
                log_probs=np.concatenate([b.ravel() for b in blocks]))
    return Exported(spec, desc, _core.save_naive_bayes, preprocessing)


def exporters():
    from sklearn import naive_bayes as nb
    return {
        nb.GaussianNB: export_gaussian_nb,
        nb.MultinomialNB: export_discrete_nb,
        nb.ComplementNB: export_discrete_nb,
        nb.BernoulliNB: export_discrete_nb,
        nb.CategoricalNB: export_categorical_nb,
    }
