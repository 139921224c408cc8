// The discretize step (FORMAT.md §7): the number of bin edges <= x, on the
// edges themselves, between them, beyond them and for an input with no
// interior edge; NaN fails the row; bad edges are refused at open.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "support.hpp"

using namespace mlmap;

namespace {

const double nan_ = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

PreprocessingSpec program(std::vector<double> edges = {-1.0, 0.0, 2.5, 10.0, 10.0}) {
  PreprocessingSpec p;
  auto bins = test::op(OpSpec::Kind::discretize, {0, 1}, 2, 2);
  bins.category_counts = {3, 0};  // input 1: one bin (a constant column)
  bins.numeric_categories = edges;
  bins.category_counts[0] = static_cast<uint32_t>(edges.size());
  auto onehot = test::op(OpSpec::Kind::one_hot, {2}, 4, edges.size() + 1);
  onehot.category_counts = {static_cast<uint32_t>(edges.size() + 1)};
  for (size_t k = 0; k <= edges.size(); ++k) onehot.numeric_categories.push_back(static_cast<double>(k));
  onehot.missing_category = {-1};
  onehot.unknown = OpSpec::Unknown::ignore;
  p.ops = {bins, onehot};
  p.n_slots = static_cast<uint32_t>(4 + edges.size() + 1);
  p.n_string_slots = 2;
  for (uint32_t s = 2; s < p.n_slots; ++s) p.features.push_back(s);
  return p;
}

}  // namespace

TEST_CASE("discretize counts the edges at or below x, as numpy's searchsorted(side='right')") {
  test::TempDir dir;
  const auto p = program();
  const size_t nf = p.features.size();  // 2 bins + 6 one-hot
  REQUIRE(save(dir.file("p"), test::pipeline_description(2, nf, {"x", "c"}), test::identity(nf), &p).ok());
  auto m = Model::open(dir.file("p"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  const double xs[] = {-5, -1, -0.999, 0, 1e-300, 2.5, 9.99, 10, 11, inf, -inf, -0.0};
  const double want[] = {0, 1, 1, 2, 2, 3, 3, 5, 5, 5, 0, 2};
  for (size_t n : {size_t{1}, size_t{12}}) {
    std::vector<double> X, out(12 * nf);
    for (size_t i = 0; i < 12; ++i) X.insert(X.end(), {xs[i], 3.0});
    REQUIRE(m->predict(X.data(), n, out.data()).ok());
    for (size_t i = 0; i < n; ++i) {
      CAPTURE(xs[i]);
      CHECK(out[i * nf] == want[i]);
      CHECK(out[i * nf + 1] == 0.0);  // no interior edge: bin 0
      for (size_t k = 0; k < 6; ++k) CHECK(out[i * nf + 2 + k] == (k == want[i] ? 1.0 : 0.0));
    }
  }
  const double bad[] = {1, 1, 2, nan_};
  std::vector<double> out(2 * nf);
  auto st = m->predict(bad, 2, out.data());
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == error_code::missing_value);
  CHECK_MESSAGE(st.message().find("row 1") != std::string::npos, st.message());
  CHECK_MESSAGE(st.message().find("'c'") != std::string::npos, st.message());
}

TEST_CASE("discretize refuses unsorted, non-finite or miscounted edges at open") {
  test::TempDir dir;
  for (auto edges : {std::vector<double>{0, 2, 1}, std::vector<double>{0, nan_}, std::vector<double>{-inf, 0}}) {
    const auto p = program(edges);
    auto st = save(dir.file("p"), test::pipeline_description(2, p.features.size(), {"x", "c"}),
                   test::identity(p.features.size()), &p);
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == error_code::invalid_model);
    CHECK_MESSAGE(st.message().find("bin edge") != std::string::npos, st.message());
  }
  auto p = program();
  p.ops[0].numeric_categories.pop_back();
  auto st = save(dir.file("q"), test::pipeline_description(2, p.features.size(), {"x", "c"}),
                 test::identity(p.features.size()), &p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == error_code::invalid_model);
  CHECK_MESSAGE(st.message().find("bin edges has 4 values, expected 5") != std::string::npos, st.message());
}
