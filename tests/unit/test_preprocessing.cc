// The preprocessing program, step by step: each kind of op computed by hand
// and compared with what a model returns (an identity linear layer exposes
// the predictor's features), through the matrix and the Table APIs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "corrupt.hpp"
#include "support.hpp"

using namespace mlmap;

namespace {

const double nan_ = std::numeric_limits<double>::quiet_NaN();

using test::identity;
using test::op;

ModelDescription describe(size_t n_inputs, size_t n_outputs, std::vector<std::string> names) {
  return test::pipeline_description(n_inputs, n_outputs, std::move(names));
}

Model open(const std::string& path) {
  auto m = Model::open(path, {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  return *m;
}

void check_row(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    if (std::isnan(want[i]))
      CHECK(std::isnan(got[i]));
    else
      CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-15));
  }
}

}  // namespace

TEST_CASE("numeric steps compute what sklearn's transformers compute") {
  test::TempDir dir;
  // inputs: a, b, c (slots 0..2)
  PreprocessingSpec p;
  uint32_t next = 3;
  auto add = [&](OpSpec o) {
    o.out_begin = next;
    next += o.n_out;
    p.ops.push_back(o);
    return o.out_begin;
  };
  auto imp = op(OpSpec::Kind::impute, {0, 1, 2}, 0, 3);
  imp.a = {10, 20, 30};
  const uint32_t imputed = add(imp);                       // 3..5
  auto ind = op(OpSpec::Kind::missing_indicator, {0, 2}, 0, 2);
  const uint32_t indicators = add(ind);                    // 6..7
  auto std_ = op(OpSpec::Kind::standardize, {imputed, imputed + 1}, 0, 2);
  std_.a = {1, 2};
  std_.b = {2, 4};
  const uint32_t standardized = add(std_);                 // 8..9
  auto mm = op(OpSpec::Kind::min_max, {imputed + 2}, 0, 1);
  mm.a = {0.5};
  mm.b = {-1};
  mm.clip = true;
  mm.clip_low = -1;
  mm.clip_high = 1;
  const uint32_t minmax = add(mm);                         // 10
  auto ma = op(OpSpec::Kind::max_abs, {imputed}, 0, 1);
  ma.a = {4};
  const uint32_t maxabs = add(ma);                         // 11
  auto nl2 = op(OpSpec::Kind::normalize, {imputed, imputed + 1}, 0, 2);
  const uint32_t l2 = add(nl2);                            // 12..13
  auto nl1 = op(OpSpec::Kind::normalize, {imputed, imputed + 1}, 0, 2);
  nl1.norm = OpSpec::Norm::l1;
  const uint32_t l1 = add(nl1);                            // 14..15
  auto poly = op(OpSpec::Kind::polynomial, {imputed, imputed + 1}, 0, 4);
  poly.powers = {0, 0, 1, 0, 1, 1, 0, 2};  // 1, a, ab, b^2
  const uint32_t polys = add(poly);                        // 16..19
  auto sentinel = op(OpSpec::Kind::impute, {imputed + 1}, 0, 1);
  sentinel.missing_is_nan = false;
  sentinel.missing_value = -1;
  sentinel.a = {99};
  const uint32_t sentinels = add(sentinel);                // 20
  p.n_slots = next;
  p.n_string_slots = 3;
  for (uint32_t s = imputed; s < next; ++s) p.features.push_back(s);
  const size_t nf = p.features.size();
  REQUIRE(save(dir.file("p"), describe(3, nf, {"a", "b", "c"}), identity(nf), &p).ok());
  Model m = open(dir.file("p"));
  CHECK(m.info().preprocessing.n_steps == p.ops.size());
  CHECK(m.info().preprocessing.n_predictor_features == nf);

  auto features = [&](double a, double b, double c) {
    const double row[3] = {a, b, c};
    std::vector<double> out(nf);
    REQUIRE(m.predict(row, 1, out.data()).ok());
    return out;
  };
  auto expect = [&](double a, double b, double c) {
    const double ia = std::isnan(a) ? 10 : a, ib = std::isnan(b) ? 20 : b, ic = std::isnan(c) ? 30 : c;
    std::vector<double> f = {ia, ib, ic, std::isnan(a) ? 1.0 : 0.0, std::isnan(c) ? 1.0 : 0.0, (ia - 1) / 2, (ib - 2) / 4,
                             std::min(1.0, std::max(-1.0, ic * 0.5 - 1)), ia / 4};
    const double n2 = std::sqrt(ia * ia + ib * ib), n1 = std::fabs(ia) + std::fabs(ib);
    f.push_back(n2 ? ia / n2 : ia);
    f.push_back(n2 ? ib / n2 : ib);
    f.push_back(n1 ? ia / n1 : ia);
    f.push_back(n1 ? ib / n1 : ib);
    f.insert(f.end(), {1.0, ia, ia * ib, ib * ib});
    f.push_back(ib == -1 ? 99 : ib);
    return f;
  };
  const double rows[][3] = {{1, 2, 3}, {nan_, 5, nan_}, {0, 0, 0}, {-3, -1, 7}, {2.5, nan_, -9}, {1e6, 1e-6, 0.25}};
  for (const auto& row : rows) {
    CAPTURE(row[0]);
    CAPTURE(row[1]);
    check_row(features(row[0], row[1], row[2]), expect(row[0], row[1], row[2]));
  }
  (void)indicators, (void)standardized, (void)minmax, (void)maxabs, (void)l2, (void)l1, (void)polys, (void)sentinels;
}

