// The TextCount step (FORMAT.md §7.4) computed by hand on the corrupt-file
// text sample: a linear model over tf-idf of the vocabulary {hello, world,
// "hello world", école}, word 1- and 2-grams, L2 norm; through a Table, on
// both paths (the linear model takes the sparse rows; the tokenizer's
// lowercasing and word characters on non-ASCII text).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>
#include <string_view>

#include "corrupt.hpp"
#include "format/vocabulary.hpp"
#include "model/preprocessing/text_tokens.hpp"
#include "support.hpp"

using namespace mlmap;

TEST_CASE("text_count: tf-idf of word n-grams, L2-normalised, into a linear model") {
  test::TempDir dir;
  REQUIRE(test::save_text_sample(dir.file("t")).ok());
  auto m = Model::open(dir.file("t"));
  REQUIRE(m.ok());
  REQUIRE(m->verify().ok());
  const std::string_view docs[] = {"Hello, WORLD!", "nothing here", "hello hello world x", "ÉCOLE école", ""};
  Table t(5);
  REQUIRE(t.add_strings("text", docs).ok());
  std::vector<double> out(5);
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m->predict(t, out.data(), o).ok());
  // weights {1, -1, 0.5, 0.25}, idf {1.5, 2, 1.25, 1}
  auto l2 = [](std::initializer_list<double> w) {
    double s = 0;
    for (double v : w) s += v * v;
    return std::sqrt(s);
  };
  const double n0 = l2({1.5, 2.0, 1.25});
  CHECK(out[0] == doctest::Approx((1.5 * 1 - 2.0 + 1.25 * 0.5) / n0).epsilon(1e-14));
  CHECK(out[1] == 0);
  const double n2 = l2({3.0, 2.0, 1.25});  // hello twice; "hello hello" not in the vocabulary
  CHECK(out[2] == doctest::Approx((3.0 - 2.0 + 1.25 * 0.5) / n2).epsilon(1e-14));
  CHECK(out[3] == doctest::Approx(0.25).epsilon(1e-14));  // two écoles, normalised to 1
  CHECK(out[4] == 0);

  SUBCASE("a missing document is refused, as sklearn refuses NaN") {
    const bool missing[] = {false, true, false, false, false};
    Table tm(5);
    REQUIRE(tm.add_strings("text", docs, missing).ok());
    auto st = m->predict(tm, out.data(), o);
    CHECK(st.code() == error_code::missing_value);
    CHECK(st.message().find("row 1") != std::string::npos);
  }
}

TEST_CASE("word tokens: Python's \\w and str.lower()") {
  std::vector<std::string> tokens;
  REQUIRE(model::prep::word_tokens("ΟΔΟΣ a İx foo_bar 42 ½x 日本 😀😀 x²", true, tokens));
  // as Python's re.findall(r'(?u)\b\w\w+\b', doc.lower()): final sigma; İ
  // lowercases to i + U+0307 (Mn, not a word character: "i", "x" are too
  // short); '_' and digits are word characters, ½ and ² (No) are numeric,
  // emoji are not word characters
  const std::vector<std::string> want = {"οδος", "foo_bar", "42", "½x", "日本", "x²"};
  CHECK(tokens == want);
  REQUIRE(model::prep::word_tokens("ΟΔΟΣ", false, tokens));
  CHECK(tokens == std::vector<std::string>{"ΟΔΟΣ"});
  CHECK_FALSE(model::prep::word_tokens(std::string_view("ab\xff", 3), true, tokens));
}

