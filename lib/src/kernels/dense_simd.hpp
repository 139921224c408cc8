// The dense-product kernel (x . W + bias), written once over xsimd and instantiated per ISA in
// dense_<isa>.cc (each compiled with only that ISA's flags).  Rows are taken
// four at a time so each weight loaded feeds four rows' accumulators:
//  * in_out weights [n_in, n_out]: for a tile of outputs, every input is
//    broadcast and multiplied into the tile (MLP layers, many outputs);
//  * out_in weights [n_out, n_in]: dot products vectorised over the inputs
//    (linear models with few outputs); up to three outputs V rows at a
//    time, whose sums of an output reduce together (hadd_rows) into one
//    vector.
// Rows may be float (a model's input, widened in registers) or double, and
// so may the weights and bias (float32 columns).
// Internal linkage throughout (see tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>

#include "kernels/dense_view.hpp"
#include "kernels/simd_loads.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch>
struct DenseSimd {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;
  static constexpr size_t R = 4;  // rows per block
  static constexpr size_t T = 4;  // output vectors per tile (in_out)
  static constexpr size_t prefetch_bytes = 8192;

  // V consecutive inputs as doubles (float rows, a model's direct input, are
  // widened in registers), and the first n < V of them (simd_loads.hpp).
  template <class X_t>
  static D load(const X_t* p) noexcept { return SimdLoads<Arch>::load(p); }
  template <class X_t>
  static D load_partial(const X_t* p, uint32_t n) noexcept { return SimdLoads<Arch>::load_partial(p, n); }

  // a * b + c, fused where the ISA has FMA.  xsimd 8.1 fuses only for its
  // fma3<...> architectures, and the kernels are built without contraction
  // (meson.build), so this says it explicitly.
  static D fma(const D& a, const D& b, const D& c) noexcept {
#if defined(__AVX512F__)
    if constexpr (V == 8) return _mm512_fmadd_pd(a, b, c);
#endif
#if defined(__FMA__)
    if constexpr (V == 4) return _mm256_fmadd_pd(a, b, c);
#endif
    return a * b + c;
  }

  // V consecutive values of a float64 or float32 column.
  static D load(const Values& c, size_t i) noexcept { return c.f64 ? load(c.f64 + i) : load(c.f32 + i); }

  // in_out: rows [r0, r0 + nr) (nr <= R), outputs [o0, o0 + nv * V).
  template <size_t NR, size_t NV, class X_t, class W_t>
  static void tile(const DenseLayerView& L, const W_t* W, const X_t* X, double* Y, size_t o0) noexcept {
    D acc[NR][NV];
    for (size_t v = 0; v < NV; ++v) {
      const D b = L.bias.present() ? load(L.bias, o0 + v * V) : D(0.0);
      for (size_t r = 0; r < NR; ++r) acc[r][v] = b;
    }
    for (uint32_t i = 0; i < L.n_in; ++i) {
      const W_t* w = W + size_t{i} * L.n_out + o0;
      D wv[NV];
      for (size_t v = 0; v < NV; ++v) wv[v] = load(w + v * V);
      for (size_t r = 0; r < NR; ++r) {
        const D x(static_cast<double>(X[r * L.n_in + i]));
        for (size_t v = 0; v < NV; ++v) acc[r][v] = fma(x, wv[v], acc[r][v]);
      }
    }
    for (size_t r = 0; r < NR; ++r)
      for (size_t v = 0; v < NV; ++v) acc[r][v].store_unaligned(Y + r * L.n_out + o0 + v * V);
  }

