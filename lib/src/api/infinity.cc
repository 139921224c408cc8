#include "api/infinity.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

namespace mlmap::api {

namespace {

// Index of the first +-inf in x[0, n), or n.  Chunks are scanned with
// integer arithmetic and no early exit, which vectorises (as first_nan); only
// a chunk holding one is searched.  Without its sign, a value is +-inf iff
// its bits equal infinity's, i.e. iff their XOR is 0, and only 0 minus 1
// reaches the sign bit (the XOR of two values without sign is below it).  A quarter of pipeline_num's batch instructions went to
// a compare-and-or loop here.
template <class T>
size_t first_inf(const T* x, size_t n) noexcept {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits sign = Bits{1} << (sizeof(T) * 8 - 1);
  constexpr Bits inf_bits = static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000ull : 0x7ff0000000000000ull);
  constexpr size_t chunk = 1024;
  for (size_t b = 0; b < n; b += chunk) {
    const size_t e = b + chunk < n ? b + chunk : n;
    Bits any = 0;
    for (size_t i = b; i < e; ++i) {
      Bits bits;
      std::memcpy(&bits, x + i, sizeof bits);
      any |= ((bits & ~sign) ^ inf_bits) - 1;
    }
    if (!(any & sign)) continue;
    for (size_t i = b; i < e; ++i)
      if (std::fabs(x[i]) == std::numeric_limits<T>::infinity()) return i;
  }
  return n;
}

Error infinite(const model::LoadedModel& m, size_t row, size_t column, double value) {
  const auto& names = m.info.feature_names;
  const std::string col = column < names.size() ? "column '" + names[column] + "'" : "column " + std::to_string(column);
  return Error(error_code::invalid_argument,
               "row " + std::to_string(row) + ": " + col + " is " + (value > 0 ? "+inf" : "-inf") + ", which this " +
                   m.info.estimator + " refuses (its source library's input check refuses it too)");
}

}  // namespace

template <class T>
Status check_infinity(const model::LoadedModel& m, const MatrixRows<T>& rows, size_t first, size_t n_rows) noexcept {
  try {
    if (m.info.accepts_infinity) return {};
    const size_t w = rows.width;
    const T* X = rows.X + first * w;
    const auto& accepted = m.info.accepts_infinity_by_column;
    size_t from = 0;
    while (from < n_rows * w) {
      const size_t i = from + first_inf(X + from, n_rows * w - from);
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
    for (size_t c = 0; c < rows.by_input.size(); ++c) {
      if (m.info.accepts_infinity_by_column[c]) continue;
      const Table::Column& col = *rows.by_input[c];
      size_t i = n_rows;
      if (col.kind == Table::Kind::float64) {
        const double* x = static_cast<const double*>(col.values) + first;
        i = first_inf(x, best_row);
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
