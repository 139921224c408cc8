// euclidean_flags8 (pairwise_view.hpp): which half blocks of a pass a
// k-nearest search must measure, from int8 dot products (AVX512_VNNI's
// vpdpbusd: 64 products an instruction, twice bfloat16's at the same rate
// on Zen 4), with an error bound proven below.  Only flags are computed, and
// every half block holding a row nearer than the root is flagged: a true
// superset, not bit-identical to any other kernel (none computes it).
//
// Quantization.  Queries: one scale s for all of a call's queries
// (pack_queries_int8), |x - s qx| <= s (1/2 + 2^-45).  Rows: per pass a
// multiplier m a hair below 127 / (largest |y|), qy = round(y m), so with
// w = 1 / m (a real number), |y - w qy| <= w (1/2 + 2^-45).  With
// D = sum qx qy (exact in int32):
//   |x.y - s w D| <= sum |x| |y - w qy| + sum |x - s qx| w |qy|
//                 <= w (l1 / 2 + s A / 2) (1 + 2^-30),
// l1 = sum |x|, A = sum |qy| (l1's rounding and any underflow in x / s, y m
// are within the 2^-30).  The bound ((1 - slack) n - 2 x.y) - floor (n =
// |x|^2 + |y|^2, the float64 bound's slack) is >= root when
//   D <= C_q + H_r,  C_q = ((1 - slack) |x|^2 - floor - root) r - (1 + 2^-30) l1 / (2 s),
//                    H_r = (1 - slack) |y|^2 r - (1 + 2^-30) A / 2,   r = 1 / (2 s w) = m / (2 s)
// (s is the same for every query: the query error's part is the row's):
// each rounded down to an integer after taking 2^-40 of its magnitude off
// (covers their float64 roundings).  vpdpbusd multiplies unsigned by signed
// bytes: the queries are stored as qx + 128, so the sum is D + 128 sum qy,
// and the row's part of the threshold carries the 128 sum qy.  |sums| < 2^29
// up to max_int8_features; thresholds are clamped so that no int32 sum
// overflows and a clamp never rules a row out.  A pass whose scales or norms
// are not finite normal numbers rules nothing out.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/pairwise_view.hpp"

