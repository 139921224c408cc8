#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on CalibratedClassifierCV (issue 20
item 4) and IsotonicRegression: method 'sigmoid' and 'isotonic', ensemble
True and False, cv='prefit' (before 1.8) and FrozenEstimator (1.6+), two to
four classes (string and integer labels), over every kind of base mlmap saves that has
decision_function or predict_proba (linear models, RidgeClassifier, SGD,
Perceptron, PassiveAggressive, LinearSVC, SVC, NuSVC, trees, forests, extra
trees, boosting, every naive Bayes, k-NN, MLP, Bagging,
Pipelines), nested in
a VotingClassifier, a StackingClassifier and at the end of a Pipeline, on
held-out rows and rows far outside the training range; the uniform row where every
calibrator gives 0; NaN routed by the bases that route it and refused naming
the base that does not; IsotonicRegression alone, in a Pipeline and in a
VotingRegressor; refusals by name; `mlmap predict` (when MLMAP_CLI is
set) gives the same labels.  Labels must match (0 mismatches);
predict_proba (and every other method the estimator has) within 1e-6.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_calibration.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import functools
import re
import subprocess

import numpy as np
import pandas as pd
import sklearn
from sklearn import ensemble, linear_model, naive_bayes, neighbors, neural_network, svm, tree
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.isotonic import IsotonicRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import mlmap
from api_parity import ApiParity, print_summary, quietly
from parity_support import run


def sklearn_version():
    return tuple(int(x) for x in re.findall(r"\d+", sklearn.__version__)[:2])


LABELS = np.array(["ant", "bee", "cat", "dog"])


@functools.lru_cache(maxsize=None)
def data(n_classes, seed=0):
    """Training rows, their labels, and held-out rows followed by rows far
    outside the training range (scores beyond every isotonic threshold)."""
    X, y = make_classification(n_samples=600, n_features=6, n_informative=4, n_classes=n_classes,
                               n_clusters_per_class=1, random_state=seed)
    return X[:400], LABELS[y[:400]], np.vstack([X[400:], 8.0 * X[400:440]])


def bases():
    """Every kind of base: (name, estimator); which method calibrates it is
    scikit-learn's choice (decision_function first)."""
    return [
        ("LogisticRegression", make_pipeline(StandardScaler(), linear_model.LogisticRegression(max_iter=500))),
        ("LinearSVC", make_pipeline(StandardScaler(), svm.LinearSVC(random_state=0, max_iter=5000))),
        ("SVC", make_pipeline(StandardScaler(), svm.SVC(random_state=0))),
        ("GaussianNB", naive_bayes.GaussianNB()),
        ("RandomForest", ensemble.RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0)),
        ("DecisionTree", tree.DecisionTreeClassifier(max_depth=4, random_state=0)),
        ("GradientBoosting", ensemble.GradientBoostingClassifier(n_estimators=10, random_state=0)),
        ("HistGradientBoosting", ensemble.HistGradientBoostingClassifier(max_iter=10, random_state=0)),
        ("KNeighbors", neighbors.KNeighborsClassifier(n_neighbors=9)),
        ("MLP", make_pipeline(StandardScaler(), neural_network.MLPClassifier((8,), max_iter=300, random_state=0))),
    ]


def more_bases():
    """The other classifiers mlmap saves (naive Bayes of counts on |X|)."""
    return [
        ("RidgeClassifier", linear_model.RidgeClassifier()),
        ("SGDClassifier", linear_model.SGDClassifier(random_state=0)),
        ("Perceptron", linear_model.Perceptron(random_state=0)),
        ("PassiveAggressive", linear_model.PassiveAggressiveClassifier(random_state=0)),
        ("NuSVC", make_pipeline(StandardScaler(), svm.NuSVC(nu=0.3, probability=True, random_state=0))),
        ("ExtraTrees", ensemble.ExtraTreesClassifier(n_estimators=8, max_depth=5, random_state=0)),
        ("BernoulliNB", naive_bayes.BernoulliNB()),
        ("MultinomialNB", naive_bayes.MultinomialNB()),
        ("ComplementNB", naive_bayes.ComplementNB()),
    ]


