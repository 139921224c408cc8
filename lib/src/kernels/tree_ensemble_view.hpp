// A tree ensemble as plain pointers into the mapped columns (FORMAT.md §5).
// Non-owning and trivially copyable; built once at open.  Kernels see only
// this struct: no Boost, no FlatBuffers, no I/O.
//
// The counts were checked against the column lengths at open, but the column
// *contents* are only checked by verify(): kernels clamp every index they read
// (node, feature, leaf, output slot, category set) and bound every traversal
// by max_depth, so a crafted file cannot make them read out of bounds or loop.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlmap::kernels {

constexpr uint32_t node_feature_mask = (1u << 30) - 1;  // feature, or leaf row
constexpr uint32_t node_missing_left = 1u << 30;        // NaN goes to the left child
constexpr uint32_t node_categorical = 1u << 31;         // split on a category set

/// The optional leaf bit-vector layout of the same trees (FORMAT.md §5.1.1),
/// for float32 inputs.  Ranges are cumulative: tree t's words end at
/// tree_words[t] and start where tree t-1's ended; likewise leaves and
/// records.  Kernels keep running cursors and clamp every end to
/// [cursor, total], so crafted columns cannot make them re-read ranges,
/// read out of bounds or work more than O(words + records) per row.
struct LeafBitvectorView {
  const uint32_t* features = nullptr;        // [n_features]: input feature of each record feature
  const uint32_t* tree_words = nullptr;      // [n_trees]; nullptr: no layout
  const uint32_t* tree_leaves = nullptr;     // [n_trees]
  const uint32_t* word_records = nullptr;    // [n_words * 2]: missing-left end, end
  const uint32_t* record_feature = nullptr;  // [n_records]
  const float* record_threshold = nullptr;   // [n_records]
  const uint32_t* record_clear = nullptr;    // [n_records]
  uint64_t n_words = 0;
  uint64_t n_records = 0;
  uint32_t n_features = 0;
  uint32_t max_tree_leaves = 0;
  double walk_steps = 0;                     // expected lockstep walk levels, every split halving the rows
  double covered_walk_steps = -1;            // the same weighed by the training rows' covers; < 0: none
  // Per lane count W = 4, 8, 16 (the ISAs' float lanes): fewer rows than
  // this never pay off (bitvectors_pay_off), decided at open rather than by
  // the cost model on every one-row call; 0: not decided, ask the model.
  uint32_t pays_from_rows[3] = {0, 0, 0};
  bool present() const noexcept { return tree_words != nullptr; }
  /// What the cost model weighs: the covers' estimate where the file has one.
  double expected_walk_steps() const noexcept { return covered_walk_steps >= 0 ? covered_walk_steps : walk_steps; }
};

/// The optional complete-tree layout of the same trees (FORMAT.md §5.1.2),
/// for the one-row kernel: groups of 16 trees, node h of lane l of group g
/// at nodes[(g * (2^depth - 1) + h) * 16 + l] (low 32 bits: node_info's
/// feature and missing-left bit; high 32: the float32 threshold), bottom
/// position p at leaves[(g * 2^depth + p) * 16 + l] (a leaf row).  The
/// column lengths were checked at open; kernels clamp features and leaf rows.
struct CompleteTreesView {
  const uint64_t* nodes = nullptr;   // nullptr: no layout
  const uint32_t* leaves = nullptr;
  uint32_t depth = 0;                // 1..max_complete_depth
  bool present() const noexcept { return nodes != nullptr; }
};

/// Trees lanes of one group of the complete-tree layout, and its deepest trees.
constexpr uint32_t complete_tree_lanes = 16;
constexpr uint32_t max_complete_depth = 6;

struct TreeEnsembleView {
  const uint32_t* tree_root = nullptr;      // [n_trees]
  const uint32_t* tree_depth = nullptr;     // [n_trees]
  const uint32_t* tree_output = nullptr;    // [n_trees]
  const uint32_t* node_info = nullptr;      // [n_nodes]
  const float* node_threshold = nullptr;    // [n_nodes], float32 models
  const double* node_threshold64 = nullptr; // [n_nodes], float64 models; exactly one is set
  const uint32_t* node_child = nullptr;     // [n_nodes]
  const double* leaf_values = nullptr;      // [n_leaves * leaf_width]
  const uint32_t* category_sets = nullptr;  // [n_category_sets * category_set_words]
  uint64_t n_nodes = 0;                     // >= 1
  uint64_t n_leaves = 0;                    // >= 1
  uint32_t n_trees = 0;
  uint32_t n_features = 0;                  // >= 1
  uint32_t leaf_width = 0;                  // >= 1
  uint32_t n_raw = 0;                       // >= leaf_width
  uint32_t max_depth = 0;                   // <= limits::max_tree_depth
  uint32_t n_category_sets = 0;
  uint32_t category_set_words = 0;
  bool has_missing = false;                 // NaN inputs reach the kernels (else they were refused)
  LeafBitvectorView bitvectors;             // optional second layout
  CompleteTreesView complete;               // optional third layout
};

}  // namespace mlmap::kernels
