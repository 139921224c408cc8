// Refusing NaN where the model cannot take it (FORMAT.md §10
// missing_value): in direct inputs, before or after the scores, and in the
// predictor's features after preprocessing.  Each error names the first
// row holding a NaN.
#pragma once

#include <cstddef>

#include "mlmap/error.hpp"
#include "kernels/first_special.hpp"
#include "model/loaded_model.hpp"

namespace mlmap::api {

using kernels::first_nan;

/// Direct matrix input: rows [first, first + n_rows) of X (n_features
/// wide), the error naming the first NaN.
template <class T>
[[nodiscard]] Status check_missing(const model::LoadedModel& m, const T* X, size_t n_rows, size_t first = 0);

/// Whether a direct input's NaNs are found up front (else after the scores,
/// see Predictor::propagates_nan).
inline bool scan_inputs_first(const model::LoadedModel& m) noexcept {
  return m.refuses_missing && !m.nan_scores_mark_nan;
}

/// After the scores `raw` of direct rows [first, first + n) of X.
template <class T>
[[nodiscard]] Status check_missing_after(const model::LoadedModel& m, const T* X, const double* raw, size_t n,
                                         size_t first);

/// The predictor's features F of rows [first, first + n), after
/// preprocessing or from a Table.
[[nodiscard]] Status check_missing_features(const model::LoadedModel& m, const double* F, size_t n, size_t first);

/// The error for a NaN in the predictor's `feature` of `row`.
Error nan_feature(const model::LoadedModel& m, size_t row, size_t feature);

}  // namespace mlmap::api
