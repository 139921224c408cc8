"""CalibratedClassifierCV and IsotonicRegression, composed in the
preprocessing program (FORMAT.md §7.3).

CalibratedClassifierCV.predict_proba is the mean over its
calibrated_classifiers_ (one per fold with ensemble=True; one with
ensemble=False, cv='prefit' or a FrozenEstimator) of each one's
_CalibratedClassifier.predict_proba:

* the base's decision_function if it has one, else its predict_proba (for
  two classes only the second column), as scikit-learn picks it (1.2:
  _get_prediction_method; 1.6 and 1.9: _get_response_values with
  response_method ["decision_function", "predict_proba"]): a sub_model op;
* each class's column through its calibrator: sigmoid (_SigmoidCalibration,
  expit(-(a_ * f + b_))) as min_max (a = -a_, b = -b_: the negation is
  exact) then elementwise expit; isotonic (IsotonicRegression with
  out_of_bounds='clip': np.interp over X_thresholds_, y_thresholds_, the
  clip changes nothing there) as one interpolate op;
* two classes: one calibrator gives class 1, class 0 is 1 - p (min_max
  a = -1, b = 1); more: sum_to_one (the division by the row's np.sum, 1/K
  where it is 0, the clamp of values in (1, 1 + 1e-5]);
* the mean: weighted_mean with weights 1 and divisor their number (the same
  additions as scikit-learn's mean_proba += proba, then /=), none for one.

predict is the first class of largest probability (np.argmax), the file's
predictor a pass-through.  Refused by name: a base that saw only some of the
classes (scikit-learn gives the others probability 0), a calibrator of
another kind (method='temperature' of 1.8+, whose multi-class logits depend
on the whole batch), isotonic thresholds
that are not float64, SVC / NuSVC bases with decision_function_shape='ovo'
and more than two classes.

IsotonicRegression alone (a regressor of one column): the same interpolate
op; out_of_bounds='nan' and 'raise' are refused by name.
"""

import numpy as np

from ._sklearn_pipeline import class_name, refuse


def calibrated_base(calibrated):
    """The model a _CalibratedClassifier predicts with: its estimator, or
    the one a FrozenEstimator (scikit-learn 1.6+) wraps, which predicts the
    same (hasattr and the methods pass through to it)."""
    est = calibrated.estimator
    while type(est).__name__ == "FrozenEstimator" and type(est).__module__.startswith("sklearn."):
        est = est.estimator
    return est


def _final(est):
    return est.steps[-1][1] if hasattr(est, "steps") else est


