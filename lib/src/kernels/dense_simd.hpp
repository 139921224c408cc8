// The dense-product kernel (x . W + bias), written once over xsimd and instantiated per ISA in
// dense_<isa>.cc (each compiled with only that ISA's flags).  Rows are taken
// four at a time so each weight loaded feeds four rows' accumulators:
//  * in_out weights [n_in, n_out]: for a tile of outputs, every input is
//    broadcast and multiplied into the tile (MLP layers, many outputs);
//  * out_in weights [n_out, n_in]: dot products vectorised over the inputs,
//    up to six outputs per pass (linear models with few outputs).
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
  static void prefetch_rows(const X_t* X, size_t first, size_t n_rows, size_t n_in) noexcept {
    const char* begin = reinterpret_cast<const char*>(X + first * n_in);
    const char* end = reinterpret_cast<const char*>(X + (first + R < n_rows ? first + R : n_rows) * n_in);
    for (const char* p = begin; p < end; p += 64) __builtin_prefetch(p, 0, 3);
  }

  template <class X_t, class W_t>
  static void run(const DenseLayerView& L, const W_t* W, const X_t* X, size_t n_rows, double* Y) noexcept {
    const size_t row_bytes = L.n_in * sizeof(X_t);
    const size_t ahead = ((prefetch_bytes + row_bytes - 1) / row_bytes + R - 1) / R * R;
    size_t r = 0;
    for (; r + R <= n_rows; r += R) {
      if (r + ahead < n_rows) prefetch_rows(X, r + ahead, n_rows, L.n_in);
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
