// SubModel, WeightedMean and Elementwise steps (FORMAT.md §7.3): model files
// nested in a column, combined by hand-computable arithmetic, and the ways a
// nested file can be damaged or wrong -- each refused with its own error at
// open or at verify, never a crash.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <utility>

#include "support.hpp"
#include "writer/dense_writer.hpp"

using namespace mlmap;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// y = x . w + b over two features, as a complete file.
std::vector<uint8_t> linear_file(const test::TempDir& dir, const char* name, std::vector<double> w, double b) {
  ModelDescription d;
  d.estimator = std::string("test.") + name;
  d.n_features = 2;
  d.n_outputs = 1;
  auto net = test::one_layer(2, std::move(w));
  net.layers[0].bias = {b};
  REQUIRE(save(dir.file(name), d, net).ok());
  return read_file(dir.file(name));
}

OpSpec sub_model(std::vector<uint8_t> bytes, uint32_t out_begin, const char* name) {
  auto op = test::op(OpSpec::Kind::sub_model, {0, 1}, out_begin, 1);
  OpColumnSpec c;
  c.role = "file";
  c.bytes = std::move(bytes);
  op.columns = {c};
  op.name = name;
  return op;
}

// Outer: (1 * A(x) + 3 * B(x)) / 4, then exp (when `with_exp`).
Status save_outer(const std::string& path, std::vector<uint8_t> a, std::vector<uint8_t> b, bool with_exp = false,
                  double divisor = 4.0) {
  PreprocessingSpec p;
  auto mean = test::op(OpSpec::Kind::weighted_mean, {2, 3}, 4, 1);
  mean.a = {1.0, 3.0};
  mean.b = {divisor};
  p.ops = {sub_model(std::move(a), 2, "estimator 'a' of the test"), sub_model(std::move(b), 3, "estimator 'b' of the test"),
           mean};
  p.n_slots = 5;
  p.features = {4};
  if (with_exp) {
    auto e = test::op(OpSpec::Kind::elementwise, {4}, 5, 1);
    e.function = ElementFunction::exp;
    p.ops.push_back(e);
    p.n_slots = 6;
    p.features = {5};
  }
  p.n_string_slots = 2;
  return writer::write_dense_model(path, test::pipeline_description(2, 1, {"u", "v"}), test::identity(1), &p, nullptr);
}

}  // namespace

