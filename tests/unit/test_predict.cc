#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <tuple>

#include "reference.hpp"
#include "support.hpp"

using namespace mlmap;

namespace {

const double qnan = std::numeric_limits<double>::quiet_NaN();

// A stump on feature 1 at 0.5 with leaves 10 (left) and 20 (right).
test::NodeList stump(bool missing_left) {
  test::NodeList t;
  t.left = {1, -1, -1};
  t.right = {2, -1, -1};
  t.feature = {1, -2, -2};
  t.threshold = {0.5, -2, -2};
  t.values = {0, 10, 20};
  if (missing_left) t.missing_left = {1, 0, 0};
  return t;
}

ModelDescription regression(size_t n_features, size_t n_outputs = 1) {
  ModelDescription d;
  d.estimator = "test.Stump";
  d.n_features = n_features;
  d.n_outputs = n_outputs;
  return d;
}

Model save_and_open(const test::TempDir& dir, const ModelDescription& d, const TreeEnsembleBuilder& b) {
  auto st = save(dir.file("m.mlmap"), d, b);
  REQUIRE_MESSAGE(st.ok(), st.message());
  auto m = Model::open(dir.file("m.mlmap"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  return *m;
}

}  // namespace

TEST_CASE("a stump sends x <= threshold left, NaN is refused without missing routing") {
  test::TempDir dir;
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum);
  REQUIRE(b.add_tree(stump(false).view()).ok());
  Model m = save_and_open(dir, regression(2), b);
  // Inputs are compared as float32, as sklearn does: 0.5 + 1e-16 is 0.5.
  const double X[] = {9, 0.5, 9, std::nextafter(0.5f, 1.0f), 9, -1e30, 9, INFINITY, 9, std::nextafter(0.5, 1.0)};
  double out[5];
  REQUIRE(m.predict(X, 5, out).ok());
  CHECK(out[0] == 10);
  CHECK(out[1] == 20);  // the next float32 above the threshold
  CHECK(out[4] == 10);
  CHECK(out[2] == 10);
  CHECK(out[3] == 20);
  const double Xn[] = {0, 0, qnan, qnan};
  auto st = m.predict(Xn, 2, out);
  CHECK(st.code() == error_code::missing_value);
  CHECK(st.message().find("row 1, feature 0") != std::string::npos);
}

TEST_CASE("the first NaN of a large input is named, whatever its sign; infinities are not NaN") {
  test::TempDir dir;
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum);
  REQUIRE(b.add_tree(stump(false).view()).ok());
  Model m = save_and_open(dir, regression(2), b);
  // 6,000 rows: the NaN scan works in chunks of 4,096 values.
  const size_t n = 6000;
  std::vector<double> X(2 * n, 1.0);
  X[10] = INFINITY;
  X[11] = -INFINITY;
  X[12] = std::numeric_limits<double>::max();
  X[13] = -std::numeric_limits<double>::denorm_min();
  std::vector<double> out(n);
  REQUIRE(m.predict(X.data(), n, out.data()).ok());
  std::vector<float> Xf(X.begin(), X.end());
  std::vector<float> outf(n);
  REQUIRE(m.predict(Xf.data(), n, outf.data()).ok());
  for (size_t row : {size_t{2047}, size_t{2048}, size_t{5999}}) {
    CAPTURE(row);
    auto Xn = X;
    Xn[2 * row + 1] = -qnan;  // sign bit set
    Xn[2 * 5999] = qnan;      // a later one is not the first
    auto st = m.predict(Xn.data(), n, out.data());
    CHECK(st.code() == error_code::missing_value);
    const std::string first = row == 5999 ? "row 5999, feature 0" : "row " + std::to_string(row) + ", feature 1";
    CHECK(st.message().find(first) != std::string::npos);
    std::vector<float> Xnf(Xn.begin(), Xn.end());
    st = m.predict(Xnf.data(), n, outf.data());
    CHECK(st.code() == error_code::missing_value);
    CHECK(st.message().find(first) != std::string::npos);
    // On several threads the rows go out in chunks, the failing ones in any
    // order: still the first is named.
    for (int threads : {2, 3, 8}) {
      CAPTURE(threads);
      PredictOptions o;
      o.n_threads = threads;
      st = m.predict(Xnf.data(), n, outf.data(), o);
      CHECK(st.code() == error_code::missing_value);
      CHECK(st.message().find(first) != std::string::npos);
    }
  }
}

