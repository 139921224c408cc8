// XGBoost trees into mlmap's (xgboost_trees.hpp: check, collect, emit).
//
// XGBoost's trees (1.7, checked against xgboost's predict by
// tests/importers/test_xgboost.py): a numeric split sends x left iff
// x < split_condition (float32), NaN -> default_left; at a leaf,
// split_conditions holds the leaf value (already times eta).  mlmap's builder
// takes the numeric rule as it is (SplitRule::less).
//
// Categorical splits.  XGBoost sends the categories listed for a node RIGHT,
// every other valid category (0 <= c < 2^24, truncated to an integer, also
// those beyond the node's bit field) LEFT, and invalid ones (negative, >= 2^24,
// +-inf) LEFT too; NaN follows default_left.  mlmap sends the categories of a
// set LEFT and everything outside [0, 32 * words) -- and NaN -- the missing way.
// So each categorical node becomes an mlmap node with the listed set and the
// children swapped (set -> xgboost's right child, others -> its left child) and
// the missing bit clear (out-of-range -> xgboost's left child).  That is exact
// when default_left is set.  When NaN goes right instead, NaN and out-of-range
// categories part ways, which one mlmap node cannot express; the node becomes
//     T: x <= FLT_MAX (finite or -inf) ? C : U       (NaN and +inf go to U)
//     C: the categorical node above
//     U: x <= FLT_MAX ? ... : ...  with NaN left:  NaN -> copy of the right
//        subtree knowing x is NaN; +inf -> copy of the left subtree knowing x
//        is +inf (nodes on x are resolved in the copies, not repeated).
// The copies can multiply a tree's size; past a cap the import is refused.

#include "importers/xgboost_trees.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "format/limits.hpp"

