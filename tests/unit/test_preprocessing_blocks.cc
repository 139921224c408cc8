// The preprocessing runs over blocks of rows, op by op: batches give the
// same bits as rows one at a time, and an error names the first failing row
// (and in it the first failing step, then the first failing input) wherever
// it falls among blocks, steps and threads.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "support.hpp"

using namespace mlmap;

namespace {

const double nan_ = std::numeric_limits<double>::quiet_NaN();

OpSpec encoder(OpSpec::Kind kind, uint32_t input, uint32_t out_begin, std::vector<double> categories) {
  const auto n = static_cast<uint32_t>(categories.size());
  OpSpec o = test::op(kind, {input}, out_begin, kind == OpSpec::Kind::one_hot ? n : 1);
  o.category_counts = {n};
  o.numeric_categories = std::move(categories);
  o.missing_category = {-1};
  o.unknown = OpSpec::Unknown::error;
  return o;
}

// Inputs a, b, c: a scaled (NaN passes to a linear model, which refuses it),
// b one-hot and c ordinal, both refusing unknown values; the one-hot runs
// first.
Model strict_model(const test::TempDir& dir) {
  auto scale = test::op(OpSpec::Kind::standardize, {0}, 0, 1);
  scale.b = {2};
  const auto p = test::chain(
      {encoder(OpSpec::Kind::one_hot, 1, 0, {0, 1, 2}), encoder(OpSpec::Kind::ordinal, 2, 0, {5, 6}), scale}, 3);
  REQUIRE(save(dir.file("strict"), test::pipeline_description(3, 1, {"a", "b", "c"}), test::one_layer(5, {1, 2, 3, 4, 5}),
               &p)
              .ok());
  auto m = Model::open(dir.file("strict"));
  REQUIRE(m.ok());
  return *m;
}

}  // namespace

TEST_CASE("a batch gives the bits of its rows predicted one at a time") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("p"), test::Sample::pipeline).ok());
  auto m = Model::open(dir.file("p"), {true, false});
  REQUIRE(m.ok());
  std::mt19937_64 rng(7);
  const size_t n = 1500, nf = 6;
  auto X = test::random_rows(rng, n, nf, 0.1);
  for (size_t r = 0; r < n; ++r) X[r * nf + 5] = std::floor(X[r * nf + 5]) + 1;  // some known one-hot codes
  for (int threads : {1, 2}) {
    std::vector<double> batch(n);
    PredictOptions o;
    o.n_threads = threads;
    REQUIRE(m->predict(X.data(), n, batch.data(), o).ok());
    for (size_t r = 0; r < n; ++r) {
      double one = 0;
      REQUIRE(m->predict(X.data() + r * nf, 1, &one).ok());
      CHECK(std::memcmp(&one, &batch[r], sizeof one) == 0);
    }
  }
}

