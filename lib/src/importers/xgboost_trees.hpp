// One XGBoost tree into mlmap's tree rules, in three steps:
//   check    the reachable nodes: arrays as long as num_nodes, child and
//            feature indices in range, no cycle or shared child, depth
//            within mlmap's limit, finite thresholds and leaf values;
//   collect  the category list of every categorical split (its node, its
//            slice of `categories`, the categories' range);
//   emit     the tree rewritten for mlmap's rules (xgboost_trees.cc's top
//            comment) into a TreeEnsembleBuilder.
// Every tree of a model is checked; only those predict uses are emitted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "importers/xgboost_model.hpp"
#include "mlmap/writer.hpp"

namespace mlmap::importers {

class XgbTreeConverter {
 public:
  /// Trees go into `builder`; `source` names the front-end in messages.
  /// `leaf_width` > 1: every tree has vector leaves of that many values
  /// (multi_output_tree; see XgbTree); 1: scalar leaves (split_conditions).
  XgbTreeConverter(TreeEnsembleBuilder& builder, size_t n_features, std::string_view source, size_t leaf_width = 1)
      : builder_(builder), n_features_(n_features), source_(source), leaf_width_(leaf_width) {}

  /// Checks tree `index` and, when `add`, adds it with `options`.
  [[nodiscard]] Status tree(const XgbTree& t, size_t index, bool add, const TreeOptions& options);

 private:
  // What check() learnt about a tree.
  struct Shape {
    size_t n_nodes = 0;
    std::vector<uint8_t> reachable;  // per node
    bool any_categorical = false;
  };

  [[nodiscard]] Status check(const XgbTree& t, size_t index, const std::string& where, Shape& shape) const;
  /// Vector leaves: the leaf values' array and the leaf rows of the reachable leaves.
  [[nodiscard]] Status check_vector_leaves(const XgbTree& t, const std::string& where, const Shape& shape) const;
  /// The first of leaf `i`'s leaf_width_ values.
  const float* leaf_row(const XgbTree& t, size_t i) const;
  /// cat_entry[node]: the categories_nodes entry of each categorical split
  /// (-1 for other nodes).
  [[nodiscard]] Status collect(const XgbTree& t, const std::string& where, const Shape& shape,
                               std::vector<int32_t>& cat_entry) const;
  [[nodiscard]] Status emit(const XgbTree& t, const std::string& where, size_t n_nodes,
                            const std::vector<int32_t>& cat_entry, const TreeOptions& options);

  Error failed(const std::string& message) const { return malformed(source_, message); }

  // What a path through a rewritten tree knows about a feature (emit()).
  enum { unknown = 0, is_nan = 1, is_pinf = 2 };
  struct Known {
    uint32_t feature;
    int state;
    int32_t parent;
  };
  int known(int32_t ctx, uint32_t feature) const;
  int32_t with(int32_t ctx, uint32_t feature, int state);

  /// The builder's set for categories entry `k` of tree `t` (deduplicated).
  uint32_t category_set(const XgbTree& t, size_t k);

  /// The tree being emitted, node by node (its arrays keep their capacity
  /// from tree to tree).
  struct OutTree : TreeNodeList {
    size_t add();  // values: value_stride per node
    void clear();
  };

  TreeEnsembleBuilder& builder_;
  size_t n_features_;
  std::string source_;
  size_t leaf_width_;
  OutTree out_;
  std::vector<Known> ctx_;
  std::map<std::vector<uint32_t>, uint32_t> sets_;
};

}  // namespace mlmap::importers
