"""Meta-estimators: models made of models (VotingClassifier/Regressor,
StackingClassifier/Regressor, TransformedTargetRegressor,
MultiOutputRegressor/Classifier, BaggingClassifier/Regressor, AdaBoostClassifier with
SAMME and SAMME.R, AdaBoostRegressor, OneVsRestClassifier), composed in the
preprocessing program (FORMAT.md §7.3).

CalibratedClassifierCV and IsotonicRegression: _sklearn_calibration.py.

AdaBoostClassifier as a base of another meta-estimator composes in the same
program: its decision_function as its own export computes it, its
predict_proba from that (_adaboost_proba), its predict as class indicators
(_adaboost_class_one_hot); other_outputs() says which outputs beside
predict_proba / predict a combiner computes.

MultiOutputClassifier: the estimators' probabilities (or, for estimators
without predict_proba, their classes as indicators) side by side, one output
group each (FORMAT.md §6, ArgmaxOutputsPerGroup), with their classes beside
them when some estimator's predict is not the argmax of its probabilities.
Its estimator may be a meta-estimator (voting, bagging, calibration, AdaBoost,
stacking): what it computes as a combiner, and its predict beside where that
is not their first largest (_predict_is_first_largest).

OneVsRestClassifier on a multilabel target: one output group [1 - p, p] per
class, labels 0 / 1 (_ovr_multilabel), metadata mlmap.multilabel for the
Python reader's (n, K) predict_proba.

OneVsRestClassifier as the estimator of a MultiOutputClassifier: its
probabilities and class computed in the program (_ovr_probabilities_and_class),
the probabilities normalised per output group by the file's link
(_multi_output_link: Normalize, or NormalizeNan where this scikit-learn makes a
row of zeros NaN).

Not yet supported (refused by name, UnsupportedModelError): OneVsRestClassifier
as the estimator of another meta-estimator; OneVsRestClassifier on binary or
multiclass targets over bases whose predict_proba is not the logistic of their
decision_function (a file has one set of raw scores, from which both its class
and its probabilities follow).

Each base estimator becomes a ``sub_model`` op: a complete model file of its
final estimator, nested in a column, that reads the op's input slots and
writes what the meta-estimator consumes (its probabilities or values, its
decision values, or its predicted class as indicators).  A base that is a
Pipeline has its preprocessing flattened into the same program before it; a
base that is itself a Voting or Stacking estimator flattens the same way.
The combination is ops after them (``weighted_mean``: np.average's weighted
sum in estimator order, then the division), and the file's predictor is the
stacking's final estimator, or for voting a pass-through (an affine layer of
ones) whose raw scores are the combined values.

Base estimators run on the meta-estimator's input as scikit-learn gives it
to them; labels: the bases are fitted on encoded targets (0 .. K-1), the file
carries the meta-estimator's own classes_.
"""

import os
import tempfile

import numpy as np

from ._errors import UnsupportedModelError
from ._sklearn import describe, public_name, refuses_infinity
from ._sklearn_pipeline import Col, Program, class_name, path_text, refuse, transform


def _names(est):
    """The names of the fitted estimators (est.estimators_), 'drop' left out."""
    return [name for name, e in est.estimators if not (isinstance(e, str) and e == "drop")]


def _nested_file(est, where):
    """The bytes of a standalone mlmap file of ``est``."""
    from ._sklearn import export
    exported = export(est)
    if exported.preprocessing is not None:
        refuse(est, where, "as a base estimator it needs a preprocessing program of its own")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "sub.mlmap")
        exported.write(path)
        with open(path, "rb") as f:
            return f.read(), exported.description


def _through_pipeline(prog, est, cols, where):
    """A Pipeline's final estimator, the columns its steps (flattened into
    the program) give it and where it is; any other model as it is."""
    from sklearn.pipeline import Pipeline
    from ._sklearn_pipeline import _pipeline_steps
    if type(est) is Pipeline:
        steps = _pipeline_steps(est, where)
        for here, step in steps[:-1]:
            cols = transform(prog, step, cols, here)
        where, est = steps[-1]
    return est, cols, where


def sub_model(prog, est, cols, where, output, name, described=None):
    """Columns that ``est`` (a fitted model at ``where``) writes from ``cols``:
    output 'outputs' (predict_proba / predict values), 'decision'
    (decision_function), 'raw' or 'class_one_hot' (predict's class), or
    from one run 'outputs_and_decision' or 'outputs_and_class_one_hot' (the
    outputs, then the other; of a meta-estimator where other_outputs() has
    it); or a function of the nested file's description giving one of
    those.  ``described``, a list, receives the nested file's
    description."""
    est, cols, where = _through_pipeline(prog, est, cols, where)
    nested = combiners().get(type(est))
    if nested is not None:
        if callable(output):
            refuse(est, where, "nested in another meta-estimator that reads two of its outputs from one run")
        if output != "outputs":
            other = other_outputs().get(type(est), {}).get(output)
            if other is None:
                refuse(est, where, f"nested in another meta-estimator that reads its {output}")
            handler, description = other
            if described is not None:
                described.append(description(est))
            return handler(prog, est, cols, where)
        return nested(prog, est, cols, where)
    n = getattr(est, "n_features_in_", len(cols))
    if n != len(cols):
        refuse(est, where, f"it was fitted on {n} columns but receives {len(cols)}")
    data, desc = _nested_file(est, where)
    if described is not None:
        described.append(desc)
    if callable(output):
        output = output(desc)
    k = desc["n_outputs"]
    widths = {"outputs": k, "class_one_hot": len(desc.get("classes") or []),
              "decision": 1 if (desc["task"] == "classification" and k == 2) else k}
    widths["outputs_and_class_one_hot"] = k + widths["class_one_hot"]
    widths["outputs_and_decision"] = k + widths["decision"]
    width = widths[output]
    slots = prog.numeric(cols, where, input_check=False)  # the bases' rule: _with_infinity
    return prog.emit("sub_model", slots, width, sub_model_output=output, name=name,
                     columns=[{"role": "file", "bytes": data}])


def _in_one_run(est, output):
    """Whether sub_model gives ``output`` ('outputs_and_...') of the final
    estimator ``est`` from one run: a model of its own, or a meta-estimator
    computing both (other_outputs())."""
    return type(est) not in combiners() or output in other_outputs().get(type(est), {})


def _weighted_mean(prog, groups, weights, divisor):
    k = len(groups[0])
    inputs = [c.slot for g in groups for c in g]
    return prog.emit("weighted_mean", inputs, k, a=[float(w) for w in weights], b=[float(divisor)])


def _check_encoded_classes(est, base, where, k):
    classes = getattr(base, "classes_", None)
    if classes is None or len(classes) != k or not np.array_equal(np.asarray(classes), np.arange(k)):
        refuse(est, where, f"its estimator {class_name(base)} was not fitted on the {k} encoded classes")


def _voting(prog, est, cols, where):
    from sklearn import ensemble
    names = _names(est)
    weights = est._weights_not_none
    m = len(est.estimators_)
    w = [1.0] * m if weights is None else [float(x) for x in weights]
    label = type(est).__name__
    if type(est) is ensemble.VotingRegressor:
        outs = [sub_model(prog, e, cols, where + [f"estimator {n!r} ({class_name(e)})"], "outputs",
                          f"estimator '{n}' of the {label}") for n, e in zip(names, est.estimators_)]
        for o, e, n in zip(outs, est.estimators_, names):
            if len(o) != 1:
                refuse(est, where, f"estimator {n!r} predicts {len(o)} values per row")
        # np.average(predictions, axis=1, weights): the weighted sum / sum of weights
        divisor = float(np.sum(np.asarray(w, dtype=np.float64))) if weights is not None else float(m)
        return _weighted_mean(prog, outs, w, divisor)
    k = len(est.classes_)
    soft = est.voting == "soft"
    outs = []
    for n, e in zip(names, est.estimators_):
        here = where + [f"estimator {n!r} ({class_name(e)})"]
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        if type(final) not in combiners():
            _check_encoded_classes(est, final, here, k)
        outs.append(sub_model(prog, e, cols, here, "outputs" if soft else "class_one_hot",
                              f"estimator '{n}' of the {label}"))
    if soft:
        divisor = float(np.sum(np.asarray(w, dtype=np.float64))) if weights is not None else float(m)
        return _weighted_mean(prog, outs, w, divisor)
    # hard: np.bincount(predictions, weights) per row, then argmax
    return _weighted_mean(prog, outs, w, 1.0)


