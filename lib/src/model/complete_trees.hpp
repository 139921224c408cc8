// The complete-tree layout of a tree ensemble (FORMAT.md §5.1.2), derived
// from its nodes: the one derivation the writer stores and verify() compares
// a file's copy with.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/tree_ensemble_view.hpp"
#include "mlmap/error.hpp"

namespace mlmap::model {

struct CompleteTreeColumns {
  uint32_t depth = 0;
  std::vector<uint64_t> nodes;   // [groups, 2^depth - 1, 16]
  std::vector<uint32_t> leaves;  // [groups, 2^depth, 16]

  uint64_t n_groups() const noexcept { return leaves.size() >> depth >> 4; }
  /// A view into these vectors (valid while they live).
  kernels::CompleteTreesView view() const noexcept { return {nodes.data(), leaves.data(), depth}; }
};

/// The layout of `v`'s trees, which must satisfy FORMAT.md §8b (built by the
/// writer, or passed verify_tree_view).  invalid_argument, naming the
/// reason, when the trees cannot have one: float64 thresholds, a categorical
/// split, or a depth of 0 or above kernels::max_complete_depth.
[[nodiscard]] Result<CompleteTreeColumns> derive_complete_trees(const kernels::TreeEnsembleView& v) noexcept;

}  // namespace mlmap::model
