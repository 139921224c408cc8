"""Exporters for scikit-learn's kernel SVMs (libsvm): SVC, NuSVC, SVR,
NuSVR and OneClassSVM become an mlmap kernel machine (FORMAT.md §5.4).

The support vectors are stored in blocks of 8 rows for the SIMD kernels;
kernel values, the sums of dual coefficients times kernel values and the
intercepts are computed with libsvm's operations in libsvm's order, so the
decision values are libsvm's (its ``svm_predict_values``).

SVC / NuSVC
    One raw score per one-vs-one pair (libsvm's decision values, from
    ``_dual_coef_`` and ``_intercept_``); with two classes one raw score,
    sklearn's ``decision_function`` (the public ``dual_coef_`` and
    ``intercept_``, libsvm's negated), class 1 iff it is >= 0.  predict:
    libsvm's votes (``ovo_votes``: pair (i, j) votes i iff its value is > 0,
    most votes, first of equals); with ``break_ties`` and
    ``decision_function_shape='ovr'``, the argmax of the one-vs-rest values.
    decision_function: the pairs' values (``'ovo'``) or sklearn's
    ``_ovr_decision_function`` of them (``'ovr'``, decision function
    ``ovo_to_ovr``).  predict_proba (``probability=True``): libsvm's Platt
    sigmoids (``_probA``, ``_probB``) and pairwise coupling (link
    ``pairwise_coupling``); otherwise none (link ``hard``).  ``class_weight``
    is already in the dual coefficients.
SVR / NuSVR
    One raw score: the prediction.
OneClassSVM
    An outlier detector: score_samples = sum of dual coefficients times
    kernel values (the output), decision_function = score - ``offset_``
    (libsvm's value), predict = 1 iff decision_function > 0 else -1.

Refused, by name: ``kernel='precomputed'`` and callable kernels, SVMs
trained on sparse matrices, SVC ``break_ties=True`` with
``decision_function_shape='ovo'`` (sklearn's predict raises there).
"""

import numpy as np

from . import _core
from ._errors import UnsupportedModelError
from ._sklearn import Exported, describe, public_name

KERNELS = ("linear", "poly", "rbf", "sigmoid")


def _refuse(estimator, option, why):
    raise UnsupportedModelError(f"{public_name(estimator)} with {option}: {why}")


def _finite(estimator, name, values):
    a = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        _refuse(estimator, f"non-finite {name}", "it cannot be saved")
    return a


def _has_probability(estimator):
    """Whether sklearn's predict_proba works: probability=True at fit (1.9
    deprecates the parameter: its default 'deprecated' means no) and libsvm
    returned Platt coefficients."""
    probability = getattr(estimator, "probability", False)
    if isinstance(probability, str) or not probability:
        return False
    a, b = getattr(estimator, "_probA", np.empty(0)), getattr(estimator, "_probB", np.empty(0))
    return np.size(a) > 0 and np.size(b) > 0


def export_svm(estimator, feature_names, preprocessing=None):
    from scipy import sparse
    if not hasattr(estimator, "support_vectors_"):
        from sklearn.exceptions import NotFittedError
        raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet; call 'fit' before "
                             "saving it with mlmap")
    kernel = estimator.kernel
    if callable(kernel):
        _refuse(estimator, f"kernel={getattr(kernel, '__name__', kernel)!r} (a callable)",
                "mlmap cannot store Python code")
    if kernel not in KERNELS:
        _refuse(estimator, f"kernel={kernel!r}", f"supported kernels: {', '.join(KERNELS)}")
    if getattr(estimator, "_sparse", False) or sparse.issparse(estimator.support_vectors_):
        _refuse(estimator, "sparse training data", "mlmap stores dense support vectors")
    vectors = _finite(estimator, "support vectors", estimator.support_vectors_)
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        _refuse(estimator, "no support vectors", "there is nothing to save")
    n_features = vectors.shape[1]
    machine = dict(support_vectors=np.ascontiguousarray(vectors), kernel=kernel,
                   gamma=float(estimator._gamma), coef0=float(estimator.coef0), degree=int(estimator.degree))
    impl = estimator._impl
    if impl in ("c_svc", "nu_svc"):
        classes = estimator.classes_
        k = len(classes)
        if k < 2:
            _refuse(estimator, f"{k} class", "a classifier trained on a single class is not supported")
        shape = estimator.decision_function_shape
        if estimator.break_ties and shape == "ovo":
            _refuse(estimator, "break_ties=True and decision_function_shape='ovo'", "sklearn's predict refuses this")
        machine["n_support"] = [int(n) for n in estimator._n_support]
        extra = {}
        if k == 2:
            # sklearn's sign: the public attributes are libsvm's negated.
            machine["dual_coef"] = _finite(estimator, "dual_coef_", estimator.dual_coef_)
            machine["intercept"] = [float(x) for x in _finite(estimator, "intercept_", estimator.intercept_)]
            extra["class_decision"] = "raw_nonnegative"
        else:
            machine["dual_coef"] = _finite(estimator, "dual_coef_", estimator._dual_coef_)
            machine["intercept"] = [float(x) for x in _finite(estimator, "intercept_", estimator._intercept_)]
            if shape == "ovr":
                extra["decision_function"] = "ovo_to_ovr"
            extra["class_decision"] = "argmax_decision" if estimator.break_ties and shape == "ovr" else "ovo_votes"
        if _has_probability(estimator):
            extra.update(link="pairwise_coupling",
                         prob_a=[float(x) for x in _finite(estimator, "probA_", estimator._probA)],
                         prob_b=[float(x) for x in _finite(estimator, "probB_", estimator._probB)])
        else:
            extra["link"] = "hard"
        desc = describe(estimator, task="classification", n_features=n_features, n_outputs=k,
                        feature_names=feature_names, classes=classes, **extra)
    elif impl in ("epsilon_svr", "nu_svr"):
        machine["n_support"] = []
        machine["dual_coef"] = _finite(estimator, "dual_coef_", estimator._dual_coef_)
        machine["intercept"] = [float(x) for x in _finite(estimator, "intercept_", estimator._intercept_)]
        desc = describe(estimator, task="regression", n_features=n_features, n_outputs=1,
                        feature_names=feature_names, link="identity")
    elif impl == "one_class":
        machine["n_support"] = []
        machine["dual_coef"] = _finite(estimator, "dual_coef_", estimator._dual_coef_)
        machine["intercept"] = [0.0]
        offset = float(np.ravel(_finite(estimator, "offset_", estimator.offset_))[0])
        desc = describe(estimator, task="outlier_detection", n_features=n_features, n_outputs=1,
                        feature_names=feature_names, classes=np.array([-1, 1]), link="identity",
                        decision_function="output_minus_offset", decision_offset=offset,
                        class_decision="decision_positive")
    else:
        _refuse(estimator, f"libsvm type {impl!r}", "this SVM type is not supported")
    return Exported(machine, desc, _core.save_kernel_machine, preprocessing)


def exporters():
    from sklearn import svm
    return {cls: export_svm for cls in (svm.SVC, svm.NuSVC, svm.SVR, svm.NuSVR, svm.OneClassSVM)}