TEST_CASE("char n-grams: code points, whitespace runs, padded words") {
  using model::prep::char_ngrams;
  using model::prep::StripAccents;
  model::prep::CharGrams g;
  auto sorted = [&] {
    std::vector<std::string> v(g.grams.begin(), g.grams.end());
    std::sort(v.begin(), v.end());
    return v;
  };
  // As sklearn's _char_ngrams on "Ab\t  é😀".lower(): the whitespace run
  // becomes one space; é and 😀 are one code point each.
  REQUIRE(char_ngrams("Ab\t  é😀", true, StripAccents::none, false, 2, 3, g));
  CHECK(g.text == "ab é😀");
  CHECK(sorted() == std::vector<std::string>{" é", " é😀", "ab", "ab ", "b ", "b é", "é😀"});
  // a single tab stays a tab; n-grams no longer than the document
  REQUIRE(char_ngrams("a\tb", false, StripAccents::none, false, 1, 9, g));
  CHECK(sorted() == std::vector<std::string>{"\t", "\tb", "a", "a\t", "a\tb", "b"});
  // _char_wb_ngrams: " a " is shorter than 4, counted once, whole; e + U+0301
  // are two code points
  REQUIRE(char_ngrams("a  xe\u0301", false, StripAccents::none, true, 3, 4, g));
  CHECK(sorted() == std::vector<std::string>{" a ", " xe", " xe\u0301", "e\u0301 ", "xe\u0301", "xe\u0301 "});
  // accents stripped before the n-grams
  REQUIRE(char_ngrams("xé", false, StripAccents::unicode, true, 4, 4, g));
  CHECK(sorted() == std::vector<std::string>{" xe "});
  REQUIRE(char_ngrams("", true, StripAccents::none, false, 1, 2, g));
  CHECK(g.grams.empty());
  CHECK_FALSE(char_ngrams(std::string_view("ab\xff", 3), true, StripAccents::none, false, 1, 1, g));
  // Python's str.isspace(): U+001C..U+001F, NBSP and U+3000 are, U+200B is not
  CHECK(model::prep::is_space(0x1f));
  CHECK(model::prep::is_space(0xa0));
  CHECK(model::prep::is_space(0x3000));
  CHECK_FALSE(model::prep::is_space(0x200b));
  CHECK_FALSE(model::prep::is_space(0x1b));
}

TEST_CASE("vocabulary table: built, found, refused") {
  auto v = format::build_vocabulary({"b", "a", "c d"});
  REQUIRE(v.ok());
  format::VocabularyView view{v->table.data(), v->table.size(), v->offsets.data(), 3, v->terms.data(),
                              v->terms.size(), v->max_probe};
  CHECK(view.find("a") == 1);
  CHECK(view.find("c d") == 2);
  CHECK(view.find("cd") == -1);
  CHECK(view.verify("t").ok());
  CHECK_FALSE(format::build_vocabulary({"a", "a"}).ok());
  CHECK_FALSE(format::build_vocabulary({}).ok());
}

namespace {

// A linear model behind a TextHash step over 8 features, with `kind` and
// `analyzer` as given to the writer.
Status save_hash_model(const std::string& path, OpKind kind, uint8_t analyzer) {
  ModelDescription d;
  d.estimator = "test.Pipeline";
  d.n_features = 1;
  d.n_outputs = 1;
  d.feature_names = {"text"};
  DenseLayerSpec layer;
  layer.n_in = 8;
  layer.n_out = 1;
  layer.weights = {1, -1, 0.5, 0.25, 2, -2, 0.75, 3};
  DenseNetworkSpec net;
  net.layers = {layer};
  OpSpec hash;
  hash.kind = kind;
  hash.inputs = {0};
  hash.string_inputs = true;
  hash.out_begin = 1;
  hash.n_out = 8;
  hash.text.ngram_min = 1;
  hash.text.ngram_max = 3;
  hash.text.alternate_sign = true;
  hash.text.analyzer = analyzer;
  PreprocessingSpec pre;
  pre.string_inputs = {true};
  pre.n_slots = 9;
  pre.n_string_slots = 1;
  pre.ops = {hash};
  pre.features = {1, 2, 3, 4, 5, 6, 7, 8};
  return save(path, d, net, &pre);
}

}  // namespace

