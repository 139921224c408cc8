#include "api/infinity.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "kernels/first_special.hpp"

namespace mlmap::api {

namespace {

using kernels::first_inf;

Error infinite(const model::LoadedModel& m, size_t row, size_t column, double value) {
  const auto& names = m.info.feature_names;
  const std::string col = column < names.size() ? "column '" + names[column] + "'" : "column " + std::to_string(column);
  if (std::isfinite(value)) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    return Error(error_code::invalid_argument,
                 "row " + std::to_string(row) + ": " + col + " is " + text + ", beyond float32's range, which this " +
                     m.info.estimator + " refuses (it reads float32; its source library's input check refuses it too)");
  }
  return Error(error_code::invalid_argument,
               "row " + std::to_string(row) + ": " + col + " is " + (value > 0 ? "+inf" : "-inf") + ", which this " +
                   m.info.estimator + " refuses (its source library's input check refuses it too)");
}

size_t first_refused(const float* p, size_t n, bool) noexcept { return first_inf(p, n); }
size_t first_refused(const double* p, size_t n, bool as_float) noexcept {
  return as_float ? kernels::first_beyond_float(p, n) : first_inf(p, n);
}

}  // namespace

// Trees with float32 thresholds and no program in front: a program reads
// float64 first.
bool reads_float32(const model::LoadedModel& m) noexcept {
  return m.info.predictor_kind == PredictorKind::tree_ensemble && m.info.trees.threshold_bits == 32 &&
         m.info.preprocessing.n_steps == 0;
}

template <class T>
Status check_infinity(const model::LoadedModel& m, const MatrixRows<T>& rows, size_t first, size_t n_rows) noexcept {
  try {
    if (m.info.accepts_infinity) return {};
    const size_t w = rows.width;
    const T* X = rows.X + first * w;
    const auto& accepted = m.info.accepts_infinity_by_column;
    const bool as_float = reads_float32(m);
    size_t from = 0;
    while (from < n_rows * w) {
      const size_t i = from + first_refused(X + from, n_rows * w - from, as_float);
      if (i == n_rows * w) return {};
      if (!accepted[i % w]) return infinite(m, first + i / w, i % w, static_cast<double>(X[i]));
      from = i + 1;
    }
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory describing an infinite input");
  }
}

Status check_infinity(const model::LoadedModel& m, const TableRows& rows, size_t first, size_t n_rows) noexcept {
  try {
    if (m.info.accepts_infinity) return {};
    size_t best_row = n_rows, best_col = 0;
    double best_value = 0;
    const bool as_float = reads_float32(m);
    for (size_t c = 0; c < rows.by_input.size(); ++c) {
      if (m.info.accepts_infinity_by_column[c]) continue;
      const Table::Column& col = *rows.by_input[c];
      size_t i = n_rows;
      if (col.kind == Table::Kind::float64) {
        const double* x = static_cast<const double*>(col.values) + first;
        i = first_refused(x, best_row, as_float);
        if (i < best_row) best_value = x[i];
      } else if (col.kind == Table::Kind::float32) {
        const float* x = static_cast<const float*>(col.values) + first;
        i = first_inf(x, best_row);
        if (i < best_row) best_value = x[i];
      }
      if (i < best_row) best_row = i, best_col = c;
    }
    if (best_row == n_rows) return {};
    return infinite(m, first + best_row, best_col, best_value);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory describing an infinite input");
  }
}

template Status check_infinity(const model::LoadedModel&, const MatrixRows<float>&, size_t, size_t) noexcept;
template Status check_infinity(const model::LoadedModel&, const MatrixRows<double>&, size_t, size_t) noexcept;

}  // namespace mlmap::api
