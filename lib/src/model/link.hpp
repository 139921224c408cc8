// Raw scores -> outputs (FORMAT.md §6), and the class decision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mlmap/error.hpp"
#include "mlmap/info.hpp"

namespace mlmap::model {

struct LinkSpec {
  LinkFunction link = LinkFunction::identity;
  double scale = 1.0;
  size_t n_raw = 1;
  size_t n_outputs = 1;
  ClassDecision decision = ClassDecision::argmax_outputs;
  DecisionFunction decision_function = DecisionFunction::raw;
  double decision_offset = 0;
  size_t decision_features = 0;  // trailing_features
  std::vector<double> prob_a, prob_b;  // pairwise_coupling: one per raw score
  std::vector<size_t> output_groups;   // argmax_outputs_per_group: outputs per group, summing to n_outputs

  /// Values per row of Output::decision.
  size_t decision_width() const noexcept {
    return decision_function == DecisionFunction::raw                 ? n_raw
           : decision_function == DecisionFunction::trailing_features ? decision_features
                                                                      : n_outputs;
  }
  /// Class indices per row decide_classes() writes: one per output group.
  size_t classes_per_row() const noexcept { return output_groups.empty() ? 1 : output_groups.size(); }
  /// Whether decide_class() reads decision values (argmax_outputs_per_group
  /// with trailing_features: the groups' class indicators).
  bool class_from_decision() const noexcept {
    return decision == ClassDecision::argmax_decision || decision == ClassDecision::decision_nonnegative ||
           decision == ClassDecision::decision_positive ||
           (decision == ClassDecision::argmax_outputs_per_group &&
            decision_function == DecisionFunction::trailing_features);
  }
};

/// Whether `n_raw` raw scores can map to `n_outputs` outputs under `link`
/// (`classification`: a classifier's outputs are probabilities).
bool link_shape_ok(LinkFunction link, bool classification, size_t n_raw, size_t n_outputs) noexcept;

/// Rows [0, n_rows): raw[n_rows * n_raw] -> out[n_rows * n_outputs].  (Hard:
/// from the class decision, which must not read decision values.)  The
/// block's exponentials go through one vectorised call, which gives the
/// same bits on every kernel (kernels/exp_kernels.hpp).  Fails only with
/// out_of_memory (one-vs-one scratch, O(classes^2)).
[[nodiscard]] Status apply_link(const LinkSpec& spec, const double* raw, size_t n_rows, double* out) noexcept;

/// Rows [0, n_rows): Output::decision from the raw scores, (for
/// output_minus_offset) the outputs or (for trailing_features) the
/// predictor's features, `feature_width` per row, n_rows * decision_width()
/// values.  Fails only with out_of_memory.
[[nodiscard]] Status apply_decision_function(const LinkSpec& spec, const double* raw, const double* out, size_t n_rows,
                                             double* decision, const double* features = nullptr,
                                             size_t feature_width = 0) noexcept;

/// Rows [0, n_rows): the predicted class index of each row from its raw
/// scores, outputs and (when class_from_decision()) decision values,
/// classes_per_row() per row (argmax_outputs_per_group: each group's, as
/// an index into the concatenated classes).  Fails only with out_of_memory.
[[nodiscard]] Status decide_classes(const LinkSpec& spec, const double* raw, const double* out, const double* decision,
                                    size_t n_rows, int64_t* classes) noexcept;

}  // namespace mlmap::model