  template <size_t NR, class X_t, class W_t>
  static void rows_in_out(const DenseLayerView& L, const W_t* W, const X_t* X, double* Y) noexcept {
    size_t o = 0;
    for (; o + T * V <= L.n_out; o += T * V) tile<NR, T>(L, W, X, Y, o);
    for (; o + V <= L.n_out; o += V) tile<NR, 1>(L, W, X, Y, o);
    for (; o < L.n_out; ++o) {  // the last few outputs, scalar
      for (size_t r = 0; r < NR; ++r) {
        double s = L.bias.present() ? L.bias[o] : 0.0;
        for (uint32_t i = 0; i < L.n_in; ++i)
          s += static_cast<double>(X[r * L.n_in + i]) * static_cast<double>(W[size_t{i} * L.n_out + o]);
        Y[r * L.n_out + o] = s;
      }
    }
  }

  // out_in: rows [r0, r0 + NR), outputs [o0, o0 + NO); each input vector is
  // loaded once for NO outputs (linear models have few).  The last n_in % V
  // inputs make one more, zero-padded vector.
  template <size_t NR, size_t NO, class X_t, class W_t>
  static void dots(const DenseLayerView& L, const W_t* W, const X_t* X, double* Y, uint32_t o0) noexcept {
    const W_t* w[NO];
    for (size_t q = 0; q < NO; ++q) w[q] = W + size_t{o0 + q} * L.n_in;
    D acc[NR][NO];
    for (size_t r = 0; r < NR; ++r)
      for (size_t q = 0; q < NO; ++q) acc[r][q] = D(0.0);
    const uint32_t full = L.n_in / V * V;
    for (uint32_t i = 0; i < full; i += V) {
      D x[NR];
      for (size_t r = 0; r < NR; ++r) x[r] = load(X + r * L.n_in + i);
      for (size_t q = 0; q < NO; ++q) {
        const D wv = load(w[q] + i);
        for (size_t r = 0; r < NR; ++r) acc[r][q] = fma(x[r], wv, acc[r][q]);
      }
    }
    if (const uint32_t rest = L.n_in - full) {
      D x[NR];
      for (size_t r = 0; r < NR; ++r) x[r] = load_partial(X + r * L.n_in + full, rest);
      for (size_t q = 0; q < NO; ++q) {
        const D wv = load_partial(w[q] + full, rest);
        for (size_t r = 0; r < NR; ++r) acc[r][q] = fma(x[r], wv, acc[r][q]);
      }
    }
    for (size_t r = 0; r < NR; ++r)
      for (size_t q = 0; q < NO; ++q) Y[r * L.n_out + o0 + q] = xsimd::hadd(acc[r][q]) + (L.bias.present() ? L.bias[o0 + q] : 0.0);
  }

  // Outputs per pass: as many as the registers hold beside R rows' inputs
  // (32 vector registers with AVX-512, 16 below).
  static constexpr uint32_t max_dots = V == 8 ? 6 : 3;

  template <size_t NR, class X_t, class W_t>
  static void rows_out_in(const DenseLayerView& L, const W_t* W, const X_t* X, double* Y) noexcept {
    uint32_t o = 0;
    for (; o + max_dots <= L.n_out; o += max_dots) dots<NR, max_dots>(L, W, X, Y, o);
    switch (L.n_out - o) {
      case 5: return dots<NR, 5>(L, W, X, Y, o);
      case 4: return dots<NR, 4>(L, W, X, Y, o);
      case 3: return dots<NR, 3>(L, W, X, Y, o);
      case 2: return dots<NR, 2>(L, W, X, Y, o);
      case 1: return dots<NR, 1>(L, W, X, Y, o);
      default: return;
    }
  }

  template <size_t NR, class X_t, class W_t>
  static void block(const DenseLayerView& L, const W_t* W, const X_t* X, double* Y) noexcept {
    if (L.out_in)
      rows_out_in<NR>(L, W, X, Y);
    else
      rows_in_out<NR>(L, W, X, Y);
  }

