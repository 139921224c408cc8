#!/usr/bin/python3
"""Text pipelines against scikit-learn (issue 20 item 6): a batch of 10,000
documents through TfidfVectorizer + LogisticRegression / MultinomialNB (and
HashingVectorizer + LogisticRegression, and character n-grams:
TfidfVectorizer(analyzer='char_wb')), ``predict_proba`` from a list of
strings, one thread each, CPU time (process_time).

The corpus: sentences of words drawn (Zipf-like) from a vocabulary of mixed
case, accented, non-Latin, digit and underscore words and emoji, with
punctuation (nearly every document has non-ASCII text: the ICU path); the
ASCII scenario draws only ASCII words (the tokenizer's ASCII path).  mlmap and scikit-learn alternate within each repeat (the same
documents); the ratio of repeat i is sklearn_i / mlmap_i.  The report gives
per scenario the median and the worst (smallest) ratio and the medians'
times, and checks that both give the same probabilities (<= 1e-9).

  PYTHONPATH=build/tools/python /usr/bin/python3 bench/bench_text.py [--repeats 7] [--docs 10000]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

STEMS = ["data", "model", "Straße", "école", "naïve", "café", "日本語", "données", "München", "ΣΟΦΙΑ", "Москва",
         "foo_bar", "x2", "42", "😀", "İstanbul", "mañana", "Zürich", "learn", "predict", "vector", "sparse"]


ASCII_STEMS = [w for w in STEMS if w.isascii()]


def corpus(n, seed, n_words=40_000, ascii=False):
    rng = random.Random(seed)
    stems = ASCII_STEMS if ascii else STEMS
    words = [f"{rng.choice(stems)}{i}" if i % 3 else rng.choice(stems).upper() + str(i) for i in range(n_words)]
    weights = [1.0 / (i + 1) for i in range(n_words)]  # Zipf
    punct = ["", "", "", ",", ".", "!", "?", " -", ";"]
    return [" ".join(w + rng.choice(punct) for w in rng.choices(words, weights, k=rng.randint(5, 60)))
            for _ in range(n)]


def scenarios():
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline
    return [
        ("ASCII: TfidfVectorizer(1,2)+LogisticRegression(3 classes)",
         lambda: make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(max_iter=200))),
        ("TfidfVectorizer(1,2)+LogisticRegression(3 classes)",
         lambda: make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(max_iter=200))),
        ("TfidfVectorizer+MultinomialNB(3 classes)", lambda: make_pipeline(TfidfVectorizer(), MultinomialNB())),
        ("HashingVectorizer(2^20)+LogisticRegression(3 classes)",
         lambda: make_pipeline(HashingVectorizer(), LogisticRegression(max_iter=200))),
        ("TfidfVectorizer(char_wb,2-4)+LogisticRegression(3 classes)",
         lambda: make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)),
                               LogisticRegression(max_iter=200))),
    ]


def cpu(fn, *args):
    t = time.process_time()
    out = fn(*args)
    return time.process_time() - t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--train", type=int, default=5_000)
    args = ap.parse_args()
    import mlmap
    import sklearn
    y = np.random.default_rng(0).integers(0, 3, size=args.train)
    print(f"text benchmark: {args.docs} documents per batch, {args.repeats} repeats, 1 thread, CPU time; "
          f"sklearn {sklearn.__version__}, mlmap {mlmap.__version__}")
    worst_all = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in scenarios():
            ascii = name.startswith("ASCII")
            train, test = corpus(args.train, 0, ascii=ascii), corpus(args.docs, 1, ascii=ascii)
            pipe = make().fit(train, y)
            path = os.path.join(tmp, "m.mlmap")
            mlmap.save(pipe, path)
            m = mlmap.load(path)
            n_features = len(pipe[0].vocabulary_) if hasattr(pipe[0], "vocabulary_") else pipe[0].n_features
            ours, theirs, ratios = [], [], []
            for _ in range(args.repeats):
                a, got = cpu(lambda X: m.predict_proba(X, n_threads=1), test)
                b, want = cpu(pipe.predict_proba, test)
                ours.append(a)
                theirs.append(b)
                ratios.append(b / a)
            diff = float(np.max(np.abs(got - want)))
            if diff > 1e-9:
                print(f"  {name}: probabilities differ by {diff:.3g}")
                return 1
            worst_all.append(min(ratios))
            print(f"  {name:55s} features {n_features:8d}  mlmap {statistics.median(ours) * 1e3:7.1f} ms  "
                  f"sklearn {statistics.median(theirs) * 1e3:7.1f} ms  ratio median {statistics.median(ratios):5.2f} "
                  f"worst {min(ratios):5.2f}  max |diff| {diff:.2g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