def _stack_inputs(prog, est, cols, where):
    """The columns StackingClassifier/Regressor.transform gives its final
    estimator (_concatenate_predictions), base by base, then passthrough."""
    from sklearn import ensemble
    names = _names(est)
    label = type(est).__name__
    classifier = type(est) is ensemble.StackingClassifier
    k = len(est.classes_) if classifier else 0
    if classifier and not isinstance(est.classes_, np.ndarray):
        refuse(est, where, "multi-output stacking is not supported")
    out = []
    for n, e, method in zip(names, est.estimators_, est.stack_method_):
        here = where + [f"estimator {n!r} ({class_name(e)})"]
        name = f"estimator '{n}' of the {label}"
        if method == "predict_proba":
            probs = sub_model(prog, e, cols, here, "outputs", name)
            out.extend(probs[1:] if k == 2 else probs)
        elif method == "decision_function":
            out.extend(sub_model(prog, e, cols, here, "decision", name))
        elif method == "predict":
            if classifier:
                # the encoded class index: sum_k k * indicator_k
                one_hot = sub_model(prog, e, cols, here, "class_one_hot", name)
                out.extend(_weighted_mean(prog, [[c] for c in one_hot], list(range(len(one_hot))), 1.0))
            else:
                vals = sub_model(prog, e, cols, here, "outputs", name)
                out.extend(vals)
        else:
            refuse(est, here, f"stack_method {method!r} is not supported")
    if est.passthrough:
        out.extend(cols)
    return out


def _stacking_as_base(prog, est, cols, where):
    """A Stacking estimator nested in another meta-estimator: its final
    estimator is one more sub-model."""
    stack = _stack_inputs(prog, est, cols, where)
    final = est.final_estimator_
    from sklearn.base import is_classifier
    output = "outputs"
    name = f"the final estimator of the {type(est).__name__}"
    if is_classifier(est):
        _check_encoded_classes(est, final, where, len(est.classes_))
    return sub_model(prog, final, stack, where + [f"final_estimator ({class_name(final)})"], output, name)


def _stacking_class_one_hot(prog, est, cols, where):
    """StackingClassifier.predict as class indicators: its final
    estimator's predict on the stack (encoded classes)."""
    return _stacking_final(prog, est, cols, where, "class_one_hot")


def _stacking_proba_and_class(prog, est, cols, where):
    """StackingClassifier's predict_proba, then its predict as class
    indicators, its bases run once for both (and its final estimator, where
    it is a model of its own or a meta-estimator computing both at once:
    SubModel OutputsAndClassOneHot)."""
    stack = _stack_inputs(prog, est, cols, where)
    final = est.final_estimator_
    inner = final.steps[-1][1] if hasattr(final, "steps") else final
    if not _in_one_run(inner, "outputs_and_class_one_hot"):
        return (_stacking_final(prog, est, cols, where, "outputs", stack)
                + _stacking_final(prog, est, cols, where, "class_one_hot", stack))
    return _stacking_final(prog, est, cols, where, "outputs_and_class_one_hot", stack)


def _stacking_final(prog, est, cols, where, output, stack=None):
    """The columns ``output`` of a StackingClassifier's final estimator
    (fitted on the encoded classes) on its stack (computed here unless
    given)."""
    if stack is None:
        stack = _stack_inputs(prog, est, cols, where)
    final = est.final_estimator_
    _check_encoded_classes(est, final, where, len(est.classes_))
    return sub_model(prog, final, stack, where + [f"final_estimator ({class_name(final)})"], output,
                     f"the final estimator of the {type(est).__name__}")


def _ufuncs():
    """TransformedTargetRegressor's inverse_func: the allow-list (numpy ufuncs
    by identity; a file holds no code)."""
    return {np.exp: "exp", np.expm1: "expm1", np.log: "log", np.log1p: "log1p", np.square: "square",
            np.sqrt: "sqrt"}


def _transformed_target(prog, est, cols, where):
    """TransformedTargetRegressor.predict: transformer_.inverse_transform of
    regressor_.predict, column by column."""
    from sklearn import preprocessing as pp
    label = type(est).__name__
    reg = est.regressor_
    vals = sub_model(prog, reg, cols, where + [f"regressor_ ({class_name(reg)})"], "outputs",
                     f"the regressor of the {label}")
    t = est.transformer_
    here = where + [f"transformer_ ({class_name(t)})"]
    slots = prog.numeric(vals, here)
    k = len(slots)
    if type(t) is pp.FunctionTransformer:
        if t.inverse_func is None:
            return vals
        name = _ufuncs().get(t.inverse_func)
        if name is None or t.inv_kw_args:
            allowed = ", ".join(f"numpy.{n}" for n in _ufuncs().values())
            refuse(est, here, f"inverse_func={getattr(t.inverse_func, '__name__', t.inverse_func)!r}"
                              f"{' with inv_kw_args' if t.inv_kw_args else ''}: mlmap saves only "
                              f"the numpy functions {allowed} (a model file holds no code)")
        return prog.emit("elementwise", slots, k, function=name)
    if type(t) is pp.StandardScaler:  # inverse: x * scale_ then + mean_
        a = t.scale_ if t.with_std else np.ones(k)
        b = t.mean_ if t.with_mean else np.zeros(k)
        return prog.emit("min_max", slots, k, a=[float(v) for v in a], b=[float(v) for v in b])
    if type(t) is pp.MaxAbsScaler:  # inverse: x * scale_
        return prog.emit("min_max", slots, k, a=[float(v) for v in t.scale_], b=[0.0] * k)
    if type(t) is pp.MinMaxScaler:  # inverse: (x - min_) / scale_
        return prog.emit("standardize", slots, k, a=[float(v) for v in t.min_], b=[float(v) for v in t.scale_])
    refuse(est, here, "mlmap inverts only FunctionTransformer (numpy inverse_func), StandardScaler, "
                      "MinMaxScaler and MaxAbsScaler targets")


def _multi_output_regressor(prog, est, cols, where):
    """MultiOutputRegressor.predict: one fitted regressor per target."""
    label = type(est).__name__
    out = []
    for i, e in enumerate(est.estimators_):
        vals = sub_model(prog, e, cols, where + [f"estimators_[{i}] ({class_name(e)})"], "outputs",
                         f"estimator {i} of the {label}")
        if len(vals) != 1:
            refuse(est, where, f"estimator {i} predicts {len(vals)} values per row")
        out.extend(vals)
    return out


def _multi_output_has_proba(est):
    """Whether MultiOutputClassifier.predict_proba exists: its estimator has
    predict_proba (every estimators_ is a clone of it)."""
    return all(hasattr(e, "predict_proba") for e in est.estimators_)


def _final(e):
    """A Pipeline's final estimator; any other model itself."""
    return e.steps[-1][1] if hasattr(e, "steps") else e


