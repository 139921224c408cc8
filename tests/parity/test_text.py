#!/usr/bin/python3
"""Parity of mlmap with scikit-learn on text: CountVectorizer,
TfidfVectorizer and CountVectorizer + TfidfTransformer (tools/python/mlmap/
_sklearn_text.py; FORMAT.md §7.4) in front of linear models and naive Bayes,
fed a list of strings (a pipeline that starts with a vectorizer) or a
DataFrame column (a ColumnTransformer with a scalar column name, beside
scaled numeric columns).

The corpus mixes case, punctuation, digits, underscores, accented and
non-Latin words (Greek with final sigma, Turkish dotted I, CJK, Arabic-Indic
digits, Roman numerals, combining marks) and emoji; a second corpus draws
random assigned code points from the whole of Unicode, so the tokenizer
(Python's \\w, str.lower()) is checked beyond the words chosen by hand.

mlmap must give the same labels (0 mismatches) and the same predict_proba,
decision_function and regression values within 1e-6 (absolute, or relative
to |value| when that is larger).  HashingVectorizer (murmurhash3_32, alternate_sign) too.
strip_accents 'unicode' and 'ascii' (NFKD via ICU) too.  The character
analyzers 'char' and 'char_wb' (n-grams of code points: combining marks,
emoji sequences, whitespace runs of every kind Python's str.isspace() knows)
too.  What mlmap does not support (strip_accents functions, custom
analyzers, preprocessors, tokenizers and token patterns, float32 dtype)
raises UnsupportedModelError naming the class and the parameter.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/parity/test_text.py
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import random
import sys
import unicodedata

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import (CountVectorizer, HashingVectorizer, TfidfTransformer,
                                             TfidfVectorizer)
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.naive_bayes import BernoulliNB, ComplementNB, MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import mlmap
from api_parity import ApiParity, print_summary, quietly
from parity_support import run


WORDS = ["Hello", "world", "Straße", "STRASSE", "ÉCOLE", "école", "naïve", "café", "日本語", "données", "x", "a1",
         "foo_bar", "_", "__init__", "ΣΟΦΙΑΣ", "ΟΔΟΣ", "σοφός", "İstanbul", "ISTANBUL", "ǅemal", "١٢٣", "Ⅻ", "½x",
         "😀", "😀😀", "e\u0301te", "the", "and", "of", "42", "3.14", "Zürich", "straße", "Ωmega", "ﬁne", "ǈ",
         "Ａｂｃ", "к", "Москва", "МОСКВА", "שָׁלוֹם", "क्या", "x²", "mañana", "ÀÉÎÕÜ", "can't", "e-mail", "U.S.A."]
PUNCT = ["", "", " ", ",", ".", "!", "?", "-", "'", "\"", "(", ")", "\t", "\n", "…", "—"]


def corpus(seed, n):
    rng = random.Random(seed)

    def doc():
        return "".join(rng.choice(WORDS) + rng.choice(PUNCT) + " " for _ in range(rng.randint(0, 14)))
    return [doc() for _ in range(n)]


def unicode_corpus(seed, n):
    """Documents of random code points assigned in this Python's Unicode
    database (ICU may know newer ones), with spaces between runs."""
    rng = random.Random(seed)
    pool = [c for c in map(chr, range(0x20, 0x30000))
            if unicodedata.category(c) not in ("Cn", "Cs", "Co")]
    return ["".join(rng.choice(pool) if rng.random() > 0.15 else " " for _ in range(rng.randint(0, 40)))
            for _ in range(n)]


def labels(docs, seed, k=2):
    rng = np.random.default_rng(seed)
    return rng.integers(0, k, size=len(docs))


class Base(ApiParity):
    prefix = "mlmap-text-"

    def fit(self, pipe, X, y):
        return quietly(pipe.fit, X, y)


VECTORIZERS = [
    ("CountVectorizer", lambda: CountVectorizer()),
    ("CountVectorizer", lambda: CountVectorizer(binary=True, lowercase=False, ngram_range=(1, 2))),
    ("CountVectorizer", lambda: CountVectorizer(ngram_range=(2, 3), stop_words="english", min_df=2)),
    ("CountVectorizer", lambda: CountVectorizer(stop_words=["the", "and", "hello"], max_df=0.5,
                                                max_features=25, dtype=np.float64)),
    ("TfidfVectorizer", lambda: TfidfVectorizer()),
    ("TfidfVectorizer", lambda: TfidfVectorizer(ngram_range=(1, 3), stop_words="english", sublinear_tf=True,
                                                norm="l1")),
    ("TfidfVectorizer", lambda: TfidfVectorizer(min_df=2, max_features=30, smooth_idf=False, norm=None)),
    ("TfidfVectorizer", lambda: TfidfVectorizer(use_idf=False, binary=True, lowercase=False)),
    ("CountVectorizer", lambda: CountVectorizer(strip_accents="unicode")),
    ("TfidfVectorizer", lambda: TfidfVectorizer(strip_accents="ascii", ngram_range=(1, 2), lowercase=False)),
    ("CountVectorizer", lambda: CountVectorizer(analyzer="char", ngram_range=(1, 3), stop_words="english")),
    ("TfidfVectorizer", lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
    ("TfidfVectorizer", lambda: TfidfVectorizer(analyzer="char", ngram_range=(3, 3), lowercase=False,
                                                strip_accents="unicode", max_features=300, token_pattern=None)),
    ("CountVectorizer", lambda: CountVectorizer(analyzer="char_wb", ngram_range=(1, 4), strip_accents="ascii",
                                                binary=True, min_df=2)),
]

# Every code point Python's str.isspace() calls whitespace (the \s of
# sklearn's _white_spaces and str.split()'s separators), and neighbours it
# does not (zero-width space, word joiner, BOM, Mongolian vowel separator).
SPACES = [c for c in map(chr, range(0x3100)) if c.isspace()] + ["\u200b", "\u2060", "\ufeff", "\u180e", "\x1b"]


class Vectorizers(Base):
    def test_in_front_of_linear_models_and_naive_bayes(self):
        train, test = corpus(0, 500), corpus(1, 300) + ["", "   ", "ΣΑΣ σας Σ", "İİ ii", "x y z", "😀"]
        y, y3 = labels(train, 0), labels(train, 1, 3)
        yr = np.random.default_rng(2).normal(size=len(train))
        models = [("LogisticRegression", lambda: LogisticRegression(max_iter=500), y3),
                  ("MultinomialNB", lambda: MultinomialNB(alpha=0.5), y3),
                  ("ComplementNB", lambda: ComplementNB(), y),
                  ("BernoulliNB", lambda: BernoulliNB(), y3),
                  ("SGDClassifier", lambda: SGDClassifier(random_state=0), y),
                  ("Ridge", lambda: Ridge(), yr)]
        for vname, make_vec in VECTORIZERS:
            for mname, make_model, target in models:
                with self.subTest(vectorizer=vname, params=make_vec().get_params(), model=mname):
                    pipe = quietly(make_pipeline(make_vec(), make_model()).fit, train, target)
                    self.check(pipe, test, f"{vname} + {mname}")
                    # every input form sklearn takes: list, 1-D array, Series
                    m = self.roundtrip(pipe)
                    exp = m.predict(test)
                    for form in (np.array(test, dtype=object), pd.Series(test)):
                        np.testing.assert_array_equal(m.predict(form), exp)

    def test_tfidf_transformer_after_count_vectorizer(self):
        train, test = corpus(3, 400), corpus(4, 200)
        y = labels(train, 3, 3)
        for tf in (TfidfTransformer(), TfidfTransformer(norm="l1", sublinear_tf=True, smooth_idf=False),
                   TfidfTransformer(use_idf=False, norm=None)):
            with self.subTest(params=tf.get_params()):
                pipe = quietly(make_pipeline(CountVectorizer(ngram_range=(1, 2)), tf,
                                             LogisticRegression(max_iter=500)).fit, train, y)
                self.check(pipe, test, "CountVectorizer + TfidfTransformer + LogisticRegression")

    def test_tokenizer_agrees_on_all_of_unicode(self):
        """Every token of the test documents is in the vocabulary (fitted on
        them), each with its own random weight: a token split, joined or
        lowercased differently changes the prediction."""
        docs = unicode_corpus(5, 400) + corpus(6, 200)
        for lowercase, strip in ((True, None), (False, None), (True, "unicode"), (False, "ascii")):
            with self.subTest(lowercase=lowercase, strip_accents=strip):
                vec = CountVectorizer(lowercase=lowercase, strip_accents=strip)
                pipe = make_pipeline(vec, Ridge()).fit(docs, np.zeros(len(docs)))
                n_terms = len(vec.vocabulary_)
                self.assertGreater(n_terms, 30)  # ascii stripping keeps few of random Unicode
                pipe[-1].coef_ = np.random.default_rng(7).normal(size=n_terms)
                pipe[-1].intercept_ = 0.0
                self.check(pipe, docs, "CountVectorizer tokens (random Unicode) + Ridge")

    def test_dense_predictors_get_densified_rows(self):
        """Linear models and BernoulliNB take the counts sparsely; an MLP,
        and a tree get them as dense
        rows."""
        train, test = corpus(13, 300), corpus(14, 200)
        y = labels(train, 13, 3)
        for model in (MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, random_state=0),
                      DecisionTreeClassifier(random_state=0),
                      BernoulliNB(binarize=0.2)):
            with self.subTest(model=str(model)):
                pipe = quietly(make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), model).fit, train, y)
                self.check(pipe, test, f"TfidfVectorizer + {type(model).__name__}")

    def test_missing_document_refused(self):
        train = corpus(8, 100)
        pipe = make_pipeline(CountVectorizer(), MultinomialNB()).fit(train, labels(train, 8))
        m = self.roundtrip(pipe)
        with self.assertRaises(mlmap.MissingValueError):
            m.predict(["a document", np.nan])


class CharAnalyzers(Base):
    def test_char_ngrams_agree_on_all_of_unicode(self):
        """Every character n-gram of the documents is in the vocabulary
        (fitted on them), each with its own random weight: an n-gram cut at
        a byte instead of a code point, a whitespace run normalised
        differently or a word padded differently changes the prediction."""
        rng = random.Random(17)
        spaced = ["".join(rng.choice(WORDS) + "".join(rng.choice(SPACES) for _ in range(rng.randint(0, 3)))
                          for _ in range(rng.randint(0, 8))) for _ in range(300)]
        docs = unicode_corpus(18, 300) + spaced + ["", " ", "\t", "a", "ab", "\u00a0\u00a0x", "😀\u200d😀",
                                                   "👩\u200d💻 e\u0301"]
        cases = (("char", (1, 1), True, None), ("char", (2, 4), False, None), ("char_wb", (1, 3), True, None),
                 ("char_wb", (3, 6), False, None), ("char", (1, 2), True, "unicode"),
                 ("char_wb", (2, 3), True, "ascii"))
        for analyzer, ngrams, lowercase, strip in cases:
            with self.subTest(analyzer=analyzer, ngram_range=ngrams, lowercase=lowercase, strip_accents=strip):
                vec = CountVectorizer(analyzer=analyzer, ngram_range=ngrams, lowercase=lowercase, strip_accents=strip)
                pipe = make_pipeline(vec, Ridge()).fit(docs, np.zeros(len(docs)))
                n_terms = len(vec.vocabulary_)
                self.assertGreater(n_terms, 30)
                pipe[-1].coef_ = np.random.default_rng(19).normal(size=n_terms)
                pipe[-1].intercept_ = 0.0
                self.check(pipe, docs, f"CountVectorizer(analyzer={analyzer!r}) n-grams (random Unicode) + Ridge")

    def test_whitespace_per_code_point(self):
        """One document per code point below U+3100 between letters, alone and
        doubled: each is whitespace to mlmap exactly when it is to Python."""
        docs = [f"a{c}b a{c}{c}b" for c in map(chr, range(0x3100)) if not 0xd800 <= ord(c) < 0xe000]
        for analyzer in ("char", "char_wb"):
            with self.subTest(analyzer=analyzer):
                vec = CountVectorizer(analyzer=analyzer, ngram_range=(2, 3), lowercase=False)
                pipe = make_pipeline(vec, Ridge()).fit(docs, np.zeros(len(docs)))
                pipe[-1].coef_ = np.random.default_rng(20).normal(size=len(vec.vocabulary_))
                pipe[-1].intercept_ = 0.0
                self.check(pipe, docs, f"CountVectorizer(analyzer={analyzer!r}) whitespace + Ridge")

    def test_hashing_and_in_column_transformer(self):
        train, test = corpus(21, 300), corpus(22, 150) + ["", "😀", "e\u0301 \u00a0\u00a0 x"]
        y3 = labels(train, 21, 3)
        for params in (dict(analyzer="char", n_features=64, ngram_range=(1, 3)),
                       dict(analyzer="char_wb", n_features=2 ** 12, ngram_range=(2, 4), strip_accents="unicode",
                            norm="l1", alternate_sign=False)):
            with self.subTest(params=params):
                pipe = quietly(make_pipeline(HashingVectorizer(**params), LogisticRegression(max_iter=500)).fit,
                               train, y3)
                self.check(pipe, test, "HashingVectorizer(char) + LogisticRegression")
        frame = pd.DataFrame({"text": train, "a": np.random.default_rng(23).normal(size=len(train))})
        ct = ColumnTransformer([("t", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)), "text"),
                                ("n", StandardScaler(), ["a"])])
        pipe = quietly(make_pipeline(ct, LogisticRegression(max_iter=500)).fit, frame, y3)
        self.check(pipe, frame, "ColumnTransformer(TfidfVectorizer(char_wb), StandardScaler) + LogisticRegression")


    def test_char_analyzers_are_kinds_older_readers_refuse(self):
        """FORMAT.md §7.4: a reader from before the analyzers ignores
        TextOptions.analyzer, so char / char_wb steps are stored as the kinds
        text_count_chars / text_hash_chars (which it refuses), word steps as
        text_count / text_hash."""
        train = corpus(24, 60)
        y = labels(train, 24, 2)
        for analyzer in ("word", "char", "char_wb"):
            for make, kind in ((lambda: CountVectorizer(analyzer=analyzer), "text_count"),
                               (lambda: TfidfVectorizer(analyzer=analyzer), "text_count"),
                               (lambda: HashingVectorizer(analyzer=analyzer, n_features=64), "text_hash")):
                vec = make()
                with self.subTest(vectorizer=type(vec).__name__, analyzer=analyzer):
                    pipe = self.fit(make_pipeline(vec, LogisticRegression(max_iter=200)), train, y)
                    m = self.check(pipe, train, f"{type(vec).__name__}(analyzer) stored kind")
                    want = kind if vec.analyzer == "word" else kind + "_chars"
                    self.assertEqual(m.info()["preprocessing"]["steps"], [want])


class Hashing(Base):
    def test_hashing_vectorizer(self):
        """Few features (collisions, cancelling signs), every option."""
        train, test = corpus(15, 400), corpus(16, 200) + ["", "ΣΑΣ σας", "😀"]
        y3 = labels(train, 15, 3)
        yr = np.random.default_rng(16).normal(size=len(train))
        for params in (dict(), dict(n_features=16), dict(n_features=16, binary=True, strip_accents="unicode"),
                       dict(n_features=64, norm="l1", ngram_range=(1, 2)), dict(n_features=2 ** 18, norm=None),
                       dict(n_features=32, alternate_sign=False, stop_words="english", lowercase=False),
                       dict(n_features=7, binary=True, norm=None)):
            models = [("LogisticRegression", LogisticRegression(max_iter=500), y3), ("Ridge", Ridge(), yr),
                      ("BernoulliNB", BernoulliNB(), y3)]
            if params.get("alternate_sign") is False:
                models.append(("MultinomialNB", MultinomialNB(), y3))
            for mname, model, target in models:
                with self.subTest(params=params, model=mname):
                    pipe = quietly(make_pipeline(HashingVectorizer(**params), model).fit, train, target)
                    self.check(pipe, test, f"HashingVectorizer + {mname}")
        frame = pd.DataFrame({"text": train, "a": yr})
        ct = ColumnTransformer([("t", HashingVectorizer(n_features=128), "text"), ("n", StandardScaler(), ["a"])])
        pipe = quietly(make_pipeline(ct, LogisticRegression(max_iter=500)).fit, frame, y3)
        self.check(pipe, frame, "ColumnTransformer(HashingVectorizer, StandardScaler) + LogisticRegression")


class InColumnTransformer(Base):
    def test_text_column_beside_scaled_numbers(self):
        rng = np.random.default_rng(9)
        def frame(seed, n):
            return pd.DataFrame({"a": rng.normal(size=n), "text": corpus(seed, n), "b": rng.normal(size=n) * 3})
        train, test = frame(10, 400), frame(11, 200)
        y = labels(train, 10, 3)
        for vec in (CountVectorizer(), TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                    make_pipeline(CountVectorizer(), TfidfTransformer())):
            for model in (LogisticRegression(max_iter=1000), ):
                with self.subTest(vectorizer=str(vec)):
                    ct = ColumnTransformer([("num", StandardScaler(), ["a", "b"]), ("text", vec, "text")])
                    pipe = quietly(make_pipeline(ct, model).fit, train, y)
                    self.check(pipe, test, "ColumnTransformer(StandardScaler, text) + LogisticRegression")
                    ct = ColumnTransformer([("text", vec, "text")], remainder=StandardScaler())
                    pipe = quietly(make_pipeline(ct, model).fit, train, y)
                    self.check(pipe, test, "ColumnTransformer(text, remainder) + LogisticRegression")
        ct = ColumnTransformer([("text", TfidfVectorizer(), "text")])
        pipe = quietly(make_pipeline(ct, MultinomialNB()).fit, train, y)
        self.check(pipe, test, "ColumnTransformer(text) + MultinomialNB")


class Refused(Base):
    def test_refused_by_name(self):
        train = corpus(12, 100)
        y = labels(train, 12)
        cases = [
            (CountVectorizer(strip_accents=str.lower), "strip_accents"),
            (CountVectorizer(analyzer=str.split), "analyzer"),
            (CountVectorizer(analyzer="char", preprocessor=str.upper), "preprocessor"),
            (HashingVectorizer(analyzer="char_wb", strip_accents=str.lower, alternate_sign=False),
             "strip_accents"),
            (CountVectorizer(preprocessor=str.upper), "preprocessor"),
            (CountVectorizer(tokenizer=str.split), "tokenizer"),
            (CountVectorizer(token_pattern=r"\b\w+\b"), "token_pattern"),
            (TfidfVectorizer(dtype=np.float32), "dtype"),
            (HashingVectorizer(strip_accents=str.upper, alternate_sign=False), "strip_accents"),
        ]
        for vec, needle in cases:
            name = type(vec).__name__
            with self.subTest(vectorizer=name, needle=needle):
                pipe = quietly(make_pipeline(vec, MultinomialNB()).fit, train, y)
                self.refused(pipe, f"sklearn.feature_extraction.text.{name}", needle)
        # a TfidfTransformer after a HashingVectorizer, or not after a CountVectorizer
        pipe = quietly(make_pipeline(HashingVectorizer(), TfidfTransformer(), LogisticRegression()).fit, train, y)
        self.refused(pipe, "TfidfTransformer")
        X = np.abs(np.random.default_rng(0).normal(size=(100, 5)))
        pipe = make_pipeline(TfidfTransformer(), MultinomialNB()).fit(X, y)
        self.refused(pipe, "TfidfTransformer")


if __name__ == "__main__":
    run(f"sklearn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}", print_summary)
