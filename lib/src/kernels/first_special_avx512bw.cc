// The infinity scan for avx512bw, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/first_special_simd.hpp"

namespace mlmap::kernels {

size_t first_inf_avx512bw(const float* p, size_t n) noexcept { return first_inf_simd<xsimd::avx512bw>(p, n); }
size_t first_inf_avx512bw(const double* p, size_t n) noexcept { return first_inf_simd<xsimd::avx512bw>(p, n); }

}  // namespace mlmap::kernels