TEST_CASE("encoders over string and numeric columns, through a Table") {
  test::TempDir dir;
  // inputs: city (string), size (numeric), colour (string)
  PreprocessingSpec p;
  p.string_inputs = {true, false, true};
  auto fill = op(OpSpec::Kind::impute_string, {2}, 3, 1);   // string slot 3
  fill.fill_strings = {"grey"};
  auto onehot = op(OpSpec::Kind::one_hot, {0, 3}, 3, 0);
  onehot.string_inputs = true;
  onehot.category_counts = {3, 2};
  onehot.string_categories = {"Berlin", "Lyon", "", "blue", "grey"};  // city: missing category last
  onehot.missing_category = {2, -1};
  onehot.drop = {-1, 0};                                    // colour: drop 'blue'
  onehot.unknown = OpSpec::Unknown::ignore;
  onehot.n_out = 3 + 1;                                     // slots 3..6
  auto ordinal = op(OpSpec::Kind::ordinal, {1}, 7, 1);      // size: categories 1, 5, 10 given as 10, 1, 5
  ordinal.category_counts = {3};
  ordinal.numeric_categories = {1, 5, 10};
  ordinal.category_order = {1, 2, 0};
  ordinal.missing_category = {-1};
  ordinal.unknown = OpSpec::Unknown::use_value;
  ordinal.unknown_value = -1;
  p.ops = {fill, onehot, ordinal};
  p.n_slots = 8;
  p.n_string_slots = 4;
  p.features = {3, 4, 5, 6, 7};
  REQUIRE(save(dir.file("e"), describe(3, 5, {"city", "size", "colour"}), identity(5), &p).ok());
  Model m = open(dir.file("e"));
  CHECK(m.info().preprocessing.needs_strings);

  const std::string_view city[] = {"Lyon", "Paris", "", "Berlin"};
  const bool city_missing[] = {false, false, true, false};
  const double size[] = {5, 10, 7, NAN};
  const std::string_view colour[] = {"grey", "", "blue", "red"};
  const bool colour_missing[] = {false, true, false, false};
  Table t(4);
  REQUIRE(t.add_strings("colour", colour, colour_missing).ok());  // any order
  REQUIRE(t.add_numeric("size", size).ok());
  REQUIRE(t.add_strings("city", city, city_missing).ok());
  REQUIRE(t.add_numeric("extra", size).ok());                      // ignored
  std::vector<double> out(4 * 5);
  REQUIRE(m.predict(t, out.data()).ok());
  const std::vector<double> want = {
      0, 1, 0, 1, 2,    // Lyon, grey, size 5 -> sklearn position 2
      0, 0, 0, 1, 0,    // unknown city ignored, missing colour filled 'grey', size 10 -> position 0
      0, 0, 1, 0, -1,   // missing city -> its category, blue dropped, size 7 unknown -> -1
      1, 0, 0, 0, -1};  // Berlin, unknown colour ignored, NaN size unknown -> -1
  check_row(out, want);

  SUBCASE("a matrix cannot feed string columns") {
    const double X[3] = {0, 1, 2};
    auto st = m.predict(X, 1, out.data());
    CHECK(st.code() == error_code::invalid_argument);
    CHECK(st.message().find("'city'") != std::string::npos);
  }
  SUBCASE("missing and mistyped columns") {
    Table bad(4);
    REQUIRE(bad.add_numeric("size", size).ok());
    auto st = m.predict(bad, out.data());
    CHECK(st.code() == error_code::feature_count_mismatch);
    CHECK(st.message().find("'city'") != std::string::npos);
    Table typed(4);
    REQUIRE(typed.add_numeric("city", size).ok());
    REQUIRE(typed.add_numeric("size", size).ok());
    REQUIRE(typed.add_strings("colour", colour, colour_missing).ok());
    CHECK(m.predict(typed, out.data()).code() == error_code::invalid_argument);
  }
  SUBCASE("handle_unknown='error' names the column and the value") {
    p.ops[1].unknown = OpSpec::Unknown::error;
    REQUIRE(save(dir.file("strict"), describe(3, 5, {"city", "size", "colour"}), identity(5), &p).ok());
    Model strict = open(dir.file("strict"));
    auto st = strict.predict(t, out.data());
    CHECK(st.code() == error_code::unknown_category);
    CHECK(st.message().find("row 1") != std::string::npos);
    CHECK(st.message().find("column 'city'") != std::string::npos);
    CHECK(st.message().find("'Paris'") != std::string::npos);
  }
  SUBCASE("after an imputer the error still names the input column") {
    p.ops[1].unknown = OpSpec::Unknown::error;
    const std::string_view colour2[] = {"grey", "", "blue", "purple"};
    const bool none[] = {false, true, false, false};
    const std::string_view known_city[] = {"Lyon", "Lyon", "Lyon", "Lyon"};
    Table t2(4);
    REQUIRE(t2.add_strings("colour", colour2, none).ok());
    REQUIRE(t2.add_numeric("size", size).ok());
    REQUIRE(t2.add_strings("city", known_city).ok());
    REQUIRE(save(dir.file("strict2"), describe(3, 5, {"city", "size", "colour"}), identity(5), &p).ok());
    Model strict = open(dir.file("strict2"));
    auto st = strict.predict(t2, out.data());
    CHECK(st.code() == error_code::unknown_category);
    CHECK_MESSAGE(st.message().find("column 'colour'") != std::string::npos, st.message());
    CHECK(st.message().find("'purple'") != std::string::npos);
  }
}

