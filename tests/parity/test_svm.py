#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on kernel SVMs (libsvm): SVC and NuSVC
(2 to 5 classes, integer and string labels, every kernel, gamma 'scale',
'auto' and a number, decision_function_shape 'ovr' and 'ovo', break_ties,
probability=True, class_weight), SVR and NuSVR, OneClassSVM.  Labels must
match (0 mismatches); decision_function, predict_proba, predict_log_proba,
score_samples and values within 1e-6.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_svm.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import functools

import numpy as np
import sklearn
from scipy import sparse
from sklearn import svm
from sklearn.datasets import make_classification, make_regression

import mlmap
from api_parity import ApiParity, print_summary, quietly
from parity_support import run

LABELS = np.array(["ant", "bee", "cat", "dog", "emu"])
KERNELS = [("linear", {}), ("poly", {"degree": 2}), ("poly", {"degree": 3, "coef0": 1.0}),
           ("rbf", {}), ("rbf", {"gamma": "auto"}), ("rbf", {"gamma": 0.05}), ("sigmoid", {"coef0": 0.5})]


@functools.lru_cache(maxsize=None)
def clf_data(n_classes, seed=0):
    X, y = make_classification(n_samples=500, n_features=7, n_informative=5, n_redundant=0,
                               n_classes=n_classes, n_clusters_per_class=1, flip_y=0.05, random_state=seed)
    X[:, 1] *= 3
    return X[:300], y[:300], X[300:]


@functools.lru_cache(maxsize=None)
def reg_data(seed=0):
    X, y = make_regression(n_samples=400, n_features=6, noise=5.0, random_state=seed)
    return X[:250], y[:250] / 50, X[250:]


def rows(Xte):
    """Held-out rows and rows far outside (saturated kernels, extreme votes)."""
    return np.vstack([Xte, Xte[:20] * 4, -3 * Xte[20:30]])


def kernel_label(kernel, kw):
    extra = ", ".join(f"{k}={v}" for k, v in kw.items())
    return kernel + (f" {extra}" if extra else "")


class Classifiers(ApiParity):
    prefix = "mlmap-svm-"

    def test_svc_kernels_and_shapes(self):
        for n_classes in (2, 3, 5):
            Xtr, ytr, Xte = clf_data(n_classes)
            for kernel, kw in KERNELS:
                for shape in ("ovr", "ovo"):
                    label = f"SVC ({kernel_label(kernel, kw)})"
                    with self.subTest(label, n_classes=n_classes, shape=shape):
                        sk = quietly(svm.SVC(kernel=kernel, decision_function_shape=shape, **kw).fit,
                                     Xtr, LABELS[ytr])
                        m = self.check(sk, rows(Xte), label)
                        if n_classes > 2:
                            self.assertEqual(m.info()["decision_function"], "ovo_to_ovr" if shape == "ovr" else "raw")

    def test_probability_break_ties_and_class_weight(self):
        for n_classes in (2, 3, 4):
            Xtr, ytr, Xte = clf_data(n_classes, seed=1)
            cases = {
                "SVC (probability)": dict(probability=True, random_state=0),
                "SVC (probability, poly)": dict(probability=True, kernel="poly", degree=2, random_state=1),
                "SVC (break_ties)": dict(break_ties=True),
                "SVC (probability, break_ties)": dict(probability=True, break_ties=True, random_state=2),
                "SVC (class_weight=balanced)": dict(class_weight="balanced"),
                "SVC (class_weight, probability)": dict(class_weight={0: 3.0, 1: 0.5}, probability=True,
                                                        random_state=3),
            }
            for label, kw in cases.items():
                with self.subTest(label, n_classes=n_classes):
                    sk = quietly(svm.SVC(**kw).fit, Xtr, ytr)
                    m = self.check(sk, rows(Xte), label)
                    if kw.get("probability") and quietly(hasattr, sk, "predict_proba"):
                        self.assertEqual(m.info()["link"], "pairwise_coupling")

    def test_nu_svc(self):
        for n_classes in (2, 4):
            Xtr, ytr, Xte = clf_data(n_classes, seed=2)
            for kernel, kw in KERNELS[::2]:
                for probability in (False, True):
                    label = f"NuSVC ({kernel_label(kernel, kw)})"
                    with self.subTest(label, n_classes=n_classes, probability=probability):
                        sk = quietly(svm.NuSVC(nu=0.3, kernel=kernel, probability=probability, random_state=0,
                                               **kw).fit, Xtr, ytr)
                        self.check(sk, rows(Xte), label)

    def test_float32_input(self):
        Xtr, ytr, Xte = clf_data(3)
        sk = svm.SVC().fit(Xtr, ytr)
        m = self.roundtrip(sk)
        X32 = Xte.astype(np.float32)
        self.assertTrue(np.array_equal(m.predict(X32), sk.predict(X32)))
        self.close(m.decision_function(X32), sk.decision_function(X32), "SVC (float32 rows)", "decision_function")


