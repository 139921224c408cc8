#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "format/limits.hpp"
#include "kernels/tree_ensemble_view.hpp"
#include "mlmap/writer.hpp"
#include "writer/node_order.hpp"

namespace mlmap {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

Error bad_tree(size_t tree, size_t node, const std::string& what) {
  return Error(error_code::invalid_argument, "tree " + str(tree) + ", node " + str(node) + ": " + what);
}

}  // namespace

TreeNodes TreeNodeList::view() const noexcept {
  TreeNodes t;
  t.n_nodes = left.size();
  t.left = left.data();
  t.right = right.data();
  t.feature = feature.data();
  t.threshold = threshold.data();
  t.values = values.data();
  t.value_stride = value_stride;
  if (!missing_left.empty()) t.missing_left = missing_left.data();
  if (!categorical.empty()) {
    t.categorical = categorical.data();
    t.category_set = category_set.data();
  }
  if (!cover.empty() && cover.size() == left.size()) t.cover = cover.data();
  return t;
}

size_t TreeNodeList::add_node() {
  left.push_back(-1);
  right.push_back(-1);
  feature.push_back(0);
  threshold.push_back(0);
  values.push_back(0);
  missing_left.push_back(0);
  categorical.push_back(0);
  category_set.push_back(0);
  cover.push_back(0);
  return left.size() - 1;
}

