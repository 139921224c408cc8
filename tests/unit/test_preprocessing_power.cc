// The yeo_johnson and box_cox steps (FORMAT.md §7) against their formulas,
// lambdas at and near the special cases (0, 2) included; box-cox refuses
// x <= 0 naming the row and column, and lets NaN through.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "support.hpp"

using namespace mlmap;

namespace {

const double nan_ = std::numeric_limits<double>::quiet_NaN();
const double eps = std::numeric_limits<double>::epsilon();

double yj(double x, double l) {
  if (x >= 0) return std::fabs(l) < eps ? std::log1p(x) : std::expm1(l * std::log1p(x)) / l;
  return std::fabs(l - 2) > eps ? -std::expm1((2 - l) * std::log1p(-x)) / (2 - l) : -std::log1p(-x);
}

}  // namespace

TEST_CASE("yeo_johnson and box_cox compute scipy's formulas") {
  test::TempDir dir;
  const std::vector<double> lambdas = {0.0, 2.0, 0.5, -1.3, 1e-17};
  PreprocessingSpec p;
  auto y = test::op(OpSpec::Kind::yeo_johnson, {0, 1, 2, 3, 4}, 5, 5);
  y.a = lambdas;
  auto b = test::op(OpSpec::Kind::box_cox, {0, 1, 2, 3, 4}, 10, 5);
  b.a = lambdas;
  p.ops = {y, b};
  p.n_slots = 15;
  p.n_string_slots = 5;
  for (uint32_t s = 5; s < 15; ++s) p.features.push_back(s);
  REQUIRE(save(dir.file("p"), test::pipeline_description(5, 10, {"a", "b", "c", "d", "e"}), test::identity(10), &p).ok());
  auto m = Model::open(dir.file("p"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  for (double x : {0.25, 1.0, 3.5, 1e-12, 40.0}) {
    CAPTURE(x);
    const double row[5] = {x, x, x, x, x};
    std::vector<double> out(10);
    REQUIRE(m->predict(row, 1, out.data()).ok());
    for (size_t j = 0; j < 5; ++j) {
      CAPTURE(j);
      const double l = lambdas[j];
      CHECK(out[j] == yj(x, l));
      CHECK(out[5 + j] == (std::fabs(l) < 1e-19 ? std::log(x) : std::expm1(l * std::log(x)) / l));
    }
  }
  // Yeo-Johnson's negative side, on its own model: box-cox would refuse it.
  PreprocessingSpec q;
  q.ops = {y};
  q.n_slots = 10;
  q.n_string_slots = 5;
  for (uint32_t s = 5; s < 10; ++s) q.features.push_back(s);
  REQUIRE(save(dir.file("q"), test::pipeline_description(5, 5, {"a", "b", "c", "d", "e"}), test::identity(5), &q).ok());
  auto mq = Model::open(dir.file("q"), {true, false});
  REQUIRE(mq.ok());
  for (double x : {-0.5, -3.0, -1e-9}) {
    const double row[5] = {x, x, x, x, x};
    std::vector<double> out(5);
    REQUIRE(mq->predict(row, 1, out.data()).ok());
    for (size_t j = 0; j < 5; ++j) CHECK(out[j] == yj(x, lambdas[j]));
  }
  CHECK(mq->info().accepts_missing == false);  // the identity layer refuses NaN features

  const double bad[] = {1, 1, 1, 1, 1, 2, 2, 0.0, 2, 2};
  std::vector<double> out(20);
  auto st = m->predict(bad, 2, out.data());
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == error_code::invalid_argument);
  CHECK_MESSAGE(st.message().find("row 1") != std::string::npos, st.message());
  CHECK_MESSAGE(st.message().find("'c'") != std::string::npos, st.message());
  CHECK_MESSAGE(st.message().find("strictly positive") != std::string::npos, st.message());
  (void)nan_;
}
