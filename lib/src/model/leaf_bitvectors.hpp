// The leaf bit-vector layout of a tree ensemble (FORMAT.md §5.1.1), derived
// from its nodes: the one derivation the writer stores and verify() compares
// a file's copy with.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/tree_ensemble_view.hpp"
#include "mlmap/error.hpp"

namespace mlmap::model {

struct LeafBitvectorColumns {
  std::vector<uint32_t> features;        // [n_features]
  std::vector<uint32_t> tree_words;      // [n_trees]: cumulative ends
  std::vector<uint32_t> tree_leaves;     // [n_trees]: cumulative ends
  std::vector<uint32_t> word_records;    // [n_words, 2]: cumulative ends
  std::vector<uint32_t> record_feature;  // [n_records]
  std::vector<float> record_threshold;   // [n_records]
  std::vector<uint32_t> record_clear;    // [n_records]
  uint32_t max_tree_leaves = 0;
  double walk_steps = 0;           // every split halving the rows
  double covered_walk_steps = -1;  // weighed by leaf_shares; -1: none given
  // Not stored: the most covered_walk_steps can be, every tree's deepest
  // path (verify bounds a file's with it: the covers are not in the file).
  uint64_t deepest_paths = 0;

  uint64_t n_words() const noexcept { return word_records.size() / 2; }
  uint64_t n_records() const noexcept { return record_feature.size(); }
  /// A view into these vectors (valid while they live).
  kernels::LeafBitvectorView view() const noexcept;
};

/// The layout of `v`'s trees, which must satisfy FORMAT.md §8b (built by the
/// writer, or passed verify_tree_view).  invalid_argument, naming the
/// reason, when the trees cannot have one: a categorical split, leaf rows
/// that are not consecutive from tree to tree in left-to-right order, or
/// more words or records than UInt32 counts.  `leaf_shares` (optional, one
/// per leaf row, NaN where unknown; TreeEnsembleBuilder::leaf_shares) give
/// covered_walk_steps: walk_steps weighed by the rows that reach each leaf.
[[nodiscard]] Result<LeafBitvectorColumns> derive_leaf_bitvectors(const kernels::TreeEnsembleView& v,
                                                                  const double* leaf_shares = nullptr) noexcept;

}  // namespace mlmap::model
