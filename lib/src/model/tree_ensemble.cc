#include "model/tree_ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "format/limits.hpp"
#include "format/schema_enums.hpp"
#include "kernels/tree_cost.hpp"
#include "kernels/tree_kernels.hpp"
#include "model/complete_trees.hpp"
#include "model/leaf_bitvectors.hpp"

namespace mlmap::model {

namespace {

using kernels::TreeEnsembleView;

std::string str(uint64_t v) { return std::to_string(v); }

Error limit(const char* what, uint64_t found, uint64_t lo, uint64_t hi) {
  return Error(found > hi ? error_code::limit_exceeded : error_code::invalid_model,
               std::string("tree ensemble ") + what + " is " + str(found) + ", allowed [" + str(lo) + ", " + str(hi) + "]");
}

Error bad_node(uint32_t tree, uint64_t node, const std::string& what) {
  return Error(error_code::invalid_model, "tree " + str(tree) + ", node " + str(node) + ": " + what);
}

class TreePredictor final : public Predictor {
 public:
  TreePredictor(const TreeEnsembleView& v, bool mean, bool has_missing) : v_(v), mean_(mean), has_missing_(has_missing) {}

  PredictorKind kind() const noexcept override { return PredictorKind::tree_ensemble; }
  size_t n_raw() const noexcept override { return v_.n_raw; }
  bool accepts_missing() const noexcept override { return has_missing_; }
  // Large blocks: the kernels reuse each tree's nodes across the rows of a
  // call.
  size_t block_rows() const noexcept override { return kernels::tree_block_rows; }
  size_t min_rows_per_call() const noexcept override {
    return kernels::walk_min_rows_per_call(v_, kernels::cache_sizes());
  }

  Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept override {
    if (v_.node_threshold64) {
      // The bit-vector layout's float32 thresholds (rounded down) decide
      // float32 inputs exactly; otherwise widen: float -> double is exact.
      std::fill(raw, raw + n_rows * v_.n_raw, 0.0);
      if (kernels::accumulate_trees_bitvectors(v_, X, n_rows, raw)) {
        finish(raw, n_rows);
        return {};
      }
      return converted<double>(X, n_rows, raw);
    }
    return direct(X, n_rows, raw);
  }

  Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept override {
    // float32-threshold models compare float32 inputs (as sklearn and XGBoost
    // do); IEEE-754 conversion rounds to nearest and takes out-of-range values
    // to +-inf.
    if (v_.node_threshold) return converted<float>(X, n_rows, raw);
    return direct(X, n_rows, raw);
  }

  Status verify() const noexcept override { return verify_tree_view(v_); }

 private:
  template <class T>
  Status direct(const T* X, size_t n_rows, double* raw) const noexcept {
    std::fill(raw, raw + n_rows * v_.n_raw, 0.0);
    kernels::accumulate_trees(v_, X, n_rows, raw);
    finish(raw, n_rows);
    return {};
  }

  // Converts a block of rows at a time into the model's input type; blocks
  // as large as the kernels' (kernels::tree_block_rows) for narrow rows, so that
  // large trees are fetched once per many rows.
  template <class To, class From>
  Status converted(const From* X, size_t n_rows, double* raw) const noexcept {
    static_assert(std::numeric_limits<float>::is_iec559 && std::numeric_limits<double>::is_iec559);
    constexpr size_t block_bytes = 8 << 20;
    const size_t nf = v_.n_features;
    const size_t step = std::min(n_rows, std::max<size_t>(1, block_bytes / sizeof(To) / nf));
    // A few rows convert on the stack: a heap block per one-row call cost
    // ~100 instructions of malloc/free (s_gbr_d5_t150_f50, float64 rows).
    constexpr size_t stack_values = 1024;
    To on_stack[stack_values];
    std::vector<To> on_heap;
    To* xs = on_stack;
    if (step * nf > stack_values) {
      try {
        on_heap.resize(step * nf);
      } catch (const std::bad_alloc&) {
        return Error(error_code::out_of_memory, "out of memory converting input rows");
      }
      xs = on_heap.data();
    }
    std::fill(raw, raw + n_rows * v_.n_raw, 0.0);
    for (size_t r = 0; r < n_rows; r += step) {
      const size_t n = std::min(step, n_rows - r);
      for (size_t i = 0; i < n * nf; ++i) xs[i] = static_cast<To>(X[r * nf + i]);
      kernels::accumulate_trees(v_, xs, n, raw + r * v_.n_raw);
    }
    finish(raw, n_rows);
    return {};
  }