TEST_CASE("malformed programs are refused when written (and so at open)") {
  test::TempDir dir;
  PreprocessingSpec p;
  auto s = op(OpSpec::Kind::standardize, {0, 1}, 2, 2);
  s.a = {0, 0};
  s.b = {1, 1};
  p.ops = {s};
  p.n_slots = 4;
  p.n_string_slots = 2;
  p.features = {2, 3};
  auto d = describe(2, 2, {"a", "b"});
  REQUIRE(save(dir.file("ok"), d, identity(2), &p).ok());

  auto refused = [&](PreprocessingSpec bad, const char* phrase) {
    auto dd = describe(2, bad.features.size(), {"a", "b"});
    auto st = save(dir.file("bad"), dd, identity(bad.features.size()), &bad);
    CHECK(st.code() == error_code::invalid_model);
    CHECK_MESSAGE(st.message().find(phrase) != std::string::npos, st.message());
    CHECK_FALSE(test::file_exists(dir.file("bad")));
  };
  {
    auto bad = p;
    bad.ops[0].inputs = {0, 3};
    refused(bad, "before it is written");
  }
  {
    auto bad = p;
    bad.ops[0].out_begin = 3;
    refused(bad, "next free slot");
  }
  {
    auto bad = p;
    bad.ops[0].b = {1};
    refused(bad, "scale has 1 values");
  }
  {
    auto bad = p;
    bad.features = {2, 9};
    refused(bad, "reads slot 9");
  }
  {
    auto bad = p;
    bad.ops[0].kind = OpSpec::Kind::one_hot;
    bad.ops[0].category_counts = {2, 2};
    bad.ops[0].numeric_categories = {2, 1, 0, 1};
    bad.ops[0].missing_category = {-1, -1};
    bad.ops[0].n_out = 4;
    bad.n_slots = 6;
    bad.features = {2, 3, 4, 5};
    refused(bad, "not strictly increasing");
  }
}

TEST_CASE("an op's parameter columns are checked at open (FORMAT.md §7.1)") {
  test::TempDir dir;
  // No kind of this version takes parameter columns: a step that carries one
  // is refused, naming the step and the counts.
  REQUIRE(test::save_op_column_sample(dir.file("m")).ok());
  auto m = Model::open(dir.file("m"));
  REQUIRE_FALSE(m.ok());
  CHECK(m.code() == error_code::invalid_model);
  CHECK_MESSAGE(m.message().find("preprocessing step 0 (standardize): refers to 1 parameter columns, a standardize "
                                 "step takes 0") != std::string::npos,
                m.message());
  // The public writer refuses to write it.
  PreprocessingSpec p;
  auto s = op(OpSpec::Kind::standardize, {0, 1}, 2, 2);
  s.columns = {{"extra", {1.0, 2.0}, {}}};
  p.ops = {s};
  p.n_slots = 4;
  p.n_string_slots = 2;
  p.features = {2, 3};
  auto st = save(dir.file("w"), describe(2, 2, {"a", "b"}), identity(2), &p);
  CHECK(st.code() == error_code::invalid_model);
  CHECK_FALSE(test::file_exists(dir.file("w")));
}

