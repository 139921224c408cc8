#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on multi-output classifiers (issue 20
item 4): MultiOutputClassifier over LogisticRegression, RandomForest, a
Pipeline with a scaler, naive Bayes, k-NN and a decision tree, and a
Pipeline ending in one (also after a ColumnTransformer encoding a string column: the
table path); RandomForest / ExtraTrees / DecisionTree classifiers
fitted on a 2-D y.  Integer and string labels, binary outputs beside
outputs of 3 and 4 classes.  predict must give the same (n, m) labels (0
mismatches, the same dtype); predict_proba (a list of m arrays) within 1e-6
per output, as predict_log_proba where scikit-learn has it; score the same.
Over estimators without predict_proba (LinearSVC, SVC, RidgeClassifier) the
labels are theirs and predict_proba is absent, as in scikit-learn; over
SVC(probability=True), whose predict is not the argmax of its predict_proba,
the labels are still its predict's.  Meta-estimators as the estimator: soft
and hard voting, bagging, a Pipeline ending in CalibratedClassifierCV,
AdaBoost and stacking (whose predict is computed beside the probabilities,
each of their models run once for both);
OneVsRestClassifier (its probabilities normalised per output, a row of zero
probabilities NaN in that output alone where scikit-learn makes it NaN, 1.2 to
1.6; its tie rule).
OneVsRestClassifier on a multilabel target (y an indicator matrix): predict
the (n, K) indicators, predict_proba one (n, K) array, unnormalised, as
scikit-learn, over bases with and without decision_function / predict_proba
and with classes every or no row has (_ConstantPredictor).
`mlmap predict` (when MLMAP_CLI is set) prints the m labels of each row
(also for a multilabel OneVsRestClassifier and MLPClassifier).

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_multioutput.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import functools
import subprocess

import numpy as np
import sklearn
from sklearn import ensemble, linear_model, naive_bayes, neighbors, svm, tree
from sklearn.datasets import make_classification
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mlmap
from api_parity import WORST, ApiParity, print_summary, quietly
from parity_support import run

NAMES = [np.array(["no", "yes"]), np.array(["ant", "bee", "cat"]), np.array(["n", "e", "s", "w"])]


@functools.lru_cache(maxsize=None)
def data(labels):
    """X (train, test) and a 3-output y: 2, 3 and 4 classes, as integers
    (2, 3 and 4 distinct values, not 0..K-1) or strings."""
    X, y = make_classification(n_samples=600, n_features=8, n_informative=6, n_classes=4,
                               n_clusters_per_class=1, random_state=0)
    rng = np.random.RandomState(1)
    cols = [(y + (X[:, 0] > 0)) % 2, np.digitize(X[:, 1] + 0.3 * rng.randn(600), [-0.5, 0.5]), y]
    if labels == "int":
        Y = np.c_[cols[0] * 5 - 1, cols[1] + 10, cols[2] * 3]
    else:
        Y = np.stack([NAMES[0][cols[0]], NAMES[1][cols[1]], NAMES[2][cols[2]]], axis=1)
    return X[:420], Y[:420], X[420:], Y[420:]


def bases():
    return [
        ("LogisticRegression", linear_model.LogisticRegression(max_iter=1000)),
        ("RandomForest", ensemble.RandomForestClassifier(n_estimators=12, max_depth=6, random_state=0)),
        ("Pipeline (StandardScaler, LogisticRegression)",
         make_pipeline(StandardScaler(), linear_model.LogisticRegression(max_iter=1000))),
        ("GaussianNB", naive_bayes.GaussianNB()),
        ("KNeighbors", neighbors.KNeighborsClassifier(n_neighbors=6)),
        ("DecisionTree", tree.DecisionTreeClassifier(max_depth=5, random_state=0)),
    ]


