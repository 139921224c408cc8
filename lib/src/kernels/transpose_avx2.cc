// The transposes for avx2, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/transpose_simd.hpp"

namespace mlmap::kernels {

void columns_to_rows_avx2(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                          size_t count, size_t pw, size_t n, double* F) noexcept {
  TransposeSimd<xsimd::avx2>::columns_to_rows(base, stride, slots, positions, count, pw, n, F);
}

void rows_to_columns_avx2(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                          size_t stride) noexcept {
  TransposeSimd<xsimd::avx2>::rows_to_columns(X, width, cols, n_cols, n, base, stride);
}

void rows_to_columns_avx2(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                          double* base, size_t stride) noexcept {
  TransposeSimd<xsimd::avx2>::rows_to_columns(X, width, cols, n_cols, n, base, stride);
}

}  // namespace mlmap::kernels
