// The tree kernel for AVX2 + FMA, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/tree_kernels.hpp"
#include "kernels/tree_simd.hpp"

namespace mlmap::kernels {

void accumulate_trees_avx2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  TreeKernel<xsimd::avx2>{}(xsimd::avx2{}, v, X, n_rows, raw);
}

void accumulate_trees_avx2(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept {
  TreeKernel<xsimd::avx2>{}(xsimd::avx2{}, v, X, n_rows, raw);
}

bool accumulate_bitvectors_avx2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  return BitvectorKernel<xsimd::avx2>::batch(v, X, n_rows, raw);
}

}  // namespace mlmap::kernels
