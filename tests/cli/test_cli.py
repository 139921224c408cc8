#!/usr/bin/python3
"""Tests of the `mlmap` command-line tool (tools/cli).

Run by meson (suite 'cli') with MLMAP_CLI = the built executable and
PYTHONPATH = the built Python package; by hand:
    PYTHONPATH=build/tools/python MLMAP_CLI=build/tools/mlmap /usr/bin/python3 tests/cli/test_cli.py
Trains small scikit-learn models, saves them with mlmap.save, and checks the
CLI against mlmap.load(...) exactly (the CLI parses float64 and predicts
through the same library)."""

import csv
import datetime
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor

import mlmap

CLI = os.environ.get("MLMAP_CLI", "build/tools/mlmap")
TMP = None
MODELS = {}

N_FEATURES = 5
NAMES = [f"f{i}" for i in range(N_FEATURES)]


NOTES = []  # the "mlmap: note: ..." lines of the last run


def run(*args, stdin=None):
    """(returncode, stdout, stderr) of `mlmap args...`; stderr without the
    note lines (`mlmap predict` says whether it read the first line as a
    header), which go to NOTES."""
    p = subprocess.run([CLI, *map(str, args)], input=stdin if stdin is None else stdin.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    lines = p.stderr.decode().splitlines(keepends=True)
    NOTES[:] = [l.rstrip("\n") for l in lines if l.startswith("mlmap: note: ")]
    return p.returncode, p.stdout.decode(), "".join(l for l in lines if not l.startswith("mlmap: note: "))


def noted(kind):
    """Whether the last run noted reading its first line as `kind` ('a header' or 'data')."""
    return len(NOTES) == 1 and f"line 1 is read as {kind} " in NOTES[0]


def path(name):
    return os.path.join(TMP, name)


def data(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, N_FEATURES)) * [1, 10, 0.001, 1e6, 1]
    X[:, 4] = rng.randint(0, 4, size=n)  # small integers: "3" in the CSV
    return X


def write_csv(name, X, header=None, order=None, extra=False, fmt=repr, newline="\n"):
    """Writes X (columns reordered by `order`) with an optional header;
    `extra` adds a text column the CLI must ignore."""
    order = list(range(X.shape[1])) if order is None else order
    lines = []
    if header is not None:
        cols = [header[j] for j in order] + (["comment"] if extra else [])
        lines.append(",".join(cols))
    for i, row in enumerate(X):
        fields = [fmt(float(row[j])) for j in order] + ([f"row {i}"] if extra else [])
        lines.append(",".join(fields))
    text = newline.join(lines) + newline
    with open(path(name), "w", newline="") as f:
        f.write(text)
    return path(name)


def read(p, mode="r"):
    with open(p, mode) as f:
        return f.read()


def parse_output(text):
    """(header, rows) of the CLI's CSV output."""
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def floats(rows):
    return np.array([[float(x) for x in r] for r in rows], dtype=np.float64)


class Fixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        global TMP
        if TMP is not None:
            return
        TMP = tempfile.mkdtemp(prefix="mlmap-cli-test-")
        X = data(400, 0)
        df = pd.DataFrame(X, columns=NAMES)
        rule = X[:, 0] + 0.1 * X[:, 1] + X[:, 4]

        # Classifier with integer labels and feature names (fitted on a DataFrame).
        y_int = np.array([-1, 2, 5])[np.digitize(rule, [-0.5, 2.0])]
        clf_int = RandomForestClassifier(n_estimators=8, max_depth=6, random_state=0).fit(df, y_int)
        mlmap.save(clf_int, path("clf_int.mlmap"), metadata={"owner": "cli test", "quote": 'a "b"\n\tc'})

        # Classifier with string labels (one needs CSV quoting), no feature names.
        labels = np.array(["cat", "dog, big", 'say "hi"'])
        y_str = labels[np.digitize(rule, [-0.5, 2.0])]
        clf_str = RandomForestClassifier(n_estimators=8, max_depth=6, random_state=1).fit(X, y_str)
        mlmap.save(clf_str, path("clf_str.mlmap"))

        # Regressor with feature names; multi-output regressor without.
        reg = RandomForestRegressor(n_estimators=6, max_depth=6, random_state=2).fit(df, rule * 3.7)
        mlmap.save(reg, path("reg.mlmap"))
        Y = np.column_stack([rule, X[:, 2] * 1e3 - X[:, 3] * 1e-6])
        multi = ExtraTreesRegressor(n_estimators=6, max_depth=6, random_state=3).fit(X, Y)
        mlmap.save(multi, path("multi.mlmap"))

        for name in ["clf_int", "clf_str", "reg", "multi"]:
            MODELS[name] = mlmap.load(path(f"{name}.mlmap"))

        # Test inputs: random rows plus rows holding the models' split thresholds
        # (many digits: exercises exact float parsing).
        Xt = data(300, 7)
        t = clf_int.estimators_[0].tree_
        inner = t.feature >= 0
        for k, (f, thr) in enumerate(zip(t.feature[inner], t.threshold[inner])):
            Xt[k % len(Xt), f] = thr
        Fixture.X = Xt


# --- predict ------------------------------------------------------------------

