// The dense-product kernel for avx2, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/dense_simd.hpp"

namespace mlmap::kernels {

void dense_product_avx2(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
  DenseSimd<xsimd::avx2>::run(L, X, n_rows, Y);
}

void dense_product_avx2(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept {
  DenseSimd<xsimd::avx2>::run(L, X, n_rows, Y);
}

}  // namespace mlmap::kernels
