// The quantile steps (FORMAT.md §7) on a column with a repeated quantile,
// worked out by hand from the definition: the averaged ascending and
// descending interpolations, the bounds, NaN passing through, and the normal
// output's inverse CDF (scipy's values as constants) and clipping.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "support.hpp"

using namespace mlmap;

TEST_CASE("quantile_uniform and quantile_normal follow sklearn's interpolation") {
  test::TempDir dir;
  PreprocessingSpec p;
  auto uni = test::op(OpSpec::Kind::quantile_uniform, {0}, 1, 1);
  uni.columns = {{"quantiles", {-1, 0, 0, 2}, {1, 4}}, {"references", {0, 0.25, 0.75, 1}, {}}};
  auto nor = test::op(OpSpec::Kind::quantile_normal, {0}, 2, 1);
  nor.columns = uni.columns;
  nor.clip_low = -5.199337582605575;  // scipy's norm.ppf(1e-7 - 2^-52)
  nor.clip_high = 5.199337582605575;
  p.ops = {uni, nor};
  p.n_slots = 3;
  p.n_string_slots = 1;
  p.features = {1, 2};
  auto d = test::pipeline_description(1, 2, {"x"});
  REQUIRE(save(dir.file("p"), d, test::identity(2), &p).ok());
  auto m = Model::open(dir.file("p"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  struct Case {
    double x, uniform, normal;
  };
  // x = 0 sits on the repeated quantile: ascending 0.75, descending 0.25, mean 0.5.
  const Case cases[] = {{0, 0.5, 0.0},           {1, 0.875, 1.1503493803760079}, {-0.5, 0.125, -1.1503493803760079},
                        {-1, 0, -5.199337582605575}, {2, 1, 5.199337582605575},  {5, 1, 5.199337582605575},
                        {-7, 0, -5.199337582605575}, {1.99999999, 0.99999999875, 5.199337582605575}};
  for (const auto& c : cases) {
    CAPTURE(c.x);
    double out[2];
    REQUIRE(m->predict(&c.x, 1, out).ok());
    CHECK(out[0] == doctest::Approx(c.uniform).epsilon(1e-15));
    CHECK(out[1] == doctest::Approx(c.normal).epsilon(1e-14));
  }
  // NaN stays NaN (the identity layer then refuses it).
  const double nan_ = std::numeric_limits<double>::quiet_NaN();
  double out[2];
  CHECK(m->predict(&nan_, 1, out).code() == error_code::missing_value);
}
