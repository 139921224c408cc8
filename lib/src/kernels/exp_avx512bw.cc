// The exp kernel for avx512bw, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/exp_simd.hpp"

namespace mlmap::kernels {

void exp_inplace_avx512bw(double* v, size_t n) noexcept { ExpSimd<xsimd::avx512bw>::run(v, n); }

void sigmoids_avx512bw(double s, const double* raw, size_t n, double* out) noexcept {
  ExpSimd<xsimd::avx512bw>::sigmoids(s, raw, n, out);
}

void sigmoid_pairs_avx512bw(double s, const double* raw, size_t n, double* out) noexcept {
  ExpSimd<xsimd::avx512bw>::sigmoid_pairs(s, raw, n, out);
}

}  // namespace mlmap::kernels
