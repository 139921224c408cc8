// The scalar transposes (transpose_kernels.hpp): tiles of 8 rows, so that a
// tile's rows stay in L1 while each column fills its cache line of them.
#include <algorithm>

#include "kernels/transpose_kernels.hpp"

namespace mlmap::kernels {

namespace {

constexpr size_t tile = 8;

template <class T>
void to_columns(const T* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                size_t stride) noexcept {
  size_t i0 = 0;
  for (; i0 + tile <= n; i0 += tile)
    for (size_t k = 0; k < n_cols; ++k) {
      const T* x = X + i0 * width + cols[k];
      double* dst = base + cols[k] * stride + i0;
      for (size_t i = 0; i < tile; ++i) dst[i] = static_cast<double>(x[i * width]);
    }
  for (; i0 < n; ++i0)  // the last rows, one at a time
    for (size_t k = 0; k < n_cols; ++k) base[cols[k] * stride + i0] = static_cast<double>(X[i0 * width + cols[k]]);
}

}  // namespace

void columns_to_rows_scalar(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                            size_t count, size_t pw, size_t n, double* F) noexcept {
  size_t i0 = 0;
  for (; i0 + tile <= n; i0 += tile)
    for (size_t k = 0; k < count; ++k) {
      const double* src = base + slots[k] * stride + i0;
      double* dst = F + i0 * pw + (positions ? positions[k] : k);
      for (size_t i = 0; i < tile; ++i) dst[i * pw] = src[i];
    }
  for (; i0 < n; ++i0)  // the last rows, one at a time
    for (size_t k = 0; k < count; ++k) F[i0 * pw + (positions ? positions[k] : k)] = base[slots[k] * stride + i0];
}

void rows_to_columns_scalar(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                            size_t stride) noexcept {
  to_columns(X, width, cols, n_cols, n, base, stride);
}

void rows_to_columns_scalar(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                            double* base, size_t stride) noexcept {
  to_columns(X, width, cols, n_cols, n, base, stride);
}

}  // namespace mlmap::kernels