TEST_CASE("an error names the first failing row, then step, then input, across blocks and threads") {
  test::TempDir dir;
  Model m = strict_model(dir);
  const size_t n = 3000;
  auto rows = [&] {
    std::vector<double> X(3 * n);
    for (size_t r = 0; r < n; ++r) {
      X[3 * r] = static_cast<double>(r % 7);
      X[3 * r + 1] = static_cast<double>(r % 3);
      X[3 * r + 2] = 5 + static_cast<double>(r % 2);
    }
    return X;
  };
  std::vector<double> out(n);
  REQUIRE(m.predict(rows().data(), n, out.data()).ok());
  auto error = [&](const std::vector<double>& X) {
    std::string messages[2];
    error_code codes[2];
    for (int t = 0; t < 2; ++t) {
      PredictOptions o;
      o.n_threads = t + 1;
      auto st = m.predict(X.data(), n, out.data(), o);
      codes[t] = st.code();
      messages[t] = st.message();
    }
    CHECK(codes[0] == codes[1]);
    CHECK(messages[0] == messages[1]);
    return std::make_pair(codes[0], messages[0]);
  };
  auto starts = [](const std::pair<error_code, std::string>& e, error_code code, const std::string& text) {
    CHECK(e.first == code);
    CHECK_MESSAGE(e.second.rfind(text, 0) == 0, e.second);
  };
  for (size_t row : {size_t{0}, size_t{255}, size_t{256}, size_t{1023}, size_t{1024}, size_t{2999}}) {
    CAPTURE(row);
    auto X = rows();
    X[3 * row + 1] = 9;  // b unknown
    starts(error(X), error_code::unknown_category, "row " + std::to_string(row) + ": column 'b' has category 9,");
    X = rows();
    X[3 * row] = nan_;  // a NaN reaches the linear model
    starts(error(X), error_code::missing_value, "row " + std::to_string(row) + ": the predictor's feature 4 (from input column 'a') is NaN");
  }
  {  // a later step failing at an earlier row
    auto X = rows();
    X[3 * 1500 + 1] = 9;
    X[3 * 700 + 2] = 7;
    starts(error(X), error_code::unknown_category, "row 700: column 'c' has category 7,");
  }
  {  // both steps failing at one row: the first step's error
    auto X = rows();
    X[3 * 900 + 1] = nan_;
    X[3 * 900 + 2] = 7;
    starts(error(X), error_code::unknown_category, "row 900: column 'b' has a missing value (NaN),");
  }
  {  // a NaN feature before an unknown category, in one block and across blocks
    for (size_t unknown_row : {size_t{601}, size_t{2000}}) {
      auto X = rows();
      X[3 * 600] = nan_;
      X[3 * unknown_row + 1] = 9;
      starts(error(X), error_code::missing_value, "row 600: the predictor's feature 4 (from input column 'a') is NaN");
    }
  }
  {  // an unknown category before a NaN feature, and at the same row (its steps fail first)
    for (size_t nan_row : {size_t{601}, size_t{600}}) {
      auto X = rows();
      X[3 * nan_row] = nan_;
      X[3 * 600 + 1] = 9;
      starts(error(X), error_code::unknown_category, "row 600: column 'b' has category 9,");
    }
  }
}

TEST_CASE("features judged unable to hold NaN never do: infinities, zero and infinite parameters") {
  // Every numeric kind, some with parameters that turn infinities or zeros
  // into NaN, in front of an identity layer that refuses NaN.  A NaN feature
  // that the check skipped would come out as a NaN output.
  test::TempDir dir;
  using K = OpSpec::Kind;
  auto op = [](K kind, std::vector<uint32_t> in, uint32_t n_out) { return test::op(kind, std::move(in), 0, n_out); };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<OpSpec> ops;
  auto impute = op(K::impute, {0, 1, 2}, 3);
  impute.a = {1, nan_, 0};
  ops.push_back(impute);
  auto standardize = op(K::standardize, {3, 4, 5, 5, 5}, 5);
  standardize.a = {0, 1, inf, 0, 2};
  standardize.b = {2, 3, 1, 0, inf};
  ops.push_back(standardize);
  auto min_max = op(K::min_max, {3, 3, 5, 3}, 4);
  min_max.a = {2, 0, inf, 1};
  min_max.b = {1, 1, 0, -inf};
  min_max.clip = true;
  min_max.clip_low = -1;
  min_max.clip_high = 1;
  ops.push_back(min_max);
  auto max_abs = op(K::max_abs, {3, 5}, 2);
  max_abs.a = {4, 0};
  ops.push_back(max_abs);
  auto poly = op(K::polynomial, {3, 5}, 2);
  poly.powers = {1, 1, 2, 0};
  ops.push_back(poly);
  ops.push_back(op(K::normalize, {3, 5}, 2));
  auto ordinal = op(K::ordinal, {5, 5}, 2);
  ordinal.category_counts = {2, 2};
  ordinal.numeric_categories = {0, 1, 0, 1};
  ordinal.missing_category = {-1, -1};
  ordinal.unknown = OpSpec::Unknown::use_value;
  ordinal.unknown_value = nan_;
  ops.push_back(ordinal);
  auto p = test::chain(ops, 3);
  const uint32_t next = p.n_slots;
  // One model per feature, through a 1 x 1 identity layer (a wider identity
  // would multiply infinities by zero).
  const auto net = test::identity(1);
  const auto d = test::pipeline_description(3, 1);
  const double values[] = {0.0, -0.0, 1.0, -2.5, 1e308, -1e308, inf, -inf, nan_};
  size_t refused = 0, answered = 0;
  for (uint32_t s = 3; s < next; ++s) {
    CAPTURE(s);
    p.features = {s};
    REQUIRE(save(dir.file("m"), d, net, &p).ok());
    auto m = Model::open(dir.file("m"));
    REQUIRE(m.ok());
    for (double a : values)
      for (double b : values)
        for (double c : values) {
          const double row[3] = {a, b, c};
          double out = 0;
          auto st = m->predict(row, 1, &out);
          if (!st) {
            CHECK(st.code() == error_code::missing_value);
            ++refused;
            continue;
          }
          ++answered;
          CHECK_FALSE(std::isnan(out));
        }
  }
  CHECK(refused > 0);
  CHECK(answered > 0);
}

