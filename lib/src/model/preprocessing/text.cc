// TextCount and TextHash (FORMAT.md §7.4): a string slot -> counts of the vocabulary's
// word or character n-grams in the document, weighted and normalised as scikit-learn's
// CountVectorizer / TfidfVectorizer (TfidfTransformer) do.  The character
// analyzers are the kinds TextCountChars / TextHashChars (the same step), so
// that a reader from before them refuses the file instead of counting words:
//   word     tokens: word_tokens(doc, lowercase) minus the stop words;
//            n-grams: for n in [ngram_min, ngram_max], tokens i..i+n-1 joined by ' ';
//   char(_wb) n-grams: char_ngrams(doc, ...), runs of code points;
//   tf       the count of each n-gram found in the vocabulary (others
//            ignored), or for TextHash the sum over n-grams with
//            murmurhash3_32(gram) h of sign(h) (1 without alternate_sign) at
//            feature |h| mod n_out; 1 if binary; log(tf) + 1 if sublinear_tf;
//   w        tf * idf[term];
//   norm     w / sqrt(sum w^2) (L2) or w / sum |w| (L1) over the row's
//            nonzero terms in index order, when normalize and the sum is
//            nonzero.
// The vocabulary is a hash table column (format/vocabulary.hpp).  When only
// the predictor reads the counts, they are written sparsely (Block::sparse):
// a row costs its tokens, not the vocabulary's size.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "format/vocabulary.hpp"
#include "model/preprocessing/step.hpp"
#include "model/preprocessing/text_tokens.hpp"