class MultiOutput(ApiParity):
    prefix = "mlmap-multioutput-"

    def fit(self, est, X, y):
        return quietly(est.fit, X, y)

    def compare(self, sk, X, Y, label):
        """predict, predict_proba, predict_log_proba (where sklearn has
        them) and score of `sk` against its saved copy."""
        m = self.roundtrip(sk)
        Y_rows = len(X)
        if hasattr(X, "iloc"):  # a DataFrame: its numeric columns scaled
            import pandas as pd
            far = X.iloc[:40].copy()
            numeric = far.select_dtypes("number").columns
            far[numeric] = far[numeric] * 25
            X = pd.concat([X, far], ignore_index=True)
        else:
            X = np.r_[X, 25 * X[:40]]  # and rows far outside the training range
        WORST[label]["n"] += 1
        WORST[label]["rows"] += len(X)
        expected = quietly(sk.predict, X)
        got = m.predict(X)
        self.assertEqual(got.shape, expected.shape, f"{label}: predict shape")
        self.assertEqual(got.dtype, expected.dtype, f"{label}: label dtype")
        self.assertEqual(int(np.sum(got != expected)), 0, f"{label}: label mismatches")
        for method in ("predict_proba", "predict_log_proba"):
            if not quietly(hasattr, sk, method):
                # (mlmap gives predict_log_proba wherever there are probabilities)
                if method == "predict_proba":
                    with self.assertRaises(AttributeError):  # as scikit-learn, which has none
                        m.predict_proba(X)
                continue
            want, have = quietly(getattr(sk, method), X), getattr(m, method)(X)
            self.assertIsInstance(have, list, f"{label} {method}")
            self.assertEqual(len(have), len(want), f"{label} {method}: outputs")
            for j, (h, w) in enumerate(zip(have, want)):
                # NaN (a OneVsRestClassifier's row of zeros, 1.2 to 1.6) in the same cells
                nan = np.isnan(w)
                self.assertTrue(np.array_equal(np.isnan(h), nan), f"{label} {method}: NaN cells of output {j}")
                self.close(np.where(nan, 0, h), np.where(nan, 0, w), label, method)  # (log: -inf where both are)
        X = X[:Y_rows]
        try:
            want = quietly(sk.score, X, Y)
        except ValueError:  # the tree classifiers' (accuracy_score refuses 2-D y)
            want = float(np.mean(np.all(Y == expected[:Y_rows], axis=1)))
        self.assertEqual(m.score(X, Y), want, f"{label}: score")
        for j, classes in enumerate(m.classes_):
            self.assertTrue(np.array_equal(classes, sk.classes_[j] if isinstance(sk.classes_, list)
                                           else sk.estimators_[j].classes_), f"{label}: classes_[{j}]")
        return m

    def test_multi_output_classifier(self):
        for labels in ("int", "str"):
            X, Y, Xte, Yte = data(labels)
            for name, base in bases():
                sk = self.fit(MultiOutputClassifier(base), X, Y)
                self.compare(sk, Xte, Yte, f"MultiOutputClassifier ({name})")

    def test_binary_outputs_only(self):
        X, Y, Xte, Yte = data("str")
        sk = self.fit(MultiOutputClassifier(linear_model.LogisticRegression(max_iter=1000)), X, Y[:, [0, 0]])
        self.compare(sk, Xte, Yte[:, [0, 0]], "MultiOutputClassifier (LogisticRegression)")

    def test_pipeline_ending_in_multi_output(self):
        X, Y, Xte, Yte = data("int")
        sk = self.fit(make_pipeline(StandardScaler(), MultiOutputClassifier(
            ensemble.RandomForestClassifier(n_estimators=8, max_depth=5, random_state=0))), X, Y)
        self.compare(sk, Xte, Yte, "Pipeline (StandardScaler, MultiOutputClassifier)")

    def test_string_columns(self):
        # a DataFrame with a string column: the table path (predict_table_class)
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.preprocessing import OneHotEncoder
        X, Y, Xte, Yte = data("str")
        colours = np.array(["red", "green", "blue"])

        def frame(A):
            df = pd.DataFrame(A[:, :5], columns=list("abcde"))
            df["colour"] = colours[(np.abs(A[:, 5]) * 3).astype(int) % 3]
            return df
        encode = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"])],
                                   remainder="passthrough")
        sk = self.fit(make_pipeline(encode, MultiOutputClassifier(linear_model.LogisticRegression(max_iter=1000))),
                      frame(X), Y)
        self.compare(sk, frame(Xte), Yte, "Pipeline (ColumnTransformer, MultiOutputClassifier)")

    def test_tree_classifiers_on_2d_y(self):
        for labels in ("int", "str"):
            X, Y, Xte, Yte = data(labels)
            for est in (ensemble.RandomForestClassifier(n_estimators=12, max_depth=7, random_state=0),
                        ensemble.ExtraTreesClassifier(n_estimators=12, max_depth=7, random_state=0),
                        tree.DecisionTreeClassifier(max_depth=6, random_state=0)):
                sk = self.fit(est, X, Y)
                self.compare(sk, Xte, Yte, f"{type(est).__name__} (2-D y)")

    def test_estimators_without_predict_proba(self):
        # their predicted classes (no predict_proba, as scikit-learn)
        for labels in ("int", "str"):
            X, Y, Xte, Yte = data(labels)
            for name, base in (("LinearSVC", svm.LinearSVC()), ("SVC", make_pipeline(StandardScaler(), svm.SVC())),
                               ("RidgeClassifier", linear_model.RidgeClassifier())):
                sk = self.fit(MultiOutputClassifier(base), X, Y)
                self.compare(sk, Xte, Yte, f"MultiOutputClassifier ({name})")

    def test_predict_not_the_argmax_of_predict_proba(self):
        # SVC(probability=True): predict is libsvm's vote, predict_proba
        # Platt's; each output's label is its estimator's predict
        for labels in ("int", "str"):
            X, Y, Xte, Yte = data(labels)
            sk = self.fit(MultiOutputClassifier(make_pipeline(StandardScaler(), svm.SVC(
                probability=True, random_state=0))), X, Y)
            proba = quietly(sk.predict_proba, Xte)
            argmax = np.stack([sk.estimators_[j].classes_[np.argmax(p, axis=1)] for j, p in enumerate(proba)], axis=1)
            self.assertGreater(int(np.sum(argmax != quietly(sk.predict, Xte))), 0, "the case this test is for")
            self.compare(sk, Xte, Yte, "MultiOutputClassifier (SVC probability=True)")

    def test_one_vs_rest_multilabel(self):
        # y an indicator matrix: predict (n, K) indicators (each estimator's
        # score above the threshold estimators_[0] sets), predict_proba one
        # (n, K) array of their probabilities, unnormalised
        from sklearn.datasets import make_multilabel_classification
        from sklearn.multiclass import OneVsRestClassifier
        X, Y = make_multilabel_classification(n_samples=260, n_features=6, n_classes=4, random_state=0)
        X = X.astype(np.float64)
        Xte = np.r_[X[200:], 8 * X[:30]]
        X, Y = X[:200], Y[:200]
        constant = Y.copy()
        constant[:, 0], constant[:, 2] = 0, 1  # classes no / every row has: _ConstantPredictor
        lr = functools.partial(linear_model.LogisticRegression, max_iter=1000)
        cases = [("LogisticRegression", lr(), Y),
                 ("DecisionTree", tree.DecisionTreeClassifier(max_depth=4, random_state=0), Y),
                 ("RandomForest", ensemble.RandomForestClassifier(n_estimators=6, max_depth=4, random_state=0), Y),
                 ("GaussianNB", naive_bayes.GaussianNB(), Y),
                 ("GradientBoosting", ensemble.GradientBoostingClassifier(n_estimators=8, random_state=0), Y),
                 # predict from decision_function, predict_proba Platt's: labels stored beside
                 ("SVC probability=True", make_pipeline(StandardScaler(), svm.SVC(probability=True, random_state=0)),
                  Y),
                 ("LinearSVC", make_pipeline(StandardScaler(), svm.LinearSVC()), Y),  # no predict_proba
                 # estimators_[0] a constant: threshold 0.5 on the others' decision values
                 ("LogisticRegression, constant classes", lr(), constant),
                 ("DecisionTree, constant classes", tree.DecisionTreeClassifier(max_depth=4, random_state=0),
                  constant)]
        for name, base, y in cases:
            label = f"OneVsRestClassifier multilabel ({name})"
            sk = self.fit(OneVsRestClassifier(base), X, y)
            m = self.check(sk, Xte, label, methods=("predict", "predict_proba"))
            self.assertEqual(m.predict(Xte).shape, (len(Xte), 4), label)
            if hasattr(sk, "predict_proba"):
                self.assertIsInstance(m.predict_proba(Xte), np.ndarray, label)
            self.assertTrue(np.array_equal(m.classes_, sk.classes_), f"{label}: classes_")
            self.assertEqual(m.score(X, y), quietly(sk.score, X, y), f"{label}: score")
            with self.assertRaises(AttributeError):  # its decision values are not in the file
                m.decision_function(Xte)
        sk = self.fit(make_pipeline(StandardScaler(), OneVsRestClassifier(lr())), X, Y)
        self.check(sk, Xte, "Pipeline (StandardScaler, OneVsRestClassifier multilabel)",
                   methods=("predict", "predict_proba"))
        # the reserved metadata key on a file whose groups are not [0, 1] pairs
        from mlmap._model import MULTILABEL_KEY
        from mlmap._sklearn import export
        X3, Y3, _, _ = data("int")
        exported = export(self.fit(MultiOutputClassifier(tree.DecisionTreeClassifier(max_depth=2)), X3, Y3))
        exported.description["metadata"][MULTILABEL_KEY] = "1"
        bad = self.path("bad-multilabel")
        exported.write(bad)
        with self.assertRaises(mlmap.FormatError) as ctx:
            mlmap.load(bad)
        self.assertIn(MULTILABEL_KEY, str(ctx.exception))

    def test_meta_estimators_as_the_estimator(self):
        # their predict_proba (hard voting: its vote counts) side by side;
        # AdaBoost and stacking decide on other values: their predict beside
        from sklearn.calibration import CalibratedClassifierCV
        lr = functools.partial(linear_model.LogisticRegression, max_iter=1000)
        stump = functools.partial(tree.DecisionTreeClassifier, max_depth=3, random_state=0)
        cases = [
            ("VotingClassifier soft", ensemble.VotingClassifier([("lr", lr()), ("nb", naive_bayes.GaussianNB())],
                                                                voting="soft")),
            ("VotingClassifier hard", ensemble.VotingClassifier(
                [("lr", lr()), ("nb", naive_bayes.GaussianNB()), ("tree", stump())], voting="hard")),
            ("BaggingClassifier", ensemble.BaggingClassifier(stump(), n_estimators=4, random_state=0)),
            ("Pipeline (StandardScaler, CalibratedClassifierCV)",
             make_pipeline(StandardScaler(), CalibratedClassifierCV(svm.LinearSVC(), cv=2))),
            ("AdaBoostClassifier", ensemble.AdaBoostClassifier(n_estimators=5, random_state=0)),
            ("StackingClassifier", ensemble.StackingClassifier([("lr", lr()), ("nb", naive_bayes.GaussianNB())],
                                                               final_estimator=lr(), cv=2)),
        ]
        X, Y, Xte, Yte = data("str")  # (integer labels take the same path)
        for name, base in cases:
            sk = self.fit(MultiOutputClassifier(base), X, Y)
            m = self.compare(sk, Xte, Yte, f"MultiOutputClassifier ({name})")
            if name in ("AdaBoostClassifier", "StackingClassifier"):
                # their probabilities and predict from one run of each model (a nested model a SubModel step)
                models = sum(len(e.estimators_) + (name == "StackingClassifier") for e in sk.estimators_)
                self.assertEqual(m.info()["preprocessing"]["steps"].count("sub_model"), models, name)

    def test_one_vs_rest_as_the_estimator(self):
        # its predict_proba (normalised per output by the file's link: a row
        # whose probabilities are all 0 stays zeros in 1.9, becomes NaN in
        # that output alone in 1.2 to 1.6) and predict (this scikit-learn's
        # tie rule) computed in the program
        from sklearn.multiclass import OneVsRestClassifier
        lr = functools.partial(linear_model.LogisticRegression, max_iter=1000)
        X, Y, Xte, Yte = data("str")
        cases = [("LogisticRegression", lr(), "str"), ("LogisticRegression", lr(), "int"),
                 # fully grown: rows where every class's probability is 0
                 ("DecisionTree", tree.DecisionTreeClassifier(random_state=0), "str"),
                 ("KNeighbors 2", neighbors.KNeighborsClassifier(n_neighbors=2), "str"),  # ties
                 ("Pipeline (StandardScaler, GaussianNB)", make_pipeline(StandardScaler(), naive_bayes.GaussianNB()),
                  "str"),
                 ("LinearSVC", svm.LinearSVC(), "str")]  # no predict_proba
        for name, base, labels in cases:
            X, Y, Xte, Yte = data(labels)
            sk = self.fit(MultiOutputClassifier(OneVsRestClassifier(base)), X, Y)
            label = f"MultiOutputClassifier (OneVsRestClassifier ({name}))"
            if name == "DecisionTree":  # rows of zeros in some outputs, not in every output of such a row
                scores = [np.array([e.predict_proba(np.r_[Xte, 25 * Xte[:40]])[:, 1] for e in out.estimators_]).T
                          for out in sk.estimators_ if len(out.estimators_) > 1]
                zero = np.array([s.sum(axis=1) == 0 for s in scores])
                self.assertGreater(int(np.sum(zero.any(axis=0) & ~zero.all(axis=0))), 0, "the case this is for")
            self.compare(sk, Xte, Yte, label)
        # binary outputs only: [1 - p, p], no row of zeros
        sk = self.fit(MultiOutputClassifier(OneVsRestClassifier(lr())), X, Y[:, [0, 0]])
        self.compare(sk, Xte, Yte[:, [0, 0]], "MultiOutputClassifier (OneVsRestClassifier binary)")
        # equal decision values (estimators 1 and 2 made the same): the
        # first (1.9) or the last (1.2 to 1.6) of the equal classes
        sk = self.fit(MultiOutputClassifier(make_pipeline(StandardScaler(), OneVsRestClassifier(svm.LinearSVC()))),
                      X, Y)
        for out in sk.estimators_[1:]:
            ovr = out.steps[-1][1]
            ovr.estimators_[2] = ovr.estimators_[1]
        tied = sk.estimators_[2].classes_[1:3]  # every row whose largest score is theirs is a tie
        self.assertGreater(int(np.isin(quietly(sk.predict, Xte)[:, 2], tied).sum()), 0, "the case this test is for")
        self.compare(sk, Xte, Yte, "MultiOutputClassifier (OneVsRestClassifier, equal scores)")
        # one estimator replaced by another kind: the file's link normalises every output alike
        sk = self.fit(MultiOutputClassifier(OneVsRestClassifier(lr())), X, Y)
        sk.estimators_[1] = self.fit(lr(), X, Y[:, 1])
        self.refused(sk, "MultiOutputClassifier", "OneVsRestClassifier", "link")

    def test_cli(self):
        cli = os.environ.get("MLMAP_CLI")
        if not cli:
            self.skipTest("MLMAP_CLI is not set")
        X, Y, Xte, _ = data("str")
        csv = self.path("rows.csv")
        np.savetxt(csv, Xte, delimiter=",")
        for est in (MultiOutputClassifier(linear_model.LogisticRegression(max_iter=1000)),
                    ensemble.RandomForestClassifier(n_estimators=5, random_state=0)):
            sk = self.fit(est, X, Y)
            m = self.roundtrip(sk)
            r = subprocess.run([cli, "predict", m.path, csv, "--no-header"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.splitlines()
            self.assertEqual(lines[0], "label_0,label_1,label_2")
            self.assertEqual([line.split(",") for line in lines[1:]], sk.predict(Xte).tolist())
            r = subprocess.run([cli, "predict", m.path, csv, "--no-header", "--proba"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.splitlines()
            classes = [c for j, cs in enumerate(m.classes_) for c in [(j, str(x)) for x in cs]]
            self.assertEqual(lines[0].split(","), [f"output{j}_{c}" for j, c in classes])
            got = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
            self.close(got, np.hstack(quietly(sk.predict_proba, Xte)), type(sk).__name__ + " (CLI)", "predict_proba")
            r = subprocess.run([cli, "inspect", m.path], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            line = next(x for x in r.stdout.splitlines() if "output 2:" in x)
            for label in NAMES[2]:
                self.assertIn(label, line)
        # multilabel OneVsRestClassifier and MLPClassifier: K labels 0 / 1,
        # then [1 - p, p] per class
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.neural_network import MLPClassifier
        indicators = np.c_[Y[:, 0] == "yes", Y[:, 1] == "bee", Y[:, 2] != "n"].astype(int)
        for est in (OneVsRestClassifier(linear_model.LogisticRegression(max_iter=1000)),
                    MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0)):
            self.cli_multilabel(cli, self.fit(est, X, indicators), csv, Xte)

    def cli_multilabel(self, cli, sk, csv, Xte):
        m = self.roundtrip(sk)
        r = subprocess.run([cli, "predict", m.path, csv, "--no-header"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([[int(v) for v in line.split(",")] for line in r.stdout.splitlines()[1:]],
                         sk.predict(Xte).tolist())
        r = subprocess.run([cli, "predict", m.path, csv, "--no-header", "--proba"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = np.array([[float(v) for v in line.split(",")] for line in r.stdout.splitlines()[1:]])
        self.close(got[:, 1::2], quietly(sk.predict_proba, Xte), type(sk).__name__ + " multilabel (CLI)",
                   "predict_proba")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}", print_summary)
