"""The sklearn-API comparison the estimator parity suites share: every method
the estimator has (predict, predict_proba, predict_log_proba,
decision_function, score_samples) against mlmap's, the worst difference per
estimator kept for the summary."""

import collections
import os
import warnings

import numpy as np
import sklearn

import mlmap
from parity_support import ModelFiles, differences

TOL = 1e-6
METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "score_samples")

# label -> {"rel", "abs", "n" (fits compared), "rows"}
WORST = collections.defaultdict(lambda: {"rel": 0.0, "abs": 0.0, "n": 0, "rows": 0})


def quietly(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def labels_of(sk):
    return sklearn.base.is_classifier(sk) or getattr(sk, "_estimator_type", None) == "outlier_detector" \
        or type(sk).__name__ in ("IsolationForest", "OneClassSVM")


class ApiParity(ModelFiles):

    def close(self, got, expected, label, what):
        got, expected = np.asarray(got), np.asarray(expected)
        self.assertEqual(got.shape, expected.shape, f"{label} {what}: shape")
        rel, ab = differences(got, expected, nan_matches=what == "predict_log_proba")
        if what == "predict_log_proba":
            # -inf where a probability underflows: both sides must agree there.
            both = np.isneginf(got) & np.isneginf(expected)
            self.assertTrue(np.array_equal(np.isneginf(got), np.isneginf(expected)), f"{label}: -inf cells")
            rel, ab = differences(np.where(both, 0, got), np.where(both, 0, expected))
        w = WORST[label]
        w["rel"], w["abs"] = max(w["rel"], rel), max(w["abs"], ab)
        self.assertLessEqual(rel, TOL, f"{label} {what}: max difference {rel:.3g} (abs {ab:.3g})")

    def check(self, sk, X, label=None, methods=METHODS, model=None):
        """Saves `sk` (or takes `model`), then compares each method sklearn
        has on rows X.  Returns the mlmap model."""
        label = label or type(sk).__name__
        m = model if model is not None else self.roundtrip(sk)
        WORST[label]["n"] += 1
        WORST[label]["rows"] += len(X)
        compared = 0
        for method in methods:
            if not quietly(hasattr, sk, method):
                # mlmap gives predict_log_proba wherever there are probabilities.
                if method == "predict_proba" and sklearn.base.is_classifier(sk):
                    with self.assertRaises(AttributeError):
                        getattr(m, method)(X)
                continue
            expected = quietly(getattr(sk, method), X)
            got = getattr(m, method)(X)
            if method == "predict" and labels_of(sk):
                self.assertEqual(got.dtype, expected.dtype, f"{label}: label dtype")
                self.assertEqual(int(np.sum(got != expected)), 0, f"{label}: label mismatches")
            else:
                self.close(got, expected, label, method)
            compared += 1
        self.assertGreater(compared, 0)
        return m

    def refused(self, sk, *needles):
        """mlmap.save refuses `sk` with UnsupportedModelError naming each of
        `needles`, and leaves no file behind."""
        path = self.path("refused")
        with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
            mlmap.save(sk, path)
        for needle in needles:
            self.assertIn(needle, str(ctx.exception))
        self.assertFalse(os.path.exists(path))


def print_summary():
    print(f"\nmax difference mlmap vs scikit-learn {sklearn.__version__} (rel = |d| / max(1, |value|); over "
          "every method the estimator has; labels: 0 mismatches):")
    for est, w in sorted(WORST.items()):
        print(f"  {est:56s} fits {w['n']:3d}  rows {w['rows']:6d}  rel {w['rel']:.3g}  abs {w['abs']:.3g}")
