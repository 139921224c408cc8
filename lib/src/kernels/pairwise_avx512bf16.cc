// The euclidean bound from bfloat16 dot products (RowOp::euclidean_bound16):
// AVX512_BF16's vdpbf16ps does 32 products per instruction, twice float32
// FMA's.  Compiled with -mavx512bf16 -mbmi2 (see meson.build); dispatch.cc
// calls it only on CPUs that have the extension.  A task's stored rows
// (float64 ones rounded to float first) are packed: 16 rows (two blocks of
// 8, in row order) by feature pair, each row's pair of bfloat16 values in
// one 32-bit lane; the queries come packed (pack_queries_bf16).  The bound
// is then formed in float64 as euclidean_bound32's, with the caller's slack
// for bfloat16's 8-bit significands.  Not bit-identical to any other kernel
// (no other kernel computes it): a true lower bound, which is all its user
// needs.
//
// With `below` (a search's flags) no bound is formed: the bound
// ((1 - s) n - 2 a) - floor, n = |x|^2 + |y|^2, is >= root exactly when the
// float32 dot product a <= T = ((1 - s) n - floor - root) / 2, and T is
// c_q + h_r, a query's part and a row's part, each rounded down in float32
// after taking 2^-21 of its magnitude off (which covers their float64
// roundings and the float32 addition's, 2^-24 of |c_q| + h_r): a row whose
// a <= c_q + h_r, a finite (an overflowed sum bounds nothing), has a bound
// >= root, and its half block need not be measured.
#include <immintrin.h>

#include <cmath>
#include <limits>

#include "kernels/pairwise_view.hpp"