def _multi_output_link(est, where):
    """The link of a MultiOutputClassifier's file: identity (raw = the
    probabilities), hard without predict_proba, or over OneVsRestClassifiers
    with predict_proba their normalisation (_ovr_normalize_link), which the
    link applies to each output group on its own, so that a row of zeros
    becomes NaN (scikit-learn 1.2 to 1.6) in that output alone."""
    from sklearn import multiclass
    if not _multi_output_has_proba(est):
        return "hard"
    ovr = [type(_final(e)) is multiclass.OneVsRestClassifier for e in est.estimators_]
    if not any(ovr):
        return "identity"
    if not all(ovr):
        refuse(est, where, "some of its estimators_ are OneVsRestClassifiers and some are not: mlmap normalises "
                           "the OneVsRestClassifiers' probabilities with the file's link, which is one for all outputs")
    return _ovr_normalize_link(_final(est.estimators_[0]))


def _multi_output_classifier(prog, est, cols, where):
    """MultiOutputClassifier: (scores, indicators).  scores: each output's
    estimator's predict_proba, or without it its predicted class as
    indicators (link hard); one group per output.  indicators: empty when
    every estimator's predict is the first largest of its probabilities
    (its class decision argmax_outputs: trees, forests, k-NN), else every
    estimator's predicted class as indicators (its own predict, exact where
    the argmax of the probabilities could differ: SVC(probability=True), or
    ties of probabilities that round equal), read as trailing features."""
    from sklearn import multiclass
    label = type(est).__name__
    with_proba = _multi_output_has_proba(est)
    scores, bases = [], []
    exact = True
    for i, e in enumerate(est.estimators_):
        here = where + [f"estimators_[{i}] ({class_name(e)})"]
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        name = f"estimator {i} of the {label}"
        described, own = [], None  # own: its class as indicators, from the same run
        if type(final) is multiclass.OneVsRestClassifier:
            # its tie rule in the program, its normalisation the link's
            proba, own = _ovr_probabilities_and_class(prog, *_through_pipeline(prog, e, cols, here))
            out, first_largest = (proba, False) if with_proba else (own, True)
            own = own if with_proba else None
        elif type(final) in combiners():
            # a meta-estimator: its predict_proba (hard voting: its vote counts),
            # and where its predict is not their first largest (AdaBoost,
            # stacking) that beside them, computed once for both
            first_largest = _predict_is_first_largest(final)
            both = not first_largest and with_proba
            out = sub_model(prog, e, cols, here, "outputs_and_class_one_hot" if both else "outputs", name)
            if both:
                n_classes = len(np.asarray(e.classes_))
                out, own = out[:len(out) - n_classes], out[len(out) - n_classes:]
        elif with_proba:
            # its probabilities, and its class beside them where that is not
            # their first largest (one run of it for both)
            out = sub_model(prog, e, cols, here, lambda d: "outputs" if _decides_first_largest(d)
                            else "outputs_and_class_one_hot", name, described)
            first_largest = _decides_first_largest(described[0])
            if not first_largest:
                n_classes = len(described[0]["classes"])
                out, own = out[:len(out) - n_classes], out[len(out) - n_classes:]
        else:
            out, first_largest = sub_model(prog, e, cols, here, "class_one_hot", name), True
        if len(out) != len(np.asarray(e.classes_)):
            refuse(est, here, f"it gives {len(out)} values for {len(e.classes_)} classes")
        exact = exact and first_largest
        bases.append((e, here, name, first_largest, own, out))
        scores.extend(out)
    if exact:
        return scores, []
    indicators = []
    for e, here, name, first_largest, own, out in bases:
        if own is not None:
            indicators.extend(own)
        elif first_largest:  # its predict is the first largest of what it wrote
            indicators.extend(largest_one_hot(prog, out))
        else:  # a meta-estimator deciding on other values (AdaBoost, stacking)
            indicators.extend(sub_model(prog, e, cols, here, "class_one_hot", name))
    return scores, indicators


def _decides_first_largest(description):
    """Whether a nested file's class is the first largest of its outputs."""
    return description.get("class_decision", "argmax_outputs") == "argmax_outputs"


def _predict_is_first_largest(est):
    """Whether a meta-estimator classifier's predict is the first largest of
    what it computes as a combiner (combiners()): np.argmax of its
    predict_proba (soft voting, bagging, calibration) or of its vote counts
    (hard voting); AdaBoost decides on its decision values, stacking by its
    final estimator's predict (their class_one_hot, other_outputs())."""
    from sklearn import calibration, ensemble
    return type(est) in (ensemble.VotingClassifier, ensemble.BaggingClassifier, calibration.CalibratedClassifierCV)


def multi_output_classes(est, per_output, where):
    """The outputs' class labels (``per_output``, one array each),
    concatenated, and each output's count."""
    classes = [np.asarray(c) for c in per_output]
    kinds = {c.dtype.kind for c in classes}
    if len(kinds) != 1 or len({c.dtype.str for c in classes if c.dtype.kind != "U"}) > 1:
        refuse(est, where, "its outputs' class labels have different dtypes "
                           f"({', '.join(sorted({str(c.dtype) for c in classes}))}); mlmap keeps one label dtype")
    return np.concatenate(classes), [len(c) for c in classes]


def export_multi_output_classifier(est, feature_names, preprocessing=None):
    """MultiOutputClassifier: raw = the estimators' probabilities (outputs
    = raw) or, without predict_proba, their class indicators (link hard:
    no probabilities) side by side; predict each output's first largest
    raw score (output_groups) or, when some estimator's predict is not the
    argmax of its probabilities, of its class indicators computed beside
    them (decision function trailing_features, which the predictor passes
    over)."""
    from . import _core
    from ._sklearn import Exported
    where = [type(est).__name__]
    classes, groups = multi_output_classes(est, [e.classes_ for e in est.estimators_], where)
    link = _multi_output_link(est, where)
    prog, cols = _program(est, feature_names, preprocessing)
    scores, indicators = _multi_output_classifier(prog, est, cols, where)
    prog.finish(scores + indicators, where)
    k, d = len(scores), len(indicators)
    # raw_j = feature j: weight 1 from it, 0 from every other (finite) feature
    pick = np.zeros((k + d, k))
    pick[np.arange(k), np.arange(k)] = 1.0
    layers = [dict(kind="dense", weights=pick, bias=np.zeros(k), activation="identity")]
    decide = dict(decision_function="trailing_features", decision_features=d) if d else {}
    desc = describe(est, task="classification", n_features=prog.n_inputs, feature_names=prog.feature_names,
                    n_outputs=k, classes=classes, link=link, class_decision="argmax_outputs_per_group",
                    output_groups=groups, **decide)
    return _with_infinity(Exported(layers, desc, _core.save_dense, prog), est, prog)


def _bagging(prog, est, cols, where):
    """BaggingRegressor.predict: the mean of the estimators' predictions on
    their feature subsets; BaggingClassifier.predict_proba: the mean of their
    predict_proba (or of their votes, for bases without it)."""
    from sklearn import ensemble
    label = type(est).__name__
    classifier = type(est) is ensemble.BaggingClassifier
    k = len(est.classes_) if classifier else 0
    outs = []
    for i, (e, feats) in enumerate(zip(est.estimators_, est.estimators_features_)):
        here = where + [f"estimators_[{i}] ({class_name(e)})"]
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        sub = [cols[int(j)] for j in feats]
        name = f"estimator {i} of the {label}"
        if classifier:
            _check_encoded_classes(est, final, here, k)
            out = sub_model(prog, e, sub, here, "outputs" if hasattr(final, "predict_proba") else "class_one_hot",
                            name)
        else:
            out = sub_model(prog, e, sub, here, "outputs", name)
            if len(out) != 1:
                refuse(est, here, f"it predicts {len(out)} values per row")
        outs.append(out)
    n = len(outs)
    return _weighted_mean(prog, outs, [1.0] * n, float(n))


