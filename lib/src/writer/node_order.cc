#include "writer/node_order.hpp"

namespace mlmap::writer {

namespace {

void place_depth_first(const TreeNodes& t, uint64_t base, std::vector<uint64_t>& place) {
  place[0] = base;
  uint64_t next = base + 1;
  std::vector<int64_t> stack{0};
  while (!stack.empty()) {
    const auto i = static_cast<size_t>(stack.back());
    stack.pop_back();
    if (t.left[i] < 0) continue;
    place[static_cast<size_t>(t.left[i])] = next;
    place[static_cast<size_t>(t.right[i])] = next + 1;
    next += 2;
    stack.push_back(t.right[i]);
    stack.push_back(t.left[i]);
  }
}

// Why whole levels: the one-row kernel walks up to 64 trees in lockstep
// (tree_simd.hpp), so a level likely costs as long as its slowest lane's
// load.  Depth-first, some lane enters a new cache line at nearly every level
// (going right skips the left subtree); with blocks starting at the same
// depths in every tree, the levels inside a block find their lines loaded.  Blocks that fill each line
// instead (starting wherever the last one ended) touched fewer lines
// (cachegrind) but gained no time: ExtraTreesRegressor, 50 unlimited trees,
// one row, CPU time new/old 0.91 with these blocks, 1.00 with line-filling
// ones (Zen 4, avx512bw, interleaved, loaded machine).
constexpr uint32_t kRootLevels = 3, kPairLevels = 2;

void place_in_blocks(const TreeNodes& t, uint64_t base, std::vector<uint64_t>& place) {
  struct Item {
    int64_t node;
    uint32_t level;  // below the block's head
  };
  place[0] = base;
  uint64_t next = base + 1;
  std::vector<int64_t> heads{-1};  // parents whose children head a block (-1: the root's block)
  std::vector<Item> queue;
  std::vector<int64_t> below;  // nodes on a block's last level with children
  while (!heads.empty()) {
    const int64_t parent = heads.back();
    heads.pop_back();
    queue.clear();
    below.clear();
    uint32_t levels = kPairLevels;
    if (parent < 0) {
      queue.push_back({0, 0});
      levels = kRootLevels;
    } else {
      const auto p = static_cast<size_t>(parent);
      place[static_cast<size_t>(t.left[p])] = next;
      place[static_cast<size_t>(t.right[p])] = next + 1;
      next += 2;
      queue.push_back({t.left[p], 0});
      queue.push_back({t.right[p], 0});
    }
    for (size_t q = 0; q < queue.size(); ++q) {
      const Item it = queue[q];
      const auto i = static_cast<size_t>(it.node);
      if (t.left[i] < 0) continue;
      if (it.level == levels) {
        below.push_back(it.node);
        continue;
      }
      place[static_cast<size_t>(t.left[i])] = next;
      place[static_cast<size_t>(t.right[i])] = next + 1;
      next += 2;
      queue.push_back({t.left[i], it.level + 1});
      queue.push_back({t.right[i], it.level + 1});
    }
    heads.insert(heads.end(), below.rbegin(), below.rend());  // the leftmost on top
  }
}

}  // namespace

NodeOrder& node_order_on_this_thread() noexcept {
  thread_local NodeOrder order = NodeOrder::blocks;
  return order;
}

void place_nodes(const TreeNodes& tree, uint64_t base, NodeOrder order, std::vector<uint64_t>& place) {
  if (order == NodeOrder::depth_first)
    place_depth_first(tree, base, place);
  else
    place_in_blocks(tree, base, place);
}

}  // namespace mlmap::writer