TEST_CASE("a one-hot encoder writes the same features straight into the rows as through its slots") {
  // A: the one-hot outputs go only to the predictor (written directly).  B:
  // a later step also reads them.  C: one of them is a feature twice.  The
  // features must be the same bits.
  test::TempDir dir;
  auto model = [&](const char* name, bool read_later, bool twice) {
    PreprocessingSpec p;
    OpSpec hot;
    hot.kind = OpSpec::Kind::one_hot;
    hot.inputs = {0, 1};
    hot.out_begin = 2;
    hot.category_counts = {4, 3};
    hot.numeric_categories = {-1, 0, 2, 3, 1, 5, 0};
    hot.missing_category = {-1, 2};
    hot.category_order = {2, 0, 3, 1, 1, 2, 0};
    hot.drop = {-1, 1};
    hot.unknown = OpSpec::Unknown::ignore;
    hot.n_out = 4 + 2;  // slots 2..7
    p.ops = {hot};
    p.n_slots = 8;
    if (read_later) {
      OpSpec copy;
      copy.kind = OpSpec::Kind::standardize;
      copy.inputs = {2, 3};
      copy.out_begin = 8;
      copy.n_out = 2;
      p.ops.push_back(copy);
      p.n_slots = 10;
    }
    p.n_string_slots = 2;
    p.features = {2, 3, 4, 5, 6, 7};
    if (twice) p.features.push_back(4);
    const size_t nf = p.features.size();
    std::vector<double> bits;  // features as bits
    for (size_t k = 0; k < nf; ++k) bits.push_back(std::ldexp(1.0, static_cast<int>(k)));
    REQUIRE(save(dir.file(name), test::pipeline_description(2, 1), test::one_layer(nf, bits), &p).ok());
    auto m = Model::open(dir.file(name));
    REQUIRE(m.ok());
    return *m;
  };
  Model a = model("a", false, false), b = model("b", true, false), c = model("c", false, true);
  std::mt19937_64 rng(9);
  const size_t n = 777;
  std::vector<double> X(2 * n);
  for (auto& v : X) v = rng() % 11 == 0 ? nan_ : static_cast<double>(rng() % 8) - 2;
  std::vector<double> ya(n), yb(n), yc(n);
  REQUIRE(a.predict(X.data(), n, ya.data()).ok());
  REQUIRE(b.predict(X.data(), n, yb.data()).ok());
  REQUIRE(c.predict(X.data(), n, yc.data()).ok());
  for (size_t i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(ya[i] == yb[i]);
    // C has feature 2 (weight 4 in A) again, at weight 64.
    CHECK(yc[i] - ya[i] == 64.0 * static_cast<double>((static_cast<int64_t>(ya[i]) >> 2) & 1));
    double one = 0;
    REQUIRE(a.predict(X.data() + 2 * i, 1, &one).ok());
    CHECK(one == ya[i]);
  }
}

