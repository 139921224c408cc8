#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on the transformers of
tools/python/mlmap/_sklearn_transformers.py: Binarizer, KBinsDiscretizer (every strategy and encoding), PowerTransformer
(yeo-johnson, box-cox, standardize), QuantileTransformer (uniform, normal), SplineTransformer (every
extrapolation mode, degree, knots, include_bias, sparse_output, handle_missing), TargetEncoder (from scikit-learn 1.3), the feature selectors
(VarianceThreshold, SelectKBest, SelectPercentile, SelectFpr/Fdr/Fwe,
GenericUnivariateSelect, SelectFromModel, RFE, RFECV,
SequentialFeatureSelector) as column selection, PCA (whiten or not, every
solver), IncrementalPCA, TruncatedSVD and KMeans / MiniBatchKMeans as
transform, in Pipelines, ColumnTransformers and FeatureUnions in front of
linear models, MLPs, forests and boosting.

mlmap must give the same labels (0 mismatches) and the same predict_proba,
decision_function and regression values within 1e-6 (absolute, or relative
to |value| when that is larger).  A NaN reaching a Binarizer raises
mlmap.MissingValueError, as sklearn raises.  The transformers mlmap does not
save yet raise UnsupportedModelError naming the class and its position.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_transformers.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")


import numpy as np
import pandas as pd
import sklearn
from sklearn import cluster, decomposition, feature_selection as fs, preprocessing as pp
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline

import mlmap
from api_parity import WORST, ApiParity, print_summary, quietly
from parity_support import run, this_version_has_it



