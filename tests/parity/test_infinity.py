#!/usr/bin/python3
"""+-inf inputs as scikit-learn takes them (issue 17 item 9), in whichever
scikit-learn version runs it; and values past float32's range, which
scikit-learn's trees (reading float32) refuse as infinite.

scikit-learn's input check refuses +-inf (ValueError) for every estimator
mlmap saves except HistGradientBoosting (which bins inf with the extreme
values), and every transformer refuses it in the columns it reads, but
VarianceThreshold (allow_nan: inf and NaN pass) and SplineTransformer with
handle_missing='zeros' (1.9: scipy's answer, or 'error''s refusal); the
selectors without allow_nan refuse NaN and inf in every column, kept or not,
and PCA, TruncatedSVD and KMeans refuse NaN too (each checked here, NaN as
well as +-inf, in front of a HistGradientBoosting that takes both); in a
Pipeline the first step that reads a column decides, and columns that reach
the model untouched (a ColumnTransformer's passthrough remainder, an identity
FunctionTransformer) follow the model.  XGBoost predicts on inf.

For each model, one row at a time with +inf or -inf in each column: where
scikit-learn raises, mlmap raises ValueError naming the row, the column and
the value -- from the library's predict path, so the CLI too (checked here
through `mlmap predict` when MLMAP_CLI is set); where scikit-learn answers,
mlmap gives the same answer (1e-9).  info()["accepts_infinity"] says whether
every column accepts it.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_infinity.py
"""

import os
import subprocess
import sys
import unittest
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import (cluster, compose, decomposition, ensemble, feature_selection, impute, linear_model,
                     multiclass, multioutput, neural_network, pipeline, preprocessing, tree)
from sklearn.datasets import make_classification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_support import ModelFiles, run  # noqa: E402

import mlmap  # noqa: E402


def models():
    hgb = lambda: ensemble.HistGradientBoostingClassifier(max_iter=5)  # noqa: E731
    out = {
        "DecisionTree": tree.DecisionTreeClassifier(max_depth=4),
        "RandomForest": ensemble.RandomForestClassifier(5, max_depth=4),
        "ExtraTreesRegressor": ensemble.ExtraTreesRegressor(5, max_depth=4),
        "GradientBoosting": ensemble.GradientBoostingClassifier(n_estimators=5),
        "HistGradientBoosting": hgb(),
        "HistGradientBoostingRegressor": ensemble.HistGradientBoostingRegressor(max_iter=5),
        "LogisticRegression": linear_model.LogisticRegression(),
        "Ridge": linear_model.Ridge(),
        "MLP": neural_network.MLPClassifier((8,), max_iter=30),
        "scaler_then_HGB": pipeline.make_pipeline(preprocessing.StandardScaler(), hgb()),
        "scaled_column_then_HGB": pipeline.make_pipeline(
            compose.ColumnTransformer([("s", preprocessing.StandardScaler(), [0])], remainder="passthrough"), hgb()),
        "identity_then_HGB": pipeline.make_pipeline(preprocessing.FunctionTransformer(), hgb()),
        "imputer_then_forest": pipeline.make_pipeline(impute.SimpleImputer(), ensemble.RandomForestClassifier(5)),
        "minmax_then_HGB": pipeline.make_pipeline(preprocessing.MinMaxScaler(), hgb()),
        # the transformers of issue 20 in front of a model that takes inf and NaN: the transformer decides
        "Binarizer_then_HGB": pipeline.make_pipeline(preprocessing.Binarizer(), hgb()),
        "VarianceThreshold_then_HGB": pipeline.make_pipeline(feature_selection.VarianceThreshold(), hgb()),
        "SelectKBest_then_HGB": pipeline.make_pipeline(feature_selection.SelectKBest(k=2), hgb()),
        "SelectFromModel_then_HGB": pipeline.make_pipeline(
            feature_selection.SelectFromModel(linear_model.LogisticRegression()), hgb()),
        # a forest's allow_nan tag: false in 1.2, true from 1.4 (trees route NaN): version-dependent
        "SelectFromModel_forest_then_HGB": pipeline.make_pipeline(feature_selection.SelectFromModel(
            ensemble.RandomForestClassifier(5, random_state=0), threshold=-1.0), hgb()),
        "RFE_then_HGB": pipeline.make_pipeline(
            feature_selection.RFE(linear_model.LogisticRegression(), n_features_to_select=2), hgb()),
        "KBins_then_HGB": pipeline.make_pipeline(preprocessing.KBinsDiscretizer(encode="ordinal"), hgb()),
        "Quantile_then_HGB": pipeline.make_pipeline(preprocessing.QuantileTransformer(n_quantiles=50), hgb()),
        "QuantileNormal_then_HGB": pipeline.make_pipeline(
            preprocessing.QuantileTransformer(n_quantiles=50, output_distribution="normal"), hgb()),
        "Power_then_HGB": pipeline.make_pipeline(preprocessing.PowerTransformer(), hgb()),
        "PCA_then_HGB": pipeline.make_pipeline(decomposition.PCA(2), hgb()),
        "TruncatedSVD_then_HGB": pipeline.make_pipeline(decomposition.TruncatedSVD(2), hgb()),
        "KMeans_then_HGB": pipeline.make_pipeline(cluster.KMeans(3, n_init=2, random_state=0), hgb()),
        "KMeans": cluster.KMeans(3, n_init=2, random_state=0),
        "PCA_then_Logistic": pipeline.make_pipeline(decomposition.PCA(2), linear_model.LogisticRegression()),
        # meta-estimators decide by their bases, a OneVsRestClassifier's too (fitted on y twice: 2-D y)
        "MultiOutput_OvR_HGB": multioutput.MultiOutputClassifier(multiclass.OneVsRestClassifier(hgb())),
        "identity_then_MultiOutput_OvR_HGB": pipeline.make_pipeline(preprocessing.FunctionTransformer(),
            multioutput.MultiOutputClassifier(multiclass.OneVsRestClassifier(hgb()))),
        "MultiOutput_OvR_Logistic": multioutput.MultiOutputClassifier(
            multiclass.OneVsRestClassifier(linear_model.LogisticRegression())),
        "Spline_then_HGB": pipeline.make_pipeline(preprocessing.SplineTransformer(n_knots=4), hgb()),
        "SplineContinue_then_HGB": pipeline.make_pipeline(
            preprocessing.SplineTransformer(n_knots=4, extrapolation="continue"), hgb()),
    }
    if "handle_missing" in preprocessing.SplineTransformer().get_params():  # scikit-learn >= 1.8
        for mode in ("error", "constant", "linear", "continue", "periodic"):
            out[f"SplineZeros_{mode}_then_HGB"] = pipeline.make_pipeline(
                preprocessing.SplineTransformer(n_knots=4, extrapolation=mode, handle_missing="zeros"), hgb())
    try:
        import xgboost
        out["XGBClassifier"] = xgboost.XGBClassifier(n_estimators=3, max_depth=3)
    except ImportError:
        pass
    return out