TEST_CASE("missing values follow the learned direction") {
  test::TempDir dir;
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum);
  REQUIRE(b.add_tree(stump(true).view()).ok());
  auto t = stump(true);
  t.missing_left = {0, 0, 0};
  REQUIRE(b.add_tree(t.view()).ok());
  Model m = save_and_open(dir, regression(2), b);
  CHECK(m.info().accepts_missing);
  const float X[] = {0, NAN, 0, 0.25f, 0, 3};
  float out[3];
  REQUIRE(m.predict(X, 3, out).ok());
  CHECK(out[0] == 30);  // 10 (left) + 20 (right)
  CHECK(out[1] == 20);
  CHECK(out[2] == 40);
}

TEST_CASE("XGBoost's x < t rule") {
  test::TempDir dir;
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum, SplitRule::less);
  REQUIRE(b.add_tree(stump(false).view()).ok());
  Model m = save_and_open(dir, regression(2), b);
  const float X[] = {0, 0.5f, 0, std::nextafter(0.5f, 0.0f)};
  float out[2];
  REQUIRE(m.predict(X, 2, out).ok());
  CHECK(out[0] == 20);
  CHECK(out[1] == 10);
}

TEST_CASE("categorical splits: in the set left, others right, out of range as missing") {
  test::TempDir dir;
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum);
  const uint32_t set[2] = {(1u << 1) | (1u << 3), 1u << 1};  // {1, 3, 33}
  const uint32_t s = b.add_category_set(set, 2);
  auto t = stump(true);
  t.categorical = {1, 0, 0};
  t.category_set = {s, 0, 0};
  REQUIRE(b.add_tree(t.view()).ok());
  Model m = save_and_open(dir, regression(2), b);
  CHECK(m.info().trees.has_categorical);
  // Missing goes left in this stump: NaN, negatives and categories >= 64
  // (two words of bits) go left too.
  const float cats[] = {0, 1, 2, 3, 33, 34, 63, 64, 1e9f, -1, NAN, 1.5f, INFINITY};
  const double expect[] = {20, 10, 20, 10, 10, 20, 20, 10, 10, 10, 10, 10, 10};
  for (size_t i = 0; i < sizeof cats / sizeof cats[0]; ++i) {
    const float x[2] = {0, cats[i]};
    float out;
    REQUIRE(m.predict(x, 1, &out).ok());
    CHECK_MESSAGE(out == expect[i], "category " << cats[i]);
  }
}

TEST_CASE("float64 thresholds compare float64 inputs exactly") {
  test::TempDir dir;
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum, SplitRule::less_equal, ThresholdType::float64);
  REQUIRE(b.add_tree(stump(false).view()).ok());
  Model m = save_and_open(dir, regression(2), b);
  CHECK(m.info().trees.threshold_bits == 64);
  const double X[] = {9, 0.5, 9, std::nextafter(0.5, 1.0), 9, 1.7e9 + 0.25};
  double out[3];
  REQUIRE(m.predict(X, 3, out).ok());
  CHECK(out[0] == 10);
  CHECK(out[1] == 20);  // 0.5 + 1e-16: a float32 comparison would say left
  CHECK(out[2] == 20);
  const float Xf[] = {9, 0.5f, 9, 0.50000006f};
  REQUIRE(m.predict(Xf, 2, out).ok());
  CHECK(out[0] == 10);
  CHECK(out[1] == 20);
}

