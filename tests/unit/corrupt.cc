#include "corrupt.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

#include "format/checksum.hpp"
#include "format/preamble.hpp"
#include "format/vocabulary.hpp"
#include "kernels/tree_ensemble_view.hpp"
#include "mlmap_generated.h"
#include "writer/dense_writer.hpp"
#include "support.hpp"

namespace test {

using mlmap::error_code;
namespace fb = mlmap::fb;

Expectation expectation(Corruption kind) {
  using C = Corruption;
  using S = Stage;
  switch (kind) {
    case C::empty_file: return {"empty_file", S::open, error_code::file_too_small, "0 bytes"};
    case C::short_file: return {"short_file", S::open, error_code::file_too_small, "at least 64"};
    case C::bad_magic: return {"bad_magic", S::open, error_code::bad_magic, "not an mlmap file"};
    case C::newer_major: return {"newer_major", S::open, error_code::unsupported_version, "newer than this reader"};
    case C::major_zero: return {"major_zero", S::open, error_code::unsupported_version, "never released"};
    case C::truncated: return {"truncated", S::open, error_code::truncated, "truncated"};
    case C::trailing_bytes: return {"trailing_bytes", S::open, error_code::corrupt_header, "trailing bytes"};
    case C::header_length_huge: return {"header_length_huge", S::open, error_code::corrupt_header, "header length"};
    case C::header_offset: return {"header_offset", S::open, error_code::corrupt_header, "header offset"};
    case C::header_byte_flip: return {"header_byte_flip", S::open, error_code::checksum_mismatch, "header checksum"};
    case C::header_root_offset:
      return {"header_root_offset", S::open, error_code::corrupt_header, "fails FlatBuffers verification"};
    case C::bad_identifier: return {"bad_identifier", S::open, error_code::corrupt_header, "identifier"};
    case C::column_misaligned: return {"column_misaligned", S::open, error_code::column_misaligned, "not a multiple of 64"};
    case C::column_past_end: return {"column_past_end", S::open, error_code::column_out_of_bounds, "but the file has"};
    case C::column_over_header:
      return {"column_over_header", S::open, error_code::column_out_of_bounds, "inside the preamble or header"};
    case C::column_length_past_end:
      return {"column_length_past_end", S::open, error_code::column_out_of_bounds, "but the file has"};
    case C::column_dtype: return {"column_dtype", S::open, error_code::column_mismatch, "is Float32, expected UInt32"};
    case C::column_shape: return {"column_shape", S::open, error_code::column_mismatch, "shape and dtype"};
    case C::column_unknown_dtype: return {"column_unknown_dtype", S::open, error_code::column_mismatch, "unknown dtype"};
    case C::node_count: return {"node_count", S::open, error_code::column_mismatch, "elements, expected"};
    case C::column_reference: return {"column_reference", S::open, error_code::column_mismatch, "refers to column #99"};
    case C::n_features_zero: return {"n_features_zero", S::open, error_code::invalid_model, "n_features is 0"};
    case C::depth_limit: return {"depth_limit", S::open, error_code::limit_exceeded, "max_depth"};
    case C::class_count: return {"class_count", S::open, error_code::invalid_model, "class labels"};
    case C::unknown_link: return {"unknown_link", S::open, error_code::unsupported_model, "link function 99"};
    case C::unknown_predictor: return {"unknown_predictor", S::open, error_code::unsupported_model, "predictor kind 77"};
    case C::leaf_width_too_wide: return {"leaf_width_too_wide", S::open, error_code::invalid_model, "leaf_width"};
    case C::op_column_reference:
      return {"op_column_reference", S::open, error_code::column_mismatch, "parameter column 0' refers to column #99"};
    case C::op_column_dtype:
      return {"op_column_dtype", S::open, error_code::column_mismatch, "is Int64, expected Float64"};
    case C::op_column_count: return {"op_column_count", S::open, error_code::column_mismatch, "elements, expected"};
    case C::op_column_nonfinite: return {"op_column_nonfinite", S::verify, error_code::invalid_model, "non-finite"};
    case C::op_scale_zero: return {"op_scale_zero", S::verify, error_code::invalid_model, "scale is 0"};
    case C::quantiles_unsorted:
      return {"quantiles_unsorted", S::verify, error_code::invalid_model, "are not non-decreasing"};
    case C::references_short: return {"references_short", S::open, error_code::invalid_model, "at least 2"};
    case C::spline_knots_unsorted:
      return {"spline_knots_unsorted", S::verify, error_code::invalid_model, "are not non-decreasing"};
    case C::spline_knots_short: return {"spline_knots_short", S::open, error_code::invalid_model, "expected at least"};
    case C::text_table_size: return {"text_table_size", S::open, error_code::invalid_model, "vocabulary table has"};
    case C::text_ngram_range: return {"text_ngram_range", S::open, error_code::invalid_model, "ngram range"};
    case C::text_offsets_count: return {"text_offsets_count", S::open, error_code::column_mismatch, "elements, expected"};
    case C::text_offsets_order:
      return {"text_offsets_order", S::verify, error_code::invalid_model, "is empty or its offsets decrease"};
    case C::text_table_entry: return {"text_table_entry", S::verify, error_code::invalid_model, "past the"};
    case C::text_term_bytes: return {"text_term_bytes", S::verify, error_code::invalid_model, "is not found at its index"};
    case C::text_idf_nonpositive:
      return {"text_idf_nonpositive", S::verify, error_code::invalid_model, "is not positive and finite"};
    case C::child_backward: return {"child_backward", S::verify, error_code::invalid_model, "not after the node"};
    case C::child_outside_tree: return {"child_outside_tree", S::verify, error_code::invalid_model, "inside the tree"};
    case C::feature_out_of_range: return {"feature_out_of_range", S::verify, error_code::invalid_model, ">= n_features"};
    case C::leaf_row_out_of_range: return {"leaf_row_out_of_range", S::verify, error_code::invalid_model, ">= n_leaves"};
    case C::tree_depth_wrong: return {"tree_depth_wrong", S::verify, error_code::invalid_model, "depth"};
    case C::threshold_nan: return {"threshold_nan", S::verify, error_code::invalid_model, "threshold is NaN"};
    case C::leaf_value_nan: return {"leaf_value_nan", S::verify, error_code::invalid_model, "is not finite"};
    case C::tree_root_order: return {"tree_root_order", S::verify, error_code::invalid_model, "tree spans nodes"};
    case C::tree_output_range: return {"tree_output_range", S::verify, error_code::invalid_model, "output slot"};
    case C::shared_node: return {"shared_node", S::verify, error_code::invalid_model, "more than one parent"};
    case C::category_set_range: return {"category_set_range", S::verify, error_code::invalid_model, "category set"};
    case C::neighbors_sample_count:
      return {"neighbors_sample_count", S::open, error_code::column_mismatch, "elements, expected"};
    case C::neighbors_k_range: return {"neighbors_k_range", S::open, error_code::invalid_model, "n_neighbors is"};
    case C::neighbors_unknown_metric:
      return {"neighbors_unknown_metric", S::open, error_code::unsupported_model, "metric 42"};
    case C::neighbors_labels_dtype:
      return {"neighbors_labels_dtype", S::open, error_code::column_mismatch, "is Int32, expected UInt32"};
    case C::neighbors_sample_nan: return {"neighbors_sample_nan", S::verify, error_code::invalid_model, "is not finite"};
    case C::neighbors_padding: return {"neighbors_padding", S::verify, error_code::invalid_model, "padding lane"};
    case C::neighbors_label_range: return {"neighbors_label_range", S::verify, error_code::invalid_model, "has class"};
    case C::neighbors_target_nan: return {"neighbors_target_nan", S::verify, error_code::invalid_model, "target"};
    case C::neighbors_norms_count:
      return {"neighbors_norms_count", S::open, error_code::column_mismatch, "elements, expected"};
    case C::neighbors_norm_wrong: return {"neighbors_norm_wrong", S::verify, error_code::invalid_model, "squared norm"};
    case C::kernel_vector_count:
      return {"kernel_vector_count", S::open, error_code::column_mismatch, "elements, expected"};
    case C::kernel_unknown_kernel: return {"kernel_unknown_kernel", S::open, error_code::unsupported_model, "kernel 9"};
    case C::kernel_class_count: return {"kernel_class_count", S::open, error_code::invalid_model, "classes need"};
    case C::coupling_nan: return {"coupling_nan", S::open, error_code::invalid_model, "coupling coefficient"};
    case C::kernel_vector_nan: return {"kernel_vector_nan", S::verify, error_code::invalid_model, "is not finite"};
    case C::kernel_n_support_sum: return {"kernel_n_support_sum", S::verify, error_code::invalid_model, "adds up to"};
    case C::kernel_dual_coef_nan:
      return {"kernel_dual_coef_nan", S::verify, error_code::invalid_model, "dual coefficient"};
    case C::kernel_intercept_nan: return {"kernel_intercept_nan", S::verify, error_code::invalid_model, "intercept"};
    case C::nb_unknown_kind: return {"nb_unknown_kind", S::open, error_code::unsupported_model, "naive Bayes kind 7"};
    case C::nb_log_probs_count: return {"nb_log_probs_count", S::open, error_code::column_mismatch, "elements, expected"};
    case C::detector_decision:
      return {"detector_decision", S::open, error_code::invalid_model, "decides its class from its decision value"};
    case C::nb_bias_nan: return {"nb_bias_nan", S::verify, error_code::invalid_model, "bias"};
    case C::nb_theta_nan: return {"nb_theta_nan", S::verify, error_code::invalid_model, "theta"};
    case C::nb_var_nonpositive: return {"nb_var_nonpositive", S::verify, error_code::invalid_model, "variance"};
    case C::nb_log_norm_nan: return {"nb_log_norm_nan", S::verify, error_code::invalid_model, "log_norm"};
    case C::nb_weights_nan: return {"nb_weights_nan", S::verify, error_code::invalid_model, "weight"};
    case C::nb_category_counts:
      return {"nb_category_counts", S::verify, error_code::invalid_model, "log probabilities, the model has"};
    case C::nb_log_probs_nan: return {"nb_log_probs_nan", S::verify, error_code::invalid_model, "log probability"};
    case C::column_byte_flip: return {"column_byte_flip", S::verify, error_code::checksum_mismatch, "damaged"};
    case C::dense_kind_unknown: return {"dense_kind_unknown", S::open, error_code::unsupported_model, "kind (9"};
    case C::dense_activation_unknown:
      return {"dense_activation_unknown", S::open, error_code::unsupported_model, "activation (2"};
    case C::dense_alpha_dtype: return {"dense_alpha_dtype", S::open, error_code::column_mismatch, "is Int32, expected Float32"};
    case C::dense_alpha_reference:
      return {"dense_alpha_reference", S::open, error_code::column_mismatch, "elements, expected 8"};
    case C::dense_affine_width: return {"dense_affine_width", S::open, error_code::invalid_model, "keeps its width"};
    case C::dense_epsilon_negative:
      return {"dense_epsilon_negative", S::open, error_code::invalid_model, "epsilon must be finite and >= 0"};
    case C::dense_relu_max_nan: return {"dense_relu_max_nan", S::open, error_code::invalid_model, "relu parameters"};
    case C::dense_relu_with_parameters:
      return {"dense_relu_with_parameters", S::open, error_code::invalid_model, "belong to LeakyRelu"};
    case C::dense_weight_nan: return {"dense_weight_nan", S::verify, error_code::invalid_model, "layer 0: weight"};
    case C::dense_scale_nan: return {"dense_scale_nan", S::verify, error_code::invalid_model, "layer 1: weight"};
    case C::dense_alpha_inf: return {"dense_alpha_inf", S::verify, error_code::invalid_model, "layer 1: alpha"};
    case C::bitvector_count:
      return {"bitvector_count", S::open, error_code::column_mismatch, "trees.leaf_bitvectors.record_feature"};
    case C::bitvector_clear:
      return {"bitvector_clear", S::verify, error_code::invalid_model, "record_clear does not match"};
    case C::bitvector_threshold:
      return {"bitvector_threshold", S::verify, error_code::invalid_model, "record_threshold does not match"};
    case C::bitvector_tree_words:
      return {"bitvector_tree_words", S::verify, error_code::invalid_model, "tree_words does not match"};
    case C::bitvector_covered_steps_nan:
      return {"bitvector_covered_steps_nan", S::open, error_code::invalid_model, "covered_walk_steps is nan"};
    case C::bitvector_covered_steps_high:
      return {"bitvector_covered_steps_high", S::verify, error_code::invalid_model,
              "exceeds the trees' deepest paths"};
    case C::complete_depth: return {"complete_depth", S::open, error_code::invalid_model, "complete_trees.depth"};
    case C::complete_threshold:
      return {"complete_threshold", S::verify, error_code::invalid_model, "complete-tree layout: nodes does not match"};
    case C::complete_feature:
      return {"complete_feature", S::verify, error_code::invalid_model, "complete-tree layout: nodes does not match"};
    case C::complete_leaf:
      return {"complete_leaf", S::verify, error_code::invalid_model, "complete-tree layout: leaves does not match"};
    case C::interp_count_zero: return {"interp_count_zero", S::open, error_code::invalid_model, "has no points"};
    case C::interp_count_mismatch:
      return {"interp_count_mismatch", S::open, error_code::column_mismatch, "elements, expected"};
    case C::interp_x_unsorted:
      return {"interp_x_unsorted", S::verify, error_code::invalid_model, "x is not non-decreasing"};
    case C::interp_point_nonfinite:
      return {"interp_point_nonfinite", S::verify, error_code::invalid_model, "is not finite"};
    case C::raw_last_shape:
      return {"raw_last_shape", S::open, error_code::invalid_model, "argmax_raw_last class decision needs"};
    case C::trailing_features_width:
      return {"trailing_features_width", S::open, error_code::invalid_model, "trailing_features decision function needs"};
    case C::text_kind_analyzer_mismatch:
      return {"text_kind_analyzer_mismatch", S::open, error_code::invalid_model, "does not belong to this kind"};
    case C::text_analyzer_unknown:
      return {"text_analyzer_unknown", S::open, error_code::unsupported_model, "is unknown to this reader"};
    case C::feature_run_empty: return {"feature_run_empty", S::open, error_code::invalid_model, "feature run 0 is empty"};
    case C::feature_run_past_slots:
      return {"feature_run_past_slots", S::open, error_code::invalid_model, "feature run 0 reads slots"};
    case C::feature_run_string_input:
      return {"feature_run_string_input", S::open, error_code::invalid_model, "reads string input column 0"};
    case C::normalize_nan_shape:
      return {"normalize_nan_shape", S::open, error_code::invalid_model, "link 'normalize_nan' cannot map 1 raw"};
    case C::output_groups_sum:
      return {"output_groups_sum", S::open, error_code::invalid_model, "output groups' class counts sum to"};
    case C::output_group_empty: return {"output_group_empty", S::open, error_code::invalid_model, "has no classes"};
    case C::output_groups_decision:
      return {"output_groups_decision", S::open, error_code::invalid_model,
              "output_groups needs the argmax_outputs_per_group class decision"};
    case C::output_group_labels_repeat:
      return {"output_group_labels_repeat", S::open, error_code::invalid_model, "class labels are not unique"};
    case C::output_groups_link:
      return {"output_groups_link", S::open, error_code::invalid_model,
              "needs the identity, hard, normalize or normalize_nan link"};
    case C::groups_without_output_groups:
      return {"groups_without_output_groups", S::open, error_code::invalid_model,
              "argmax_outputs_per_group class decision needs a classifier with output_groups"};
    case C::neighbors_labels_per_output:
      return {"neighbors_labels_per_output", S::open, error_code::column_mismatch, "elements, expected"};
    case C::neighbors_output_label_range:
      return {"neighbors_output_label_range", S::verify, error_code::invalid_model, "for output 1, outside [2, 5)"};
    case C::neighbors_radius_nonfinite:
      return {"neighbors_radius_nonfinite", S::open, error_code::invalid_model, "needs a finite reduced_radius"};
    case C::neighbors_radius_with_k:
      return {"neighbors_radius_with_k", S::open, error_code::invalid_model, "reduced_radius goes with n_neighbors 0"};
    case C::neighbors_outlier_slot_range:
      return {"neighbors_outlier_slot_range", S::open, error_code::invalid_model, "outlier slot"};
    case C::sub_model_output_unknown:
      return {"sub_model_output_unknown", S::open, error_code::unsupported_model, "is unknown to this reader"};
    case C::sub_model_class_width:
      return {"sub_model_class_width", S::open, error_code::invalid_model,
              "writes 4 values per row as outputs_and_class_one_hot, the step declares 3"};
    case C::sub_model_decision_width:
      return {"sub_model_decision_width", S::open, error_code::invalid_model,
              "writes 3 values per row as outputs_and_decision, the step declares 4"};
    case C::sub_model_class_of_regressor:
      return {"sub_model_class_of_regressor", S::open, error_code::invalid_model,
              "outputs_and_class_one_hot needs a classifier"};
    case C::sub_model_class_per_row:
      return {"sub_model_class_per_row", S::open, error_code::invalid_model,
              "is a multi-output classifier; outputs_and_class_one_hot needs one class per row"};
    case C::count: break;
  }
  throw std::logic_error("unknown corruption");
}

Sample sample_for(Corruption kind) {
  using C = Corruption;
  switch (kind) {
    case C::class_count: return Sample::forest_classifier;
    case C::neighbors_sample_count:
    case C::neighbors_k_range:
    case C::neighbors_unknown_metric:
    case C::neighbors_labels_dtype:
    case C::neighbors_sample_nan:
    case C::neighbors_padding:
    case C::neighbors_label_range:
    case C::neighbors_norms_count:
    case C::neighbors_norm_wrong: return Sample::neighbors_classifier;
    case C::neighbors_target_nan: return Sample::neighbors_regressor;
    case C::kernel_vector_count:
    case C::kernel_unknown_kernel:
    case C::kernel_class_count:
    case C::coupling_nan:
    case C::kernel_vector_nan:
    case C::kernel_n_support_sum:
    case C::kernel_dual_coef_nan:
    case C::kernel_intercept_nan: return Sample::svm_classifier;
    case C::detector_decision: return Sample::svm_outliers;
    case C::nb_unknown_kind:
    case C::nb_bias_nan:
    case C::nb_theta_nan:
    case C::nb_var_nonpositive:
    case C::nb_log_norm_nan: return Sample::naive_bayes_gaussian;
    case C::nb_weights_nan: return Sample::naive_bayes_bernoulli;
    case C::nb_log_probs_count:
    case C::nb_category_counts:
    case C::nb_log_probs_nan: return Sample::naive_bayes_categorical;
    case C::dense_kind_unknown:
    case C::dense_activation_unknown:
    case C::dense_alpha_dtype:
    case C::dense_alpha_reference:
    case C::dense_affine_width:
    case C::dense_epsilon_negative:
    case C::dense_relu_max_nan:
    case C::dense_relu_with_parameters:
    case C::dense_weight_nan:
    case C::dense_scale_nan:
    case C::dense_alpha_inf: return Sample::dense_every_kind;
    case C::bitvector_count:
    case C::bitvector_clear:
    case C::bitvector_threshold:
    case C::bitvector_tree_words:
    case C::bitvector_covered_steps_nan:
    case C::bitvector_covered_steps_high: return Sample::wide_trees;
    case C::complete_depth:
    case C::complete_threshold:
    case C::complete_feature:
    case C::complete_leaf: return Sample::forest_classifier;
    case C::raw_last_shape:
    case C::trailing_features_width: return Sample::svm_classifier;
    case C::output_groups_sum:
    case C::output_group_empty:
    case C::output_groups_decision:
    case C::output_group_labels_repeat:
    case C::output_groups_link: return Sample::multi_output_forest;
    case C::neighbors_labels_per_output:
    case C::neighbors_output_label_range: return Sample::neighbors_multi_output;
    case C::neighbors_radius_nonfinite:
    case C::neighbors_radius_with_k:
    case C::neighbors_outlier_slot_range: return Sample::neighbors_radius;
    case C::groups_without_output_groups: return Sample::forest_classifier;
    default: return Sample::boosted_binary;
  }
}

namespace {

template <class T>
T load(const std::vector<uint8_t>& f, size_t at) {
  T v;
  std::memcpy(&v, f.data() + at, sizeof v);
  return v;
}

template <class T>
void store(std::vector<uint8_t>& f, size_t at, T v) {
  std::memcpy(f.data() + at, &v, sizeof v);
}

// Typed access to the file being damaged.
struct Surgery {
  std::vector<uint8_t>& f;
  std::mt19937_64 rng;

