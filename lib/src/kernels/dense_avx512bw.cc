// The dense-product kernel for avx512bw, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/dense_simd.hpp"

namespace mlmap::kernels {

void dense_product_avx512bw(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
  DenseSimd<xsimd::avx512bw>::run(L, X, n_rows, Y);
}

void dense_product_avx512bw(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept {
  DenseSimd<xsimd::avx512bw>::run(L, X, n_rows, Y);
}

}  // namespace mlmap::kernels