TEST_CASE("random ensembles agree with an independent walk of the source trees") {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    test::TempDir dir;
    std::mt19937_64 rng(seed);
    const size_t nf = 7, width = 1 + seed % 3, n_trees = 5 + seed;
    const bool missing = seed % 2 == 0;
    const bool less = seed % 3 == 0;
    const bool f64 = seed >= 7;
    std::vector<std::vector<uint32_t>> sets = {{0x00FF00FFu}, {0x12345678u, 0x9u}};
    TreeEnsembleBuilder b(nf, width, width + 1, seed % 2 ? Aggregation::mean : Aggregation::sum,
                          less ? SplitRule::less : SplitRule::less_equal,
                          f64 ? ThresholdType::float64 : ThresholdType::float32);
    for (auto& s : sets) b.add_category_set(s.data(), s.size());
    std::vector<test::NodeList> trees;
    std::vector<uint32_t> outputs;
    for (size_t k = 0; k < n_trees; ++k) {
      trees.push_back(test::random_tree(rng, nf, 3 + static_cast<uint32_t>(k % 6), width, missing, missing ? 2 : 0));
      TreeOptions o;
      o.output = static_cast<uint32_t>(k % 2);
      outputs.push_back(o.output);
      REQUIRE(b.add_tree(trees.back().view(), o).ok());
    }
    auto d = regression(nf, width + 1);
    Model m = save_and_open(dir, d, b);
    const size_t rows = 300;
    auto Xf = test::random_rows(rng, rows, nf, missing ? 0.15 : 0.0);
    std::vector<double> X(Xf.begin(), Xf.end());
    // float64 models see inputs float32 cannot hold; some inputs sit exactly
    // on thresholds (or, for float32 models, on their float32 value).
    std::uniform_real_distribution<double> tiny(-1e-9, 1e-9);
    for (size_t i = 0; f64 && i < X.size(); ++i)
      if (i % nf != 0) X[i] += tiny(rng);
    for (size_t r = 0; r < rows; r += 3) {
      const auto& t = trees[r % n_trees];
      if (t.left[0] >= 0 && (t.categorical.empty() || !t.categorical[0]))
        X[r * nf + t.feature[0]] = f64 ? t.threshold[0] : static_cast<float>(t.threshold[0]);
    }
    std::vector<float> X32(X.begin(), X.end());
    std::vector<double> got(rows * (width + 1));
    REQUIRE(m.predict(X.data(), rows, got.data()).ok());
    for (size_t r = 0; r < rows; ++r) {
      std::vector<double> want(width + 1, 0.0);
      for (size_t k = 0; k < n_trees; ++k) {
        size_t leaf = f64 ? test::reference_leaf(trees[k], &X[r * nf], sets, less)
                          : test::reference_leaf(trees[k], &X32[r * nf], sets, less);
        for (size_t j = 0; j < width; ++j) want[outputs[k] + j] += trees[k].values[leaf * width + j];
      }
      if (seed % 2)
        for (auto& w : want) w /= static_cast<double>(n_trees);
      for (size_t j = 0; j <= width; ++j) CHECK(got[r * (width + 1) + j] == doctest::Approx(want[j]).epsilon(1e-12));
    }
  }
}

TEST_CASE("links, base scores and class decisions") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("b"), test::Sample::boosted_binary).ok());
  auto m = Model::open(dir.file("b"));
  REQUIRE(m.ok());
  CHECK(m->output_width() == 2);
  CHECK(m->output_width(Output::raw) == 1);
  std::mt19937_64 rng(11);
  const size_t n = 200;
  auto X = test::random_rows(rng, n, 6, 0.2);
  std::vector<double> raw(n), proba(2 * n);
  std::vector<int64_t> cls(n);
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m->predict(X.data(), n, raw.data(), o).ok());
  REQUIRE(m->predict(X.data(), n, proba.data()).ok());
  REQUIRE(m->predict_class(X.data(), n, cls.data()).ok());
  for (size_t i = 0; i < n; ++i) {
    const double p = 1 / (1 + std::exp(-raw[i]));
    CHECK(proba[2 * i + 1] == doctest::Approx(p).epsilon(1e-14));
    CHECK(proba[2 * i] + proba[2 * i + 1] == doctest::Approx(1.0));
    CHECK(cls[i] == (proba[2 * i + 1] > proba[2 * i] ? 1 : 0));
  }
}

