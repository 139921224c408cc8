// The XGBoost UBJSON front-end and the by-content entry point on hand-made and
// hostile bytes: a UBJSON model imports exactly as its JSON does (same trees,
// thresholds, leaves, description); every malformed encoding gives
// import_failed naming the byte offset, never a crash or an allocation the
// input cannot back; files that are neither JSON nor UBJSON are named.
// (Linked into importer_tests beside test_xgboost_json.cc, which holds main.)
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

#include "importers/ubjson.hpp"
#include "importers/xgboost_ubjson.hpp"
#include "mlmap/importers.hpp"
#include "importer_test_support.hpp"
#include "ubjson_encode.hpp"

namespace {

using mlmap::error_code;
using mlmap::test::replace;
using mlmap::test::ubjson_encode;
using mlmap::test::UbjsonEncoder;

// Two trees (a numeric one, NaN left at node 2; a categorical split), every
// kind of value xgboost writes: int and float arrays, NaN, strings, nested
// objects, booleans, null, an escaped feature name.
const char* const model_text = R"({"learner": {"attributes": {"best_iteration": "0"},
  "feature_names": ["a", "b\"q\\", "c"], "feature_types": ["float", "float", "c"],
  "gradient_booster": {"model": {"gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "2",
    "size_leaf_vector": "0"}, "iteration_indptr": [0, 1, 2], "tree_info": [0, 0], "trees": [
    {"base_weights": [0, 0, 0, 0, 0], "categories": [], "categories_nodes": [], "categories_segments": [],
     "categories_sizes": [], "default_left": [0, 0, 1, 0, 0], "id": 0, "left_children": [1, -1, 3, -1, -1],
     "loss_changes": [1.5, 0, 2.25, 0, 0], "parents": [2147483647, 0, 0, 2, 2], "right_children": [2, -1, 4, -1, -1],
     "split_conditions": [0.5, 0.1, -1, -0.2, 0.3], "split_indices": [0, 0, 1, 0, 0], "split_type": [0, 0, 0, 0, 0],
     "sum_hessian": [1, 1, 1, 1, 1], "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": "5",
     "size_leaf_vector": "1"}},
    {"base_weights": [0, 0, 0], "categories": [1, 3], "categories_nodes": [0], "categories_segments": [0],
     "categories_sizes": [2], "default_left": [0, 0, 0], "id": 1, "left_children": [1, -1, -1],
     "loss_changes": [1, 0, 0], "parents": [2147483647, 0, 0], "right_children": [2, -1, -1],
     "split_conditions": [NaN, 0.5, -0.5], "split_indices": [2, 0, 0], "split_type": [1, 0, 0],
     "sum_hessian": [1, 1, 1], "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": "3",
     "size_leaf_vector": "1"}}]}, "name": "gbtree"},
  "learner_model_param": {"base_score": "[3E-1]", "boost_from_average": "1", "num_class": "0", "num_feature": "3",
    "num_target": "1"},
  "objective": {"name": "binary:logistic", "reg_loss_param": {"scale_pos_weight": "1"}, "flag": true,
    "other": false, "none": null}},
  "version": [3, 2, 0]})";

void expect_error(const std::string& bytes, error_code code, const std::string& needle,
                  const mlmap::ImportOptions& options = {}) {
  mlmap::test::check_error(mlmap::import_xgboost(bytes, options), code, needle);
}

/// A string literal's bytes, NULs included.
template <size_t N>
std::string bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

/// `prefix` + `n` as the 'L' length the encoder writes.
std::string with_length(std::string prefix, int64_t n) {
  UbjsonEncoder::length(prefix, n);
  return prefix;
}

}  // namespace

