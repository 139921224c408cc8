// tools/common: the header rule, the column matching, CSV rows into a Batch
// (numeric and string models), and the request limits — the pieces the CLI
// and the server share.  End to end they are tested by tests/cli and
// tests/server; here each rule on its own, with models described by hand.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.hpp"
#include "common/columns.hpp"
#include "common/csv.hpp"
#include "common/csv_rows.hpp"
#include "common/json_reader.hpp"
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

TEST_CASE("the first record is a header only when it names the model's features or is 0..n-1") {
  const auto named = numeric_model(true);
  CHECK(first_record_is_header(fields({"a", "b", "c"}), named));
  CHECK(first_record_is_header(fields({"c", "x", "a", "b"}), named));  // any order, extras
  CHECK(first_record_is_header(fields({"a", "x", "y"}), named));       // names some: read as a header that lacks b, c
  CHECK(first_record_is_header(fields({"0", "1", "2"}), named));       // pandas' unnamed columns
  CHECK_FALSE(first_record_is_header(fields({"1", "-2e3", "+4"}), named));
  CHECK_FALSE(first_record_is_header(fields({"", "NA", "nan"}), named));
  CHECK_FALSE(first_record_is_header(fields({"1", "2", "4x"}), named));  // a typo is data, not a header
  CHECK_FALSE(first_record_is_header(fields({"x", "y", "z"}), named));
  const auto unnamed = numeric_model(false);
  CHECK(first_record_is_header(fields({"0", "1", "2"}), unnamed));
  CHECK_FALSE(first_record_is_header(fields({"a", "b", "c"}), unnamed));
  CHECK_FALSE(first_record_is_header(fields({"0", "1"}), unnamed));
  CHECK_FALSE(first_record_is_header(fields({"Lyon", "1", "2"}), string_model()));
  CHECK(first_record_is_header(fields({"b", "city", "a"}), string_model()));
}

TEST_CASE("no row is dropped: a bad first line is an error naming its row and column") {
  const auto named = numeric_model(true, true);
  Batch batch(named);
  CHECK(read_csv("1,2,3x\n5,6,7\n", named, batch) ==
        "in.csv line 1: column 3 (feature 'c') is not a number: '3x' (the first line is read as data: it does not name "
        "the model's features)");
  const auto unnamed = numeric_model(false, true);
  Batch b2(unnamed);
  CHECK(read_csv("x,y,z\n1,2,3\n", unnamed, b2).find("in.csv line 1: column 1 is not a number: 'x'") == 0);
  Batch b3(unnamed);
  CHECK(read_csv("0,1,2\n1,2,3\n4,5,6\n", unnamed, b3) == "");
  CHECK(b3.n_rows() == 2);  // 0,1,2 is pandas' header
}

TEST_CASE("the caller decides the header: present or absent") {
  const auto unnamed = numeric_model(false, true);
  auto read_with = [&](const std::string& text, HeaderMode mode, Batch& b) {
    auto csv = CsvReader::from_text(text, "in.csv");
    CsvRows rows(*csv, unnamed, mode);
    std::string error;
    if (!rows.read(b, 100, error)) return error;
    CHECK(rows.decided());
    CHECK_FALSE(rows.guessed());
    return std::string();
  };
  Batch present(unnamed), absent(unnamed);
  CHECK(read_with("a,b,c\n1,2,3\n", HeaderMode::present, present) == "");
  CHECK(present.n_rows() == 1);
  CHECK(read_with("0,1,2\n1,2,3\n", HeaderMode::absent, absent) == "");
  CHECK(absent.n_rows() == 2);
}

