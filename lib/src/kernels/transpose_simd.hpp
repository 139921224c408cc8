// The transposes over xsimd registers, instantiated per ISA in
// transpose_<isa>.cc: square tiles of V x V doubles (V = 2, 4, 8) go through
// the registers in the ISA's shuffles; the last m < V columns of a tile row
// through masked loads and stores where the ISA has them (AVX2, AVX-512);
// rows left over one value at a time, as in the scalar reference.  Internal
// linkage (see tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>

#include "kernels/simd_loads.hpp"
#include "kernels/transpose_kernels.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch>
struct TransposeSimd {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;

  // v[t] holds lanes (t, 0..V); afterwards v[l] holds lanes (0..V, l).
  static void transpose(D* v) noexcept {
#if defined(__AVX512F__)
    if constexpr (V == 8) {
      __m512d t[8], u[8];
      for (int p = 0; p < 4; ++p) {
        t[2 * p] = _mm512_unpacklo_pd(v[2 * p], v[2 * p + 1]);      // a0 b0 a2 b2 a4 b4 a6 b6
        t[2 * p + 1] = _mm512_unpackhi_pd(v[2 * p], v[2 * p + 1]);  // a1 b1 a3 b3 a5 b5 a7 b7
      }
      for (int p = 0; p < 2; ++p)
        for (int h = 0; h < 2; ++h) {  // 128-bit lanes 0, 2 (0x88) or 1, 3 (0xdd) of two t's
          u[4 * p + h] = _mm512_shuffle_f64x2(t[4 * p + h], t[4 * p + h + 2], 0x88);      // a0 b0 a4 b4 c0 d0 c4 d4
          u[4 * p + h + 2] = _mm512_shuffle_f64x2(t[4 * p + h], t[4 * p + h + 2], 0xdd);  // a2 b2 a6 b6 c2 d2 c6 d6
        }
      // u[0]: rows 0, 4; u[1]: 1, 5; u[2]: 2, 6; u[3]: 3, 7 (first four columns); u[4..8) the rest.
      for (int r = 0; r < 4; ++r) {
        v[r] = _mm512_shuffle_f64x2(u[r], u[r + 4], 0x88);
        v[r + 4] = _mm512_shuffle_f64x2(u[r], u[r + 4], 0xdd);
      }
      return;
    }
#endif
#if defined(__AVX__)
    if constexpr (V == 4) {
      const __m256d t0 = _mm256_unpacklo_pd(v[0], v[1]), t1 = _mm256_unpackhi_pd(v[0], v[1]);
      const __m256d t2 = _mm256_unpacklo_pd(v[2], v[3]), t3 = _mm256_unpackhi_pd(v[2], v[3]);
      v[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
      v[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
      v[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
      v[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
      return;
    }
#endif
#if defined(__SSE2__)
    if constexpr (V == 2) {
      const __m128d a = v[0], b = v[1];
      v[0] = _mm_unpacklo_pd(a, b);
      v[1] = _mm_unpackhi_pd(a, b);
      return;
    }
#endif
  }

  // Whether the ISA moves m < V lanes at once (else they go one at a time).
  static constexpr bool masks = V >= 4;

  template <class T>
  static D load(const T* p) noexcept { return SimdLoads<Arch>::load(p); }
  // The first m lanes of p (m < V), the rest zero; nothing past p + m read.
  template <class T>
  static D load_first(const T* p, size_t m) noexcept {
    return SimdLoads<Arch>::load_partial(p, static_cast<uint32_t>(m));
  }

  // The first m lanes of v to p (m < V); nothing past p + m written.
  static void store_first(const D& v, double* p, size_t m) noexcept { SimdLoads<Arch>::store_partial(v, p, m); }

  static void columns_to_rows(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                              size_t count, size_t pw, size_t n, double* F) noexcept {
    auto pos = [positions](size_t k) -> size_t { return positions ? positions[k] : k; };
    size_t i0 = 0;
    D v[V];
    for (; i0 + V <= n; i0 += V) {
      size_t k0 = 0;
      while (k0 < count) {
        size_t m = 1;  // features from k0 on at consecutive positions (at most V)
        while (m < V && k0 + m < count && pos(k0 + m) == pos(k0) + m) ++m;
        double* dst = F + i0 * pw + pos(k0);
        if (m == V || (m > 1 && masks)) {
          for (size_t t = 0; t < V; ++t) v[t] = t < m ? D::load_unaligned(base + slots[k0 + t] * stride + i0) : D(0.0);
          transpose(v);
          for (size_t r = 0; r < V; ++r) {
            if (m == V)
              v[r].store_unaligned(dst + r * pw);
            else
              store_first(v[r], dst + r * pw, m);
          }
        } else {
          for (size_t r = 0; r < V; ++r) dst[r * pw] = base[slots[k0] * stride + i0 + r];
          m = 1;
        }
        k0 += m;
      }
    }
    for (; i0 < n; ++i0)
      for (size_t k = 0; k < count; ++k) F[i0 * pw + pos(k)] = base[slots[k] * stride + i0];
  }

  // Tiles where V columns are consecutive in X; others a value at a time.
  template <class T>
  static void rows_to_columns(const T* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                              size_t stride) noexcept {
    size_t i0 = 0;
    D v[V];
    for (; i0 + V <= n; i0 += V) {
      size_t k0 = 0;
      while (k0 < n_cols) {
        // m consecutive columns from cols[k0] (at most V)
        size_t m = 1;
        while (m < V && k0 + m < n_cols && cols[k0 + m] == cols[k0] + m) ++m;
        if (m == V) {
          for (size_t r = 0; r < V; ++r) v[r] = load(X + (i0 + r) * width + cols[k0]);
          transpose(v);
          for (size_t t = 0; t < V; ++t) v[t].store_unaligned(base + cols[k0 + t] * stride + i0);
          k0 += V;
        } else if (m > 1 && masks) {
          for (size_t r = 0; r < V; ++r) v[r] = load_first(X + (i0 + r) * width + cols[k0], m);
          transpose(v);
          for (size_t t = 0; t < m; ++t) v[t].store_unaligned(base + cols[k0 + t] * stride + i0);
          k0 += m;
        } else {
          for (size_t r = 0; r < V; ++r) base[cols[k0] * stride + i0 + r] = static_cast<double>(X[(i0 + r) * width + cols[k0]]);
          ++k0;
        }
      }
    }
    for (; i0 < n; ++i0)
      for (size_t k = 0; k < n_cols; ++k) base[cols[k] * stride + i0] = static_cast<double>(X[i0 * width + cols[k]]);
  }
};

}  // namespace
}  // namespace mlmap::kernels
