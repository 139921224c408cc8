"""Export of scikit-learn's text vectorizers into the preprocessing program
(see _sklearn_pipeline.py for the program and the handler signature):

* CountVectorizer, TfidfVectorizer -> ``text_count`` over one string column
  (FORMAT.md §7.4): the vocabulary (``vocabulary_``, term i is output i)
  stored by the writer as a hash table, the default word analyzer
  (token_pattern ``(?u)\\b\\w\\w+\\b``, lowercase or not), word n-grams,
  stop-word lists, or the character analyzers 'char' and 'char_wb'
  (n-grams of code points; token_pattern, tokenizer and stop words unused,
  as sklearn ignores them), binary, and for TfidfVectorizer its idf_, sublinear_tf and
  norm ('l2', 'l1', None);
* TfidfTransformer directly after a CountVectorizer -> folded into its
  ``text_count`` step (its idf_, sublinear_tf and norm);
* HashingVectorizer -> ``text_hash``: the same analyzer, each n-gram at
  feature |murmurhash3_32(gram)| mod n_features, signed if alternate_sign;
  binary, norm.

The writer stores a step with a character analyzer as ``text_count_chars`` /
``text_hash_chars`` (chosen from the text options' analyzer): kinds that a
reader from before the analyzers refuses instead of counting words.

Refused by name (UnsupportedModelError naming the class and parameter):
a callable analyzer, a preprocessor function, for the word analyzer a
tokenizer function or another token_pattern, a strip_accents
function ('ascii' and 'unicode' are supported),
input other than 'content', float32 dtype, a TfidfTransformer anywhere else
(after a HashingVectorizer too).
A pipeline that starts with a vectorizer has one input column (a list of
strings, a 1-D array or Series, or that column of a DataFrame).
"""

import numpy as np

from ._sklearn_pipeline import refuse

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
ANALYZERS = ("word", "char", "char_wb")


def _check_params(est, where):
    if est.input != "content":
        refuse(est, where, f"input={est.input!r}: mlmap reads documents as strings ('content')")
    if not isinstance(est.analyzer, str) or est.analyzer not in ANALYZERS:
        refuse(est, where, f"analyzer={est.analyzer!r}: only 'word', 'char' and 'char_wb' are supported (a "
                           "function is code, which a model file does not hold)")
    if est.preprocessor is not None:
        refuse(est, where, "preprocessor: a function is code, which a model file does not hold")
    # sklearn ignores tokenizer and token_pattern for the character analyzers
    if est.analyzer == "word" and est.tokenizer is not None:
        refuse(est, where, "tokenizer: a function is code, which a model file does not hold")
    if est.analyzer == "word" and est.token_pattern != DEFAULT_TOKEN_PATTERN:
        refuse(est, where, f"token_pattern={est.token_pattern!r}: only the default "
                           f"{DEFAULT_TOKEN_PATTERN!r} is supported")
    if est.strip_accents not in (None, "ascii", "unicode"):
        refuse(est, where, f"strip_accents={est.strip_accents!r}: only 'ascii', 'unicode' or None (a function "
                           "is code, which a model file does not hold)")
    lo, hi = est.ngram_range
    if not (1 <= int(lo) <= int(hi) <= 64):
        refuse(est, where, f"ngram_range={est.ngram_range!r}")
    dtype = np.dtype(est.dtype)
    if dtype == np.float32 or dtype == np.float16:
        refuse(est, where, f"dtype={dtype.name}: mlmap computes the weights in float64")


def _stop_words(est):
    """The stop words the analyzer removes: sklearn's character analyzers
    ignore stop_words."""
    if est.analyzer != "word":
        return []
    sw = est.get_stop_words()
    return sorted(sw) if sw else []


def _options(est):
    """The TextOptions both kinds share."""
    return {"lowercase": bool(est.lowercase), "strip_accents": est.strip_accents, "analyzer": est.analyzer,
            "ngram_min": int(est.ngram_range[0]), "ngram_max": int(est.ngram_range[1]),
            "stop_words": _stop_words(est), "binary": bool(est.binary), "sublinear_tf": False}