TEST_CASE("one number rule for CSV and JSON: NaN is missing, infinities as the model says") {
  auto refuses = numeric_model(true);
  refuses.accepts_infinity = false;
  auto accepts = numeric_model(true, true);  // NaN, not infinities (scikit-learn's trees)
  accepts.accepts_infinity = false;
  auto takes_inf = numeric_model(true, true);  // HistGradientBoosting, XGBoost
  takes_inf.accepts_infinity = true;
  CHECK(check_number(HUGE_VAL, takes_inf) == NumberCheck::ok);
  CHECK(check_number(-HUGE_VAL, takes_inf) == NumberCheck::ok);
  CHECK(check_number(1.5, refuses) == NumberCheck::ok);
  CHECK(check_number(std::nan(""), refuses) == NumberCheck::missing_refused);
  CHECK(check_number(std::nan(""), accepts) == NumberCheck::ok);
  CHECK(check_number(HUGE_VAL, accepts) == NumberCheck::infinite_refused);
  CHECK(check_number(-HUGE_VAL, accepts) == NumberCheck::infinite_refused);
  Batch batch(accepts);
  CHECK(read_csv("a,b,c\n1,1e999,3\n", accepts, batch) ==
        "in.csv line 2: column 2 (feature 'b') is infinite ('1e999'); this test.Numeric takes finite numbers or missing values");
  CHECK(read_csv("a,b,c\n1,-inf,3\n", accepts, batch).find("is infinite ('-inf')") != std::string::npos);
  DecodeError e;
  Limits limits;
  CHECK_FALSE(decode_json(R"({"instances": [[1, 1e999, 3]]})", accepts, limits, batch, e));
  CHECK(e.message == "row 0, feature 1 ('b') is infinite ('1e999'); this test.Numeric takes finite numbers or missing values");
  CHECK_FALSE(decode_json(R"({"instances": [[1, -Infinity, 3]]})", accepts, limits, batch, e));
  CHECK(e.message.find("is infinite ('-Infinity')") != std::string::npos);
  CHECK(decode_json(R"({"instances": [[1, NaN, null], [1, "NA", 2]]})", accepts, limits, batch, e));
  CHECK(batch.n_rows() == 2);
  CHECK_FALSE(decode_json(R"({"instances": [[1, NaN, 3]]})", refuses, limits, batch, e));
  CHECK(e.message == "row 0, feature 1 ('b') is missing ('NaN'), but this test.Numeric does not accept missing values");
}