TEST_CASE("a UBJSON model imports exactly as its JSON") {
  const std::string ubj = ubjson_encode(model_text);
  CHECK(mlmap::importers::xgboost_file_kind(ubj) == mlmap::importers::XgbFileKind::ubjson);
  CHECK(mlmap::importers::xgboost_file_kind(model_text) == mlmap::importers::XgbFileKind::json);
  for (bool best : {false, true}) {
    mlmap::ImportOptions o;
    o.use_best_iteration = best;
    auto from_json = mlmap::import_xgboost_json(model_text, o);
    auto from_ubj = mlmap::import_xgboost_ubjson(ubj, o);
    auto by_content = mlmap::import_xgboost(ubj, o);
    REQUIRE_MESSAGE(from_json.ok(), from_json.error().describe());
    REQUIRE_MESSAGE(from_ubj.ok(), from_ubj.error().describe());
    REQUIRE(by_content.ok());
    for (const auto* r : {&*from_ubj, &*by_content}) {
      CHECK(r->trees.n_trees() == (best ? 1u : 2u));
      CHECK(r->trees.node_child() == from_json->trees.node_child());
      CHECK(r->trees.node_info() == from_json->trees.node_info());
      CHECK(r->trees.node_threshold() == from_json->trees.node_threshold());
      CHECK(r->trees.leaf_values() == from_json->trees.leaf_values());
      CHECK(r->trees.category_sets() == from_json->trees.category_sets());
      CHECK(r->description.base_score == from_json->description.base_score);
      CHECK(r->description.feature_names == from_json->description.feature_names);
      CHECK(r->description.feature_names[1] == "b\"q\\");
      CHECK(r->description.metadata == from_json->description.metadata);
    }
  }
  // Floats survive exactly, including the extremes of float32.
  for (const char* v : {"1.17549435E-38", "3.4028235E38", "-1E-45", "0.1", "-0", "16777217", "Infinity", "-Infinity"}) {
    CAPTURE(v);
    const std::string doc = std::string(R"({"x": [)") + v + ", 0.5]}";
    std::string json;
    REQUIRE(mlmap::importers::ubjson_to_json(ubjson_encode(doc), 64, 1 << 20, json).ok());
    std::string back;
    REQUIRE(mlmap::importers::ubjson_to_json(ubjson_encode(json), 64, 1 << 20, back).ok());
    CHECK(back == json);
  }
}

TEST_CASE("UBJSON: each encoding of values xgboost's reader accepts") {
  auto text = [](const std::string& ubj) {
    std::string json;
    auto st = mlmap::importers::ubjson_to_json(ubj, 64, 1 << 20, json);
    REQUIRE_MESSAGE(st.ok(), st.error().describe());
    return json;
  };
  // Integer types, big-endian; lengths of any integer type.
  CHECK(text(bytes("[#i\x06" "i\xff" "U\xff" "I\x80\x00" "l\x00\x01\x00\x00" "C\x41" "L") +
             bytes("\x7f\xff\xff\xff\xff\xff\xff\xff")) == "[-1,255,-32768,65536,65,9223372036854775807]");
  CHECK(text(bytes("{U\x01kSi\x02hi}")) == R"({"k":"hi"})");
  CHECK(text(bytes("[ZTF]")) == "[null,true,false]");
  CHECK(text(bytes("[$U#i\x03\x01\x02\xff")) == "[1,2,255]");
  CHECK(text(bytes("[$I#i\x02\xff\xfe\x01\x00")) == "[-2,256]");
  CHECK(text(bytes("[$D#i\x01\x3f\xf0\x00\x00\x00\x00\x00\x00")) == "[1]");
  CHECK(text(bytes("[$d#i\x02\x7f\xc0\x00\x00\xff\x80\x00\x00")) == "[NaN,-Infinity]");
  CHECK(text(bytes("[$l#L\0\0\0\0\0\0\0\0")) == "[]");
  CHECK(text(bytes("{i\x02\x01\x1f" "Z}")) == R"({"\u0001\u001f":null})");
}

TEST_CASE("UBJSON: malformed encodings name the byte and what was expected") {
  const std::string good = ubjson_encode(model_text);
  expect_error(bytes("{L"), error_code::import_failed, "XGBoost UBJSON: at byte 2: truncated: an object key needs 8 bytes, 0 left");
  expect_error(good.substr(0, good.size() - 1), error_code::import_failed, "truncated");
  expect_error(good + "Z", error_code::import_failed, "1 more bytes follow");
  expect_error(with_length("{", -5), error_code::import_failed, "an object key is negative (-5)");
  expect_error(with_length("{", INT64_MAX) + "x", error_code::import_failed, "truncated: an object key needs");
  expect_error(with_length("{i\x01k[$d#", INT64_MAX / 2), error_code::import_failed,
               "truncated: a typed array of 4611686018427387903 values of 4 bytes");
  expect_error(with_length("{i\x01k[#", INT64_MAX), error_code::import_failed, "truncated: an array of");
  expect_error(bytes("{i\x01k[$S#i\x01"), error_code::import_failed, "a typed array of 'S'");
  expect_error(bytes("{i\x01k[$dx"), error_code::import_failed, "expected '#', found 'x'");
  expect_error(bytes("{i\x01kH"), error_code::import_failed, "high-precision");
  expect_error(bytes("{i\x01kN"), error_code::import_failed, "no-op");
  expect_error(bytes("{i\x01k\x07"), error_code::import_failed, "at byte 4: expected a UBJSON value, found byte 0x07");
  expect_error(bytes("{i\x01kSd"), error_code::import_failed, "expected an integer type, found 'd'");
  expect_error(bytes("{i\x01k[ZZ"), error_code::import_failed, "an array value or ']'");
  expect_error(bytes("{i\x01kSi\x01\xff}"), error_code::import_failed, "UTF-8");
  // A valid encoding of a wrong document: the JSON front-end's messages, naming the format.
  expect_error(bytes("{}"), error_code::import_failed, "XGBoost JSON: no 'learner'");
  expect_error(ubjson_encode(R"({"learner": 5})"), error_code::import_failed, "XGBoost UBJSON: learner is not an object");
  expect_error(ubjson_encode(replace(model_text, "[1, -1, 3, -1, -1]", "[1, -1, 3, -1, 100]")),
               error_code::import_failed, "XGBoost UBJSON: tree 0");
  expect_error(ubjson_encode(replace(model_text, "binary:logistic", "survival:cox")), error_code::unsupported_model,
               "survival:cox");
}

