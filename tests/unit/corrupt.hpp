// A seeded generator of corrupt model files: each kind of damage with the
// error a reader must report for it and when (at open, or only at verify).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mlmap/error.hpp"
#include "support.hpp"

namespace test {

enum class Corruption {
  // preamble
  empty_file, short_file, bad_magic, newer_major, major_zero, truncated, trailing_bytes,
  header_length_huge, header_offset, header_byte_flip,
  // header FlatBuffer (hash fixed, so the Verifier or later checks see it)
  header_root_offset, bad_identifier,
  // column descriptors
  column_misaligned, column_past_end, column_over_header, column_length_past_end, column_dtype,
  column_shape, column_unknown_dtype, node_count, column_reference,
  // model table
  n_features_zero, depth_limit, class_count, unknown_link, unknown_predictor, leaf_width_too_wide,
  // preprocessing (on the op_column_sample below)
  op_column_reference,
  // projection steps' parameter columns (on the projection_sample below)
  op_column_dtype, op_column_count, op_column_nonfinite, op_scale_zero, quantiles_unsorted, references_short,
  spline_knots_unsorted, spline_knots_short,
  // a text step's vocabulary table and idf (on the text_sample below; FORMAT.md §7.4)
  text_table_size, text_ngram_range, text_offsets_count, text_offsets_order, text_table_entry, text_term_bytes,
  text_idf_nonpositive,
  // column contents (checksums fixed: only semantic verification sees them)
  child_backward, child_outside_tree, feature_out_of_range, leaf_row_out_of_range, tree_depth_wrong,
  threshold_nan, leaf_value_nan, tree_root_order, tree_output_range, shared_node, category_set_range,
  // neighbours, kernel machines, naive Bayes, detectors: model table (open)
  // and column contents (checksums fixed, verify), one sample each (sample_for)
  neighbors_sample_count, neighbors_k_range, neighbors_unknown_metric, neighbors_labels_dtype,
  neighbors_sample_nan, neighbors_padding, neighbors_label_range, neighbors_target_nan,
  neighbors_norms_count, neighbors_norm_wrong,
  kernel_vector_count, kernel_unknown_kernel, kernel_class_count, coupling_nan,
  kernel_vector_nan, kernel_n_support_sum, kernel_dual_coef_nan, kernel_intercept_nan,
  nb_unknown_kind, nb_log_probs_count, detector_decision,
  nb_bias_nan, nb_theta_nan, nb_var_nonpositive, nb_log_norm_nan, nb_weights_nan, nb_category_counts,
  nb_log_probs_nan,
  // column contents, checksums left stale
  column_byte_flip,
  // dense networks (the dense_every_kind sample): layer table, then column contents
  dense_kind_unknown, dense_activation_unknown, dense_alpha_dtype, dense_alpha_reference, dense_affine_width,
  dense_epsilon_negative, dense_relu_max_nan, dense_relu_with_parameters, dense_weight_nan, dense_scale_nan, dense_alpha_inf,
  // The leaf bit-vector layout (FORMAT.md §5.1.1), on a sample that has it.
  bitvector_count, bitvector_clear, bitvector_threshold, bitvector_tree_words,
  // its walk estimate from the training covers: not a number (open), past
  // every tree's deepest path (verify)
  bitvector_covered_steps_nan, bitvector_covered_steps_high,
  // The complete-tree layout (FORMAT.md §5.1.2; the forest_classifier sample):
  // a depth below max_depth (open), a node's threshold or feature, a leaf row
  // (verify).
  complete_depth, complete_threshold, complete_feature, complete_leaf,
  // an Interpolate step's points (FORMAT.md §7.1; on the projection_sample): its
  // per-input counts (open), then the columns' contents (verify)
  interp_count_zero, interp_count_mismatch, interp_x_unsorted, interp_point_nonfinite,
  // class decisions and decision functions a model's shape does not allow (svm_classifier)
  raw_last_shape, trailing_features_width,
  // a character-analyzer text step (the text sample with analyzer char_wb,
  // kind TextCountChars; FORMAT.md §7.4): its kind flipped to TextCount or
  // its analyzer to Word (they disagree), an analyzer unknown to this reader
  text_kind_analyzer_mismatch, text_analyzer_unknown,
  // the NormalizeNan link on a model with one raw score (boosted_binary)
  normalize_nan_shape,
  // multi-output classifiers' output groups (the multi_output_forest sample;
  // groups_without_output_groups: the forest_classifier)
  output_groups_sum, output_group_empty, output_groups_decision, output_group_labels_repeat, output_groups_link,
  groups_without_output_groups,
  // the predictor's features as runs of slots (the hash sample: a TextHash
  // step's 2048 outputs in one run; FORMAT.md §7): an empty run, a run past
  // the slots, a run over the string input column
  feature_run_empty, feature_run_past_slots, feature_run_string_input,
  // a multi-output k-NN classifier's labels (the neighbors_multi_output
  // sample): one per row (a single-output file's shape), a row's label of
  // output 1 in output 0's slots
  neighbors_labels_per_output, neighbors_output_label_range,
  // a radius classifier (neighbors_radius): a radius not finite, a k with the
  // radius, an outlier slot outside the classes
  neighbors_radius_nonfinite, neighbors_radius_with_k, neighbors_outlier_slot_range,
  // SubModel steps' outputs (FORMAT.md §7.3; on the sub_model_sample below):
  // an output this reader does not know; OutputsAndDecision made
  // OutputsAndClassOneHot and the other way round (a binary classifier:
  // widths 2 + 2 and 2 + 1, not what the step declares); OutputsAndClassOneHot
  // of a regressor, of a multi-output classifier (several classes a row)
  sub_model_output_unknown, sub_model_class_width, sub_model_decision_width, sub_model_class_of_regressor,
  sub_model_class_per_row,
  count
};

enum class Stage { open, verify };

struct Expectation {
  const char* name;
  Stage stage;
  mlmap::error_code code;
  const char* message_part;  // a phrase the message must contain
};

Expectation expectation(Corruption kind);

/// The sample model (support.hpp) each kind damages (op_column_reference:
/// see save_op_column_sample).
Sample sample_for(Corruption kind);

/// `file` is a valid model written by save_sample(sample_for(kind), seed,
/// BitvectorLayout::always) (the bitvector_* kinds need the layout), or for
/// the preprocessing kinds the op_column_sample; returns the damaged bytes.
std::vector<uint8_t> corrupt(std::vector<uint8_t> file, Corruption kind, uint64_t seed);

/// A linear model behind one Standardize step that carries a parameter
/// column (FORMAT.md §7.1), written without the writer's final check: no kind
/// of this version takes parameter columns, so it opens only to the error
/// that says so.  The damage to its column reference must be found first.
mlmap::Status save_op_column_sample(const std::string& path);

/// A linear model behind a Project step (columns preprocessing.0.center,
/// .components, .scale), a Distance step (preprocessing.1.centers) and a
/// QuantileNormal step (preprocessing.2.quantiles, .references), a Spline
/// step (preprocessing.3.knots, .boundary) and an Interpolate step
/// (preprocessing.4.x, .y): the sample of the op_column_dtype ...
/// spline_knots_short and interp_* kinds.
mlmap::Status save_projection_sample(const std::string& path);
/// Whether `kind` damages the projection sample.
bool on_projection_sample(Corruption kind);

/// A linear model behind a TextCount step over string column 'text'
/// (columns preprocessing.0.table, .offsets, .terms, .idf): the sample of
/// the text_* kinds, with the analyzer text_sample_analyzer(kind) (schema
/// Analyzer: 0 word, 2 char_wb, which the writer stores as TextCountChars).
mlmap::Status save_text_sample(const std::string& path, uint8_t analyzer = 0);
bool on_text_sample(Corruption kind);

/// A linear model behind a TextHash step of 2048 outputs over string column
/// 'text', which the writer stores as one feature run (FORMAT.md §7): the
/// sample of the feature_run_* kinds.
mlmap::Status save_hash_sample(const std::string& path);
bool on_hash_sample(Corruption kind);
uint8_t text_sample_analyzer(Corruption kind);

/// Identity over the outputs of four SubModel steps on the first input
/// columns: the boosted_binary sample as OutputsAndDecision (3 values) and
/// as OutputsAndClassOneHot (4), the regressor sample as Raw (2), the
/// multi_output_forest sample as Raw (5): the sample of the sub_model_* kinds.
mlmap::Status save_sub_model_sample(const std::string& path);
bool on_sub_model_sample(Corruption kind);

}  // namespace test
