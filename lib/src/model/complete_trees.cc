#include "model/complete_trees.hpp"

#include <cstring>
#include <limits>
#include <string>

namespace mlmap::model {

namespace {

using kernels::complete_tree_lanes;

Error cannot(const std::string& why) { return Error(error_code::invalid_argument, "no complete-tree layout: " + why); }

uint64_t node_word(uint32_t info, float threshold) noexcept {
  uint32_t bits;
  std::memcpy(&bits, &threshold, sizeof bits);
  return (info & (kernels::node_feature_mask | kernels::node_missing_left)) | uint64_t{bits} << 32;
}

struct Filler {
  const kernels::TreeEnsembleView& v;
  CompleteTreeColumns& out;
  uint64_t group, lane;

  // Node k of the file sits at heap position h, level `level`: a leaf above
  // the bottom fills its subtree (its own word: feature 0, threshold +inf,
  // missing left: every row goes left, to copies of the same leaf).
  void fill(uint64_t k, uint64_t h, uint32_t level) {
    const uint32_t d = out.depth;
    const uint64_t inner = (uint64_t{1} << d) - 1;
    const bool leaf = v.node_child[k] == k;
    if (level == d) {
      out.leaves[((group << d) + (h - inner)) * complete_tree_lanes + lane] = v.node_info[k] & kernels::node_feature_mask;
      return;
    }
    out.nodes[(group * inner + h) * complete_tree_lanes + lane] =
        leaf ? node_word(kernels::node_missing_left, std::numeric_limits<float>::infinity())
             : node_word(v.node_info[k], v.node_threshold[k]);
    const uint64_t left = leaf ? k : v.node_child[k], right = leaf ? k : left + 1;
    fill(left, 2 * h + 1, level + 1);
    fill(right, 2 * h + 2, level + 1);
  }
};

}  // namespace

Result<CompleteTreeColumns> derive_complete_trees(const kernels::TreeEnsembleView& v) noexcept {
  try {
    if (!v.node_threshold) return cannot("float64 thresholds");
    if (v.n_category_sets > 0) return cannot("categorical splits");
    if (v.max_depth < 1 || v.max_depth > kernels::max_complete_depth)
      return cannot("depth " + std::to_string(v.max_depth) + " outside [1, " +
                    std::to_string(kernels::max_complete_depth) + "]");
    CompleteTreeColumns out;
    out.depth = v.max_depth;
    const uint64_t groups = (uint64_t{v.n_trees} + complete_tree_lanes - 1) / complete_tree_lanes;
    // Lanes past the last tree: zeros (feature 0, threshold +0.0, leaf row 0), never added.
    out.nodes.assign(groups * ((uint64_t{1} << out.depth) - 1) * complete_tree_lanes, 0);
    out.leaves.assign((groups << out.depth) * complete_tree_lanes, 0);
    for (uint32_t t = 0; t < v.n_trees; ++t)
      Filler{v, out, t / complete_tree_lanes, t % complete_tree_lanes}.fill(v.tree_root[t], 0, 0);
    return out;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory deriving the complete-tree layout");
  }
}

}  // namespace mlmap::model