def data(seed=0, n_train=600, n_test=400, n_features=8):
    """(X_train, X_test, y_class (3 classes), y_reg): correlated features, one
    constant column (for VarianceThreshold), test rows wider than training."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    base = rng.normal(size=(n, 3))
    X = np.column_stack([base @ rng.normal(size=(3, n_features - 1)) + 0.3 * rng.normal(size=(n, n_features - 1)),
                         np.full(n, 2.0)])
    X[n_train:] *= 1.5
    z = X[:, 0] - 0.5 * X[:, 1] + 0.25 * X[:, 2]
    y_cls = np.digitize(z + 0.3 * rng.normal(size=n), np.quantile(z, [0.33, 0.66]))
    y_reg = 3 * z + rng.normal(size=n)
    cols = [f"f{i}" for i in range(n_features)]
    frame = pd.DataFrame(X, columns=cols)
    return frame.iloc[:n_train], frame.iloc[n_train:].reset_index(drop=True), y_cls[:n_train], y_reg[:n_train]


class Base(ApiParity):
    prefix = "mlmap-transformers-"

    def fit(self, pipe, X, y):
        return quietly(pipe.fit, X, y)


class Binarizer(Base):
    def test_thresholds_and_models(self):
        train, test, cls, reg = data()
        for t in (0.0, 0.5, -1.25):
            for model, y in ((LogisticRegression(max_iter=500), cls), (Ridge(), reg),
                             (HistGradientBoostingClassifier(max_iter=20), cls)):
                with self.subTest(threshold=t, model=type(model).__name__):
                    pipe = self.fit(make_pipeline(pp.Binarizer(threshold=t), model), train, y)
                    self.check(pipe, test, "Binarizer")

    def test_values_at_the_threshold(self):
        train, _, cls, _ = data()
        X = np.round(train.to_numpy(), 0)  # many values equal to the threshold 1.0
        pipe = self.fit(make_pipeline(pp.Binarizer(threshold=1.0), LogisticRegression()), X, cls)
        self.check(pipe, X, "Binarizer")

    def test_nan_is_refused_as_sklearn_refuses_it(self):
        train, test, cls, _ = data()
        pipe = self.fit(make_pipeline(pp.Binarizer(), LogisticRegression()), train, cls)
        X = test.copy()
        X.iloc[7, 2] = np.nan
        with self.assertRaises(ValueError):
            pipe.predict(X)
        m = self.roundtrip(pipe)
        with self.assertRaises(mlmap.MissingValueError) as ctx:
            m.predict(X)
        self.assertIn("row 7", str(ctx.exception))
        self.assertIn("f2", str(ctx.exception))
        self.assertFalse(m.info()["accepts_missing"])
        self.assertEqual(m.info()["preprocessing"]["steps"], ["binarize"])


class Selectors(Base):
    def selectors(self):
        yield fs.VarianceThreshold()
        yield fs.VarianceThreshold(threshold=0.5)
        yield fs.SelectKBest(fs.f_classif, k=3)
        yield fs.SelectPercentile(fs.f_classif, percentile=40)
        yield fs.SelectFpr(fs.f_classif, alpha=0.01)
        yield fs.SelectFdr(fs.f_classif, alpha=0.01)
        yield fs.SelectFwe(fs.f_classif, alpha=0.01)
        yield fs.GenericUnivariateSelect(fs.f_classif, mode="k_best", param=2)
        yield fs.SelectFromModel(LogisticRegression(C=0.05, penalty="l1", solver="liblinear"))
        yield fs.SelectFromModel(Lasso(alpha=0.1), max_features=2)
        yield fs.RFE(LogisticRegression(max_iter=300), n_features_to_select=3)
        yield fs.RFECV(LogisticRegression(max_iter=300), cv=3)
        yield fs.SequentialFeatureSelector(LogisticRegression(max_iter=300), n_features_to_select=2, cv=2)

    def test_selection_in_front_of_models(self):
        train, test, cls, _ = data()
        for sel in self.selectors():
            with self.subTest(selector=repr(sel)):
                with this_version_has_it(repr(sel)):  # multiclass liblinear: gone in 1.8
                    pipe = self.fit(make_pipeline(sel, LogisticRegression(max_iter=500)), train, cls)
                m = self.check(pipe, test, type(sel).__name__)
                self.assertEqual(m.n_features_in_, train.shape[1])  # the selection is inside the file

    def test_selection_of_encoded_and_string_columns(self):
        train, test, cls, _ = data()
        rng = np.random.default_rng(3)
        tr, te = train.copy(), test.copy()
        tr["city"] = rng.choice(["a", "b", "c"], len(tr)).astype(object)
        te["city"] = rng.choice(["a", "b", "c"], len(te)).astype(object)
        ct = ColumnTransformer([("enc", pp.OneHotEncoder(), ["city"]), ("num", pp.StandardScaler(), list(train.columns))])
        pipe = self.fit(make_pipeline(ct, fs.SelectKBest(fs.f_classif, k=5), MLPClassifier((8,), max_iter=300,
                                                                                      random_state=0)), tr, cls)
        self.check(pipe, te, "SelectKBest (after a ColumnTransformer)")
        # a selector reading the string column itself (dtype=None keeps it)
        sel = fs.VarianceThreshold()
        ct = ColumnTransformer([("s", make_pipeline(pp.OrdinalEncoder(), sel), ["city"]),
                                ("num", "passthrough", ["f0", "f1"])])
        pipe = self.fit(make_pipeline(ct, LogisticRegression()), tr, cls)
        self.check(pipe, te, "VarianceThreshold (in a ColumnTransformer)")


class Projections(Base):
    def pcas(self, n_features):
        for whiten in (False, True):
            yield decomposition.PCA(3, whiten=whiten)
            yield decomposition.PCA(0.9, whiten=whiten, svd_solver="full")
            yield decomposition.PCA("mle", whiten=whiten, svd_solver="full")
            yield decomposition.PCA(4, whiten=whiten, svd_solver="randomized", random_state=0)
            yield decomposition.PCA(2, whiten=whiten, svd_solver="arpack", random_state=0)
            yield decomposition.PCA(whiten=whiten)  # every component, a zero-variance one included
            yield decomposition.IncrementalPCA(3, whiten=whiten, batch_size=100)
        yield decomposition.TruncatedSVD(3, random_state=0)
        yield decomposition.TruncatedSVD(n_features - 1, algorithm="arpack", random_state=0)

    def test_projections_in_front_of_models(self):
        train, test, cls, reg = data()
        for proj in self.pcas(train.shape[1]):
            for model, y in ((LogisticRegression(max_iter=500), cls), (Ridge(), reg),
                             (RandomForestRegressor(20, max_depth=6, random_state=0), reg),
                             (MLPClassifier((16,), max_iter=300, random_state=0), cls)):
                label = f"{type(proj).__name__}" + (" whiten" if getattr(proj, "whiten", False) else "")
                with self.subTest(projection=repr(proj), model=type(model).__name__):
                    with this_version_has_it(repr(proj)):
                        pipe = self.fit(make_pipeline(pp.StandardScaler(), proj, model), train, y)
                    if not np.all(np.isfinite(quietly(pipe[:-1].transform, test))):
                        # before 1.5 whitening divides a zero variance's component by 0 (1.5 clips
                        # it at eps, as mlmap does): sklearn's own predict fails
                        self.assertTrue(getattr(proj, "whiten", False))
                        self.skipTest(f"scikit-learn {sklearn.__version__} whitens a zero variance to "
                                      "infinity")
                    self.check(pipe, test, label)

    def test_projection_after_imputation_with_missing_values(self):
        train, test, cls, _ = data()
        tr, te = train.copy(), test.copy()
        tr.iloc[::7, 1] = np.nan
        te.iloc[::5, 3] = np.nan
        pipe = self.fit(make_pipeline(SimpleImputer(), decomposition.PCA(3, whiten=True), LogisticRegression()),
                        tr, cls)
        self.check(pipe, te, "PCA whiten")
        # without an imputer, a NaN reaching the projection reaches the model: refused as missing
        pipe = self.fit(make_pipeline(decomposition.PCA(3), LogisticRegression()), train, cls)
        with self.assertRaises(mlmap.MissingValueError):
            self.roundtrip(pipe).predict(te)

    def test_kmeans_distances(self):
        train, test, cls, reg = data()
        for km in (cluster.KMeans(4, n_init=3, random_state=0), cluster.KMeans(7, n_init=1, random_state=1),
                   cluster.MiniBatchKMeans(5, n_init=3, random_state=0, batch_size=64)):
            with self.subTest(kmeans=repr(km)):
                pipe = self.fit(make_pipeline(pp.StandardScaler(), km, LogisticRegression(max_iter=500)),
                                train, cls)
                self.check(pipe, test, type(km).__name__)
                union = FeatureUnion([("km", km), ("pca", decomposition.PCA(2)), ("raw", "passthrough")])
                pipe = self.fit(make_pipeline(pp.StandardScaler(), union, Ridge()), train, reg)
                self.check(pipe, test, f"{type(km).__name__} + PCA (FeatureUnion)")

    def test_shapes_sweep(self):
        """Other widths and component counts (and enough rows for every
        ISA's kernel and its tail)."""
        for seed, n_features in ((1, 3), (2, 17), (3, 40)):
            train, test, cls, reg = data(seed, n_features=n_features, n_test=333)
            for proj in (decomposition.PCA(min(n_features - 1, 9), whiten=True),
                         decomposition.TruncatedSVD(2, random_state=0),
                         cluster.KMeans(3, n_init=2, random_state=0)):
                with self.subTest(n_features=n_features, est=repr(proj)):
                    pipe = self.fit(make_pipeline(proj, Ridge()), train, reg)
                    self.check(pipe, test, f"{type(proj).__name__} (sweep)")


class Discretizer(Base):
    def test_every_strategy_and_encoding(self):
        train, test, cls, reg = data()
        for strategy in ("uniform", "quantile", "kmeans"):
            for encode in ("ordinal", "onehot", "onehot-dense"):
                for n_bins in (2, 5, [3, 4, 5, 6, 2, 3, 7, 2]):
                    est = pp.KBinsDiscretizer(n_bins=n_bins, encode=encode, strategy=strategy)
                    for model, y in ((LogisticRegression(max_iter=500), cls), (Ridge(), reg)):
                        with self.subTest(strategy=strategy, encode=encode, n_bins=n_bins,
                                          model=type(model).__name__):
                            pipe = self.fit(make_pipeline(est, model), train, y)
                            # rows holding every bin edge exactly, and values beyond them
                            edges = pipe[0].bin_edges_
                            rows = np.tile(test.to_numpy()[:1], (max(len(e) for e in edges), 1))
                            for j, e in enumerate(edges):
                                rows[:len(e), j] = np.where(np.isfinite(e), e, 1e300 * np.sign(e))
                            X = pd.concat([test, pd.DataFrame(rows, columns=test.columns)],
                                          ignore_index=True)
                            self.check(pipe, X, f"KBinsDiscretizer {encode}")

    def test_in_a_column_transformer_and_nan(self):
        train, test, cls, _ = data()
        ct = ColumnTransformer([("bins", pp.KBinsDiscretizer(4, encode="onehot"), ["f0", "f1"]),
                                ("num", pp.StandardScaler(), ["f2", "f3"])])
        pipe = self.fit(make_pipeline(ct, HistGradientBoostingClassifier(max_iter=20)), train, cls)
        self.check(pipe, test, "KBinsDiscretizer onehot")
        X = test.copy()
        X.iloc[3, 1] = np.nan
        with self.assertRaises(ValueError):
            pipe.predict(X)
        with self.assertRaises(mlmap.MissingValueError) as ctx:
            self.roundtrip(pipe).predict(X)
        self.assertIn("row 3", str(ctx.exception))

    def test_float32_dtype_is_refused(self):
        train, _, cls, _ = data()
        with this_version_has_it("KBinsDiscretizer(dtype=)"):
            pipe = self.fit(make_pipeline(pp.KBinsDiscretizer(3, dtype=np.float32), LogisticRegression()),
                            train, cls)
        self.refused(pipe, "dtype=")


class Power(Base):
    def test_methods_and_standardize(self):
        for seed in (0, 1, 2):
            train, test, cls, reg = data(seed)
            # box-cox cannot fit the constant column
            skewed_tr, skewed_te = np.exp(train.iloc[:, :-1] / 3), np.exp(test.iloc[:, :-1] / 3)
            for method, tr, te in (("yeo-johnson", train, test), ("yeo-johnson", skewed_tr - 1, skewed_te - 1),
                                   ("box-cox", skewed_tr, skewed_te)):
                for standardize in (True, False):
                    for model, y in ((LogisticRegression(max_iter=500), cls), (Ridge(), reg)):
                        with self.subTest(seed=seed, method=method, standardize=standardize,
                                          model=type(model).__name__):
                            est = pp.PowerTransformer(method=method, standardize=standardize)
                            pipe = self.fit(make_pipeline(est, model), tr, y)
                            self.check(pipe, te, f"PowerTransformer {method}")

    def test_missing_values_pass_through(self):
        train, test, cls, _ = data()
        tr, te = train.copy(), test.copy()
        tr.iloc[::6, 0] = np.nan
        te.iloc[::4, 0] = np.nan
        pipe = self.fit(make_pipeline(pp.PowerTransformer(), HistGradientBoostingClassifier(max_iter=20)), tr, cls)
        self.check(pipe, te, "PowerTransformer yeo-johnson")

    def test_box_cox_refuses_non_positive_values(self):
        train, test, cls, _ = data()
        pipe = self.fit(make_pipeline(pp.PowerTransformer(method="box-cox"), LogisticRegression()),
                        np.exp(train.iloc[:, :-1].to_numpy()), cls)
        X = np.exp(test.iloc[:, :-1].to_numpy())
        X[5, 2] = 0.0
        with self.assertRaises(ValueError):
            pipe.predict(X)
        with self.assertRaises(ValueError) as ctx:
            self.roundtrip(pipe).predict(X)
        self.assertIn("row 5", str(ctx.exception))
        self.assertIn("strictly positive", str(ctx.exception))


class Quantile(Base):
    def test_outputs_and_quantile_counts(self):
        for seed in (0, 1):
            train, test, cls, reg = data(seed)
            tr = train.copy()
            tr["f1"] = np.round(tr["f1"], 0)  # repeated quantiles: the averaged interpolations matter
            te = test.copy()
            te["f1"] = np.round(te["f1"], 0)
            # rows at the training quantiles themselves, and the training rows
            X = pd.concat([te, tr.iloc[:200]], ignore_index=True)
            for dist in ("uniform", "normal"):
                for n_q in (10, 100, 1000):
                    for model, y in ((LogisticRegression(max_iter=500), cls), (Ridge(), reg)):
                        with self.subTest(seed=seed, dist=dist, n_quantiles=n_q, model=type(model).__name__):
                            est = pp.QuantileTransformer(n_quantiles=n_q, output_distribution=dist,
                                                         random_state=0)
                            pipe = self.fit(make_pipeline(est, model), tr, y)
                            self.check(pipe, X, f"QuantileTransformer {dist}")
                            qs = pd.DataFrame(pipe[0].quantiles_, columns=tr.columns)
                            self.check(pipe, qs, f"QuantileTransformer {dist}")

    def test_transform_values_directly(self):
        """The transformed values themselves (an identity Ridge exposes them
        only through its weights: compare the transform before the model)."""
        train, test, _, _ = data(3)
        for dist in ("uniform", "normal"):
            est = pp.QuantileTransformer(n_quantiles=50, output_distribution=dist).fit(train)
            k = train.shape[1]
            ident = Ridge(alpha=0.0, fit_intercept=False).fit(np.eye(k), np.eye(k))
            ident.coef_ = np.eye(k)
            pipe = make_pipeline(est, ident)
            X = pd.concat([test, pd.DataFrame(est.quantiles_, columns=train.columns)], ignore_index=True)
            self.check(pipe, X, f"QuantileTransformer {dist} (values)")

    def test_missing_values_pass_through(self):
        train, test, cls, _ = data()
        tr, te = train.copy(), test.copy()
        tr.iloc[::6, 0] = np.nan
        te.iloc[::4, 0] = np.nan
        for dist in ("uniform", "normal"):
            pipe = self.fit(make_pipeline(pp.QuantileTransformer(n_quantiles=100, output_distribution=dist),
                                          HistGradientBoostingClassifier(max_iter=20)), tr, cls)
            self.check(pipe, te, f"QuantileTransformer {dist}")


class Target(Base):
    """TargetEncoder (scikit-learn >= 1.3): transform (not fit_transform's
    cross fitting) on string and numeric columns, missing values seen and
    unseen in training, unknown categories."""

    def frames(self, seed=0):
        rng = np.random.default_rng(seed)
        n = 800
        df = pd.DataFrame({
            "city": rng.choice(["paris", "rome", "oslo", "z\u00fcrich", None], n).astype(object),
            "kids": rng.choice([0.0, 1.0, 2.0, 3.0, np.nan], n),
            "grade": rng.choice(["a", "b", "c"], n).astype(object),
            "x": rng.normal(size=n),
        })
        z = (df.city == "rome") * 1.0 - (df.kids.fillna(1) - 1) * 0.5 + (df.grade == "a") + df.x
        y_bin = (z + rng.normal(size=n) > 0.5).astype(int)
        y_multi = np.digitize(z + rng.normal(size=n), [0.0, 1.0])
        y_cont = 2 * z + rng.normal(size=n)
        test = df.iloc[600:].reset_index(drop=True).copy()
        test.loc[:9, "city"] = ["atlantis", "", "ROME"] * 3 + ["x"]
        test.loc[10:19, "kids"] = 7.0
        test.loc[20:29, "grade"] = None  # missing where training had none: unknown
        return df.iloc[:600], test, y_bin[:600], y_multi[:600], y_cont[:600]

    def test_binary_multiclass_continuous(self):
        if not hasattr(pp, "TargetEncoder"):
            self.skipTest(f"scikit-learn {sklearn.__version__} has no TargetEncoder (added in 1.3)")
        for seed in (0, 1):
            train, test, y_bin, y_multi, y_cont = self.frames(seed)
            for kind, y, model in (("binary", y_bin, LogisticRegression(max_iter=500)),
                                   ("multiclass", y_multi, LogisticRegression(max_iter=500)),
                                   ("continuous", y_cont, Ridge())):
                for smooth in ("auto", 5.0):
                    with self.subTest(seed=seed, target=kind, smooth=smooth):
                        ct = ColumnTransformer([("te", pp.TargetEncoder(smooth=smooth, random_state=0),
                                                 ["city", "kids", "grade"])], remainder="passthrough")
                        pipe = self.fit(make_pipeline(ct, model), train, y)
                        self.check(pipe, test, f"TargetEncoder {kind}")


class KMeansModel(Base):
    """KMeans / MiniBatchKMeans as the final model: predict is the nearest
    centre (labels 0 .. k-1); decision_function is minus transform()."""

    def compare(self, est, X, label):
        m = self.roundtrip(est)
        WORST[label]["n"] += 1
        WORST[label]["rows"] += len(X)
        got, exp = m.predict(X), est.predict(X)
        self.assertEqual(int(np.sum(got != exp)), 0, f"{label}: label mismatches")
        self.assertEqual(got.dtype, exp.dtype, f"{label}: label dtype")  # int32, as sklearn's
        self.close(-m.decision_function(X), est[-1].transform(est[:-1].transform(X)) if hasattr(est, "steps")
                   else est.transform(X), label, "distances")
        with self.assertRaises(AttributeError):
            m.predict_proba(X)
        return m

    def test_bare_and_in_pipelines(self):
        for seed, n_features in ((0, 8), (1, 3), (2, 25)):
            train, test, cls, _ = data(seed, n_features=n_features)
            for km in (cluster.KMeans(2, n_init=2, random_state=0), cluster.KMeans(9, n_init=2, random_state=0),
                       cluster.MiniBatchKMeans(4, n_init=3, random_state=0, batch_size=128)):
                with self.subTest(kmeans=repr(km), n_features=n_features):
                    est = quietly(km.fit, train)
                    self.compare(est, test, type(km).__name__ + " (model)")
                    self.compare(quietly(km.fit, train.to_numpy()), test.to_numpy(), type(km).__name__ + " (model)")
                    pipe = self.fit(make_pipeline(SimpleImputer(), pp.StandardScaler(), km), train, None)
                    te = test.copy()
                    te.iloc[::9, 0] = np.nan
                    self.compare(pipe, te, type(km).__name__ + " (model)")

    def test_one_cluster_is_refused(self):
        train, _, _, _ = data()
        km = quietly(cluster.KMeans(1, n_init=1).fit, train)
        self.refused(km, "1 cluster")


class Spline(Base):
    """SplineTransformer (tools/python/mlmap/_sklearn_spline.py): the basis
    values themselves (an identity Ridge after it) over every extrapolation
    mode, degree, knot placement and include_bias, on rows inside and far
    outside the training range; 'error' refuses the rows outside, as sklearn
    raises."""

    @staticmethod
    def identity(k):
        ident = Ridge(alpha=0.0, fit_intercept=False).fit(np.eye(k), np.eye(k))
        ident.coef_, ident.intercept_ = np.eye(k), np.zeros(k)
        return ident

    def rows(self, train, seed, inside):
        rng = np.random.default_rng(seed)
        lo, hi = train.min().to_numpy(), train.max().to_numpy()
        span = np.where(hi > lo, hi - lo, 1.0)
        X = [train.to_numpy()[:100], lo[None], hi[None], lo + span * rng.random((100, len(lo)))]
        if not inside:
            X += [lo - 3 * span * rng.random((60, len(lo))), hi + 3 * span * rng.random((60, len(lo)))]
        return pd.DataFrame(np.vstack(X), columns=train.columns)

    def test_basis_values_every_mode(self):
        train, _, _, _ = data(4, n_features=4)
        train = train.iloc[:, :3]
        sparse = [False, True] if "sparse_output" in pp.SplineTransformer().get_params() else [False]
        explicit = np.column_stack([np.linspace(-4, 4, 6), np.linspace(-5, 6, 6), np.linspace(-3, 2, 6)])
        for mode in ("error", "constant", "linear", "continue", "periodic"):
            for degree in (1, 2, 3, 4):
                for knots, n_knots in (("uniform", 5), ("quantile", 7), ("uniform", 2), (explicit, None)):
                    if mode == "periodic" and n_knots is not None and n_knots <= degree:
                        continue
                    for bias in (True, False):
                        for sp in sparse:
                            kw = {"sparse_output": True} if sp else {}
                            label = f"SplineTransformer {mode}"
                            with self.subTest(mode=mode, degree=degree, knots=str(knots)[:10], n_knots=n_knots,
                                              include_bias=bias, sparse=sp):
                                st = pp.SplineTransformer(degree=degree, knots=knots, n_knots=n_knots or 5,
                                                          extrapolation=mode, include_bias=bias, **kw)
                                st = quietly(st.fit, train)
                                k = st.n_features_out_
                                if k == 0:
                                    continue  # include_bias=False left nothing
                                pipe = make_pipeline(st, self.identity(k))
                                X = self.rows(train, degree, inside=mode == "error")
                                if mode == "error" and isinstance(knots, np.ndarray):
                                    X = X.clip(explicit.min(0), explicit.max(0), axis=1)
                                self.check(pipe, X, label)
                                if mode == "error":
                                    m = self.roundtrip(pipe)
                                    out = X.iloc[:3].copy()
                                    out.iloc[1, 2] = float(explicit[-1, 2] if isinstance(knots, np.ndarray)
                                                           else train.iloc[:, 2].max()) + 1.0
                                    with self.assertRaises(ValueError):
                                        pipe.predict(out)
                                    with self.assertRaises(ValueError) as ctx:
                                        m.predict(out)
                                    self.assertIn("row 1", str(ctx.exception))
                                    self.assertIn("beyond the limits of the spline's knots", str(ctx.exception))

    def test_in_front_of_models(self):
        train, test, cls, reg = data(5)
        for mode in ("linear", "periodic", "constant"):
            for model, y in ((LogisticRegression(max_iter=500), cls), (Ridge(), reg)):
                with self.subTest(mode=mode, model=type(model).__name__):
                    st = pp.SplineTransformer(n_knots=6, degree=3, extrapolation=mode)
                    cols = train.columns[:7] if mode == "periodic" else train.columns  # f7 is constant
                    pipe = self.fit(make_pipeline(pp.StandardScaler(), st, model), train[cols], y)
                    self.check(pipe, test[cols], f"SplineTransformer {mode}")
        ct = ColumnTransformer([("s", pp.SplineTransformer(n_knots=4, extrapolation="continue"), ["f0", "f1"]),
                                ("p", "passthrough", ["f2", "f3"])])
        pipe = self.fit(make_pipeline(ct, LogisticRegression(max_iter=500)), train, cls)
        self.check(pipe, test, "SplineTransformer continue")

    def test_missing_values(self):
        train, test, cls, _ = data(6)
        te = test.copy()
        te.iloc[::5, 1] = np.nan
        st = pp.SplineTransformer(n_knots=5, extrapolation="continue")
        pipe = self.fit(make_pipeline(st, LogisticRegression(max_iter=500)), train, cls)
        m = self.roundtrip(pipe)
        with self.assertRaises(ValueError):
            pipe.predict(te)
        with self.assertRaises(mlmap.MissingValueError):
            m.predict(te)
        if "handle_missing" not in st.get_params():
            return  # scikit-learn < 1.8
        tr = train.copy()
        tr.iloc[::7, 1] = np.nan
        for mode in ("error", "constant", "linear", "continue", "periodic"):
            with self.subTest(mode=mode):
                st = pp.SplineTransformer(n_knots=5, extrapolation=mode, handle_missing="zeros")
                cols = tr.columns[:7]  # f7 is constant: a periodic spline of period 0 is refused
                k = quietly(st.fit, tr[cols]).n_features_out_
                pipe = make_pipeline(st, self.identity(k))
                X = te[cols] if mode != "error" else te[cols].clip(tr[cols].min(), tr[cols].max(), axis=1)
                self.check(pipe, X, f"SplineTransformer {mode} (handle_missing='zeros')")

    def test_refused_corners(self):
        train, _, cls, _ = data()
        pipe = self.fit(make_pipeline(pp.SplineTransformer(degree=0, extrapolation="constant"),
                                      LogisticRegression(max_iter=300)), train, cls)
        self.refused(pipe, "degree=0 with extrapolation='constant'")
        st = pp.SplineTransformer(degree=0, n_knots=2, extrapolation="linear").fit(train)  # transform raises
        model = LogisticRegression(max_iter=300).fit(np.random.default_rng(0).normal(size=(len(cls), 8)), cls)
        self.refused(make_pipeline(st, model), "next feature's columns")
        st = pp.SplineTransformer(n_knots=3, degree=2, extrapolation="periodic").fit(train)  # NaN for f7
        model = LogisticRegression(max_iter=300).fit(np.random.default_rng(0).normal(size=(len(cls), 16)), cls)
        self.refused(make_pipeline(st, model), "feature 7 was constant in training")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}", print_summary)
