// The tree kernel for SSE4.2, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/tree_kernels.hpp"
#include "kernels/tree_simd.hpp"

namespace mlmap::kernels {

void accumulate_trees_sse4_2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  TreeKernel<xsimd::sse4_2>{}(xsimd::sse4_2{}, v, X, n_rows, raw);
}

void accumulate_trees_sse4_2(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept {
  TreeKernel<xsimd::sse4_2>{}(xsimd::sse4_2{}, v, X, n_rows, raw);
}

bool accumulate_bitvectors_sse4_2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  return BitvectorKernel<xsimd::sse4_2>::batch(v, X, n_rows, raw);
}

}  // namespace mlmap::kernels
