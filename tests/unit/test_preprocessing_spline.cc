// The spline and refuse_missing steps (FORMAT.md §7) worked out by hand:
// degree 1 over knots -2 .. 2 (three basis functions, base interval
// [-1, 1]), de Boor's values inside, each extrapolation outside, NaN and
// 'error' refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "support.hpp"

using namespace mlmap;

namespace {

Result<Model> spline_model(const test::TempDir& dir, Extrapolation mode, bool include_bias = true) {
  PreprocessingSpec p;
  const uint32_t width = include_bias ? 3 : 2;
  auto s = test::op(OpSpec::Kind::spline, {0}, 1, width);
  s.degree = 1;
  s.extrapolation = mode;
  s.include_bias = include_bias;
  s.a = {-1};
  s.b = {1};
  s.category_counts = {1};
  // f_min, f_max, fp_min, fp_max (as scipy gives them at -1 and 1)
  s.columns = {{"knots", {-2, -1, 0, 1, 2}, {1, 5}},
               {"boundary", {1, 0, 0, 0, 0, 1, -1, 1, 0, 0, -1, 1}, {1, 4, 3}}};
  p.ops = {s};
  p.n_slots = 1 + width;
  p.n_string_slots = 1;
  for (uint32_t o = 0; o < width; ++o) p.features.push_back(1 + o);
  auto d = test::pipeline_description(1, width, {"x"});
  const std::string path = dir.file("s" + std::to_string(static_cast<int>(mode)) + (include_bias ? "b" : ""));
  if (auto st = save(path, d, test::identity(width), &p); !st.ok()) return st.error();
  return Model::open(path, {true, false});
}

std::vector<double> run(const Model& m, double x, size_t width = 3) {
  std::vector<double> out(width);
  const auto st = m.predict(&x, 1, out.data());
  REQUIRE_MESSAGE(st.ok(), st.message());
  return out;
}

}  // namespace

TEST_CASE("spline: de Boor inside the base interval, each extrapolation outside") {
  test::TempDir dir;
  auto cont = spline_model(dir, Extrapolation::continue_);
  REQUIRE_MESSAGE(cont.ok(), cont.message());
  // x = 0.5: interval l = 2 (t[2] = 0 <= x < t[3] = 1), values 0.5, 0.5 at basis 1, 2
  CHECK(run(*cont, 0.5) == std::vector<double>{0, 0.5, 0.5});
  CHECK(run(*cont, -1) == std::vector<double>{1, 0, 0});
  CHECK(run(*cont, 1) == std::vector<double>{0, 0, 1});  // the right end: the last interval
  // x = -3, continued: l = 1, h = (0 - -3, -3 - -1) = (3, -2)
  CHECK(run(*cont, -3) == std::vector<double>{3, -2, 0});

  auto lin = spline_model(dir, Extrapolation::linear);
  REQUIRE(lin.ok());
  // below -1: f_min[0] + (x + 1) * fp_min[0] = 1 + (-2)(-1) = 3 for the first d = 1 basis
  CHECK(run(*lin, -3) == std::vector<double>{3, 0, 0});
  // above 1: f_max[2] + (x - 1) * fp_max[2] = 1 + 1.5 * 1
  CHECK(run(*lin, 2.5) == std::vector<double>{0, 0, 2.5});

  auto con = spline_model(dir, Extrapolation::constant);
  REQUIRE(con.ok());
  CHECK(run(*con, -3) == std::vector<double>{1, 0, 0});
  CHECK(run(*con, 7) == std::vector<double>{0, 0, 1});

  auto err = spline_model(dir, Extrapolation::error);
  REQUIRE(err.ok());
  CHECK(run(*err, 0.5) == std::vector<double>{0, 0.5, 0.5});
  double x = 1.5, out[3];
  auto st = err->predict(&x, 1, out);
  CHECK(st.code() == error_code::invalid_argument);
  CHECK(st.message().find("beyond the limits of the spline's knots") != std::string::npos);
  x = std::numeric_limits<double>::quiet_NaN();
  CHECK(cont->predict(&x, 1, out).code() == error_code::missing_value);
}

TEST_CASE("spline without bias drops each input's last basis function") {
  test::TempDir dir;
  auto m = spline_model(dir, Extrapolation::continue_, false);
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(run(*m, 0.5, 2) == std::vector<double>{0, 0.5});
}

TEST_CASE("refuse_missing passes values and refuses NaN") {
  test::TempDir dir;
  PreprocessingSpec p;
  p.ops = {test::op(OpSpec::Kind::refuse_missing, {0, 1}, 2, 2)};
  p.n_slots = 4;
  p.n_string_slots = 2;
  p.features = {2, 3};
  auto d = test::pipeline_description(2, 2, {"a", "b"});
  REQUIRE(save(dir.file("r"), d, test::identity(2), &p).ok());
  auto m = Model::open(dir.file("r"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  double x[2] = {1.5, -2}, out[2];
  REQUIRE(m->predict(x, 1, out).ok());
  CHECK(out[0] == 1.5);
  CHECK(out[1] == -2);
  x[1] = std::numeric_limits<double>::quiet_NaN();
  const auto st = m->predict(x, 1, out);
  CHECK(st.code() == error_code::missing_value);
  CHECK(st.message().find("'b'") != std::string::npos);
}