TEST_CASE("None, NaN and other non-strings in string columns (none_category, string_missing)") {
  test::TempDir dir;
  // city: 'Lyon', 'Paris', None, NaN (scikit-learn's categories_ order:
  // sorted strings, None, NaN); an ordinal encoder over it after an imputer
  // that fills only NaN (missing_values=nan leaves None alone).
  PreprocessingSpec p;
  p.string_inputs = {true};
  auto fill = op(OpSpec::Kind::impute_string, {0}, 1, 1);
  fill.fill_strings = {"Paris"};
  fill.string_missing = StringMissing::nan_only;
  auto ordinal = op(OpSpec::Kind::ordinal, {0, 1}, 1, 2);
  ordinal.string_inputs = true;
  ordinal.category_counts = {4, 3};
  ordinal.string_categories = {"Lyon", "Paris", "", "", "Lyon", "Paris", ""};
  ordinal.missing_category = {3, -1};
  ordinal.none_category = {2, 2};
  ordinal.unknown = OpSpec::Unknown::use_value;
  ordinal.unknown_value = -1;
  ordinal.missing_encoded = -2;
  p.ops = {fill, ordinal};
  p.n_slots = 3;
  p.n_string_slots = 2;
  p.features = {1, 2};
  REQUIRE(save(dir.file("m"), describe(1, 2, {"city"}), identity(2), &p).ok());
  Model m = open(dir.file("m"));

  using Cell = Table::Cell;
  const std::string_view city[] = {"Lyon", "", "", "", "Rome"};
  const Cell cells[] = {Cell::value, Cell::none, Cell::nan, Cell::other, Cell::value};
  Table t(4);  // pandas.NA (other) is refused by the imputer: first 4 rows without it, then it
  const Cell first[] = {Cell::value, Cell::none, Cell::nan, Cell::value};
  const std::string_view first_city[] = {"Lyon", "", "", "Rome"};
  REQUIRE(t.add_string_cells("city", first_city, first).ok());
  std::vector<double> out(4 * 2);
  REQUIRE(m.predict(t, out.data()).ok());
  // raw column: Lyon 0, None 2, NaN -2 (missing_encoded), Rome unknown -1;
  // imputed: Lyon 0, None 2 (passed through), NaN filled Paris 1, Rome -1
  check_row(out, {0, 0, 2, 2, -2, 1, -1, -1});

  Table with_na(5);
  REQUIRE(with_na.add_string_cells("city", city, cells).ok());
  std::vector<double> out5(5 * 2);
  auto st = m.predict(with_na, out5.data());
  CHECK(st.code() == error_code::invalid_argument);
  CHECK_MESSAGE(st.message().find("row 3") != std::string::npos, st.message());
  CHECK_MESSAGE(st.message().find("pandas.NA") != std::string::npos, st.message());

  SUBCASE("only None filled: NaN is refused") {
    p.ops[0].string_missing = StringMissing::none_only;
    REQUIRE(save(dir.file("none"), describe(1, 2, {"city"}), identity(2), &p).ok());
    auto st2 = open(dir.file("none")).predict(t, out.data());
    CHECK(st2.code() == error_code::missing_value);
    CHECK_MESSAGE(st2.message().find("row 2") != std::string::npos, st2.message());
  }
  SUBCASE("a file without none_category takes None as missing (files before it)") {
    p.ops[0].string_missing = StringMissing::nan_or_none;
    p.ops[1].none_category.clear();
    p.ops[1].category_counts = {3, 2};
    p.ops[1].string_categories = {"Lyon", "Paris", "", "Lyon", "Paris"};
    p.ops[1].missing_category = {2, -1};
    REQUIRE(save(dir.file("old"), describe(1, 2, {"city"}), identity(2), &p).ok());
    Model old = open(dir.file("old"));
    REQUIRE(old.predict(t, out.data()).ok());
    check_row(out, {0, 0, -2, 1, -2, 1, -1, -1});
  }
  SUBCASE("malformed none_category is refused") {
    auto bad = p;
    bad.ops[1].none_category = {3, 2};  // the missing one's place
    CHECK(save(dir.file("bad"), describe(1, 2, {"city"}), identity(2), &bad).code() == error_code::invalid_model);
    bad.ops[1].none_category = {2};     // one per input
    CHECK(save(dir.file("bad"), describe(1, 2, {"city"}), identity(2), &bad).code() == error_code::invalid_model);
    bad = p;
    bad.ops[1].string_inputs = false;   // None is a string input's
    bad.ops[1].numeric_categories = {1, 2, 3, 4, 1, 2, 3};
    CHECK(save(dir.file("bad"), describe(1, 2, {"city"}), identity(2), &bad).code() == error_code::invalid_model);
    CHECK_FALSE(test::file_exists(dir.file("bad")));
  }
}