def _bagging_proba_and_decision(prog, est, cols, where):
    """BaggingClassifier's predict_proba (as _bagging) and decision_function
    (the sum of the estimators' decision_function on their feature subsets
    over n_estimators); each estimator with predict_proba that is a model of
    its own runs once for both (SubModel outputs_and_decision)."""
    label = type(est).__name__
    k = len(est.classes_)
    probas, decisions = [], []
    for i, (e, feats) in enumerate(zip(est.estimators_, est.estimators_features_)):
        here = where + [f"estimators_[{i}] ({class_name(e)})"]
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        sub = [cols[int(j)] for j in feats]
        name = f"estimator {i} of the {label}"
        _check_encoded_classes(est, final, here, k)
        if hasattr(final, "predict_proba") and _in_one_run(final, "outputs_and_decision"):
            both = sub_model(prog, e, sub, here, "outputs_and_decision", name)
            probas.append(both[:k])
            decisions.append(both[k:])
        else:
            probas.append(sub_model(prog, e, sub, here, "outputs" if hasattr(final, "predict_proba")
                                    else "class_one_hot", name))
            decisions.append(sub_model(prog, e, sub, here, "decision", name))
    n = len(probas)
    return (_weighted_mean(prog, probas, [1.0] * n, float(n)),
            _weighted_mean(prog, decisions, [1.0] * n, float(n)))


def _adaboost_decision(prog, est, cols, where):
    """AdaBoostClassifier (SAMME).decision_function: the estimators' weighted
    class votes over the sum of the weights; binary: vote(1) - vote(0), one
    column."""
    label = type(est).__name__
    real = getattr(est, "algorithm", "SAMME") == "SAMME.R"
    classes = np.asarray(est.classes_)
    k = len(classes)
    if k < 2:
        refuse(est, where, "it was fitted on a single class")
    weights = np.asarray(est.estimator_weights_, dtype=np.float64)
    total = float(weights.sum())
    groups, w = [], []
    for i, e in enumerate(est.estimators_):
        here = where + [f"estimators_[{i}] ({class_name(e)})"]
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        if not np.array_equal(np.asarray(getattr(final, "classes_", [])), classes):
            refuse(est, here, "its classes_ differ from the ensemble's")
        name = f"estimator {i} of the {label}"
        if real:
            # SAMME.R: every estimator's weight is 1 (estimator_weights_ holds it)
            groups.append(_samme_proba(prog, e, cols, here, name, k))
            w.append(float(k - 1))
        else:
            groups.append(sub_model(prog, e, cols, here, "class_one_hot", name))
            w.append(float(weights[i]))
    if real:
        # sum over the estimators of (K - 1) * their centred log-probabilities,
        # then pred /= estimator_weights_.sum()
        pred = _weighted_mean(prog, groups, w, total)
        if k == 2:  # pred[:, 0] *= -1; pred.sum(axis=1)
            return _weighted_mean(prog, [[pred[0]], [pred[1]]], [-1.0, 1.0], 1.0)
        return pred
    if k == 2:
        # sklearn: pred[:, 0] *= -1; pred.sum(axis=1): each vote for class 0 counts -w
        ones = [[c] for g in groups for c in g]
        signed = [x for wi in w for x in (-wi, wi)]
        votes = _weighted_mean(prog, ones, signed, total)
    else:
        votes = _weighted_mean(prog, groups, w, total)
    if not _symmetric_samme_votes(est):
        return votes
    # Later versions code a vote as w for the predicted class and -w / (K - 1)
    # for the others: per class, K / (K - 1) * share - 1 / (K - 1) (binary: 2 * d)
    a, b = (2.0, 0.0) if k == 2 else (k / (k - 1.0), -1.0 / (k - 1.0))
    return prog.emit("min_max", [c.slot for c in votes], len(votes), a=[a] * len(votes), b=[b] * len(votes))


def _samme_proba(prog, e, cols, where, name, k):
    """scikit-learn 1.2's _samme_proba without its factor (K - 1): log p -
    (1 / K) * sum(log p) of the estimator's probabilities p, clipped below
    at np.finfo(float64).eps first (np.clip(proba, eps, None))."""
    probs = sub_model(prog, e, cols, where, "outputs", name)
    if len(probs) != k:
        refuse(e, where, f"it gives {len(probs)} probabilities for {k} classes")
    eps = float(np.finfo(np.float64).eps)
    clipped = prog.emit("min_max", [c.slot for c in probs], k, a=[1.0] * k, b=[0.0] * k, clip=True,
                        clip_low=eps, clip_high=float("inf"))
    logs = prog.emit("elementwise", [c.slot for c in clipped], k, function="log")
    # log_proba.sum(axis=1), in column order as numpy sums a short row
    (total,) = _weighted_mean(prog, [[c] for c in logs], [1.0] * k, 1.0)
    # log_proba - (1.0 / n_classes) * total: a[1] * total is -((1 / K) * total)
    return _weighted_mean(prog, [logs, [total] * k], [1.0, -(1.0 / k)], 1.0)


def _symmetric_samme_votes(est):
    """Whether this scikit-learn's AdaBoostClassifier.decision_function codes
    the other classes' votes as -w / (K - 1) (the symmetric SAMME coding of
    newer releases) rather than 0 (scikit-learn 1.2).  Read from the method
    itself: the release that changed it is not what mlmap should guess."""
    import inspect
    try:
        source = inspect.getsource(type(est).decision_function)
    except (OSError, TypeError):
        refuse(est, [type(est).__name__], "cannot read how this scikit-learn codes SAMME votes")
    return "-1 / (n_classes - 1)" in source.replace(" ", " ")


def _adaboost_proba(prog, est, cols, where):
    """AdaBoostClassifier.predict_proba as a base of another meta-estimator
    (_adaboost_proba_of its decision values)."""
    return _adaboost_proba_of(prog, est, _adaboost_decision(prog, est, cols, where))


def _adaboost_proba_and_class(prog, est, cols, where):
    """AdaBoostClassifier's predict_proba, then its predict as class
    indicators, from one computation of its decision values."""
    decision = _adaboost_decision(prog, est, cols, where)
    return _adaboost_proba_of(prog, est, decision) + _adaboost_class_one_hot_of(prog, est, decision)


def _adaboost_proba_and_decision(prog, est, cols, where):
    """AdaBoostClassifier's predict_proba, then its decision_function, from
    one computation of its decision values."""
    decision = _adaboost_decision(prog, est, cols, where)
    return _adaboost_proba_of(prog, est, decision) + decision


def _adaboost_proba_of(prog, est, decision):
    """_compute_proba_from_decision: softmax of decision / (K - 1) (binary:
    of [-d / 2, d / 2]) as Exp then SumToOne (the decision is bounded, so
    softmax's shift by the row maximum changes only roundings)."""
    k = len(est.classes_)
    if k == 2:
        (d,) = decision
        z = prog.emit("min_max", [d.slot, d.slot], 2, a=[-0.5, 0.5], b=[0.0, 0.0])  # exact halvings
    else:  # decision /= n_classes - 1: (x - 0) / (K - 1)
        z = prog.emit("standardize", [c.slot for c in decision], k, a=[0.0] * k, b=[float(k - 1)] * k)
    e = prog.emit("elementwise", [c.slot for c in z], k, function="exp")
    return prog.emit("sum_to_one", [c.slot for c in e], k)


def _adaboost_class_one_hot(prog, est, cols, where):
    """AdaBoostClassifier.predict as class indicators (_adaboost_class_one_hot_of
    its decision values)."""
    return _adaboost_class_one_hot_of(prog, est, _adaboost_decision(prog, est, cols, where))


def _adaboost_class_one_hot_of(prog, est, decision):
    """Binary d > 0 (Binarize at 0, class 0 its complement); more classes
    np.argmax of the decision values (largest_one_hot)."""
    k = len(est.classes_)
    if k == 2:
        (one,) = prog.emit("binarize", [decision[0].slot], 1, a=[0.0])
        zero = prog.emit("min_max", [one.slot], 1, a=[-1.0], b=[1.0])
        return zero + [one]
    return largest_one_hot(prog, decision)


