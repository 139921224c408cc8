// The euclidean bound from bfloat16 dot products (RowOp::euclidean_bound16):
// AVX512_BF16's vdpbf16ps does 32 products per instruction, twice float32
// FMA's.  Compiled with -mavx512bf16 (see meson.build); dispatch.cc calls it
// only on CPUs that have the extension.  A task's stored rows are first
// packed: 16 rows (two blocks of 8) by feature pair, each row's pair of
// bfloat16 values in one 32-bit lane, in the lane order of unpacklo/unpackhi
// (see `order` in tile); the queries come packed (pack_queries_bf16).  The bound is
// then formed in float64 as euclidean_bound32's, with the caller's slack for
// bfloat16's 8-bit significands.  Not bit-identical to any other kernel (no
// other kernel computes it): a true lower bound, which is all its user needs.
#include <immintrin.h>

#include <limits>

#include "kernels/pairwise_view.hpp"

namespace mlmap::kernels {

namespace {

// Lane i of a packed group holds the group's row {0, 1, 4, 5, 8, 9, 12, 13,
// 2, 3, 6, 7, 10, 11, 14, 15}[i] (unpacklo/hi work within 128-bit lanes).

// Feature f of blocks b and b + 1 (0 past the task's blocks or features).
__m512 feature16(const float* data, uint64_t b, uint64_t end, size_t step, uint32_t f, uint32_t nf) noexcept {
  if (f >= nf) return _mm512_setzero_ps();
  const float* p = data + b * step + size_t{f} * block_lanes;
  const __m256 lo = _mm256_loadu_ps(p);
  const __m256 hi = b + 1 < end ? _mm256_loadu_ps(p + step) : _mm256_setzero_ps();
  return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}

struct Bf16Task {
  const PairwiseTask& t;
  uint32_t pairs;
  uint64_t end;  // the task's last block + 1
};

// NV packed groups from group g0 against NQ queries from q0.
template <size_t NV, size_t NQ>
void tile(const Bf16Task& k, uint64_t g0, size_t q0) noexcept {
  const PairwiseTask& t = k.t;
  __m512 acc[NQ][NV];
  for (size_t q = 0; q < NQ; ++q)
    for (size_t u = 0; u < NV; ++u) acc[q][u] = _mm512_setzero_ps();
  const uint16_t* y0 = t.packed16 + g0 * k.pairs * 32;
  for (uint32_t p = 0; p < k.pairs; ++p) {
    __m512i y[NV];
    for (size_t u = 0; u < NV; ++u) y[u] = _mm512_loadu_si512(y0 + (u * k.pairs + p) * 32);
    for (size_t q = 0; q < NQ; ++q) {
      const __m512i x = _mm512_set1_epi32(static_cast<int>(t.queries16[(q0 + q) * k.pairs + p]));
      for (size_t u = 0; u < NV; ++u) acc[q][u] = _mm512_dpbf16_ps(acc[q][u], (__m512bh)y[u], (__m512bh)x);
    }
  }
  // Locals: the stores below could otherwise alias the task's fields.
  const double* const row_norms = t.row_norms;
  const double* const roots = t.roots;
  uint64_t* const below = t.below;
  double* const out = t.out;
  const size_t stride = t.stride;
  const uint64_t first = t.first_block, end = k.end;
  const __m512d slack = _mm512_set1_pd(t.bound_slack), floor = _mm512_set1_pd(t.bound_floor),
                none = _mm512_set1_pd(-std::numeric_limits<double>::infinity()),
                finite = _mm512_set1_pd(std::numeric_limits<double>::max()), two = _mm512_set1_pd(2.0);
  // lane_row's inverse: rows back in order.
  const __m512i order = _mm512_setr_epi32(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
  for (size_t q = 0; q < NQ; ++q) {
    const __m512d qn = _mm512_set1_pd(t.query_norms[q0 + q]);
    const __m512d root = _mm512_set1_pd(roots ? roots[q0 + q] : 0.0);
    uint64_t flags = 0;
    for (size_t u = 0; u < NV; ++u) {
      const __m512 sums = _mm512_permutexvar_ps(order, acc[q][u]);
      for (size_t h = 0; h < 2; ++h) {
        const uint64_t b = first + 2 * (g0 + u) + h;
        if (b >= end) break;
        const __m512d a = _mm512_cvtps_pd(h == 0 ? _mm512_castps512_ps256(sums) : _mm512_extractf32x8_ps(sums, 1));
        const __m512d n = _mm512_add_pd(qn, _mm512_loadu_pd(row_norms + b * block_lanes));
        const __m512d bound = _mm512_sub_pd(_mm512_sub_pd(_mm512_sub_pd(n, _mm512_mul_pd(two, a)), _mm512_mul_pd(slack, n)), floor);
        const __mmask8 ok = _mm512_cmp_pd_mask(_mm512_abs_pd(a), finite, _CMP_LE_OQ);
        const __m512d value = _mm512_mask_blend_pd(ok, none, bound);
        _mm512_storeu_pd(out + (q0 + q) * stride + (b - first) * block_lanes, value);
        if (_mm512_cmp_pd_mask(value, root, _CMP_NGE_UQ)) flags |= uint64_t{1} << (b - first);
      }
    }
    if (below) below[q0 + q] |= flags;
  }
}

template <size_t NV>
void all_queries(const Bf16Task& k, uint64_t g0) noexcept {
  size_t q = 0;
  for (; q + 4 <= k.t.n_queries; q += 4) tile<NV, 4>(k, g0, q);
  for (; q < k.t.n_queries; ++q) tile<NV, 1>(k, g0, q);
}

}  // namespace

void pairwise_avx512bf16(const RowBlocksView& rows, const PairwiseTask& t) noexcept {
  const uint32_t nf = rows.n_features, pairs = (nf + 1) / 2;
  const uint64_t end = rows.n_blocks() < t.first_block + t.n_blocks ? rows.n_blocks() : t.first_block + t.n_blocks;
  if (t.first_block >= end) return;
  const uint64_t groups = (end - t.first_block + 1) / 2;
  const size_t step = size_t{nf} * block_lanes;
  for (uint64_t g = 0; g < groups; ++g)
    for (uint32_t p = 0; p < pairs; ++p) {
      const uint64_t b = t.first_block + 2 * g;
      const __m512 f0 = feature16(rows.data32, b, end, step, 2 * p, nf);
      const __m512 f1 = feature16(rows.data32, b, end, step, 2 * p + 1, nf);
      const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_unpackhi_ps(f0, f1), _mm512_unpacklo_ps(f0, f1));
      _mm512_storeu_si512(t.packed16 + (g * pairs + p) * 32, (__m512i)v);
    }
  if (t.below) {
    if (end - t.first_block > 64) return;  // a caller's error: no value computed
    for (size_t q = 0; q < t.n_queries; ++q) t.below[q] = 0;
  }
  const Bf16Task k{t, pairs, end};
  uint64_t g = 0;
  for (; g + 4 <= groups; g += 4) all_queries<4>(k, g);
  for (; g < groups; ++g) all_queries<1>(k, g);
}

}  // namespace mlmap::kernels