namespace mlmap::kernels {

namespace {

// unpacklo/hi work within 128-bit lanes: after them, lane i of a packed
// group holds row {0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15}[i];
// this permutation (its inverse) puts the rows back in order.
__m512i row_order() noexcept { return _mm512_setr_epi32(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15); }

// Rounded toward -inf (large values to -inf or FLT_MAX, NaN stays).
float round_down(double v) noexcept {
  return _mm_cvtss_f32(_mm_cvt_roundsd_ss(_mm_setzero_ps(), _mm_set_sd(v), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC));
}

// 8 stored values as floats: float64 rows rounded to nearest (beyond
// float's range infinite), as neighbors.cc's to_float.
__m256 load8(const float* p) noexcept { return _mm256_loadu_ps(p); }
__m256 load8(const double* p) noexcept { return _mm512_cvtpd_ps(_mm512_loadu_pd(p)); }

// Feature f of blocks b and b + 1 (0 past the task's blocks or features).
template <class T>
__m512 feature16(const T* data, uint64_t b, uint64_t end, size_t step, uint32_t f, uint32_t nf) noexcept {
  if (f >= nf) return _mm512_setzero_ps();
  const T* p = data + b * step + size_t{f} * block_lanes;
  const __m256 lo = load8(p);
  const __m256 hi = b + 1 < end ? load8(p + step) : _mm256_setzero_ps();
  return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}

template <class T>
void pack(const T* data, uint64_t first, uint64_t end, uint32_t nf, uint16_t* packed16) noexcept {
  const uint32_t pairs = (nf + 1) / 2;
  const uint64_t groups = (end - first + 1) / 2;
  const size_t step = size_t{nf} * block_lanes;
  const __m512i order = row_order();
  for (uint64_t g = 0; g < groups; ++g)
    for (uint32_t p = 0; p < pairs; ++p) {
      const uint64_t b = first + 2 * g;
      const __m512 f0 = feature16(data, b, end, step, 2 * p, nf);
      const __m512 f1 = feature16(data, b, end, step, 2 * p + 1, nf);
      const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_unpackhi_ps(f0, f1), _mm512_unpacklo_ps(f0, f1));
      _mm512_storeu_si512(packed16 + (g * pairs + p) * 32, _mm512_permutexvar_epi32(order, (__m512i)v));
    }
}

struct Bf16Task {
  const PairwiseTask& t;
  uint32_t pairs;
  uint64_t end;                // the task's last block + 1
  const float* query_terms;    // with `below`: c_q per query
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
  if (t.below) {
    // The float32 test (see the top): rows [16 (g0 + u), +16) of the task.
    const uint64_t first = t.first_block, end = k.end;
    const float* const terms = t.row_terms16;
    for (size_t q = 0; q < NQ; ++q) {
      const __m512 c = _mm512_set1_ps(k.query_terms[q0 + q]);
      uint64_t keep = 0;  // bit i: row 16 g0 + i may be below
      for (size_t u = 0; u < NV; ++u) {
        const __m512 th = _mm512_add_ps(c, _mm512_loadu_ps(terms + (g0 + u) * 16));
        // 0x99: NaN or infinite (an overflowed sum), which rules nothing out
        // (T itself may be +inf where both terms are near FLT_MAX).
        const __mmask16 finite = static_cast<__mmask16>(~_mm512_fpclass_ps_mask(acc[q][u], 0x99));
        const __mmask16 ruled_out = _mm512_mask_cmp_ps_mask(finite, acc[q][u], th, _CMP_LE_OQ);
        keep |= uint64_t{static_cast<__mmask16>(~ruled_out)} << (16 * u);
      }
      // One bit a half block: each nibble's OR, gathered.
      keep |= keep >> 1;
      keep |= keep >> 2;
      const uint64_t flags = _pext_u64(keep, 0x1111111111111111u) << (4 * g0);
      t.below[q0 + q] |= end - first >= 32 ? flags : flags & ((uint64_t{1} << (2 * (end - first))) - 1);
    }
    return;
  }
  // Locals: the stores below could otherwise alias the task's fields.
  const double* const row_norms = t.row_norms;
  double* const out = t.out;
  const size_t stride = t.stride;
  const uint64_t first = t.first_block, end = k.end;
  const __m512d slack = _mm512_set1_pd(t.bound_slack), floor = _mm512_set1_pd(t.bound_floor),
                none = _mm512_set1_pd(-std::numeric_limits<double>::infinity()),
                finite = _mm512_set1_pd(std::numeric_limits<double>::max()), two = _mm512_set1_pd(2.0);
  for (size_t q = 0; q < NQ; ++q) {
    const __m512d qn = _mm512_set1_pd(t.query_norms[q0 + q]);
    for (size_t u = 0; u < NV; ++u) {
      const __m512 sums = acc[q][u];
      for (size_t h = 0; h < 2; ++h) {
        const uint64_t b = first + 2 * (g0 + u) + h;
        if (b >= end) break;
        const __m512d a = _mm512_cvtps_pd(h == 0 ? _mm512_castps512_ps256(sums) : _mm512_extractf32x8_ps(sums, 1));
        const __m512d n = _mm512_add_pd(qn, _mm512_loadu_pd(row_norms + b * block_lanes));
        const __m512d bound = _mm512_sub_pd(_mm512_sub_pd(_mm512_sub_pd(n, _mm512_mul_pd(two, a)), _mm512_mul_pd(slack, n)), floor);
        const __mmask8 ok = _mm512_cmp_pd_mask(_mm512_abs_pd(a), finite, _CMP_LE_OQ);
        _mm512_storeu_pd(out + (q0 + q) * stride + (b - first) * block_lanes, _mm512_mask_blend_pd(ok, none, bound));
      }
    }
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
  if (rows.data32)
    pack(rows.data32, t.first_block, end, nf, t.packed16);
  else
    pack(rows.data64, t.first_block, end, nf, t.packed16);
  // With `below`: per query c_q = ((1 - s) |x|^2 - floor - root) / 2, per row
  // h_r = (1 - s) |y|^2 / 2, each less 2^-21 of its magnitude, rounded down.
  float query_terms[512];
  if (t.below) {
    if (end - t.first_block > 32 || !t.row_terms16) return;  // a caller's error: nothing computed
    const double s = t.bound_slack;
    const __m512d h = _mm512_set1_pd((1 - s) * 0.5 * (1 - 0x1p-21));
    for (uint64_t g = 0; g < groups; ++g) {
      const uint64_t b = t.first_block + 2 * g;
      const __m512d lo = _mm512_mul_pd(h, _mm512_loadu_pd(t.row_norms + b * block_lanes));
      const __m512d hi = _mm512_mul_pd(h, _mm512_maskz_loadu_pd(b + 1 < end ? 0xff : 0, t.row_norms + (b + 1) * block_lanes));
      const __m256 lo32 = _mm512_cvt_roundpd_ps(lo, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      const __m256 hi32 = _mm512_cvt_roundpd_ps(hi, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      _mm512_storeu_ps(t.row_terms16 + g * 16, _mm512_insertf32x8(_mm512_castps256_ps512(lo32), hi32, 1));
    }
  }
  for (size_t q0 = 0; q0 < t.n_queries; q0 += 512) {
    const size_t nq = t.n_queries - q0 < 512 ? t.n_queries - q0 : 512;
    if (t.below)
      for (size_t q = 0; q < nq; ++q) {
        const double qn = t.query_norms[q0 + q], root = t.roots[q0 + q];
        const double v = ((1 - t.bound_slack) * qn - t.bound_floor - root) * 0.5;
        query_terms[q] = round_down(v - 0x1p-21 * (std::fabs(qn) + std::fabs(root) + t.bound_floor));
        t.below[q0 + q] = 0;
      }
    PairwiseTask sub = t;
    sub.queries16 = t.queries16 + q0 * pairs;
    sub.query_norms = t.query_norms + q0;
    sub.n_queries = nq;
    sub.out = t.out ? t.out + q0 * t.stride : nullptr;
    sub.below = t.below ? t.below + q0 : nullptr;
    const Bf16Task k{sub, pairs, end, query_terms};
    uint64_t g = 0;
    for (; g + 4 <= groups; g += 4) all_queries<4>(k, g);
    for (; g < groups; ++g) all_queries<1>(k, g);
  }
}

}  // namespace mlmap::kernels