def largest_one_hot(prog, values, last=False):
    """The largest of finite ``values`` (columns) as indicators, the first
    of equals (np.argmax) or with ``last`` the last: column i iff v_i > v_j
    for every j before i (with last: after) and not v_j > v_i for every
    other j (v_i - v_j > 0 exactly when v_i > v_j), the product of those
    indicators (Polynomial, powers 0 and 1)."""
    k = len(values)
    if k == 1:
        return prog.emit("min_max", [values[0].slot], 1, a=[0.0], b=[1.0])
    pairs = [(i, j) for i in range(k) for j in range(k) if i != j]
    diffs = [prog.emit("weighted_mean", [values[i].slot, values[j].slot], 1, a=[1.0, -1.0], b=[1.0])[0]
             for i, j in pairs]
    greater = prog.emit("binarize", [c.slot for c in diffs], len(diffs), a=[0.0] * len(diffs))
    # not d_j > d_i is 1 - [d_j - d_i > 0], pair (j, i)
    index = {pair: n for n, pair in enumerate(pairs)}
    not_less = prog.emit("min_max", [greater[index[(j, i)]].slot for i, j in pairs], len(pairs),
                         a=[-1.0] * len(pairs), b=[1.0] * len(pairs))
    factors = [greater[n] if (j < i) != last else not_less[n] for n, (i, j) in enumerate(pairs)]
    powers = np.zeros((k, len(pairs)), dtype=np.int64)
    for n, (i, _) in enumerate(pairs):
        powers[i, n] = 1
    return prog.emit("polynomial", [c.slot for c in factors], k, powers=[int(p) for p in powers.ravel()])


def _adaboost_regressor(prog, est, cols, where):
    """AdaBoostRegressor.predict: the weighted median of the estimators'
    predictions (_get_median_predict), weights estimator_weights_."""
    label = type(est).__name__
    outs = []
    for i, e in enumerate(est.estimators_):
        here = where + [f"estimators_[{i}] ({class_name(e)})"]
        vals = sub_model(prog, e, cols, here, "outputs", f"estimator {i} of the {label}")
        if len(vals) != 1:
            refuse(est, here, f"it predicts {len(vals)} values per row")
        outs.extend(vals)
    weights = np.asarray(est.estimator_weights_, dtype=np.float64)[:len(outs)]
    return prog.emit("weighted_median", [c.slot for c in outs], 1, a=[float(w) for w in weights])


def _ovr_ties_go_last(est):
    """Whether this scikit-learn's OneVsRestClassifier.predict gives a tie
    to the last of the equal scores: scikit-learn 1.2 to 1.6 keep a running
    maximum (argmaxima[maxima == pred] = i, the later estimator winning);
    1.9 iterates in reverse to match np.argmax (the first).  Read
    from the method itself, as _symmetric_samme_votes."""
    import inspect
    try:
        source = inspect.getsource(type(est).predict)
    except (OSError, TypeError):
        refuse(est, [type(est).__name__], "cannot read how this scikit-learn breaks ties in predict")
    compact = source.replace(" ", "")
    if "argmaxima[maxima==pred]=i\n" in compact and "reversed(" not in compact:
        return True
    if "reversed(self.estimators_)" in compact or "argmax(" in compact:
        return False
    refuse(est, [type(est).__name__], "this scikit-learn breaks ties in predict in a way mlmap does not know")


def _ovr_normalize_link(est):
    """The link that normalises this scikit-learn's OneVsRestClassifier
    probabilities: 1.2 to 1.6 divide every row by its sum (Y /= ...; a row
    of zeros becomes NaN, numpy's 0 / 0), 1.9 divides only rows whose sum is
    not 0 (np.divide(..., where=row_sums != 0); the zeros stay).  Read from
    the method itself, as _ovr_ties_go_last."""
    import inspect
    try:
        source = inspect.getsource(type(est).predict_proba)
    except (OSError, TypeError):
        refuse(est, [type(est).__name__], "cannot read how this scikit-learn normalises predict_proba")
    compact = source.replace(" ", "")
    if "where=row_sums!=0" in compact:
        return "normalize"
    if "Y/=np.sum(Y,axis=1)" in compact:
        return "normalize_nan"
    refuse(est, [type(est).__name__], "this scikit-learn normalises predict_proba in a way mlmap does not know")


def _ovr_scores(prog, est, cols, where):
    """OneVsRestClassifier: the per-class scores its predict compares
    (_predict_binary: each estimator's decision_function, else its
    predict_proba[:, 1]) and how its predict_proba follows from them."""
    from sklearn.base import is_classifier
    label = type(est).__name__
    has_decision = all(hasattr(e, "decision_function") for e in est.estimators_)
    has_proba = hasattr(est, "predict_proba")
    scores, links = [], set()
    for i, e in enumerate(est.estimators_):
        here = where + [f"estimators_[{i}] ({class_name(e)})"]
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        if type(final).__name__ == "_ConstantPredictor":
            refuse(est, here, "a class that every (or no) training row has: its estimator is a constant, which "
                              "mlmap does not save")
        if not is_classifier(final):
            refuse(est, here, "its estimators must be classifiers")
        name = f"estimator {i} of the {label}"
        described = []
        if has_decision:
            (score,) = sub_model(prog, e, cols, here, "decision", name, described)
            d = described[0]
            links.add((d["link"], float(d.get("link_scale", 1.0)), d.get("decision_function", "raw")))
        elif has_proba:
            probs = sub_model(prog, e, cols, here, "outputs", name)
            if len(probs) != 2:
                refuse(est, here, f"it gives {len(probs)} probabilities, not 2")
            score = probs[1]
        else:
            refuse(est, here, "it has neither decision_function nor predict_proba")
        scores.append(score)
    if not has_decision:
        return scores, dict(link=_ovr_normalize_link(est))
    if not has_proba:
        return scores, dict(link="hard")
    # predict_proba from decision_function: every estimator's probability of
    # its class is the logistic function of its decision value
    if len(links) != 1 or next(iter(links))[0] != "logistic" or next(iter(links))[2] != "raw":
        refuse(est, where + [f"estimators_ ({class_name(est.estimators_[0])})"],
               "its predict_proba is not the logistic function of its decision_function: mlmap keeps one score "
               "per class, so OneVsRestClassifier is supported over estimators without decision_function (trees, "
               "forests, naive Bayes, k-NN, MLP), without predict_proba, or whose probability is the logistic of "
               "the decision value (LogisticRegression, gradient boosting, SGDClassifier(loss='log_loss'))")
    return scores, dict(link="logistic", link_scale=next(iter(links))[1])