def _vocabulary(est, where):
    vocab = getattr(est, "vocabulary_", None)
    if vocab is None:
        refuse(est, where, "it is not fitted (no vocabulary_)")
    terms = [None] * len(vocab)
    for term, i in vocab.items():
        i = int(i)
        if not 0 <= i < len(terms) or terms[i] is not None:
            refuse(est, where, "vocabulary_ does not number its terms 0 .. n-1")
        terms[i] = str(term)
    if not terms:
        refuse(est, where, "the vocabulary is empty")
    return terms


def _text_count(prog, est, cols, where, *, tfidf):
    _check_params(est, where)
    if len(cols) != 1:
        refuse(est, where, f"it reads {len(cols)} columns; a vectorizer reads one column of "
                           "documents (give the ColumnTransformer a scalar column name)")
    inputs = prog.strings(cols, where)
    terms = _vocabulary(est, where)
    text = dict(_options(est), vocabulary=terms, idf=np.ones(len(terms)))
    if tfidf:
        _tfidf_fields(est, where, text, len(terms))
    out = prog.emit("text_count", inputs, len(terms), string_inputs=True, text=text)
    prog.last_text = (out, text)
    return out


def _tfidf_fields(est, where, text, n):
    if est.use_idf:
        idf = np.asarray(est.idf_, dtype=np.float64)
        if idf.shape != (n,) or not np.all(np.isfinite(idf)) or np.any(idf <= 0):
            refuse(est, where, f"idf_ is not {n} positive finite values")
        text["idf"] = idf
    text["sublinear_tf"] = bool(est.sublinear_tf)
    if est.norm is not None:
        if est.norm not in ("l1", "l2"):
            refuse(est, where, f"norm={est.norm!r}")
        text["norm"] = est.norm


def _count_vectorizer(prog, est, cols, where):
    return _text_count(prog, est, cols, where, tfidf=False)


def _tfidf_vectorizer(prog, est, cols, where):
    return _text_count(prog, est, cols, where, tfidf=True)


def _tfidf_transformer(prog, est, cols, where):
    """Folded into the CountVectorizer whose outputs it reads, all of them in
    order, before anything weighed them."""
    last = getattr(prog, "last_text", None)
    if last is None or [c.slot for c in cols] != [c.slot for c in last[0]] or \
            any(c.kind != "num" for c in cols) or last[1].get("folded"):
        refuse(est, where, "a TfidfTransformer is supported only directly after a CountVectorizer")
    out, text = last
    if text["sublinear_tf"] or "norm" in text or np.any(text["idf"] != 1):
        refuse(est, where, "a TfidfTransformer is supported only directly after a CountVectorizer")
    _tfidf_fields(est, where, text, len(out))
    text["folded"] = True
    return out


def _hashing_vectorizer(prog, est, cols, where):
    _check_params(est, where)
    if len(cols) != 1:
        refuse(est, where, f"it reads {len(cols)} columns; a vectorizer reads one column of "
                           "documents (give the ColumnTransformer a scalar column name)")
    n = int(est.n_features)
    if not 1 <= n < 2 ** 31:
        refuse(est, where, f"n_features={est.n_features!r}")
    inputs = prog.strings(cols, where)
    text = dict(_options(est), alternate_sign=bool(est.alternate_sign))
    if est.norm is not None:
        if est.norm not in ("l1", "l2"):
            refuse(est, where, f"norm={est.norm!r}")
        text["norm"] = est.norm
    out = prog.emit("text_hash", inputs, n, string_inputs=True, text=text)
    prog.last_text = None  # no TfidfTransformer after it: its idf would need a column
    return out


def transformers():
    from sklearn.feature_extraction import text as t
    return {
        t.HashingVectorizer: _hashing_vectorizer,
        t.CountVectorizer: _count_vectorizer,
        t.TfidfVectorizer: _tfidf_vectorizer,
        t.TfidfTransformer: _tfidf_transformer,
    }


def reads_documents(est):
    """Whether ``est`` takes one column of documents (so a pipeline it
    starts has one input column), supported or not."""
    from sklearn.feature_extraction import text as t
    return type(est) in (t.CountVectorizer, t.TfidfVectorizer, t.HashingVectorizer)
