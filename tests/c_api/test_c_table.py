#!/usr/bin/python3
"""The C table API (mlmap_table_*, mlmap_predict*_table) from a C program
linked to libmlmap.so agrees with scikit-learn and with mlmap's Python
binding: a text pipeline (a character TfidfVectorizer, and a word
CountVectorizer, into LogisticRegression) fed a string column, and a mixed
DataFrame pipeline (a ColumnTransformer of scaled numbers as doubles and
floats, one-hot string categories with a missing cell, and a text column).
Strings go in with lengths and NUL-terminated; errors (a missing document,
a column the model needs that the table lacks, a NULL table) reach C as a
code and a message.

Run: test_c_table.py TABLE_CONSUMER  (PYTHONPATH=BUILD_ROOT/tools/python)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import mlmap

consumer = sys.argv[1]
rng = np.random.default_rng(0)
WORDS = ["Hello", "world", "Straße", "école", "naïve", "日本語", "😀", "e\u0301te", "the", "x", "ΣΟΦΙΑΣ",
         "42", "İstanbul", "can't", "👩\u200d💻", "mañana"]


def docs(n):
    return [" ".join(rng.choice(WORDS, size=rng.integers(0, 9))) + rng.choice(["", "  ", "\t", "!\n"])
            for _ in range(n)]


def encode(columns, n_rows):
    """The consumer's stdin: columns is a list of (kind, name, cells)."""
    out = bytearray(f"{len(columns)}\n".encode())
    for kind, name, cells in columns:
        out += f"{kind} {name}\n".encode()
        for v in cells:
            if kind == "s":
                if not isinstance(v, str):  # None / NaN: NULL
                    out += b"-1\n"
                else:
                    b = v.encode("utf-8")
                    out += f"{len(b)}\n".encode() + b + b"\n"
            else:
                out += f"{float(v)!r}\n".encode()
    return bytes(out)


def run(path, columns, n_rows, what="value", strings="lengths", ok=True):
    r = subprocess.run([consumer, path, str(n_rows), what, strings], input=encode(columns, n_rows),
                       capture_output=True)
    if not ok:
        assert r.returncode == 2, (r.returncode, r.stderr)
        return r.stderr.decode()
    assert r.returncode == 0, r.stderr.decode()
    lines = r.stdout.decode().splitlines()
    return int(lines[0].split()[1]), np.array([[float(v) for v in line.split()] for line in lines[1:]])


def check(path, pipe, X, columns, n_rows):
    m = mlmap.load(path)
    want_proba = pipe.predict_proba(X)
    for strings in ("lengths", "nul"):
        task, got = run(path, columns, n_rows, "value", strings)
        assert task == 1, task
        assert got.shape == want_proba.shape, (got.shape, want_proba.shape)
        assert np.abs(got - want_proba).max() <= 1e-6, np.abs(got - want_proba).max()
        np.testing.assert_array_equal(got, m.predict_proba(X))  # the same doubles as Python's
    _, raw = run(path, columns, n_rows, "decision")
    want = pipe.decision_function(X).reshape(n_rows, -1)
    assert np.abs(raw - want).max() <= 1e-6 * max(1, np.abs(want).max())
    _, cls = run(path, columns, n_rows, "class")
    np.testing.assert_array_equal(m.classes_[cls[:, 0].astype(int)], pipe.predict(X))


with tempfile.TemporaryDirectory() as tmp:
    # text: a pipeline that starts with a vectorizer reads one column, "x0"
    train, test = docs(300), docs(80) + ["", "   ", "😀😀", "e\u0301"]
    y = rng.integers(0, 3, size=len(train))
    for i, vec in enumerate((TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)),
                             CountVectorizer(ngram_range=(1, 2)))):
        pipe = make_pipeline(vec, LogisticRegression(max_iter=500)).fit(train, y)
        path = os.path.join(tmp, f"text{i}.mlmap")
        mlmap.save(pipe, path)
        assert list(mlmap.load(path).feature_names_in_) == ["x0"]
        check(path, pipe, test, [("s", "x0", test)], len(test))
        # a missing document: sklearn refuses it, so does mlmap, as a code
        err = run(path, [("s", "x0", test[:2] + [None])], 3, ok=False)
        assert "missing_value" in err and "row 2" in err, err
        # the column the model reads is not in the table
        err = run(path, [("s", "text", test)], len(test), ok=False)
        assert "feature_count_mismatch" in err and "x0" in err, err

    # a DataFrame: numbers (as doubles and as floats), categories with missing cells (NaN, as
    # pandas reads an empty CSV field; a NULL string is NaN), text
    def frame(n):
        return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n).astype(np.float32),
                             "city": rng.choice(np.array(["Paris", "Zürich", "東京", np.nan], dtype=object), size=n),
                             "note": docs(n)})
    train, test = frame(400), frame(60)
    y = rng.integers(0, 2, size=len(train))
    ct = ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                            ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                            ("text", TfidfVectorizer(analyzer="char", ngram_range=(2, 3)), "note")])
    pipe = make_pipeline(ct, LogisticRegression(max_iter=1000)).fit(train, y)
    path = os.path.join(tmp, "frame.mlmap")
    mlmap.save(pipe, path)
    columns = [("s", "note", list(test["note"])), ("d", "a", test["a"]), ("f", "b", test["b"]),
               ("s", "city", list(test["city"])), ("d", "unused", np.zeros(len(test)))]
    check(path, pipe, test, columns, len(test))
print("C table consumer OK")