def _ovr_estimator_columns(prog, est, cols, where):
    """OneVsRestClassifier: per estimator (score, probability) columns, as
    its predict and predict_proba read them.  score: _predict_binary (its
    decision_function, else predict_proba[:, 1]); probability: its
    predict_proba[:, 1] where the OneVsRestClassifier has predict_proba,
    else None (the same column as score where that is it).  A class every
    (or no) training row has is a _ConstantPredictor: its score and
    probability its constant (c·0 + c on a probability of another
    estimator, which is finite)."""
    from sklearn.base import is_classifier
    label = type(est).__name__
    has_proba = hasattr(est, "predict_proba")
    constants, computed = {}, {}  # class -> its constant; class -> (score column, probability column)
    for i, e in enumerate(est.estimators_):
        here = where + [f"estimators_[{i}] ({class_name(e)})"]
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        if type(final).__name__ == "_ConstantPredictor":
            constants[i] = float(np.ravel(final.y_)[0])
            continue
        if not is_classifier(final):
            refuse(est, here, "its estimators must be classifiers")
        name = f"estimator {i} of the {label}"
        proba = score = None
        has_decision = hasattr(e, "decision_function")
        if has_proba:
            # one run for both where it is a model of its own
            both = has_decision and _in_one_run(final, "outputs_and_decision")
            probs = sub_model(prog, e, cols, here, "outputs_and_decision" if both else "outputs", name)
            if both:
                probs, (score,) = probs[:-1], probs[-1:]
            if len(probs) != 2:
                refuse(est, here, f"it gives {len(probs)} probabilities, not 2")
            proba = probs[1]
        if has_decision and score is None:
            (score,) = sub_model(prog, e, cols, here, "decision", name)
        elif score is None:
            if proba is None:
                refuse(est, here, "it has neither decision_function nor predict_proba")
            score = proba
        computed[i] = (score, proba)
    k = len(est.estimators_)
    if constants:
        if not computed:
            refuse(est, where, "every class is in every (or no) training row: every estimator is a constant")
        finite = next(iter(computed.values()))
        finite = finite[1] if finite[1] is not None else finite[0]
        values = prog.emit("min_max", [finite.slot] * len(constants), len(constants), a=[0.0] * len(constants),
                           b=list(constants.values()))
        for i, v in zip(constants, values):
            computed[i] = (v, v)
    return [computed[i] for i in range(k)]


def _ovr_threshold(est):
    """_threshold_for_binary_predict(estimators_[0]): 0 for a classifier
    with decision_function, else 0.5 (its predict_proba[:, 1])."""
    from sklearn.base import is_classifier
    first = est.estimators_[0]
    return 0.0 if hasattr(first, "decision_function") and is_classifier(first) else 0.5


def _ovr_multilabel(prog, est, cols, where):
    """OneVsRestClassifier on a multilabel target: (scores, indicators), one
    group of 2 per class.  Class j's label is 1 where its estimator's score
    is above the threshold estimators_[0] sets (_ovr_threshold);
    predict_proba gives each estimator's predict_proba[:, 1] unnormalised.
    scores: [1 - p, p] per class (without predict_proba: [1 - b, b], b the
    label).  indicators: empty when every score is p against 0.5 (p > 1 - p
    exactly when p > 0.5: 1 - p is exact for p >= 0.5), else [1 - b, b] per
    class."""
    threshold = _ovr_threshold(est)
    has_proba = hasattr(est, "predict_proba")
    computed = _ovr_estimator_columns(prog, est, cols, where)
    k = len(computed)
    score_cols = [computed[i][0] for i in range(k)]
    from_proba = threshold == 0.5 and all(computed[i][0] is computed[i][1] for i in range(k))

    if has_proba and from_proba:
        return _one_minus_beside(prog, score_cols), []
    labels = _one_minus_beside(prog, prog.emit("binarize", [c.slot for c in score_cols], k, a=[threshold] * k))
    if not has_proba:
        return labels, []
    return _one_minus_beside(prog, [computed[i][1] for i in range(k)]), labels


def _one_minus_beside(prog, positive):
    """[1 - x, x] per column (MinMax: 1 - x rounded once, as numpy's)."""
    k = len(positive)
    negative = prog.emit("min_max", [c.slot for c in positive], k, a=[-1.0] * k, b=[1.0] * k)
    return [c for pair in zip(negative, positive) for c in pair]


def _ovr_class_one_hot_of(prog, est, computed):
    """OneVsRestClassifier.predict as class indicators from its estimators'
    columns (_ovr_estimator_columns): binary, score > _ovr_threshold as
    [1 - b, b]; multiclass, the largest score with this scikit-learn's tie
    rule (_ovr_ties_go_last)."""
    scores = [score for score, _ in computed]
    if len(computed) == 1:  # binary: one estimator for the second class
        b = prog.emit("binarize", [scores[0].slot], 1, a=[_ovr_threshold(est)])
        return _one_minus_beside(prog, b)
    return largest_one_hot(prog, scores, last=_ovr_ties_go_last(est))


def _ovr_unnormalised_proba(est, prog, computed):
    """OneVsRestClassifier.predict_proba before its division by the row sum:
    the estimators' p_j (binary [1 - p, p]); None without predict_proba."""
    if not hasattr(est, "predict_proba"):
        return None
    probs = [p for _, p in computed]
    return _one_minus_beside(prog, probs) if len(probs) == 1 else probs


def _ovr_probabilities_and_class(prog, est, cols, where):
    """OneVsRestClassifier (binary or multiclass target) as the estimator of
    a MultiOutputClassifier: (its predict_proba before normalising, or None
    without it; its predict as class indicators), computed in the program
    from its estimators' columns.  The file's link divides the
    probabilities by their sum in each output group (_multi_output_link:
    a row of zeros stays zeros in scikit-learn 1.9, becomes NaN in 1.2 to
    1.6, in that output alone)."""
    _refuse_multilabel_base(est, where)
    computed = _ovr_estimator_columns(prog, est, cols, where)
    return _ovr_unnormalised_proba(est, prog, computed), _ovr_class_one_hot_of(prog, est, computed)


def _refuse_multilabel_base(est, where):
    if est.label_binarizer_.y_type_.startswith("multilabel"):
        refuse(est, where, "fitted on a multilabel target, as the estimator of another meta-estimator")


def _ovr_proba(prog, est, cols, where):
    """OneVsRestClassifier.predict_proba as a base of another meta-estimator
    (combiners()): its estimators' p_j over their row sum (numpy's pairwise
    sum: SumToOne; binary [1 - p, p], whose sum is never 0).  Where every
    p_j of a row is 0 scikit-learn 1.9 keeps the zeros and 1.2 to 1.6 divide
    0 by 0 (_ovr_normalize_link): SumToOne's 1 / K there times the Binarize
    of their sum (0 or 1), or times the Sqrt of 2 * it - 1 (NaN or 1
    exactly: the NaN reaches what reads it, as in scikit-learn; a predictor
    refusing NaN then fails that row with missing_value)."""
    _refuse_multilabel_base(est, where)
    return _ovr_proba_of(prog, est, _ovr_estimator_columns(prog, est, cols, where), where)


def _ovr_proba_and_class(prog, est, cols, where):
    """OneVsRestClassifier's predict_proba, then its predict as class
    indicators, from one run of its estimators."""
    _refuse_multilabel_base(est, where)
    computed = _ovr_estimator_columns(prog, est, cols, where)
    return _ovr_proba_of(prog, est, computed, where) + _ovr_class_one_hot_of(prog, est, computed)


def _ovr_proba_and_decision(prog, est, cols, where):
    """OneVsRestClassifier's predict_proba, then its decision_function, from
    one run of its estimators."""
    _refuse_multilabel_base(est, where)
    if not hasattr(est, "decision_function"):
        refuse(est, where, "it has no decision_function")
    computed = _ovr_estimator_columns(prog, est, cols, where)
    return _ovr_proba_of(prog, est, computed, where) + [score for score, _ in computed]


def _ovr_proba_of(prog, est, computed, where):
    """_ovr_proba from its estimators' columns."""
    probs = _ovr_unnormalised_proba(est, prog, computed)
    if probs is None:
        refuse(est, where, "it has no predict_proba")
    k = len(probs)
    shares = prog.emit("sum_to_one", [c.slot for c in probs], k)
    if k == 2:
        return shares
    (total,) = prog.emit("weighted_mean", [c.slot for c in probs], 1, a=[1.0] * k, b=[1.0])
    (factor,) = prog.emit("binarize", [total.slot], 1, a=[0.0])  # p >= 0: 0 exactly for a row of zeros
    if _ovr_normalize_link(est) == "normalize_nan":
        (signed,) = prog.emit("min_max", [factor.slot], 1, a=[2.0], b=[-1.0])
        (factor,) = prog.emit("elementwise", [signed.slot], 1, function="sqrt")  # sqrt(-1): NaN
    powers = np.zeros((k, k + 1), dtype=np.int64)  # share_j * factor
    powers[np.arange(k), np.arange(k)] = 1
    powers[:, k] = 1
    return prog.emit("polynomial", [c.slot for c in shares] + [factor.slot], k,
                     powers=[int(p) for p in powers.ravel()])


