#include "api/missing.hpp"

#include <string>

namespace mlmap::api {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

}  // namespace

// Direct matrix input: rows [first, first + n_rows) of X, the error naming
// the first NaN.
template <class T>
Status check_missing(const model::LoadedModel& m, const T* X, size_t n_rows, size_t first) {
  const size_t nf = m.info.n_features;
  const size_t i = first_nan(X + first * nf, n_rows * nf);
  if (i == n_rows * nf) return {};
  const size_t f = i % nf;
  const std::string name = m.info.feature_names.empty() ? "" : " ('" + m.info.feature_names[f] + "')";
  return Error(error_code::missing_value, "row " + str(first + i / nf) + ", feature " + str(f) + name +
                                              " is NaN, but this " + m.info.estimator +
                                              " was not trained to route missing values");
}

// After the scores of direct rows [first, first + n): rows before the first
// NaN score hold no NaN input, so the first NaN input at or after it is the
// first of the block.  A NaN score without a NaN input (inf - inf) stands.
template <class T>
Status check_missing_after(const model::LoadedModel& m, const T* X, const double* raw, size_t n, size_t first) {
  if (!m.nan_scores_mark_nan) return {};
  // Every score of such a row is NaN: the first one of each row tells.
  const size_t n_raw = m.link.n_raw;
  size_t row = 0;
  if (n_raw == 1)
    row = first_nan(raw, n);
  else
    while (row < n && !std::isnan(raw[row * n_raw])) ++row;
  if (row == n) return {};
  return check_missing(m, X, n - row, first + row);
}

// After preprocessing: the predictor's features of rows [first, first + n).
Status check_missing_features(const model::LoadedModel& m, const double* F, size_t n, size_t first) {
  if (!m.refuses_missing) return {};
  const size_t pw = m.predictor_width;
  const size_t i = first_nan(F, n * pw);
  if (i == n * pw) return {};
  return nan_feature(m, first + i / pw, i % pw);
}

Error nan_feature(const model::LoadedModel& m, size_t row, size_t feature) {
  std::string from;
  if (m.preprocessing) {
    const std::string column = m.preprocessing->feature_column(feature);
    from = column.empty() ? " (computed from several input columns)" : " (from input " + column + ")";
  }
  return Error(error_code::missing_value, "row " + str(row) + ": the predictor's feature " + str(feature) + from +
                                              " is NaN" + (m.preprocessing ? " after preprocessing" : "") +
                                              ", but this " + m.info.estimator +
                                              " cannot take missing values (impute them first)");
}

template Status check_missing(const model::LoadedModel&, const float*, size_t, size_t);
template Status check_missing(const model::LoadedModel&, const double*, size_t, size_t);
template Status check_missing_after(const model::LoadedModel&, const float*, const double*, size_t, size_t);
template Status check_missing_after(const model::LoadedModel&, const double*, const double*, size_t, size_t);

}  // namespace mlmap::api
