// Loads of doubles from float or double memory into xsimd registers, and
// partial stores, shared by the kernels over xsimd (dense layers, transposes,
// the row maps): float widens to double in registers, which is exact;
// partial loads and stores are masked where the ISA has masks.  Internal linkage (see tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>

namespace mlmap::kernels {
namespace {

template <class Arch>
struct SimdLoads {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;

  // V consecutive values as doubles (xsimd 8.1 would convert floats lane by
  // lane).
  static D load(const double* p) noexcept { return D::load_unaligned(p); }
  static D load(const float* p) noexcept {
#if defined(__AVX512F__)
    if constexpr (V == 8) return _mm512_cvtps_pd(_mm256_loadu_ps(p));
#endif
#if defined(__AVX__)
    if constexpr (V == 4) return _mm256_cvtps_pd(_mm_loadu_ps(p));
#endif
#if defined(__SSE2__)
    if constexpr (V == 2) return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
#endif
    alignas(64) double lanes[V];
    for (size_t l = 0; l < V; ++l) lanes[l] = p[l];
    return D::load_aligned(lanes);
  }

  // The first n < V values at p as doubles, the other lanes zero; nothing
  // past p + n is read.  Masked loads where the ISA has them: assembling the
  // vector from scalar stores stalled store-to-load forwarding.
  template <class X_t>
  static D load_partial(const X_t* p, uint32_t n) noexcept {
#if defined(__AVX512F__)
    if constexpr (V == 8) {
      const auto m = static_cast<__mmask16>((1u << n) - 1);
      if constexpr (sizeof(X_t) == 4) return _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_maskz_loadu_ps(m, p)));
      else return _mm512_maskz_loadu_pd(static_cast<__mmask8>(m), p);
    }
#endif
#if defined(__AVX2__)
    if constexpr (V == 4) {
      if constexpr (sizeof(X_t) == 4) {
        const __m128i m32 = _mm_cmpgt_epi32(_mm_set1_epi32(static_cast<int>(n)), _mm_set_epi32(3, 2, 1, 0));
        return _mm256_cvtps_pd(_mm_maskload_ps(p, m32));
      } else {
        const __m256i m64 = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_set_epi64x(3, 2, 1, 0));
        return _mm256_maskload_pd(p, m64);
      }
    }
#endif
#if defined(__SSE2__)
    if constexpr (V == 2) return _mm_set_sd(static_cast<double>(p[0]));  // n == 1
#endif
    alignas(64) double lanes[V] = {};
    for (uint32_t l = 0; l < n; ++l) lanes[l] = static_cast<double>(p[l]);
    return D::load_aligned(lanes);
  }

  // The first m < V lanes of v to p; nothing past p + m written.
  static void store_partial(const D& v, double* p, size_t m) noexcept {
#if defined(__AVX512F__)
    if constexpr (V == 8) return _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << m) - 1), v);
#endif
#if defined(__AVX2__)
    if constexpr (V == 4)
      return _mm256_maskstore_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(static_cast<long long>(m)), _mm256_set_epi64x(3, 2, 1, 0)), v);
#endif
    alignas(64) double lanes[V];
    v.store_aligned(lanes);
    for (size_t l = 0; l < m; ++l) p[l] = lanes[l];
  }
};

}  // namespace
}  // namespace mlmap::kernels