TEST_CASE("base scores add to raw scores before the link") {
  test::TempDir dir;
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum);
  REQUIRE(b.add_tree(stump(false).view()).ok());
  ModelDescription d = regression(2);
  d.task = Task::classification;
  d.n_outputs = 2;
  d.classes.kind = ClassLabels::Kind::strings;
  d.classes.strings = {"a", "b"};
  d.link = LinkFunction::logistic;
  d.link_scale = 0.5;
  d.base_score = {-12.5};
  Model m = save_and_open(dir, d, b);
  const float X[] = {0, 0, 0, 1};
  double raw[2], proba[4];
  int64_t cls[2];
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m.predict(X, 2, raw, o).ok());
  CHECK(raw[0] == -2.5);
  CHECK(raw[1] == 7.5);
  REQUIRE(m.predict(X, 2, proba).ok());
  CHECK(proba[1] == doctest::Approx(1 / (1 + std::exp(1.25))));
  CHECK(proba[3] == doctest::Approx(1 / (1 + std::exp(-3.75))));
  REQUIRE(m.predict_class(X, 2, cls).ok());
  CHECK(cls[0] == 0);
  CHECK(cls[1] == 1);

  test::TempDir dir2;
  REQUIRE(test::save_sample(dir2.file("r"), test::Sample::regressor).ok());
  auto r = Model::open(dir2.file("r"));
  REQUIRE(r.ok());
  const float x6[6] = {};
  int64_t none = 0;
  CHECK(r->predict_class(x6, 1, &none).code() == error_code::invalid_argument);
}

// A stump on feature 0 at 0.5 whose leaves hold three raw scores each:
// `left_raw` for x <= 0.5, `right_raw` above (the root's own row is unused).
TreeEnsembleBuilder three_score_stump(std::array<double, 3> left_raw, std::array<double, 3> right_raw) {
  test::NodeList t;
  t.left = {1, -1, -1};
  t.right = {2, -1, -1};
  t.feature = {0, -2, -2};
  t.threshold = {0.5, -2, -2};
  t.values = {0, 0, 0};
  t.values.insert(t.values.end(), left_raw.begin(), left_raw.end());
  t.values.insert(t.values.end(), right_raw.begin(), right_raw.end());
  t.value_stride = 3;
  TreeEnsembleBuilder b(1, 3, 3, Aggregation::sum);
  REQUIRE(b.add_tree(t.view()).ok());
  return b;
}

// A classifier of classes "a", "b", "c" over one feature and three raw scores.
ModelDescription three_class_classifier() {
  ModelDescription d = regression(1, 3);
  d.task = Task::classification;
  d.classes.kind = ClassLabels::Kind::strings;
  d.classes.strings = {"a", "b", "c"};
  return d;
}

TEST_CASE("argmax_raw_last gives a tie to the last of equal raw scores, argmax_raw to the first") {
  TreeEnsembleBuilder b = three_score_stump({2, 5, 5}, {7, 7, 1});
  ModelDescription d = three_class_classifier();
  d.link = LinkFunction::normalize;
  const float X[] = {0, 1};
  int64_t cls[2];
  for (auto [decision, left, right] : {std::tuple{ClassDecision::argmax_raw_last, 2, 1},
                                       std::tuple{ClassDecision::argmax_raw, 1, 0}}) {
    const std::string name = enum_name(decision);
    CAPTURE(name);
    test::TempDir dir;
    d.class_decision = decision;
    Model m = save_and_open(dir, d, b);
    REQUIRE(m.predict_class(X, 2, cls).ok());
    CHECK(cls[0] == left);
    CHECK(cls[1] == right);
  }
  // One raw score, or a regressor: refused when the file is written.
  test::TempDir dir;
  d.class_decision = ClassDecision::argmax_raw_last;
  d.task = Task::regression;
  d.link = LinkFunction::identity;
  d.classes = {};
  CHECK(save(dir.file("r.mlmap"), d, b).code() == error_code::invalid_model);
}