class Regressors(ApiParity):
    prefix = "mlmap-svr-"

    def test_svr(self):
        Xtr, ytr, Xte = reg_data()
        for kernel, kw in KERNELS:
            for cls, extra in ((svm.SVR, dict(epsilon=0.05)), (svm.NuSVR, dict(nu=0.4))):
                label = f"{cls.__name__} ({kernel_label(kernel, kw)})"
                with self.subTest(label):
                    sk = quietly(cls(kernel=kernel, C=3.0, **kw, **extra).fit, Xtr, ytr)
                    self.check(sk, rows(Xte), label)


class OneClass(ApiParity):
    prefix = "mlmap-ocsvm-"

    def test_one_class(self):
        Xtr, _, Xte = clf_data(2, seed=3)
        for kernel, kw in KERNELS:
            for nu in (0.1, 0.5):
                label = f"OneClassSVM ({kernel_label(kernel, kw)})"
                with self.subTest(label, nu=nu):
                    sk = quietly(svm.OneClassSVM(kernel=kernel, nu=nu, **kw).fit, Xtr)
                    m = self.check(sk, rows(Xte), label)
                    self.assertEqual(m.task, "outlier_detection")
                    self.assertEqual(list(m.classes_), [-1, 1])
                    with self.assertRaises(AttributeError):
                        m.predict_proba(Xte)


class Refusals(ApiParity):
    prefix = "mlmap-svm-refusals-"

    def test_refusals(self):
        Xtr, ytr, _ = clf_data(3)

        def my_kernel(a, b):
            return a @ b.T

        cases = [
            (svm.SVC(kernel="precomputed").fit(Xtr @ Xtr.T, ytr), "SVC", "kernel='precomputed'"),
            (svm.SVC(kernel=my_kernel).fit(Xtr, ytr), "SVC", "a callable"),
            (svm.SVR().fit(sparse.csr_matrix(Xtr), ytr * 1.0), "SVR", "sparse"),
            (svm.SVC(break_ties=True, decision_function_shape="ovo").fit(Xtr, ytr), "SVC", "break_ties"),
            (svm.OneClassSVM(kernel=my_kernel).fit(Xtr), "OneClassSVM", "a callable"),
        ]
        for sk, name, phrase in cases:
            with self.subTest(phrase):
                path = self.path("refused")
                with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
                    mlmap.save(sk, path)
                self.assertIn(name, str(ctx.exception))
                self.assertIn(phrase, str(ctx.exception))
                self.assertFalse(os.path.exists(path))

    def test_pipeline(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        Xtr, ytr, Xte = clf_data(4)
        sk = quietly(make_pipeline(StandardScaler(), svm.SVC(probability=True, random_state=0)).fit, Xtr, ytr)
        self.check(sk, rows(Xte), "Pipeline (StandardScaler, SVC)")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
