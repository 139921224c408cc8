#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on None, NaN and pandas.NA in string
columns (issue 17 item 1), in whichever scikit-learn version runs it.

scikit-learn's encoders keep None and NaN apart in an object column: None is
an ordinary category (learnt when seen in training, unknown otherwise), NaN
the missing one; pandas.NA is never a category.  SimpleImputer and
MissingIndicator with missing_values=nan leave None alone (it reaches the
encoder after them as None) and with missing_values=None fill None and raise
on NaN.  In a pandas categorical column every missing value is NaN.

Every encoder (OneHotEncoder with handle_unknown 'ignore' / 'error' /
infrequent categories, OrdinalEncoder with 'error' / 'use_encoded_value')
and imputer (SimpleImputer with strings, MissingIndicator, add_indicator) is
fitted on object and categorical columns holding None, NaN, both or neither,
then fed each of 'a', an unseen string, None, np.nan, float('nan') and
pd.NA, one row each (NonStrings: an int, a bool, a float, a float32 NaN into
an encoder fitted on '3', 'True', '2.5').  A final LinearRegression with distinct coefficients
makes every encoded column visible in the prediction.  Where scikit-learn
answers, mlmap answers the same (within 1e-9); where it raises, mlmap
raises.  Combinations scikit-learn refuses to fit are skipped, naming why.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_missing_strings.py
"""

import os
import sys
import unittest
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_support import ModelFiles, run  # noqa: E402

import mlmap  # noqa: E402

MARKERS = {"None": None, "np.nan": np.nan, "float_nan": float("nan"), "pd.NA": pd.NA}
PROBES = ["a", "unseen", "None", "np.nan", "float_nan", "pd.NA"]
TRAININGS = {"none": [], "None": ["None"], "nan": ["np.nan"], "None+nan": ["None", "np.nan"]}

def steps():
    """name -> a function making the preprocessing in front of the regression."""
    return {
        "onehot_ignore": lambda: OneHotEncoder(handle_unknown="ignore"),
        "onehot_error": lambda: OneHotEncoder(handle_unknown="error"),
        "onehot_infrequent": lambda: OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=2),
        "ordinal_error": lambda: OrdinalEncoder(encoded_missing_value=-3),
        "ordinal_unknown": lambda: OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                                  encoded_missing_value=-2),
        "impute_const": lambda: make_pipeline(SimpleImputer(strategy="constant", fill_value="zz"),
                                              OneHotEncoder(handle_unknown="ignore")),
        "impute_frequent": lambda: make_pipeline(SimpleImputer(strategy="most_frequent", add_indicator=True),
                                                 OneHotEncoder(handle_unknown="ignore")),
        "impute_none": lambda: make_pipeline(SimpleImputer(strategy="constant", fill_value="zz",
                                                           missing_values=None),
                                             OneHotEncoder(handle_unknown="ignore")),
        # MissingIndicator over strings: the imputer's add_indicator (a
        # MissingIndicator alone does not tell mlmap its column holds strings)
        "indicator_nan": lambda: make_pipeline(SimpleImputer(strategy="constant", fill_value="zz",
                                                             add_indicator=True),
                                               OneHotEncoder(handle_unknown="ignore")),
        "indicator_none": lambda: make_pipeline(SimpleImputer(strategy="constant", fill_value="zz",
                                                              missing_values=None, add_indicator=True),
                                                OneHotEncoder(handle_unknown="ignore")),
    }


def column(values, categories=None):
    s = pd.Series(values, dtype=object)
    if categories is not None:
        return pd.Categorical(values, categories=categories)
    return s


def fit_pipeline(test, X, step):
    """The step in a ColumnTransformer on column "c" ("x" passed through)
    before a LinearRegression with distinct coefficients, so that every
    encoded column shows in the prediction; skips the test where
    scikit-learn refuses to fit it."""
    y = np.random.default_rng(len(X)).normal(size=len(X))
    ct = make_column_transformer((steps()[step](), ["c"]), remainder="passthrough")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pipe = make_pipeline(ct, LinearRegression()).fit(X, y)
        except (TypeError, ValueError, AttributeError) as e:
            test.skipTest(f"scikit-learn refuses to fit this: {e}")
    lr = pipe[-1]
    lr.coef_ = np.arange(1, lr.coef_.shape[0] + 1, dtype=np.float64) * 1.37
    lr.intercept_ = 0.25
    return pipe


def predictions(pipe, m, T):
    """(scikit-learn's, mlmap's) predictions of T, each an exception where it raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = pipe.predict(T)
        except Exception as e:  # noqa: BLE001  (TypeError, ValueError, AttributeError ...)
            want = e
    try:
        got = m.predict(T)
    except (ValueError, TypeError) as e:
        got = e
    return want, got


