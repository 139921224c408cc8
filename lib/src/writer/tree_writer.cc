#include "writer/tree_writer.hpp"

#include "format/schema_enums.hpp"

namespace mlmap::writer {

Status write_tree_model(const std::string& path, const ModelDescription& d, const TreeEnsembleBuilder& t,
                        const PreprocessingSpec* pre, const CheckFn& check) noexcept {
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

    auto table = [&](flatbuffers::FlatBufferBuilder& b) {
      fb::TreeEnsembleBuilder e(b);
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