TEST_CASE("normalize keeps a row that sums to 0, normalize_nan makes it NaN") {
  TreeEnsembleBuilder b = three_score_stump({0, 0, 0}, {1, 3, 4});
  ModelDescription d = three_class_classifier();
  d.class_decision = ClassDecision::argmax_raw;
  const double X[] = {0, 1};
  for (LinkFunction link : {LinkFunction::normalize, LinkFunction::normalize_nan}) {
    const std::string name = enum_name(link);
    CAPTURE(name);
    test::TempDir dir;
    d.link = link;
    Model m = save_and_open(dir, d, b);
    CHECK(m.info().link == name);
    double proba[6];
    REQUIRE(m.predict(X, 2, proba).ok());
    for (int j = 0; j < 3; ++j)
      CHECK((link == LinkFunction::normalize ? proba[j] == 0 : std::isnan(proba[j])));
    CHECK(proba[3] == 1.0 / 8);
    CHECK(proba[4] == 3.0 / 8);
    CHECK(proba[5] == 4.0 / 8);
    int64_t cls[2];
    REQUIRE(m.predict_class(X, 2, cls).ok());  // from the raw scores: the first of the zeros
    CHECK(cls[0] == 0);
    CHECK(cls[1] == 2);
  }
  // One raw score: refused when the file is written.
  test::TempDir dir;
  TreeEnsembleBuilder one(2, 1, 1, Aggregation::sum);
  REQUIRE(one.add_tree(stump(false).view()).ok());
  d.n_features = 2;
  d.link = LinkFunction::normalize_nan;
  d.n_outputs = 2;
  d.classes.strings = {"a", "b"};
  CHECK(save(dir.file("one.mlmap"), d, one).code() == error_code::invalid_model);
}

TEST_CASE("with output groups normalize and normalize_nan divide each group by its own sum") {
  // groups {2, 1}: row 0 raw {0, 0, 5} (the first group sums to 0), row 1 {1, 3, 4}
  TreeEnsembleBuilder b = three_score_stump({0, 0, 5}, {1, 3, 4});
  ModelDescription d = three_class_classifier();
  d.class_decision = ClassDecision::argmax_outputs_per_group;
  d.output_groups = {2, 1};
  const double X[] = {0, 1};
  for (LinkFunction link : {LinkFunction::normalize, LinkFunction::normalize_nan}) {
    const std::string name = enum_name(link);
    CAPTURE(name);
    test::TempDir dir;
    d.link = link;
    Model m = save_and_open(dir, d, b);
    double proba[6];
    REQUIRE(m.predict(X, 2, proba).ok());
    for (int j = 0; j < 2; ++j) CHECK((link == LinkFunction::normalize ? proba[j] == 0 : std::isnan(proba[j])));
    CHECK(proba[2] == 1.0);  // its own group: not NaN
    CHECK(proba[3] == 1.0 / 4);
    CHECK(proba[4] == 3.0 / 4);
    CHECK(proba[5] == 1.0);
    int64_t cls[4];
    REQUIRE(m.predict_class(X, 2, cls).ok());  // per group, from the raw scores
    CHECK(cls[0] == 0);
    CHECK(cls[1] == 2);
    CHECK(cls[2] == 1);
    CHECK(cls[3] == 2);
  }
}