def _ovr_decision(prog, est, cols, where):
    """OneVsRestClassifier.decision_function as a base: each estimator's
    decision value (binary: the one estimator's)."""
    _refuse_multilabel_base(est, where)
    if not hasattr(est, "decision_function"):
        refuse(est, where, "it has no decision_function")
    return [score for score, _ in _ovr_estimator_columns(prog, est, cols, where)]


def _ovr_class_one_hot(prog, est, cols, where):
    """OneVsRestClassifier.predict as class indicators, as a base."""
    _refuse_multilabel_base(est, where)
    return _ovr_class_one_hot_of(prog, est, _ovr_estimator_columns(prog, est, cols, where))


def export_one_vs_rest_multilabel(est, feature_names, preprocessing=None):
    """OneVsRestClassifier on a multilabel target: one output group [1 - p,
    p] per class with labels [0, 1] (ArgmaxOutputsPerGroup, and its labels as
    trailing features where they do not follow from p > 0.5: _ovr_multilabel);
    the Python reader gives predict an (n, K) indicator array as
    scikit-learn, predict_proba the (n, K) array of the p (MULTILABEL_KEY)."""
    from . import _core
    from ._sklearn import Exported
    from ._model import MULTILABEL_KEY
    prog, cols = _program(est, feature_names, preprocessing)
    where = [type(est).__name__]
    scores, indicators = _ovr_multilabel(prog, est, cols, where)
    prog.finish(scores + indicators, where)
    k, d = len(scores), len(indicators)
    pick = np.zeros((k + d, k))  # raw_j = feature j
    pick[np.arange(k), np.arange(k)] = 1.0
    layers = [dict(kind="dense", weights=pick, bias=np.zeros(k), activation="identity")]
    decide = dict(decision_function="trailing_features", decision_features=d) if d else {}
    n_classes = len(est.estimators_)
    desc = describe(est, task="classification", n_features=prog.n_inputs, feature_names=prog.feature_names,
                    n_outputs=k, classes=np.tile(np.arange(2), n_classes),
                    link="identity" if hasattr(est, "predict_proba") else "hard",
                    class_decision="argmax_outputs_per_group", output_groups=[2] * n_classes, **decide)
    desc["metadata"][MULTILABEL_KEY] = "1"
    return _with_infinity(Exported(layers, desc, _core.save_dense, prog), est, prog)


def combiners():
    """Exact meta-estimator class -> handler(program, estimator, columns, where)
    giving the columns its predict_proba (classifiers: soft voting, stacking,
    OneVsRestClassifier), vote counts (hard voting) or predict (regressors)
    computes."""
    from sklearn import compose, ensemble, multiclass, multioutput
    from ._sklearn_calibration import combiners as calibration_combiners
    return {
        **calibration_combiners(),
        ensemble.VotingClassifier: _voting,
        ensemble.VotingRegressor: _voting,
        ensemble.StackingClassifier: _stacking_as_base,
        ensemble.StackingRegressor: _stacking_as_base,
        compose.TransformedTargetRegressor: _transformed_target,
        multioutput.MultiOutputRegressor: _multi_output_regressor,
        ensemble.BaggingClassifier: _bagging,
        ensemble.BaggingRegressor: _bagging,
        ensemble.AdaBoostRegressor: _adaboost_regressor,
        ensemble.AdaBoostClassifier: _adaboost_proba,
        multiclass.OneVsRestClassifier: _ovr_proba,
    }


def other_outputs():
    """Exact meta-estimator class -> {sub_model output: (handler, the
    description a nested file of it would have)} for the outputs other than
    'outputs' a combiner computes (AdaBoostClassifier as a base: its
    decision_function, whose binary probability is its logistic, and its
    predict; OneVsRestClassifier: its decision_function and predict;
    AdaBoost and stacking: their predict_proba and predict from one
    computation, as the estimator of a MultiOutputClassifier)."""
    from sklearn import ensemble, multiclass

    def adaboost_link(est):
        k = len(est.classes_)
        return dict(link="logistic" if k == 2 else "softmax", link_scale=1.0 if k == 2 else 1.0 / (k - 1),
                    decision_function="raw")
    # its probabilities are not a link of its decision values (a nested OvR reads that)
    ovr_link = lambda est: dict(link="normalize", decision_function="raw")  # noqa: E731
    return {ensemble.AdaBoostClassifier: {"decision": (_adaboost_decision, adaboost_link),
                                          "class_one_hot": (_adaboost_class_one_hot, adaboost_link),
                                          "outputs_and_class_one_hot": (_adaboost_proba_and_class, adaboost_link),
                                          "outputs_and_decision": (_adaboost_proba_and_decision, adaboost_link)},
            ensemble.StackingClassifier: {"class_one_hot": (_stacking_class_one_hot, lambda est: {}),
                                          "outputs_and_class_one_hot": (_stacking_proba_and_class,
                                                                        lambda est: {})},
            multiclass.OneVsRestClassifier: {"decision": (_ovr_decision, ovr_link),
                                             "class_one_hot": (_ovr_class_one_hot, ovr_link),
                                             "outputs_and_class_one_hot": (_ovr_proba_and_class, ovr_link),
                                             "outputs_and_decision": (_ovr_proba_and_decision, ovr_link)}}


def _program(est, feature_names, preprocessing):
    """The program to build on and the columns the meta-estimator reads."""
    if preprocessing is not None:  # the final step of a Pipeline
        return preprocessing, [Col("num", s) for s in preprocessing.features]
    from ._sklearn import feature_names_of
    n = int(getattr(est, "n_features_in_", 1))  # IsotonicRegression (one column) has none in 1.2
    prog = Program(n, feature_names_of(est, feature_names, n))
    return prog, prog.inputs()


def _inner_estimators(est):
    """The models a combiner runs, or None for one that runs none of its own
    (IsotonicRegression)."""
    if hasattr(est, "calibrated_classifiers_"):
        from ._sklearn_calibration import calibrated_base
        return [calibrated_base(c) for c in est.calibrated_classifiers_]
    if hasattr(est, "estimators_"):
        return est.estimators_
    if hasattr(est, "regressor_"):
        return [est.regressor_]
    return None


def _all_bases(est):
    inner = _inner_estimators(est)
    if inner is None:
        return [est]
    out = []
    for e in inner:
        final = e.steps[-1][1] if hasattr(e, "steps") else e
        out.extend(_all_bases(final) if type(final) in combiners() else [final])
    return out


def _with_infinity(exported, est, prog):
    # a base whose input check refuses +-inf makes the whole predict refuse
    # it (the bases of nested meta-estimators, a OneVsRestClassifier's too);
    # so does a transformer of a Pipeline base reading the column
    refuses = any(refuses_infinity(b) for b in _all_bases(est))
    exported.description["refuses_infinity"] = [
        prog.kinds[c] != "str" and (refuses or c in prog.read_as_numbers) for c in range(prog.n_inputs)]
    return exported


def _pass_through(k):
    return [dict(kind="affine", n_out=k, weights=np.ones(k), bias=np.zeros(k), activation="identity")]


