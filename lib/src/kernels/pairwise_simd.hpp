// The pairwise kernels over xsimd, instantiated per ISA in pairwise_<isa>.cc
// (each compiled with only that ISA's flags).  A lane is one stored row; a
// group of four vectors (4 blocks of 8 rows with AVX-512, 2 with AVX2, 1
// with SSE4.2) is computed for every query of the task before the next
// group, so the group's values stay in L1 while the queries pass over them.
// Each lane does the scalar reference's operations in the same order
// (pairwise_scalar.cc).  euclidean_bound32 over float rows has its own
// kernel (vectors32): float32 lanes, two blocks a register with AVX-512, one
// fused multiply-add per feature where the ISA has FMA (the reference's
// fmaf; SSE4.2 runs the reference).  Internal linkage (see tree_simd.hpp
// for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/dense_simd.hpp"
#include "kernels/pairwise_view.hpp"

namespace mlmap::kernels {
namespace {

// Float32 lanes with fused multiply-add for euclidean_bound32, where the
// ISA has FMA: W floats per register, W / 8 blocks of stored rows (a block's
// 8 floats of one feature are contiguous, the next block's `step` floats on).
#if defined(__AVX512F__)
struct Fma32 {
  using R = __m512;
  static constexpr size_t W = 16;
  static R zero() noexcept { return _mm512_setzero_ps(); }
  static R load(const float* p, size_t step) noexcept {
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(p)), _mm256_loadu_ps(p + step), 1);
  }
  static R load_one(const float* p) noexcept { return _mm512_maskz_loadu_ps(0xff, p); }  // one block, 0 above
  static R broadcast(float x) noexcept { return _mm512_set1_ps(x); }
  static R fma(R a, R b, R c) noexcept { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* p, R v) noexcept { _mm512_storeu_ps(p, v); }
};
#elif defined(__FMA__)
struct Fma32 {
  using R = __m256;
  static constexpr size_t W = 8;
  static R zero() noexcept { return _mm256_setzero_ps(); }
  static R load(const float* p, size_t) noexcept { return _mm256_loadu_ps(p); }
  static R load_one(const float* p) noexcept { return _mm256_loadu_ps(p); }
  static R broadcast(float x) noexcept { return _mm256_set1_ps(x); }
  static R fma(R a, R b, R c) noexcept { return _mm256_fmadd_ps(a, b, c); }
  static void store(float* p, R v) noexcept { _mm256_storeu_ps(p, v); }
};
#endif

template <class Arch>
struct PairwiseSimd {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;
  static constexpr size_t per_block = block_lanes / V;  // vectors per block of 8 rows
  static constexpr size_t group_vectors = 4;
  static constexpr size_t group_blocks = group_vectors / per_block;

  static D load(const double* p) noexcept { return D::load_unaligned(p); }
  // float rows widen exactly to double in registers, as the dense kernels'.
  static D load(const float* p) noexcept { return DenseSimd<Arch>::load(p); }