namespace mlmap::model::prep {

namespace {

// scikit-learn's murmurhash3_32(key, seed=0), signed: MurmurHash3_x86_32.
int32_t murmurhash3_32(std::string_view key) noexcept {
  auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  const size_t n = key.size();
  const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  uint32_t h = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t k = uint32_t{p[i]} | uint32_t{p[i + 1]} << 8 | uint32_t{p[i + 2]} << 16 | uint32_t{p[i + 3]} << 24;
    k *= c1;
    k = rotl(k, 15);
    k *= c2;
    h ^= k;
    h = rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  uint32_t k = 0;
  switch (n & 3) {
    case 3: k ^= uint32_t{p[i + 2]} << 16; [[fallthrough]];
    case 2: k ^= uint32_t{p[i + 1]} << 8; [[fallthrough]];
    case 1:
      k ^= p[i];
      k *= c1;
      k = rotl(k, 15);
      k *= c2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(n);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

struct TextView {
  format::VocabularyView vocab;
  const double* idf = nullptr;  // [n_terms]; null for TextHash (1)
  bool hashing = false, alternate_sign = false;
  StripAccents strip = StripAccents::none;
  fb::Analyzer analyzer = fb::Analyzer::Word;
  bool lowercase = true, binary = false, sublinear = false, normalize = false;
  fb::Norm norm = fb::Norm::L2;
  uint32_t ngram_min = 1, ngram_max = 1;
  std::unordered_set<std::string_view> stop_words;  // views into the header
};

class TextCountStep final : public Step {
 public:
  TextCountStep(Slots s, TextView v, std::string where) : Step(s), v_(std::move(v)), where_(std::move(where)) {}

  bool write_features_sparsely(FeaturePositions&& positions) override {
    positions_ = std::move(positions);
    return true;
  }

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t n = b.n_rows;
    const bool sparse = positions_.size() != 0 && b.sparse;
    if (!sparse)
      for (uint32_t o = 0; o < slots_.n_out; ++o) {
        double* col = b.column(slots_.out + o);
        std::fill(col, col + n, 0.0);
      }
    const StringCell* docs = b.string_column(slots_.in[0]);
    try {
      std::vector<std::string> tokens;
      std::vector<std::pair<uint32_t, double>> row;
      std::string gram;
      CharGrams chars;
      auto count = [&](std::string_view g) {
        if (v_.hashing) {
          // as sklearn's _hashing_transform (abs(-2^31) defined its way)
          const int64_t h = murmurhash3_32(g), n_features = slots_.n_out;
          const int64_t idx =
              h == INT32_MIN ? (INT32_MAX - (n_features - 1)) % n_features : (h < 0 ? -h : h) % n_features;
          row.emplace_back(static_cast<uint32_t>(idx), v_.alternate_sign && h < 0 ? -1.0 : 1.0);
        } else {
          const int64_t idx = v_.vocab.find(g);
          if (idx >= 0) row.emplace_back(static_cast<uint32_t>(idx), 1.0);
        }
      };
      for (size_t i = 0; i < f->limit(n); ++i) {
        if (!docs[i].present()) {
          f->fail(i, slots_.in[0], true, error_code::missing_value,
                  "is missing: a document must be a string (scikit-learn refuses np.nan as a document)");
          break;
        }
        row.clear();
        if (v_.analyzer != fb::Analyzer::Word) {
          if (!char_ngrams(docs[i].value, v_.lowercase, v_.strip, v_.analyzer == fb::Analyzer::CharWb, v_.ngram_min,
                           v_.ngram_max, chars)) {
            f->fail(i, slots_.in[0], true, error_code::invalid_argument, "is not valid UTF-8");
            break;
          }
          for (std::string_view g : chars.grams) count(g);
        } else {
          if (!word_tokens(docs[i].value, v_.lowercase, tokens, v_.strip)) {
            f->fail(i, slots_.in[0], true, error_code::invalid_argument, "is not valid UTF-8");
            break;
          }
          if (!v_.stop_words.empty())
            tokens.erase(std::remove_if(tokens.begin(), tokens.end(),
                                        [&](const std::string& t) { return v_.stop_words.count(t) != 0; }),
                         tokens.end());
          for (uint32_t len = v_.ngram_min; len <= v_.ngram_max; ++len)
            for (size_t t = 0; t + len <= tokens.size(); ++t) {
              gram = tokens[t];
              for (uint32_t k = 1; k < len; ++k) (gram += ' ') += tokens[t + k];
              count(gram);
            }
        }
        std::sort(row.begin(), row.end());
        size_t m = 0;  // merge repeats into counts
        for (size_t k = 0; k < row.size(); ++k) {
          if (m > 0 && row[m - 1].first == row[k].first)
            row[m - 1].second += row[k].second;  // a sum that cancels stays an entry (scipy's sum_duplicates)
          else
            row[m++] = row[k];
        }
        row.resize(m);
        for (auto& [idx, w] : row) {
          if (v_.binary) w = 1;
          if (v_.sublinear) w = std::log(w) + 1;
          if (v_.idf) w = w * v_.idf[idx];
        }
        if (v_.normalize) {
          double s = 0;
          if (v_.norm == fb::Norm::L1)
            for (const auto& e : row) s += std::fabs(e.second);
          else {
            for (const auto& e : row) s += e.second * e.second;
            s = std::sqrt(s);
          }
          if (s != 0)
            for (auto& e : row) e.second /= s;
        }
        if (sparse) {
          for (const auto& [idx, w] : row)
            if (idx < positions_.size()) b.sparse[i].push_back({positions_[idx], w});
        } else {
          for (const auto& [idx, w] : row)
            if (idx < slots_.n_out) b.column(slots_.out + idx)[i] = w;
        }
      }
    } catch (const std::bad_alloc&) {
      f->fail(0, slots_.in[0], true, error_code::out_of_memory, "could not be tokenised: out of memory");
    }
  }
  // A missing document fails the row (scikit-learn raises).
  void flow_missing(MissingFlow& m) const override { m.strings[slots_.in[0]] = 1; }
  // Finite idf (verify) and counts: NaN only from a corrupt idf.  Its
  // flow_missing reads no numeric marks: the outputs need no flags.
  bool outputs_never_nan() const noexcept override { return true; }
  [[nodiscard]] Status verify() const noexcept override {
    if (v_.hashing) return {};
    auto st = v_.vocab.verify(where_ + " vocabulary");
    for (uint32_t i = 0; st && i < v_.vocab.n_terms; ++i)
      if (!std::isfinite(v_.idf[i]) || !(v_.idf[i] > 0))
        st = Error(error_code::invalid_model, where_ + " idf " + std::to_string(i) + " is not positive and finite");
    return st;
  }

 private:
  TextView v_;
  std::string where_;
  FeaturePositions positions_;  // term i is feature positions_[i] when written sparsely
};

// scikit-learn's name of a known analyzer.
const char* analyzer_name(fb::Analyzer a) noexcept {
  switch (a) {
    case fb::Analyzer::Word: return "word";
    case fb::Analyzer::Char: return "char";
    case fb::Analyzer::CharWb: return "char_wb";
  }
  return "unknown";
}

// The checks all four kinds share: one string input, n_out >= 1, the
// options, an analyzer that the kind allows.
Status check_text_options(const OpCheck& c, Slots& s, TextView& v) {
  if (s.n_in != 1) return c.bad("reads " + std::to_string(s.n_in) + " string slots, expected 1");
  const fb::TextOptions* t = c.op.text();
  if (!t) return c.bad("has no text options");
  s.n_out = c.op.n_out();
  if (s.n_out == 0) return c.bad("n_out is 0");
  if (t->ngram_min() < 1 || t->ngram_max() < t->ngram_min() || t->ngram_max() > 64)
    return c.bad("ngram range [" + std::to_string(t->ngram_min()) + ", " + std::to_string(t->ngram_max()) +
                 "] is not within [1, 64]");
  if (t->normalize() && t->norm() != fb::Norm::L2 && t->norm() != fb::Norm::L1) return c.bad("norm is not L2 or L1");
  v.lowercase = t->lowercase();
  v.binary = t->binary();
  v.sublinear = t->sublinear_tf();
  v.normalize = t->normalize();
  v.norm = t->norm();
  v.ngram_min = t->ngram_min();
  v.ngram_max = t->ngram_max();
  v.alternate_sign = t->alternate_sign();
  if (t->strip_accents() > fb::StripAccents::MAX)
    return Error(error_code::unsupported_model, c.where + ": strip_accents " +
                                                    std::to_string(static_cast<unsigned>(t->strip_accents())) +
                                                    " is unknown to this reader");
  v.strip = static_cast<StripAccents>(t->strip_accents());
  if (t->analyzer() > fb::Analyzer::MAX)
    return Error(error_code::unsupported_model, c.where + ": analyzer " +
                                                    std::to_string(static_cast<unsigned>(t->analyzer())) +
                                                    " is unknown to this reader");
  v.analyzer = t->analyzer();
  const bool chars_kind = c.op.kind() == fb::OpKind::TextCountChars || c.op.kind() == fb::OpKind::TextHashChars;
  if (chars_kind != (v.analyzer != fb::Analyzer::Word))
    return c.bad(std::string("analyzer ") + analyzer_name(v.analyzer) +
                 " does not belong to this kind (word n-grams are text_count / text_hash, character n-grams "
                 "text_count_chars / text_hash_chars)");
  // Stop words are removed from word tokens only (scikit-learn ignores them
  // for the character analyzers).
  if (const auto* sw = t->stop_words())
    for (const auto* w : *sw) v.stop_words.insert(std::string_view(w->c_str(), w->size()));
  return {};
}

Result<std::unique_ptr<Step>> check_text_hash(const OpCheck& c) {
  Slots s = c.slots;
  TextView v;
  try {
    if (auto st = check_text_options(c, s, v); !st) return st.error();
    v.hashing = true;
    return std::unique_ptr<Step>(new TextCountStep(s, std::move(v), c.where));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening " + c.where);
  }
}

Result<std::unique_ptr<Step>> check_text_count(const OpCheck& c) {
  Slots s = c.slots;
  TextView v;
  if (auto st = check_text_options(c, s, v); !st) return st.error();
  const fb::TextOptions* t = c.op.text();
  // The table's and the blob's lengths come from their columns (whose
  // bounds the file check has seen); the offsets and idf have one entry per
  // term (+1).
  const auto* cols = c.file.header().columns();
  auto length_of = [&](size_t k, uint64_t elem) -> uint64_t {
    const int32_t idx = c.op.columns()->Get(static_cast<uint32_t>(k));
    if (idx < 0 || static_cast<uint32_t>(idx) >= cols->size()) return 0;
    return cols->Get(static_cast<uint32_t>(idx))->length() / elem;
  };
  const uint64_t table_size = length_of(0, sizeof(uint32_t));
  if (table_size < 2 * uint64_t{s.n_out} || (table_size & (table_size - 1)) != 0)
    return c.bad("the vocabulary table has " + std::to_string(table_size) + " entries: expected a power of two >= " +
                 std::to_string(2 * uint64_t{s.n_out}));
  if (t->max_probe() >= table_size) return c.bad("max_probe is not below the table size");
  auto table = c.column<uint32_t>(0, table_size, "table");
  if (!table) return table.error();
  auto offsets = c.column<uint64_t>(1, uint64_t{s.n_out} + 1, "offsets");
  if (!offsets) return offsets.error();
  const uint64_t n_bytes = length_of(2, 1);
  auto terms = c.column<uint8_t>(2, n_bytes, "terms");
  if (!terms) return terms.error();
  auto idf = c.column<double>(3, s.n_out, "idf");
  if (!idf) return idf.error();
  v.vocab.table = *table;
  v.vocab.table_size = table_size;
  v.vocab.offsets = *offsets;
  v.vocab.n_terms = s.n_out;
  v.vocab.terms = *terms;
  v.vocab.n_bytes = n_bytes;
  v.vocab.max_probe = t->max_probe();
  v.idf = *idf;
  try {
    return std::unique_ptr<Step>(new TextCountStep(s, std::move(v), c.where));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening " + c.where);
  }
}

}  // namespace

extern const OpKind text_count_kind{::mlmap::OpKind::text_count, /*reads_strings=*/always, /*writes_strings=*/false,
                                    /*one_to_one=*/false, /*n_columns=*/4, check_text_count};
extern const OpKind text_hash_kind{::mlmap::OpKind::text_hash, /*reads_strings=*/always, /*writes_strings=*/false,
                                   /*one_to_one=*/false, /*n_columns=*/0, check_text_hash};
extern const OpKind text_count_chars_kind{::mlmap::OpKind::text_count_chars, /*reads_strings=*/always,
                                          /*writes_strings=*/false, /*one_to_one=*/false, /*n_columns=*/4,
                                          check_text_count};
extern const OpKind text_hash_chars_kind{::mlmap::OpKind::text_hash_chars, /*reads_strings=*/always,
                                         /*writes_strings=*/false, /*one_to_one=*/false, /*n_columns=*/0,
                                         check_text_hash};

}  // namespace mlmap::model::prep