def _export_pass_through(est, feature_names, preprocessing, combine, **describe_kw):
    """A file whose program computes the meta-estimator's values with
    ``combine`` and whose predictor passes them through (raw = the values)."""
    from . import _core
    from ._sklearn import Exported
    prog, cols = _program(est, feature_names, preprocessing)
    where = [f"{type(est).__name__}"]
    out = combine(prog, est, cols, where)
    prog.finish(out, where)
    describe_kw.setdefault("n_outputs", len(out))
    desc = describe(est, n_features=prog.n_inputs, feature_names=prog.feature_names, **describe_kw)
    return _with_infinity(Exported(_pass_through(len(out)), desc, _core.save_dense, prog), est, prog)


def export_voting(est, feature_names, preprocessing=None):
    """Soft: the averaged probabilities (argmax); hard: the weighted vote
    counts (link hard, the first largest count); regressor: the average."""
    from sklearn import ensemble
    if type(est) is ensemble.VotingRegressor:
        return _export_pass_through(est, feature_names, preprocessing, _voting, task="regression", link="identity")
    decide = (dict(link="identity", class_decision="argmax_outputs") if est.voting == "soft"
              else dict(link="hard", class_decision="argmax_raw"))
    return _export_pass_through(est, feature_names, preprocessing, _voting, task="classification",
                                classes=est.classes_, **decide)


def export_bagging_classifier(est, feature_names, preprocessing=None):
    """BaggingClassifier: its averaged probabilities; predict is their
    argmax (first of equals, as np.argmax).  Over estimators with
    decision_function, their averaged decision values follow the
    probabilities as the predictor's last features, which it passes over
    (decision function TrailingFeatures, FORMAT.md §6)."""
    if not hasattr(est, "decision_function"):
        return _export_pass_through(est, feature_names, preprocessing, _bagging, task="classification",
                                    classes=est.classes_, link="identity", class_decision="argmax_outputs")
    from . import _core
    from ._sklearn import Exported
    prog, cols = _program(est, feature_names, preprocessing)
    where = [type(est).__name__]
    proba, decision = _bagging_proba_and_decision(prog, est, cols, where)
    prog.finish(proba + decision, where)
    k, d = len(proba), len(decision)
    # raw_j = feature j: weight 1 from it, 0 from every other (finite) feature
    pick = np.zeros((k + d, k))
    pick[np.arange(k), np.arange(k)] = 1.0
    layers = [dict(kind="dense", weights=pick, bias=np.zeros(k), activation="identity")]
    desc = describe(est, task="classification", n_features=prog.n_inputs, feature_names=prog.feature_names,
                    n_outputs=k, classes=est.classes_, link="identity", class_decision="argmax_outputs",
                    decision_function="trailing_features", decision_features=d)
    return _with_infinity(Exported(layers, desc, _core.save_dense, prog), est, prog)


def export_adaboost_classifier(est, feature_names, preprocessing=None):
    """AdaBoostClassifier (SAMME): raw = decision_function; predict its
    argmax (binary: > 0); predict_proba softmax(decision / (K - 1)) (binary:
    the logistic of the decision), as _compute_proba_from_decision."""
    k = len(est.classes_)
    link = dict(link="logistic") if k == 2 else dict(link="softmax", link_scale=1.0 / (k - 1))
    return _export_pass_through(est, feature_names, preprocessing, _adaboost_decision, task="classification",
                                n_outputs=k, classes=est.classes_, class_decision="argmax_raw", **link)


def export_regressor(est, feature_names, preprocessing=None):
    """TransformedTargetRegressor, MultiOutputRegressor, BaggingRegressor:
    predict is the combined columns."""
    return _export_pass_through(est, feature_names, preprocessing, combiners()[type(est)], task="regression",
                                link="identity")


def export_one_vs_rest(est, feature_names, preprocessing=None):
    """OneVsRestClassifier (binary and multiclass targets): raw = the
    estimators' scores (decision values, else probabilities of their class);
    predict_proba the normalised probabilities (LogisticOvR of decision
    values, Normalize of probabilities (NormalizeNan where this
    scikit-learn makes a row of zeros NaN); binary: [1 - p, p]); predict the
    largest score, ties as this scikit-learn breaks them (binary: decision >
    0, probability > 0.5)."""
    if est.label_binarizer_.y_type_.startswith("multilabel"):
        return export_one_vs_rest_multilabel(est, feature_names, preprocessing)
    from . import _core
    from ._sklearn import Exported
    prog, cols = _program(est, feature_names, preprocessing)
    where = [type(est).__name__]
    scores, link = _ovr_scores(prog, est, cols, where)
    k = len(est.classes_)
    if k == 2:
        if link["link"] == "logistic" or link["link"] == "hard":  # decision > 0
            decide = "argmax_raw"
        else:  # raw [1 - p, p]: p > 1 - p exactly when p > 0.5
            (p,) = scores
            (q,) = prog.emit("min_max", [p.slot], 1, a=[-1.0], b=[1.0])
            scores = [q, p]
            decide = "argmax_raw"
    else:
        decide = "argmax_raw_last" if _ovr_ties_go_last(est) else "argmax_raw"
        if link["link"] == "logistic":
            link = dict(link="logistic_ovr", link_scale=link["link_scale"])
    prog.finish(scores, where)
    desc = describe(est, task="classification", n_features=prog.n_inputs, feature_names=prog.feature_names,
                    n_outputs=k, classes=est.classes_, class_decision=decide, **link)
    return _with_infinity(Exported(_pass_through(len(scores)), desc, _core.save_dense, prog), est, prog)


def export_stacking(est, feature_names, preprocessing=None):
    from sklearn import ensemble, multiclass
    from ._sklearn import exporters
    from ._model import CLASSES_DTYPE_KEY
    from ._sklearn import class_labels
    prog, cols = _program(est, feature_names, preprocessing)
    where = [f"{type(est).__name__}"]
    stack = _stack_inputs(prog, est, cols, where)
    final = est.final_estimator_
    final_where = where + [f"final_estimator ({class_name(final)})"]
    exporter = exporters().get(type(final))
    # AdaBoostClassifier's and OneVsRestClassifier's exporters compose on the stack's program
    combiner = type(final) in combiners() and type(final) not in (ensemble.AdaBoostClassifier,
                                                                   multiclass.OneVsRestClassifier)
    if exporter is None or combiner:
        refuse(final, final_where, "mlmap does not support this final estimator")
    n = getattr(final, "n_features_in_", len(stack))
    if n != len(stack):
        refuse(final, final_where, f"it was fitted on {n} columns but the stack gives {len(stack)}")
    prog.finish(stack, final_where)
    exported = exporter(final, None, preprocessing=prog)
    d = exported.description
    if type(est) is ensemble.StackingClassifier:
        _check_encoded_classes(est, final, final_where, len(est.classes_))
        labels, dtype = class_labels(est.classes_)
        d["classes"] = labels
        d["metadata"].pop(CLASSES_DTYPE_KEY, None)
        if dtype is not None:
            d["metadata"][CLASSES_DTYPE_KEY] = dtype
    d["estimator"] = public_name(est)
    return _with_infinity(exported, est, prog)


def exporters():
    from sklearn import compose, ensemble, multiclass, multioutput
    from ._sklearn_calibration import exporters as calibration_exporters
    return {
        **calibration_exporters(),
        multiclass.OneVsRestClassifier: export_one_vs_rest,
        compose.TransformedTargetRegressor: export_regressor,
        multioutput.MultiOutputRegressor: export_regressor,
        multioutput.MultiOutputClassifier: export_multi_output_classifier,
        ensemble.BaggingRegressor: export_regressor,
        ensemble.AdaBoostRegressor: export_regressor,
        ensemble.BaggingClassifier: export_bagging_classifier,
        ensemble.AdaBoostClassifier: export_adaboost_classifier,
        ensemble.VotingClassifier: export_voting,
        ensemble.VotingRegressor: export_voting,
        ensemble.StackingClassifier: export_stacking,
        ensemble.StackingRegressor: export_stacking,
    }