def _response_method(base):
    """decision_function if the base has it, else predict_proba (hasattr on
    the estimator as scikit-learn asks it: a Pipeline has the methods of its
    final step)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(base, "decision_function"):
            return "decision_function"
        if hasattr(base, "predict_proba"):
            return "predict_proba"
    return None


def _thresholds(est, iso, where):
    """X_thresholds_, y_thresholds_ of a fitted IsotonicRegression that
    clips, as float64 arrays."""
    if iso.out_of_bounds != "clip":
        refuse(est, where, f"out_of_bounds={iso.out_of_bounds!r}: mlmap predicts IsotonicRegression with "
                           "out_of_bounds='clip' only (its default in CalibratedClassifierCV)")
    x, y = np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)
    if x.dtype != np.float64 or y.dtype != np.float64:
        refuse(est, where, f"isotonic thresholds of dtype {x.dtype} (fitted on float32 data): mlmap interpolates "
                           "float64 thresholds only")
    if x.ndim != 1 or x.shape != y.shape or len(x) == 0:
        refuse(est, where, "its isotonic thresholds are not two 1-D arrays of one length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(x[:-1] <= x[1:])):
        refuse(est, where, "its isotonic thresholds are not finite and sorted")
    return x, y


def _interpolate(prog, slots, thresholds):
    xs = [x for x, _ in thresholds]
    ys = [y for _, y in thresholds]
    return prog.emit("interpolate", slots, len(slots), category_counts=[len(x) for x in xs],
                     columns=[{"role": "x", "values": np.concatenate(xs)},
                              {"role": "y", "values": np.concatenate(ys)}])


def _calibrate(prog, est, calibrators, cols, where):
    """Each column of ``cols`` through its calibrator (in order)."""
    from sklearn.isotonic import IsotonicRegression
    kinds = {type(c) for c in calibrators}
    if len(kinds) != 1:
        refuse(est, where, "its calibrators are of different kinds")
    kind = kinds.pop()
    slots = [c.slot for c in cols]
    if kind is IsotonicRegression:
        return _interpolate(prog, slots, [_thresholds(est, c, where) for c in calibrators])
    if kind.__name__ == "_SigmoidCalibration":
        # expit(-(a_ * f + b_)): (-a_) * f + (-b_) is the same number
        a = [-float(c.a_) for c in calibrators]
        b = [-float(c.b_) for c in calibrators]
        if not np.all(np.isfinite(a + b)):
            refuse(est, where, "a sigmoid calibrator's coefficients are not finite")
        z = prog.emit("min_max", slots, len(slots), a=a, b=b)
        return prog.emit("elementwise", [c.slot for c in z], len(z), function="expit")
    refuse(est, where, f"calibrators of kind {kind.__name__} (method={getattr(est, 'method', None)!r}): mlmap "
                       "supports method='sigmoid' and method='isotonic'")


def _calibrated_classifier(prog, est, calibrated, cols, where, name):
    """The K probability columns of one _CalibratedClassifier."""
    from ._sklearn_meta import sub_model
    classes = np.asarray(est.classes_)
    k = len(classes)
    base = calibrated_base(calibrated)
    here = where + [f"estimator ({class_name(base)})"]
    base_classes = getattr(base, "classes_", None)
    if base_classes is None or not np.array_equal(np.asarray(base_classes), classes):
        refuse(est, here, "its estimator was fitted on only some of the classes (its cross-validation fold "
                          "missed a class): scikit-learn gives them probability 0, which mlmap does not model")
    final = _final(base)
    if (k > 2 and type(final).__name__ in ("SVC", "NuSVC") and type(final).__module__.startswith("sklearn.")
            and getattr(final, "decision_function_shape", "ovr") == "ovo"):
        refuse(est, here, "decision_function_shape='ovo' with more than two classes (scikit-learn pairs the "
                          "one-vs-one columns with the classes' calibrators)")
    calibrators = list(calibrated.calibrators)
    if len(calibrators) != (1 if k == 2 else k):
        refuse(est, here, f"{len(calibrators)} calibrators for {k} classes")
    method = _response_method(base)
    if method == "decision_function":
        scores = sub_model(prog, base, cols, here, "decision", name)
    elif method == "predict_proba":
        scores = sub_model(prog, base, cols, here, "outputs", name)
        if k == 2:
            scores = scores[1:]
    else:
        refuse(est, here, "its estimator has neither decision_function nor predict_proba")
    if len(scores) != len(calibrators):
        refuse(est, here, f"its {method} gives {len(scores)} columns for {len(calibrators)} calibrators")
    calibrated_cols = _calibrate(prog, est, calibrators, scores, here)
    if k == 2:
        p1 = calibrated_cols
        p0 = prog.emit("min_max", [p1[0].slot], 1, a=[-1.0], b=[1.0])  # 1.0 - p
        return p0 + p1
    return prog.emit("sum_to_one", [c.slot for c in calibrated_cols], k)


def calibrated(prog, est, cols, where):
    """CalibratedClassifierCV.predict_proba's K columns."""
    from ._sklearn_meta import _weighted_mean
    label = type(est).__name__
    method = getattr(est, "method", None)
    if method not in ("sigmoid", "isotonic"):
        why = (" (scikit-learn 1.9 takes multi-class scores for probabilities, and their logarithms, when the whole "
               "batch looks like probabilities: a row's answer depends on the other rows)" if method == "temperature"
               else "")
        refuse(est, where, f"method={method!r}{why}: mlmap supports method='sigmoid' and method='isotonic'")
    pairs = list(est.calibrated_classifiers_)
    groups = []
    for i, c in enumerate(pairs):
        here = where + [f"calibrated_classifiers_[{i}]"]
        groups.append(_calibrated_classifier(prog, est, c, cols, here,
                                             f"the estimator of calibrated classifier {i} of the {label}"))
    if len(groups) == 1:
        return groups[0]
    return _weighted_mean(prog, groups, [1.0] * len(groups), float(len(groups)))


def isotonic(prog, est, cols, where):
    """IsotonicRegression.predict: np.interp over its thresholds."""
    if len(cols) != 1:
        refuse(est, where, f"it reads one column, here {len(cols)}")
    x, y = _thresholds(est, est, where)
    return _interpolate(prog, prog.numeric(cols, where), [(x, y)])


def export_calibrated(est, feature_names, preprocessing=None):
    from ._sklearn_meta import _export_pass_through
    return _export_pass_through(est, feature_names, preprocessing, calibrated, task="classification",
                                classes=est.classes_, link="identity", class_decision="argmax_outputs")


def export_isotonic(est, feature_names, preprocessing=None):
    from ._sklearn_meta import _export_pass_through
    return _export_pass_through(est, feature_names, preprocessing, isotonic, task="regression", link="identity")


def combiners():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.isotonic import IsotonicRegression
    return {CalibratedClassifierCV: calibrated, IsotonicRegression: isotonic}


def exporters():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.isotonic import IsotonicRegression
    return {CalibratedClassifierCV: export_calibrated, IsotonicRegression: export_isotonic}
