// Which input columns accept missing values (FORMAT.md §7.2), derived from
// the whole program: ModelInfo::accepts_missing_by_column and
// accepts_missing, each checked against what predicting a row with NaN (or a
// missing string) in that one column actually does.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "support.hpp"

using namespace mlmap;

namespace {

const double nan_ = std::numeric_limits<double>::quiet_NaN();

using test::op;

// A linear layer summing its inputs: it refuses NaN.
DenseNetworkSpec sum_of(size_t n) { return test::one_layer(n, std::vector<double>(n, 1.0)); }

// Saves inputs a, b, c (numeric) behind `p`, feeding a sum that refuses NaN,
// and checks the reported flags against predictions with NaN in each column.
std::vector<bool> accepted(const PreprocessingSpec& p, size_t n_inputs = 3) {
  test::TempDir dir;
  const auto st = save(dir.file("m"), test::pipeline_description(n_inputs, 1), sum_of(p.features.size()), &p);
  REQUIRE_MESSAGE(st.ok(), st.message());
  auto m = Model::open(dir.file("m"));
  REQUIRE(m.ok());
  const auto& by_column = m->info().accepts_missing_by_column;
  REQUIRE(by_column.size() == n_inputs);
  bool all = true;
  for (size_t c = 0; c < n_inputs; ++c) {
    CAPTURE(c);
    std::vector<double> row(n_inputs, 1.0);
    row[c] = nan_;
    double out = 0;
    const auto r = m->predict(row.data(), 1, &out);
    CHECK(r.ok() == by_column[c]);
    if (r.ok()) CHECK_FALSE(std::isnan(out));
    all = all && by_column[c];
  }
  CHECK(m->info().accepts_missing == all);
  return by_column;
}

PreprocessingSpec program(std::vector<OpSpec> ops, std::vector<uint32_t> features) {
  return test::chain(std::move(ops), 3, std::move(features));
}

}  // namespace

TEST_CASE("an imputer makes its columns accept NaN in front of a model that refuses it") {
  auto imp = op(OpSpec::Kind::impute, {0, 1}, 0, 2);
  imp.a = {5, 6};
  auto scale = op(OpSpec::Kind::standardize, {3, 4, 2}, 0, 3);  // imputed a, b, raw c
  scale.b = {2, 2, 2};
  CHECK(accepted(program({imp, scale}, {5, 6, 7})) == std::vector<bool>{true, true, false});
  // Without the imputer nothing accepts NaN.
  auto plain = op(OpSpec::Kind::standardize, {0, 1, 2}, 0, 3);
  plain.b = {2, 2, 2};
  CHECK(accepted(program({plain}, {3, 4, 5})) == std::vector<bool>{false, false, false});
  // Every column imputed: the model accepts missing values.
  auto all = op(OpSpec::Kind::impute, {0, 1, 2}, 0, 3);
  all.a = {1, 2, 3};
  CHECK(accepted(program({all}, {3, 4, 5})) == std::vector<bool>{true, true, true});
  // A column no step reads takes anything.
  CHECK(accepted(program({imp}, {3, 4})) == std::vector<bool>{true, true, true});
}

TEST_CASE("NaN passes a sentinel imputer and a NaN fill, not an indicator") {
  auto sentinel = op(OpSpec::Kind::impute, {0}, 0, 1);
  sentinel.missing_is_nan = false;
  sentinel.missing_value = -1;
  sentinel.a = {0};
  auto nan_fill = op(OpSpec::Kind::impute, {1}, 0, 1);
  nan_fill.a = {nan_};
  auto ind = op(OpSpec::Kind::missing_indicator, {2}, 0, 1);
  CHECK(accepted(program({sentinel, nan_fill, ind}, {3, 4, 5})) == std::vector<bool>{false, false, true});
}

TEST_CASE("NaN through polynomial and normalize steps") {
  auto imp = op(OpSpec::Kind::impute, {2}, 0, 1);  // slot 3
  imp.a = {1};
  // Outputs: a^2, a * c' (c imputed); b appears with power 0 only.
  auto poly = op(OpSpec::Kind::polynomial, {0, 1, 3}, 0, 2);
  poly.powers = {2, 0, 0, 1, 0, 1};
  CHECK(accepted(program({imp, poly}, {4, 5})) == std::vector<bool>{false, true, true});
  // One normalized output reaching the model makes every input refuse NaN.
  auto norm = op(OpSpec::Kind::normalize, {0, 1, 2}, 0, 3);
  CHECK(accepted(program({norm}, {5})) == std::vector<bool>{false, false, false});
}