TEST_CASE("sub_model and weighted_mean compute the weighted mean of nested models") {
  test::TempDir dir;
  auto a = linear_file(dir, "a", {2.0, -1.0}, 1.0);  // 2u - v + 1
  auto b = linear_file(dir, "b", {1.0, 1.0}, 0.0);   // u + v
  REQUIRE(save_outer(dir.file("outer"), a, b).ok());
  auto m = Model::open(dir.file("outer"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(m->verify().ok());
  const double X[] = {1, 2, 0.5, -3, 0, 0};
  double out[3];
  REQUIRE(m->predict(X, 3, out).ok());
  CHECK(out[0] == (1.0 * 1.0 + 3.0 * 3.0) / 4.0);
  CHECK(out[1] == (1.0 * 5.0 + 3.0 * -2.5) / 4.0);
  CHECK(out[2] == (1.0 * 1.0 + 3.0 * 0.0) / 4.0);
  // a NaN the nested linear model cannot take names the sub-model
  const double nan_row[] = {1, std::numeric_limits<double>::quiet_NaN()};
  auto st = m->predict(nan_row, 1, out);
  CHECK(st.code() == error_code::missing_value);
  CHECK(st.message().find("estimator 'a' of the test") != std::string::npos);
  CHECK(st.message().find("'v'") != std::string::npos);

  REQUIRE(save_outer(dir.file("exp"), a, b, true).ok());
  auto e = Model::open(dir.file("exp"), {true, false});
  REQUIRE_MESSAGE(e.ok(), e.message());
  REQUIRE(e->predict(X, 1, out).ok());
  CHECK(out[0] == std::exp(2.5));
}

TEST_CASE("damaged or mismatched nested files are refused with their own errors") {
  test::TempDir dir;
  auto a = linear_file(dir, "a", {2.0, -1.0}, 1.0);
  auto b = linear_file(dir, "b", {1.0, 1.0}, 0.0);
  auto opens = [&](const std::string& path) { return Model::open(path, {true, false}).status(); };

  SUBCASE("a header byte of the nested file flipped: its header checksum, naming the sub-model") {
    auto bad = b;
    bad[80] ^= 0x5a;
    REQUIRE(save_outer(dir.file("x"), a, bad).ok());
    auto st = opens(dir.file("x"));
    CHECK(st.code() == error_code::checksum_mismatch);
    CHECK(st.message().find("estimator 'b' of the test") != std::string::npos);
  }
  SUBCASE("the nested file truncated") {
    auto bad = b;
    bad.resize(bad.size() - 8);
    REQUIRE(save_outer(dir.file("x"), a, bad).ok());
    CHECK(opens(dir.file("x")).code() == error_code::truncated);
  }
  SUBCASE("not an mlmap file") {
    std::vector<uint8_t> junk(200, 7);
    REQUIRE(save_outer(dir.file("x"), a, junk).ok());
    CHECK(opens(dir.file("x")).code() == error_code::bad_magic);
  }
  SUBCASE("a column byte of the nested file flipped: verify finds it") {
    auto bad = b;
    bad[bad.size() - 3] ^= 0x10;  // inside the last column (the bias / weights)
    REQUIRE(save_outer(dir.file("x"), a, bad).ok());
    auto m = Model::open(dir.file("x"), {false, false});  // tier a only: column bytes unread
    REQUIRE_MESSAGE(m.ok(), m.message());
    auto st = m->verify();
    CHECK(st.code() == error_code::checksum_mismatch);
    CHECK(st.message().find("estimator 'b' of the test") != std::string::npos);
  }
  SUBCASE("the nested file as a Float64 column") {
    PreprocessingSpec p = test::chain({}, 2, std::vector<uint32_t>{2});
    auto op = sub_model(a, 2, "x");
    op.columns[0].bytes.clear();
    op.columns[0].values = {1.0, 2.0};
    p.ops = {op};
    p.n_slots = 3;
    REQUIRE(writer::write_dense_model(dir.file("x"), test::pipeline_description(2, 1), test::identity(1), &p, nullptr)
                .ok());
    auto st = opens(dir.file("x"));
    CHECK(st.code() == error_code::column_mismatch);
    CHECK(st.message().find("expected UInt8") != std::string::npos);
  }
  SUBCASE("widths that do not match the nested model") {
    PreprocessingSpec p;
    auto op = sub_model(a, 2, "x");
    op.n_out = 2;
    p.ops = {op};
    p.n_slots = 4;
    p.n_string_slots = 2;
    p.features = {2};
    REQUIRE(writer::write_dense_model(dir.file("x"), test::pipeline_description(2, 1), test::identity(1), &p, nullptr)
                .ok());
    auto st = opens(dir.file("x"));
    CHECK(st.code() == error_code::invalid_model);
    CHECK(st.message().find("writes 1 values per row") != std::string::npos);
    op = sub_model(a, 2, "x");
    op.inputs = {0};
    p.ops = {op};
    p.n_slots = 3;
    REQUIRE(writer::write_dense_model(dir.file("y"), test::pipeline_description(2, 1), test::identity(1), &p, nullptr)
                .ok());
    st = opens(dir.file("y"));
    CHECK(st.code() == error_code::invalid_model);
    CHECK(st.message().find("takes 2 features") != std::string::npos);
    // class_one_hot of a regressor
    op = sub_model(a, 2, "x");
    op.sub_model_output = SubModelOutput::class_one_hot;
    p.ops = {op};
    REQUIRE(writer::write_dense_model(dir.file("z"), test::pipeline_description(2, 1), test::identity(1), &p, nullptr)
                .ok());
    CHECK(opens(dir.file("z")).code() == error_code::invalid_model);
  }
  SUBCASE("class_one_hot of a multi-output classifier (several classes per row)") {
    REQUIRE(test::save_sample(dir.file("multi"), test::Sample::multi_output_forest).ok());
    PreprocessingSpec p;
    auto op = sub_model(read_file(dir.file("multi")), 6, "x");
    op.inputs = {0, 1, 2, 3, 4, 5};
    op.n_out = 5;
    op.sub_model_output = SubModelOutput::class_one_hot;
    p.ops = {op};
    p.n_slots = 11;
    p.n_string_slots = 6;
    p.features = {6};
    REQUIRE(writer::write_dense_model(dir.file("x"), test::pipeline_description(6, 1), test::identity(1), &p, nullptr)
                .ok());
    auto st = opens(dir.file("x"));
    CHECK(st.code() == error_code::invalid_model);
    CHECK(st.message().find("multi-output classifier") != std::string::npos);
  }
  SUBCASE("a nested file with a program of its own") {
    REQUIRE(save_outer(dir.file("inner"), a, b).ok());
    REQUIRE(save_outer(dir.file("x"), a, read_file(dir.file("inner"))).ok());
    CHECK(opens(dir.file("x")).code() == error_code::unsupported_model);
  }
  SUBCASE("a weighted_mean divisor of zero") {
    REQUIRE(save_outer(dir.file("x"), a, b, false, 0.0).ok());
    CHECK(opens(dir.file("x")).code() == error_code::invalid_model);
  }
  SUBCASE("random damage inside the nested bytes never crashes open, predict or verify") {
    REQUIRE(save_outer(dir.file("good"), a, b).ok());
    const auto good = read_file(dir.file("good"));
    // the second nested file lies where b's magic is found after the first
    size_t at = 0;
    for (size_t i = 64; i + 8 < good.size(); ++i)
      if (std::equal(b.begin(), b.begin() + 64, good.begin() + static_cast<std::ptrdiff_t>(i))) at = i;
    REQUIRE(at != 0);
    std::mt19937_64 rng(7);
    int opened = 0;
    for (int t = 0; t < 300; ++t) {
      auto bad = good;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) bad[at + rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      test::fix_checksums(bad);  // the outer file consistent: only the nested checks see it
      write_bytes(dir.file("bad"), bad);
      auto m = Model::open(dir.file("bad"), {true, false});
      if (!m.ok()) continue;
      ++opened;
      const double X[] = {1, 2, 0.5, -3};
      double out[2];
      (void)m->predict(X, 2, out);
      (void)m->verify();
    }
    MESSAGE("opened " << opened << " of 300 damaged files");
  }
}

TEST_CASE("weighted_median picks the first value whose cumulative weight reaches half") {
  test::TempDir dir;
  PreprocessingSpec p;
  auto med = test::op(OpSpec::Kind::weighted_median, {0, 1, 2}, 3, 1);
  med.a = {0.2, 0.5, 0.3};
  p.ops = {med};
  p.n_slots = 4;
  p.n_string_slots = 3;
  p.features = {3};
  REQUIRE(save(dir.file("m"), test::pipeline_description(3, 1), test::identity(1), &p).ok());
  auto m = Model::open(dir.file("m"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  // (3, 1, 2): 1 (0.5) reaches 0.5 at once; (1, 2, 3): 0.2, 0.7 -> 2;
  // (2, 2, 1): 1 (0.3), then a 2 -> 2 whichever 2 comes first; (5, 4, 4.5): 4 (0.5) -> 4
  const double X[] = {3, 1, 2, 1, 2, 3, 2, 2, 1, 5, 4, 4.5};
  double out[4];
  REQUIRE(m->predict(X, 4, out).ok());
  CHECK(out[0] == 1);
  CHECK(out[1] == 2);
  CHECK(out[2] == 2);
  CHECK(out[3] == 4);
  const double nan_row[] = {1, std::numeric_limits<double>::quiet_NaN(), 2};
  CHECK(m->predict(nan_row, 1, out).code() == error_code::missing_value);
  // a negative weight is refused at open
  p.ops[0].a = {0.2, -0.5, 0.3};
  REQUIRE(writer::write_dense_model(dir.file("bad"), test::pipeline_description(3, 1), test::identity(1), &p, nullptr)
              .ok());
  CHECK(Model::open(dir.file("bad"), {true, false}).code() == error_code::invalid_model);
}

TEST_CASE("trailing_features: the decision values are the predictor's last features, computed beside its inputs") {
  // Program: slot 2 = (x0 + 3 x1) / 4; the predictor reads [x0, x1, slot 2]
  // and weighs only the first two (raw = [x0, x1]); the decision value is
  // slot 2, through every way of asking for it.
  test::TempDir dir;
  PreprocessingSpec p;
  auto mean = test::op(OpSpec::Kind::weighted_mean, {0, 1}, 2, 1);
  mean.a = {1.0, 3.0};
  mean.b = {4.0};
  p.ops = {mean};
  p.n_slots = 3;
  p.features = {0, 1, 2};
  p.n_string_slots = 2;  // as every program's (string slots mirror the inputs)
  ModelDescription d = test::pipeline_description(2, 2, {"u", "v"});
  d.decision_function = DecisionFunction::trailing_features;
  d.decision_features = 1;
  const auto net = test::one_layer(3, {1, 0, 0, 1, 0, 0});
  REQUIRE(writer::write_dense_model(dir.file("t.mlmap"), d, net, &p, nullptr).ok());
  auto m = Model::open(dir.file("t.mlmap"));
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(m->output_width(Output::decision) == 1);
  const double X[] = {1, 2, -4, 0.5, 8, 8};
  double dec[3], val[6];
  PredictOptions o;
  o.output = Output::decision;
  REQUIRE(m->predict(X, 3, dec, o).ok());
  REQUIRE(m->predict(X, 3, val).ok());
  for (size_t i = 0; i < 3; ++i) {
    CHECK(dec[i] == (X[2 * i] + 3 * X[2 * i + 1]) / 4);
    CHECK(val[2 * i] == X[2 * i]);
    CHECK(val[2 * i + 1] == X[2 * i + 1]);
  }
  // Wider than the predictor's features: refused at open.
  d.decision_features = 4;
  REQUIRE(writer::write_dense_model(dir.file("w.mlmap"), d, net, &p, nullptr).ok());
  auto wide = Model::open(dir.file("w.mlmap"));
  CHECK(wide.code() == error_code::invalid_model);
  CHECK(wide.message().find("decision_features is 4 but the predictor reads 3 features") != std::string::npos);
}

TEST_CASE("outputs_and_class_one_hot and outputs_and_decision: one run writes what two sub_models write") {
  // The SVM sample: probabilities by pairwise coupling, class by one-vs-one
  // votes (not their argmax), one-vs-rest decision values -- three different
  // things, each written alone and then two at a time.
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("svm"), test::Sample::svm_classifier).ok());
  auto svm = Model::open(dir.file("svm"));
  REQUIRE_MESSAGE(svm.ok(), svm.message());
  const auto f = static_cast<uint32_t>(svm->info().n_features);
  const auto k = static_cast<uint32_t>(svm->output_width(Output::value));
  const auto c = static_cast<uint32_t>(svm->info().classes.size());
  const auto d = static_cast<uint32_t>(svm->output_width(Output::decision));
  const auto bytes = read_file(dir.file("svm"));
  std::vector<uint32_t> inputs(f);
  for (uint32_t j = 0; j < f; ++j) inputs[j] = j;
  PreprocessingSpec p;
  uint32_t next = f;
  const std::vector<std::pair<SubModelOutput, uint32_t>> ops = {
      {SubModelOutput::outputs, k}, {SubModelOutput::class_one_hot, c}, {SubModelOutput::decision, d},
      {SubModelOutput::outputs_and_class_one_hot, k + c}, {SubModelOutput::outputs_and_decision, k + d}};
  for (auto [what, width] : ops) {
    auto op = test::op(OpSpec::Kind::sub_model, inputs, next, width);
    OpColumnSpec column;
    column.role = "file";
    column.bytes = bytes;
    op.columns = {column};
    op.sub_model_output = what;
    p.ops.push_back(op);
    next += width;
  }
  p.n_slots = next;
  p.n_string_slots = f;
  for (uint32_t s = f; s < next; ++s) p.features.push_back(s);
  const size_t n_out = next - f;
  REQUIRE(writer::write_dense_model(dir.file("outer"), test::pipeline_description(f, n_out), test::identity(n_out),
                                    &p, nullptr)
              .ok());
  auto m = Model::open(dir.file("outer"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(m->verify().ok());
  std::mt19937 rng(3);
  std::normal_distribution<double> normal(0.0, 2.0);
  const size_t rows = 50;
  std::vector<double> X(rows * f), out(rows * n_out);
  for (auto& x : X) x = normal(rng);
  REQUIRE(m->predict(X.data(), rows, out.data()).ok());
  size_t votes_not_argmax = 0;
  for (size_t i = 0; i < rows; ++i) {
    const double* r = &out[i * n_out];
    const double *proba = r, *one_hot = r + k, *dec = one_hot + c, *both_class = dec + d, *both_dec = both_class + k + c;
    for (uint32_t j = 0; j < k; ++j) {
      CHECK(both_class[j] == proba[j]);
      CHECK(both_dec[j] == proba[j]);
    }
    for (uint32_t j = 0; j < c; ++j) CHECK(both_class[k + j] == one_hot[j]);
    for (uint32_t j = 0; j < d; ++j) CHECK(both_dec[k + j] == dec[j]);
    votes_not_argmax += one_hot[std::max_element(proba, proba + k) - proba] != 1.0;
  }
  CHECK_MESSAGE(votes_not_argmax > 0, "rows whose class is not the first largest probability: the case this is for");
  // a regressor has no class: refused at open
  auto a = linear_file(dir, "a", {2.0, -1.0}, 1.0);
  PreprocessingSpec q;
  auto op = sub_model(a, 2, "x");
  op.sub_model_output = SubModelOutput::outputs_and_class_one_hot;
  op.n_out = 2;
  q.ops = {op};
  q.n_slots = 4;
  q.n_string_slots = 2;
  q.features = {2};
  REQUIRE(writer::write_dense_model(dir.file("r"), test::pipeline_description(2, 1), test::identity(1), &q, nullptr)
              .ok());
  auto r = Model::open(dir.file("r"));
  CHECK(r.code() == error_code::invalid_model);
  CHECK(r.message().find("outputs_and_class_one_hot needs a classifier") != std::string::npos);
}