TEST_CASE("JSON rows stream: duplicates, widths and row counts are checked as they arrive") {
  const auto info = numeric_model(true, true);
  Batch batch(info);
  DecodeError e;
  Limits limits;
  CHECK_FALSE(decode_json(R"({"instances": [[1, 2, 3]], "instances": [[4, 5, 6]]})", info, limits, batch, e));
  CHECK(e.message == "the body has \"instances\" more than once");
  CHECK_FALSE(decode_json(R"({"instances": [{"a": 1, "b": 2, "a": 3}]})", info, limits, batch, e));
  CHECK(e.message == "row 0 names feature 'a' twice");
  CHECK_FALSE(decode_json(R"({"instances": [[1, 2, 3, 4, "not even read"]]})", info, limits, batch, e));
  CHECK(e.message == "row 0 has more than 3 values, but the model takes 3 features: 'a', 'b', 'c'");
  CHECK_FALSE(decode_json(R"({"instances": [[1, 2]]})", info, limits, batch, e));
  CHECK(e.message == "row 0 has 2 values, but the model takes 3 features: 'a', 'b', 'c'");
  limits.max_rows = 2;
  CHECK(decode_json(R"({"instances": [[1, 2, 3], {"c": 3, "a": 1, "b": 2}], "other": {"x": [1]}})", info, limits, batch, e));
  CHECK(batch.n_rows() == 2);
  CHECK_FALSE(decode_json(R"({"instances": [[1, 2, 3], [1, 2, 3], [1, 2, 3]]})", info, limits, batch, e));
  CHECK(e.status == 413);
  CHECK(e.message == "more than 2 rows in one request; the limit is 2");
  CHECK_FALSE(decode_json(R"({"instances": [[1, 2, 3]]} x)", info, limits, batch, e));
  CHECK(e.message == "malformed JSON at byte 27: unexpected 'x' after the end of the document");
  CHECK_FALSE(decode_json("", info, limits, batch, e));
  CHECK(e.message == "malformed JSON: the body is empty");
  CHECK_FALSE(decode_json(R"([1])", info, limits, batch, e));
  CHECK(e.message == "the body must be a JSON object {\"instances\": [...]}, not an array");
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

TEST_CASE("a quoted field ends at its closing quote: only blanks may follow it") {
  const auto unnamed = numeric_model(false);
  Batch ok(unnamed);
  CHECK(read_csv("\"1\" ,\t\"2\"\t,\"3\"\r\n", unnamed, ok) == "");
  CHECK(ok.n_rows() == 1);
  // Text after the quote was kept: `"1" 2` read as 12, `"-" 5` as -5.
  for (const char* text : {"\"1\" 2,2,3\n", "1,\"-\" 5,3\n", "1,2,\"1\"000\n"}) {
    Batch bad(unnamed);
    CAPTURE(text);
    CHECK(read_csv(text, unnamed, bad).find("in.csv line 1: text after the closing quote of field ") == 0);
  }
  Batch second(unnamed);
  CHECK(read_csv("1,2,3\n4,\"5\"x,6\n", unnamed, second) ==
        "in.csv line 2: text after the closing quote of field 2 (a quote inside a quoted field is written \"\")");
}

TEST_CASE("a column no step reads takes any value, in CSV and JSON, and is left missing") {
  auto info = numeric_model(true);  // a ColumnTransformer that drops "b"
  info.preprocessing.n_steps = 1;
  info.preprocessing.unread_columns = {1};
  Batch csv_rows(info);
  REQUIRE(read_csv("a,b,c\n1,text,3\n4,,6\n", info, csv_rows) == "");
  REQUIRE(csv_rows.n_rows() == 2);
  Batch json_rows(info);
  DecodeError e;
  REQUIRE_MESSAGE(decode_json(R"({"instances": [[1, "x", 3], {"a": 4, "b": [1, {"k": 2}], "c": 6}]})", info,
                              Limits{}, json_rows, e),
                  e.message);
  CHECK(json_rows.n_rows() == 2);
  // A column that is read still refuses text.
  Batch bad(info);
  CHECK(read_csv("a,b,c\n1,2,x\n", info, bad) == "in.csv line 2: column 3 (feature 'c') is not a number: 'x'");
}

TEST_CASE("CSV rows of a string model go to Table columns; string cells are kept as text") {
  const auto info = string_model();
  Batch batch(info);
  REQUIRE(read_csv("b,city,a\n1,Lyon,2\n3,,4\n5,\"a, b\",6\n", info, batch) == "");
  CHECK(batch.n_rows() == 3);
  CHECK(batch.uses_table());
  Batch headerless(info);  // a first line that names no feature is data, positionally
  CHECK(read_csv("Lyon,1,2\nOslo,3,4\n", info, headerless) == "");
  CHECK(headerless.n_rows() == 2);
  Batch lacking(info);
  CHECK(read_csv("city,a\nLyon,1\n", info, lacking) == "in.csv line 1: the header lacks the model's feature column 'b'");
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
  const auto detect = HeaderMode::detect;
  CHECK(decode_csv("1,2,3\n4,5,6\n", info, limits, detect, batch, e));
  CHECK(batch.n_rows() == 2);
  CHECK_FALSE(decode_csv("1,2,3\n4,5,6\n7,8,9\n", info, limits, detect, batch, e));
  CHECK(e.status == 413);
  CHECK(e.message == "more than 2 rows in one request; the limit is 2");
  CHECK_FALSE(decode_csv("1,2,3\n4,5,6\n7,8\n", info, limits, detect, batch, e));  // the extra row is malformed
  CHECK(e.status == 400);
  limits.max_rows = 100;
  limits.max_values = 7;  // two rows of three
  CHECK_FALSE(decode_csv("1,2,3\n4,5,6\n7,8,9\n", info, limits, detect, batch, e));
  CHECK(e.status == 413);
  CHECK(e.message == "more than 2 rows of 3 features exceed the limit of 7 input values per request");
  limits.max_values = 100;
  CHECK(decode_csv("a,b,c\n1,2,3\n", info, limits, HeaderMode::present, batch, e));
  CHECK(batch.n_rows() == 1);
  CHECK_FALSE(decode_csv("1,2,3x\n", info, limits, detect, batch, e));
  CHECK(e.message.find("CSV line 1: column 3 is not a number: '3x'") == 0);
}

TEST_CASE("JsonReader: RFC 8259 strictly, plus NaN and Infinity; nesting bounded; UTF-8 checked") {
  auto error_of = [](std::string_view text, size_t depth = 8) {
    JsonReader r(text, depth);
    return r.skip() && r.finish() ? std::string() : r.error();
  };
  CHECK(error_of(R"({"a": [1, -2.5e-3, 0, true, false, null, "x\u00e9\ud83d\ude00"], "b": {}, "c": []})") == "");
  CHECK(error_of("[NaN, Infinity, -Infinity]") == "");
  CHECK(error_of("[1,]") == "malformed JSON at byte 3: a trailing ',' before ']'");
  CHECK(error_of(R"({"a": 1,})") == "malformed JSON at byte 8: a trailing ',' before '}'");
  CHECK(error_of("[01]") == "malformed JSON at byte 2: expected ',' or ']' after an array element, found '1'");
  CHECK(error_of("[+1]") == "malformed JSON at byte 1: expected a value, found '+'");
  CHECK(error_of("[1.]") == "malformed JSON at byte 3: expected a digit after '.', found ']'");
  CHECK(error_of("[nan]") == "malformed JSON at byte 1: expected a value, found 'n'");
  CHECK(error_of("[Nan]") == "malformed JSON at byte 1: expected a value, found 'N'");
  CHECK(error_of("[\"a\x01\"]") == "malformed JSON at byte 3: a control character in a string (escape it)");
  CHECK(error_of("[\"\xff\"]") == "malformed JSON at byte 2: invalid UTF-8 in a string");
  CHECK(error_of("[\"\xc0\x80\"]") == "malformed JSON at byte 2: invalid UTF-8 in a string");  // overlong
  CHECK(error_of(R"(["\ud800"])") == "malformed JSON at byte 8: a high surrogate \\u escape without its low surrogate");
  CHECK(error_of(R"(["\q"])") == "malformed JSON at byte 2: unknown escape '\\q'");
  CHECK(error_of("[[[[[[[[[1]]]]]]]]]") == "malformed JSON at byte 8: nested deeper than 8 levels");
  CHECK(error_of("[[[[[[[[1]]]]]]]]") == "");
  CHECK(error_of("\xff\xfe{}") == "malformed JSON at byte 0: expected a value, found byte 0xff");
  CHECK(error_of(R"({"a" 1})") == "malformed JSON at byte 5: expected ':' after a member name, found '1'");
  CHECK(error_of("[1] [2]") == "malformed JSON at byte 4: unexpected '[' after the end of the document");
  CHECK(error_of("[\"abc") == "malformed JSON at byte 5: a string that never ends");
  JsonReader r(R"(["a\nb", 1e999, -1e-999, 12345678901234567890])");
  std::string_view s;
  bool in_text = true;
  double x = 0;
  REQUIRE(r.begin_array());
  REQUIRE(r.next_element());
  REQUIRE(r.read_string(s, &in_text));
  CHECK(s == "a\nb");
  CHECK_FALSE(in_text);
  REQUIRE(r.next_element());
  REQUIRE(r.read_number(x));
  CHECK(x == HUGE_VAL);
  REQUIRE(r.next_element());
  REQUIRE(r.read_number(x));
  CHECK(x == 0.0);
  REQUIRE(r.next_element());
  REQUIRE(r.read_number(x));
  CHECK(x == 12345678901234567890.0);
  CHECK_FALSE(r.next_element());
  CHECK(r.finish());
}

TEST_CASE("JsonReader numbers: the fast path gives strtod's double for every token, short or long") {
  std::vector<std::string> tokens = {"0",    "-0",    "1",  "-1.5", "0.1",  "0.30000000000000004", "123456789012345678",
                                     "9007199254740993", "1e22", "1e23", "1e-22", "1e-23", "4.9e-324", "2.2250738585072014e-308",
                                     "1.7976931348623157e308", "12345678901234567890", "0.000001234", "1E+5", "1e0005",
                                     "3.14159265358979323846", "-123.456e-7", "100000000000000000000000"};
  uint64_t state = 42;
  for (int k = 0; k < 20000; ++k) {  // random short decimals, as request bodies carry them
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int digits = 1 + static_cast<int>((state >> 33) % 17), point = static_cast<int>((state >> 40) % 20);
    std::string t = (state >> 63) ? "-" : "";
    uint64_t x = state;
    std::string ds;
    for (int d = 0; d < digits; ++d, x /= 7) ds += static_cast<char>('0' + x % 10);
    while (ds.size() > 1 && ds[0] == '0') ds.erase(0, 1);
    t += ds;
    if (point < 10) t += "." + std::to_string(state % 100000);
    if (point >= 16) t += "e" + std::to_string(static_cast<int>((state >> 20) % 60) - 30);
    tokens.push_back(t);
  }
  for (const auto& t : tokens) {
    mlmap::tools::JsonReader r(t);
    double got = 0;
    REQUIRE_MESSAGE(r.read_number(got), t);
    const double want = std::strtod(t.c_str(), nullptr);
    CHECK_MESSAGE(std::memcmp(&got, &want, sizeof got) == 0, t);
  }
}
