// The steps of a calibrated classifier (FORMAT.md §7, §7.3), worked out by
// hand from their definitions: Interpolate (numpy's interp over each input's
// run of points: the ends, the points themselves, a repeated x, a single
// point, NaN), SumToOne (the division by the row's sum, the uniform row when
// the sum is 0, the clamp of a value just above 1) and Elementwise Expit.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "support.hpp"

using namespace mlmap;

namespace {

const double nan_ = std::numeric_limits<double>::quiet_NaN();

// Two inputs: input 0 over points (0, 0) (1, 0.5) (1, 0.7) (3, 1); input 1
// over the single point (2, 0.25).
Result<Model> interpolate_model(const test::TempDir& dir) {
  auto in = test::op(OpSpec::Kind::interpolate, {0, 1}, 2, 2);
  in.category_counts = {4, 1};
  in.columns = {{"x", {0, 1, 1, 3, 2}, {}, {}}, {"y", {0, 0.5, 0.7, 1, 0.25}, {}, {}}};
  auto p = test::chain({in}, 2);
  auto st = save(dir.file("interp"), test::pipeline_description(2, 2), test::identity(2), &p);
  REQUIRE_MESSAGE(st.ok(), st.message());
  return Model::open(dir.file("interp"), {true, false});
}

}  // namespace

TEST_CASE("interpolate follows numpy's interp over each input's points") {
  test::TempDir dir;
  auto m = interpolate_model(dir);
  REQUIRE_MESSAGE(m.ok(), m.message());
  struct Case {
    double x, want;
  };
  // Below and above the points: the end values; on the repeated x = 1 the
  // last point with xp <= x (0.7); between: the slope from the left point.
  const Case cases[] = {{-5, 0},    {0, 0},     {0.5, 0.25}, {1, 0.7}, {2, 0.85}, {3, 1},
                        {1e300, 1}, {-INFINITY, 0}, {INFINITY, 1}, {0.25, 0.125}};
  for (const auto& c : cases) {
    CAPTURE(c.x);
    const double row[2] = {c.x, 7.0};
    double out[2];
    REQUIRE(m->predict(row, 1, out).ok());
    CHECK(out[0] == c.want);
    CHECK(out[1] == 0.25);  // one point: its value everywhere
  }
  // NaN stays NaN (the identity layer then refuses it).
  const double row[2] = {nan_, 1.0};
  double out[2];
  CHECK(m->predict(row, 1, out).code() == error_code::missing_value);
  CHECK(m->verify().ok());
}

TEST_CASE("interpolate refuses a run without points and a count that does not match its columns") {
  test::TempDir dir;
  auto in = test::op(OpSpec::Kind::interpolate, {0}, 1, 1);
  in.category_counts = {0};
  in.columns = {{"x", {0.0}, {}, {}}, {"y", {1.0}, {}, {}}};
  auto p = test::chain({in}, 1);
  CHECK_FALSE(save(dir.file("empty"), test::pipeline_description(1, 1), test::identity(1), &p).ok());
  in.category_counts = {2};
  p = test::chain({in}, 1);
  CHECK_FALSE(save(dir.file("short"), test::pipeline_description(1, 1), test::identity(1), &p).ok());
}

TEST_CASE("sum_to_one divides by the row's sum, gives 1/n for a zero sum and clamps just above 1") {
  test::TempDir dir;
  auto p = test::chain({test::op(OpSpec::Kind::sum_to_one, {0, 1, 2}, 3, 3)}, 3);
  REQUIRE(save(dir.file("s"), test::pipeline_description(3, 3), test::identity(3), &p).ok());
  auto m = Model::open(dir.file("s"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  double out[3];
  const double plain[3] = {1, 3, 4};
  REQUIRE(m->predict(plain, 1, out).ok());
  CHECK(out[0] == 0.125);
  CHECK(out[1] == 0.375);
  CHECK(out[2] == 0.5);
  const double zeros[3] = {0, 0, 0};
  REQUIRE(m->predict(zeros, 1, out).ok());
  for (double v : out) CHECK(v == 1.0 / 3.0);
  // s = 1.000003: 1.000004 / s is about 1 + 1e-6, within the clamp; 2 / 0.5 is not.
  const double over[3] = {1.000004, -0.000001, 0};
  REQUIRE(m->predict(over, 1, out).ok());
  CHECK(out[0] == 1.0);
  CHECK(out[1] < 0);
  const double far[3] = {2, -1.5, 0};
  REQUIRE(m->predict(far, 1, out).ok());
  CHECK(out[0] == 4.0);
}

TEST_CASE("sum_to_one sums nine inputs in numpy's pairwise order") {
  // numpy: 8 partial sums, ((1 + 1e16) + (1 + 1)) + ((1 + 1) + (1 + 1)) = 1e16 + 6,
  // then - 1e16: 6 (np.sum gives 6).  In order, every + 1 is lost to rounding
  // and the sum would be 0 (the uniform row).
  test::TempDir dir;
  std::vector<uint32_t> in(9);
  for (uint32_t j = 0; j < 9; ++j) in[j] = j;
  auto p = test::chain({test::op(OpSpec::Kind::sum_to_one, in, 9, 9)}, 9);
  REQUIRE(save(dir.file("s9"), test::pipeline_description(9, 9), test::identity(9), &p).ok());
  auto m = Model::open(dir.file("s9"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  const double row[9] = {1, 1e16, 1, 1, 1, 1, 1, 1, -1e16};
  double out[9];
  REQUIRE(m->predict(row, 1, out).ok());
  CHECK(out[0] == 1.0 / 6.0);
  CHECK(out[1] == 1e16 / 6.0);
  CHECK(out[8] == -1e16 / 6.0);
}

TEST_CASE("elementwise expit is scipy's 1 / (1 + exp(-x))") {
  test::TempDir dir;
  auto e = test::op(OpSpec::Kind::elementwise, {0}, 1, 1);
  e.function = ElementFunction::expit;
  auto p = test::chain({e}, 1);
  REQUIRE(save(dir.file("e"), test::pipeline_description(1, 1), test::identity(1), &p).ok());
  auto m = Model::open(dir.file("e"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  for (double x : {0.0, 1.5, -2.25, 40.0, -800.0, 800.0}) {
    CAPTURE(x);
    double out;
    REQUIRE(m->predict(&x, 1, &out).ok());
    CHECK(out == 1 / (1 + std::exp(-x)));
  }
}