float float_threshold(double t, SplitRule rule) noexcept {
  float f = round_down_to_float(t);
  // x < t  <=>  x <= the largest float below t, for float x.
  if (rule == SplitRule::less && static_cast<double>(f) == t) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

float round_down_to_float(double t) noexcept {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

TreeEnsembleBuilder::TreeEnsembleBuilder(size_t n_features, size_t leaf_width, size_t n_raw, Aggregation aggregation,
                                         SplitRule rule, ThresholdType thresholds)
    : n_features_(n_features),
      leaf_width_(leaf_width),
      n_raw_(n_raw),
      aggregation_(aggregation),
      rule_(rule),
      threshold_type_(thresholds) {}

uint32_t TreeEnsembleBuilder::add_category_set(const uint32_t* words, size_t n_words) {
  category_sets_.emplace_back(words, words + n_words);
  return static_cast<uint32_t>(category_sets_.size() - 1);
}

Status TreeEnsembleBuilder::reserve(size_t n_nodes, size_t n_leaves) noexcept {
  try {
    node_info_.reserve(n_nodes);
    node_child_.reserve(n_nodes);
    (threshold_type_ == ThresholdType::float64 ? node_threshold64_.reserve(n_nodes) : node_threshold_.reserve(n_nodes));
    leaf_values_.reserve(n_leaves * leaf_width_);
    return {};
  } catch (const std::exception&) {
    return Error(error_code::out_of_memory, "cannot reserve " + str(n_nodes) + " nodes and " + str(n_leaves) + " leaves");
  }
}

Status TreeEnsembleBuilder::add_tree(const TreeNodes& t, const TreeOptions& o) {
  const size_t tree = tree_root_.size();
  if (n_features_ < 1 || n_features_ > limits::max_features || leaf_width_ < 1 || leaf_width_ > n_raw_ ||
      n_raw_ > limits::max_outputs)
    return Error(error_code::invalid_argument, "builder needs 1 <= n_features <= 2^30 and 1 <= leaf_width <= n_raw <= 2^20");
  if (t.n_nodes < 1 || !t.left || !t.right || !t.feature || !t.values || t.value_stride < leaf_width_)
    return Error(error_code::invalid_argument, "tree " + str(tree) + ": empty, missing arrays or value_stride < leaf width");
  if (o.output > n_raw_ - leaf_width_)
    return Error(error_code::invalid_argument, "tree " + str(tree) + ": output slot " + str(o.output) + " + leaf width " +
                                                   str(leaf_width_) + " exceeds " + str(n_raw_) + " raw scores");
  if (tree + 1 > limits::max_trees)
    return Error(error_code::limit_exceeded, "more than " + str(limits::max_trees) + " trees");
  const size_t base = node_child_.size();
  const size_t leaf_base = leaf_values_.size();
  try {
    // Count reachable nodes first so the layout is sized once and a bad tree
    // leaves the builder untouched.
    struct Item {
      int64_t src;
      uint32_t depth;
    };
    std::vector<uint8_t> seen(t.n_nodes, 0);
    std::vector<Item> stack;
    uint64_t reachable = 0, leaves = 0;
    uint32_t depth = 0;
    double covered = 0;  // the leaves' covers
    stack.push_back({0, 0});
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      const auto i = static_cast<size_t>(it.src);
      if (seen[i]) return bad_tree(tree, i, "reached twice (a cycle or a shared node)");
      seen[i] = 1;
      ++reachable;
      depth = std::max(depth, it.depth);
      if (it.depth > limits::max_tree_depth)
        return Error(error_code::limit_exceeded, "tree " + str(tree) + " is deeper than " + str(limits::max_tree_depth));
      if (t.left[i] < 0) {
        ++leaves;
        const double* v = t.values + i * t.value_stride;
        double sum = 0;
        for (size_t j = 0; j < leaf_width_; ++j) {
          if (!std::isfinite(v[j])) return bad_tree(tree, i, "leaf value is not finite");
          sum += v[j];
        }
        if (o.normalize_leaves && !(sum >= 0)) return bad_tree(tree, i, "leaf counts sum to " + std::to_string(sum));
        if (t.cover) {
          if (!(t.cover[i] >= 0) || !std::isfinite(t.cover[i]))
            return bad_tree(tree, i, "cover " + std::to_string(t.cover[i]) + " is not a finite number >= 0");
          covered += t.cover[i];
        }
        continue;
      }
      const int64_t l = t.left[i], r = t.right[i];
      if (r < 0 || static_cast<uint64_t>(l) >= t.n_nodes || static_cast<uint64_t>(r) >= t.n_nodes)
        return bad_tree(tree, i, "children " + std::to_string(l) + ", " + std::to_string(r) + " outside [0, " +
                                     str(t.n_nodes) + ")");
      if (t.feature[i] < 0 || static_cast<uint64_t>(t.feature[i]) >= n_features_)
        return bad_tree(tree, i, "feature " + std::to_string(t.feature[i]) + " outside [0, " + str(n_features_) + ")");
      const bool categorical = t.categorical && t.categorical[i];
      if (categorical) {
        if (!t.category_set || t.category_set[i] >= category_sets_.size())
          return bad_tree(tree, i, "categorical split without a valid category set");
      } else if (!t.threshold || std::isnan(t.threshold[i])) {
        return bad_tree(tree, i, "threshold is NaN or missing");
      }
      stack.push_back({r, it.depth + 1});
      stack.push_back({l, it.depth + 1});
    }
    if (base + reachable > limits::max_nodes)
      return Error(error_code::limit_exceeded, "more than " + str(limits::max_nodes) + " nodes");
    if (leaf_values_.size() / leaf_width_ + leaves > limits::max_leaves)
      return Error(error_code::limit_exceeded, "more than " + str(limits::max_leaves) + " leaves");

    const bool f64 = threshold_type_ == ThresholdType::float64;
    node_info_.resize(base + reachable);
    node_child_.resize(base + reachable);
    (f64 ? node_threshold64_.resize(base + reachable) : node_threshold_.resize(base + reachable));
    // Leaves hold +inf; a categorical node keeps its set index in the low 32
    // bits of its threshold slot (the rest zero).
    auto set_threshold = [&](uint64_t k, double t) {
      if (f64)
        node_threshold64_[k] = rule_ == SplitRule::less ? std::nextafter(t, -std::numeric_limits<double>::infinity()) : t;
      else
        node_threshold_[k] = float_threshold(t, rule_);
    };
    auto set_category = [&](uint64_t k, uint32_t set) {
      if (f64) {
        uint64_t bits = set;
        std::memcpy(&node_threshold64_[k], &bits, sizeof bits);
      } else {
        std::memcpy(&node_threshold_[k], &set, sizeof set);
      }
    };
    leaf_values_.resize(leaf_base + leaves * leaf_width_);
    uint64_t next_leaf = leaf_base / leaf_width_;
    // Leaf shares: kept from the first tree with covers on (NaN before it
    // and for trees without; a tree whose leaves cover nothing has none).
    const bool shares = t.cover && covered > 0;
    if (shares || !leaf_shares_.empty())
      leaf_shares_.resize(leaf_base / leaf_width_ + leaves, std::numeric_limits<double>::quiet_NaN());

    // Lay out (node_order.hpp), then fill each node's slot walking the tree
    // depth-first, left first: leaf rows come out left to right, the order
    // the leaf bit-vector layout requires (FORMAT.md §5.1.1).
    std::vector<uint64_t> place(t.n_nodes);
    writer::place_nodes(t, base, writer::node_order_on_this_thread(), place);
    stack.push_back({0, 0});
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      const auto i = static_cast<size_t>(it.src);
      const uint64_t k = place[i];
      if (t.left[i] < 0) {
        const uint64_t row = next_leaf++;
        if (shares) leaf_shares_[row] = t.cover[i] / covered;
        const double* v = t.values + i * t.value_stride;
        double* dst = leaf_values_.data() + row * leaf_width_;
        const double scale = o.leaf_scale;
        if (o.normalize_leaves) {
          double sum = 0;
          for (size_t j = 0; j < leaf_width_; ++j) sum += v[j];
          if (sum == 0) sum = 1;  // an all-zero row stays zero, as in sklearn's predict_proba
          for (size_t j = 0; j < leaf_width_; ++j) dst[j] = v[j] / sum * scale;
        } else {
          for (size_t j = 0; j < leaf_width_; ++j) dst[j] = v[j] * scale;
        }
        node_info_[k] = static_cast<uint32_t>(row) | kernels::node_missing_left;
        node_child_[k] = static_cast<uint32_t>(k);
        if (f64)
          node_threshold64_[k] = std::numeric_limits<double>::infinity();
        else
          node_threshold_[k] = std::numeric_limits<float>::infinity();
        continue;
      }
      const bool categorical = t.categorical && t.categorical[i];
      uint32_t info = static_cast<uint32_t>(t.feature[i]);
      if (t.missing_left && t.missing_left[i]) info |= kernels::node_missing_left;
      if (categorical) {
        info |= kernels::node_categorical;
        set_category(k, t.category_set[i]);
      } else {
        set_threshold(k, t.threshold[i]);
      }
      node_info_[k] = info;
      node_child_[k] = static_cast<uint32_t>(place[static_cast<size_t>(t.left[i])]);
      stack.push_back({t.right[i], 0});
      stack.push_back({t.left[i], 0});
    }
    tree_root_.push_back(static_cast<uint32_t>(base));
    tree_depth_.push_back(depth);
    tree_output_.push_back(o.output);
    max_depth_ = std::max(max_depth_, depth);
    if (t.missing_left) accepts_missing_ = true;
    return {};
  } catch (const std::bad_alloc&) {
    node_info_.resize(base);
    node_child_.resize(base);
    node_threshold_.resize(std::min(base, node_threshold_.size()));
    node_threshold64_.resize(std::min(base, node_threshold64_.size()));
    leaf_values_.resize(leaf_base);
    leaf_shares_.resize(std::min(leaf_base / leaf_width_, leaf_shares_.size()));
    return Error(error_code::out_of_memory, "out of memory adding tree " + str(tree));
  }
}

}  // namespace mlmap