  fb::Header* header() { return fb::GetMutableHeader(f.data() + 64); }
  fb::Model* model() { return header()->mutable_model(); }
  fb::TreeEnsemble* trees() { return static_cast<fb::TreeEnsemble*>(model()->mutable_predictor()); }
  fb::DenseLayer* layer(uint32_t l) {
    return static_cast<fb::DenseNetwork*>(model()->mutable_predictor())->mutable_layers()->GetMutableObject(l);
  }
  fb::Neighbors* neighbors() { return static_cast<fb::Neighbors*>(model()->mutable_predictor()); }
  fb::KernelMachine* kernel() { return static_cast<fb::KernelMachine*>(model()->mutable_predictor()); }
  fb::NaiveBayes* naive_bayes() { return static_cast<fb::NaiveBayes*>(model()->mutable_predictor()); }
  // A random element of a column of n_elements T.
  template <class T>
  T& any(const char* name) {
    return data<T>(name)[rng() % (column(name)->length() / sizeof(T))];
  }
  fb::LeafBitvectors* bitvectors() {
    auto* t = model()->predictor_type() == fb::Predictor::TreeEnsemble ? trees() : nullptr;
    auto* b = t ? t->mutable_leaf_bitvectors() : nullptr;
    if (!b) throw std::logic_error("the sample has no leaf bit-vector layout");
    return b;
  }
  fb::CompleteTrees* complete() {
    auto* t = model()->predictor_type() == fb::Predictor::TreeEnsemble ? trees() : nullptr;
    auto* c = t ? t->mutable_complete_trees() : nullptr;
    if (!c) throw std::logic_error("the sample has no complete-tree layout");
    return c;
  }
  fb::Column* column(const char* name) {
    auto* cols = header()->mutable_columns();
    for (uint32_t i = 0; i < cols->size(); ++i)
      if (cols->Get(i)->name()->str() == name) return cols->GetMutableObject(i);
    throw std::logic_error(std::string("no column ") + name);
  }
  template <class T>
  T* data(const char* name) {
    return reinterpret_cast<T*>(f.data() + column(name)->offset());
  }
  uint64_t n_nodes() { return trees()->n_nodes(); }
  uint32_t* child() { return data<uint32_t>("trees.node_child"); }
  uint32_t* info() { return data<uint32_t>("trees.node_info"); }
  bool internal(uint64_t k) { return child()[k] != k; }
  bool categorical(uint64_t k) { return info()[k] & mlmap::kernels::node_categorical; }
  uint64_t pick(bool want_internal, bool allow_root = true) {
    for (int tries = 0; tries < 100000; ++tries) {
      uint64_t k = rng() % n_nodes();
      if (!allow_root && is_root(k)) continue;
      if (internal(k) == want_internal) return k;
    }
    throw std::logic_error("no such node");
  }
  bool is_root(uint64_t k) {
    const auto* roots = data<uint32_t>("trees.tree_root");
    for (uint32_t t = 0; t < trees()->n_trees(); ++t)
      if (roots[t] == k) return true;
    return false;
  }
  void rehash_header() {
    auto pre = mlmap::format::decode_preamble(f.data(), f.size());
    if (!pre) throw std::logic_error(pre.message());
    pre->header_hash = mlmap::format::checksum128(f.data() + 64, pre->header_length);
    mlmap::format::encode_preamble(*pre, f.data());
  }
};

}  // namespace

std::vector<uint8_t> corrupt(std::vector<uint8_t> f, Corruption kind, uint64_t seed) {
  using C = Corruption;
  Surgery s{f, std::mt19937_64(seed * 7919 + static_cast<uint64_t>(kind))};
  const uint64_t header_length = load<uint64_t>(f, 24);
  switch (kind) {
    case C::empty_file: return {};
    case C::short_file: f.resize(1 + s.rng() % 63); return f;
    case C::bad_magic: f[s.rng() % 8] ^= static_cast<uint8_t>(1 + s.rng() % 255); return f;
    case C::newer_major: store<uint16_t>(f, 8, static_cast<uint16_t>(2 + s.rng() % 100)); return f;
    case C::major_zero: store<uint16_t>(f, 8, 0); return f;
    case C::truncated: {
      const uint64_t data_start = 64 + header_length;
      f.resize(data_start + s.rng() % (f.size() - data_start));
      return f;
    }
    case C::trailing_bytes:
      for (uint64_t n = 1 + s.rng() % 100; n > 0; --n) f.push_back(static_cast<uint8_t>(s.rng()));
      return f;
    case C::header_length_huge: store<uint64_t>(f, 24, (uint64_t{1} << 31) + s.rng() % (uint64_t{1} << 40)); return f;
    case C::header_offset: store<uint64_t>(f, 16, 64 * (2 + s.rng() % 10)); return f;
    case C::header_byte_flip: f[64 + s.rng() % header_length] ^= static_cast<uint8_t>(1 + s.rng() % 255); return f;
    case C::header_root_offset:
      store<uint32_t>(f, 64, static_cast<uint32_t>(header_length + 8 + s.rng() % 1000000));
      s.rehash_header();
      return f;
    case C::bad_identifier: std::memcpy(f.data() + 68, "XMLP", 4); s.rehash_header(); return f;
    default: break;
  }

  // Descriptor and model-table damage keeps the header hash valid.
  bool header_changed = true;
  switch (kind) {
    case C::column_misaligned: {
      auto* c = s.column("trees.node_threshold");
      c->mutate_offset(c->offset() + 8 * (1 + s.rng() % 7));
      break;
    }
    case C::column_past_end: s.column("trees.leaf_values")->mutate_offset((f.size() / 64 + 1 + s.rng() % 100) * 64); break;
    case C::column_over_header:
      s.column("trees.tree_root")->mutate_offset(64 * (1 + s.rng() % std::max<uint64_t>(1, header_length / 64)));
      break;
    case C::column_length_past_end: {
      auto* c = s.column("trees.node_child");
      const uint64_t n = f.size() / 4 + 1 + s.rng() % 1000;
      c->mutable_shape()->Mutate(0, n);
      c->mutate_length(n * 4);
      break;
    }
    case C::column_dtype: s.column("trees.node_child")->mutate_dtype(fb::DType::Float32); break;
    case C::column_shape: {
      auto* c = s.column("trees.node_info");
      c->mutable_shape()->Mutate(0, c->shape()->Get(0) + 1 + s.rng() % 10);
      break;
    }
    case C::column_unknown_dtype: s.column("trees.leaf_values")->mutate_dtype(static_cast<fb::DType>(200)); break;
    case C::node_count: s.trees()->mutate_n_nodes(s.trees()->n_nodes() + 1 + s.rng() % 5); break;
    case C::column_reference: s.trees()->mutate_node_child(99); break;
    case C::n_features_zero: s.model()->mutate_n_features(0); break;
    case C::depth_limit: s.trees()->mutate_max_depth(1025 + static_cast<uint32_t>(s.rng() % 100000)); break;
    case C::class_count: s.model()->mutate_n_outputs(s.model()->n_outputs() + 1); break;
    case C::unknown_link: s.model()->mutate_link(static_cast<fb::Link>(99)); break;
    case C::unknown_predictor:  // the generated API has no mutator for a union type
      reinterpret_cast<flatbuffers::Table*>(s.model())->SetField<uint8_t>(fb::Model::VT_PREDICTOR_TYPE, 77, 0);
      break;
    case C::leaf_width_too_wide: s.trees()->mutate_leaf_width(s.model()->n_raw() + 1); break;
    case C::op_column_reference: {
      auto* pre = s.model()->mutable_preprocessing();
      auto* columns = pre && pre->ops()->size() ? pre->mutable_ops()->GetMutableObject(0)->mutable_columns() : nullptr;
      if (!columns || columns->size() == 0) throw std::logic_error("op_column_reference needs the op_column_sample");
      columns->Mutate(0, 99);
      break;
    }
    // The sample stores these fields (non-default values), so they can be mutated in place.
    case C::dense_kind_unknown: s.layer(1)->mutate_kind(static_cast<fb::LayerKind>(90 + s.rng() % 10)); break;
    case C::dense_activation_unknown:
      s.layer(0)->mutate_activation(static_cast<fb::Activation>(200 + s.rng() % 50));
      break;
    case C::dense_alpha_dtype: s.column("layer1.alpha")->mutate_dtype(fb::DType::Int32); break;
    case C::dense_alpha_reference: s.layer(1)->mutate_alpha(s.layer(0)->weights()); break;
    case C::dense_affine_width: s.layer(1)->mutate_n_out(7); break;
    case C::dense_epsilon_negative: s.layer(2)->mutate_epsilon((s.rng() & 1) ? -1e-3 : NAN); break;
    case C::dense_relu_max_nan: s.layer(0)->mutate_relu_max(NAN); break;
    // Layer 0 is a ReLU6: LeakyRelu with relu_max 6; as a plain Relu an older
    // reader would ignore the clip.
    case C::dense_relu_with_parameters: s.layer(0)->mutate_activation(fb::Activation::Relu); break;
    case C::neighbors_sample_count: s.neighbors()->mutate_n_samples(s.neighbors()->n_samples() + 8 + s.rng() % 8); break;
    case C::neighbors_k_range:
      s.neighbors()->mutate_n_neighbors(static_cast<uint32_t>(s.neighbors()->n_samples() + 1 + s.rng() % 100));
      break;
    case C::neighbors_unknown_metric: s.neighbors()->mutate_metric(static_cast<fb::Metric>(42)); break;
    case C::neighbors_labels_dtype: s.column("neighbors.labels")->mutate_dtype(fb::DType::Int32); break;
    case C::neighbors_norms_count: {
      auto* c = s.column("neighbors.sq_norms");
      c->mutable_shape()->Mutate(0, c->shape()->Get(0) - 8);
      c->mutate_length(c->length() - 64);
      break;
    }
    case C::kernel_vector_count:
      s.kernel()->mutate_n_support_vectors(s.kernel()->n_support_vectors() + 8 + static_cast<uint32_t>(s.rng() % 8));
      break;
    case C::kernel_unknown_kernel: s.kernel()->mutate_kernel(static_cast<fb::Kernel>(9)); break;
    case C::kernel_class_count: s.kernel()->mutate_n_classes(s.kernel()->n_classes() + 1); break;
    case C::coupling_nan: {
      auto* a = s.model()->mutable_coupling()->mutable_prob_a();
      a->Mutate(static_cast<uint32_t>(s.rng() % a->size()), std::numeric_limits<double>::quiet_NaN());
      break;
    }
    case C::nb_unknown_kind: s.naive_bayes()->mutate_kind(static_cast<fb::NaiveBayesKind>(7)); break;
    case C::nb_log_probs_count: s.naive_bayes()->mutate_n_log_probs(s.naive_bayes()->n_log_probs() + 1); break;
    case C::detector_decision: s.model()->mutate_class_decision(fb::ClassDecision::ArgmaxOutputs); break;
    // one-vs-one raw scores (K(K-1)/2 for K classes) are not one per class
    case C::raw_last_shape: s.model()->mutate_class_decision(fb::ClassDecision::ArgmaxRawLast); break;
    case C::normalize_nan_shape: s.model()->mutate_link(fb::Link::NormalizeNan); break;
    // no decision_features, no program to compute them
    case C::trailing_features_width:
      s.model()->mutate_decision_function(fb::DecisionFunction::TrailingFeatures);
      break;
    case C::output_groups_sum: {
      auto* g = s.model()->mutable_output_groups();
      const auto j = static_cast<uint32_t>(s.rng() % g->size());
      g->Mutate(j, g->Get(j) + 1 + static_cast<uint32_t>(s.rng() % 4));
      break;
    }
    case C::output_group_empty: s.model()->mutable_output_groups()->Mutate(static_cast<uint32_t>(s.rng() % 2), 0); break;
    case C::output_groups_decision:
      s.model()->mutate_class_decision((s.rng() & 1) ? fb::ClassDecision::ArgmaxOutputs : fb::ClassDecision::ArgmaxRaw);
      break;
    // labels {0, 1, 0, 1, 2}: a repeat inside the first or the second group
    case C::output_group_labels_repeat: {
      auto* v = static_cast<fb::Int64Labels*>(s.model()->mutable_classes())->mutable_values();
      if (s.rng() & 1)
        v->Mutate(1, 0);
      else
        v->Mutate(4, 1);
      break;
    }
    case C::output_groups_link: s.model()->mutate_link(fb::Link::Softmax); break;
    case C::groups_without_output_groups:
      s.model()->mutate_class_decision(fb::ClassDecision::ArgmaxOutputsPerGroup);
      break;
    // the sub_model_sample's steps: 0 OutputsAndDecision, 1 OutputsAndClassOneHot, 2 and 3 Raw
    case C::sub_model_output_unknown:
    case C::sub_model_class_width:
    case C::sub_model_decision_width:
    case C::sub_model_class_of_regressor:
    case C::sub_model_class_per_row: {
      auto* ops = s.model()->mutable_preprocessing()->mutable_ops();
      const bool ok =
          kind == C::sub_model_output_unknown
              ? ops->GetMutableObject(0)->mutate_sub_model_output(static_cast<fb::SubModelOutput>(6 + s.rng() % 200))
          : kind == C::sub_model_class_width
              ? ops->GetMutableObject(0)->mutate_sub_model_output(fb::SubModelOutput::OutputsAndClassOneHot)
          : kind == C::sub_model_decision_width
              ? ops->GetMutableObject(1)->mutate_sub_model_output(fb::SubModelOutput::OutputsAndDecision)
              : ops->GetMutableObject(kind == C::sub_model_class_of_regressor ? 2 : 3)
                    ->mutate_sub_model_output(fb::SubModelOutput::OutputsAndClassOneHot);
      if (!ok) throw std::logic_error("the sub_model_* kinds need the sub_model_sample");
      break;
    }
    case C::op_column_dtype: {
      const char* names[] = {"preprocessing.0.center", "preprocessing.0.components", "preprocessing.0.scale",
                             "preprocessing.1.centers", "preprocessing.2.quantiles", "preprocessing.2.references",
                             "preprocessing.3.knots", "preprocessing.3.boundary"};
      s.column(names[s.rng() % 8])->mutate_dtype(fb::DType::Int64);  // same width: only the dtype is wrong
      break;
    }
    case C::op_column_count: {
      // One input fewer in the matrix, its length kept consistent with its shape.
      auto* c = s.column((s.rng() & 1) ? "preprocessing.0.components" : "preprocessing.1.centers");
      c->mutable_shape()->Mutate(1, c->shape()->Get(1) - 1);
      c->mutate_length(c->shape()->Get(0) * c->shape()->Get(1) * 8);
      break;
    }
    case C::spline_knots_short: {  // 3 knots: fewer than 2k + 2 for degree 1 (the boundary keeps its length)
      auto* c = s.column("preprocessing.3.knots");
      c->mutable_shape()->Mutate(1, 3);
      c->mutate_length(3 * 8);
      break;
    }
    case C::text_table_size: {  // half the entries: fewer than twice the terms
      auto* c = s.column("preprocessing.0.table");
      c->mutable_shape()->Mutate(0, c->shape()->Get(0) / 2);
      c->mutate_length(c->length() / 2);
      break;
    }
    case C::text_ngram_range: {
      auto* text = s.model()->mutable_preprocessing()->mutable_ops()->GetMutableObject(0)->mutable_text();
      if (!text || !text->mutate_ngram_max(65 + static_cast<uint32_t>(s.rng() % 100)))
        throw std::logic_error("text_ngram_range needs the text_sample");
      break;
    }
    case C::text_kind_analyzer_mismatch: {  // a char_wb step stored as TextCount, or a TextCountChars one as Word
      auto* op = s.model()->mutable_preprocessing()->mutable_ops()->GetMutableObject(0);
      const bool ok = s.rng() % 2 ? op->mutate_kind(fb::OpKind::TextCount)
                                  : op->mutable_text() && op->mutable_text()->mutate_analyzer(fb::Analyzer::Word);
      if (!ok) throw std::logic_error("text_kind_analyzer_mismatch needs the char_wb text_sample");
      break;
    }
    case C::text_analyzer_unknown: {  // the analyzer byte exists: the sample's is char_wb
      auto* text = s.model()->mutable_preprocessing()->mutable_ops()->GetMutableObject(0)->mutable_text();
      const auto unknown = static_cast<fb::Analyzer>(static_cast<uint8_t>(fb::Analyzer::MAX) + 1 + s.rng() % 200);
      if (!text || !text->mutate_analyzer(unknown)) throw std::logic_error("text_analyzer_unknown needs the char_wb text_sample");
      break;
    }
    case C::feature_run_empty:
    case C::feature_run_past_slots:
    case C::feature_run_string_input: {
      auto* pre = s.model()->mutable_preprocessing();
      auto* runs = pre ? pre->mutable_feature_runs() : nullptr;
      if (!runs || runs->size() != 1) throw std::logic_error("feature_run_* needs the hash sample");
      auto* run = runs->GetMutableObject(0);
      if (kind == C::feature_run_empty)
        run->mutate_count(0);
      else if (kind == C::feature_run_past_slots)  // its end 1 to 1000 slots past the last
        run->mutate_first(pre->n_slots() - run->count() + 1 + static_cast<uint32_t>(s.rng() % 1000));
      else  // from the string input column, one slot short of the end: the count still fits
        run->mutate_first(0);
      break;
    }
    case C::text_offsets_count: {  // one term fewer
      auto* c = s.column("preprocessing.0.offsets");
      c->mutable_shape()->Mutate(0, c->shape()->Get(0) - 1);
      c->mutate_length(c->length() - 8);
      break;
    }
    case C::interp_count_zero:
    case C::interp_count_mismatch: {
      auto* counts = s.model()->mutable_preprocessing()->mutable_ops()->GetMutableObject(4)->mutable_category_counts();
      const uint32_t j = static_cast<uint32_t>(s.rng() % counts->size());
      counts->Mutate(j, kind == C::interp_count_zero ? 0 : counts->Get(j) + 1 + static_cast<uint32_t>(s.rng() % 3));
      break;
    }
    case C::references_short: {
      auto* c = s.column("preprocessing.2.references");
      const uint32_t n = static_cast<uint32_t>(s.rng() % 2);  // 0 or 1 references
      c->mutable_shape()->Mutate(0, n);
      c->mutate_length(n * 8);
      break;
    }
    case C::bitvector_count: {
      auto* b = s.bitvectors();
      b->mutate_n_records(b->n_records() + 1 + s.rng() % 5);
      break;
    }
    case C::bitvector_covered_steps_nan:
    case C::bitvector_covered_steps_high: {  // the sample's trees have covers: the field is there to change
      auto* b = s.bitvectors();
      const double deepest = 10.0 * s.trees()->n_trees() * s.trees()->max_depth();
      if (!b->mutate_covered_walk_steps(kind == C::bitvector_covered_steps_nan ? std::nan("") : deepest + 1))
        throw std::logic_error("the sample's layout has no covered_walk_steps");
      break;
    }
    case C::complete_depth: {  // below the trees' max_depth: the layout would stop short
      s.complete()->mutate_depth(s.trees()->max_depth() - 1);
      break;
    }
    default: header_changed = false;
  }
  if (header_changed) {
    s.rehash_header();
    return f;
  }

  // Column contents.
  switch (kind) {
    case C::child_backward: {
      const uint64_t k = s.pick(true, false);
      s.child()[k] = static_cast<uint32_t>(k - 1 - s.rng() % k);
      break;
    }
    case C::child_outside_tree: {
      const uint64_t k = s.pick(true);
      s.child()[k] = static_cast<uint32_t>(s.n_nodes() + s.rng() % 1000);
      break;
    }
    case C::feature_out_of_range: {
      const uint64_t k = s.pick(true);
      s.info()[k] = (s.info()[k] & ~mlmap::kernels::node_feature_mask) | (s.model()->n_features() + s.rng() % 1000);
      break;
    }
    case C::leaf_row_out_of_range: {
      const uint64_t k = s.pick(false);
      s.info()[k] = mlmap::kernels::node_missing_left | static_cast<uint32_t>(s.trees()->n_leaves() + s.rng() % 1000);
      break;
    }
    case C::tree_depth_wrong: {
      auto* depth = s.data<uint32_t>("trees.tree_depth");
      const uint32_t t = static_cast<uint32_t>(s.rng() % s.trees()->n_trees());
      depth[t] = depth[t] > 1 && (s.rng() & 1) ? depth[t] - 1 : depth[t] + 1;
      if (depth[t] > s.trees()->max_depth()) depth[t] = depth[t] - 2;  // stay within max_depth, still wrong
      break;
    }
    case C::threshold_nan: {
      uint64_t k;
      do k = s.pick(true);
      while (s.categorical(k));
      s.data<float>("trees.node_threshold")[k] = std::numeric_limits<float>::quiet_NaN();
      break;
    }
    case C::leaf_value_nan: {
      const uint64_t n = s.column("trees.leaf_values")->length() / 8;
      s.data<double>("trees.leaf_values")[s.rng() % n] = (s.rng() & 1) ? NAN : -INFINITY;
      break;
    }
    case C::tree_root_order: {
      auto* roots = s.data<uint32_t>("trees.tree_root");
      const uint32_t t = 1 + static_cast<uint32_t>(s.rng() % (s.trees()->n_trees() - 1));
      roots[t] = roots[t - 1];
      break;
    }
    case C::tree_output_range: {
      auto* out = s.data<uint32_t>("trees.tree_output");
      out[s.rng() % s.trees()->n_trees()] = s.model()->n_raw() + static_cast<uint32_t>(s.rng() % 100);
      break;
    }
    case C::shared_node: {
      // Root's children c, c+1 are both internal in the samples: give c+1 the
      // children of c.
      auto* roots = s.data<uint32_t>("trees.tree_root");
      const uint32_t root = roots[s.rng() % s.trees()->n_trees()];
      const uint32_t c = s.child()[root];
      if (!s.internal(c) || !s.internal(c + 1)) throw std::logic_error("shared_node needs two internal siblings");
      s.child()[c + 1] = s.child()[c];
      break;
    }
    case C::category_set_range: {
      uint64_t k = 0;
      for (int tries = 0; tries < 100000; ++tries) {
        k = s.pick(true);
        if (s.categorical(k)) break;
      }
      if (!s.categorical(k)) throw std::logic_error("no categorical node");
      const uint32_t set = s.trees()->n_category_sets() + static_cast<uint32_t>(s.rng() % 1000);
      std::memcpy(&s.data<float>("trees.node_threshold")[k], &set, 4);
      break;
    }
    case C::dense_weight_nan:
      s.data<float>("layer0.weights")[s.rng() % 48] = std::numeric_limits<float>::quiet_NaN();
      break;
    case C::dense_scale_nan: s.data<float>("layer1.weights")[s.rng() % 8] = -std::numeric_limits<float>::quiet_NaN(); break;
    case C::dense_alpha_inf: s.data<float>("layer1.alpha")[s.rng() % 8] = std::numeric_limits<float>::infinity(); break;
    case C::neighbors_sample_nan: {
      // A value of a real row (lane < 203 - 200 in the last block, or any earlier block).
      const uint64_t row = s.rng() % 200, f = s.rng() % 6;
      s.data<double>("neighbors.samples")[((row / 8) * 6 + f) * 8 + row % 8] = NAN;
      break;
    }
    case C::neighbors_padding: {
      // 203 rows: the last block's lanes 3-7 are padding.
      const uint64_t lane = 3 + s.rng() % 5, f = s.rng() % 6;
      s.data<double>("neighbors.samples")[((203 / 8) * 6 + f) * 8 + lane] = 1.0;
      break;
    }
    case C::neighbors_label_range: s.any<uint32_t>("neighbors.labels") = 3 + static_cast<uint32_t>(s.rng() % 100); break;
    case C::neighbors_target_nan: s.any<double>("neighbors.targets") = (s.rng() & 1) ? NAN : INFINITY; break;
    case C::neighbors_labels_per_output: {  // [61, 1]: one label a row
      auto* c = s.column("neighbors.labels");
      c->mutable_shape()->Mutate(1, 1);
      c->mutate_length(61 * 4);
      break;
    }
    case C::neighbors_output_label_range:
      s.data<uint32_t>("neighbors.labels")[2 * (s.rng() % 61) + 1] = static_cast<uint32_t>(s.rng() % 2);
      break;
    case C::neighbors_radius_nonfinite: {
      const double bad[] = {NAN, INFINITY, -0.5};
      s.neighbors()->mutate_reduced_radius(bad[s.rng() % 3]);
      break;
    }
    case C::neighbors_radius_with_k: s.neighbors()->mutate_n_neighbors(1 + static_cast<uint32_t>(s.rng() % 5)); break;
    case C::neighbors_outlier_slot_range:
      s.neighbors()->mutable_outlier_slots()->Mutate(0, 3 + static_cast<uint32_t>(s.rng() % 100));
      break;
    case C::neighbors_norm_wrong: {
      // Too small a norm would let the bounds rule out a true neighbour.
      double& norm = s.data<double>("neighbors.sq_norms")[s.rng() % 203];
      norm = (s.rng() & 1) ? norm * 0.5 : std::nextafter(norm, 0.0);
      break;
    }
    case C::kernel_vector_nan: {
      const uint64_t row = s.rng() % 37, f = s.rng() % 6;
      s.data<double>("kernel_machine.support_vectors")[((row / 8) * 6 + f) * 8 + row % 8] = -INFINITY;
      break;
    }
    case C::kernel_n_support_sum: s.any<uint32_t>("kernel_machine.n_support") += 1 + static_cast<uint32_t>(s.rng() % 5); break;
    case C::kernel_dual_coef_nan: s.any<double>("kernel_machine.dual_coef") = NAN; break;
    case C::kernel_intercept_nan: s.any<double>("kernel_machine.intercept") = INFINITY; break;
    case C::nb_bias_nan: s.any<double>("naive_bayes.bias") = NAN; break;
    case C::nb_theta_nan: s.any<double>("naive_bayes.theta") = NAN; break;
    case C::nb_var_nonpositive: s.any<double>("naive_bayes.var") = (s.rng() & 1) ? 0.0 : -1.0; break;
    case C::nb_log_norm_nan: s.any<double>("naive_bayes.log_norm") = NAN; break;
    case C::nb_weights_nan: s.any<double>("naive_bayes.weights") = -INFINITY; break;
    case C::nb_category_counts: s.any<uint32_t>("naive_bayes.category_counts") += 1; break;
    case C::nb_log_probs_nan: s.any<double>("naive_bayes.log_probs") = NAN; break;
    case C::op_column_nonfinite: {
      const char* names[] = {"preprocessing.0.center", "preprocessing.0.components", "preprocessing.0.scale",
                             "preprocessing.1.centers", "preprocessing.2.quantiles", "preprocessing.2.references",
                             "preprocessing.3.knots", "preprocessing.3.boundary"};
      const char* name = names[s.rng() % 8];
      const uint64_t n = s.column(name)->length() / 8;
      const double bad[] = {NAN, INFINITY, -INFINITY};
      s.data<double>(name)[s.rng() % n] = bad[s.rng() % 3];
      break;
    }
    case C::op_scale_zero: {
      const uint64_t n = s.column("preprocessing.0.scale")->length() / 8;
      s.data<double>("preprocessing.0.scale")[s.rng() % n] = (s.rng() & 1) ? 0.0 : -0.0;
      break;
    }
    case C::spline_knots_unsorted: {
      double* t = s.data<double>("preprocessing.3.knots");
      const uint64_t q = s.rng() % 4;
      t[q] = t[q + 1] + 0.5 + static_cast<double>(s.rng() % 10);
      break;
    }
    case C::text_offsets_order: {  // an inner offset past the end: its term's offsets decrease
      const uint64_t n = s.column("preprocessing.0.offsets")->length() / 8;  // terms + 1
      auto* o = s.data<uint64_t>("preprocessing.0.offsets");
      o[1 + s.rng() % (n - 2)] = o[n - 1] + 1 + s.rng() % 10;
      break;
    }
    case C::text_table_entry: {
      const uint64_t n = s.column("preprocessing.0.table")->length() / 4;
      const uint32_t n_terms = static_cast<uint32_t>(s.column("preprocessing.0.idf")->length() / 8);
      auto* t = s.data<uint32_t>("preprocessing.0.table");
      uint64_t k = s.rng() % n;
      while (t[k] == 0) k = (k + 1) % n;
      t[k] = n_terms + 1 + static_cast<uint32_t>(s.rng() % 100);
      break;
    }
    case C::text_term_bytes: {
      // A flipped byte whose term now hashes outside the probe window that
      // reaches its own slot: a flip whose term still finds itself there is
      // a consistent (different) vocabulary, which nothing semantic can see.
      const uint64_t n = s.column("preprocessing.0.terms")->length();
      const uint64_t n_slots = s.column("preprocessing.0.table")->length() / 4;
      const uint32_t max_probe = s.model()->preprocessing()->ops()->Get(0)->text()->max_probe();
      const uint64_t* offsets = s.data<uint64_t>("preprocessing.0.offsets");
      const uint32_t* table = s.data<uint32_t>("preprocessing.0.table");
      uint8_t* terms = s.data<uint8_t>("preprocessing.0.terms");
      for (;;) {
        const uint64_t at = s.rng() % n;
        const auto flip = static_cast<uint8_t>(1 + s.rng() % 255);
        uint32_t i = 0;
        while (offsets[i + 1] <= at) ++i;
        uint64_t slot = 0;
        while (table[slot] != i + 1) ++slot;
        terms[at] ^= flip;
        const std::string_view term(reinterpret_cast<const char*>(terms + offsets[i]), offsets[i + 1] - offsets[i]);
        if (((slot - mlmap::format::term_hash(term)) & (n_slots - 1)) > max_probe) break;
        terms[at] ^= flip;  // still within reach of its slot: try another
      }
      break;
    }
    case C::text_idf_nonpositive: {
      const uint64_t n = s.column("preprocessing.0.idf")->length() / 8;
      const double bad[] = {0.0, -1.5, NAN, INFINITY};
      s.data<double>("preprocessing.0.idf")[s.rng() % n] = bad[s.rng() % 4];
      break;
    }
    case C::quantiles_unsorted: {
      // one quantile above the next within its input's run (4 per input)
      double* q = s.data<double>("preprocessing.2.quantiles");
      const uint64_t run = s.rng() % 3, k = s.rng() % 3;
      q[run * 4 + k] = q[run * 4 + k + 1] + 0.5 + static_cast<double>(s.rng() % 10);
      break;
    }
    case C::interp_x_unsorted: {
      // one x above the next within input 0's run (4 points)
      double* x = s.data<double>("preprocessing.4.x");
      const uint64_t k = s.rng() % 3;
      x[k] = x[k + 1] + 0.5 + static_cast<double>(s.rng() % 10);
      break;
    }
    case C::interp_point_nonfinite: {
      const char* name = (s.rng() & 1) ? "preprocessing.4.x" : "preprocessing.4.y";
      const double bad[] = {NAN, INFINITY, -INFINITY};
      s.data<double>(name)[s.rng() % 6] = bad[s.rng() % 3];
      break;
    }
    case C::bitvector_clear: {
      auto* clear = s.data<uint32_t>("trees.leaf_bitvectors.record_clear");
      clear[s.rng() % s.bitvectors()->n_records()] ^= 1u << (s.rng() % 32);
      break;
    }
    case C::bitvector_threshold: {
      auto* t = s.data<float>("trees.leaf_bitvectors.record_threshold");
      const uint64_t r = s.rng() % s.bitvectors()->n_records();
      t[r] = std::nextafter(t[r], (s.rng() & 1) ? INFINITY : -INFINITY);
      break;
    }
    case C::complete_threshold: {  // a decision of a real tree (the root of lane 0)
      auto* nodes = s.data<uint64_t>("trees.complete_trees.nodes");
      nodes[0] ^= uint64_t{1 + s.rng() % 0x7fffff} << 32;  // threshold mantissa bits
      break;
    }
    case C::complete_feature: {
      auto* nodes = s.data<uint64_t>("trees.complete_trees.nodes");
      nodes[16 * (s.rng() % 3)] ^= 1 + s.rng() % 4;  // one of the first 3 positions of lane 0 (its root is internal)
      break;
    }
    case C::complete_leaf: {
      auto* leaves = s.data<uint32_t>("trees.complete_trees.leaves");
      leaves[16 * (s.rng() % (uint64_t{1} << s.complete()->depth()))] += 1 + static_cast<uint32_t>(s.rng() % 3);
      break;
    }
    case C::bitvector_tree_words: {
      auto* words = s.data<uint32_t>("trees.leaf_bitvectors.tree_words");
      words[s.rng() % s.trees()->n_trees()] += 1 + static_cast<uint32_t>(s.rng() % 3);
      break;
    }
    case C::column_byte_flip: {
      auto* c = s.column("trees.node_child");
      f[c->offset() + s.rng() % c->length()] ^= static_cast<uint8_t>(1 + s.rng() % 255);
      return f;  // checksums stay stale
    }
    default: throw std::logic_error("unhandled corruption");
  }
  fix_checksums(f);
  return f;
}

mlmap::Status save_op_column_sample(const std::string& path) {
  mlmap::ModelDescription d;
  d.estimator = "test.Pipeline";
  d.n_features = 2;
  d.n_outputs = 1;
  mlmap::DenseLayerSpec layer;
  layer.n_in = 2;
  layer.n_out = 1;
  layer.weights = {1.0, -1.0};
  mlmap::DenseNetworkSpec net;
  net.layers = {layer};
  mlmap::OpSpec op;
  op.kind = mlmap::OpSpec::Kind::standardize;
  op.inputs = {0, 1};
  op.out_begin = 2;
  op.n_out = 2;
  op.columns = {{"extra", {1.0, 2.0}, {}}};
  mlmap::PreprocessingSpec pre;
  pre.n_slots = 4;
  pre.n_string_slots = 2;
  pre.ops = {op};
  pre.features = {2, 3};
  return mlmap::writer::write_dense_model(path, d, net, &pre, nullptr);
}

bool on_projection_sample(Corruption kind) {
  return kind == Corruption::op_column_dtype || kind == Corruption::op_column_count ||
         kind == Corruption::op_column_nonfinite || kind == Corruption::op_scale_zero ||
         kind == Corruption::quantiles_unsorted || kind == Corruption::references_short ||
         kind == Corruption::spline_knots_unsorted || kind == Corruption::spline_knots_short ||
         (kind >= Corruption::interp_count_zero && kind <= Corruption::interp_point_nonfinite);
}

mlmap::Status save_projection_sample(const std::string& path) {
  mlmap::ModelDescription d;
  d.estimator = "test.Pipeline";
  d.n_features = 3;
  d.n_outputs = 1;
  mlmap::DenseLayerSpec layer;
  layer.n_in = 12;
  layer.n_out = 1;
  layer.weights = {1.0, -1.0, 0.5, 0.25, 0.1, 0.2, 0.3, 0.4, -0.4, 0.6, 0.7, -0.7};
  mlmap::DenseNetworkSpec net;
  net.layers = {layer};
  mlmap::OpSpec project;
  project.kind = mlmap::OpSpec::Kind::project;
  project.inputs = {0, 1, 2};
  project.out_begin = 3;
  project.n_out = 2;
  project.columns = {{"center", {0.5, -1.0, 2.0}, {}},
                     {"components", {0.6, 0.8, 0.0, -0.8, 0.6, 0.1}, {2, 3}},
                     {"scale", {1.5, 2.5}, {}}};
  mlmap::OpSpec distance;
  distance.kind = mlmap::OpSpec::Kind::distance;
  distance.inputs = {0, 1, 2};
  distance.out_begin = 5;
  distance.n_out = 2;
  distance.columns = {{"centers", {0, 0, 0, 1, 2, 3}, {2, 3}}};
  mlmap::OpSpec quantile;
  quantile.kind = mlmap::OpSpec::Kind::quantile_normal;
  quantile.inputs = {0, 1, 2};
  quantile.out_begin = 7;
  quantile.n_out = 3;
  quantile.clip_low = -5.2;
  quantile.clip_high = 5.2;
  quantile.columns = {{"quantiles", {-1, 0, 0, 2, -3, -1, 1, 4, 0, 0.5, 0.75, 1}, {3, 4}},
                      {"references", {0, 0.25, 0.75, 1}, {}}};
  mlmap::OpSpec spline;  // degree 1, knots -2 .. 2: three basis functions
  spline.kind = mlmap::OpSpec::Kind::spline;
  spline.inputs = {0};
  spline.out_begin = 10;
  spline.n_out = 3;
  spline.degree = 1;
  spline.extrapolation = mlmap::Extrapolation::linear;
  spline.a = {-1};
  spline.b = {1};
  spline.category_counts = {2};
  spline.columns = {{"knots", {-2, -1, 0, 1, 2}, {1, 5}},
                    {"boundary", {1, 0, 0, 0, 0, 1, -1, 1, 0, 0, -1, 1}, {1, 4, 3}}};
  mlmap::OpSpec interp;  // input 0 over 4 points, input 1 over 2
  interp.kind = mlmap::OpKind::interpolate;
  interp.inputs = {0, 1};
  interp.out_begin = 13;
  interp.n_out = 2;
  interp.category_counts = {4, 2};
  interp.columns = {{"x", {-1, 0, 0.5, 2, -3, 3}, {}, {}}, {"y", {0, 0.25, 0.5, 1, 0.1, 0.9}, {}, {}}};
  mlmap::PreprocessingSpec pre;
  pre.n_slots = 15;
  pre.n_string_slots = 3;
  pre.ops = {project, distance, quantile, spline, interp};
  pre.features = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  return mlmap::save(path, d, net, &pre);
}

bool on_sub_model_sample(Corruption kind) {
  return kind >= Corruption::sub_model_output_unknown && kind <= Corruption::sub_model_class_per_row;
}

mlmap::Status save_sub_model_sample(const std::string& path) {
  struct Nested {
    Sample sample;
    mlmap::SubModelOutput output;
    uint32_t width;
  };
  const Nested nested[] = {{Sample::boosted_binary, mlmap::SubModelOutput::outputs_and_decision, 3},
                           {Sample::boosted_binary, mlmap::SubModelOutput::outputs_and_class_one_hot, 4},
                           {Sample::regressor, mlmap::SubModelOutput::raw, 2},
                           {Sample::multi_output_forest, mlmap::SubModelOutput::raw, 5}};
  const std::string scratch = path + ".nested";
  std::vector<std::pair<std::vector<uint8_t>, size_t>> files;  // bytes, n_features
  size_t n_inputs = 0;
  for (const auto& n : nested) {
    if (auto st = save_sample(scratch, n.sample); !st.ok()) return st;
    auto m = mlmap::Model::open(scratch);
    if (!m.ok()) return m.error();
    files.emplace_back(read_bytes(scratch), m->info().n_features);
    n_inputs = std::max(n_inputs, files.back().second);
  }
  std::remove(scratch.c_str());
  mlmap::PreprocessingSpec pre;
  auto next = static_cast<uint32_t>(n_inputs);
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<uint32_t> inputs(files[i].second);
    for (uint32_t j = 0; j < inputs.size(); ++j) inputs[j] = j;
    auto step = op(mlmap::OpSpec::Kind::sub_model, inputs, next, nested[i].width);
    mlmap::OpColumnSpec column;
    column.role = "file";
    column.bytes = files[i].first;
    step.columns = {column};
    step.sub_model_output = nested[i].output;
    step.name = "estimator " + std::to_string(i);
    pre.ops.push_back(step);
    for (uint32_t k = 0; k < nested[i].width; ++k) pre.features.push_back(next + k);
    next += nested[i].width;
  }
  pre.n_slots = next;
  pre.n_string_slots = static_cast<uint32_t>(n_inputs);
  const size_t n_out = next - n_inputs;
  return mlmap::writer::write_dense_model(path, pipeline_description(n_inputs, n_out), identity(n_out), &pre, nullptr);
}