TEST_CASE("the trailing_features decision function needs a program and a width") {
  TreeEnsembleBuilder b(2, 1, 1, Aggregation::sum);
  REQUIRE(b.add_tree(stump(false).view()).ok());
  ModelDescription d = regression(2);
  d.decision_function = DecisionFunction::trailing_features;
  test::TempDir dir;
  d.decision_features = 1;  // the predictor's inputs are the file's: no program computes them
  CHECK(save(dir.file("a.mlmap"), d, b).code() == error_code::invalid_model);
  d.decision_features = 0;
  CHECK(save(dir.file("b.mlmap"), d, b).code() == error_code::invalid_model);
}

TEST_CASE("threads split batches without changing answers") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("f"), test::Sample::forest_classifier).ok());
  auto m = Model::open(dir.file("f"));
  REQUIRE(m.ok());
  std::mt19937_64 rng(5);
  const size_t n = 5000;
  auto X = test::random_rows(rng, n, 6);
  std::vector<float> one(n * 3), two(n * 3), all(n * 3);
  PredictOptions o;
  REQUIRE(m->predict(X.data(), n, one.data(), o).ok());
  o.n_threads = 2;
  REQUIRE(m->predict(X.data(), n, two.data(), o).ok());
  o.n_threads = 0;
  REQUIRE(m->predict(X.data(), n, all.data(), o).ok());
  CHECK(one == two);
  CHECK(one == all);
  o.n_threads = -1;
  CHECK(m->predict(X.data(), n, all.data(), o).code() == error_code::invalid_argument);
}

TEST_CASE("threads share a batch over large trees in large chunks without changing answers") {
  // The large-tree walk wants as many rows a call as it can get (each call
  // fetches every tree and builds its top levels' table): 9,000 rows on 2
  // threads go in 4 chunks of whole units (2,560 rows, the last shorter), on
  // 3 threads in 6.
  test::TempDir dir;
  constexpr uint32_t width = 12;
  std::mt19937_64 rng(41);
  TreeEnsembleBuilder b(width, 1, 1, Aggregation::sum);
  for (int t = 0; t < 3; ++t) REQUIRE(b.add_tree(test::random_tree(rng, width, 18, 1, false, 0).view()).ok());
  const Model m = save_and_open(dir, regression(width), b);
  REQUIRE(m.info().trees.n_nodes * 12 > m.info().trees.n_trees * (48 << 10));  // the large-tree walk
  const size_t n = 9000;
  auto X = test::random_rows(rng, n, width);
  std::vector<float> one(n), many(n);
  REQUIRE(m.predict(X.data(), n, one.data()).ok());
  for (int threads : {2, 3}) {
    CAPTURE(threads);
    PredictOptions o;
    o.n_threads = threads;
    std::fill(many.begin(), many.end(), -1.0f);
    REQUIRE(m.predict(X.data(), n, many.data(), o).ok());
    CHECK(many == one);
  }
}

TEST_CASE("one Model used from many threads at once") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("f"), test::Sample::boosted_binary).ok());
  auto m = Model::open(dir.file("f"));
  REQUIRE(m.ok());
  std::mt19937_64 rng(9);
  const size_t n = 2000;
  auto X = test::random_rows(rng, n, 6, 0.1);
  std::vector<double> want(2 * n);
  REQUIRE(m->predict(X.data(), n, want.data()).ok());
  std::vector<int> ok(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::vector<double> got(2 * n);
      bool same = true;
      // Some on one thread, some sharing the workers with the others.
      PredictOptions o;
      o.n_threads = t % 3;
      for (int rep = 0; rep < 20; ++rep) same = same && m->predict(X.data(), n, got.data(), o).ok() && got == want;
      ok[t] = same;
    });
  for (auto& t : threads) t.join();
  for (int v : ok) CHECK(v == 1);
}

