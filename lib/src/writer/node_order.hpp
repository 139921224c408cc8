// Where TreeEnsembleBuilder places each node of a tree (FORMAT.md §5.1
// "Layout"): the node order of the columns it writes.
#pragma once

#include <cstdint>
#include <vector>

#include "mlmap/writer.hpp"

namespace mlmap::writer {

enum class NodeOrder {
  /// Blocks of whole levels: the root and 3 levels below it (15 nodes, 60
  /// bytes of a 4-byte column), then every sibling pair below a block's last
  /// level and 2 levels below the pair (14 nodes); breadth-first inside a
  /// block, blocks depth-first, left first.  What the writer writes.
  blocks,
  /// Depth-first, the two children allocated as a pair when their parent is
  /// placed: the order of files written before the blocks.  Only for tests
  /// that check such files still predict the same; not a public option.
  depth_first,
};

/// The order add_tree() uses on the calling thread (blocks unless a test
/// changed it).
NodeOrder& node_order_on_this_thread() noexcept;

/// Sets place[i] to the global index of every node i reachable from root 0
/// of `tree` (nodes [base, base + reachable)); the two children of a node
/// get adjacent indices, left first, after their parent.  The tree is one
/// add_tree() has checked (in range, no cycles or shared nodes).
void place_nodes(const TreeNodes& tree, uint64_t base, NodeOrder order, std::vector<uint64_t>& place);

}  // namespace mlmap::writer
