// The exp kernel for sse4_2, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/exp_simd.hpp"

namespace mlmap::kernels {

void exp_inplace_sse4_2(double* v, size_t n) noexcept { ExpSimd<xsimd::sse4_2>::run(v, n); }

void sigmoids_sse4_2(double s, const double* raw, size_t n, double* out) noexcept {
  ExpSimd<xsimd::sse4_2>::sigmoids(s, raw, n, out);
}

void sigmoid_pairs_sse4_2(double s, const double* raw, size_t n, double* out) noexcept {
  ExpSimd<xsimd::sse4_2>::sigmoid_pairs(s, raw, n, out);
}

}  // namespace mlmap::kernels
