// The infinity scan for sse4_2, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/first_special_simd.hpp"

namespace mlmap::kernels {

size_t first_inf_sse4_2(const float* p, size_t n) noexcept { return first_inf_simd<xsimd::sse4_2>(p, n); }
size_t first_inf_sse4_2(const double* p, size_t n) noexcept { return first_inf_simd<xsimd::sse4_2>(p, n); }

}  // namespace mlmap::kernels