// FORMAT.md §7.4: a reader from before the analyzers ignores
// TextOptions.analyzer, so the character analyzers are kinds of their own
// (it refuses those as unknown instead of counting words).
TEST_CASE("text steps: the writer stores the kind the analyzer needs") {
  test::TempDir dir;
  for (const uint8_t analyzer : {uint8_t{0}, uint8_t{1}, uint8_t{2}}) {
    CAPTURE(int{analyzer});
    REQUIRE(test::save_text_sample(dir.file("count"), analyzer).ok());
    auto count = Model::open(dir.file("count"), {true, false});
    REQUIRE_MESSAGE(count.ok(), count.error().describe());
    REQUIRE(count->info().preprocessing.steps.size() == 1);
    CHECK(count->info().preprocessing.steps[0] == (analyzer ? OpKind::text_count_chars : OpKind::text_count));
    // Either name of a pair: the analyzer decides.
    for (const OpKind given : {OpKind::text_hash, OpKind::text_hash_chars}) {
      REQUIRE(save_hash_model(dir.file("hash"), given, analyzer).ok());
      auto hash = Model::open(dir.file("hash"), {true, false});
      REQUIRE_MESSAGE(hash.ok(), hash.error().describe());
      CHECK(hash->info().preprocessing.steps[0] == (analyzer ? OpKind::text_hash_chars : OpKind::text_hash));
    }
  }
}

TEST_CASE("text steps: a kind that disagrees with its analyzer is refused, naming both") {
  test::TempDir dir;
  const auto kind = test::Corruption::text_kind_analyzer_mismatch;
  REQUIRE(test::save_text_sample(dir.file("t"), test::text_sample_analyzer(kind)).ok());
  const auto bytes = test::read_bytes(dir.file("t"));
  bool kind_flipped = false, analyzer_flipped = false;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    test::write_bytes(dir.file("bad"), test::corrupt(bytes, kind, seed));
    auto m = Model::open(dir.file("bad"));
    REQUIRE_FALSE(m.ok());
    CHECK(m.code() == error_code::invalid_model);
    const std::string& msg = m.message();
    CAPTURE(msg);
    CHECK(msg.find("preprocessing step 0") != std::string::npos);
    // a char_wb step stored as TextCount, or a TextCountChars step whose analyzer says word
    const bool as_word_kind = msg.find("(text_count)") != std::string::npos &&
                              msg.find("analyzer char_wb does not belong") != std::string::npos;
    const bool as_word_analyzer = msg.find("(text_count_chars)") != std::string::npos &&
                                  msg.find("analyzer word does not belong") != std::string::npos;
    CHECK((as_word_kind || as_word_analyzer));
    kind_flipped |= as_word_kind;
    analyzer_flipped |= as_word_analyzer;
  }
  CHECK(kind_flipped);
  CHECK(analyzer_flipped);

  SUBCASE("an analyzer unknown to this reader is unsupported, not a guess") {
    test::write_bytes(dir.file("bad"), test::corrupt(bytes, test::Corruption::text_analyzer_unknown, 3));
    auto m = Model::open(dir.file("bad"));
    REQUIRE_FALSE(m.ok());
    CHECK(m.code() == error_code::unsupported_model);
    CHECK(m.message().find("analyzer") != std::string::npos);
  }
}

