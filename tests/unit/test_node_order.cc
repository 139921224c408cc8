// The writer's node order (FORMAT.md §5.1 "Layout"): blocks of whole levels, and
// files in the depth-first order of older writers still predicting the same.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "support.hpp"
#include "writer/node_order.hpp"

using namespace mlmap;
using writer::NodeOrder;

namespace {

struct NodeOrderGuard {
  NodeOrder saved = writer::node_order_on_this_thread();
  ~NodeOrderGuard() { writer::node_order_on_this_thread() = saved; }
};

// The expected number of distinct 64-byte lines of node_child a row's path
// touches, if every split sends half the rows each way.  Children come after
// their parent, so a path's lines never go back: count the changes.
double expected_lines(const TreeEnsembleBuilder& b) {
  const auto& child = b.node_child();
  struct Item {
    uint64_t node;
    double share;
    int lines;
  };
  std::vector<Item> stack{{b.tree_root()[0], 1.0, 1}};
  double lines = 0;
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    const uint64_t c = child[it.node];
    if (c == it.node) {
      lines += it.share * it.lines;
      continue;
    }
    REQUIRE(c > it.node);
    for (uint64_t k : {c, c + 1}) stack.push_back({k, it.share / 2, it.lines + (k / 16 != it.node / 16 ? 1 : 0)});
  }
  return lines;
}

// Blocks: depths 0-3 (15 nodes from the root), then 4-6, 7-9, ... (a
// sibling pair and 2 levels below it: 14 nodes from the pair's left node).
void check_blocks(const TreeEnsembleBuilder& b) {
  const auto& child = b.node_child();
  struct Item {
    uint64_t node, head;
    uint32_t depth;
  };
  std::vector<Item> stack{{b.tree_root()[0], b.tree_root()[0], 0}};
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    CHECK(it.node - it.head < (it.head == b.tree_root()[0] ? 15u : 14u));
    const uint64_t c = child[it.node];
    if (c == it.node) continue;
    const uint32_t d = it.depth + 1;
    const uint64_t head = d >= 4 && (d - 4) % 3 == 0 ? c : it.head;
    stack.push_back({c, head, d});
    stack.push_back({c + 1, head, d});
  }
}

// A complete tree of `depth`: every path is `depth` splits long.
test::NodeList complete_tree(uint32_t depth) {
  test::NodeList t;
  std::vector<uint32_t> level{0};
  t.add_node();
  for (size_t i = 0; i < t.left.size(); ++i) {
    if (level[i] == depth) {
      t.values[i] = static_cast<double>(i);
      continue;
    }
    const auto l = static_cast<int64_t>(t.add_node()), r = static_cast<int64_t>(t.add_node());
    t.left[i] = l;
    t.right[i] = r;
    level.push_back(level[i] + 1);
    level.push_back(level[i] + 1);
    t.threshold[i] = static_cast<double>(i % 7);
  }
  return t;
}

}  // namespace

TEST_CASE("node blocks: whole levels at the same depths in every tree, fewer lines a path than depth-first") {
  NodeOrderGuard guard;
  const auto tree = complete_tree(12);
  double lines[2];
  for (NodeOrder order : {NodeOrder::depth_first, NodeOrder::blocks}) {
    writer::node_order_on_this_thread() = order;
    TreeEnsembleBuilder b(8, 1, 1, Aggregation::sum);
    REQUIRE(b.add_tree(tree.view()).ok());
    REQUIRE(b.max_depth() == 12);
    lines[order == NodeOrder::blocks] = expected_lines(b);
    if (order == NodeOrder::blocks) check_blocks(b);
  }
  MESSAGE("expected lines a path, depth 12: depth-first " << lines[0] << ", blocks " << lines[1]);
  CHECK(lines[1] < 0.95 * lines[0]);
}

TEST_CASE("files in the depth-first node order of older writers predict the same") {
  NodeOrderGuard guard;
  test::TempDir dir;
  using S = test::Sample;
  for (S sample : {S::forest_classifier, S::boosted_binary, S::regressor, S::boosted_multiclass,
                   S::float64_thresholds, S::large_trees, S::pipeline, S::isolation_forest, S::wide_trees}) {
    CAPTURE(static_cast<int>(sample));
    const auto old_path = dir.file("depth_first.mlmap"), new_path = dir.file("blocks.mlmap");
    writer::node_order_on_this_thread() = NodeOrder::depth_first;
    REQUIRE(test::save_sample(old_path, sample, 1, writer::BitvectorLayout::always).ok());
    writer::node_order_on_this_thread() = NodeOrder::blocks;
    REQUIRE(test::save_sample(new_path, sample, 1, writer::BitvectorLayout::always).ok());
    auto old_model = Model::open(old_path, {true, false});
    auto new_model = Model::open(new_path, {true, false});
    REQUIRE_MESSAGE(old_model.ok(), old_model.message());
    REQUIRE_MESSAGE(new_model.ok(), new_model.message());
    if (sample == S::large_trees) CHECK(test::read_bytes(old_path) != test::read_bytes(new_path));
    const size_t n_features = old_model->info().n_features, rows = 200;
    std::mt19937_64 rng(11);
    const auto X = test::random_rows(rng, rows, n_features, old_model->info().accepts_missing ? 0.1 : 0.0);
    std::vector<double> a(rows * old_model->output_width(Output::raw)), b(a.size());
    PredictOptions o;
    o.output = Output::raw;
    REQUIRE(old_model->predict(X.data(), rows, a.data(), o).ok());
    REQUIRE(new_model->predict(X.data(), rows, b.data(), o).ok());
    CHECK(a == b);
  }
}