  template <RowOp Op>
  static D step(const D& acc, const D& x, const D& y) noexcept {
    static_assert(Op != RowOp::minkowski, "minkowski runs the scalar kernel");
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

  // NV vectors of stored rows starting at block b, against NQ queries
  // (queries q0 .. q0 + NQ - 1): NV * NQ independent sums, enough to hide the
  // adds' latency.
  template <RowOp Op, size_t NV, size_t NQ, class T>
  static void vectors(const T* data, uint32_t nf, uint64_t b, const PairwiseTask& t, size_t q0) noexcept {
    constexpr RowOp Sum = Op == RowOp::euclidean_bound ? RowOp::dot : Op;
    D acc[NQ][NV];
    for (size_t q = 0; q < NQ; ++q)
      for (size_t u = 0; u < NV; ++u) acc[q][u] = D(0.0);
    const T* base[NV];
    for (size_t u = 0; u < NV; ++u) base[u] = data + ((b + u / per_block) * nf) * block_lanes + (u % per_block) * V;
    const double* x[NQ];
    for (size_t q = 0; q < NQ; ++q) x[q] = t.queries + (q0 + q) * nf;
    for (uint32_t f = 0; f < nf; ++f) {
      D y[NV];
      for (size_t u = 0; u < NV; ++u) y[u] = load(base[u] + size_t{f} * block_lanes);
      for (size_t q = 0; q < NQ; ++q) {
        const D xf(x[q][f]);
        for (size_t u = 0; u < NV; ++u) acc[q][u] = step<Sum>(acc[q][u], xf, y[u]);
      }
    }
    for (size_t q = 0; q < NQ; ++q) {
      double* out = t.out + (q0 + q) * t.stride + (b - t.first_block) * block_lanes;
      for (size_t u = 0; u < NV; ++u) {
        if constexpr (Op == RowOp::euclidean_bound) {
          const D n = D(t.query_norms[q0 + q]) + D::load_unaligned(t.row_norms + b * block_lanes + u * V);
          acc[q][u] = (n - D(2.0) * acc[q][u]) - D(t.bound_slack) * n;
        }
        acc[q][u].store_unaligned(out + u * V);
      }
    }
  }

  // Queries per register block: 4 with AVX-512's 32 registers (16 sums,
  // each stored value loaded once for 4 queries), 2 below.
  static constexpr size_t query_block = V == 8 ? 4 : 2;

  template <RowOp Op, size_t NV, class T>
  static void all_queries(const T* data, uint32_t nf, uint64_t b, const PairwiseTask& t) noexcept {
    size_t q = 0;
    for (; q + query_block <= t.n_queries; q += query_block) vectors<Op, NV, query_block>(data, nf, b, t, q);
    for (; q + 2 <= t.n_queries; q += 2) vectors<Op, NV, 2>(data, nf, b, t, q);
    if (q < t.n_queries) vectors<Op, NV, 1>(data, nf, b, t, q);
  }

  template <RowOp Op, class T>
  static void run(const T* data, const RowBlocksView& rows, const PairwiseTask& t) noexcept {
    const uint32_t nf = rows.n_features;
    const uint64_t last = rows.n_blocks();
    const uint64_t end = t.first_block + t.n_blocks < last ? t.first_block + t.n_blocks : last;
    uint64_t b = t.first_block;
    for (; b + group_blocks <= end; b += group_blocks) all_queries<Op, group_vectors>(data, nf, b, t);
    for (; b < end; ++b) all_queries<Op, per_block>(data, nf, b, t);  // the last blocks one at a time
  }

#if defined(__AVX512F__) || defined(__FMA__)
  // euclidean_bound32: NV registers of Fma32::W / 8 blocks each (One: one
  // block each) from block b, against NQ queries.  Each lane sums its
  // features in order, one fused multiply-add per feature, as the scalar
  // reference's fmaf; the bound is then formed in float64.
  template <size_t NV, size_t NQ, bool One>
  static void vectors32(const float* data, uint32_t nf, uint64_t b, const PairwiseTask& t, size_t q0) noexcept {
    using L = Fma32;
    constexpr size_t blocks = One ? 1 : L::W / block_lanes;  // per register
    const size_t step = size_t{nf} * block_lanes;            // floats per block
    typename L::R acc[NQ][NV];
    for (size_t q = 0; q < NQ; ++q)
      for (size_t u = 0; u < NV; ++u) acc[q][u] = L::zero();
    const float* base[NV];
    for (size_t u = 0; u < NV; ++u) base[u] = data + (b + u * blocks) * step;
    const float* x[NQ];
    for (size_t q = 0; q < NQ; ++q) x[q] = t.queries32 + (q0 + q) * nf;
    for (uint32_t f = 0; f < nf; ++f) {
      typename L::R y[NV];
      for (size_t u = 0; u < NV; ++u)
        y[u] = One ? L::load_one(base[u] + size_t{f} * block_lanes) : L::load(base[u] + size_t{f} * block_lanes, step);
      for (size_t q = 0; q < NQ; ++q) {
        const typename L::R xf = L::broadcast(x[q][f]);
        for (size_t u = 0; u < NV; ++u) acc[q][u] = L::fma(xf, y[u], acc[q][u]);
      }
    }
    const D slack(t.bound_slack), floor(t.bound_floor), none(-std::numeric_limits<double>::infinity()),
        finite(std::numeric_limits<double>::max());
    alignas(64) float sums[L::W];
    for (size_t q = 0; q < NQ; ++q) {
      const D qn(t.query_norms[q0 + q]);
      for (size_t u = 0; u < NV; ++u) {
        L::store(sums, acc[q][u]);
        const uint64_t r0 = (b + u * blocks) * block_lanes;  // the register's first stored row
        double* out = t.out + (q0 + q) * t.stride + (r0 - t.first_block * block_lanes);
        for (size_t i = 0; i < blocks * block_lanes; i += V) {
          const D a = DenseSimd<Arch>::load(sums + i);
          const D n = qn + D::load_unaligned(t.row_norms + r0 + i);
          const D bound = ((n - D(2.0) * a) - slack * n) - floor;
          xsimd::select(xsimd::abs(a) <= finite, bound, none).store_unaligned(out + i);
        }
      }
    }
  }

  // Register tiles: 4 queries x 4 registers with AVX-512's 32 registers
  // (16 sums, 4 rows, a broadcast: the FMAs run at 2 a cycle on Zen 5, so 6
  // queries gained nothing), 4 x 2 with AVX2's 16 (4 x 4 spilled).
  static constexpr size_t query_block32 = 4;
  static constexpr size_t group_vectors32 = Fma32::W == 16 ? 4 : 2;

  template <size_t NV, bool One>
  static void all_queries32(const float* data, uint32_t nf, uint64_t b, const PairwiseTask& t) noexcept {
    size_t q = 0;
    for (; q + query_block32 <= t.n_queries; q += query_block32) vectors32<NV, query_block32, One>(data, nf, b, t, q);
    for (; q + 2 <= t.n_queries; q += 2) vectors32<NV, 2, One>(data, nf, b, t, q);
    if (q < t.n_queries) vectors32<NV, 1, One>(data, nf, b, t, q);
  }

  static void run32(const float* data, const RowBlocksView& rows, const PairwiseTask& t) noexcept {
    constexpr size_t group_blocks32 = group_vectors32 * Fma32::W / block_lanes;
    const uint32_t nf = rows.n_features;
    const uint64_t last = rows.n_blocks();
    const uint64_t end = t.first_block + t.n_blocks < last ? t.first_block + t.n_blocks : last;
    uint64_t b = t.first_block;
    for (; b + group_blocks32 <= end; b += group_blocks32) all_queries32<group_vectors32, false>(data, nf, b, t);
    for (; b < end; ++b) all_queries32<1, true>(data, nf, b, t);  // the last blocks one at a time
  }
#endif

  template <class T>
  static void dispatch(const T* data, const RowBlocksView& rows, const PairwiseTask& t) noexcept {
    switch (t.op) {
      case RowOp::squared_euclidean: return run<RowOp::squared_euclidean>(data, rows, t);
      case RowOp::manhattan: return run<RowOp::manhattan>(data, rows, t);
      case RowOp::chebyshev: return run<RowOp::chebyshev>(data, rows, t);
      case RowOp::dot: return run<RowOp::dot>(data, rows, t);
      case RowOp::euclidean_bound: return run<RowOp::euclidean_bound>(data, rows, t);
      case RowOp::euclidean_bound32:
      case RowOp::euclidean_bound16:  // the bfloat16 kernel is dispatch.cc's choice
        if constexpr (!std::is_same<T, float>::value) {
          return run<RowOp::euclidean_bound>(data, rows, t);
        } else {
#if defined(__AVX512F__) || defined(__FMA__)
          return run32(data, rows, t);
#else
          return pairwise_scalar(rows, t);  // no FMA: the reference's fmaf
#endif
        }
      case RowOp::minkowski: return pairwise_scalar(rows, t);  // pow: the C library's, lane by lane
      case RowOp::euclidean_flags8: return;                    // the int8 kernel is dispatch.cc's choice
    }
  }

  // squared_distance_pairs: a half block (4 rows) is one register of 4
  // doubles (AVX-512 takes AVX2's), two with SSE4.2; NP pairs at once, 8
  // independent sums, each lane squared_euclidean's operations in feature
  // order.
  using HArch = typename std::conditional<V == 8, xsimd::avx2, Arch>::type;
  using H = xsimd::batch<double, HArch>;
  static constexpr size_t per_half = half_lanes / H::size;

  template <size_t NP, class T>
  static void pairs_of(const T* data, uint32_t nf, const HalfBlockPairs& p, size_t i0) noexcept {
    H acc[NP][per_half];
    const T* base[NP];
    const double* x[NP];
    for (size_t j = 0; j < NP; ++j) {
      for (size_t u = 0; u < per_half; ++u) acc[j][u] = H(0.0);
      const uint64_t h = p.half[i0 + j];
      base[j] = data + (h / 2) * nf * block_lanes + (h % 2) * half_lanes;
      x[j] = p.queries + size_t{p.query[i0 + j]} * nf;
    }
    for (uint32_t f = 0; f < nf; ++f)
      for (size_t j = 0; j < NP; ++j) {
        const H xf(x[j][f]);
        for (size_t u = 0; u < per_half; ++u) {
          const H d = xf - SimdLoads<HArch>::load(base[j] + size_t{f} * block_lanes + u * H::size);
          acc[j][u] = acc[j][u] + d * d;
        }
      }
    for (size_t j = 0; j < NP; ++j)
      for (size_t u = 0; u < per_half; ++u) acc[j][u].store_unaligned(p.out + (i0 + j) * half_lanes + u * H::size);
  }

  template <class T>
  static void pairs_all(const T* data, uint32_t nf, const HalfBlockPairs& p) noexcept {
    constexpr size_t np = 8 / per_half;
    size_t i = 0;
    for (; i + np <= p.n_pairs; i += np) pairs_of<np>(data, nf, p, i);
    for (; i < p.n_pairs; ++i) pairs_of<1>(data, nf, p, i);
  }

  static void block_pairs(const RowBlocksView& rows, const HalfBlockPairs& p) noexcept {
    if (rows.data64)
      pairs_all(rows.data64, rows.n_features, p);
    else
      pairs_all(rows.data32, rows.n_features, p);
  }

  static size_t next_below(const double* d, size_t from, size_t n_blocks, double root) noexcept {
    const D r(root);
    for (size_t b = from; b < n_blocks; ++b) {
      auto below = !(D::load_unaligned(d + b * block_lanes) >= r);
      for (size_t u = 1; u < per_block; ++u) below = below || !(D::load_unaligned(d + b * block_lanes + u * V) >= r);
      if (xsimd::any(below)) return b;
    }
    return n_blocks;
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