namespace {

// A linear model over a numeric column 'x' (when `with_x`) and a TextHash
// step's 2048 outputs of column 'text'.  In order, the features are runs
// (the writer stores Preprocessing.feature_runs: one run past the input
// columns, or two from column 'x' on); reversed, a list of single slots,
// with the weights reversed to match.  `twice`: the hashed features twice
// over (two runs of the same slots: no slot is a feature once).
constexpr uint32_t n_hashed = 2048;

Status save_wide_hash_model(const std::string& path, bool with_x, bool reversed, bool twice = false) {
  ModelDescription d;
  d.estimator = "test.Pipeline";
  d.n_features = 2;
  d.n_outputs = 1;
  d.feature_names = {"x", "text"};
  std::vector<uint32_t> hashed;
  std::vector<double> hashed_weights;
  for (uint32_t o = 0; o < n_hashed; ++o) {
    hashed.push_back(2 + o);
    hashed_weights.push_back(static_cast<double>(o % 7) - 3.0 + 0.125 * (o % 3));
  }
  if (reversed) {
    std::reverse(hashed.begin(), hashed.end());
    std::reverse(hashed_weights.begin(), hashed_weights.end());
  }
  PreprocessingSpec pre;
  DenseLayerSpec layer;
  if (with_x) {
    pre.features.push_back(0);
    layer.weights.push_back(0.5);
  }
  for (int copy = 0; copy < 1 + twice; ++copy) {
    pre.features.insert(pre.features.end(), hashed.begin(), hashed.end());
    for (double w : hashed_weights) layer.weights.push_back(copy ? 0.5 - w : w);
  }
  layer.n_in = static_cast<uint32_t>(pre.features.size());
  layer.n_out = 1;
  DenseNetworkSpec net;
  net.layers = {layer};
  OpSpec hash;
  hash.kind = OpKind::text_hash;
  hash.inputs = {1};
  hash.string_inputs = true;
  hash.out_begin = 2;
  hash.n_out = n_hashed;
  hash.text.ngram_min = 1;
  hash.text.ngram_max = 2;
  hash.text.alternate_sign = true;
  hash.text.normalize = true;
  pre.string_inputs = {false, true};
  pre.n_slots = 2 + n_hashed;
  pre.n_string_slots = 2;
  pre.ops = {hash};
  return save(path, d, net, &pre);
}

}  // namespace

TEST_CASE("feature runs: a wide text step's features stored as runs predict as the same features listed") {
  test::TempDir dir;
  const std::string_view docs[] = {"Hello, WORLD!", "nothing here at all", "", "école école hello", "a b c d e f g"};
  const double x[] = {1.0, -2.0, 0.25, NAN, 3.0};
  Table t(5);
  REQUIRE(t.add_numeric("x", x).ok());
  REQUIRE(t.add_strings("text", docs).ok());
  for (const auto& [with_x, twice] : {std::pair{false, false}, std::pair{true, false}, std::pair{true, true}}) {
    CAPTURE(with_x);
    CAPTURE(twice);
    REQUIRE(save_wide_hash_model(dir.file("runs"), with_x, false, twice).ok());
    REQUIRE(save_wide_hash_model(dir.file("list"), with_x, true, twice).ok());
    // The runs' header is 2048 slot numbers smaller.
    CHECK(test::read_bytes(dir.file("runs")).size() + 4 * 1024 < test::read_bytes(dir.file("list")).size());
    auto runs = Model::open(dir.file("runs"), {true, false});
    auto list = Model::open(dir.file("list"), {true, false});
    REQUIRE_MESSAGE(runs.ok(), runs.error().describe());
    REQUIRE_MESSAGE(list.ok(), list.error().describe());
    CHECK(runs->info().preprocessing.n_predictor_features == n_hashed * (1 + twice) + with_x);
    CHECK(runs->info().accepts_missing_by_column == list->info().accepts_missing_by_column);
    std::vector<double> a(5), b(5);
    PredictOptions o;
    o.output = Output::raw;
    const size_t rows = with_x ? 3 : 5;  // x's NaN in row 3 is refused by the linear model
    Table head(rows);
    REQUIRE(head.add_numeric("x", x).ok());
    REQUIRE(head.add_strings("text", docs).ok());
    REQUIRE(runs->predict(head, a.data(), o).ok());
    REQUIRE(list->predict(head, b.data(), o).ok());
    for (size_t i = 0; i < rows; ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-12));  // sparse sums: another order
    CHECK(a[1] != 0);
    if (with_x) {
      const auto st = runs->predict(t, a.data(), o);
      CHECK(st.code() == error_code::missing_value);
      CHECK(st.message() == list->predict(t, b.data(), o).message());
    }
  }
}