bool on_text_sample(Corruption kind) {
  return (kind >= Corruption::text_table_size && kind <= Corruption::text_idf_nonpositive) ||
         kind == Corruption::text_kind_analyzer_mismatch || kind == Corruption::text_analyzer_unknown;
}

uint8_t text_sample_analyzer(Corruption kind) {
  return kind == Corruption::text_kind_analyzer_mismatch || kind == Corruption::text_analyzer_unknown ? 2 : 0;
}

bool on_hash_sample(Corruption kind) {
  return kind >= Corruption::feature_run_empty && kind <= Corruption::feature_run_string_input;
}

mlmap::Status save_hash_sample(const std::string& path) {
  constexpr uint32_t n_hashed = 2048;
  mlmap::ModelDescription d;
  d.estimator = "test.Pipeline";
  d.n_features = 1;
  d.n_outputs = 1;
  d.feature_names = {"text"};
  mlmap::DenseLayerSpec layer;
  layer.n_in = n_hashed;
  layer.n_out = 1;
  for (uint32_t i = 0; i < n_hashed; ++i) layer.weights.push_back(static_cast<double>(i % 7) - 3.0);
  mlmap::DenseNetworkSpec net;
  net.layers = {layer};
  mlmap::OpSpec hash;
  hash.kind = mlmap::OpKind::text_hash;
  hash.inputs = {0};
  hash.string_inputs = true;
  hash.out_begin = 1;
  hash.n_out = n_hashed;
  hash.text.alternate_sign = true;
  hash.text.normalize = true;
  mlmap::PreprocessingSpec pre;
  pre.string_inputs = {true};
  pre.n_slots = 1 + n_hashed;
  pre.n_string_slots = 1;
  pre.ops = {hash};
  for (uint32_t i = 0; i < n_hashed; ++i) pre.features.push_back(1 + i);
  return mlmap::save(path, d, net, &pre);
}

