#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on meta-estimators (issue 20 item 4):
VotingClassifier (soft and hard, weights, binary and multi-class, string
labels), VotingRegressor (weights), StackingClassifier (every stack_method,
passthrough), StackingRegressor (passthrough), over mixed bases (linear
models, trees, forests, boosting, naive Bayes, k-NN, SVMs, MLPs), with bases
that are Pipelines (their preprocessing flattened into the file's program,
string columns included), a Pipeline ending in a meta-estimator, and nesting
(a Voting inside a Stacking and the other way round); AdaBoostClassifier
(SAMME, and SAMME.R where scikit-learn has it), OneVsRestClassifier (binary
and multiclass, over bases with decision_function, predict_proba or both;
scikit-learn's tie rule exercised by 2-NN bases' coarse probabilities);
BaggingClassifier over bases with decision_function (its decision_function
the mean of theirs); OneVsRestClassifier as the base of Voting, Stacking,
Bagging, CalibratedClassifierCV and another OneVsRestClassifier.  Labels must match (0
mismatches); predict_proba, predict_log_proba, decision_function and
predict values within 1e-6; missing values are refused naming the base that
refuses them; `mlmap predict` (when MLMAP_CLI is set) gives the same labels.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_meta.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import functools
import subprocess

import numpy as np
import pandas as pd
import sklearn
from sklearn import ensemble, linear_model, naive_bayes, neighbors, neural_network, svm, tree
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import mlmap
from api_parity import ApiParity, print_summary, quietly
from parity_support import differences, run

def sklearn_version():
    import re
    return tuple(int(x) for x in re.findall(r"\d+", sklearn.__version__)[:2])


def has_samme_r():
    """Whether this scikit-learn fits AdaBoostClassifier(algorithm='SAMME.R')."""
    try:
        quietly(ensemble.AdaBoostClassifier(n_estimators=1, algorithm="SAMME.R").fit, [[0.0], [1.0]], [0, 1])
    except (ValueError, TypeError):
        return False
    return True


LABELS = np.array(["ant", "bee", "cat", "dog"])


@functools.lru_cache(maxsize=None)
def data(n_classes, seed=0):
    X, y = make_classification(n_samples=500, n_features=8, n_informative=5, n_classes=n_classes,
                               n_clusters_per_class=1, random_state=seed)
    return X[:350], LABELS[y[:350]], X[350:]


@functools.lru_cache(maxsize=None)
def regression(seed=0):
    X, y = make_regression(n_samples=500, n_features=8, noise=5.0, random_state=seed)
    return X[:350], y[:350], X[350:]


def classifiers():
    return [
        ("lr", make_pipeline(StandardScaler(), linear_model.LogisticRegression(max_iter=500))),
        ("rf", ensemble.RandomForestClassifier(n_estimators=15, max_depth=6, random_state=0)),
        ("nb", naive_bayes.GaussianNB()),
        ("knn", neighbors.KNeighborsClassifier(n_neighbors=7)),
        ("gb", ensemble.GradientBoostingClassifier(n_estimators=15, random_state=0)),
    ]


def regressors():
    return [
        ("ridge", linear_model.Ridge(alpha=0.5)),
        ("dt", tree.DecisionTreeRegressor(max_depth=5, random_state=0)),
        ("hgb", ensemble.HistGradientBoostingRegressor(max_iter=20, random_state=0)),
        ("svr", make_pipeline(StandardScaler(), svm.SVR(C=10.0))),
    ]


