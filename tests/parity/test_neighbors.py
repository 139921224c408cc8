#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on nearest neighbours:
KNeighborsClassifier and KNeighborsRegressor (RadiusNeighborsClassifier and
RadiusNeighborsRegressor: with outlier labels, rows without neighbours) with every supported metric
(euclidean, sqeuclidean, manhattan, chebyshev, minkowski p, cosine), both
weightings, every algorithm (auto, brute, kd_tree, ball_tree: sklearn's
neighbours are the same up to equal distances), float32 and float64
training rows, 1 to 15 neighbours, one and several targets, classifiers
fitted on a 2-D y (several outputs).  Labels must
match (0 mismatches), probabilities and values within 1e-6.

Equal distances: on integer-valued data (many ties) with sklearn's brute
force, mlmap must pick sklearn's neighbours exactly (its heap emulated).
The KD/ball trees resolve ties by their traversal order instead; that count
is reported, not asserted (FORMAT.md §5.3).

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_neighbors.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # sklearn's brute force: one thread (see FORMAT.md §5.3)

import functools

import numpy as np
import sklearn
from scipy import sparse
from sklearn import neighbors
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError

import mlmap
from api_parity import ApiParity, WORST, print_summary, quietly
from parity_support import run

LABELS = np.array(["ant", "bee", "cat", "dog", "emu"])
TIE_REPORT = {}
ZERO_DISTANCE_REPORT = {}
TIED_VOTES = [0, 0]  # labels that differ, rows whose two largest weight sums tie


@functools.lru_cache(maxsize=None)
def clf_data(n_features, n_classes, seed=0):
    X, y = make_classification(n_samples=700, n_features=n_features, n_informative=min(n_features, 5),
                               n_redundant=0, n_classes=n_classes, n_clusters_per_class=1, random_state=seed)
    X[:, 0] *= 10
    return X[:500], y[:500], X[500:]


@functools.lru_cache(maxsize=None)
def reg_data(n_features, n_targets, seed=0):
    X, y = make_regression(n_samples=600, n_features=n_features, n_targets=n_targets, noise=3.0,
                           random_state=seed)
    return X[:450], y[:450], X[450:]


def exact_self_distance(sk):
    """Whether sklearn computes a training row's distance to itself as 0.
    Its brute-force euclidean distances come from |x|^2 - 2 x.y + |y|^2
    through BLAS: about 1e-8 |x| for a row against itself, a large but
    finite weight where the true distance gets sklearn's zero-distance rule
    (mlmap computes the exact 0; see the zero-distance test)."""
    est = sk.steps[-1][1] if hasattr(sk, "steps") else sk
    return not (est._fit_method == "brute" and est.effective_metric_ in ("euclidean", "sqeuclidean")
                and est.weights == "distance")


def queries(Xtr, Xte, sk=None, n_train_rows=20):
    """Held-out rows, rows far outside, and training rows (zero distances)
    where sklearn's own distance to them is exactly 0."""
    rng = np.random.default_rng(1)
    far = Xte[:10] * rng.choice([5.0, -20.0], size=(10, 1))
    parts = [Xte, far]
    if sk is None or exact_self_distance(sk):
        parts.append(Xtr[:n_train_rows])
    return np.vstack(parts)