namespace mlmap::importers {

namespace {

constexpr uint64_t max_category = uint64_t{limits::max_category_set_words} * 32 - 1;

bool split_is_categorical(const XgbTree& t, size_t i) { return t.split_type && (*t.split_type)[i] == 1; }

}  // namespace

size_t XgbTreeConverter::OutTree::add() {
  left.push_back(-1);
  right.push_back(-1);
  feature.push_back(0);
  threshold.push_back(0);
  values.resize(values.size() + value_stride, 0.0);
  missing_left.push_back(0);
  categorical.push_back(0);
  category_set.push_back(0);
  cover.push_back(0);
  return left.size() - 1;
}

void XgbTreeConverter::OutTree::clear() {
  for (auto* v : {&left, &right, &feature}) v->clear();
  threshold.clear();
  values.clear();
  missing_left.clear();
  categorical.clear();
  category_set.clear();
  cover.clear();
}

Status XgbTreeConverter::tree(const XgbTree& t, size_t index, bool add, const TreeOptions& options) {
  const std::string where = "tree " + unum(index);
  Shape shape;
  MLMAP_TRY(check(t, index, where, shape));
  if (leaf_width_ > 1) MLMAP_TRY(check_vector_leaves(t, where, shape));
  std::vector<int32_t> cat_entry;
  MLMAP_TRY(collect(t, where, shape, cat_entry));
  if (!add) return {};
  return emit(t, where, shape.n_nodes, cat_entry, options);
}

// Presence and lengths of the arrays, then a walk of the reachable nodes.
Status XgbTreeConverter::check(const XgbTree& t, size_t index, const std::string& where, Shape& shape) const {
  if (!t.id) return failed(where + ": no 'id'");
  if (*t.id != static_cast<long long>(index)) return failed(where + ": 'id' is " + num(*t.id) + ", expected " + unum(index));
  if (!t.num_nodes) return failed(where + ": no 'tree_param.num_nodes'");
  const long long width = t.size_leaf_vector.value_or(0);
  if (leaf_width_ > 1 ? width != static_cast<long long>(leaf_width_) : width > 1)
    return failed(where + ": tree_param.size_leaf_vector is " + num(width) + ", but the model's leaves have " +
                  unum(leaf_width_) + " values (gbtree_model_param.size_leaf_vector)");
  const auto n = static_cast<size_t>(*t.num_nodes);
  if (n < 1) return failed(where + ": tree_param.num_nodes is 0");
  auto need = [&](const auto& field, const char* name) -> Status {
    if (!field) return failed(where + ": no '" + std::string(name) + "'");
    if (field->size() != n)
      return failed(where + ": '" + std::string(name) + "' has " + unum(field->size()) + " entries, but num_nodes is " +
                    unum(n));
    return {};
  };
  MLMAP_TRY(need(t.left, "left_children"));
  MLMAP_TRY(need(t.right, "right_children"));
  MLMAP_TRY(need(t.split_indices, "split_indices"));
  MLMAP_TRY(need(t.split_conditions, "split_conditions"));
  MLMAP_TRY(need(t.default_left, "default_left"));
  if (t.split_type) MLMAP_TRY(need(t.split_type, "split_type"));
  const auto& left = *t.left;
  const auto& right = *t.right;
  const auto& feature = *t.split_indices;
  const auto& cond = *t.split_conditions;
  auto is_categorical = [&](size_t i) { return split_is_categorical(t, i); };

  // Walk the reachable nodes once: indices, cycles, depth, values.
  std::vector<uint8_t>& seen = shape.reachable;
  seen.assign(n, 0);
  std::vector<std::pair<int32_t, uint32_t>> stack{{0, 0}};
  while (!stack.empty()) {
    const auto [i, depth] = stack.back();
    stack.pop_back();
    const std::string node = where + ", node " + num(i);
    if (seen[i]) return failed(node + " is reached twice (a cycle or a shared child)");
    seen[i] = 1;
    if (depth > limits::max_tree_depth)
      return failed(where + " is deeper than " + unum(limits::max_tree_depth) + " (mlmap's limit)");
    if (left[i] == -1) {
      if (leaf_width_ > 1) continue;  // check_vector_leaves()
      if (right[i] != -1) return failed(node + ": a leaf (left_children -1) with right_children " + num(right[i]));
      if (!std::isfinite(cond[i])) return failed(node + ": leaf value (split_conditions) is not finite");
      continue;
    }
    for (const int32_t c : {left[i], right[i]})
      if (c < 0 || static_cast<size_t>(c) >= n)
        return failed(node + ": child " + num(c) + " is outside [0, " + unum(n) + ")");
    if (left[i] == right[i]) return failed(node + ": both children are node " + num(left[i]));
    if (feature[i] >= n_features_)
      return failed(node + ": split_indices " + unum(feature[i]) + " is outside [0, " + unum(n_features_) +
                    ") (num_feature)");
    if (t.split_type && (*t.split_type)[i] > 1)
      return failed(node + ": split_type " + num((*t.split_type)[i]) + " is neither 0 (numeric) nor 1 (categorical)");
    if (is_categorical(i)) {
      shape.any_categorical = true;
    } else if (!std::isfinite(cond[i])) {
      return failed(node + ": split_conditions (threshold) is not finite");
    }
    stack.push_back({right[i], depth + 1});
    stack.push_back({left[i], depth + 1});
  }
  shape.n_nodes = n;
  return {};
}

// Vector leaves: xgboost 2.0 - 3.1 (MultiTargetTree::LeafValue) read leaf i
// at base_weights[i*K, (i+1)*K) and mark leaves with right_children -1; 3.2+
// reads leaf_weights[r*K, (r+1)*K) with r = right_children[i].
Status XgbTreeConverter::check_vector_leaves(const XgbTree& t, const std::string& where, const Shape& shape) const {
  const size_t n = shape.n_nodes, k = leaf_width_;
  const auto& right = *t.right;
  const bool rows = t.leaf_weights.has_value();
  const auto* values = rows ? &*t.leaf_weights : t.base_weights ? &*t.base_weights : nullptr;
  const char* name = rows ? "leaf_weights" : "base_weights";
  if (!values) return failed(where + ": vector leaves without 'base_weights' or 'leaf_weights'");
  if (values->size() % k != 0 || (!rows && values->size() != n * k))
    return failed(where + ": '" + name + "' has " + unum(values->size()) + " values, expected " +
                  (rows ? "a multiple of " + unum(k) : unum(n * k)) + " (" + unum(k) + " per leaf)");
  for (size_t i = 0; i < n; ++i) {
    if (!shape.reachable[i] || (*t.left)[i] != -1) continue;
    const std::string node = where + ", node " + unum(i);
    if (rows) {
      if (right[i] < 0 || static_cast<size_t>(right[i]) >= values->size() / k)
        return failed(node + ": leaf row (right_children) " + num(right[i]) + " is outside [0, " +
                      unum(values->size() / k) + ") (leaf_weights)");
    } else if (right[i] != -1) {
      return failed(node + ": a leaf (left_children -1) with right_children " + num(right[i]));
    }
    const float* v = leaf_row(t, i);
    for (size_t j = 0; j < k; ++j)
      if (!std::isfinite(v[j])) return failed(node + ": leaf value " + unum(j) + " (" + name + ") is not finite");
  }
  return {};
}

const float* XgbTreeConverter::leaf_row(const XgbTree& t, size_t i) const {
  if (t.leaf_weights) return t.leaf_weights->data() + static_cast<size_t>((*t.right)[i]) * leaf_width_;
  return t.base_weights->data() + i * leaf_width_;
}

// Categorical splits: the listed categories of each node.
Status XgbTreeConverter::collect(const XgbTree& t, const std::string& where, const Shape& shape,
                                 std::vector<int32_t>& cat_entry) const {
  const size_t n = shape.n_nodes;
  const auto& left = *t.left;
  const auto& seen = shape.reachable;
  auto is_categorical = [&](size_t i) { return split_is_categorical(t, i); };
  cat_entry.assign(shape.any_categorical ? n : 0, -1);
  if (shape.any_categorical || (t.categories_nodes && !t.categories_nodes->empty())) {
    if (!t.categories_nodes || !t.categories_segments || !t.categories_sizes || !t.categories)
      return failed(where + ": categorical splits without 'categories', 'categories_nodes', "
                            "'categories_segments' and 'categories_sizes'");
    const auto& nodes = *t.categories_nodes;
    const auto& segs = *t.categories_segments;
    const auto& sizes = *t.categories_sizes;
    const auto& cats = *t.categories;
    if (segs.size() != nodes.size() || sizes.size() != nodes.size())
      return failed(where + ": categories_nodes, categories_segments and categories_sizes have " +
                    unum(nodes.size()) + ", " + unum(segs.size()) + " and " + unum(sizes.size()) + " entries");
    if (cat_entry.empty()) cat_entry.assign(n, -1);
    for (size_t k = 0; k < nodes.size(); ++k) {
      const std::string e = where + ": categories_nodes[" + unum(k) + "]";
      const int32_t node = nodes[k];
      if (node < 0 || static_cast<size_t>(node) >= n)
        return failed(e + " = " + num(node) + " is outside [0, " + unum(n) + ")");
      if (!is_categorical(static_cast<size_t>(node)))
        return failed(e + " = " + num(node) + " is not a categorical split (split_type)");
      if (cat_entry[node] != -1) return failed(e + " = " + num(node) + " is listed twice");
      const auto seg = static_cast<uint64_t>(segs[k]), size = static_cast<uint64_t>(sizes[k]);
      if (seg > cats.size() || size > cats.size() - seg)
        return failed(where + ", node " + num(node) + ": categories [" + unum(seg) + ", " + unum(seg) + " + " +
                      unum(size) + ") are outside the " + unum(cats.size()) + " entries of 'categories'");
      for (uint64_t j = seg; j < seg + size; ++j) {
        if (cats[j] < 0)
          return failed(where + ", node " + num(node) + ": category " + num(cats[j]) + " is negative");
        if (static_cast<uint64_t>(cats[j]) > max_category)
          return unsupported(where + ", node " + num(node) + ": category " + num(cats[j]) +
                             " is above mlmap's largest category " + unum(max_category));
      }
      cat_entry[node] = static_cast<int32_t>(k);
    }
    for (size_t i = 0; i < n; ++i)
      if (seen[i] && left[i] != -1 && is_categorical(i) && cat_entry[i] == -1)
        return failed(where + ", node " + unum(i) + ": a categorical split missing from categories_nodes");
  }
  return {};
}

// The tree in mlmap's rules (see the top of this file).
Status XgbTreeConverter::emit(const XgbTree& t, const std::string& where, size_t n,
                              const std::vector<int32_t>& cat_entry, const TreeOptions& options) {
  const auto& left = *t.left;
  const auto& right = *t.right;
  const auto& feature = *t.split_indices;
  const auto& cond = *t.split_conditions;
  const auto& dleft = *t.default_left;
  auto is_categorical = [&](size_t i) { return split_is_categorical(t, i); };
  // Covers where every node has a finite one >= 0 (they only weigh the
  // kernel choice: a model without them, or with odd ones, still converts).
  const std::vector<float>* hessian = t.sum_hessian && t.sum_hessian->size() == n ? &*t.sum_hessian : nullptr;
  if (hessian && !std::all_of(hessian->begin(), hessian->end(), [](float h) { return h >= 0 && std::isfinite(h); }))
    hessian = nullptr;
  out_.clear();
  out_.value_stride = leaf_width_;
  ctx_.clear();
  const uint64_t cap = 64 * uint64_t{n} + 4096;
  struct Item {
    int32_t src;
    int32_t ctx;
    size_t dst;
  };
  std::vector<Item> work{{0, -1, out_.add()}};
  constexpr double inf = std::numeric_limits<double>::infinity();
  while (!work.empty()) {
    Item it = work.back();
    work.pop_back();
    int32_t i = it.src;
    // Resolve nodes whose feature is known to be NaN or +inf on this path.
    while (left[i] != -1) {
      const int state = known(it.ctx, feature[i]);
      if (state == unknown) break;
      if (state == is_nan)
        i = dleft[i] ? left[i] : right[i];
      else  // +inf: numeric x < cond is false (cond is finite); an invalid category goes left
        i = is_categorical(i) ? left[i] : right[i];
    }
    const size_t k = it.dst;
    if (hessian) out_.cover[k] = (*hessian)[static_cast<size_t>(i)];
    if (left[i] == -1) {
      if (leaf_width_ == 1) {
        out_.values[k] = cond[i];
      } else {
        const float* v = leaf_row(t, static_cast<size_t>(i));
        for (size_t j = 0; j < leaf_width_; ++j) out_.values[k * leaf_width_ + j] = v[j];
      }
      continue;
    }
    if (out_.left.size() + 4 > cap)
      return unsupported(where + ": its categorical splits that send missing values right would need more than " +
                         unum(cap) + " nodes once rewritten for mlmap");
    out_.feature[k] = feature[i];
    if (!is_categorical(i)) {
      out_.threshold[k] = cond[i];
      out_.missing_left[k] = dleft[i];
      const size_t l = out_.add(), r = out_.add();
      out_.left[k] = static_cast<int64_t>(l);
      out_.right[k] = static_cast<int64_t>(r);
      work.push_back({right[i], it.ctx, r});
      work.push_back({left[i], it.ctx, l});
      continue;
    }
    const uint32_t set = category_set(t, static_cast<size_t>(cat_entry[i]));
    size_t c = k;
    if (!dleft[i]) {
      // T at k, C and U below it.
      out_.threshold[k] = inf;
      out_.missing_left[k] = 0;
      c = out_.add();
      const size_t u = out_.add();
      out_.left[k] = static_cast<int64_t>(c);
      out_.right[k] = static_cast<int64_t>(u);
      out_.feature[c] = feature[i];
      out_.feature[u] = feature[i];
      out_.threshold[u] = inf;
      out_.missing_left[u] = 1;
      const size_t un = out_.add(), ui = out_.add();
      out_.left[u] = static_cast<int64_t>(un);
      out_.right[u] = static_cast<int64_t>(ui);
      work.push_back({left[i], with(it.ctx, feature[i], is_pinf), ui});
      work.push_back({right[i], with(it.ctx, feature[i], is_nan), un});
    }
    out_.categorical[c] = 1;
    out_.category_set[c] = set;
    out_.missing_left[c] = 0;
    const size_t listed = out_.add(), others = out_.add();
    out_.left[c] = static_cast<int64_t>(listed);
    out_.right[c] = static_cast<int64_t>(others);
    work.push_back({left[i], it.ctx, others});
    work.push_back({right[i], it.ctx, listed});
  }
  if (!hessian) out_.cover.clear();
  if (Status s = builder_.add_tree(out_.view(), options); !s)
    return Error(s.code() == error_code::out_of_memory ? s.code() : error_code::import_failed,
                 source_ + ": " + where + ": " + s.message());
  return {};
}

int XgbTreeConverter::known(int32_t ctx, uint32_t feature) const {
  for (; ctx >= 0; ctx = ctx_[ctx].parent)
    if (ctx_[ctx].feature == feature) return ctx_[ctx].state;
  return unknown;
}

int32_t XgbTreeConverter::with(int32_t ctx, uint32_t feature, int state) {
  ctx_.push_back({feature, state, ctx});
  return static_cast<int32_t>(ctx_.size() - 1);
}

uint32_t XgbTreeConverter::category_set(const XgbTree& t, size_t k) {
  const auto seg = static_cast<size_t>((*t.categories_segments)[k]);
  const auto size = static_cast<size_t>((*t.categories_sizes)[k]);
  const auto& cats = *t.categories;
  uint32_t top = 0;
  for (size_t j = seg; j < seg + size; ++j) top = std::max(top, static_cast<uint32_t>(cats[j]));
  std::vector<uint32_t> words(top / 32 + 1, 0);
  for (size_t j = seg; j < seg + size; ++j) {
    const auto c = static_cast<uint32_t>(cats[j]);
    words[c / 32] |= 1u << (c % 32);
  }
  while (words.size() > 1 && words.back() == 0) words.pop_back();
  auto [pos, added] = sets_.try_emplace(words, 0);
  if (added) pos->second = builder_.add_category_set(words.data(), words.size());
  return pos->second;
}

}  // namespace mlmap::importers