class Meta(ApiParity):
    prefix = "mlmap-meta-"

    def fit(self, est, X, y):
        return quietly(est.fit, X, y)

    def test_voting_classifier(self):
        for k in (2, 3, 4):
            X, y, Xte = data(k)
            for voting in ("soft", "hard"):
                for weights in (None, [1.0, 2.0, 0.5, 1.0, 3.0], [0, 1, 1, 1, 1]):
                    v = self.fit(ensemble.VotingClassifier(classifiers(), voting=voting, weights=weights), X, y)
                    self.check(v, Xte, f"VotingClassifier ({voting})")

    def test_voting_drop_and_svc(self):
        X, y, Xte = data(3)
        ests = [("svc", make_pipeline(StandardScaler(), svm.SVC(probability=True, random_state=0))),
                ("mlp", make_pipeline(StandardScaler(), neural_network.MLPClassifier((8,), max_iter=300,
                                                                                   random_state=0))),
                ("off", "drop")]
        for voting in ("soft", "hard"):
            v = self.fit(ensemble.VotingClassifier(ests, voting=voting), X, y)
            self.check(v, Xte, f"VotingClassifier ({voting})")

    def test_voting_regressor(self):
        X, y, Xte = regression()
        for weights in (None, [1.0, 0.25, 2.0, 1.0]):
            v = self.fit(ensemble.VotingRegressor(regressors(), weights=weights), X, y)
            self.check(v, Xte, "VotingRegressor")

    def test_pipeline_ending_in_voting(self):
        X, y, Xte = data(3)
        p = self.fit(make_pipeline(StandardScaler(), ensemble.VotingClassifier(classifiers()[:3], voting="soft")), X, y)
        self.check(p, Xte, "Pipeline (StandardScaler, VotingClassifier)")
        Xr, yr, Xrte = regression()
        p = self.fit(make_pipeline(StandardScaler(), ensemble.VotingRegressor(regressors()[:2])), Xr, yr)
        self.check(p, Xrte, "Pipeline (StandardScaler, VotingRegressor)")

    def test_voting_of_pipelines_with_strings(self):
        rng = np.random.RandomState(0)
        X, y, _ = data(2)
        df = pd.DataFrame(X[:, :4], columns=["a", "b", "c", "d"])
        df["colour"] = rng.choice(["red", "green", "blue"], len(df))
        y = np.where(df["colour"] == "red", "ant", y)
        encode = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"])],
                                   remainder="passthrough")
        v = self.fit(ensemble.VotingClassifier([
            ("lr", make_pipeline(encode, linear_model.LogisticRegression(max_iter=500))),
            ("rf", make_pipeline(encode, ensemble.RandomForestClassifier(10, random_state=0)))],
            voting="soft"), df, y)
        m = self.roundtrip(v)
        self.check(v, df, "VotingClassifier over string columns", model=m)

    def test_stacking_classifier(self):
        for k in (2, 3):
            X, y, Xte = data(k)
            for method in ("auto", "predict_proba", "decision_function", "predict"):
                for passthrough in (False, True):
                    if method == "decision_function":
                        ests = [("lr", linear_model.LogisticRegression(max_iter=500)),
                                ("svc", make_pipeline(StandardScaler(), svm.SVC()))]
                    else:
                        ests = [("lr", linear_model.LogisticRegression(max_iter=500)),
                                ("dt", tree.DecisionTreeClassifier(max_depth=4, random_state=0)),
                                ("nb", naive_bayes.GaussianNB())]
                    for final in (linear_model.LogisticRegression(max_iter=500),
                                  ensemble.RandomForestClassifier(10, max_depth=5, random_state=0)):
                        s = self.fit(ensemble.StackingClassifier(ests, final_estimator=final, stack_method=method,
                                                                 passthrough=passthrough), X, y)
                        self.check(s, Xte, f"StackingClassifier ({method})")

    def test_stacking_regressor(self):
        X, y, Xte = regression()
        for passthrough in (False, True):
            for final in (linear_model.RidgeCV(), ensemble.RandomForestRegressor(10, random_state=0)):
                s = self.fit(ensemble.StackingRegressor(regressors(), final_estimator=final,
                                                        passthrough=passthrough), X, y)
                self.check(s, Xte, "StackingRegressor")

    def test_nesting(self):
        X, y, Xte = data(3)
        p = self.fit(make_pipeline(StandardScaler(), ensemble.StackingClassifier(
            [("v", ensemble.VotingClassifier(classifiers()[:3], voting="soft")),
             ("lr", linear_model.LogisticRegression(max_iter=500))])), X, y)
        self.check(p, Xte, "Pipeline (StandardScaler, StackingClassifier (VotingClassifier, ...))")
        v = self.fit(ensemble.VotingClassifier(
            [("s", ensemble.StackingClassifier(classifiers()[:2])),
             ("nb", naive_bayes.GaussianNB())], voting="soft"), X, y)
        self.check(v, Xte, "VotingClassifier (StackingClassifier, GaussianNB)")
        Xr, yr, Xrte = regression()
        v = self.fit(ensemble.VotingRegressor(
            [("s", ensemble.StackingRegressor(regressors()[:2])), ("r", linear_model.Ridge())]), Xr, yr)
        self.check(v, Xrte, "VotingRegressor (StackingRegressor, Ridge)")

    def test_transformed_target(self):
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler
        X, y, Xte = regression()
        pos = np.abs(y) + 1.0
        cases = [
            ("log1p/expm1", dict(func=np.log1p, inverse_func=np.expm1), pos),
            ("log/exp", dict(func=np.log, inverse_func=np.exp), pos),
            ("sqrt/square", dict(func=np.sqrt, inverse_func=np.square), pos),
            ("StandardScaler", dict(transformer=StandardScaler()), y),
            ("MinMaxScaler", dict(transformer=MinMaxScaler()), y),
            ("MaxAbsScaler", dict(transformer=MaxAbsScaler()), y),
            ("identity", dict(), y),
        ]
        for what, kw, target in cases:
            for reg in (linear_model.Ridge(), make_pipeline(StandardScaler(), ensemble.RandomForestRegressor(
                    10, random_state=0))):
                t = self.fit(TransformedTargetRegressor(regressor=reg, check_inverse=False, **kw), X, target)
                self.check(t, Xte, f"TransformedTargetRegressor ({what})")
        # in a Pipeline, and a multi-target one
        t = self.fit(make_pipeline(StandardScaler(), TransformedTargetRegressor(
            regressor=linear_model.Ridge(), transformer=StandardScaler())), X, np.c_[y, 2 * y + 1])
        self.check(t, Xte, "Pipeline (StandardScaler, TransformedTargetRegressor)")
        t = self.fit(TransformedTargetRegressor(regressor=linear_model.Ridge(), func=np.log1p,
                                                inverse_func=np.exp, check_inverse=False), X, pos)
        m = self.roundtrip(t)  # a mismatched pair is saved as given: inverse_func is what predict runs
        self.close(m.predict(Xte), t.predict(Xte), "TransformedTargetRegressor (log1p/exp)", "predict")
        t = self.fit(TransformedTargetRegressor(regressor=linear_model.Ridge(), func=np.log1p,
                                                inverse_func=lambda v: np.expm1(v), check_inverse=False), X, pos)
        with self.assertRaises(mlmap.UnsupportedModelError) as caught:
            mlmap.save(t, self.path("lambda"))
        self.assertIn("inverse_func", str(caught.exception))
        self.assertIn("TransformedTargetRegressor", str(caught.exception))

    def test_multi_output_regressor(self):
        from sklearn.multioutput import MultiOutputRegressor
        X, y, Xte = regression()
        Y = np.c_[y, np.sin(y / 50) * 10, -y]
        for base in (linear_model.Ridge(), ensemble.GradientBoostingRegressor(n_estimators=10, random_state=0),
                     make_pipeline(StandardScaler(), svm.SVR())):
            r = self.fit(MultiOutputRegressor(base), X, Y)
            self.check(r, Xte, "MultiOutputRegressor")
        r = self.fit(ensemble.VotingRegressor([("m", make_pipeline(StandardScaler(), linear_model.Ridge())),
                                               ("d", tree.DecisionTreeRegressor(max_depth=4))]), X, y)
        self.check(r, Xte, "VotingRegressor")

    def test_bagging(self):
        X, y, Xte = data(3)
        for base in (tree.DecisionTreeClassifier(max_depth=5, random_state=0), naive_bayes.GaussianNB(),
                     neighbors.KNeighborsClassifier(5)):
            for kw in (dict(), dict(max_features=0.5), dict(max_features=3, bootstrap_features=True),
                       dict(max_samples=0.7, bootstrap=False)):
                b = ensemble.BaggingClassifier(base, n_estimators=7, random_state=0, **kw)
                self.check(self.fit(b, X, y), Xte, "BaggingClassifier")
        # bases with decision_function: the bagging's is their mean; an SVC
        # without probabilities votes, a LogisticRegression averages its
        # probabilities
        for k in (2, 3, 4):
            X, y, Xte = data(k)
            for base in (make_pipeline(StandardScaler(), svm.SVC(probability=False)),
                         linear_model.LogisticRegression(max_iter=500), svm.LinearSVC(random_state=0),
                         ensemble.GradientBoostingClassifier(n_estimators=5, random_state=0)):
                for kw in (dict(), dict(max_features=0.5, bootstrap_features=True)):
                    b = self.fit(ensemble.BaggingClassifier(base, n_estimators=5, random_state=0, **kw), X, y)
                    self.check(b, Xte, "BaggingClassifier (decision_function)")
        p = self.fit(make_pipeline(StandardScaler(), ensemble.BaggingClassifier(
            linear_model.LogisticRegression(max_iter=500), n_estimators=4, random_state=0)), X, y)
        self.check(p, Xte, "BaggingClassifier (decision_function)")
        Xr, yr, Xrte = regression()
        for base in (tree.DecisionTreeRegressor(max_depth=6, random_state=0), linear_model.Ridge(),
                     make_pipeline(StandardScaler(), neighbors.KNeighborsRegressor(4))):
            for kw in (dict(), dict(max_features=0.5), dict(max_features=4, bootstrap_features=True)):
                b = self.fit(ensemble.BaggingRegressor(base, n_estimators=6, random_state=0, **kw), Xr, yr)
                self.check(b, Xrte, "BaggingRegressor")

    def test_adaboost_classifier(self):
        for k in (2, 3, 4):
            X, y, Xte = data(k)
            for base in (tree.DecisionTreeClassifier(max_depth=1), tree.DecisionTreeClassifier(max_depth=3),
                         naive_bayes.GaussianNB()):
                kw = {} if sklearn_version() >= (1, 6) else dict(algorithm="SAMME")
                a = self.fit(ensemble.AdaBoostClassifier(base, n_estimators=15, random_state=0, **kw), X, y)
                self.check(a, Xte, "AdaBoostClassifier (SAMME)")

    def test_adaboost_samme_r(self):
        # SAMME.R: scikit-learn 1.2's default, removed in 1.6
        if not has_samme_r():
            self.skipTest(f"scikit-learn {sklearn.__version__} has no SAMME.R")
        for k in (2, 3, 4):
            X, y, Xte = data(k)
            # deep trees give probabilities 0, which SAMME.R clips to eps
            for base in (None, tree.DecisionTreeClassifier(max_depth=3), tree.DecisionTreeClassifier(),
                         naive_bayes.GaussianNB(), linear_model.LogisticRegression(max_iter=500)):
                a = self.fit(ensemble.AdaBoostClassifier(base, n_estimators=15, algorithm="SAMME.R",
                                                         random_state=0), X, y)
                self.check(a, Xte, "AdaBoostClassifier (SAMME.R)")
        a = self.fit(ensemble.AdaBoostClassifier(n_estimators=10, random_state=0), X, y)
        if a.algorithm == "SAMME.R":  # the default, as a 1.2 user gets it
            self.check(a, Xte, "AdaBoostClassifier (SAMME.R)")

    def test_one_vs_rest(self):
        from sklearn.multiclass import OneVsRestClassifier
        bases = [
            ("tree", tree.DecisionTreeClassifier(max_depth=2, random_state=0)),
            # two neighbours: probabilities 0, 0.5, 1 summing to 1 over the classes, often tied
            ("knn2", neighbors.KNeighborsClassifier(2)),
            ("forest", ensemble.RandomForestClassifier(10, max_depth=4, random_state=0)),
            ("nb", naive_bayes.GaussianNB()),
            ("knn", neighbors.KNeighborsClassifier(4)),
            ("mlp", make_pipeline(StandardScaler(), neural_network.MLPClassifier((6,), max_iter=200, random_state=0))),
            ("lr", linear_model.LogisticRegression(max_iter=500)),
            ("sgd", make_pipeline(StandardScaler(), linear_model.SGDClassifier(loss="log_loss", random_state=0))),
            ("gb", ensemble.GradientBoostingClassifier(n_estimators=10, random_state=0)),
            ("hgb", ensemble.HistGradientBoostingClassifier(max_iter=10, random_state=0)),
            ("linsvc", make_pipeline(StandardScaler(), svm.LinearSVC(random_state=0))),
            ("svc", make_pipeline(StandardScaler(), svm.SVC())),
            ("ridge", linear_model.RidgeClassifier()),
        ]
        ties = 0
        for k in (2, 3, 4):
            X, y, Xte = data(k)
            for name, base in bases:
                o = self.fit(OneVsRestClassifier(base), X, y)
                self.check(o, Xte, "OneVsRestClassifier")
                if k > 2 and name == "knn2":
                    scores = np.array([e.predict_proba(Xte)[:, 1] for e in o.estimators_]).T
                    ties += int(np.sum(np.sum(scores == scores.max(axis=1, keepdims=True), axis=1) > 1))
        self.assertGreater(ties, 0, "no row ties: the tie rule went untested")
        X, y, Xte = data(3)
        p = self.fit(make_pipeline(StandardScaler(), OneVsRestClassifier(linear_model.LogisticRegression())), X, y)
        self.check(p, Xte, "OneVsRestClassifier")
        # refused by name
        o = self.fit(OneVsRestClassifier(svm.SVC(probability=True, random_state=0)), X, y)
        self.refused(o, "OneVsRestClassifier", "SVC", "predict_proba")
        # (multilabel targets: test_multioutput.py)

    def test_one_vs_rest_zero_probabilities(self):
        """Rows where every estimator gives its class probability 0 (fully
        grown trees): scikit-learn 1.2 to 1.6 divide 0 by 0 (NaN), 1.9 keeps
        the zeros; the label is still its own."""
        from sklearn.multiclass import OneVsRestClassifier
        zero_rows = 0
        for k in (3, 4):
            X, y, Xte = data(k)
            o = self.fit(OneVsRestClassifier(tree.DecisionTreeClassifier(random_state=0)), X, y)
            scores = np.array([e.predict_proba(Xte)[:, 1] for e in o.estimators_]).T
            zero = np.sum(scores, axis=1) == 0
            zero_rows += int(np.sum(zero))
            m = self.check(o, Xte[~zero], "OneVsRestClassifier")
            self.assertTrue(np.array_equal(m.predict(Xte), o.predict(Xte)), "labels of the zero rows")
            got, expected = m.predict_proba(Xte), quietly(o.predict_proba, Xte)
            self.assertTrue(np.array_equal(np.isnan(got), np.isnan(expected)), "predict_proba: NaN cells")
            rel, ab = differences(got, expected, nan_matches=True)
            self.assertLessEqual(rel, 1e-6, f"predict_proba: max difference {rel:.3g} (abs {ab:.3g})")
        self.assertGreater(zero_rows, 0, "no row of zeros: the normalisation of one went untested")

    def test_adaboost_as_base(self):
        """AdaBoostClassifier / AdaBoostRegressor as the estimators of Voting,
        Stacking (every stack_method), Bagging, CalibratedClassifierCV and
        OneVsRestClassifier, and of another AdaBoost."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.multiclass import OneVsRestClassifier
        # SAMME (1.2.1 names it: its default is SAMME.R), and SAMME.R where there is one
        algorithms = [{"algorithm": "SAMME"}, {"algorithm": "SAMME.R"}] if has_samme_r() else [{}]

        def ada(**kw):
            return ensemble.AdaBoostClassifier(tree.DecisionTreeClassifier(max_depth=2, random_state=0),
                                               n_estimators=6, random_state=0, **kw)

        lr = ("lr", make_pipeline(StandardScaler(), linear_model.LogisticRegression(max_iter=500)))
        for k in (2, 3, 4):
            X, y, Xte = data(k)
            for kw in algorithms:
                label = "AdaBoostClassifier as a base" + (" (SAMME.R)" if kw.get("algorithm") == "SAMME.R" else "")
                metas = [ensemble.VotingClassifier([("ada", ada(**kw)), lr], voting="soft", weights=[2, 1]),
                         ensemble.VotingClassifier([("ada", ada(**kw)), lr, ("ada2", ada(learning_rate=0.5, **kw))],
                                                   voting="hard"),
                         ensemble.BaggingClassifier(ada(**kw), n_estimators=3, max_features=0.75, random_state=0),
                         CalibratedClassifierCV(ada(**kw), cv=3, method="sigmoid"),
                         CalibratedClassifierCV(ada(**kw), cv=3, method="isotonic"),
                         OneVsRestClassifier(ada(**kw)),
                         ensemble.AdaBoostClassifier(ada(**kw), n_estimators=3, random_state=0)]
                metas += [ensemble.StackingClassifier([("ada", ada(**kw)), lr], stack_method=method, cv=3,
                                                      passthrough=method == "predict")
                          for method in ("auto", "predict_proba", "decision_function", "predict")]
                for meta in metas:
                    self.check(self.fit(meta, X, y), Xte, label)
            # and as the final estimator of a stacking (composed on its program, as before)
            s = ensemble.StackingClassifier([lr, ("dt", tree.DecisionTreeClassifier(max_depth=3, random_state=0))],
                                            final_estimator=ada(**algorithms[0]), cv=3)
            self.check(self.fit(s, X, y), Xte, "AdaBoostClassifier as a final estimator")
        X, y, Xte = regression()
        ada_r = ensemble.AdaBoostRegressor(tree.DecisionTreeRegressor(max_depth=3), n_estimators=6, random_state=0)
        for meta in (ensemble.VotingRegressor([("ada", ada_r), ("ridge", linear_model.Ridge())]),
                     ensemble.StackingRegressor([("ada", ada_r), ("ridge", linear_model.Ridge())], cv=3),
                     ensemble.BaggingRegressor(ada_r, n_estimators=3, random_state=0)):
            self.check(self.fit(meta, X, y), Xte, "AdaBoostRegressor as a base")

    def test_one_vs_rest_as_base(self):
        """OneVsRestClassifier as the estimator of Voting (soft and hard),
        Stacking (every stack_method), Bagging, CalibratedClassifierCV and
        another OneVsRestClassifier: its predict_proba, decision_function and
        predict (this scikit-learn's tie rule: 2-NN bases) computed in the
        program.  (AdaBoostClassifier: scikit-learn refuses it, for
        OneVsRestClassifier takes no sample_weight.)"""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.multiclass import OneVsRestClassifier

        def ovr():
            return OneVsRestClassifier(make_pipeline(StandardScaler(), linear_model.LogisticRegression(max_iter=500)))

        lr = ("lr", make_pipeline(StandardScaler(), linear_model.LogisticRegression(max_iter=500)))
        dt = ("dt", tree.DecisionTreeClassifier(max_depth=3, random_state=0))
        label = "OneVsRestClassifier as a base"
        for k in (2, 3):
            X, y, Xte = data(k)
            metas = [ensemble.VotingClassifier([("ovr", ovr()), dt], voting="soft", weights=[2, 1]),
                     ensemble.VotingClassifier([("ovr", ovr()), dt, ("knn", OneVsRestClassifier(
                         neighbors.KNeighborsClassifier(n_neighbors=2)))], voting="hard"),
                     ensemble.VotingClassifier([("svc", OneVsRestClassifier(svm.LinearSVC())), dt, lr], voting="hard"),
                     ensemble.BaggingClassifier(ovr(), n_estimators=3, max_features=0.75, random_state=0),
                     CalibratedClassifierCV(ovr(), cv=3, method="sigmoid"),
                     CalibratedClassifierCV(OneVsRestClassifier(naive_bayes.GaussianNB()), cv=3, method="isotonic"),
                     OneVsRestClassifier(OneVsRestClassifier(naive_bayes.GaussianNB()))]
            metas += [ensemble.StackingClassifier([("ovr", ovr()), lr], stack_method=method, cv=3,
                                                  passthrough=method == "predict")
                      for method in ("auto", "decision_function", "predict")]
            for meta in metas:
                self.check(self.fit(meta, X, y), Xte, label)

    def test_one_vs_rest_as_base_zero_probabilities(self):
        """A row where every estimator of a OneVsRestClassifier base gives its
        class probability 0 (fully grown trees): scikit-learn 1.9 keeps the
        zeros, which the soft vote averages; 1.2 to 1.6 divide 0 by 0, and
        the NaN reaches the file's predictor, which refuses that row
        (missing_value) where scikit-learn answers NaN probabilities and
        their argmax.  Every other row as scikit-learn."""
        from sklearn.multiclass import OneVsRestClassifier
        X, y, Xte = data(4)
        Xte = np.r_[Xte, 25 * Xte]
        ovr = OneVsRestClassifier(tree.DecisionTreeClassifier(random_state=0))
        v = self.fit(ensemble.VotingClassifier([("ovr", ovr), ("nb", naive_bayes.GaussianNB())], voting="soft"),
                     X, y)
        fitted = v.named_estimators_["ovr"]
        zero = np.sum([e.predict_proba(Xte)[:, 1] for e in fitted.estimators_], axis=0) == 0
        self.assertGreater(int(zero.sum()), 0, "the case this test is for")
        m = self.check(v, Xte[~zero], "OneVsRestClassifier as a base (zero probabilities)")
        nan = np.isnan(quietly(fitted.predict_proba, Xte[zero])).any(axis=1)
        self.assertTrue(nan.all() or not nan.any(), "NaN in every row of zeros or in none")
        if nan.all():  # 1.2 to 1.6
            for row in Xte[zero][:3]:
                with self.assertRaises(mlmap.MissingValueError):
                    m.predict_proba(row[None, :])
        else:  # 1.9
            self.check(v, Xte[zero], "OneVsRestClassifier as a base (zero probabilities)", model=m)

    def test_adaboost_regressor(self):
        X, y, Xte = regression()
        for loss in ("linear", "square", "exponential"):
            for base in (tree.DecisionTreeRegressor(max_depth=3), linear_model.Ridge()):
                a = self.fit(ensemble.AdaBoostRegressor(base, n_estimators=12, loss=loss, random_state=0), X, y)
                self.check(a, Xte, "AdaBoostRegressor")

    def test_missing_values(self):
        X, y, Xte = data(3)
        v = self.fit(ensemble.VotingClassifier(classifiers()[:2], voting="soft"), X, y)
        m = self.roundtrip(v)
        bad = Xte[:5].copy()
        bad[3, 2] = np.nan
        with self.assertRaises(mlmap.MissingValueError) as caught:
            m.predict(bad)
        self.assertIn("row 3", str(caught.exception))
        self.assertIn("estimator 'lr' of the VotingClassifier", str(caught.exception))
        # bases that route NaN: the whole vote does, as scikit-learn
        Xr, yr, Xrte = regression()
        hgb = [("a", ensemble.HistGradientBoostingRegressor(max_iter=10, random_state=0)),
               ("b", ensemble.HistGradientBoostingRegressor(max_iter=10, learning_rate=0.3, random_state=0))]
        v = self.fit(ensemble.VotingRegressor(hgb), Xr, yr)
        m = self.roundtrip(v)
        nan = Xrte.copy()
        nan[::3, 1] = np.nan
        self.close(m.predict(nan), v.predict(nan), "VotingRegressor", "predict (NaN routed)")

    def test_refused_by_name(self):
        X, y, _ = data(3)
        v = self.fit(ensemble.VotingClassifier([("qda", make_pipeline(
            StandardScaler(), __import__("sklearn.discriminant_analysis").discriminant_analysis
            .QuadraticDiscriminantAnalysis(reg_param=0.1)))], voting="soft"), X, y)
        with self.assertRaises(mlmap.UnsupportedModelError) as caught:
            mlmap.save(v, self.path("refused"))
        self.assertIn("QuadraticDiscriminantAnalysis", str(caught.exception))

    def test_cli(self):
        cli = os.environ.get("MLMAP_CLI")
        if not cli:
            self.skipTest("MLMAP_CLI is not set")
        from sklearn.multiclass import OneVsRestClassifier
        X, y, Xte = data(3)
        csv = self.path("rows.csv")
        np.savetxt(csv, Xte, delimiter=",")
        models = [ensemble.VotingClassifier(classifiers(), voting="hard", weights=[1, 2, 1, 1, 1]),
                  OneVsRestClassifier(tree.DecisionTreeClassifier(max_depth=2, random_state=0)),
                  OneVsRestClassifier(linear_model.LogisticRegression(max_iter=500))]
        if has_samme_r():
            models.append(ensemble.AdaBoostClassifier(n_estimators=10, algorithm="SAMME.R", random_state=0))
        for v in models:
            v = self.fit(v, X, y)
            m = self.roundtrip(v)
            r = subprocess.run([cli, "predict", m.path, csv, "--no-header"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            got = r.stdout.split()[1:]
            self.assertEqual(got, [str(s) for s in v.predict(Xte)], type(v).__name__)


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
