#include "writer/tree_writer.hpp"

#include "format/schema_enums.hpp"
#include "kernels/tree_cost.hpp"
#include "kernels/tree_kernels.hpp"
#include "model/complete_trees.hpp"
#include "model/leaf_bitvectors.hpp"

namespace mlmap::writer {

namespace {

// The kernels' view of the builder's trees (valid while it lives).
kernels::TreeEnsembleView view_of(const TreeEnsembleBuilder& t, uint64_t n_leaves) noexcept {
  kernels::TreeEnsembleView v;
  v.tree_root = t.tree_root().data();
  v.tree_depth = t.tree_depth().data();
  v.tree_output = t.tree_output().data();
  v.node_info = t.node_info().data();
  if (t.threshold_type() == ThresholdType::float64)
    v.node_threshold64 = t.node_threshold64().data();
  else
    v.node_threshold = t.node_threshold().data();
  v.node_child = t.node_child().data();
  v.leaf_values = t.leaf_values().data();
  v.n_nodes = t.n_nodes();
  v.n_leaves = n_leaves;
  v.n_trees = static_cast<uint32_t>(t.n_trees());
  v.n_features = static_cast<uint32_t>(t.n_features());
  v.leaf_width = static_cast<uint32_t>(t.leaf_width());
  v.n_raw = static_cast<uint32_t>(t.n_raw());
  v.max_depth = t.max_depth();
  v.has_missing = t.accepts_missing();
  return v;
}

}  // namespace

Status write_tree_model(const std::string& path, const ModelDescription& d, const TreeEnsembleBuilder& t,
                        const PreprocessingSpec* pre, const CheckFn& check, BitvectorLayout layout) noexcept {
  try {
    if (t.n_trees() == 0) return Error(error_code::invalid_argument, "the ensemble has no trees");
    const size_t width = pre ? pre->features.size() : d.n_features;
    if (t.n_features() != width)
      return Error(error_code::invalid_argument, "the trees were built for " + std::to_string(t.n_features()) +
                                                     " features, their input has " + std::to_string(width));
    size_t words = 0;
    for (const auto& s : t.category_sets()) words = std::max(words, s.size());
    std::vector<uint32_t> sets(t.category_sets().size() * words, 0);
    for (size_t i = 0; i < t.category_sets().size(); ++i)
      std::copy(t.category_sets()[i].begin(), t.category_sets()[i].end(), sets.begin() + i * words);
    const uint64_t n_leaves = t.leaf_values().size() / t.leaf_width();

    ColumnSet cols;
    const int32_t tree_root = cols.add("trees.tree_root", t.tree_root());
    const int32_t tree_depth = cols.add("trees.tree_depth", t.tree_depth());
    const int32_t tree_output = cols.add("trees.tree_output", t.tree_output());
    const int32_t node_info = cols.add("trees.node_info", t.node_info());
    const int32_t node_threshold = t.threshold_type() == ThresholdType::float64
                                       ? cols.add("trees.node_threshold", t.node_threshold64())
                                       : cols.add("trees.node_threshold", t.node_threshold());
    const int32_t node_child = cols.add("trees.node_child", t.node_child());
    const int32_t leaf_values = cols.add("trees.leaf_values", t.leaf_values(), {n_leaves, t.leaf_width()});
    const int32_t category_sets =
        sets.empty() ? -1 : cols.add("trees.category_sets", sets, {t.category_sets().size(), words});

    // The leaf bit-vector layout (FORMAT.md §5.1.1), when its kernel would
    // beat the walk on the widest SIMD it has (tree_cost.hpp).
    model::LeafBitvectorColumns bv;
    bool with_bv = false;
    if (t.category_sets().empty() && layout != BitvectorLayout::never) {
      kernels::TreeEnsembleView v = view_of(t, n_leaves);
      auto derived =
          model::derive_leaf_bitvectors(v, t.leaf_shares().empty() ? nullptr : t.leaf_shares().data());
      if (!derived && derived.code() == error_code::out_of_memory) return derived.error();
      if (derived) {
        bv = std::move(*derived);
        v.bitvectors = bv.view();
        with_bv = layout == BitvectorLayout::always ||
                  kernels::bitvectors_pay_off(v, kernels::widest_float_lanes, kernels::tree_block_rows);
      }
    }
    int32_t bv_columns[7] = {-1, -1, -1, -1, -1, -1, -1};
    if (with_bv) {
      bv_columns[0] = cols.add("trees.leaf_bitvectors.features", bv.features);
      bv_columns[1] = cols.add("trees.leaf_bitvectors.tree_words", bv.tree_words);
      bv_columns[2] = cols.add("trees.leaf_bitvectors.tree_leaves", bv.tree_leaves);
      bv_columns[3] = cols.add("trees.leaf_bitvectors.word_records", bv.word_records, {bv.n_words(), 2});
      bv_columns[4] = cols.add("trees.leaf_bitvectors.record_feature", bv.record_feature);
      bv_columns[5] = cols.add("trees.leaf_bitvectors.record_threshold", bv.record_threshold);
      bv_columns[6] = cols.add("trees.leaf_bitvectors.record_clear", bv.record_clear);
    }

    // The complete-tree layout (FORMAT.md §5.1.2) for the one-row kernel,
    // when the trees are shallow enough for it (tree_cost.hpp).
    model::CompleteTreeColumns complete;
    bool with_complete = false;
    if (const kernels::TreeEnsembleView v = view_of(t, n_leaves);
        t.category_sets().empty() && kernels::complete_trees_pay_off(v)) {
      auto derived = model::derive_complete_trees(v);
      if (!derived && derived.code() == error_code::out_of_memory) return derived.error();
      if (derived) {
        complete = std::move(*derived);
        with_complete = true;
      }
    }
    int32_t complete_columns[2] = {-1, -1};
    if (with_complete) {
      const uint64_t inner = (uint64_t{1} << complete.depth) - 1;
      complete_columns[0] = cols.add("trees.complete_trees.nodes", complete.nodes,
                                     {complete.n_groups(), inner, kernels::complete_tree_lanes});
      complete_columns[1] = cols.add("trees.complete_trees.leaves", complete.leaves,
                                     {complete.n_groups(), inner + 1, kernels::complete_tree_lanes});
    }

    auto table = [&](flatbuffers::FlatBufferBuilder& b) {
      flatbuffers::Offset<fb::CompleteTrees> complete_layout;
      if (with_complete) {
        fb::CompleteTreesBuilder c(b);
        c.add_depth(complete.depth);
        c.add_nodes(complete_columns[0]);
        c.add_leaves(complete_columns[1]);
        complete_layout = c.Finish();
      }
      flatbuffers::Offset<fb::LeafBitvectors> layout;
      if (with_bv) {
        fb::LeafBitvectorsBuilder l(b);
        l.add_n_words(bv.n_words());
        l.add_n_records(bv.n_records());
        l.add_n_features(static_cast<uint32_t>(bv.features.size()));
        l.add_walk_steps(bv.walk_steps);
        if (bv.covered_walk_steps >= 0) l.add_covered_walk_steps(bv.covered_walk_steps);
        l.add_max_tree_leaves(bv.max_tree_leaves);
        l.add_features(bv_columns[0]);
        l.add_tree_words(bv_columns[1]);
        l.add_tree_leaves(bv_columns[2]);
        l.add_word_records(bv_columns[3]);
        l.add_record_feature(bv_columns[4]);
        l.add_record_threshold(bv_columns[5]);
        l.add_record_clear(bv_columns[6]);
        layout = l.Finish();
      }
      fb::TreeEnsembleBuilder e(b);
      if (with_bv) e.add_leaf_bitvectors(layout);
      if (with_complete) e.add_complete_trees(complete_layout);
      e.add_n_trees(static_cast<uint32_t>(t.n_trees()));
      e.add_n_nodes(t.n_nodes());
      e.add_n_leaves(n_leaves);
      e.add_leaf_width(static_cast<uint32_t>(t.leaf_width()));
      e.add_max_depth(t.max_depth());
      e.add_aggregation(format::to_schema(t.aggregation()));
      e.add_has_missing(t.accepts_missing());
      e.add_n_category_sets(static_cast<uint32_t>(t.category_sets().size()));
      e.add_category_set_words(static_cast<uint32_t>(words));
      e.add_tree_root(tree_root);
      e.add_tree_depth(tree_depth);
      e.add_tree_output(tree_output);
      e.add_node_info(node_info);
      e.add_node_threshold(node_threshold);
      e.add_node_child(node_child);
      e.add_leaf_values(leaf_values);
      e.add_category_sets(category_sets);
      return std::make_pair(fb::Predictor::TreeEnsemble, e.Finish().Union());
    };
    return write_model_file(path, d, cols, static_cast<uint32_t>(t.n_raw()), table, pre, check);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

}  // namespace mlmap::writer
