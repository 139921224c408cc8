// XGBoost 2.x / 3.x model features on hand-made documents: vector leaves
// (multi_strategy="multi_output_tree") in both layouts xgboost writes --
// base_weights per node (2.0 - 3.1) and leaf_weights rows addressed by the
// leaf's right_children (3.2+) -- predict the same; malformed vector leaves
// and a recorded categories encoder ('cats', 3.1+) are refused by name.
// Parity with xgboost itself: tests/importers/test_xgboost.py,
// tests/matrix/test_xgboost_files.py.
#include <doctest/doctest.h>

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "mlmap/importers.hpp"
#include "mlmap/mlmap.hpp"
#include "importer_test_support.hpp"
#include "ubjson_encode.hpp"

namespace {

using mlmap::error_code;
using mlmap::test::replace;

// One tree of depth 2 on features 0 and 1 with 3 leaves of 2 values:
//   node 0: x0 < 0.5 ? node 1 : node 2 (NaN right)
//   node 1: x1 < -1 ? node 3 : node 4 (NaN left)
//   leaves 2, 3, 4: (1, -1), (2, -2), (3, -3)
// `layout` "3.1": base_weights[node*2]; "3.2": leaf_weights[right*2].
std::string model(const std::string& layout, const std::string& extra = "", const std::string& version = "[3, 2, 0]") {
  const bool rows = layout == "3.2";
  const std::string right = rows ? "[2, 4, 0, 1, 2]" : "[2, 4, -1, -1, -1]";
  const std::string weights = rows ? R"("base_weights": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "leaf_weights": [1, -1, 2, -2, 3, -3])"
                                   : R"("base_weights": [0, 0, 0, 0, 1, -1, 2, -2, 3, -3])";
  return R"({"learner": {"attributes": {}, "feature_names": [], "feature_types": [],
    "gradient_booster": {"model": {)" + extra + R"("gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "1"},
      "iteration_indptr": [0, 1], "tree_info": [0], "trees": [{)" + weights + R"(,
        "categories": [], "categories_nodes": [], "categories_segments": [], "categories_sizes": [],
        "default_left": [0, 1, 0, 0, 0], "id": 0, "left_children": [1, 3, -1, -1, -1],
        "right_children": )" + right + R"(, "split_conditions": [0.5, -1, 1E-45, 1E-45, 1E-45],
        "split_indices": [0, 1, 0, 0, 0], "split_type": [0, 0, 0, 0, 0],
        "tree_param": {"num_deleted": "0", "num_feature": "2", "num_nodes": "5", "size_leaf_vector": "2"}}]},
      "name": "gbtree"},
    "learner_model_param": {"base_score": "[1E-1,2E-1]", "boost_from_average": "1", "num_class": "0",
      "num_feature": "2", "num_target": "2"},
    "objective": {"name": "reg:squarederror"}}, "version": )" + version + "}";
}

void expect_error(const std::string& doc, error_code code, const std::string& needle) {
  mlmap::test::check_error(mlmap::import_xgboost(doc), code, needle);
}

}  // namespace

TEST_CASE("vector leaves: both layouts, JSON and UBJSON, predict xgboost's sums") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> X = {0.0f, -2.0f,  // leaf 3
                                0.0f, nan,    // NaN left at node 1: leaf 3
                                0.0f, 0.0f,   // leaf 4
                                0.5f, 0.0f,   // not < 0.5: leaf 2
                                nan, -5.0f};  // NaN right at node 0: leaf 2
  const double a = 0.1f, b = 0.2f;  // base_score, float32 as xgboost reads it; sums in double
  const std::vector<double> expected = {2 + a, -2 + b, 2 + a, -2 + b, 3 + a, -3 + b, 1 + a, -1 + b, 1 + a, -1 + b};
  for (const char* layout : {"3.1", "3.2"}) {
    for (bool ubj : {false, true}) {
      CAPTURE(layout);
      CAPTURE(ubj);
      const std::string doc = ubj ? mlmap::test::ubjson_encode(model(layout)) : model(layout);
      auto imported = mlmap::import_xgboost(doc);
      REQUIRE_MESSAGE(imported.ok(), imported.error().describe());
      CHECK(imported->trees.leaf_width() == 2);
      const std::string path = "/tmp/mlmap-vector-leaves-" + std::string(layout) + (ubj ? "u" : "j") + ".mlmap";
      REQUIRE(mlmap::save(path, imported->description, imported->trees).ok());
      mlmap::OpenOptions o;
      o.verify = true;
      auto m = mlmap::Model::open(path, o);
      REQUIRE_MESSAGE(m.ok(), m.error().describe());
      std::vector<double> out(10);
      REQUIRE(m->predict(X.data(), 5, out.data()).ok());
      CHECK(out == expected);
      std::remove(path.c_str());
    }
  }
}