  void finish(double* raw, size_t n_rows) const noexcept {
    if (!mean_) return;
    const double n = static_cast<double>(v_.n_trees);
    for (size_t i = 0; i < n_rows * v_.n_raw; ++i) raw[i] /= n;
  }

  TreeEnsembleView v_;
  bool mean_;
  bool has_missing_;
};

// The optional leaf bit-vector layout (FORMAT.md §5.1.1): counts and column
// lengths only; verify() compares the contents with the nodes.
Status read_bitvectors(const format::FileView& file, const fb::LeafBitvectors& b, TreeEnsembleView* v) noexcept {
  if (v->n_category_sets > 0)
    return Error(error_code::invalid_model, "tree ensemble has categorical splits and a leaf bit-vector layout, "
                                           "which cannot express them");
  if (b.n_words() < 1 || b.n_words() > UINT32_MAX) return limit("leaf_bitvectors.n_words", b.n_words(), 1, UINT32_MAX);
  if (b.n_records() > UINT32_MAX) return limit("leaf_bitvectors.n_records", b.n_records(), 0, UINT32_MAX);
  if (b.n_features() > v->n_features)
    return limit("leaf_bitvectors.n_features", b.n_features(), 0, v->n_features);
  if (!(b.walk_steps() >= 0) || !std::isfinite(b.walk_steps()))
    return Error(error_code::invalid_model, "tree ensemble leaf_bitvectors.walk_steps is " +
                                                std::to_string(b.walk_steps()) + ", expected a finite value >= 0");
  // -1 (the default): the writer had no covers.
  if (b.covered_walk_steps() != -1 && (!(b.covered_walk_steps() >= 0) || !std::isfinite(b.covered_walk_steps())))
    return Error(error_code::invalid_model, "tree ensemble leaf_bitvectors.covered_walk_steps is " +
                                                std::to_string(b.covered_walk_steps()) +
                                                ", expected -1 (none) or a finite value >= 0");
  kernels::LeafBitvectorView& bv = v->bitvectors;
#define MLMAP_COLUMN(field, type, count)                                               \
  {                                                                                    \
    auto c = file.column<type>(b.field(), (count), "trees.leaf_bitvectors." #field); \
    if (!c) return c.error();                                                          \
    bv.field = *c;                                                                     \
  }
  MLMAP_COLUMN(features, uint32_t, b.n_features())
  MLMAP_COLUMN(tree_words, uint32_t, v->n_trees)
  MLMAP_COLUMN(tree_leaves, uint32_t, v->n_trees)
  MLMAP_COLUMN(word_records, uint32_t, 2 * b.n_words())
  MLMAP_COLUMN(record_feature, uint32_t, b.n_records())
  MLMAP_COLUMN(record_threshold, float, b.n_records())
  MLMAP_COLUMN(record_clear, uint32_t, b.n_records())
#undef MLMAP_COLUMN
  bv.n_words = b.n_words();
  bv.n_records = b.n_records();
  bv.n_features = b.n_features();
  bv.max_tree_leaves = b.max_tree_leaves();
  bv.walk_steps = b.walk_steps();
  bv.covered_walk_steps = b.covered_walk_steps();
  return {};
}

// The optional complete-tree layout (FORMAT.md §5.1.2): its depth and column
// lengths; verify() compares the contents with the nodes.
Status read_complete_trees(const format::FileView& file, const fb::CompleteTrees& c, TreeEnsembleView* v) noexcept {
  if (v->n_category_sets > 0 || !v->node_threshold)
    return Error(error_code::invalid_model, "tree ensemble has a complete-tree layout, which needs float32 thresholds "
                                           "and no categorical splits");
  if (c.depth() < std::max<uint32_t>(v->max_depth, 1) || c.depth() > kernels::max_complete_depth)
    return limit("complete_trees.depth", c.depth(), std::max<uint32_t>(v->max_depth, 1), kernels::max_complete_depth);
  const uint64_t groups = (uint64_t{v->n_trees} + kernels::complete_tree_lanes - 1) / kernels::complete_tree_lanes;
  const uint64_t bottom = uint64_t{1} << c.depth();
  auto nodes = file.column<uint64_t>(c.nodes(), groups * (bottom - 1) * kernels::complete_tree_lanes,
                                     "trees.complete_trees.nodes");
  if (!nodes) return nodes.error();
  auto leaves = file.column<uint32_t>(c.leaves(), groups * bottom * kernels::complete_tree_lanes,
                                      "trees.complete_trees.leaves");
  if (!leaves) return leaves.error();
  v->complete = {*nodes, *leaves, c.depth()};
  return {};
}

// The file's complete-tree layout against the one its nodes give.
Status verify_complete_trees(const TreeEnsembleView& v) noexcept {
  TreeEnsembleView at_depth = v;  // derived at the stored depth (>= max_depth, checked at open)
  at_depth.max_depth = v.complete.depth;
  auto want = derive_complete_trees(at_depth);
  if (!want) {
    if (want.code() == error_code::out_of_memory) return want.error();
    return Error(error_code::invalid_model, "tree ensemble has a complete-tree layout, but " + want.message());
  }
  auto differs = [](const char* what) {
    return Error(error_code::invalid_model, std::string("complete-tree layout: ") + what + " does not match the trees' nodes");
  };
  if (!std::equal(want->nodes.begin(), want->nodes.end(), v.complete.nodes)) return differs("nodes");
  if (!std::equal(want->leaves.begin(), want->leaves.end(), v.complete.leaves)) return differs("leaves");
  return {};
}

// The file's bit-vector layout against the one its nodes give.
Status verify_bitvectors(const TreeEnsembleView& v) noexcept {
  auto want = derive_leaf_bitvectors(v);
  if (!want) {
    if (want.code() == error_code::out_of_memory) return want.error();
    return Error(error_code::invalid_model, "tree ensemble has a leaf bit-vector layout, but " + want.message());
  }
  const kernels::LeafBitvectorView& got = v.bitvectors;
  auto differs = [](const char* what) {
    return Error(error_code::invalid_model,
                 std::string("leaf bit-vector layout: ") + what + " does not match the trees' nodes");
  };
  if (got.n_words != want->n_words() || got.n_records != want->n_records() ||
      got.n_features != want->features.size())
    return differs("the counts");
  // walk_steps only informs the choice of kernel: another libm may round
  // the writer's arithmetic differently.
  if (got.max_tree_leaves != want->max_tree_leaves ||
      !(std::fabs(got.walk_steps - want->walk_steps) <= 1e-9 * std::max(1.0, want->walk_steps)))
    return differs("max_tree_leaves or walk_steps");
  // The covers that weighed covered_walk_steps are not in the file: it can
  // only be bounded by every tree's deepest path (>= 0 checked at open).
  if (!(got.covered_walk_steps <= double(want->deepest_paths) * (1 + 1e-9)))
    return Error(error_code::invalid_model, "leaf bit-vector layout: covered_walk_steps " +
                                                std::to_string(got.covered_walk_steps) +
                                                " exceeds the trees' deepest paths, " +
                                                std::to_string(want->deepest_paths) + " levels in all");
  auto same = [](const auto* a, const auto& b) { return std::equal(b.begin(), b.end(), a); };
  if (!same(got.features, want->features)) return differs("features");
  if (!same(got.tree_words, want->tree_words)) return differs("tree_words");
  if (!same(got.tree_leaves, want->tree_leaves)) return differs("tree_leaves");
  if (!same(got.word_records, want->word_records)) return differs("word_records");
  if (!same(got.record_feature, want->record_feature)) return differs("record_feature");
  if (!same(got.record_clear, want->record_clear)) return differs("record_clear");
  // Bit patterns: a NaN threshold must not compare equal to anything.
  for (uint64_t r = 0; r < got.n_records; ++r) {
    uint32_t a, b;
    std::memcpy(&a, &got.record_threshold[r], sizeof a);
    std::memcpy(&b, &want->record_threshold[r], sizeof b);
    if (a != b) return differs("record_threshold");
  }
  return {};
}

}  // namespace

Result<TreeEnsembleView> make_tree_view(const format::FileView& file, const fb::TreeEnsemble& t, uint32_t n_features,
                                        uint32_t n_raw) noexcept {
  TreeEnsembleView v;
  if (t.n_trees() < 1 || t.n_trees() > limits::max_trees) return limit("n_trees", t.n_trees(), 1, limits::max_trees);
  if (t.n_nodes() < 1 || t.n_nodes() > limits::max_nodes) return limit("n_nodes", t.n_nodes(), 1, limits::max_nodes);
  if (t.n_leaves() < 1 || t.n_leaves() > limits::max_leaves)
    return limit("n_leaves", t.n_leaves(), 1, limits::max_leaves);
  if (t.n_trees() > t.n_nodes())
    return Error(error_code::invalid_model, "tree ensemble has " + str(t.n_trees()) + " trees but only " +
                                                str(t.n_nodes()) + " nodes");
  if (t.leaf_width() < 1 || t.leaf_width() > n_raw)
    return Error(error_code::invalid_model, "tree ensemble leaf_width " + str(t.leaf_width()) + " is outside [1, " +
                                                str(n_raw) + "] (the model's raw scores)");
  if (t.max_depth() > limits::max_tree_depth) return limit("max_depth", t.max_depth(), 0, limits::max_tree_depth);
  Aggregation aggregation{};
  if (!format::from_schema(t.aggregation(), aggregation))
    return Error(error_code::unsupported_model,
                 "tree ensemble aggregation " + str(static_cast<unsigned>(t.aggregation())) + " is unknown to this reader");
  v.n_trees = t.n_trees();
  v.n_nodes = t.n_nodes();
  v.n_leaves = t.n_leaves();
  v.leaf_width = t.leaf_width();
  v.max_depth = t.max_depth();
  v.n_features = n_features;
  v.n_raw = n_raw;
  v.has_missing = t.has_missing();

#define MLMAP_COLUMN(field, type, count)                                              \
  {                                                                                   \
    auto c = file.column<type>(t.field(), (count), "trees." #field);                \
    if (!c) return c.error();                                                         \
    v.field = *c;                                                                     \
  }
  MLMAP_COLUMN(tree_root, uint32_t, v.n_trees)
  MLMAP_COLUMN(tree_depth, uint32_t, v.n_trees)
  MLMAP_COLUMN(tree_output, uint32_t, v.n_trees)
  MLMAP_COLUMN(node_info, uint32_t, v.n_nodes)
  {
    auto dtype = file.column_dtype(t.node_threshold(), "trees.node_threshold");
    if (!dtype) return dtype.error();
    if (*dtype == fb::DType::Float64) {
      auto c = file.column<double>(t.node_threshold(), v.n_nodes, "trees.node_threshold");
      if (!c) return c.error();
      v.node_threshold64 = *c;
    } else {
      MLMAP_COLUMN(node_threshold, float, v.n_nodes)
    }
  }
  MLMAP_COLUMN(node_child, uint32_t, v.n_nodes)
  MLMAP_COLUMN(leaf_values, double, v.n_leaves * v.leaf_width)  // < 2^50: no overflow
  if (t.n_category_sets() > 0) {
    if (t.category_set_words() < 1 || t.category_set_words() > limits::max_category_set_words)
      return limit("category_set_words", t.category_set_words(), 1, limits::max_category_set_words);
    v.n_category_sets = t.n_category_sets();
    v.category_set_words = t.category_set_words();
    MLMAP_COLUMN(category_sets, uint32_t, uint64_t{v.n_category_sets} * v.category_set_words)
  }
#undef MLMAP_COLUMN
  if (const fb::LeafBitvectors* b = t.leaf_bitvectors()) {
    auto st = read_bitvectors(file, *b, &v);
    if (!st) return st.error();
    for (size_t lanes : {4, 8, 16})
      v.bitvectors.pays_from_rows[kernels::pays_from_index(lanes)] = kernels::bitvectors_pay_from_rows(v, lanes);
  }
  if (const fb::CompleteTrees* c = t.complete_trees()) {
    auto st = read_complete_trees(file, *c, &v);
    if (!st) return st.error();
  }
  return v;
}

Status verify_tree_view(const TreeEnsembleView& v) noexcept {
  try {
    if (v.tree_root[0] != 0) return bad_node(0, v.tree_root[0], "the first tree must start at node 0");
    std::vector<uint16_t> depth;  // depth of each node of the current tree, 0 = not reached
    uint32_t deepest = 0;
    for (uint32_t t = 0; t < v.n_trees; ++t) {
      const uint64_t begin = v.tree_root[t];
      const uint64_t end = t + 1 < v.n_trees ? v.tree_root[t + 1] : v.n_nodes;
      if (end <= begin || end > v.n_nodes)
        return bad_node(t, begin, "tree spans nodes [" + str(begin) + ", " + str(end) + "), outside [0, " +
                                      str(v.n_nodes) + ") or empty");
      if (v.tree_output[t] > v.n_raw - v.leaf_width)
        return bad_node(t, begin, "output slot " + str(v.tree_output[t]) + " + leaf width " + str(v.leaf_width) +
                                      " exceeds " + str(v.n_raw) + " raw scores");
      if (v.tree_depth[t] > v.max_depth)
        return bad_node(t, begin, "depth " + str(v.tree_depth[t]) + " exceeds the ensemble's max_depth " + str(v.max_depth));
      depth.assign(end - begin, 0);
      depth[0] = 1;  // stored as depth + 1
      uint32_t tree_depth = 0;
      for (uint64_t k = begin; k < end; ++k) {
        const uint32_t d = depth[k - begin];
        if (d == 0) return bad_node(t, k, "not reachable from the tree's root");
        tree_depth = std::max(tree_depth, d - 1u);
        const uint32_t info = v.node_info[k];
        const uint64_t child = v.node_child[k];
        if (child == k) {
          const double threshold = v.node_threshold ? v.node_threshold[k] : v.node_threshold64[k];
          if ((info & kernels::node_feature_mask) >= v.n_leaves)
            return bad_node(t, k, "leaf row " + str(info & kernels::node_feature_mask) + " >= n_leaves " + str(v.n_leaves));
          if (!(info & kernels::node_missing_left) || (info & kernels::node_categorical) ||
              threshold != std::numeric_limits<double>::infinity())
            return bad_node(t, k, "leaf is not a fixed point (needs threshold +inf, missing-left, not categorical)");
          continue;
        }
        if (child <= k || child + 1 >= end)
          return bad_node(t, k, "children " + str(child) + "," + str(child + 1) + " not after the node and inside the tree [" +
                                    str(begin) + ", " + str(end) + ")");
        if ((info & kernels::node_feature_mask) >= v.n_features)
          return bad_node(t, k, "feature " + str(info & kernels::node_feature_mask) + " >= n_features " + str(v.n_features));
        if (info & kernels::node_categorical) {
          uint32_t set;  // the low 32 bits of the threshold slot
          if (v.node_threshold)
            std::memcpy(&set, &v.node_threshold[k], sizeof set);
          else
            std::memcpy(&set, &v.node_threshold64[k], sizeof set);
          if (set >= v.n_category_sets)
            return bad_node(t, k, "category set " + str(set) + " >= n_category_sets " + str(v.n_category_sets));
        } else if (v.node_threshold ? std::isnan(v.node_threshold[k]) : std::isnan(v.node_threshold64[k])) {
          return bad_node(t, k, "threshold is NaN");
        }
        for (uint64_t c = child; c <= child + 1; ++c) {
          if (depth[c - begin] != 0) return bad_node(t, c, "has more than one parent");
          if (d > v.tree_depth[t]) return bad_node(t, c, "deeper than the tree's depth " + str(v.tree_depth[t]));
          depth[c - begin] = static_cast<uint16_t>(d + 1);
        }
      }
      if (tree_depth != v.tree_depth[t])
        return bad_node(t, begin, "recorded depth " + str(v.tree_depth[t]) + " but the deepest leaf is at " + str(tree_depth));
      deepest = std::max(deepest, tree_depth);
    }
    if (deepest != v.max_depth)
      return Error(error_code::invalid_model,
                   "tree ensemble records max_depth " + str(v.max_depth) + " but its deepest tree has depth " + str(deepest));
    const uint64_t n_values = v.n_leaves * v.leaf_width;
    for (uint64_t i = 0; i < n_values; ++i)
      if (!std::isfinite(v.leaf_values[i]))
        return Error(error_code::invalid_model, "leaf value " + str(i / v.leaf_width) + "[" + str(i % v.leaf_width) +
                                                    "] is not finite");
    if (v.complete.present())
      if (auto st = verify_complete_trees(v); !st) return st;
    if (v.bitvectors.present()) return verify_bitvectors(v);
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory verifying the trees");
  }
}

Result<std::unique_ptr<Predictor>> make_tree_predictor(const format::FileView& file, const fb::TreeEnsemble& t,
                                                       uint32_t n_features, uint32_t n_raw, TreeSummary* summary) noexcept {
  auto view = make_tree_view(file, t, n_features, n_raw);
  if (!view) return view.error();
  if (summary) {
    summary->n_trees = view->n_trees;
    summary->n_nodes = view->n_nodes;
    summary->n_leaves = view->n_leaves;
    summary->max_depth = view->max_depth;
    summary->leaf_width = view->leaf_width;
    summary->has_categorical = view->n_category_sets > 0;
    summary->threshold_bits = view->node_threshold64 ? 64 : 32;
    summary->complete_layout = view->complete.present();
    const kernels::LeafBitvectorView& b = view->bitvectors;
    summary->bitvector_layout = b.present();
    summary->bitvector_records = b.n_records;
    summary->bitvector_words = b.n_words;
    summary->bitvector_features = b.n_features;
    summary->max_tree_leaves = b.max_tree_leaves;
    summary->walk_steps = b.expected_walk_steps();
    summary->walk_steps_covered = b.covered_walk_steps >= 0;
  }
  try {
    return std::unique_ptr<Predictor>(
        new TreePredictor(*view, t.aggregation() == fb::Aggregation::Mean, t.has_missing()));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening the trees");
  }
}

}  // namespace mlmap::model