class Predict(Fixture):
    def check_labels(self, model, out, X):
        header, rows = parse_output(out)
        self.assertEqual(header, ["label"])
        expected = [str(v) for v in MODELS[model].predict(X)]
        self.assertEqual([r[0] for r in rows], expected)

    def check_values(self, model, out, X, proba):
        m = MODELS[model]
        header, rows = parse_output(out)
        if proba:
            self.assertEqual(header, [str(c) for c in m.classes_])
            expected = m.predict_proba(X)
        else:
            k = m.n_outputs
            self.assertEqual(header, ["prediction"] if k == 1 else [f"prediction_{i}" for i in range(k)])
            expected = m.predict(X).reshape(len(X), -1)
        got = floats(rows)
        self.assertEqual(got.shape, expected.shape)
        self.assertTrue(np.array_equal(got, expected), f"max diff {np.max(np.abs(got - expected))}")

    def test_header_by_name_shuffled_with_extra_column(self):
        order = [3, 0, 4, 2, 1]
        f = write_csv("shuffled.csv", self.X, header=NAMES, order=order, extra=True)
        rc, out, err = run("predict", path("clf_int.mlmap"), f)
        self.assertEqual((rc, err), (0, ""))
        self.assertTrue(noted("a header"), NOTES)
        self.check_labels("clf_int", out, self.X)
        rc, out, err = run("predict", path("clf_int.mlmap"), f, "--proba")
        self.assertEqual((rc, err), (0, ""))
        self.check_values("clf_int", out, self.X, proba=True)
        rc, out, err = run("predict", path("reg.mlmap"), f)
        self.assertEqual((rc, err), (0, ""))
        self.check_values("reg", out, self.X, proba=False)

    def test_headerless_input(self):
        f = write_csv("plain.csv", self.X)
        for model in ["clf_int", "clf_str"]:
            rc, out, err = run("predict", path(f"{model}.mlmap"), f)
            self.assertEqual((rc, err), (0, ""))
            self.assertTrue(noted("data"), NOTES)
            self.check_labels(model, out, self.X)
        rc, out, err = run("predict", path("multi.mlmap"), f)
        self.assertEqual((rc, err), (0, ""))
        self.check_values("multi", out, self.X, proba=False)

    def test_header_of_a_model_without_names(self):
        # clf_str was fitted on an array: a header of other names is data
        # (an error naming the cell) unless --header says it is a header;
        # then columns are positional.
        f = write_csv("named.csv", self.X, header=["a", "b", "c", "d", "e"])
        rc, out, err = run("predict", path("clf_str.mlmap"), f)
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("named.csv line 1: column 1 is not a number: 'a'", err)
        rc, out, err = run("predict", path("clf_str.mlmap"), f, "--proba", "--header")
        self.assertEqual((rc, err, NOTES), (0, "", []))
        self.check_values("clf_str", out, self.X, proba=True)
        self.assertEqual(out.splitlines()[0], 'cat,"dog, big","say ""hi"""')  # CSV quoting
        rc, out, err = run("predict", path("clf_str.mlmap"), f, "--header")
        self.check_labels("clf_str", out, self.X)

    def test_one_output_row_per_input_row(self):
        # Issue 17: pandas' DataFrame(X).to_csv(index=False) writes "0,1,2,3,4":
        # a header, not a row (it used to give one prediction more than rows).
        X = self.X[:3]
        text = pd.DataFrame(X).to_csv(index=False)
        self.assertTrue(text.startswith("0,1,2,3,4\n"))
        for model in ["clf_str", "clf_int"]:
            rc, out, err = run("predict", path(f"{model}.mlmap"), stdin=text)
            self.assertEqual((rc, err), (0, ""))
            self.assertTrue(noted("a header"), NOTES)
            self.check_labels(model, out, X)
        # ... unless --no-header says it is data.
        rc, out, err = run("predict", path("clf_str.mlmap"), "--no-header", stdin=text)
        self.assertEqual((rc, err, NOTES), (0, "", []))
        self.assertEqual(len(parse_output(out)[1]), 4)
        # Issue 19: a typo in the first line is an error naming the cell (it
        # was taken for a header: exit 0 and one prediction for two lines).
        for model in ["clf_str", "clf_int", "reg"]:
            rc, out, err = run("predict", path(f"{model}.mlmap"), stdin="1,2,3,4,5x\n5,6,7,8,9\n")
            self.assertEqual((rc, out), (2, ""), err)
            self.assertIn("<stdin> line 1: column 5", err)
            self.assertIn("is not a number: '5x'", err)
            self.assertTrue(noted("data"), NOTES)
        # A header that names only some features is read as one, and the
        # missing ones are named.
        rc, out, err = run("predict", path("clf_int.mlmap"), stdin="f0,f1,f2,f3,x\n1,2,3,4,5\n")
        self.assertEqual(rc, 2)
        self.assertIn("lacks the model's feature column 'f4'", err)
        self.assert_usage_conflict()

    def assert_usage_conflict(self):
        rc, out, err = run("predict", path("reg.mlmap"), "--header", "--no-header", stdin="")
        self.assertEqual(rc, 1)
        self.assertIn("--header and --no-header contradict each other", err)

    def test_stdin(self):
        f = write_csv("stdin.csv", self.X, header=NAMES, order=[4, 3, 2, 1, 0])
        text = read(f)
        for extra in [[], ["-"]]:
            rc, out, err = run("predict", path("reg.mlmap"), *extra, stdin=text)
            self.assertEqual((rc, err), (0, ""))
            self.check_values("reg", out, self.X, proba=False)

    def test_output_file(self):
        f = write_csv("out_in.csv", self.X, header=NAMES)
        out_path = path("predictions.csv")
        with open(out_path, "w") as g:
            g.write("old\n")
        rc, out, err = run("predict", path("clf_int.mlmap"), f, "--output", out_path, "--proba")
        self.assertEqual((rc, out, err), (0, "", ""))
        self.check_values("clf_int", read(out_path), self.X, proba=True)
        rc, out2, _ = run("predict", path("clf_int.mlmap"), f, "--proba")
        self.assertEqual(read(out_path), out2)
        # --output=OUT form; a failing run leaves the existing file untouched.
        bad = write_csv("bad_late.csv", self.X[:3], header=NAMES)
        with open(bad, "a") as g:
            g.write("1,2,3\n")
        rc, _, err = run("predict", path("clf_int.mlmap"), bad, f"--output={out_path}")
        self.assertEqual(rc, 2)
        self.assertEqual(read(out_path), out2)
        self.assertEqual([n for n in os.listdir(TMP) if ".tmp-" in n], [])

    def test_output_through_links_and_special_files(self):
        # --output replaces a regular file atomically, but never puts a
        # regular file in place of a link, a FIFO or a device: a link's
        # target is replaced, anything that is not a regular file is written
        # through (as a shell's `>` would), so `--output /dev/null` run as
        # root leaves /dev/null a device.
        import stat
        import threading
        f = write_csv("special_in.csv", self.X[:20], header=NAMES)
        m = path("clf_int.mlmap")
        _, expected, _ = run("predict", m, f)
        d = tempfile.mkdtemp(dir=TMP)
        target = os.path.join(d, "target.csv")
        with open(target, "w") as g:
            g.write("old\n")
        os.symlink("target.csv", os.path.join(d, "link.csv"))
        self.assertEqual(run("predict", m, f, "--output", os.path.join(d, "link.csv")), (0, "", ""))
        self.assertTrue(os.path.islink(os.path.join(d, "link.csv")))
        self.assertEqual(read(target), expected)
        os.symlink("/dev/null", os.path.join(d, "null"))
        self.assertEqual(run("predict", m, f, "--output", os.path.join(d, "null")), (0, "", ""))
        self.assertTrue(os.path.islink(os.path.join(d, "null")))
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        got = []
        reader = threading.Thread(target=lambda: got.append(read(fifo)))
        reader.start()
        self.assertEqual(run("predict", m, f, "--output", fifo), (0, "", ""))
        reader.join(30)
        self.assertEqual(got, [expected])
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
        if os.path.exists("/dev/full"):  # written through: its error is the run's
            rc, _, err = run("predict", m, f, "--output", "/dev/full")
            self.assertEqual(rc, 2)
            self.assertIn("No space left", err)
            self.assertTrue(stat.S_ISCHR(os.stat("/dev/full").st_mode))
        os.symlink("missing.csv", os.path.join(d, "dangling.csv"))
        rc, _, err = run("predict", m, f, "--output", os.path.join(d, "dangling.csv"))
        self.assertEqual(rc, 2)
        self.assertIn("symbolic link to a file that does not exist", err)
        self.assertEqual([n for n in os.listdir(d) if ".tmp-" in n], [])

    def test_output_is_never_an_input(self):
        # The model or the CSV named as --output (also through a link) is
        # refused before anything is written: it would destroy the input.
        f = write_csv("self_in.csv", self.X[:5], header=NAMES)
        m = path("self_model.mlmap")
        shutil.copy(path("clf_int.mlmap"), m)
        before = (read(m, "rb"), read(f))
        link = path("self_link.csv")
        if not os.path.lexists(link):
            os.symlink(f, link)
        for out in [m, f, link]:
            with self.subTest(out):
                rc, _, err = run("predict", m, f, "--output", out)
                self.assertEqual(rc, 1)
                self.assertIn("writing it would destroy the input", err)
        self.assertEqual((read(m, "rb"), read(f)), before)

    def test_threads_and_chunks(self):
        X = data(9000, 11)  # more than two chunks of 4096 rows
        f = write_csv("many.csv", X, header=NAMES)
        rc, out1, err = run("predict", path("clf_int.mlmap"), f, "--proba")
        self.assertEqual((rc, err), (0, ""))
        self.check_values("clf_int", out1, X, proba=True)
        for n in ["2", "0"]:
            rc, out, err = run("predict", path("clf_int.mlmap"), f, "--proba", "--threads", n)
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(out, out1)
        rc, out, err = run("predict", path("clf_int.mlmap"), f, "--threads=2")
        self.assertEqual((rc, err), (0, ""))
        self.check_labels("clf_int", out, X)
        f = write_csv("exact_chunk.csv", X[:4096])
        rc, out, err = run("predict", path("multi.mlmap"), f, "--threads", "2")
        self.assertEqual((rc, err), (0, ""))
        self.check_values("multi", out, X[:4096], proba=False)

    def test_csv_dialect(self):
        # CRLF, a BOM, quoted header names, blank lines, spaces, '+' signs, exponents.
        X = self.X[:20]
        rows = [",".join(f'"{n}"' for n in NAMES)]
        for i, r in enumerate(X):
            fields = [repr(float(v)) for v in r]
            if i % 5 == 2:
                fields = [f"{float(x):.17e}" for x in fields]
            if i % 4 == 1:
                fields = [("+" + x) if not x.startswith("-") else x for x in fields]
            if i % 3 == 0:
                fields = [f" {x}\t" for x in fields]
            rows.append(",".join(fields))
            if i % 7 == 0:
                rows.append("")
        text = "\ufeff" + "\r\n".join(rows) + "\r\n\r\n"
        f = path("dialect.csv")
        with open(f, "w", newline="", encoding="utf-8") as g:
            g.write(text)
        rc, out, err = run("predict", path("reg.mlmap"), f)
        self.assertEqual((rc, err), (0, ""))
        self.check_values("reg", out, X, proba=False)

    def test_empty_input(self):
        for text in ["", "f0,f1,f2,f3,f4\n", "\n\n"]:
            rc, out, err = run("predict", path("reg.mlmap"), stdin=text)
            self.assertEqual((rc, out, err), (0, "prediction\n", ""))
        rc, out, err = run("predict", path("clf_int.mlmap"), "--proba", stdin="")
        self.assertEqual((rc, out, err), (0, "-1,2,5\n", ""))

    def test_odd_labels_and_metadata(self):
        # Labels that need CSV quoting or are empty; metadata with control
        # characters, NUL and non-ASCII text (JSON escaping).
        X = data(300, 4)
        y = np.array(["", "na\u00efve \u2603", "line\nbreak"], dtype=object)[np.digitize(X[:, 0], [-0.4, 0.4])]
        model = RandomForestClassifier(n_estimators=3, max_depth=4, random_state=0).fit(X, y)
        mlmap.save(model, path("odd.mlmap"), metadata={"nul": "a\x00b", "esc": "\x1b[31m\\", "u": "\u00e9\u2028"})
        m = mlmap.load(path("odd.mlmap"))
        f = write_csv("odd.csv", X)
        rc, out, err = run("predict", path("odd.mlmap"), f)
        self.assertEqual((rc, err), (0, ""))
        header, rows = parse_output(out)
        self.assertEqual([r[0] for r in rows], list(m.predict(X)))
        self.assertIn("", list(m.predict(X)))  # the empty label is exercised
        rc, out, err = run("predict", path("odd.mlmap"), f, "--proba")
        self.assertEqual(parse_output(out)[0], [str(c) for c in m.classes_])
        rc, out, err = run("inspect", path("odd.mlmap"), "--json")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(json.loads(out), m.info())
        rc, out, err = run("inspect", path("odd.mlmap"))
        self.assertIn("nul: a\\x00b", out)
        self.assertNotIn("\x1b", out)  # control characters are escaped on the terminal

    def test_estimators_of_stored_rows_and_detectors(self):
        # k-NN (also two outputs, and radius neighbours), an SVM, naive Bayes
        # and an outlier detector through the CLI:
        # the same labels and values as Python, detectors labelled -1 / 1;
        # `inspect --json` has Python's keys for each.
        from sklearn.ensemble import IsolationForest
        from sklearn.naive_bayes import GaussianNB
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, RadiusNeighborsClassifier
        from sklearn.svm import SVC, LinearSVC
        X = data(300, 5)
        y = np.digitize(X[:, 0] + X[:, 4], [0.5, 2.5])
        models = {
            "knn": KNeighborsRegressor(4, weights="distance").fit(X, X[:, 0] * 2),
            "knn2": KNeighborsClassifier(4, weights="distance").fit(X, np.c_[y, X[:, 1] > 0]),
            "radius": RadiusNeighborsClassifier(1.0, weights="distance", outlier_label="most_frequent").fit(X, y),
            "svc": SVC(probability=True, random_state=0).fit(X, y),
            "gnb": GaussianNB().fit(X, y),
            "iforest": IsolationForest(n_estimators=20, random_state=0).fit(X),
            "linsvc": LinearSVC(random_state=0).fit(X, y),  # labels, no probabilities
        }
        f = write_csv("stored.csv", self.X)
        for name, est in models.items():
            with self.subTest(name):
                mlmap.save(est, path(f"{name}.mlmap"))
                m = mlmap.load(path(f"{name}.mlmap"))
                rc, out, err = run("predict", path(f"{name}.mlmap"), f)
                self.assertEqual((rc, err), (0, ""))
                header, rows = parse_output(out)
                if name == "knn":
                    self.assertEqual(header, ["prediction"])
                    self.assertTrue(np.array_equal(floats(rows)[:, 0], m.predict(self.X)))
                elif name == "knn2":  # two outputs: a label and probabilities each
                    self.assertEqual(header, ["label_0", "label_1"])
                    self.assertEqual(rows, [[str(v) for v in r] for r in m.predict(self.X)])
                    rc, out, err = run("predict", path(f"{name}.mlmap"), f, "--proba")
                    self.assertTrue(np.array_equal(floats(parse_output(out)[1]), np.hstack(m.predict_proba(self.X))))
                else:
                    self.assertEqual(header, ["label"])
                    self.assertEqual([r[0] for r in rows], [str(v) for v in m.predict(self.X)])
                if name == "iforest":
                    self.assertEqual({r[0] for r in rows}, {"-1", "1"})
                    rc, out, err = run("predict", path(f"{name}.mlmap"), f, "--proba")
                    self.assertEqual(rc, 1)
                    self.assertIn("outlier_detection", err)
                if name == "linsvc":  # as Python raises AttributeError and the server 400
                    rc, out, err = run("predict", path(f"{name}.mlmap"), f, "--proba")
                    self.assertEqual((rc, out), (1, ""))
                    self.assertIn("LinearSVC gives no probabilities", err)
                if name == "svc":
                    rc, out, err = run("predict", path(f"{name}.mlmap"), f, "--proba")
                    self.assertTrue(np.array_equal(floats(parse_output(out)[1]), m.predict_proba(self.X)))
                rc, out, err = run("inspect", path(f"{name}.mlmap"), "--json")
                self.assertEqual((rc, err), (0, ""))
                self.assertEqual(json.loads(out), m.info())

    def test_output_numbers_round_trip(self):
        # Shortest round-trip text: parsing it back gives the same doubles.
        f = write_csv("rt.csv", self.X)
        rc, out, _ = run("predict", path("multi.mlmap"), f)
        self.assertEqual(rc, 0)
        for line in out.splitlines()[1:]:
            for x in line.split(","):
                self.assertLessEqual(len(x), len(repr(float(x))))

    def test_string_columns(self):
        # A pipeline that one-hot encodes a string column (and imputes a
        # numeric one) is fed from CSV as the server feeds it: by header name,
        # string cells as they are, empty fields missing.  The CLI's answers
        # equal the Python API's on the same rows given as a DataFrame.
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        rng = np.random.RandomState(11)
        n = 300
        frame = pd.DataFrame({
            "city": rng.choice(["Lyon", "Berlin", "Porto", "S\u00e3o Paulo", "a, b"], size=n).astype(object),
            "age": rng.normal(40, 12, size=n),
            "size": rng.normal(0, 1, size=n),
        })
        y = np.array(["no", "yes", "maybe"])[(frame["age"] > 40).astype(int) + (frame["city"] == "Lyon")]
        pipe = Pipeline([
            ("prep", ColumnTransformer([
                ("onehot", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), ["age", "size"]),
            ])),
            ("clf", LogisticRegression(max_iter=500)),
        ]).fit(frame, y)
        mlmap.save(pipe, path("strings.mlmap"))
        m = mlmap.load(path("strings.mlmap"))
        self.assertEqual(m.info()["string_columns"], ["city"])

        rows = frame.iloc[:60].copy()
        rows.loc[rows.index[3], "city"] = None            # missing string: ignored by the encoder
        rows.loc[rows.index[5], "city"] = "Paris"         # unseen category: ignored
        rows.loc[rows.index[7], "age"] = np.nan           # missing number: imputed
        text = rows[["size", "city", "age"]].assign(note="x").to_csv(index=False)  # other order, extra column
        f = path("strings.csv")
        with open(f, "w", newline="") as g:
            g.write(text)
        rc, out, err = run("predict", path("strings.mlmap"), f)
        self.assertEqual((rc, err), (0, ""))
        header, labels = parse_output(out)
        self.assertEqual(header, ["label"])
        self.assertEqual([r[0] for r in labels], list(m.predict(rows)))
        rc, out, err = run("predict", path("strings.mlmap"), f, "--proba")
        self.assertEqual((rc, err), (0, ""))
        header, proba = parse_output(out)
        self.assertEqual(header, [str(c) for c in m.classes_])
        np.testing.assert_array_equal(floats(proba), m.predict_proba(rows))
        np.testing.assert_allclose(floats(proba), pipe.predict_proba(rows.fillna({"city": "?"})), rtol=1e-9)
        # Without a header the columns are positional (the model's order).
        rc, out, err = run("predict", path("strings.mlmap"), stdin="Lyon,30,1\nPorto,,2\n")
        self.assertEqual((rc, err), (0, ""))
        self.assertTrue(noted("data"), NOTES)
        plain = pd.DataFrame({"city": ["Lyon", "Porto"], "age": [30, np.nan], "size": [1.0, 2.0]})
        self.assertEqual([r[0] for r in parse_output(out)[1]], list(m.predict(plain)))
        # A header naming some of the columns: the others are named as lacking.
        self.assert_error_text(run("predict", path("strings.mlmap"), stdin="city,age\nLyon,30\n"), "lacks")

    def test_text_column(self):
        # A pipeline that starts with a TfidfVectorizer (one column, named
        # x0 as sklearn names it) and one that vectorizes a DataFrame column
        # beside a numeric one: documents from CSV (quoted commas, quotes,
        # non-ASCII), the CLI's answers equal the Python API's and sklearn's.
        import csv
        import io
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        words = ["the", "cat", "sat,", "on", "Straße", "Café", "\u03a3\u0391\u03a3", "dog's", "\"quoted\"", "42"]
        rng = np.random.RandomState(12)
        # (an empty CSV field is a missing value, which a vectorizer refuses:
        # every document here has a word)
        docs = [" ".join(rng.choice(words, size=rng.randint(1, 9))) for _ in range(200)]
        y = rng.randint(0, 3, size=len(docs))
        frame = pd.DataFrame({"body": docs, "n": rng.normal(size=len(docs))})
        models = {
            "tfidf.mlmap": (make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression()).fit(docs, y),
                            pd.DataFrame({"x0": docs[:40]}), docs[:40]),
            "hashing.mlmap": (make_pipeline(ColumnTransformer([("t", HashingVectorizer(n_features=64), "body"),
                                                               ("n", StandardScaler(), ["n"])]),
                                            LogisticRegression()).fit(frame, y), frame.iloc[:40], frame.iloc[:40]),
        }
        for name, (pipe, rows, X) in models.items():
            mlmap.save(pipe, path(name))
            m = mlmap.load(path(name))
            buf = io.StringIO()
            rows.to_csv(buf, index=False, quoting=csv.QUOTE_NONNUMERIC)
            f = path(name + ".csv")
            with open(f, "w", newline="") as g:
                g.write(buf.getvalue())
            rc, out, err = run("predict", path(name), f, "--proba")
            self.assertEqual((rc, err), (0, ""), name)
            _, proba = parse_output(out)
            np.testing.assert_array_equal(floats(proba), m.predict_proba(X))
            np.testing.assert_allclose(floats(proba), pipe.predict_proba(X), rtol=1e-9, atol=1e-12)
        self.assert_error_text(run("predict", path("tfidf.mlmap"), stdin="x0\nthe cat\nNA\n"), "is missing")

    def test_projection_steps(self):
        # Binarizer, a selector, PCA and KMeans distances in front of a model,
        # and KMeans itself as the model: the CLI's answers equal the Python API's.
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA
        from sklearn.feature_selection import SelectKBest
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline
        from sklearn.preprocessing import Binarizer, StandardScaler

        rng = np.random.RandomState(5)
        X = rng.normal(size=(300, 6))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        union = FeatureUnion([("pca", PCA(3, whiten=True)), ("bin", Binarizer(threshold=0.2)),
                              ("km", KMeans(3, n_init=2, random_state=0))])
        pipe = make_pipeline(StandardScaler(), SelectKBest(k=4), union, LogisticRegression()).fit(X, y)
        km = KMeans(4, n_init=2, random_state=0).fit(X)
        f = path("projection.csv")
        np.savetxt(f, X[:50], delimiter=",")
        for name, est in (("projection.mlmap", pipe), ("kmeans.mlmap", km)):
            mlmap.save(est, path(name))
            m = mlmap.load(path(name))
            rc, out, err = run("predict", path(name), f)
            self.assertEqual((rc, err), (0, ""))
            _, labels = parse_output(out)
            self.assertEqual([int(r[0]) for r in labels], [int(v) for v in m.predict(X[:50])])
            self.assertEqual([int(r[0]) for r in labels], [int(v) for v in est.predict(X[:50])])

    def assert_error_text(self, result, needle):
        rc, out, err = result
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn(needle, err)