class Infinity(ModelFiles):
    prefix = "mlmap-infinity-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.X, cls.y = make_classification(300, 4, random_state=0)

    def check(self, name):
        est = models()[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(self.X, np.c_[self.y, self.y] if "MultiOutput" in name else self.y)
        m = self.roundtrip(est)
        every_column_accepts = True
        for col in range(self.X.shape[1]):
            # Past float32's range (1e39, -3.5e38) is infinite to the models
            # that read float32 (scikit-learn's trees); 3.4e38 is not.
            for value in (np.inf, -np.inf, 1e39, -3.5e38, 3.4e38):
                if not np.isinf(value) and isinstance(est, pipeline.Pipeline):
                    continue  # not re-checked after a program (README: a tree behind transformers)
                row = self.X[:2].copy()
                row[1, col] = value
                with self.subTest(column=col, value=value):
                    try:
                        want = est.predict(row)
                    except ValueError as e:
                        want = e
                    if isinstance(want, Exception):
                        every_column_accepts = every_column_accepts and not np.isinf(value)
                        with self.assertRaises(ValueError) as caught:
                            m.predict(row)
                        text = str(caught.exception)
                        self.assertIn("row 1", text)
                        self.assertIn(f"column {col}", text)
                        if np.isinf(value):
                            self.assertIn("+inf" if value > 0 else "-inf", text)
                        elif "tree" in m.info()["predictor"]:
                            self.assertIn("beyond float32's range", text)
                        self.assertNotIsInstance(caught.exception, mlmap.MissingValueError)
                    elif np.isinf(value):
                        np.testing.assert_allclose(m.predict(row), want, rtol=1e-9, atol=1e-9)
                    else:  # answered (at such magnitudes distances and sums round alike or not: not compared)
                        m.predict(row)
            # NaN likewise: refused where scikit-learn raises, the same answer where it answers
            row = self.X[:2].copy()
            row[1, col] = np.nan
            with self.subTest(column=col, value=np.nan):
                try:
                    want = est.predict(row)
                except ValueError as e:
                    want = e
                if isinstance(want, Exception):
                    with self.assertRaises(ValueError) as caught:
                        m.predict(row)
                    self.assertIn("row 1", str(caught.exception))
                else:
                    np.testing.assert_allclose(m.predict(row), want, rtol=1e-9, atol=1e-9)
        self.assertEqual(m.info()["accepts_infinity"], every_column_accepts)
        cli = os.environ.get("MLMAP_CLI")
        if cli and not every_column_accepts:
            csv = os.path.join(self.tmp, f"{name}.csv")
            bad = self.X[:3].copy()
            bad[2, 0] = np.inf
            # the first column is refused by every refusing model here
            pd.DataFrame(bad).to_csv(csv, index=False, header=False)
            r = subprocess.run([cli, "predict", m.path, csv], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, r.stderr + r.stdout)
            self.assertIn("inf", r.stderr)


def add_tests():
    for name in models():
        setattr(Infinity, f"test_{name}", lambda self, n=name: self.check(n))


add_tests()

if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}")
