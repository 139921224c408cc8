// The pairwise kernels over xsimd, instantiated per ISA in pairwise_<isa>.cc
// (each compiled with only that ISA's flags).  A lane is one stored row; a
// group of four vectors (4 blocks of 8 rows with AVX-512, 2 with AVX2, 1
// with SSE4.2) is computed for every query of the task before the next
// group, so the group's values stay in L1 while the queries pass over them.
// Each lane does the scalar reference's operations in the same order
// (pairwise_scalar.cc).  Internal linkage (see tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/pairwise_view.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch>
struct PairwiseSimd {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;
  static constexpr size_t per_block = block_lanes / V;  // vectors per block of 8 rows
  static constexpr size_t group_vectors = 4;
  static constexpr size_t group_blocks = group_vectors / per_block;

  static D load(const double* p) noexcept { return D::load_unaligned(p); }
  // float rows widen exactly to double in registers.
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

  template <RowOp Op>
  static D step(const D& acc, const D& x, const D& y) noexcept {
    if constexpr (Op == RowOp::squared_euclidean) {
      const D d = x - y;
      return acc + d * d;
    } else if constexpr (Op == RowOp::manhattan) {
      return acc + xsimd::abs(x - y);
    } else if constexpr (Op == RowOp::chebyshev) {
      return xsimd::max(acc, xsimd::abs(x - y));
    } else {
      return acc + x * y;
    }
  }

  // NV vectors of stored rows starting at block b, against one query x.
  template <RowOp Op, size_t NV, class T>
  static void vectors(const T* data, uint32_t nf, uint64_t b, const double* x, double* out) noexcept {
    D acc[NV];
    for (size_t u = 0; u < NV; ++u) acc[u] = D(0.0);
    const T* base[NV];
    for (size_t u = 0; u < NV; ++u) base[u] = data + ((b + u / per_block) * nf) * block_lanes + (u % per_block) * V;
    for (uint32_t f = 0; f < nf; ++f) {
      const D xf(x[f]);
      for (size_t u = 0; u < NV; ++u) acc[u] = step<Op>(acc[u], xf, load(base[u] + size_t{f} * block_lanes));
    }
    for (size_t u = 0; u < NV; ++u) acc[u].store_unaligned(out + u * V);
  }

  template <RowOp Op, class T>
  static void run(const T* data, const RowBlocksView& rows, const PairwiseTask& t) noexcept {
    const uint32_t nf = rows.n_features;
    const uint64_t last = rows.n_blocks();
    const uint64_t end = t.first_block + t.n_blocks < last ? t.first_block + t.n_blocks : last;
    uint64_t b = t.first_block;
    for (; b + group_blocks <= end; b += group_blocks)
      for (size_t q = 0; q < t.n_queries; ++q)
        vectors<Op, group_vectors>(data, nf, b, t.queries + q * nf,
                                   t.out + q * t.stride + (b - t.first_block) * block_lanes);
    for (; b < end; ++b)  // the last blocks one at a time
      for (size_t q = 0; q < t.n_queries; ++q)
        vectors<Op, per_block>(data, nf, b, t.queries + q * nf, t.out + q * t.stride + (b - t.first_block) * block_lanes);
  }

  template <class T>
  static void dispatch(const T* data, const RowBlocksView& rows, const PairwiseTask& t) noexcept {
    switch (t.op) {
      case RowOp::squared_euclidean: return run<RowOp::squared_euclidean>(data, rows, t);
      case RowOp::manhattan: return run<RowOp::manhattan>(data, rows, t);
      case RowOp::chebyshev: return run<RowOp::chebyshev>(data, rows, t);
      case RowOp::dot: return run<RowOp::dot>(data, rows, t);
      case RowOp::minkowski: return pairwise_scalar(rows, t);  // pow: the C library's, lane by lane
    }
  }

  static void entry(const RowBlocksView& rows, const PairwiseTask& t) noexcept {
    if (rows.data64)
      dispatch(rows.data64, rows, t);
    else
      dispatch(rows.data32, rows, t);
  }
};

}  // namespace
}  // namespace mlmap::kernels