TEST_CASE("a child of fork() predicts batches on workers of its own") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("f"), test::Sample::boosted_binary).ok());
  auto m = Model::open(dir.file("f"));
  REQUIRE(m.ok());
  std::mt19937_64 rng(11);
  const size_t n = 3000;
  auto X = test::random_rows(rng, n, 6, 0.1);
  std::vector<double> want(2 * n), got(2 * n);
  REQUIRE(m->predict(X.data(), n, want.data()).ok());
  PredictOptions o;
  o.n_threads = 2;
  REQUIRE(m->predict(X.data(), n, got.data(), o).ok());  // the parent's workers exist now
  CHECK(got == want);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    bool same = true;
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<double> mine(2 * n);
      same = same && m->predict(X.data(), n, mine.data(), o).ok() && mine == want;
    }
    _exit(same ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::fill(got.begin(), got.end(), 0.0);
  REQUIRE(m->predict(X.data(), n, got.data(), o).ok());
  CHECK(got == want);
}

TEST_CASE("empty batches and null pointers") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("f"), test::Sample::regressor).ok());
  auto m = Model::open(dir.file("f"));
  REQUIRE(m.ok());
  CHECK(m->predict(static_cast<const float*>(nullptr), 0, static_cast<float*>(nullptr)).ok());
  float x[6] = {};
  CHECK(m->predict(x, 1, static_cast<float*>(nullptr)).code() == error_code::invalid_argument);
}

TEST_CASE("a few rows per call give a batch's bits and errors (the one-row path)") {
  // Calls of up to 8 rows from a matrix take api::predict_few, larger ones
  // predict_range; raw outputs always the latter.
  const std::string saved = active_kernel();
  for (auto kind : test::all_samples()) {
    CAPTURE(static_cast<int>(kind));
    test::TempDir dir;
    REQUIRE(test::save_sample(dir.file("m"), kind).ok());
    auto m = Model::open(dir.file("m"));
    REQUIRE(m.ok());
    const size_t nf = m->num_features(), w = m->output_width(), n = 24;
    std::mt19937_64 rng(7);
    auto X = test::random_rows(rng, n, nf);
    if (kind == test::Sample::naive_bayes_categorical)  // categories 0 and 1 (every feature has 2 or more)
      for (auto& x : X) x = static_cast<float>(static_cast<int>(std::fabs(x) * 10) % 2);
    std::vector<double> X64(X.begin(), X.end());
    for (const auto& kernel : available_kernels()) {  // (the kernels' dispatch tells a few rows too)
      CAPTURE(kernel);
      REQUIRE(use_kernel(kernel).ok());
      std::vector<float> batch(n * w), few(n * w);
      std::vector<double> batch64(n * w), few64(n * w);
      REQUIRE(m->predict(X.data(), n, batch.data()).ok());
      REQUIRE(m->predict(X64.data(), n, batch64.data()).ok());
      for (size_t step : {1, 3, 8}) {
        CAPTURE(step);
        for (size_t r = 0; r < n; r += step) {
          const size_t k = std::min(step, n - r);
          REQUIRE(m->predict(X.data() + r * nf, k, few.data() + r * w).ok());
          REQUIRE(m->predict(X64.data() + r * nf, k, few64.data() + r * w).ok());
        }
        CHECK(std::memcmp(few.data(), batch.data(), n * w * sizeof(float)) == 0);
        CHECK(std::memcmp(few64.data(), batch64.data(), n * w * sizeof(double)) == 0);
      }
    }
    REQUIRE(use_kernel(saved).ok());
    // A NaN and an infinity in the second of two rows: the same answer as
    // the raw outputs' path.
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
      std::vector<float> x2(X.begin(), X.begin() + 2 * static_cast<std::ptrdiff_t>(nf));
      x2[nf + nf / 2] = bad;
      std::vector<double> out(2 * std::max(w, m->output_width(Output::raw)));
      PredictOptions raw;
      raw.output = Output::raw;
      const Status lean = m->predict(x2.data(), 2, out.data());
      const Status general = m->predict(x2.data(), 2, out.data(), raw);
      CHECK(lean.code() == general.code());
      CHECK(lean.message() == general.message());
    }
  }
}
