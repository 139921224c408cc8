// The dense-layer kernel, written once over xsimd and instantiated per ISA in
// dense_<isa>.cc (each compiled with only that ISA's flags).  Rows are taken
// four at a time so each weight loaded feeds four rows' accumulators:
//  * in_out weights [n_in, n_out]: for a tile of outputs, every input is
//    broadcast and multiplied into the tile (MLP layers, many outputs);
//  * out_in weights [n_out, n_in]: one dot product per output, vectorised
//    over the inputs (linear models with few outputs).
// Internal linkage throughout (see tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>

#include "kernels/dense_view.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch>
struct DenseSimd {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;
  static constexpr size_t R = 4;  // rows per block
  static constexpr size_t T = 4;  // output vectors per tile (in_out)

  // in_out: rows [r0, r0 + nr) (nr <= R), outputs [o0, o0 + nv * V).
  template <size_t NR, size_t NV>
  static void tile(const DenseLayerView& L, const double* X, double* Y, size_t o0) noexcept {
    D acc[NR][NV];
    for (size_t v = 0; v < NV; ++v) {
      const D b = L.bias ? D::load_unaligned(L.bias + o0 + v * V) : D(0.0);
      for (size_t r = 0; r < NR; ++r) acc[r][v] = b;
    }
    for (uint32_t i = 0; i < L.n_in; ++i) {
      const double* w = L.weights + size_t{i} * L.n_out + o0;
      D wv[NV];
      for (size_t v = 0; v < NV; ++v) wv[v] = D::load_unaligned(w + v * V);
      for (size_t r = 0; r < NR; ++r) {
        const D x(X[r * L.n_in + i]);
        for (size_t v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(x, wv[v], acc[r][v]);
      }
    }
    for (size_t r = 0; r < NR; ++r)
      for (size_t v = 0; v < NV; ++v) acc[r][v].store_unaligned(Y + r * L.n_out + o0 + v * V);
  }

  template <size_t NR>
  static void rows_in_out(const DenseLayerView& L, const double* X, double* Y) noexcept {
    size_t o = 0;
    for (; o + T * V <= L.n_out; o += T * V) tile<NR, T>(L, X, Y, o);
    for (; o + V <= L.n_out; o += V) tile<NR, 1>(L, X, Y, o);
    for (; o < L.n_out; ++o) {  // the last few outputs, scalar
      for (size_t r = 0; r < NR; ++r) {
        double s = L.bias ? L.bias[o] : 0.0;
        for (uint32_t i = 0; i < L.n_in; ++i) s += X[r * L.n_in + i] * L.weights[size_t{i} * L.n_out + o];
        Y[r * L.n_out + o] = s;
      }
    }
  }

  template <size_t NR>
  static void rows_out_in(const DenseLayerView& L, const double* X, double* Y) noexcept {
    for (uint32_t o = 0; o < L.n_out; ++o) {
      const double* w = L.weights + size_t{o} * L.n_in;
      D acc[NR];
      for (size_t r = 0; r < NR; ++r) acc[r] = D(0.0);
      uint32_t i = 0;
      for (; i + V <= L.n_in; i += V) {
        const D wv = D::load_unaligned(w + i);
        for (size_t r = 0; r < NR; ++r) acc[r] = xsimd::fma(D::load_unaligned(X + r * L.n_in + i), wv, acc[r]);
      }
      for (size_t r = 0; r < NR; ++r) {
        double s = xsimd::hadd(acc[r]);
        for (uint32_t j = i; j < L.n_in; ++j) s += X[r * L.n_in + j] * w[j];
        Y[r * L.n_out + o] = s + (L.bias ? L.bias[o] : 0.0);
      }
    }
  }

  template <size_t NR>
  static void block(const DenseLayerView& L, const double* X, double* Y) noexcept {
    if (L.out_in)
      rows_out_in<NR>(L, X, Y);
    else
      rows_in_out<NR>(L, X, Y);
  }

  static void run(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
    size_t r = 0;
    for (; r + R <= n_rows; r += R) block<R>(L, X + r * L.n_in, Y + r * L.n_out);
    for (; r < n_rows; ++r) block<1>(L, X + r * L.n_in, Y + r * L.n_out);
    activate(L.activation, Y, n_rows * L.n_out);
  }
};

}  // namespace
}  // namespace mlmap::kernels