TEST_CASE("vector leaves: malformed ones are refused by name") {
  expect_error(replace(model("3.2"), "[1, -1, 2, -2, 3, -3]", "[1, -1, 2, -2, 3]"), error_code::import_failed,
               "'leaf_weights' has 5 values, expected a multiple of 2");
  expect_error(replace(model("3.2"), "[2, 4, 0, 1, 2]", "[2, 4, 0, 1, 3]"), error_code::import_failed,
               "tree 0, node 4: leaf row (right_children) 3 is outside [0, 3)");
  expect_error(replace(model("3.2"), "[2, 4, 0, 1, 2]", "[2, 4, 0, 1, -1]"), error_code::import_failed,
               "leaf row (right_children) -1");
  expect_error(replace(model("3.1"), "[0, 0, 0, 0, 1, -1, 2, -2, 3, -3]", "[0, 0, 0, 0, 1, -1, 2, -2, 3]"),
               error_code::import_failed, "'base_weights' has 9 values, expected 10");
  expect_error(replace(model("3.1"), "[0, 0, 0, 0, 1, -1, 2, -2, 3, -3]", "[0, 0, 0, 0, 1, -1, 2, -2, 3, NaN]"),
               error_code::import_failed, "node 4: leaf value 1 (base_weights) is not finite");
  expect_error(replace(model("3.1"), "\"base_weights\"", "\"other_weights\""), error_code::import_failed,
               "vector leaves without 'base_weights' or 'leaf_weights'");
  expect_error(replace(replace(model("3.1"), "\"num_target\": \"2\"", "\"num_target\": \"3\""), "[1E-1,2E-1]", "1E-1"),
               error_code::import_failed,
               "vector leaves of 2 values (tree_param.size_leaf_vector) for 3 outputs");
  expect_error(replace(model("3.1"), "\"tree_info\": [0]", "\"tree_info\": [1]"),
               error_code::import_failed, "tree_info[0] = 1 is outside [0, 1)");
}

TEST_CASE("a recorded categories encoder (3.1+ 'cats') is refused, an empty one ignored") {
  const std::string empty = R"("cats": {"enc": [], "feature_segments": [], "sorted_idx": []}, )";
  CHECK(mlmap::import_xgboost(model("3.2", empty)).ok());
  const std::string codes = R"("cats": {"enc": [{"offsets": [], "values": []}], "feature_segments": [0, 0], "sorted_idx": []}, )";
  CHECK(mlmap::import_xgboost(model("3.2", codes)).ok());
  const std::string strings = R"("cats": {"enc": [{"offsets": [], "values": []}, {"offsets": [0, 1, 2], "values": [117, 118]}],
    "feature_segments": [0, 0, 2], "sorted_idx": [0, 1]}, )";
  for (bool ubj : {false, true}) {
    const std::string doc = ubj ? mlmap::test::ubjson_encode(model("3.2", strings)) : model("3.2", strings);
    expect_error(doc, error_code::unsupported_model,
                 "a categories encoder (model 'cats' records the categories of 1 features)");
    expect_error(doc, error_code::unsupported_model, "(written by xgboost 3.2.0)");
  }
}
