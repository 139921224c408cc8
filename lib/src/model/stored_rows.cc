#include "model/stored_rows.hpp"

#include <cmath>
#include <string>

#include "format/limits.hpp"

namespace mlmap::model {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

template <class T>
Status check_values(const T* data, const kernels::RowBlocksView& rows, const char* role) noexcept {
  const uint64_t nf = rows.n_features, lanes = kernels::block_lanes;
  for (uint64_t b = 0; b < rows.n_blocks(); ++b)
    for (uint64_t f = 0; f < nf; ++f)
      for (uint64_t l = 0; l < lanes; ++l) {
        const double x = data[(b * nf + f) * lanes + l];
        const uint64_t row = b * lanes + l;
        if (row < rows.n_rows && !std::isfinite(x))
          return Error(error_code::invalid_model, std::string(role) + ": row " + str(row) + ", feature " + str(f) +
                                                      " is not finite");
        if (row >= rows.n_rows && x != 0)
          return Error(error_code::invalid_model, std::string(role) + ": padding lane " + str(row) + " (past " +
                                                      str(rows.n_rows) + " rows) is not 0");
      }
  return {};
}

}  // namespace

Result<kernels::RowBlocksView> stored_rows(const format::FileView& file, int32_t index, uint64_t n_rows,
                                           uint32_t n_features, const char* role, bool float32_ok) noexcept {
  if (n_rows < 1 || n_rows > limits::max_samples)
    return Error(n_rows ? error_code::limit_exceeded : error_code::invalid_model,
                 std::string(role) + ": " + str(n_rows) + " rows, allowed [1, " + str(limits::max_samples) + "]");
  kernels::RowBlocksView v;
  v.n_rows = n_rows;
  v.n_features = n_features;
  uint64_t count;  // < 2^40 / 8 * 2^30 * 8 = 2^70 would overflow: checked
  if (__builtin_mul_overflow(v.n_blocks(), uint64_t{n_features} * kernels::block_lanes, &count))
    return Error(error_code::limit_exceeded, std::string(role) + ": " + str(n_rows) + " rows of " + str(n_features) +
                                                 " features are more values than 2^64");
  auto dtype = file.column_dtype(index, role);
  if (!dtype) return dtype.error();
  if (*dtype == fb::DType::Float32 && float32_ok) {
    auto c = file.column<float>(index, count, role);
    if (!c) return c.error();
    v.data32 = *c;
  } else {
    auto c = file.column<double>(index, count, role);
    if (!c) return c.error();
    v.data64 = *c;
  }
  return v;
}

Status verify_stored_rows(const kernels::RowBlocksView& rows, const char* role) noexcept {
  return rows.data64 ? check_values(rows.data64, rows, role) : check_values(rows.data32, rows, role);
}

void normalize_row(double* x, size_t n) noexcept {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += x[i] * x[i];
  const double norm = std::sqrt(s);
  if (norm == 0) return;
  for (size_t i = 0; i < n; ++i) x[i] /= norm;
}

}  // namespace mlmap::model
