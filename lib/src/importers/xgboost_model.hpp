// An XGBoost model as its saved document holds it: the seam between the
// front-ends that parse a file format (xgboost_json.cc for JSON; a UBJSON
// reader would be a second) and the converter that turns it into mlmap's
// trees (xgboost_convert.cc, xgboost_trees.cc).
//
// The contract: a front-end fills the fields the document has, leaves the
// others empty (std::nullopt), and guarantees only types and ranges — each
// integer within the range noted beside its field, float32 values rounded
// once from their decimal text (xgboost's NaN/Infinity understood), at most
// limits::max_trees trees, no key repeated.  Everything else — presence,
// counts against each other, indices, cycles, depths, mlmap's limits, the
// objective — is the converter's to check, the same for every front-end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/error.hpp"

namespace mlmap::importers {

/// One tree (gradient_booster.model.trees[i]).
struct XgbTree {
  std::optional<long long> id;                            // [0, 2^31)
  std::optional<long long> num_nodes, size_leaf_vector;   // tree_param; [0, 2^31)
  std::optional<std::vector<int32_t>> left, right;        // left_children, right_children; -1: leaf
  std::optional<std::vector<int32_t>> split_type;         // [0, 255]: 0 numeric, 1 categorical
  std::optional<std::vector<int32_t>> categories_nodes;   // nodes with category lists
  std::optional<std::vector<uint32_t>> split_indices;     // the feature of each split
  std::optional<std::vector<float>> split_conditions;     // thresholds; leaf values at leaves
  std::optional<std::vector<uint8_t>> default_left;       // 0 or 1: where NaN goes
  std::optional<std::vector<int64_t>> categories_segments, categories_sizes;  // [0, 2^62]
  std::optional<std::vector<int32_t>> categories;         // the listed categories, all nodes in a row
  // Vector leaves (multi_strategy="multi_output_tree", size_leaf_vector K > 1):
  // xgboost 2.0 - 3.1 keep leaf i's K values at base_weights[i*K ..];
  // 3.2+ at leaf_weights[right_children[i]*K ..] (a leaf's right child is its
  // row of leaf_weights).
  std::optional<std::vector<float>> base_weights, leaf_weights;
  // The training rows' hessian sum at each node (XGBoost's cover): passed on
  // as TreeNodes::cover, which informs the kernel choice only.
  std::optional<std::vector<float>> sum_hessian;
};

/// The document (learner, gradient_booster, ...).
struct XgbModel {
  std::string source = "XGBoost JSON";  // the front-end, named in messages
  std::optional<std::vector<long long>> version;          // "version": [major, minor, patch]
  std::optional<std::string> objective;                   // learner.objective.name
  std::optional<std::string> base_score;                  // learner_model_param.base_score, as written
  std::optional<long long> num_class, num_feature, num_target;
  std::optional<long long> best_iteration;                // learner.attributes
  std::vector<std::string> feature_names, feature_types;  // learner; empty when absent
  std::optional<std::string> booster;                     // gradient_booster.name
  bool have_model = false;                                // a tree model object was found
  std::optional<long long> num_trees, num_parallel_tree, size_leaf_vector;  // gbtree_model_param
  std::optional<std::vector<int32_t>> tree_info;          // output group of each tree
  std::vector<XgbTree> trees;
  bool have_trees = false;                                // the "trees" array was found
  std::optional<std::vector<float>> weight_drop;          // dart
  size_t cats_encoded = 0;  // model.cats.enc entries with recorded categories (xgboost >= 3.1)
};

/// import_failed: "<source>: <message>".
inline Error malformed(std::string_view source, const std::string& message) {
  return Error(error_code::import_failed, std::string(source) + ": " + message);
}

/// unsupported_model: "XGBoost model: <message>" (a well-formed model mlmap
/// cannot represent exactly).
inline Error unsupported(const std::string& message) {
  return Error(error_code::unsupported_model, "XGBoost model: " + message);
}

inline std::string num(long long v) { return std::to_string(v); }
inline std::string unum(uint64_t v) { return std::to_string(v); }

}  // namespace mlmap::importers

/// Returns the Status of `expr` from the enclosing function if it failed.
#define MLMAP_TRY(expr)           \
  do {                            \
    ::mlmap::Status st_ = (expr); \
    if (!st_.ok()) return st_;    \
  } while (0)