  // Asks for the rows ~8 KB on while these are computed: a batch streams its
  // input from memory once, and the hardware prefetcher alone left the kernel
  // waiting on loads (logistic regression, 100 features: 15M -> 25M rows/s on
  // Zen 5; 6 to 13 KB ahead measured best).
  template <class X_t>
  static void prefetch_rows(const X_t* X, size_t first, size_t count, size_t n_rows, size_t n_in) noexcept {
    const char* begin = reinterpret_cast<const char*>(X + first * n_in);
    const char* end = reinterpret_cast<const char*>(X + (first + count < n_rows ? first + count : n_rows) * n_in);
    for (const char* p = begin; p < end; p += 64) __builtin_prefetch(p, 0, 3);
  }

  // The V horizontal sums of a[0..V): lane j is xsimd::hadd(a[j]) bit for
  // bit (the same additions, operands in the same order), for a fraction of
  // V separate reductions' shuffles.  hadd halves a vector until one value
  // is left, the upper half added to the lower at 512 bits, the lower to the
  // upper below.
  static D hadd_rows(const D* a) noexcept {
#if defined(__AVX512F__)
    if constexpr (V == 8) {
      // Rows j and j + 2 side by side: each's upper 256 bits + its lower.
      auto halves = [](const D& x, const D& y) {
        return _mm512_add_pd(_mm512_shuffle_f64x2(x, y, _MM_SHUFFLE(3, 2, 3, 2)),
                             _mm512_shuffle_f64x2(x, y, _MM_SHUFFLE(1, 0, 1, 0)));
      };
      const __m512d h02 = halves(a[0], a[2]), h46 = halves(a[4], a[6]);
      const __m512d h13 = halves(a[1], a[3]), h57 = halves(a[5], a[7]);
      // Rows 0, 2, 4, 6 (then 1, 3, 5, 7): each 256-bit sum's lower 128 bits + its upper.
      const __m512d q_even = _mm512_add_pd(_mm512_shuffle_f64x2(h02, h46, _MM_SHUFFLE(2, 0, 2, 0)),
                                           _mm512_shuffle_f64x2(h02, h46, _MM_SHUFFLE(3, 1, 3, 1)));
      const __m512d q_odd = _mm512_add_pd(_mm512_shuffle_f64x2(h13, h57, _MM_SHUFFLE(2, 0, 2, 0)),
                                          _mm512_shuffle_f64x2(h13, h57, _MM_SHUFFLE(3, 1, 3, 1)));
      // Lane 0 of each pair + lane 1, rows back in order.
      return _mm512_add_pd(_mm512_unpacklo_pd(q_even, q_odd), _mm512_unpackhi_pd(q_even, q_odd));
    }
#endif
#if defined(__AVX__)
    if constexpr (V == 4) {
      // Rows 0 and 2 (1 and 3) side by side: lower 128 bits + upper.
      const __m256d s02 = _mm256_add_pd(_mm256_permute2f128_pd(a[0], a[2], 0x20), _mm256_permute2f128_pd(a[0], a[2], 0x31));
      const __m256d s13 = _mm256_add_pd(_mm256_permute2f128_pd(a[1], a[3], 0x20), _mm256_permute2f128_pd(a[1], a[3], 0x31));
      return _mm256_hadd_pd(s02, s13);  // lane 0 + lane 1: rows 0, 1, 2, 3
    }
#endif
#if defined(__SSE3__)
    if constexpr (V == 2) return _mm_hadd_pd(a[0], a[1]);
#endif
    alignas(64) double sums[V];
    for (size_t j = 0; j < V; ++j) sums[j] = xsimd::hadd(a[j]);
    return D::load_aligned(sums);
  }

