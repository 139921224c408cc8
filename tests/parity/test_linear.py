#!/usr/bin/python3
"""Parity of mlmap with scikit-learn (1.2) on linear models and multi-layer
perceptrons (mlmap dense networks).

LogisticRegression (binary / multiclass, one-vs-rest / multinomial, every
solver family), SGDClassifier (log_loss, modified_huber, hinge and the other
losses without predict_proba), LinearSVC, RidgeClassifier, Perceptron,
PassiveAggressiveClassifier, LinearRegression, Ridge, Lasso, ElasticNet,
SGDRegressor, LinearSVR (single and multi-target, with and without
intercept), the CV variants and GLMs, MLPClassifier / MLPRegressor with every
activation; RidgeClassifier(CV) and MLPClassifier on a multilabel target.  Models are trained here; on held-out rows (and rows far outside
the training range, where the link functions saturate) mlmap must give the
same labels (0 mismatches) and the same predict_proba, decision_function and
regression values within 1e-6 (absolute, or relative to |value| when that is
larger), with sklearn's shapes.  The worst difference per estimator is
printed at the end.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_linear.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import collections
import functools
import warnings

import numpy as np
import sklearn
from sklearn import linear_model as lm
from sklearn import neural_network as nn
from sklearn import svm
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import mlmap
from parity_support import ModelFiles, differences, run, this_version_has_it

TOL = 1e-6
N_TRAIN = 500
N_TEST = 300

WORST = collections.defaultdict(lambda: {"rel": 0.0, "abs": 0.0, "n": 0})
SKLEARN_NAN_ROWS = collections.Counter()  # label -> rows where sklearn's predict_proba is NaN

LABELS = np.array(["ant", "bee", "cat", "dog", "emu"])


@functools.lru_cache(maxsize=None)
def clf_data(n_classes, seed=0):
    X, y = make_classification(n_samples=N_TRAIN + N_TEST, n_features=8, n_informative=5,
                               n_redundant=1, n_classes=n_classes, n_clusters_per_class=1,
                               flip_y=0.05, random_state=seed)
    X[:, 2] *= 30
    X[:, 3] -= 5
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


@functools.lru_cache(maxsize=None)
def reg_data(n_targets=1, seed=0):
    X, y = make_regression(n_samples=N_TRAIN + N_TEST, n_features=7, n_informative=5,
                           n_targets=n_targets, noise=5.0, random_state=seed)
    X[:, 1] *= 100
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def test_rows(Xte, seed=0):
    """Held-out rows plus rows far outside the training range (saturated
    sigmoids / softmax, clipped modified-Huber scores, huge raw scores)."""
    rng = np.random.default_rng(seed)
    far = Xte[:60] * rng.choice([10.0, 100.0, -50.0], size=(60, 1))
    return np.vstack([Xte, far, np.zeros((1, Xte.shape[1]))])


# Ten alphas on the path: n_alphas=10 up to scikit-learn 1.6, alphas=10 from
# 1.7 (n_alphas removed in 1.9).
N_ALPHAS = {"n_alphas": 10} if "n_alphas" in lm.LassoCV().get_params() else {"alphas": 10}
# LogisticRegression's multi_class= (removed in 1.8: multiclass is multinomial).
HAS_MULTI_CLASS = "multi_class" in lm.LogisticRegression().get_params()


def fit_quietly(est, X, y):
    with warnings.catch_warnings(), this_version_has_it():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return est.fit(X, y)


class Base(ModelFiles):
    prefix = "mlmap-linear-"

    def close(self, got, expected, label, what):
        got = np.asarray(got)
        expected = np.asarray(expected)
        self.assertEqual(got.shape, expected.shape, f"{label} {what}: shape")
        rel, ab = differences(got, expected, nan_matches=True)
        w = WORST[label]
        w["rel"], w["abs"] = max(w["rel"], rel), max(w["abs"], ab)
        self.assertLessEqual(rel, TOL, f"{label} {what}: max difference {rel:.3g} (abs {ab:.3g})")

    @staticmethod
    def sk_proba(sk, X):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # sklearn's 0 / 0 (see check)
            return sk.predict_proba(X)

    def check(self, sk, X, label=None):
        label = label or type(sk).__name__
        m = self.roundtrip(sk)
        WORST[label]["n"] += 1
        if sklearn.base.is_classifier(sk):
            got = m.predict(X)
            exp = sk.predict(X)
            self.assertEqual(got.dtype, exp.dtype)
            self.assertEqual(int(np.sum(got != exp)), 0, f"{label}: label mismatches")
            self.assertEqual(list(m.classes_), list(sk.classes_))
            if hasattr(sk, "decision_function"):
                self.close(m.decision_function(X), sk.decision_function(X), label, "decision_function")
            if hasattr(sk, "predict_proba"):
                got, exp = m.predict_proba(X), self.sk_proba(sk, X)
                # One-vs-rest rows whose every score is below -709.78: scipy's
                # expit underflows to 0 for each class and sklearn divides 0 by
                # 0 (NaN); mlmap's sigmoid, exp(z) / (1 + exp(z)), still gives
                # subnormal values there (down to -745) and normalises them.
                # Documented divergence: there mlmap gives a distribution, or
                # NaN as well when every score is below -745.  scikit-learn
                # 1.9 gives a uniform row there instead of NaN (_base.py
                # _predict_proba_lr, all_zero): the same rows, still undefined.
                undefined = np.all(np.isnan(exp), axis=1)
                if m.info()["link"] == "logistic_ovr":
                    from scipy.special import expit
                    undefined |= np.all(expit(np.asarray(sk.decision_function(X), dtype=np.float64)) == 0,
                                        axis=1)
                if undefined.any():
                    rows = got[undefined]
                    nan_rows = np.all(np.isnan(rows), axis=1)
                    self.assertTrue(np.all(np.isfinite(rows[~nan_rows])))
                    np.testing.assert_allclose(rows[~nan_rows].sum(axis=1), 1.0, rtol=1e-12)
                    SKLEARN_NAN_ROWS[label] += int((~nan_rows).sum())
                self.close(got[~undefined], exp[~undefined], label, "predict_proba")
            else:
                with self.assertRaises(AttributeError):
                    m.predict_proba(X)
        else:
            self.close(m.predict(X), sk.predict(X), label, "predict")
        return m


class LinearClassifiers(Base):

    def run_classifier(self, make, label, classes=(2, 3, 5), relabel=True):
        for k in classes:
            Xtr, ytr, Xte, _ = clf_data(k)
            for labels in (("int", "str") if relabel else ("int",)):
                y = LABELS[ytr] if labels == "str" else ytr
                with self.subTest(estimator=label, n_classes=k, labels=labels):
                    with this_version_has_it(label):
                        est = make()
                    sk = fit_quietly(est, Xtr, y)
                    self.check(sk, test_rows(Xte), label)

    def test_logistic_regression(self):
        cases = {
            "LogisticRegression (lbfgs, auto)": lambda: lm.LogisticRegression(max_iter=300),
            "LogisticRegression (ovr)": lambda: lm.LogisticRegression(multi_class="ovr", max_iter=300),
            "LogisticRegression (multinomial)": lambda: lm.LogisticRegression(multi_class="multinomial",
                                                                              max_iter=300),
            "LogisticRegression (liblinear)": lambda: lm.LogisticRegression(solver="liblinear"),
            "LogisticRegression (saga, l1, no intercept)": lambda: lm.LogisticRegression(
                solver="saga", penalty="l1", fit_intercept=False, max_iter=50, C=0.5),
        }
        for label, make in cases.items():
            self.run_classifier(make, label)

    def test_logistic_links(self):
        Xtr, ytr, _, _ = clf_data(2)
        if HAS_MULTI_CLASS:
            # Two classes, multinomial: scikit-learn's softmax of (-d, d), whose
            # small probability keeps its digits (1 - p would lose them: the
            # log of one near 1e-35 came out -inf).
            sk = fit_quietly(lm.LogisticRegression(multi_class="multinomial"), Xtr, ytr)
            m = self.roundtrip(sk)
            self.assertEqual((m.info()["link"], m.info()["link_scale"]), ("softmax", 1.0))
            self.assertEqual(m.info()["class_decision"], "argmax_raw")
            far = Xtr[:5] + np.outer(np.linspace(1, 40, 5), sk.coef_[0] / np.linalg.norm(sk.coef_[0]) ** 2)
            far = np.vstack([far, Xtr[:5] - (far - Xtr[:5])])
            for method in ("predict_proba", "predict_log_proba"):
                want, got = getattr(sk, method)(far), getattr(m, method)(far)
                np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=method)
            self.assertTrue(np.min(sk.predict_proba(far)) < 1e-15)  # the rows reach the small probabilities
        m = self.roundtrip(lm.LogisticRegression().fit(Xtr, ytr))
        self.assertEqual((m.info()["link"], m.info()["link_scale"]), ("logistic", 1.0))
        Xtr, ytr, _, _ = clf_data(3)
        if HAS_MULTI_CLASS:
            self.assertEqual(self.roundtrip(lm.LogisticRegression(multi_class="ovr").fit(Xtr, ytr))
                             .info()["link"], "logistic_ovr")
        self.assertEqual(self.roundtrip(lm.LogisticRegression().fit(Xtr, ytr)).info()["link"], "softmax")

    def test_sgd_classifier(self):
        for loss in ("log_loss", "modified_huber", "hinge", "squared_hinge", "perceptron", "huber"):
            self.run_classifier(lambda: lm.SGDClassifier(loss=loss, random_state=0, max_iter=30),
                                f"SGDClassifier ({loss})", classes=(2, 3))
        self.run_classifier(lambda: lm.SGDClassifier(loss="log_loss", average=True, random_state=1),
                            "SGDClassifier (log_loss, average)", classes=(2, 4), relabel=False)

    def test_modified_huber_uniform_rows(self):
        # rows where every one-vs-rest score is <= -1: sklearn's probabilities
        # are all zero before normalising and it returns a uniform row
        Xtr, ytr, Xte, _ = clf_data(3)
        sk = fit_quietly(lm.SGDClassifier(loss="modified_huber", random_state=0), Xtr, ytr)
        rng = np.random.default_rng(5)
        cand = rng.normal(size=(20000, Xtr.shape[1])) * 20
        scores = sk.decision_function(cand)
        uniform = cand[np.all(scores <= -1, axis=1)]
        self.assertGreater(len(uniform), 0, "no row with every score <= -1")
        self.check(sk, np.vstack([uniform, Xte]), "SGDClassifier (modified_huber)")

    def test_margin_classifiers(self):
        cases = {
            "LinearSVC": lambda: svm.LinearSVC(max_iter=2000),
            "LinearSVC (crammer_singer)": lambda: svm.LinearSVC(multi_class="crammer_singer", max_iter=2000),
            "RidgeClassifier": lambda: lm.RidgeClassifier(alpha=3.0),
            "RidgeClassifierCV": lambda: lm.RidgeClassifierCV(),
            "Perceptron": lambda: lm.Perceptron(random_state=0),
            "PassiveAggressiveClassifier": lambda: lm.PassiveAggressiveClassifier(random_state=0),
            "LogisticRegressionCV": lambda: lm.LogisticRegressionCV(Cs=3, cv=3, max_iter=200),
        }
        for label, make in cases.items():
            self.run_classifier(make, label, classes=(2, 3))

    def test_hard_link_and_shapes(self):
        Xtr, ytr, Xte, _ = clf_data(2)
        sk = svm.LinearSVC().fit(Xtr, ytr)
        m = self.roundtrip(sk)
        self.assertEqual(m.info()["link"], "hard")
        self.assertEqual(m.decision_function(Xte).shape, (len(Xte),))
        Xtr, ytr, Xte, _ = clf_data(3)
        m = self.roundtrip(lm.LogisticRegression().fit(Xtr, ytr))
        self.assertEqual(m.decision_function(Xte).shape, (len(Xte), 3))
        self.assertEqual(m.predict_proba(Xte).shape, (len(Xte), 3))

    def test_boolean_and_noncontiguous_labels(self):
        Xtr, ytr, Xte, _ = clf_data(2)
        sk = lm.LogisticRegression().fit(Xtr, ytr.astype(bool))
        self.check(sk, Xte, "LogisticRegression (lbfgs, auto)")
        Xtr, ytr, Xte, _ = clf_data(3)
        sk = lm.LogisticRegression(max_iter=300).fit(Xtr, np.array([-7, 3, 100])[ytr])
        self.check(sk, Xte, "LogisticRegression (lbfgs, auto)")

    def test_float32_input(self):
        Xtr, ytr, Xte, _ = clf_data(3)
        sk = lm.LogisticRegression(max_iter=300).fit(Xtr, ytr)
        m = self.roundtrip(sk)
        X32 = Xte.astype(np.float32)
        self.assertEqual(int(np.sum(m.predict(X32) != sk.predict(X32))), 0)
        self.close(m.predict_proba(X32), sk.predict_proba(X32), "LogisticRegression (lbfgs, auto)",
                   "float32 input")

    def test_multilabel(self):
        # RidgeClassifier(CV) on an indicator matrix: predict the (n, K)
        # indicators d_j > 0, no predict_proba, as scikit-learn
        Xtr, ytr, Xte, yte = clf_data(3)
        for Y in (np.column_stack([ytr == 0, ytr == 1, ytr > 0]).astype(int),
                  np.column_stack([ytr == 0, ytr > 0]).astype(int)):
            for sk in (lm.RidgeClassifier(alpha=3.0).fit(Xtr, Y), lm.RidgeClassifierCV().fit(Xtr, Y)):
                m = self.roundtrip(sk)
                X = test_rows(Xte)
                expected = sk.predict(X)
                got = m.predict(X)
                self.assertEqual((got.shape, got.dtype), (expected.shape, expected.dtype))
                self.assertEqual(int(np.sum(got != expected)), 0, f"{type(sk).__name__} multilabel")
                self.assertTrue(np.array_equal(m.classes_, sk.classes_))
                with self.assertRaises(AttributeError):  # none in scikit-learn either
                    m.predict_proba(X)


class LinearRegressors(Base):

    CASES = {
        "LinearRegression": lambda: lm.LinearRegression(),
        "LinearRegression (no intercept)": lambda: lm.LinearRegression(fit_intercept=False),
        "Ridge": lambda: lm.Ridge(alpha=2.0),
        "RidgeCV": lambda: lm.RidgeCV(),
        "Lasso": lambda: lm.Lasso(alpha=0.5),
        "LassoCV": lambda: lm.LassoCV(cv=3, **N_ALPHAS),
        "ElasticNet": lambda: lm.ElasticNet(alpha=0.3, l1_ratio=0.3),
        "ElasticNetCV": lambda: lm.ElasticNetCV(cv=3, **N_ALPHAS),
        "Lars": lambda: lm.Lars(),
        "LassoLars": lambda: lm.LassoLars(alpha=0.1),
        "HuberRegressor": lambda: lm.HuberRegressor(max_iter=300),
        "BayesianRidge": lambda: lm.BayesianRidge(),
        "ARDRegression": lambda: lm.ARDRegression(),
        "SGDRegressor": lambda: lm.SGDRegressor(random_state=0),
        "SGDRegressor (epsilon_insensitive, average)": lambda: lm.SGDRegressor(
            loss="epsilon_insensitive", average=True, random_state=0),
        "PassiveAggressiveRegressor": lambda: lm.PassiveAggressiveRegressor(random_state=0),
        "LinearSVR": lambda: svm.LinearSVR(max_iter=5000, random_state=0),
    }
    MULTI = ("LinearRegression", "LinearRegression (no intercept)", "Ridge", "RidgeCV", "Lasso",
             "ElasticNet", "Lars", "LassoLars")

    def test_single_target(self):
        Xtr, ytr, Xte, _ = reg_data()
        # SGD needs scaled inputs to converge; fit them on scaled copies
        scale = np.std(Xtr, axis=0)
        for label, make in self.CASES.items():
            with self.subTest(estimator=label):
                sgd = label.startswith(("SGD", "PassiveAggressive", "LinearSVR"))
                Xa, Xb = (Xtr / scale, Xte / scale) if sgd else (Xtr, Xte)
                sk = fit_quietly(make(), Xa, ytr)
                m = self.check(sk, test_rows(Xb), label)
                self.assertEqual(m.predict(Xb).shape, (len(Xb),))

    def test_multi_target(self):
        Xtr, ytr, Xte, _ = reg_data(n_targets=3)
        for label in self.MULTI:
            with self.subTest(estimator=label):
                sk = fit_quietly(self.CASES[label](), Xtr, ytr)
                m = self.check(sk, test_rows(Xte), label + " (3 targets)")
                self.assertEqual(m.n_outputs, 3)
        for label, make in (("MultiTaskLasso", lambda: lm.MultiTaskLasso(alpha=0.5)),
                            ("MultiTaskElasticNet", lambda: lm.MultiTaskElasticNet(alpha=0.5))):
            with self.subTest(estimator=label):
                self.check(fit_quietly(make(), Xtr, ytr), test_rows(Xte), label + " (3 targets)")

    def test_glm(self):
        Xtr, ytr, Xte, _ = reg_data()
        Xtr, Xte = Xtr / np.std(Xtr, axis=0), Xte / np.std(Xtr, axis=0)
        y = np.exp((ytr - ytr.mean()) / ytr.std())
        cases = {
            "PoissonRegressor": (lm.PoissonRegressor(), "exp"),
            "GammaRegressor": (lm.GammaRegressor(), "exp"),
            "TweedieRegressor (power 1.5)": (lm.TweedieRegressor(power=1.5), "exp"),
            "TweedieRegressor (power 0, identity)": (lm.TweedieRegressor(power=0), "identity"),
        }
        for label, (sk, link) in cases.items():
            with self.subTest(estimator=label):
                fit_quietly(sk, Xtr, y)
                m = self.check(sk, Xte, label)
                self.assertEqual(m.info()["link"], link)


class MLP(Base):

    def test_classifier_every_activation(self):
        for activation in ("identity", "logistic", "tanh", "relu"):
            for k in (2, 3):
                Xtr, ytr, Xte, _ = clf_data(k)
                mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
                for hidden in ((16,), (12, 7)):
                    label = f"MLPClassifier ({activation})"
                    with self.subTest(estimator=label, n_classes=k, hidden=hidden):
                        sk = fit_quietly(nn.MLPClassifier(hidden_layer_sizes=hidden, activation=activation, max_iter=60,
                                                          random_state=0), (Xtr - mu) / sd, LABELS[ytr])
                        m = self.check(sk, test_rows((Xte - mu) / sd), label)
                        self.assertEqual(m.info()["link"], "logistic" if k == 2 else "softmax")

    def test_regressor_every_activation(self):
        for activation in ("identity", "logistic", "tanh", "relu"):
            for targets in (1, 2):
                Xtr, ytr, Xte, _ = reg_data(n_targets=targets)
                mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
                label = f"MLPRegressor ({activation})"
                with self.subTest(estimator=label, targets=targets):
                    sk = fit_quietly(nn.MLPRegressor(hidden_layer_sizes=(10, 5), activation=activation, max_iter=60,
                                                     random_state=0), (Xtr - mu) / sd, ytr)
                    m = self.check(sk, test_rows((Xte - mu) / sd), label)
                    self.assertEqual(m.predict(Xte).shape, sk.predict(Xte).shape)

    def test_multilabel(self):
        # MLPClassifier on an indicator matrix: predict_proba the output
        # layer's logistic per class, (n, K) unnormalised; predict p > 0.5
        Xtr, ytr, Xte, _ = clf_data(3)
        mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
        X = test_rows((Xte - mu) / sd)
        for Y in (np.column_stack([ytr == 0, ytr == 1, ytr > 0]).astype(int),
                  np.column_stack([ytr == 0, ytr > 0]).astype(int)):
            for hidden in ((6,), (5, 4)):
                with self.subTest(classes=Y.shape[1], hidden=hidden):
                    sk = fit_quietly(nn.MLPClassifier(hidden_layer_sizes=hidden, max_iter=40, random_state=0),
                                     (Xtr - mu) / sd, Y)
                    m = self.roundtrip(sk)
                    WORST["MLPClassifier (multilabel)"]["n"] += 1
                    for zero in (False, True):
                        if zero:  # class 1's z = 0 exactly: p = 0.5, label 0 (not > 0.5)
                            sk.coefs_[-1][:, 1] = 0.0
                            sk.intercepts_[-1][1] = 0.0
                            m = self.roundtrip(sk)
                        expected = sk.predict(X)
                        got = m.predict(X)
                        self.assertEqual((got.shape, got.dtype), (expected.shape, expected.dtype))
                        self.assertEqual(int(np.sum(got != expected)), 0, "MLPClassifier multilabel")
                        self.assertTrue(np.array_equal(m.classes_, sk.classes_))
                        self.close(m.predict_proba(X), sk.predict_proba(X), "MLPClassifier (multilabel)",
                                   "predict_proba")
                        self.close(m.predict_log_proba(X), sk.predict_log_proba(X),
                                   "MLPClassifier (multilabel)", "predict_log_proba")
                    self.assertTrue(np.all(sk.predict_proba(X)[:, 1] == 0.5))

    def test_not_fitted(self):
        for sk in (nn.MLPClassifier(), lm.LogisticRegression(), lm.Ridge()):
            with self.subTest(estimator=type(sk).__name__):
                with self.assertRaises(NotFittedError):
                    mlmap.save(sk, os.path.join(self.tmp, "unfitted.mlmap"))


def print_summary():
    print(f"\nmax difference mlmap vs scikit-learn {sklearn.__version__} "
          "(rel = |d| / max(1, |value|); over predict_proba, decision_function, values):")
    for est, w in sorted(WORST.items()):
        print(f"  {est:48s} fits {w['n']:2d}  rel {w['rel']:.3g}  abs {w['abs']:.3g}")
    for est, n in sorted(SKLEARN_NAN_ROWS.items()):
        print(f"  {est}: {n} rows where sklearn's one-vs-rest predict_proba is NaN (0 / 0); "
              "mlmap gives a distribution")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