TEST_CASE("UBJSON limits: nesting, input size, JSON text size") {
  std::string deep = "{i\x01k";
  for (int i = 0; i < 100000; ++i) deep += '[';
  expect_error(deep, error_code::import_failed, "nesting deeper than 64");
  mlmap::ImportOptions o;
  o.max_nesting_depth = 4;
  expect_error(ubjson_encode(model_text), error_code::import_failed, "nesting deeper than 4", o);
  o.max_nesting_depth = size_t{1} << 40;  // the reader's own cap still holds
  expect_error(deep, error_code::import_failed, "nesting deeper than 512", o);
  o = {};
  o.max_input_bytes = 100;
  expect_error(ubjson_encode(model_text), error_code::import_failed, "more than the limit of 100", o);
  std::string json;
  auto st = mlmap::importers::ubjson_to_json(ubjson_encode(model_text), 64, 200, json);
  CHECK(st.code() == error_code::import_failed);
  CHECK_MESSAGE(st.message().find("would exceed 200 bytes") != std::string::npos, st.message());
}

TEST_CASE("UBJSON: every truncation and random mutations fail cleanly") {
  const std::string good = ubjson_encode(model_text);
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = mlmap::import_xgboost_ubjson(good.substr(0, n));
    REQUIRE_MESSAGE(!r.ok(), n);
    CHECK(r.code() == error_code::import_failed);
  }
  std::mt19937_64 rng(5);
  size_t ok = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string s = mlmap::test::mutate(good, rng, [](std::mt19937_64& g) {
      return static_cast<char>(g() % 4 == 0 ? "{}[]#$LlidSZ"[g() % 12] : static_cast<int>(g() % 256));
    });
    ok += mlmap::test::acceptable(mlmap::import_xgboost(s));
  }
  CHECK(ok > 0);
}

TEST_CASE("files that are neither JSON nor UBJSON say what they are") {
  expect_error("", error_code::import_failed, "empty");
  expect_error(bytes("binf\0\0\0?"), error_code::import_failed, "XGBoost's old binary model format");
  expect_error(bytes("\x80\x04\x95\x10\0\0"), error_code::import_failed,
               "Python pickle (pickle.dump or joblib.dump), which mlmap will not read");
  expect_error(bytes("\x1f\x8b\x08\0"), error_code::import_failed, "compressed file");
  expect_error(bytes("PK\x03\x04rest"), error_code::import_failed, "zip archive");
  expect_error(bytes("MLMAP\r\n\x1a\0"), error_code::import_failed, "already an mlmap file");
  expect_error("CONFIG-offset:\0\0", error_code::import_failed, "memory snapshot");
  // Text that is not JSON stays the JSON front-end's to describe.
  expect_error("tree\nversion=v4\n", error_code::import_failed, "XGBoost JSON: ");
  // The JSON entry point given UBJSON says so (issue 17, item 8).
  auto r = mlmap::import_xgboost_json(ubjson_encode(model_text));
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(r.message().find("this is UBJSON") != std::string::npos, r.message());
  r = mlmap::import_xgboost_json(bytes("\x80\x05\x95"));
  CHECK_MESSAGE(r.message().find("Python pickle") != std::string::npos, r.message());
}

TEST_CASE("convert_xgboost writes UBJSON and JSON models") {
  for (const std::string& bytes : {std::string(model_text), ubjson_encode(model_text)}) {
    const std::string path = "/tmp/mlmap-ubjson-convert-" + std::to_string(bytes.size()) + ".mlmap";
    auto st = mlmap::convert_xgboost(bytes, path);
    REQUIRE_MESSAGE(st.ok(), st.error().describe());
    std::remove(path.c_str());
  }
  CHECK(mlmap::convert_xgboost("binf", "/tmp/mlmap-ubjson-never.mlmap").code() == error_code::import_failed);
}
