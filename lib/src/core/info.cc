// What a model file says about itself (mlmap/info.hpp): names, labels, and
// ModelInfo's one JSON form.
#include "mlmap/info.hpp"

#include <string>

#include "mlmap/json.hpp"

namespace mlmap {

const char* task_name(Task task) noexcept { return enum_name(task); }

std::string ClassLabels::to_string(size_t i) const {
  if (kind == Kind::integers) return i < integers.size() ? std::to_string(integers[i]) : std::string();
  return i < strings.size() ? strings[i] : std::string();
}

namespace {

template <class T>
void string_array(ValueWriter& j, const T& items) {
  j.begin_array();
  for (const auto& s : items) j.string(s);
  j.end_array();
}

template <class E>
void name_array(ValueWriter& j, const std::vector<E>& values) {
  j.begin_array();
  for (E v : values) j.string(enum_name(v));
  j.end_array();
}

}  // namespace

void write_json_members(ValueWriter& j, const ModelInfo& i) {
  j.member("format_version", std::to_string(i.format.major) + "." + std::to_string(i.format.minor));
  j.key("provenance");
  j.begin_object();
  const auto& p = i.provenance;
  j.member("producer", p.producer);
  j.member("producer_version", p.producer_version);
  j.member("source_library", p.source_library);
  j.member("source_version", p.source_version);
  j.member("numpy_version", p.numpy_version);
  j.member("python_version", p.python_version);
  j.member("created_unix_ms", p.created_unix_ms);
  j.end_object();
  j.key("metadata");
  j.begin_object();
  for (const auto& [k, v] : i.metadata) j.member(k, v);
  j.end_object();
  j.member("estimator", i.estimator);
  j.member("predictor", enum_name(i.predictor_kind));
  j.member("task", enum_name(i.task));
  j.member("link", enum_name(i.link_function));
  j.member("link_scale", i.link_scale);
  j.member("class_decision", enum_name(i.decision));
  j.member("decision_function", enum_name(i.decision_function));
  j.member("decision_offset", i.decision_offset);
  j.key("base_score");
  j.begin_array();
  for (double b : i.base_score) j.number(b);
  j.end_array();
  j.member("n_features", i.n_features);
  j.member("n_outputs", i.n_outputs);
  j.member("n_raw", i.n_raw);
  j.member("accepts_missing", i.accepts_missing);
  j.member("accepts_infinity", i.accepts_infinity);
  j.key("feature_names");
  string_array(j, i.feature_names);
  j.key("classes");
  switch (i.classes.kind) {
    case ClassLabels::Kind::none: j.null(); break;
    case ClassLabels::Kind::integers:
      j.begin_array();
      for (int64_t c : i.classes.integers) j.integer(c);
      j.end_array();
      break;
    case ClassLabels::Kind::strings: string_array(j, i.classes.strings); break;
  }
  if (!i.output_groups.empty()) {
    // multi-output classifiers: the class count of each output
    j.key("output_groups");
    j.begin_array();
    for (size_t k : i.output_groups) j.integer(static_cast<int64_t>(k));
    j.end_array();
  }
  if (i.trees.n_trees) {
    const auto& t = i.trees;
    j.key("trees");
    j.begin_object();
    j.member("n_trees", t.n_trees);
    j.member("n_nodes", t.n_nodes);
    j.member("n_leaves", t.n_leaves);
    j.member("max_depth", t.max_depth);
    j.member("leaf_width", t.leaf_width);
    j.member("has_categorical", t.has_categorical);
    j.member("threshold_bits", t.threshold_bits);
    j.key("layouts");
    j.begin_array();
    j.string("nodes");
    if (t.complete_layout) j.string("complete");
    if (t.bitvector_layout) j.string("bitvectors");
    j.end_array();
    if (t.bitvector_layout) {
      j.key("bitvectors");
      j.begin_object();
      j.member("n_records", t.bitvector_records);
      j.member("n_words", t.bitvector_words);
      j.member("n_features", t.bitvector_features);
      j.member("max_tree_leaves", t.max_tree_leaves);
      j.member("walk_steps", t.walk_steps);
      j.member("walk_steps_covered", t.walk_steps_covered);
      j.end_object();
    }
    j.end_object();
  }
  if (i.dense.n_layers) {
    j.key("dense");
    j.begin_object();
    j.member("n_layers", i.dense.n_layers);
    j.member("n_weights", i.dense.n_weights);
    j.end_object();
  }
  if (i.neighbors.n_samples) {
    const auto& n = i.neighbors;
    j.key("neighbors");
    j.begin_object();
    j.member("n_samples", n.n_samples);
    j.member("n_neighbors", n.n_neighbors);
    if (n.n_neighbors == 0) j.member("reduced_radius", n.reduced_radius);  // a radius search
    j.member("metric", n.metric);
    j.member("p", n.p);
    j.member("weights", n.weights);
    j.member("sample_bits", n.sample_bits);
    j.end_object();
  }
  if (i.kernel.n_support_vectors) {
    const auto& k = i.kernel;
    j.key("kernel_machine");
    j.begin_object();
    j.member("n_support_vectors", k.n_support_vectors);
    j.member("kernel", k.kernel);
    j.member("gamma", k.gamma);
    j.member("coef0", k.coef0);
    j.member("degree", k.degree);
    j.end_object();
  }
  if (!i.naive_bayes.empty()) j.member("naive_bayes", i.naive_bayes);
  if (i.preprocessing.n_steps) {
    j.key("preprocessing");
    j.begin_object();
    j.key("steps");
    name_array(j, i.preprocessing.steps);
    j.member("n_predictor_features", i.preprocessing.n_predictor_features);
    j.key("unread_columns");
    j.begin_array();
    for (const size_t c : i.preprocessing.unread_columns) j.integer(static_cast<int64_t>(c));
    j.end_array();
    j.end_object();
  }
  // String input columns by name (by index, as a string, if the model has no names).
  j.key("string_columns");
  j.begin_array();
  for (size_t c = 0; c < i.string_inputs.size(); ++c)
    if (i.string_inputs[c]) j.string(c < i.feature_names.size() ? i.feature_names[c] : std::to_string(c));
  j.end_array();
  j.member("file_size", i.file_size);
  j.member("header_size", i.header_size);
  j.member("n_columns", i.n_columns);
  j.member("content_hash", i.content_hash);
}

std::string to_json(const ModelInfo& info, int indent) {
  std::string out;
  size_t names = 0;
  for (const auto& n : info.feature_names) names += n.size() + 8;
  out.reserve(1024 + names);
  JsonWriter j(out, indent);
  j.begin_object();
  write_json_members(j, info);
  j.end_object();
  return out;
}

}  // namespace mlmap
