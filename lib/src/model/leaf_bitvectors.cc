#include "model/leaf_bitvectors.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "mlmap/writer.hpp"

namespace mlmap::model {

namespace {

Error cannot(const std::string& why) { return Error(error_code::invalid_argument, "no leaf bit-vector layout: " + why); }

struct Record {
  uint64_t node;
  uint32_t clear;
};

// The node walk moves rows in lockstep groups (tree_simd.hpp) until all of a
// group's rows reach their leaves: its cost per tree is the expected deepest
// path among kWalkGroup rows (`reach[d]`: the share of rows whose leaf is at
// depth d; from the training rows' covers where the writer had them, else
// as if every split sent half the rows each way).
constexpr int kWalkGroup = 8;

double lockstep_steps(const std::vector<double>& reach) {
  double steps = 0, below = 0;
  for (size_t d = 0; d + 1 < reach.size(); ++d) {
    below += reach[d];
    double all = 1.0;  // P(every row's leaf is at depth <= d)
    for (int r = 0; r < kWalkGroup; ++r) all *= std::min(below, 1.0);
    steps += 1.0 - all;  // P(the deepest path is longer than d)
  }
  return steps;
}

}  // namespace

kernels::LeafBitvectorView LeafBitvectorColumns::view() const noexcept {
  kernels::LeafBitvectorView b;
  b.features = features.data();
  b.tree_words = tree_words.data();
  b.tree_leaves = tree_leaves.data();
  b.word_records = word_records.data();
  b.record_feature = record_feature.data();
  b.record_threshold = record_threshold.data();
  b.record_clear = record_clear.data();
  b.n_words = n_words();
  b.n_records = n_records();
  b.n_features = static_cast<uint32_t>(features.size());
  b.max_tree_leaves = max_tree_leaves;
  b.walk_steps = walk_steps;
  b.covered_walk_steps = covered_walk_steps;
  return b;
}

Result<LeafBitvectorColumns> derive_leaf_bitvectors(const kernels::TreeEnsembleView& v,
                                                    const double* leaf_shares) noexcept {
  try {
    if (v.n_category_sets > 0) return cannot("the trees have categorical splits");
    LeafBitvectorColumns c;
    c.tree_words.reserve(v.n_trees);
    c.tree_leaves.reserve(v.n_trees);
    std::vector<int64_t> compact(v.n_features, -1);
    std::vector<uint32_t> first;  // per node of the tree: position of its subtree's leftmost leaf
    struct Item {
      uint64_t node;
      uint32_t depth;
    };
    std::vector<Item> stack;
    std::vector<double> reach, covered;  // per depth: the share of rows whose leaf is there (halving; covers)
    if (leaf_shares) c.covered_walk_steps = 0;
    std::vector<std::vector<Record>> buckets;  // per word of the tree and direction: [2w] left, [2w+1] right
    uint64_t leaf_row = 0;
    for (uint32_t t = 0; t < v.n_trees; ++t) {
      const uint64_t root = v.tree_root[t];
      const uint64_t end = t + 1 < v.n_trees ? v.tree_root[t + 1] : v.n_nodes;
      first.assign(end - root, 0);
      // Preorder, left first: leaves come out left to right, and a node's
      // leftmost leaf is the next position when it is reached.
      uint32_t position = 0;
      reach.assign(size_t{v.max_depth} + 1, 0.0);
      if (leaf_shares) covered.assign(reach.size(), 0.0);
      uint32_t deepest = 0;
      stack.assign(1, {root, 0});
      while (!stack.empty()) {
        const Item it = stack.back();
        stack.pop_back();
        const uint64_t k = it.node;
        first[k - root] = position;
        if (v.node_child[k] == k) {
          if ((v.node_info[k] & kernels::node_feature_mask) != leaf_row)
            return cannot("tree " + std::to_string(t) + "'s leaves are not consecutive rows in left-to-right order");
          deepest = std::max(deepest, it.depth);
          const double share = leaf_shares && leaf_row < v.n_leaves ? leaf_shares[leaf_row] : std::nan("");
          ++leaf_row;
          ++position;
          const uint32_t d = std::min<uint32_t>(it.depth, v.max_depth);
          const double halving = std::ldexp(1.0, -static_cast<int>(it.depth));
          reach[d] += halving;
          if (leaf_shares) covered[d] += std::isnan(share) ? halving : share;  // a tree without covers: halving
          continue;
        }
        if (v.node_info[k] & kernels::node_categorical) return cannot("the trees have categorical splits");
        stack.push_back({uint64_t{v.node_child[k]} + 1, it.depth + 1});
        stack.push_back({v.node_child[k], it.depth + 1});
      }
      c.walk_steps += lockstep_steps(reach);
      if (leaf_shares) c.covered_walk_steps += lockstep_steps(covered);
      c.deepest_paths += deepest;
      const uint32_t n_words = (position + 31) / 32 > 0 ? (position + 31) / 32 : 1;
      buckets.resize(2 * size_t{n_words});
      for (auto& b : buckets) b.clear();
      for (uint64_t k = root; k < end; ++k) {
        const uint64_t child = v.node_child[k];
        if (child == k) continue;
        const uint32_t a = first[child - root], b = first[child + 1 - root];  // the left subtree's leaves
        const bool left = (v.node_info[k] & kernels::node_missing_left) != 0;
        for (uint32_t w = a / 32; w * 32 < b; ++w) {
          const uint32_t lo = a > w * 32 ? a - w * 32 : 0, hi = b < w * 32 + 32 ? b - w * 32 : 32;
          const auto bits = static_cast<uint32_t>(((uint64_t{1} << (hi - lo)) - 1) << lo);
          buckets[2 * size_t{w} + (left ? 0 : 1)].push_back({k, bits});
        }
      }
      for (size_t i = 0; i < buckets.size(); ++i) {
        for (const Record& r : buckets[i]) {
          const uint32_t f = v.node_info[r.node] & kernels::node_feature_mask;
          if (compact[f] < 0) {
            compact[f] = static_cast<int64_t>(c.features.size());
            c.features.push_back(f);
          }
          c.record_feature.push_back(static_cast<uint32_t>(compact[f]));
          c.record_threshold.push_back(v.node_threshold ? v.node_threshold[r.node]
                                                        : round_down_to_float(v.node_threshold64[r.node]));
          c.record_clear.push_back(r.clear);
        }
        if (c.record_feature.size() > UINT32_MAX) return cannot("more than 2^32 - 1 records");
        c.word_records.push_back(static_cast<uint32_t>(c.record_feature.size()));
      }
      if (c.n_words() > UINT32_MAX) return cannot("more than 2^32 - 1 words");
      c.tree_words.push_back(static_cast<uint32_t>(c.n_words()));
      c.tree_leaves.push_back(static_cast<uint32_t>(leaf_row));
      c.max_tree_leaves = std::max(c.max_tree_leaves, position);
    }
    if (leaf_row != v.n_leaves) return cannot("the trees do not use every leaf row");
    return c;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory deriving the leaf bit-vector layout");
  }
}

}  // namespace mlmap::model