mlmap::Status save_text_sample(const std::string& path, uint8_t analyzer) {
  mlmap::ModelDescription d;
  d.estimator = "test.Pipeline";
  d.n_features = 1;
  d.n_outputs = 1;
  d.feature_names = {"text"};
  mlmap::DenseLayerSpec layer;
  layer.n_in = 4;
  layer.n_out = 1;
  layer.weights = {1.0, -1.0, 0.5, 0.25};
  mlmap::DenseNetworkSpec net;
  net.layers = {layer};
  mlmap::OpSpec text;
  text.kind = mlmap::OpKind::text_count;
  text.inputs = {0};
  text.string_inputs = true;
  text.out_begin = 1;
  text.n_out = 4;
  text.text.ngram_min = 1;
  text.text.ngram_max = 2;
  text.text.normalize = true;
  text.text.vocabulary = {"hello", "world", "hello world", "\xc3\xa9" "cole"};
  text.text.idf = {1.5, 2.0, 1.25, 1.0};
  text.text.analyzer = analyzer;
  mlmap::PreprocessingSpec pre;
  pre.string_inputs = {true};
  pre.n_slots = 5;
  pre.n_string_slots = 1;
  pre.ops = {text};
  pre.features = {1, 2, 3, 4};
  return mlmap::save(path, d, net, &pre);
}

}  // namespace test