class Calibration(ApiParity):
    prefix = "mlmap-calibration-"

    def fit(self, est, X, y):
        return quietly(est.fit, X, y)

    def label(self, name, method, ensemble_):
        return f"CalibratedClassifierCV ({method}, ensemble={ensemble_}) over {name}"

    def test_every_base(self):
        for k in (2, 3, 4):
            X, y, Xte = data(k)
            for name, base in bases():
                for method in ("sigmoid", "isotonic"):
                    for ensemble_ in (True, False):
                        c = self.fit(CalibratedClassifierCV(base, method=method, cv=3, ensemble=ensemble_), X, y)
                        self.check(c, Xte, self.label(name, method, ensemble_))

    def test_more_bases(self):
        for k in (2, 3):
            X, y, Xte = data(k)
            X, Xte = np.abs(X), np.abs(Xte)  # counts for MultinomialNB and ComplementNB
            for name, base in more_bases():
                for method in ("sigmoid", "isotonic"):
                    c = self.fit(CalibratedClassifierCV(base, method=method, cv=3), X, y)
                    self.check(c, Xte, self.label(name, method, True))
            # CategoricalNB on category codes (every test code seen in training)
            codes, codes_te = np.minimum((X * 2).astype(int), 4), np.minimum((Xte * 2).astype(int), 4)
            for method in ("sigmoid", "isotonic"):
                c = self.fit(CalibratedClassifierCV(naive_bayes.CategoricalNB(), method=method, cv=3), codes, y)
                self.check(c, codes_te, self.label("CategoricalNB", method, True))

    def test_four_classes_and_default_base(self):
        X, y, Xte = data(4)
        for method in ("sigmoid", "isotonic"):
            c = self.fit(CalibratedClassifierCV(method=method, cv=5), X, y)  # LinearSVC by default
            self.check(c, Xte, self.label("LinearSVC (default)", method, True))
            c = self.fit(CalibratedClassifierCV(naive_bayes.GaussianNB(), method=method, cv=4), X, y)
            self.check(c, Xte, self.label("GaussianNB", method, True))

    def prefit_variants(self, base, X, y):
        """Calibrations of an already fitted base, as this scikit-learn
        offers them: cv='prefit' (until 1.8), FrozenEstimator (1.6+)."""
        out = []
        if sklearn_version() < (1, 8):
            out.append(("cv='prefit'", lambda m: CalibratedClassifierCV(base, method=m, cv="prefit")))
        if sklearn_version() >= (1, 6):
            from sklearn.frozen import FrozenEstimator
            out.append(("FrozenEstimator", lambda m: CalibratedClassifierCV(FrozenEstimator(base), method=m)))
        return out

    def test_prefit_and_frozen(self):
        for k in (2, 3):
            X, y, Xte = data(k)
            for name, base in bases()[:4]:
                base = self.fit(base, X[:250], y[:250])
                for how, make in self.prefit_variants(base, X, y):
                    for method in ("sigmoid", "isotonic"):
                        c = self.fit(make(method), X[250:], y[250:])
                        self.check(c, Xte, f"CalibratedClassifierCV ({method}, {how}) over {name}")

    def test_nested(self):
        X, y, Xte = data(3)
        cal = CalibratedClassifierCV(naive_bayes.GaussianNB(), method="isotonic", cv=3)
        v = self.fit(ensemble.VotingClassifier([("cal", cal), ("lr", linear_model.LogisticRegression())],
                                               voting="soft"), X, y)
        self.check(v, Xte, "VotingClassifier (soft) over a CalibratedClassifierCV")
        p = self.fit(make_pipeline(StandardScaler(), CalibratedClassifierCV(svm.SVC(random_state=0), cv=3)), X, y)
        self.check(p, Xte, "Pipeline ending in CalibratedClassifierCV (sigmoid)")
        st = self.fit(ensemble.StackingClassifier([("cal", cal), ("rf", ensemble.RandomForestClassifier(
            n_estimators=5, random_state=0))], final_estimator=linear_model.LogisticRegression(), cv=3), X, y)
        self.check(st, Xte, "StackingClassifier over a CalibratedClassifierCV")
        bag = ensemble.BaggingClassifier(tree.DecisionTreeClassifier(max_depth=3), n_estimators=4, random_state=0)
        for method in ("sigmoid", "isotonic"):
            c = self.fit(CalibratedClassifierCV(bag, method=method, cv=3), X, y)
            self.check(c, Xte, f"CalibratedClassifierCV ({method}) over a BaggingClassifier")

    def test_string_columns(self):
        rng = np.random.RandomState(0)
        X, y, Xte = data(3)
        df = pd.DataFrame(X[:, :4], columns=["a", "b", "c", "d"])
        df["colour"] = rng.choice(["red", "green", "blue"], len(df))
        y = np.where(df["colour"] == "red", "ant", y)
        te = pd.DataFrame(Xte[:, :4], columns=["a", "b", "c", "d"])
        te["colour"] = rng.choice(["red", "green", "blue"], len(te))
        base = make_pipeline(ColumnTransformer([("num", StandardScaler(), ["a", "b", "c", "d"]),
                                                ("cat", OneHotEncoder(), ["colour"])]),
                             linear_model.LogisticRegression(max_iter=500))
        for method in ("sigmoid", "isotonic"):
            c = self.fit(CalibratedClassifierCV(base, method=method, cv=3), df, y)
            self.check(c, te, f"CalibratedClassifierCV ({method}) over a Pipeline with a string column")

    def test_all_calibrators_zero(self):
        """Where every class's isotonic calibrator gives 0 scikit-learn
        returns the uniform row (1/K each): the calibrators of one fold made
        0 everywhere, another's below their median threshold."""
        X, y, Xte = data(3)
        c = self.fit(CalibratedClassifierCV(naive_bayes.GaussianNB(), method="isotonic", cv=3), X, y)
        for fold, keep in ((0, lambda xs: np.zeros_like(xs, dtype=bool)), (1, lambda xs: xs >= np.median(xs))):
            for cal in c.calibrated_classifiers_[fold].calibrators:
                xs = cal.X_thresholds_
                cal.y_thresholds_ = np.where(keep(xs), cal.y_thresholds_, 0.0)
                if hasattr(cal, "_build_f"):  # the interpolating function is built from the thresholds at fit
                    cal._build_f(cal.X_thresholds_, cal.y_thresholds_)
        uniform = np.all(c.calibrated_classifiers_[0].predict_proba(Xte) == 1 / 3, axis=1)
        self.assertTrue(np.all(uniform), "fold 0 is not uniform everywhere")
        self.check(c, Xte, "CalibratedClassifierCV (isotonic, calibrators giving 0)")

    def test_missing_values(self):
        X, y, Xte = data(3)
        bad = Xte.copy()
        bad[::4, 1] = np.nan
        hgb = self.fit(CalibratedClassifierCV(ensemble.HistGradientBoostingClassifier(max_iter=10, random_state=0),
                                              method="isotonic", cv=3), X, y)
        m = self.roundtrip(hgb)
        self.close(m.predict_proba(bad), hgb.predict_proba(bad), "CalibratedClassifierCV (isotonic) over "
                   "HistGradientBoosting", "predict_proba (NaN routed)")
        lr = self.fit(CalibratedClassifierCV(linear_model.LogisticRegression(), cv=3), X, y)
        m = self.roundtrip(lr)
        with self.assertRaises(mlmap.MissingValueError) as caught:
            m.predict(bad)
        self.assertIn("row 0", str(caught.exception))
        self.assertIn("calibrated classifier 0 of the CalibratedClassifierCV", str(caught.exception))

    def test_isotonic_regression(self):
        rng = np.random.RandomState(0)
        x = rng.uniform(-3, 3, 300)
        t = np.tanh(x) + rng.normal(0, 0.3, 300)
        xte = np.concatenate([rng.uniform(-4, 4, 200), x[:20], [-3.5, 3.5]])[:, None]
        for increasing in (True, False, "auto"):
            iso = self.fit(IsotonicRegression(increasing=increasing, out_of_bounds="clip"), x, t if increasing
                           is not False else -t)
            self.check(iso, xte, "IsotonicRegression (clip)")
        iso = self.fit(IsotonicRegression(out_of_bounds="clip"), np.array([1.0, 1.0, 1.0]), np.array([0.0, 1.0, 2.0]))
        self.check(iso, xte, "IsotonicRegression (clip)")  # one threshold: a constant
        self.refused(self.fit(IsotonicRegression(), x, t), "IsotonicRegression", "out_of_bounds='nan'")
        self.refused(self.fit(IsotonicRegression(out_of_bounds="clip"), x.astype(np.float32), t.astype(np.float32)),
                     "IsotonicRegression", "float32")
        # inside a Pipeline and as a base of a VotingRegressor
        p = self.fit(make_pipeline(StandardScaler(), IsotonicRegression(out_of_bounds="clip")), x[:, None], t)
        self.check(p, xte, "Pipeline ending in IsotonicRegression")
        v = self.fit(ensemble.VotingRegressor([("iso", IsotonicRegression(out_of_bounds="clip")),
                                               ("lin", linear_model.LinearRegression())]), x[:, None], t)
        self.check(v, xte, "VotingRegressor over an IsotonicRegression")

    def test_integer_labels(self):
        X, y, Xte = data(3)
        codes = np.searchsorted(LABELS, y) * 10 - 5  # -5, 5, 15
        for method in ("sigmoid", "isotonic"):
            c = self.fit(CalibratedClassifierCV(linear_model.LogisticRegression(), method=method, cv=3), X, codes)
            self.check(c, Xte, f"CalibratedClassifierCV ({method}) with integer labels")

    def test_refused_by_name(self):
        X, y, _ = data(3)
        # a training fold without class 'cat': its base never saw it
        idx = np.arange(len(y))
        train = idx[(y != "cat") & (idx < 300)]
        c = self.fit(CalibratedClassifierCV(naive_bayes.GaussianNB(), cv=[(train, idx[300:])]), X, y)
        self.refused(c, "CalibratedClassifierCV", "only some of the classes")
        ovo = self.fit(CalibratedClassifierCV(svm.SVC(decision_function_shape="ovo"), cv=3), X, y)
        self.refused(ovo, "decision_function_shape='ovo'")
        if sklearn_version() >= (1, 8):
            t = self.fit(CalibratedClassifierCV(naive_bayes.GaussianNB(), method="temperature", cv=3), X, y)
            self.refused(t, "CalibratedClassifierCV", "temperature")

    def test_cli(self):
        cli = os.environ.get("MLMAP_CLI")
        if not cli:
            self.skipTest("MLMAP_CLI is not set")
        X, y, Xte = data(3)
        for method in ("sigmoid", "isotonic"):
            c = self.fit(CalibratedClassifierCV(ensemble.RandomForestClassifier(n_estimators=5, random_state=0),
                                                method=method, cv=3), X, y)
            m = self.roundtrip(c)
            csv = self.path("rows.csv")
            np.savetxt(csv, Xte, delimiter=",")
            r = subprocess.run([cli, "predict", m.path, csv, "--no-header"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            got = r.stdout.split()[1:]
            self.assertEqual(got, [str(s) for s in c.predict(Xte)])


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