class Neighbours(ApiParity):
    prefix = "mlmap-neighbors-"

    def test_classifier_metrics_and_weights(self):
        metrics = [("euclidean", {}), ("manhattan", {}), ("chebyshev", {}), ("minkowski", {"p": 3}),
                   ("minkowski", {"p": 1.5}), ("cosine", {}), ("l1", {}), ("sqeuclidean", {})]
        for n_features in (6, 20):
            for metric, kw in metrics:
                for weights in ("uniform", "distance"):
                    for k in (1, 7):
                        Xtr, ytr, Xte = clf_data(n_features, 3)
                        label = f"KNeighborsClassifier ({metric}{kw.get('p', '')}, {weights})"
                        with self.subTest(label, n_features=n_features, k=k):
                            sk = neighbors.KNeighborsClassifier(k, metric=metric, weights=weights, **kw)
                            sk.fit(Xtr, LABELS[ytr])
                            try:
                                sk.predict(Xte[:1])
                            except ValueError:
                                # sklearn 1.6's ArgKminClassMode cannot predict string labels
                                # (int('ant')); integer labels then.
                                sk.fit(Xtr, ytr)
                            self.check(sk, queries(Xtr, Xte, sk), label)

    def test_algorithms_classes_and_dtypes(self):
        for algorithm in ("auto", "brute", "kd_tree", "ball_tree"):
            for n_classes in (2, 5):
                for dtype in (np.float64, np.float32):
                    Xtr, ytr, Xte = clf_data(8, n_classes, seed=2)
                    label = f"KNeighborsClassifier ({algorithm})"
                    with self.subTest(label, n_classes=n_classes, dtype=dtype.__name__):
                        sk = neighbors.KNeighborsClassifier(15, algorithm=algorithm, weights="distance")
                        sk.fit(Xtr.astype(dtype), ytr)
                        m = self.check(sk, queries(Xtr, Xte, sk).astype(dtype), label)
                        self.assertEqual(m.info()["neighbors"]["sample_bits"], 32 if dtype == np.float32 else 64)

    def test_regressor(self):
        for n_targets in (1, 3):
            for metric in ("euclidean", "manhattan", "cosine"):
                for weights in ("uniform", "distance"):
                    for n_features in (5, 24):
                        Xtr, ytr, Xte = reg_data(n_features, n_targets)
                        label = f"KNeighborsRegressor ({metric}, {weights})"
                        with self.subTest(label, n_targets=n_targets, n_features=n_features):
                            sk = neighbors.KNeighborsRegressor(6, metric=metric, weights=weights).fit(Xtr, ytr)
                            m = self.check(sk, queries(Xtr, Xte, sk), label)
                            self.assertEqual(m.predict(Xte).shape, sk.predict(Xte).shape)

    def test_equal_distances_as_sklearns_brute_force(self):
        # Integer features in {0, 1, 2}: a query has many rows at the k-th
        # distance.  sklearn's brute force keeps the ones its heap keeps.
        rng = np.random.default_rng(3)
        for n_features in (3, 20):
            for metric in ("euclidean", "manhattan", "chebyshev"):
                for weights in ("uniform", "distance"):
                    X = rng.integers(0, 3, size=(400, n_features)).astype(float)
                    y = rng.integers(0, 4, size=400)
                    Q = rng.integers(0, 3, size=(300, n_features)).astype(float)
                    label = f"KNeighborsClassifier (brute, ties, {metric})"
                    for k in (3, 10):
                        with self.subTest(label, n_features=n_features, k=k, weights=weights):
                            sk = neighbors.KNeighborsClassifier(k, algorithm="brute", metric=metric,
                                                                weights=weights).fit(X, y)
                            if weights == "uniform":
                                self.check(sk, Q, label)
                            else:
                                m = self.check(sk, Q, label, methods=("predict_proba",))
                                self.tied_votes(sk, m, Q, label)
                            reg = neighbors.KNeighborsRegressor(k, algorithm="brute", metric=metric,
                                                                weights=weights).fit(X, y * 1.5)
                            self.check(reg, Q, f"KNeighborsRegressor (brute, ties, {metric})")
        # The trees visit rows in their own order: report how often the
        # labels differ there (documented, not asserted).
        for algorithm in ("kd_tree", "ball_tree"):
            X = rng.integers(0, 3, size=(400, 3)).astype(float)
            y = rng.integers(0, 4, size=400)
            Q = rng.integers(0, 3, size=(300, 3)).astype(float)
            sk = neighbors.KNeighborsClassifier(10, algorithm=algorithm).fit(X, y)
            path = self.path("tree-ties")
            mlmap.save(sk, path)
            got = mlmap.load(path).predict_proba(Q)
            TIE_REPORT[algorithm] = (int(np.sum(np.any(np.abs(got - sk.predict_proba(Q)) > 1e-9, axis=1))),
                                     len(Q))

    def tied_votes(self, sk, m, Q, label):
        """Distance-weighted labels on integer data: two classes' weight sums
        are often equal as numbers, and then rounding picks the winner --
        in sklearn, rounding that depends on its version's sort of equal
        distances and on how many rows one call passes (its parallel
        strategy), which mlmap cannot know.  Labels must match wherever
        sklearn's two largest probabilities differ by more than 1e-12; the
        other rows are counted."""
        proba = np.sort(sk.predict_proba(Q), axis=1)
        tied = proba[:, -1] - proba[:, -2] <= 1e-12
        got, expected = m.predict(Q), sk.predict(Q)
        self.assertEqual(int(np.sum((got != expected) & ~tied)), 0, f"{label}: label mismatches")
        TIED_VOTES[0] += int(np.sum((got != expected) & tied))
        TIED_VOTES[1] += int(np.sum(tied))

    def check_multi_output(self, sk, Q, label):
        """A classifier fitted on a 2-D y: predict the (n, m) labels
        (exact), predict_proba a list of m arrays (as multi-output forests
        and MultiOutputClassifier return them)."""
        m = self.roundtrip(sk)
        WORST[label]["n"] += 1
        WORST[label]["rows"] += len(Q)
        got, want = m.predict(Q), sk.predict(Q)
        self.assertEqual(got.shape, want.shape, f"{label}: predict shape")
        self.assertEqual(got.dtype, want.dtype, f"{label}: label dtype")
        self.assertEqual(int(np.sum(got != want)), 0, f"{label}: label mismatches")
        have, expected = m.predict_proba(Q), sk.predict_proba(Q)
        self.assertIsInstance(have, list, f"{label} predict_proba")
        self.assertEqual(len(have), len(expected), f"{label} predict_proba: outputs")
        for h, w in zip(have, expected):
            self.close(h, w, label, "predict_proba")
        for j, classes in enumerate(m.classes_):
            self.assertTrue(np.array_equal(classes, sk.classes_[j]), f"{label}: classes_[{j}]")
        return m

    def test_multi_output_classifier(self):
        # Outputs of 3, 2 and 4 classes (integer and string labels), one
        # search for all of them; every weighting, metrics with and without
        # the euclidean bounds, the brute force and a tree.
        Xtr, ytr, Xte = clf_data(6, 3)
        rng = np.random.default_rng(5)
        Y = np.c_[ytr, (Xtr[:, 1] > 0).astype(int), rng.integers(0, 4, size=len(ytr))]
        for labels in ("int", "str"):
            Yl = Y if labels == "int" else LABELS[np.minimum(Y + [0, 3, 1], 4)]
            for metric in ("euclidean", "manhattan"):
                for weights in ("uniform", "distance"):
                    for k, algorithm in ((1, "brute"), (7, "brute"), (7, "kd_tree")):
                        label = "KNeighborsClassifier (2-D y)"
                        with self.subTest(label, labels=labels, metric=metric, weights=weights, k=k,
                                          algorithm=algorithm):
                            sk = neighbors.KNeighborsClassifier(k, metric=metric, weights=weights,
                                                                algorithm=algorithm).fit(Xtr, Yl)
                            self.check_multi_output(sk, queries(Xtr, Xte, sk), label)
        # Equal distances (integer data), brute force: sklearn's neighbours.
        X = rng.integers(0, 3, size=(300, 4)).astype(float)
        Yi = rng.integers(0, 3, size=(300, 2))
        Qi = rng.integers(0, 3, size=(200, 4)).astype(float)
        sk = neighbors.KNeighborsClassifier(6, algorithm="brute").fit(X, Yi)
        self.check_multi_output(sk, Qi, "KNeighborsClassifier (2-D y, brute, ties)")

    def radius_for(self, Xtr, Q, metric, **kw):
        """A radius that gives most query rows (not the far ones) a few
        neighbours: the median distance to the 5th nearest row."""
        nn = neighbors.NearestNeighbors(n_neighbors=5, metric=metric, **kw).fit(Xtr)
        return float(np.median(nn.kneighbors(Q)[0][:, -1]))

    def test_radius_classifier(self):
        # Rows without neighbours (the far queries and more) get outlier_label_;
        # every metric and weighting, brute and a tree, float32 rows.
        Xtr, ytr, Xte = clf_data(6, 3)
        for metric, kw in (("euclidean", {}), ("manhattan", {}), ("chebyshev", {}), ("minkowski", {"p": 3}),
                           ("cosine", {})):
            for weights in ("uniform", "distance"):
                for algorithm in ("brute", "auto"):
                    for outlier in ("most_frequent", "cat", 2):
                        label = f"RadiusNeighborsClassifier ({metric}{kw.get('p', '')}, {weights})"
                        y = LABELS[ytr + 1] if outlier != 2 else ytr
                        if metric == "cosine" and algorithm == "auto":
                            continue  # (the same brute force)
                        with self.subTest(label, algorithm=algorithm, outlier=outlier):
                            radius = self.radius_for(Xtr, Xte, metric, **kw)
                            sk = neighbors.RadiusNeighborsClassifier(radius, metric=metric, weights=weights,
                                                                     algorithm=algorithm, outlier_label=outlier,
                                                                     **kw).fit(Xtr, y)
                            try:
                                m = self.roundtrip(sk)
                            except mlmap.UnsupportedModelError as e:
                                # sklearn 1.4+'s brute-force uniform predict_proba puts the
                                # outliers' 1 at the class index equal to outlier_label.
                                self.assertIn("outlier_label", str(e))
                                self.assertTrue(radius_class_mode() and weights == "uniform")
                                continue
                            self.check(sk, queries(Xtr, Xte, sk), label, methods=("predict", "predict_proba"),
                                       model=m)
        sk = neighbors.RadiusNeighborsClassifier(1.5, outlier_label="most_frequent").fit(
            Xtr.astype(np.float32), LABELS[ytr])
        self.check(sk, queries(Xtr, Xte, sk).astype(np.float32), "RadiusNeighborsClassifier (float32)")

    def test_radius_without_outlier_label(self):
        # sklearn raises for a row without neighbours; mlmap fails the call.
        Xtr, ytr, Xte = clf_data(6, 3)
        far = Xte[:3] * 50
        sk = neighbors.RadiusNeighborsClassifier(self.radius_for(Xtr, Xtr, "euclidean") * 4).fit(Xtr, ytr)
        with_neighbours = Xte[[len(i) > 0 for i in sk.radius_neighbors(Xte, return_distance=False)]]
        self.assertGreater(len(with_neighbours), 50)
        m = self.check(sk, with_neighbours, "RadiusNeighborsClassifier (no outlier_label)")
        with self.assertRaises(ValueError):
            sk.predict(far)
        with self.assertRaises(ValueError) as ctx:
            m.predict(far)
        self.assertIn("radius", str(ctx.exception))
        # An outlier_label outside the classes: refused by name.
        sk = neighbors.RadiusNeighborsClassifier(1.0, outlier_label=7).fit(Xtr, ytr)
        self.refused(sk, "RadiusNeighborsClassifier", "outlier_label=7")

    def test_radius_regressor_and_multi_output(self):
        Xtr, ytr, Xte = reg_data(5, 2)
        Q = np.r_[Xte, Xte[:10] * 30]  # the far rows have no neighbours: NaN, as sklearn's
        for metric in ("euclidean", "manhattan"):
            for weights in ("uniform", "distance"):
                for algorithm in ("brute", "kd_tree"):
                    label = f"RadiusNeighborsRegressor ({metric}, {weights})"
                    with self.subTest(label, algorithm=algorithm):
                        radius = self.radius_for(Xtr, Xte, metric)
                        sk = neighbors.RadiusNeighborsRegressor(radius, metric=metric, weights=weights,
                                                                algorithm=algorithm).fit(Xtr, ytr)
                        m = self.roundtrip(sk)
                        WORST[label]["n"] += 1
                        WORST[label]["rows"] += len(Q)
                        got, want = m.predict(Q), quietly(sk.predict, Q)
                        self.assertEqual(got.shape, want.shape)
                        self.assertTrue(np.array_equal(np.isnan(got), np.isnan(want)), f"{label}: NaN rows")
                        self.assertGreater(int(np.sum(np.isnan(want[:, 0]))), 9)
                        ok = ~np.isnan(want)
                        self.close(got[ok], want[ok], label, "predict")
        Xtr, ytr, Xte = clf_data(6, 3)
        Y = np.c_[ytr, (Xtr[:, 1] > 0).astype(int)]
        for weights in ("uniform", "distance"):
            sk = neighbors.RadiusNeighborsClassifier(self.radius_for(Xtr, Xte, "euclidean"), weights=weights,
                                                     outlier_label="most_frequent").fit(Xtr, Y)
            self.check_multi_output(sk, queries(Xtr, Xte, sk), "RadiusNeighborsClassifier (2-D y)")

    def test_zero_distances(self):
        # Queries equal to training rows, distance weights: sklearn's KD tree
        # and its non-euclidean brute force compute the distance 0 exactly and
        # weigh those rows alone, as mlmap does.
        for n_features, metric in ((6, "euclidean"), (20, "manhattan"), (20, "chebyshev")):
            Xtr, ytr, _ = clf_data(n_features, 3)
            sk = neighbors.KNeighborsClassifier(5, metric=metric, weights="distance").fit(Xtr, ytr)
            label = f"KNeighborsClassifier (zero distances, {metric})"
            with self.subTest(label):
                self.check(sk, Xtr[:100], label)
        # sklearn's brute-force euclidean distance of a row to itself is
        # |x|^2 - 2 x.x + |x|^2 in floating point: about 1e-8 |x|, not 0.
        # The difference from mlmap's exact zero-distance rule is measured
        # and reported, not asserted.
        Xtr, ytr, _ = clf_data(20, 3)
        sk = neighbors.KNeighborsRegressor(5, weights="distance").fit(Xtr, Xtr[:, 0])
        path = self.path("self")
        mlmap.save(sk, path)
        got, want = mlmap.load(path).predict(Xtr), sk.predict(Xtr)
        ZERO_DISTANCE_REPORT["brute euclidean"] = float(np.max(np.abs(got - want) / np.maximum(1, np.abs(want))))

    def test_refusals(self):
        Xtr, ytr, _ = clf_data(6, 3)

        def closeness(d):
            return 1 / (1 + d)

        def my_metric(a, b):
            return float(np.sum(np.abs(a - b)))

        cases = [
            (neighbors.KNeighborsClassifier(weights=closeness).fit(Xtr, ytr), "weights='closeness'"),
            (neighbors.KNeighborsClassifier(metric=my_metric, algorithm="brute").fit(Xtr, ytr), "a callable"),
            (neighbors.KNeighborsClassifier(metric="precomputed").fit(np.abs(Xtr[:, :1] - Xtr[:, :1].T), ytr),
             "metric='precomputed'"),
            (neighbors.KNeighborsClassifier(metric="minkowski", metric_params={"w": np.ones(6)})
             .fit(Xtr, ytr), "'w'"),
            (neighbors.KNeighborsClassifier(metric="canberra").fit(Xtr, ytr), "metric='canberra'"),
            (neighbors.KNeighborsClassifier().fit(sparse.csr_matrix(Xtr), ytr), "sparse"),
        ]
        for sk, phrase in cases:
            with self.subTest(phrase):
                path = self.path("refused")
                with self.assertRaises(mlmap.UnsupportedModelError) as ctx:
                    quietly(mlmap.save, sk, path)
                self.assertIn("KNeighborsClassifier", str(ctx.exception))
                self.assertIn(phrase, str(ctx.exception))
                self.assertFalse(os.path.exists(path))
        with self.assertRaises(NotFittedError):
            mlmap.save(neighbors.KNeighborsRegressor(), self.path("unfitted"))

    def test_pipeline_and_info(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        Xtr, ytr, Xte = clf_data(6, 3)
        sk = make_pipeline(StandardScaler(), neighbors.KNeighborsClassifier(5)).fit(Xtr, ytr)
        m = self.check(sk, queries(Xtr, Xte), "Pipeline (StandardScaler, KNeighborsClassifier)")
        info = m.info()
        self.assertEqual(info["predictor"], "neighbors")
        self.assertEqual(info["neighbors"]["n_samples"], 500)
        self.assertEqual(info["neighbors"]["metric"], "euclidean")
        self.assertEqual(info["link"], "normalize")


def radius_class_mode():
    """Whether this sklearn has RadiusNeighborsClassMode (1.4+)."""
    try:
        from sklearn.metrics._pairwise_distances_reduction import RadiusNeighborsClassMode  # noqa: F401
        return True
    except ImportError:
        return False


def summary():
    print_summary()
    print(f"  integer data, distance weights: {TIED_VOTES[1]} rows whose two largest class weights are equal "
          f"as numbers; {TIED_VOTES[0]} of them labelled otherwise than sklearn (rounding; FORMAT.md §5.3)")
    for what, d in ZERO_DISTANCE_REPORT.items():
        print(f"  training rows as queries, distance weights, sklearn's {what}: largest difference {d:.3g} "
              "(sklearn's distance of a row to itself is ~1e-8 |x|, not 0; FORMAT.md §5.3)")
    for algorithm, (rows, n) in TIE_REPORT.items():
        print(f"  equal distances, sklearn's {algorithm}: {rows} of {n} integer-valued query rows get other "
              "probabilities (sklearn's tree order, not its brute force; FORMAT.md §5.3)")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", summary)