# --- inspect and verify ---------------------------------------------------------

class InspectVerify(Fixture):
    def test_json_equals_python_info(self):
        for name, m in MODELS.items():
            rc, out, err = run("inspect", path(f"{name}.mlmap"), "--json")
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(json.loads(out), m.info(), name)

    def test_text(self):
        m = MODELS["clf_int"]
        info = m.info()
        rc, out, err = run("inspect", path("clf_int.mlmap"))
        self.assertEqual((rc, err), (0, ""))
        created = datetime.datetime.fromtimestamp(info["provenance"]["created_unix_ms"] / 1000,
                                                  tz=datetime.timezone.utc)
        iso = created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{info['provenance']['created_unix_ms'] % 1000:03d}Z"
        for needle in ["sklearn.ensemble.RandomForestClassifier", "classification", "format version:  1.",
                       f"mlmap {mlmap.__version__}", "scikit-learn", "5: f0, f1, f2, f3, f4",
                       "3: -1, 2, 5", "owner: cli test", 'quote: a "b"\\n\\tc', "8 trees",
                       f"{info['file_size']} bytes", info["content_hash"], iso]:
            self.assertIn(needle, out)
        self.assertRegex(out, r"created:\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
        # The layouts the file holds, as --json lists them.
        layouts = info["trees"]["layouts"]
        line = re.search(r"^tree layouts:\s+(.*)$", out, re.M)
        self.assertIsNotNone(line)
        self.assertEqual(line.group(1).startswith("nodes"), True)
        self.assertEqual("complete trees" in line.group(1), "complete" in layouts)
        self.assertEqual("leaf bit-vectors" in line.group(1), "bitvectors" in layouts)
        rc, out, _ = run("inspect", path("multi.mlmap"))
        self.assertIn("regression", out)
        self.assertIn("(unnamed)", out)

    def test_many_features_abbreviated(self):
        X = np.random.RandomState(5).rand(60, 40)
        names = [f"feature_{i}" for i in range(40)]
        model = RandomForestRegressor(n_estimators=2, max_depth=3, random_state=0).fit(
            pd.DataFrame(X, columns=names), X[:, 0])
        mlmap.save(model, path("wide.mlmap"))
        rc, out, _ = run("inspect", path("wide.mlmap"))
        self.assertEqual(rc, 0)
        line = next(l for l in out.splitlines() if l.startswith("features:"))
        self.assertIn("40:", line)
        self.assertIn("...", line)
        self.assertIn("feature_39", line)
        self.assertNotIn("feature_20", line)
        rc, out, _ = run("inspect", path("wide.mlmap"), "--json")
        self.assertEqual(json.loads(out)["feature_names"], names)

    def test_verify_ok(self):
        for name, m in MODELS.items():
            p = path(f"{name}.mlmap")
            rc, out, err = run("verify", p)
            info = m.info()
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(out, f"OK: {p} ({info['estimator']}, {info['file_size']} bytes, "
                                  f"hash {info['content_hash']})\n")


# --- errors -------------------------------------------------------------------------

class Errors(Fixture):
    def assert_error(self, code, args, stdin=None, pattern=None):
        rc, out, err = run(*args, stdin=stdin)
        self.assertEqual(rc, code, f"{args}: {err}")
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, f"{args}: stderr {err!r}")
        self.assertTrue(lines[0].startswith("mlmap: "), lines[0])
        if code != 0:
            self.assertEqual(out, "", f"{args}: stdout {out!r}")
        if pattern:
            self.assertRegex(lines[0], pattern)
        return lines[0]

    def test_usage(self):
        m = path("clf_int.mlmap")
        self.assert_error(1, [], pattern="missing command.*usage: mlmap")
        self.assert_error(1, ["frobnicate"], pattern="unknown command 'frobnicate'")
        self.assert_error(1, ["--bogus"], pattern="unknown flag")
        self.assert_error(1, ["predict", m, "--bogus"], pattern=r"unknown flag '--bogus'.*usage: mlmap predict")
        self.assert_error(1, ["inspect", m, "--proba"], pattern="unknown flag")
        self.assert_error(1, ["verify", m, "--json"], pattern="unknown flag")
        self.assert_error(1, ["inspect"], pattern="missing FILE")
        self.assert_error(1, ["verify"], pattern="missing FILE")
        self.assert_error(1, ["predict"], pattern="missing FILE")
        self.assert_error(1, ["verify", m, m], pattern="unexpected argument")
        self.assert_error(1, ["predict", m, "a.csv", "b.csv"], pattern="unexpected argument 'b.csv'")
        for bad in ["x", "-1", "", "1.5", "99999999999"]:
            self.assert_error(1, ["predict", m, "--threads", bad], pattern="--threads")
        self.assert_error(1, ["predict", m, "--threads"], pattern="needs a value")
        self.assert_error(1, ["predict", m, "--output="], pattern="--output needs a file name")
        self.assert_error(1, ["inspect", m, "--json=yes"], pattern="takes no value")
        self.assert_error(1, ["predict", path("reg.mlmap"), "--proba"], stdin="",
                          pattern="--proba needs a classifier")

    def test_help(self):
        rc, out, err = run("--help")
        self.assertEqual((rc, err), (0, ""))
        for verb in ["inspect", "verify", "predict"]:
            self.assertIn(f"mlmap {verb} ", out)
            rc, out2, err = run(verb, "--help")
            self.assertEqual((rc, err), (0, ""))
            self.assertTrue(out2.startswith(f"usage: mlmap {verb} "))
        # Issue 17: the usage line of every verb lists every flag its --help lists.
        for verb in ["inspect", "verify", "predict", "convert-xgboost", "store", "serve"]:
            rc, out, _ = run(verb, "--help")
            usage = out.splitlines()[0]
            flags = re.findall(r"^  (--[a-z-]+)", out, re.M)
            self.assertTrue(flags or verb == "verify", out)
            for flag in flags:
                self.assertIn(flag, usage, f"{verb}: {flag} is in --help but not in the usage line {usage!r}")
            rc, _, err = run(verb, "--bogus")
            self.assertEqual(rc, 1)
            self.assertIn(usage[len("usage: "):], err)
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertIn(mlmap.__version__, out)

    def bad_model_files(self):
        """(name, path, expected error code) of files that are not usable models."""
        os.makedirs(path("a_directory"), exist_ok=True)
        open(path("empty.mlmap"), "wb").close()
        with open(path("garbage.mlmap"), "wb") as f:
            f.write(np.random.RandomState(3).bytes(5000))
        good = read(path("clf_int.mlmap"), "rb")
        with open(path("truncated.mlmap"), "wb") as f:
            f.write(good[: len(good) * 2 // 3])
        return [
            (path("does_not_exist.mlmap"), "io_error"),
            (path("a_directory"), "not_a_file"),
            (path("empty.mlmap"), "file_too_small"),
            (path("garbage.mlmap"), "bad_magic"),
            (path("truncated.mlmap"), "truncated"),
        ]

    def test_bad_model_files(self):
        f = write_csv("ok.csv", self.X[:5])
        for p, code in self.bad_model_files():
            for args in (["inspect", p], ["inspect", p, "--json"], ["verify", p], ["predict", p, f]):
                self.assert_error(2, args, pattern=f"^mlmap: {code}: ")

    def test_corrupt_column_fails_verify(self):
        good = bytearray(read(path("reg.mlmap"), "rb"))
        info = MODELS["reg"].info()
        # Flip a byte in the last column (after the header, before the end).
        good[-5] ^= 0xFF
        with open(path("flipped.mlmap"), "wb") as f:
            f.write(good)
        self.assertGreater(len(good), 64 + info["header_size"])
        self.assert_error(2, ["verify", path("flipped.mlmap")], pattern="^mlmap: (checksum_mismatch|invalid_model): ")

    def test_bad_input(self):
        m = path("clf_int.mlmap")
        self.assert_error(2, ["predict", m, path("no_such.csv")], pattern=r"cannot open '.*no_such\.csv'")
        os.makedirs(path("csv_dir"), exist_ok=True)
        self.assert_error(2, ["predict", m, path("csv_dir")], pattern="directory")
        # Wrong field count: the line number is named.
        text = "f0,f1,f2,f3,f4\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n"
        self.assert_error(2, ["predict", m], stdin=text, pattern=r"<stdin> line 4: 4 fields, expected 5")
        f = path("fields.csv")
        with open(f, "w") as g:
            g.write("1,2,3,4,5\n\n1,2,3,4,5,6\n")
        self.assert_error(2, ["predict", m, f], pattern=r"fields\.csv line 3: 6 fields, expected 5")
        # Wrong number of columns (no header).
        self.assert_error(2, ["predict", m], stdin="1,2,3\n", pattern="line 1: 3 columns.* 5 features")
        self.assert_error(2, ["predict", path("clf_str.mlmap"), "--header"], stdin="a,b,c\n1,2,3\n",
                          pattern="line 1: the header has 3 columns.* 5 features")
        self.assert_error(2, ["predict", path("clf_str.mlmap")], stdin="a,b,c\n1,2,3\n",
                          pattern="line 1: 3 columns.* 5 features")
        # Infinities are refused as the server refuses them (one rule).
        self.assert_error(2, ["predict", m], stdin="1,2,3,4,5\n1,2,1e999,4,5\n",
                          pattern=r"line 2: column 3 \(feature 'f2'\) is infinite \('1e999'\)")
        self.assert_error(2, ["predict", m], stdin="1,2,3,4,5\n1,2,-inf,4,5\n", pattern=r"is infinite \('-inf'\)")
        # A missing named column.
        self.assert_error(2, ["predict", m], stdin="f0,f1,f2,f4,x\n1,2,3,4,5\n", pattern="lacks.*'f3'")
        self.assert_error(2, ["predict", m], stdin="f0,f1,f4,x\n1,2,3,4\n", pattern="lacks.*'f2', 'f3'")
        # Missing values into a RandomForest (not trained to route them).
        for tok in ["", "NA", "nan", "NaN"]:
            self.assert_error(2, ["predict", m], stdin=f"f0,f1,f2,f3,f4\n1,2,3,4,5\n1,{tok},3,4,5\n",
                              pattern=r"line 3: column 2 \(feature 'f1'\) is missing.*missing values")
        self.assert_error(2, ["predict", path("multi.mlmap")], stdin="1,2,3,4,5\n1,2,3,4,NA\n",
                          pattern=r"line 2: column 5 is missing")
        # Not a number after the first line.
        self.assert_error(2, ["predict", m], stdin="1,2,3,4,5\n1,2,x,4,5\n", pattern="line 2: .*not a number: 'x'")
        self.assert_error(2, ["predict", m], stdin='1,2,3,4,5\n1,2,"3,4,5\n', pattern="unterminated")

    def test_unwritable_output(self):
        f = write_csv("ok2.csv", self.X[:5])
        m = path("clf_int.mlmap")
        self.assert_error(2, ["predict", m, f, "--output", path("no_dir/out.csv")], pattern="cannot create")
        os.makedirs(path("a_dir_out"), exist_ok=True)
        self.assert_error(2, ["predict", m, f, "--output", path("a_dir_out")], pattern="directory")
        if os.path.exists("/dev/full"):
            with open("/dev/full", "w") as full:
                p = subprocess.run([CLI, "predict", m, f], stdout=full, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 2)
            lines = [l for l in p.stderr.decode().splitlines() if not l.startswith("mlmap: note: ")]
            self.assertEqual(len(lines), 1)


def lightgbm_samples():
    """name -> text of the small models LightGBM wrote in
    tests/importers/lightgbm_samples.hpp (no lightgbm needed here)."""
    here = os.path.dirname(os.path.abspath(__file__))
    text = read(os.path.join(here, "..", "importers", "lightgbm_samples.hpp"))
    return dict(re.findall(r'std::string_view (\w+) = R"lgbm\((.*?)\)lgbm";', text, re.S))


class ConvertLightGBM(Fixture):
    assert_error = Errors.assert_error

    def test_convert_and_predict(self):
        samples = lightgbm_samples()
        self.assertGreaterEqual(len(samples), 5)
        for name, text in samples.items():
            with open(path(f"{name}.txt"), "w") as f:
                f.write(text)
            rc, out, err = run("convert-lightgbm", path(f"{name}.txt"), path(f"{name}.mlmap"))
            self.assertEqual((rc, err), (0, ""), name)
            self.assertRegex(out, r"^OK: .*\(lightgbm .*, \d+ trees, 4 features, (classification|regression)\)\n$")
            mlmap.load(path(f"{name}.mlmap"), verify=True)
        # The CLI's predictions are the Python API's on the same file.
        m = mlmap.load(path("multiclass_coded.mlmap"))
        X = data(50, 3)[:, :4]
        X[::7, 1] = np.nan
        X[:, 1] = np.round(np.abs(X[:, 1]) % 6)
        rc, out, err = run("predict", path("multiclass_coded.mlmap"), write_csv("lgb.csv", X), "--proba")
        self.assertEqual(rc, 0, err)
        np.testing.assert_array_equal(floats(parse_output(out)[1]), m.predict_proba(X))
        # --num-iteration keeps the first iterations (3 trees each).
        rc, out, err = run("convert-lightgbm", path("multiclass_coded.txt"), path("one.mlmap"), "--num-iteration", "1")
        self.assertEqual(rc, 0, err)
        self.assertIn(", 3 trees,", out)
        rc, out, err = run("convert-lightgbm", "--help")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("--pandas-categorical", out)
        rc, out, err = run("--help")
        self.assertIn("mlmap convert-lightgbm MODEL.txt OUT.mlmap", out)

    def test_errors(self):
        samples = lightgbm_samples()
        with open(path("bad.txt"), "w") as f:
            f.write(samples["binary_pandas"].replace("left_child=1 -1 -3", "left_child=1 -1 -9", 1))
        with open(path("ok.txt"), "w") as f:
            f.write(samples["binary_pandas"])
        out = path("never.mlmap")
        self.assert_error(2, ["convert-lightgbm", path("bad.txt"), out],
                          pattern=r"^mlmap: import_failed: .*bad.txt: LightGBM text: tree 0 \(line \d+\), line \d+, "
                                  r"'left_child'\[2\] = -9 is outside")
        self.assert_error(2, ["convert-lightgbm", path("nope.txt"), out], pattern="^mlmap: io_error: ")
        os.makedirs(path("a_directory"), exist_ok=True)
        self.assert_error(2, ["convert-lightgbm", path("a_directory"), out], pattern="^mlmap: not_a_file: ")
        self.assert_error(2, ["convert-lightgbm", path("clf_int.mlmap"), out], pattern="expected 'tree'")
        self.assert_error(2, ["convert-lightgbm", path("ok.txt"), out, "--pandas-categorical", "city"],
                          pattern="^mlmap: invalid_argument: .*1 pandas categorical columns given for the file's 2")
        self.assert_error(2, ["convert-lightgbm", path("ok.txt"), out, "--num-iteration", "9"],
                          pattern="keeping 9 iterations of a model that has 3")
        self.assertFalse(os.path.exists(out))
        self.assert_error(1, ["convert-lightgbm", path("ok.txt")], pattern="missing OUT.mlmap")
        self.assert_error(1, ["convert-lightgbm", path("ok.txt"), out, "--num-iteration", "x"], pattern="--num-iteration")
        self.assert_error(1, ["convert-lightgbm", path("ok.txt"), out, "--best-iteration"], pattern="unknown flag")
        rc, _, err = run("convert-lightgbm", path("ok.txt"), out, "--pandas-categorical", "city,size")
        self.assertEqual((rc, err), (0, ""))


if __name__ == "__main__":
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        if TMP:
            shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(0 if result.wasSuccessful() else 1)
