// tools/common: the header rule, the column matching, CSV rows into a Batch
// (numeric and string models), and the request limits — the pieces the CLI
// and the server share.  End to end they are tested by tests/cli and
// tests/server; here each rule on its own, with models described by hand.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.hpp"
#include "common/columns.hpp"
#include "common/csv.hpp"
#include "common/csv_rows.hpp"
#include "common/request_rows.hpp"

using namespace mlmap;
using namespace mlmap::tools;

namespace {

ModelInfo numeric_model(bool named, bool accepts_missing = false) {
  ModelInfo info;
  info.estimator = "test.Numeric";
  info.n_features = 3;
  if (named) info.feature_names = {"a", "b", "c"};
  info.accepts_missing = accepts_missing;
  info.string_inputs.assign(3, false);
  return info;
}

// Column "city" is a string input (so the model has preprocessing).
ModelInfo string_model() {
  ModelInfo info = numeric_model(true);
  info.feature_names = {"city", "a", "b"};
  info.string_inputs = {true, false, false};
  info.preprocessing.n_steps = 1;
  return info;
}

std::vector<std::string_view> fields(std::initializer_list<std::string_view> f) { return f; }

// Reads all of `text` in chunks of two rows; "" or the error.
std::string read_csv(const std::string& text, const ModelInfo& info, Batch& batch) {
  auto csv = CsvReader::from_text(text, "in.csv");
  CsvRows rows(*csv, info);
  std::string error;
  size_t before = 0;
  do {
    before = batch.n_rows();
    if (!rows.read(batch, 2, error)) return error;
  } while (batch.n_rows() - before == 2);
  return "";
}

}  // namespace

TEST_CASE("the first record is a header when a field is not a number, or always for string models") {
  const auto numeric = numeric_model(true);
  CHECK_FALSE(first_record_is_header(fields({"1", "-2e3", "+4"}), numeric));
  CHECK_FALSE(first_record_is_header(fields({"", "NA", "nan"}), numeric));  // missing tokens are numbers
  CHECK(first_record_is_header(fields({"a", "1", "2"}), numeric));
  CHECK(first_record_is_header(fields({"1", "2", "3"}), string_model()));
}

TEST_CASE("header columns are matched by name; a missing or repeated one is named") {
  const auto info = numeric_model(true);
  std::vector<size_t> source;
  std::string error;
  REQUIRE(match_header(fields({"x", "c", "a", "b"}), info, "in.csv line 1", source, error));
  CHECK(source == std::vector<size_t>{2, 3, 1});
  CHECK_FALSE(match_header(fields({"a", "x"}), info, "in.csv line 1", source, error));
  CHECK(error == "in.csv line 1: the header lacks the model's feature columns 'b', 'c'");
  CHECK_FALSE(match_header(fields({"a", "b", "c", "a"}), info, "in.csv line 1", source, error));
  CHECK(error == "in.csv line 1: the header has column 'a' more than once");
  CHECK(model_takes(info) == "the model takes 3 features: 'a', 'b', 'c'");
  CHECK(feature_label(info, 1) == "feature 1 ('b')");
}

TEST_CASE("missing values are refused early only where nothing could handle them") {
  CHECK(refuses_missing(numeric_model(true)));
  CHECK_FALSE(refuses_missing(numeric_model(true, /*accepts_missing=*/true)));
  CHECK_FALSE(refuses_missing(string_model()));  // preprocessing may impute
  const auto info = numeric_model(true);
  Batch batch(info);
  CHECK(read_csv("a,b,c\n1,2,3\n4,NA,6\n", info, batch) ==
        "in.csv line 3: column 2 (feature 'b') is missing ('NA'), but this test.Numeric does not accept missing values");
}

TEST_CASE("CSV rows of a numeric model: by name, positional, counted") {
  const auto named = numeric_model(true, true);
  Batch batch(named);
  REQUIRE(read_csv("c,extra,a,b\n3,x,1,2\n6,y,4,\n9,z,7,8\n", named, batch) == "");
  REQUIRE(batch.n_rows() == 3);
  CHECK_FALSE(batch.uses_table());
  const auto unnamed = numeric_model(false);
  Batch positional(unnamed);
  CHECK(read_csv("1,2,3\n4,5,6\n", unnamed, positional) == "");
  CHECK(positional.n_rows() == 2);
  Batch bad(unnamed);
  CHECK(read_csv("1,2\n", unnamed, bad) == "in.csv line 1: 2 columns, but the model takes 3 features");
  CHECK(read_csv("1,2,3\n4,5\n", unnamed, bad) == "in.csv line 2: 2 fields, expected 3");
  CHECK(read_csv("1,2,3\n4,x,6\n", unnamed, bad) == "in.csv line 2: column 2 is not a number: 'x'");
}

TEST_CASE("CSV rows of a string model go to Table columns; string cells are kept as text") {
  const auto info = string_model();
  Batch batch(info);
  REQUIRE(read_csv("b,city,a\n1,Lyon,2\n3,,4\n5,\"a, b\",6\n", info, batch) == "");
  CHECK(batch.n_rows() == 3);
  CHECK(batch.uses_table());
  Batch headerless(info);
  CHECK(read_csv("Lyon,1,2\n", info, headerless).find("lacks") != std::string::npos);
  auto nameless = info;
  nameless.feature_names.clear();
  Batch none(nameless);
  CHECK(read_csv("city,a,b\nLyon,1,2\n", nameless, none) ==
        "this model reads string columns but has no feature names; it cannot be fed CSV");
}

TEST_CASE("request CSV bodies: one row or one value over a limit is 413, malformed rows 400") {
  const auto info = numeric_model(false, true);
  Batch batch(info);
  DecodeError e;
  Limits limits;
  limits.max_rows = 2;
  CHECK(decode_csv("1,2,3\n4,5,6\n", info, limits, batch, e));
  CHECK(batch.n_rows() == 2);
  CHECK_FALSE(decode_csv("1,2,3\n4,5,6\n7,8,9\n", info, limits, batch, e));
  CHECK(e.status == 413);
  CHECK(e.message == "more than 2 rows in one request (the limit)");
  CHECK_FALSE(decode_csv("1,2,3\n4,5,6\n7,8\n", info, limits, batch, e));  // the extra row is malformed
  CHECK(e.status == 400);
  limits.max_rows = 100;
  limits.max_values = 7;  // two rows of three
  CHECK_FALSE(decode_csv("1,2,3\n4,5,6\n7,8,9\n", info, limits, batch, e));
  CHECK(e.status == 413);
  CHECK(e.message == "3 rows of 3 features exceed the limit of 7 input values per request");
}
