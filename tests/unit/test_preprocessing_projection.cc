// The binarize, project and distance steps (FORMAT.md §7) computed by hand
// and compared with what a model returns (an identity layer exposes the
// predictor's features), one row at a time and over blocks long enough for
// the SIMD column kernels; a NaN refused by binarize names its column and row.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "support.hpp"

using namespace mlmap;

namespace {

const double nan_ = std::numeric_limits<double>::quiet_NaN();

// Inputs a, b, c.  Slots: 3..5 binarize(a, b, c) at 0.5; 6..7 project; 8..9 distance.
const double center[] = {0.5, -1.0, 2.0};
const double components[] = {0.6, 0.8, 0.0, -0.8, 0.6, 0.1};
const double scale[] = {1.5, 2.5};
const double centers[] = {0, 0, 0, 1, 2, 3};

PreprocessingSpec program() {
  PreprocessingSpec p;
  auto bin = test::op(OpSpec::Kind::binarize, {0, 1, 2}, 3, 3);
  bin.a = {0.5, 0.5, 0.5};
  auto project = test::op(OpSpec::Kind::project, {0, 1, 2}, 6, 2);
  project.columns = {{"center", {center, center + 3}, {}},
                     {"components", {components, components + 6}, {2, 3}},
                     {"scale", {scale, scale + 2}, {}}};
  auto distance = test::op(OpSpec::Kind::distance, {0, 1, 2}, 8, 2);
  distance.columns = {{"centers", {centers, centers + 6}, {2, 3}}};
  p.ops = {bin, project, distance};
  p.n_slots = 10;
  p.n_string_slots = 3;
  p.features = {3, 4, 5, 6, 7, 8, 9};
  return p;
}

std::vector<double> expect(const double* x) {
  std::vector<double> f;
  for (int j = 0; j < 3; ++j) f.push_back(0.5 < x[j] ? 1.0 : 0.0);
  for (int o = 0; o < 2; ++o) {
    double acc = 0;
    for (int j = 0; j < 3; ++j) acc = acc + (x[j] - center[j]) * components[o * 3 + j];
    f.push_back(acc / scale[o]);
  }
  for (int k = 0; k < 2; ++k) {
    double acc = 0;
    for (int j = 0; j < 3; ++j) {
      const double t = x[j] - centers[k * 3 + j];
      acc = acc + t * t;
    }
    f.push_back(std::sqrt(acc));
  }
  return f;
}

}  // namespace

TEST_CASE("binarize, project and distance compute their definitions exactly") {
  test::TempDir dir;
  const auto p = program();
  REQUIRE(save(dir.file("p"), test::pipeline_description(3, 7, {"a", "b", "c"}), test::identity(7), &p).ok());
  auto m = Model::open(dir.file("p"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(m->info().preprocessing.n_steps == 3);
  CHECK_FALSE(m->info().accepts_missing);  // binarize refuses NaN

  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-3, 3);
  for (size_t n : {size_t{1}, size_t{5}, size_t{17}, size_t{100}, size_t{1000}}) {
    CAPTURE(n);
    std::vector<double> X(n * 3), out(n * 7);
    for (auto& v : X) v = rng() % 5 == 0 ? 0.5 : u(rng);  // the threshold itself: not above
    REQUIRE(m->predict(X.data(), n, out.data()).ok());
    for (size_t i = 0; i < n; ++i) {
      const auto want = expect(&X[i * 3]);
      for (size_t k = 0; k < 7; ++k) {
        CAPTURE(i);
        CAPTURE(k);
        CHECK(out[i * 7 + k] == want[k]);  // the same operations in the same order: the same bits
      }
    }
  }

  // A NaN in a binarized column fails its row, naming the column.
  const double X[] = {1, 2, 3, 4, nan_, 6};
  std::vector<double> out(14);
  auto st = m->predict(X, 2, out.data());
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == error_code::missing_value);
  CHECK_MESSAGE(st.message().find("row 1") != std::string::npos, st.message());
  CHECK_MESSAGE(st.message().find("'b'") != std::string::npos, st.message());
}

TEST_CASE("project and distance refuse parameter columns of the wrong size at open") {
  test::TempDir dir;
  auto p = program();
  p.ops[1].columns[1].values.pop_back();  // 5 components for 2 x 3
  p.ops[1].columns[1].shape = {5};
  auto st = save(dir.file("p"), test::pipeline_description(3, 7, {"a", "b", "c"}), test::identity(7), &p);
  REQUIRE_FALSE(st.ok());  // the writer opens what it wrote
  CHECK(st.code() == error_code::column_mismatch);
  CHECK_MESSAGE(st.message().find("components") != std::string::npos, st.message());

  p = program();
  p.ops[2].columns.clear();
  st = save(dir.file("q"), test::pipeline_description(3, 7, {"a", "b", "c"}), test::identity(7), &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == error_code::invalid_model);
  CHECK_MESSAGE(st.message().find("takes 1") != std::string::npos, st.message());
}