def check_same(test, want, got, where):
    """Both raise, or both answer the same values."""
    if isinstance(want, Exception):
        test.assertIsInstance(got, Exception, f"{where}: scikit-learn raises {type(want).__name__}: {want}; "
                                              f"mlmap answers {got}")
    else:
        test.assertNotIsInstance(got, Exception, f"{where}: mlmap raises {got!r}; scikit-learn answers {want}")
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=where)


class MissingStrings(ModelFiles):
    prefix = "mlmap-missing-strings-"

    def check(self, dtype, training, step):
        train = ["a", "b", "a", "b", "c"] + [MARKERS[m] for m in TRAININGS[training]] * 2
        cats = None
        if dtype == "category":
            cats = pd.Series(train, dtype=object).astype("category").cat.categories
        X = pd.DataFrame({"c": column(train, cats), "x": np.arange(len(train), dtype=np.float64)})
        pipe = fit_pipeline(self, X, step)
        try:
            m = self.roundtrip(pipe)
        except mlmap.UnsupportedModelError as e:
            # the one refusal: SimpleImputer(most_frequent) whose mode is None
            # (scikit-learn >= 1.3 counts None; it fills NaN with None)
            if step == "impute_frequent" and "chose None as the fill value" in str(e):
                self.skipTest(f"refused, as documented: {e}")
            self.fail(f"mlmap refuses {step} trained on {training} ({dtype}): {e}")
        for probe in PROBES:
            value = {"a": "a", "unseen": "q"}.get(probe, MARKERS.get(probe))
            T = pd.DataFrame({"c": column([value], cats), "x": [1.0]})
            with self.subTest(probe=probe):
                want, got = predictions(pipe, m, T)
                check_same(self, want, got, f"{step}, trained on {training} ({dtype}), probe {probe}")


# Values that are neither strings nor None, NaN, pandas.NA: scikit-learn
# compares them with their types, so the int 3 is not the category '3' (an
# unknown category; imputers pass it on); a NaN of another float type is NaN.
NON_STRINGS = {"int": 3, "bool": True, "float": 2.5, "np.int64": np.int64(3), "np.float32_nan": np.float32("nan")}


class NonStrings(ModelFiles):
    prefix = "mlmap-non-strings-"

    def check(self, training, step):
        train = ["3", "True", "2.5", "a", "3", "True", "2.5", "a"] + [MARKERS[m] for m in TRAININGS[training]] * 2
        X = pd.DataFrame({"c": column(train), "x": np.arange(len(train), dtype=np.float64)})
        pipe = fit_pipeline(self, X, step)
        try:
            m = self.roundtrip(pipe)
        except mlmap.UnsupportedModelError as e:
            self.skipTest(f"refused, as documented: {e}")
        for probe, value in NON_STRINGS.items():
            T = pd.DataFrame({"c": pd.Series(["a", value], dtype=object), "x": [1.0, 2.0]})
            with self.subTest(probe=probe):
                want, got = predictions(pipe, m, T)
                where = f"{step}, trained on {training}, probe {probe}"
                check_same(self, want, got, where)
                if isinstance(want, Exception) and "nan" not in probe:
                    self.assertIsInstance(got, mlmap.UnknownCategoryError, where)


def add_tests():
    for dtype in ("object", "category"):
        for training in TRAININGS:
            for step in steps():
                name = f"test_{dtype}_{training.replace('+', '_and_')}_{step}"
                setattr(MissingStrings, name,
                        lambda self, d=dtype, t=training, s=step: self.check(d, t, s))
    for training in ("none", "nan"):
        for step in steps():
            setattr(NonStrings, f"test_{training}_{step}", lambda self, t=training, s=step: self.check(t, s))


add_tests()

if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, pandas {pd.__version__}")