TEST_CASE("encoders: a missing category or 'ignore' accepts NaN, 'error' refuses it, a NaN code passes it on") {
  auto enc = [](OpSpec::Kind kind, int32_t missing, OpSpec::Unknown unknown) {
    auto o = op(kind, {0}, 0, 0);
    o.category_counts = {missing >= 0 ? 3u : 2u};
    o.numeric_categories = missing >= 0 ? std::vector<double>{1, 2, 0} : std::vector<double>{1, 2};
    o.missing_category = {missing};
    o.unknown = unknown;
    o.n_out = kind == OpSpec::Kind::one_hot ? o.category_counts[0] : 1;
    return o;
  };
  auto rest = op(OpSpec::Kind::impute, {1, 2}, 0, 2);
  rest.a = {0, 0};
  auto with = [&](OpSpec e) -> bool {
    auto p = program({e, rest}, {});
    for (uint32_t s = 3; s < p.n_slots; ++s) p.features.push_back(s);
    return accepted(p)[0];
  };
  using K = OpSpec::Kind;
  using U = OpSpec::Unknown;
  CHECK(with(enc(K::one_hot, 2, U::error)));
  CHECK_FALSE(with(enc(K::one_hot, -1, U::error)));
  CHECK(with(enc(K::one_hot, -1, U::ignore)));
  auto ordinal = enc(K::ordinal, 2, U::error);
  ordinal.missing_encoded = -1;
  CHECK(with(ordinal));
  ordinal.missing_encoded = nan_;  // sklearn's default encoded_missing_value
  CHECK_FALSE(with(ordinal));
  auto use_value = enc(K::ordinal, -1, U::use_value);
  use_value.unknown_value = 7;
  CHECK(with(use_value));
  use_value.unknown_value = nan_;
  CHECK_FALSE(with(use_value));
}

TEST_CASE("missing strings: imputed or encoded with a missing category are accepted") {
  test::TempDir dir;
  PreprocessingSpec p;
  p.string_inputs = {true, true, false};
  auto fill = op(OpSpec::Kind::impute_string, {0}, 3, 1);  // string slot 3
  fill.fill_strings = {"x"};
  auto onehot = op(OpSpec::Kind::one_hot, {3, 1}, 3, 4);
  onehot.string_inputs = true;
  onehot.category_counts = {2, 2};
  onehot.string_categories = {"x", "y", "p", "q"};
  onehot.missing_category = {-1, -1};
  onehot.unknown = OpSpec::Unknown::error;
  auto num = op(OpSpec::Kind::standardize, {2}, 7, 1);
  p.ops = {fill, onehot, num};
  p.n_slots = 8;
  p.n_string_slots = 4;
  p.features = {3, 4, 5, 6, 7};
  REQUIRE(save(dir.file("m"), test::pipeline_description(3, 1, {"s", "t", "u"}), sum_of(5), &p).ok());
  auto m = Model::open(dir.file("m"));
  REQUIRE(m.ok());
  CHECK(m->info().accepts_missing_by_column == std::vector<bool>{true, false, false});
  CHECK_FALSE(m->info().accepts_missing);
  const std::string_view s[] = {""}, t[] = {"p"};
  const bool missing[] = {true};
  const double u[] = {1.0};
  Table table(1);
  REQUIRE(table.add_strings("s", s, missing).ok());
  REQUIRE(table.add_strings("t", t).ok());
  REQUIRE(table.add_numeric("u", u).ok());
  double out = 0;
  CHECK(m->predict(table, &out).ok());
  Table refused(1);
  REQUIRE(refused.add_strings("s", t).ok());
  REQUIRE(refused.add_strings("t", s, missing).ok());
  REQUIRE(refused.add_numeric("u", u).ok());
  CHECK(m->predict(refused, &out).code() == error_code::unknown_category);
}

TEST_CASE("without preprocessing the predictor decides for every column") {
  test::TempDir dir;
  for (auto sample : {test::Sample::boosted_binary, test::Sample::forest_classifier}) {
    REQUIRE(test::save_sample(dir.file("m"), sample).ok());
    auto m = Model::open(dir.file("m"));
    REQUIRE(m.ok());
    const bool routes = sample == test::Sample::boosted_binary;  // it learned missing routing
    CHECK(m->info().accepts_missing == routes);
    CHECK(m->info().accepts_missing_by_column == std::vector<bool>(6, routes));
  }
}