TEST_CASE("a program of imputers and scalers runs along matrix rows with the bits of its blocks") {
  // Imputer, standardizer, clipped min-max, max-abs on five inputs, features
  // in another order and one twice: matrix rows take the row map, a Table
  // with the same columns the blocks.  An identity layer hands the features
  // out; they must be the same bits, for float and double rows, and a NaN
  // feature (a NaN fill) must be refused naming the same row and feature.
  test::TempDir dir;
  using K = OpSpec::Kind;
  auto model = [&](const char* name, double fill0) {
    auto impute = test::op(K::impute, {0, 1, 2, 3, 4}, 5, 5);
    impute.a = {fill0, -1, 0.5, 2, 3};
    auto scale = test::op(K::standardize, {5, 6, 7, 8, 9}, 10, 5);
    scale.a = {0.25, -3, 1, 0, 7};
    scale.b = {3, 0.1, 7, 1e-3, 2};
    auto min_max = test::op(K::min_max, {10, 11, 12, 13, 14}, 15, 5);
    min_max.a = {2, 0.5, -1, 3, 1};
    min_max.b = {1, -0.25, 0, 0.5, 2};
    min_max.clip = true;
    min_max.clip_low = -4;
    min_max.clip_high = 5;
    auto max_abs = test::op(K::max_abs, {15, 16, 17, 18, 19}, 20, 5);
    max_abs.a = {4, 3, 0.5, 9, 6};
    auto p = test::chain({impute, scale, min_max, max_abs}, 5);
    p.features = {22, 20, 24, 21, 23, 20};
    REQUIRE(save(dir.file(name), test::pipeline_description(5, 6, {"a", "b", "c", "d", "e"}), test::identity(6), &p)
                .ok());
    auto m = Model::open(dir.file(name));
    REQUIRE(m.ok());
    return *m;
  };
  Model m = model("rows", 1.5);
  std::mt19937_64 rng(21);
  const size_t n = 1000, nf = 5, pw = 6;
  const std::vector<float> Xf = test::random_rows(rng, n, nf, 0.1);
  std::vector<double> X(Xf.size());  // doubles that no float holds
  for (size_t i = 0; i < X.size(); ++i) X[i] = std::isnan(Xf[i]) ? nan_ : Xf[i] * (1 + 1e-12 * static_cast<double>(i % 7));
  std::vector<std::vector<double>> columns(nf, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < nf; ++c) columns[c][i] = X[i * nf + c];
  Table t(n);
  const char* names[] = {"a", "b", "c", "d", "e"};
  for (size_t c = 0; c < nf; ++c) REQUIRE(t.add_numeric(names[c], columns[c].data()).ok());
  std::vector<double> by_rows(n * pw), by_rows_f(n * pw), by_blocks(n * pw);
  REQUIRE(m.predict(X.data(), n, by_rows.data()).ok());
  REQUIRE(m.predict(t, by_blocks.data()).ok());
  CHECK(std::memcmp(by_rows.data(), by_blocks.data(), n * pw * sizeof(double)) == 0);
  // Float rows: the blocks of their widened values.
  for (size_t c = 0; c < nf; ++c)
    for (size_t i = 0; i < n; ++i) columns[c][i] = static_cast<double>(Xf[i * nf + c]);
  REQUIRE(m.predict(Xf.data(), n, by_rows_f.data()).ok());
  REQUIRE(m.predict(t, by_blocks.data()).ok());
  CHECK(std::memcmp(by_rows_f.data(), by_blocks.data(), n * pw * sizeof(double)) == 0);

  Model refuses = model("nan", nan_);  // column a's missing values stay NaN
  for (size_t c = 0; c < nf; ++c)
    for (size_t i = 0; i < n; ++i) columns[c][i] = X[i * nf + c];
  auto by_matrix = refuses.predict(X.data(), n, by_rows.data());
  auto by_table = refuses.predict(t, by_blocks.data());
  REQUIRE_FALSE(by_matrix.ok());
  REQUIRE_FALSE(by_table.ok());
  CHECK(by_matrix.code() == error_code::missing_value);
  CHECK(by_matrix.message() == by_table.message());
  MESSAGE(by_matrix.message());
}