  // out_in, V rows [0, V) at a time, outputs [o0, o0 + NO): every (row,
  // output) accumulates as dots<> does, in the same order, and the V rows'
  // sums of an output come out of one hadd_rows: the same bits as dots<1>
  // row by row.  Each row's input vector is loaded once for the NO outputs,
  // whose weight vectors stay in registers.
  template <size_t NO, class X_t, class W_t>
  static void dots_rows(const DenseLayerView& L, const W_t* W, const X_t* X, double* Y, uint32_t o0) noexcept {
    const W_t* w[NO];
    for (size_t q = 0; q < NO; ++q) w[q] = W + size_t{o0 + q} * L.n_in;
    D acc[NO][V];
    for (size_t q = 0; q < NO; ++q)
      for (size_t r = 0; r < V; ++r) acc[q][r] = D(0.0);
    const uint32_t full = L.n_in / V * V;
    for (uint32_t i = 0; i < full; i += V) {
      D wv[NO];
      for (size_t q = 0; q < NO; ++q) wv[q] = load(w[q] + i);
      for (size_t r = 0; r < V; ++r) {
        const D x = load(X + r * L.n_in + i);
        for (size_t q = 0; q < NO; ++q) acc[q][r] = fma(x, wv[q], acc[q][r]);
      }
    }
    if (const uint32_t rest = L.n_in - full) {
      D wv[NO];
      for (size_t q = 0; q < NO; ++q) wv[q] = load_partial(w[q] + full, rest);
      for (size_t r = 0; r < V; ++r) {
        const D x = load_partial(X + r * L.n_in + full, rest);
        for (size_t q = 0; q < NO; ++q) acc[q][r] = fma(x, wv[q], acc[q][r]);
      }
    }
    for (size_t q = 0; q < NO; ++q) {
      const D y = hadd_rows(acc[q]) + D(L.bias.present() ? L.bias[o0 + q] : 0.0);
      if (L.n_out == 1) {
        y.store_unaligned(Y);
      } else {
        alignas(64) double lanes[V];
        y.store_aligned(lanes);
        for (size_t r = 0; r < V; ++r) Y[r * L.n_out + o0 + q] = lanes[r];
      }
    }
  }

  // Outputs of dots_rows: V rows' accumulators for each, beside their
  // weight vectors and an input, fit the registers (32 with AVX-512, 16
  // below).  More outputs take dots<R, ...>, which loads each input once for
  // up to max_dots of them: with two passes of V rows, each input converted
  // twice, logreg (100 float features, 5 outputs) was 3-6% slower.
  static constexpr uint32_t max_dots_rows = 3;

  template <class X_t, class W_t>
  static void rows_out_in_v(const DenseLayerView& L, const W_t* W, const X_t* X, double* Y) noexcept {
    switch (L.n_out) {
      case 3: return dots_rows<3>(L, W, X, Y, 0);
      case 2: return dots_rows<2>(L, W, X, Y, 0);
      case 1: return dots_rows<1>(L, W, X, Y, 0);
      default: return;
    }
  }

  template <class X_t, class W_t>
  static void run(const DenseLayerView& L, const W_t* W, const X_t* X, size_t n_rows, double* Y) noexcept {
    const bool by_v = L.out_in && L.n_out <= max_dots_rows;
    const size_t step = by_v ? V : R;  // rows per block
    const size_t row_bytes = L.n_in * sizeof(X_t);
    const size_t ahead = ((prefetch_bytes + row_bytes - 1) / row_bytes + step - 1) / step * step;
    size_t r = 0;
    for (; r + step <= n_rows; r += step) {
      if (r + ahead < n_rows) prefetch_rows(X, r + ahead, step, n_rows, L.n_in);
      if (by_v)
        rows_out_in_v(L, W, X + r * L.n_in, Y + r * L.n_out);
      else
        block<R>(L, W, X + r * L.n_in, Y + r * L.n_out);
    }
    for (; r < n_rows; ++r) block<1>(L, W, X + r * L.n_in, Y + r * L.n_out);
  }

  // float32 weights are widened in registers like float rows: exactly.
  template <class X_t>
  static void run(const DenseLayerView& L, const X_t* X, size_t n_rows, double* Y) noexcept {
    if (L.weights.f32)
      run(L, L.weights.f32, X, n_rows, Y);
    else
      run(L, L.weights.f64, X, n_rows, Y);
  }
};

}  // namespace
}  // namespace mlmap::kernels