namespace mlmap::kernels {

namespace {

constexpr double margin = 0x1p-40;
constexpr int32_t top_threshold = 1 << 29;                  // thresholds clamped here (rounding down)
constexpr int32_t no_threshold = -(1 << 30) - (1 << 29);    // a query that rules nothing out

__m512d load8(const double* p) noexcept { return _mm512_loadu_pd(p); }
__m512d load8(const float* p) noexcept { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }

// The largest |y| of blocks [first, end) (padding lanes are 0); NaN stays NaN.
template <class T>
double largest(const T* data, uint64_t first, uint64_t end, uint32_t nf) noexcept {
  __m512d top = _mm512_setzero_pd();
  bool nan = false;
  const T* p = data + first * nf * block_lanes;
  const size_t n = (end - first) * nf;
  for (size_t i = 0; i < n; ++i) {
    const __m512d v = _mm512_abs_pd(load8(p + i * block_lanes));
    nan = nan || _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q) != 0;
    top = _mm512_max_pd(top, v);
  }
  return nan ? std::numeric_limits<double>::quiet_NaN() : _mm512_reduce_max_pd(top);
}

// Feature f of blocks b and b + 1 (0 past the task's blocks or features),
// times m, rounded to the nearest integer (ties to even, whatever the
// rounding mode).
template <class T>
__m512i feature16(const T* data, uint64_t b, uint64_t end, size_t step, uint32_t f, uint32_t nf, __m512d m) noexcept {
  if (f >= nf) return _mm512_setzero_si512();
  const T* p = data + b * step + size_t{f} * block_lanes;
  const __m256i lo = _mm512_cvt_roundpd_epi32(_mm512_mul_pd(load8(p), m), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256i hi = b + 1 < end ? _mm512_cvt_roundpd_epi32(_mm512_mul_pd(load8(p + step), m), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC) : _mm256_setzero_si256();
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

// Packs blocks [first, end) as int8 quads (row r of group g, features
// 4p .. 4p + 3 in word (g * quads + p) * 16 + r), row_sums[16 g + r] = sum qy,
// abs_sums[16 g + r] = sum |qy|.
template <class T>
void pack(const T* data, uint64_t first, uint64_t end, uint32_t nf, double m, uint32_t* packed8, int32_t* row_sums,
          int32_t* abs_sums) noexcept {
  const uint32_t quads = (nf + 3) / 4;
  const uint64_t groups = (end - first + 1) / 2;
  const size_t step = size_t{nf} * block_lanes;
  const __m512d vm = _mm512_set1_pd(m);
  const __m512i byte = _mm512_set1_epi32(0xff);
  for (uint64_t g = 0; g < groups; ++g) {
    const uint64_t b = first + 2 * g;
    __m512i sum = _mm512_setzero_si512(), abs_sum = _mm512_setzero_si512();
    for (uint32_t p = 0; p < quads; ++p) {
      __m512i word = _mm512_setzero_si512();
      for (uint32_t j = 0; j < 4; ++j) {
        const __m512i v = feature16(data, b, end, step, 4 * p + j, nf, vm);
        sum = _mm512_add_epi32(sum, v);
        abs_sum = _mm512_add_epi32(abs_sum, _mm512_abs_epi32(v));
        word = _mm512_or_si512(word, _mm512_slli_epi32(_mm512_and_si512(v, byte), 8 * j));
      }
      _mm512_storeu_si512(packed8 + (g * quads + p) * 16, word);
    }
    _mm512_storeu_si512(row_sums + g * 16, sum);
    _mm512_storeu_si512(abs_sums + g * 16, abs_sum);
  }
}

struct Int8Task {
  const PairwiseTask& t;
  uint32_t quads;
  uint64_t end;
  const int32_t* query_terms;  // c_q per query
};

// acc += the products of x's unsigned and y's signed bytes, 4 a lane (vpdpbusd).
// As inline assembly: GCC 12 compiles the intrinsic in tile's unrolled loop
// with two register copies per instruction and spills (the tied destination),
// which took about as many instructions as the products themselves.
inline __m512i dot_bytes(__m512i acc, __m512i x, __m512i y) noexcept {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(y));
  return acc;
}

// NV packed groups from group g0 against NQ queries from q0: the sums, then
// the flags.
template <size_t NV, size_t NQ>
void tile(const Int8Task& k, uint64_t g0, size_t q0) noexcept {
  const PairwiseTask& t = k.t;
  __m512i acc[NQ][NV];
  for (size_t q = 0; q < NQ; ++q)
    for (size_t u = 0; u < NV; ++u) acc[q][u] = _mm512_setzero_si512();
  const uint32_t* y0 = t.packed8 + g0 * k.quads * 16;
  for (uint32_t p = 0; p < k.quads; ++p) {
    __m512i y[NV];
    for (size_t u = 0; u < NV; ++u) y[u] = _mm512_loadu_si512(y0 + (u * k.quads + p) * 16);
    for (size_t q = 0; q < NQ; ++q) {
      const __m512i x = _mm512_set1_epi32(static_cast<int>(t.queries8[(q0 + q) * k.quads + p]));
      for (size_t u = 0; u < NV; ++u) acc[q][u] = dot_bytes(acc[q][u], x, y[u]);
    }
  }
  const uint64_t first = t.first_block, end = k.end;
  for (size_t q = 0; q < NQ; ++q) {
    const __m512i c = _mm512_set1_epi32(k.query_terms[q0 + q]);
    uint64_t keep = 0;  // bit i: row 16 g0 + i may be below
    for (size_t u = 0; u < NV; ++u) {
      const __m512i th = _mm512_add_epi32(c, _mm512_loadu_si512(t.row_terms8 + (g0 + u) * 16));
      const __mmask16 ruled_out = _mm512_cmple_epi32_mask(acc[q][u], th);
      keep |= uint64_t{static_cast<__mmask16>(~ruled_out)} << (16 * u);
    }
    // One bit a half block: each nibble's OR, gathered.
    keep |= keep >> 1;
    keep |= keep >> 2;
    const uint64_t flags = _pext_u64(keep, 0x1111111111111111u) << (4 * g0);
    t.below[q0 + q] |= end - first >= 32 ? flags : flags & ((uint64_t{1} << (2 * (end - first))) - 1);
  }
}

template <size_t NV>
void all_queries(const Int8Task& k, uint64_t g0) noexcept {
  size_t q = 0;
  for (; q + 4 <= k.t.n_queries; q += 4) tile<NV, 4>(k, g0, q);
  for (; q < k.t.n_queries; ++q) tile<NV, 1>(k, g0, q);
}

// x rounded down to an int32 after taking margin * |x| off, at most
// top_threshold; not finite or below -2^30: `low`.
int32_t threshold(double x, int32_t low) noexcept {
  x -= margin * std::fabs(x) + 1;
  if (!(x >= -0x1p30)) return low;
  return x >= top_threshold ? top_threshold : static_cast<int32_t>(std::floor(x));
}

}  // namespace

void pairwise_avx512vnni(const RowBlocksView& rows, const PairwiseTask& t) noexcept {
  const uint32_t nf = rows.n_features, quads = (nf + 3) / 4;
  const uint64_t end = rows.n_blocks() < t.first_block + t.n_blocks ? rows.n_blocks() : t.first_block + t.n_blocks;
  if (t.first_block >= end || end - t.first_block > 32 || nf > max_int8_features) return;  // caller's error: no flags
  auto rule_nothing_out = [&] {
    const uint64_t bits = end - t.first_block >= 32 ? ~uint64_t{0} : (uint64_t{1} << (2 * (end - t.first_block))) - 1;
    for (size_t q = 0; q < t.n_queries; ++q) t.below[q] = bits;
  };
  // The pass's multiplier m: every |y m| < 127 (all-zero rows: 1).
  const double top = rows.data32 ? largest(rows.data32, t.first_block, end, nf) : largest(rows.data64, t.first_block, end, nf);
  const double m = top > 0 ? 127 / top * (1 - 0x1p-50) : 1.0, s = t.query_scale8, r = m / (2 * s);
  if (!std::isfinite(top) || !(m >= 0x1p-1000 && m <= 0x1p1000) || !(r >= 0x1p-1000 && r <= 0x1p1000)) {
    rule_nothing_out();
    return;
  }
  const uint64_t groups = (end - t.first_block + 1) / 2;
  int32_t* const row_terms = t.row_terms8;
  int32_t abs_sums[16 * 16];  // n_blocks <= 32
  if (rows.data32)
    pack(rows.data32, t.first_block, end, nf, m, t.packed8, row_terms, abs_sums);
  else
    pack(rows.data64, t.first_block, end, nf, m, t.packed8, row_terms, abs_sums);
  // h_r = floor(H_r) + 128 sum qy (row_terms holds sum qy).
  const double slack = t.bound_slack, h_scale = (1 - slack) * r;
  for (uint64_t i = 0; i < groups * 16; ++i) {
    const uint64_t b = t.first_block + i / block_lanes;
    const double yn = b < end ? t.row_norms[t.first_block * block_lanes + i] : 0.0;
    if (!(std::fabs(yn) <= std::numeric_limits<double>::max())) {
      rule_nothing_out();
      return;
    }
    // H_r >= -2^29 (A < 2^22): never `low`
    row_terms[i] = threshold(h_scale * yn - 0.5 * (1 + 0x1p-30) * abs_sums[i], 0) + 128 * row_terms[i];
  }
  // c_q, 8 queries a step (a scalar loop with its division cost a third of
  // the products at 64 features).
  alignas(64) int32_t query_terms[512 + 8];
  const __m512d e_query = _mm512_set1_pd(0.5 / s * (1 + 0x1p-30));
  const __m512d vr = _mm512_set1_pd(r), keep = _mm512_set1_pd(1 - slack), floor = _mm512_set1_pd(t.bound_floor),
                mg = _mm512_set1_pd(margin), one = _mm512_set1_pd(1.0), low = _mm512_set1_pd(-0x1p30),
                high = _mm512_set1_pd(top_threshold), finite = _mm512_set1_pd(std::numeric_limits<double>::max());
  for (size_t q0 = 0; q0 < t.n_queries; q0 += 512) {
    const size_t nq = t.n_queries - q0 < 512 ? t.n_queries - q0 : 512;
    for (size_t q = 0; q < nq; q += 8) {
      const __mmask8 in = static_cast<__mmask8>(nq - q >= 8 ? 0xff : (1u << (nq - q)) - 1);
      const __m512d qn = _mm512_maskz_loadu_pd(in, t.query_norms + q0 + q);
      const __m512d root = _mm512_maskz_loadu_pd(in, t.roots + q0 + q);
      const __m512d e = _mm512_mul_pd(_mm512_maskz_loadu_pd(in, t.query_l1 + q0 + q), e_query);
      const __m512d kq = _mm512_mul_pd(keep, qn);
      const __m512d num = _mm512_sub_pd(_mm512_sub_pd(kq, floor), root);
      const __m512d mag = _mm512_add_pd(
          _mm512_mul_pd(_mm512_add_pd(_mm512_add_pd(_mm512_abs_pd(kq), _mm512_abs_pd(root)), floor), vr), e);
      __m512d c = _mm512_sub_pd(_mm512_sub_pd(_mm512_mul_pd(num, vr), e), _mm512_mul_pd(mg, mag));
      c = _mm512_sub_pd(_mm512_sub_pd(c, _mm512_mul_pd(mg, _mm512_abs_pd(c))), one);  // threshold()'s margin
      // Usable where c >= -2^30 (not NaN) and |x|^2 is finite.
      const __mmask8 ok = _mm512_cmp_pd_mask(c, low, _CMP_GE_OQ) & _mm512_cmp_pd_mask(_mm512_abs_pd(qn), finite, _CMP_LE_OQ);
      c = _mm512_mask_blend_pd(ok, _mm512_set1_pd(no_threshold), _mm512_min_pd(c, high));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(query_terms + q),
                          _mm512_cvt_roundpd_epi32(c, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC));
    }
    for (size_t q = 0; q < nq; ++q) t.below[q0 + q] = 0;
    PairwiseTask sub = t;
    sub.queries8 = t.queries8 + q0 * quads;
    sub.n_queries = nq;
    sub.below = t.below + q0;
    const Int8Task k{sub, quads, end, query_terms};
    uint64_t g = 0;
    for (; g + 4 <= groups; g += 4) all_queries<4>(k, g);
    for (; g < groups; ++g) all_queries<1>(k, g);
  }
}

}  // namespace mlmap::kernels
