// The bit-vector batch kernel (QuickScorer, Lucchese et al. 2015, with
// RapidScorer's split of wide trees into 32-leaf words): lanes are rows, and
// instead of walking each row down a tree, every record of the tree compares
// one feature of all the tile's rows with its threshold at once and clears,
// in the rows that go right, the bits of the leaves that can no longer be
// reached.  The lowest bit left standing is the exit leaf.  No dependent
// loads, no branches on the data: cost grows with the tree's nodes instead
// of its depth, which wins by far for trees of up to a few hundred leaves
// (tree_cost.hpp decides).
//
// Rows are gathered feature-major per tile of `W` rows (only the features
// the records read), so a record's operand is one aligned vector load, and
// the 8 tiles of a pass lie side by side per feature (a record's 8 loads at
// constant offsets of one address, below); the
// trees run in groups that fit in L1 over a block of tiles that fits in L2
// (plan_bitvectors).  Each row still adds its trees' leaves in tree order,
// one double addition per tree, so the results are the scalar reference's
// bit for bit.
//
// Compiled once per ISA (included by tree_simd.hpp, which each tree_<isa>.cc
// builds with that ISA's flags alone); internal linkage throughout.
#pragma once

#include <immintrin.h>
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/thread_scratch.hpp"
#include "kernels/dispatch.hpp"
#include "kernels/tree_cost.hpp"
#include "kernels/tree_ensemble_view.hpp"

namespace mlmap::kernels {
namespace {

// Per ISA: W float lanes, masks M of "this row goes right", the leaf words U
// (uint32 per lane), and the few operations the kernel needs.
template <class Arch>
struct BvOps;

#if defined(__SSE4_2__)
// SSE4.2 and AVX2: compares give all-ones lanes (M is a vector), and the
// lowest set bit's index comes from converting it to float (its exponent).
template <>
struct BvOps<xsimd::sse4_2> {
  using F = __m128;
  using U = __m128i;
  using M = __m128i;
  using D = __m128d;
  static constexpr size_t W = 4;
  static F load(const float* p) noexcept { return _mm_load_ps(p); }
  // x > t written t < x (and x !<= t as t !>= x): the tile's operand
  // second, where the compare can read it from memory (no load of its own).
  static M gt(F x, float t) noexcept { return _mm_castps_si128(_mm_cmplt_ps(_mm_set1_ps(t), x)); }
  static M nle(F x, float t) noexcept { return _mm_castps_si128(_mm_cmpnge_ps(_mm_set1_ps(t), x)); }
  static U ones() noexcept { return _mm_set1_epi32(-1); }
  static U splat(uint32_t v) noexcept { return _mm_set1_epi32(static_cast<int32_t>(v)); }
  static M none() noexcept { return _mm_setzero_si128(); }
  static U clear_where(U lv, M m, uint32_t clear) noexcept {
    return _mm_andnot_si128(_mm_and_si128(m, splat(clear)), lv);
  }
  static void take_word(U lv, uint32_t base, U& res, M& found) noexcept {
    const U zero = _mm_setzero_si128();
    const M nz = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi32(lv, zero), found), ones());
    res = _mm_blendv_epi8(res, lowest_bit(lv, base), nz);
    found = _mm_or_si128(found, nz);
  }
  // base + the index of lv's lowest set bit, from the float exponent of that
  // bit alone; where lv is 0, base - 127 (>= 2^31 for base 0).
  static U lowest_bit(U lv, uint32_t base) noexcept {
    const U low = _mm_and_si128(lv, _mm_sub_epi32(_mm_setzero_si128(), lv));
    const U exponent = _mm_and_si128(_mm_srli_epi32(_mm_castps_si128(_mm_cvtepi32_ps(low)), 23), splat(0xff));
    return _mm_add_epi32(exponent, splat(base - 127));
  }
  static constexpr bool one_word_shortcut = true;
  static U min(U a, U b) noexcept { return _mm_min_epu32(a, b); }
  static void store(U v, uint32_t* out) noexcept { _mm_store_si128(reinterpret_cast<__m128i*>(out), v); }
  static void load_acc(const double* p, D* acc) noexcept {
    acc[0] = _mm_loadu_pd(p);
    acc[1] = _mm_loadu_pd(p + 2);
  }
  static void store_acc(double* p, const D* acc) noexcept {
    _mm_storeu_pd(p, acc[0]);
    _mm_storeu_pd(p + 2, acc[1]);
  }
  static void add_leaves(const double* values, uint32_t, U idx, D* acc) noexcept {
    alignas(16) uint32_t i[4];
    store(idx, i);
    acc[0] = _mm_add_pd(acc[0], _mm_set_pd(values[i[1]], values[i[0]]));
    acc[1] = _mm_add_pd(acc[1], _mm_set_pd(values[i[3]], values[i[2]]));
  }
};
#endif

#if defined(__AVX2__)
template <>
struct BvOps<xsimd::avx2> {
  using F = __m256;
  using U = __m256i;
  using M = __m256i;
  using D = __m256d;
  static constexpr size_t W = 8;
  static F load(const float* p) noexcept { return _mm256_load_ps(p); }
  // Operands swapped as in BvOps<sse4_2>.
  static M gt(F x, float t) noexcept { return _mm256_castps_si256(_mm256_cmp_ps(_mm256_set1_ps(t), x, _CMP_LT_OQ)); }
  static M nle(F x, float t) noexcept {
    return _mm256_castps_si256(_mm256_cmp_ps(_mm256_set1_ps(t), x, _CMP_NGE_UQ));
  }
  static U ones() noexcept { return _mm256_set1_epi32(-1); }
  static U splat(uint32_t v) noexcept { return _mm256_set1_epi32(static_cast<int32_t>(v)); }
  static M none() noexcept { return _mm256_setzero_si256(); }
  static U clear_where(U lv, M m, uint32_t clear) noexcept {
    return _mm256_andnot_si256(_mm256_and_si256(m, splat(clear)), lv);
  }
  static void take_word(U lv, uint32_t base, U& res, M& found) noexcept {
    const U zero = _mm256_setzero_si256();
    const M nz = _mm256_andnot_si256(_mm256_or_si256(_mm256_cmpeq_epi32(lv, zero), found), ones());
    res = _mm256_blendv_epi8(res, lowest_bit(lv, base), nz);
    found = _mm256_or_si256(found, nz);
  }
  static U lowest_bit(U lv, uint32_t base) noexcept {  // as BvOps<sse4_2>::lowest_bit
    const U low = _mm256_and_si256(lv, _mm256_sub_epi32(_mm256_setzero_si256(), lv));
    const U exponent =
        _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(low)), 23), splat(0xff));
    return _mm256_add_epi32(exponent, splat(base - 127));
  }
  static constexpr bool one_word_shortcut = true;
  static U min(U a, U b) noexcept { return _mm256_min_epu32(a, b); }
  static U lane_multiples(uint32_t step) noexcept {
    return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), splat(step));
  }
  static void gather_store(const float* base, U idx, float* out) noexcept {
    const __m256 all = _mm256_castsi256_ps(ones());  // masked: see add_leaves
    _mm256_store_ps(out, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, idx, all, 4));
  }
  static void store(U v, uint32_t* out) noexcept { _mm256_store_si256(reinterpret_cast<__m256i*>(out), v); }
  static void load_acc(const double* p, D* acc) noexcept {
    acc[0] = _mm256_loadu_pd(p);
    acc[1] = _mm256_loadu_pd(p + 4);
  }
  static void store_acc(double* p, const D* acc) noexcept {
    _mm256_storeu_pd(p, acc[0]);
    _mm256_storeu_pd(p + 4, acc[1]);
  }
  static void add_leaves(const double* values, uint32_t, U idx, D* acc) noexcept {
    // The masked form: GCC 12's plain gather reads an uninitialised source.
    const __m256d all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    const __m256d zero = _mm256_setzero_pd();
    acc[0] = _mm256_add_pd(acc[0], _mm256_mask_i32gather_pd(zero, values, _mm256_castsi256_si128(idx), all, 8));
    acc[1] = _mm256_add_pd(acc[1], _mm256_mask_i32gather_pd(zero, values, _mm256_extracti128_si256(idx, 1), all, 8));
  }
};
#endif

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512CD__)
// Mask registers: a record's clear is one masked and-not, and a leaf table of
// up to 16 values is permuted from registers instead of gathered.
template <>
struct BvOps<xsimd::avx512bw> {
  using F = __m512;
  using U = __m512i;
  using M = __mmask16;
  using D = __m512d;
  static constexpr size_t W = 16;
  static F load(const float* p) noexcept { return _mm512_load_ps(p); }
  static M gt(F x, float t) noexcept { return _mm512_cmp_ps_mask(x, _mm512_set1_ps(t), _CMP_GT_OQ); }
  static M nle(F x, float t) noexcept { return _mm512_cmp_ps_mask(x, _mm512_set1_ps(t), _CMP_NLE_UQ); }
  static U ones() noexcept { return _mm512_set1_epi32(-1); }
  static U splat(uint32_t v) noexcept { return _mm512_set1_epi32(static_cast<int32_t>(v)); }
  static M none() noexcept { return 0; }
  // lv & ~clear where m, in place: one merge-masked and-not.  Written as
  // asm because GCC 12 moves lv through a temporary around the intrinsic
  // (and its ternary-logic and zero-masked variants) on every record and
  // tile, on the loop-carried chain (8 tiles a pass, x_d8_t40_f15_reg:
  // 2.71 -> 2.47 ms, Zen 4).
  static U clear_where(U lv, M m, uint32_t clear) noexcept {
    const U c = splat(clear);
    asm("vpandnd %[lv], %[c], %[lv]%{%[m]%}" : [lv] "+v"(lv) : [c] "v"(c), [m] "Yk"(m));
    return lv;
  }
  static void take_word(U lv, uint32_t base, U& res, M& found) noexcept {
    const M nz = static_cast<M>(_mm512_test_epi32_mask(lv, lv) & ~found);
    const U low = _mm512_and_si512(lv, _mm512_sub_epi32(_mm512_setzero_si512(), lv));
    res = _mm512_mask_sub_epi32(res, nz, splat(base + 31), _mm512_lzcnt_epi32(low));
    found = static_cast<M>(found | nz);
  }
  // take_word is already four mask operations here, and no AVX-512 CPU was
  // at hand to measure or test a shortcut on.
  static constexpr bool one_word_shortcut = false;
  static U min(U a, U b) noexcept { return _mm512_min_epu32(a, b); }
  static U lane_multiples(uint32_t step) noexcept {
    return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), splat(step));
  }
  static void gather_store(const float* base, U idx, float* out) noexcept {
    _mm512_store_ps(out, _mm512_i32gather_ps(idx, base, 4));
  }
  static void store(U v, uint32_t* out) noexcept { _mm512_store_si512(out, v); }
  static void load_acc(const double* p, D* acc) noexcept {
    acc[0] = _mm512_loadu_pd(p);
    acc[1] = _mm512_loadu_pd(p + 8);
  }
  static void store_acc(double* p, const D* acc) noexcept {
    _mm512_storeu_pd(p, acc[0]);
    _mm512_storeu_pd(p + 8, acc[1]);
  }
  static void add_leaves(const double* values, uint32_t n, U idx, D* acc) noexcept {
    const __m512i lo = _mm512_cvtepu32_epi64(_mm512_castsi512_si256(idx));
    const __m512i hi = _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(idx, 1));
    if (n <= 8) {
      const __m512d t = _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << n) - 1), values);
      acc[0] = _mm512_add_pd(acc[0], _mm512_permutexvar_pd(lo, t));
      acc[1] = _mm512_add_pd(acc[1], _mm512_permutexvar_pd(hi, t));
    } else if (n <= 16) {
      const __m512d t0 = _mm512_loadu_pd(values);
      const __m512d t1 = _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << (n - 8)) - 1), values + 8);
      acc[0] = _mm512_add_pd(acc[0], _mm512_permutex2var_pd(t0, lo, t1));
      acc[1] = _mm512_add_pd(acc[1], _mm512_permutex2var_pd(t0, hi, t1));
    } else {
      acc[0] = _mm512_add_pd(acc[0], _mm512_i32gather_pd(_mm512_castsi512_si256(idx), values, 8));
      acc[1] = _mm512_add_pd(acc[1], _mm512_i32gather_pd(_mm512_extracti64x4_epi64(idx, 1), values, 8));
    }
  }
};
#endif

template <class Arch>
struct BitvectorKernel {
  using O = BvOps<Arch>;
  using F = typename O::F;
  using U = typename O::U;
  using M = typename O::M;
  using D = typename O::D;
  static constexpr size_t W = O::W;

  // Where tree t0's words, records and leaves start (the running cursors).
  struct Cursor {
    uint64_t word = 0, record = 0, leaf = 0;
  };

  static uint64_t clamp_end(uint64_t end, uint64_t begin, uint64_t total) noexcept {
    return end < begin ? begin : end > total ? total : end;
  }

  // A block's gathered rows: per run of 8 tiles (`Run` rows), feature-major,
  // the 8 tiles' values of a feature side by side (feature u of tile i at
  // run i / 8, u * Run + (i % 8) * W).  A record then reads its feature of
  // every tile of a pass at constant offsets of one address, where a stride
  // of the row width took an address addition per tile and record (8 of
  // the 48 instructions a record of the AVX2 loop).  With the compares
  // reading the tiles from memory (BvOps::gt), callgrind, 2,000 rows, AVX2:
  // x_d8_t40_f15_reg 12.6M -> 9.1M instructions, x_lg63_t150_f12_c4 58.2M
  // -> 45.0M, s_gbr_d5_t150_f50 9.7M -> 7.6M, x_d2_t2000_f100_reg 37.9M ->
  // 35.6M; SSE4.2 6-11% fewer.  Passes never straddle runs: they start at
  // multiples of their own tile count (group()).
  static constexpr size_t Run = bitvector_max_tiles_per_pass * W;
  static size_t tile_offset(size_t nu, size_t tile) noexcept {
    return tile / bitvector_max_tiles_per_pass * Run * nu + tile % bitvector_max_tiles_per_pass * W;
  }

  /// Scratch floats for a plan: the gathered block (whole runs), one tile
  /// gathered contiguously (gather()), and the scores of the tiles of one
  /// pass.
  static size_t block_floats(const TreeEnsembleView& v, const BitvectorPlan& p) noexcept {
    return (p.block_rows + Run - 1) / Run * Run * v.bitvectors.n_features;
  }
  static size_t tile_floats(const TreeEnsembleView& v) noexcept { return W * size_t{v.bitvectors.n_features}; }
  static size_t scratch_floats(const TreeEnsembleView& v, const BitvectorPlan& p) noexcept {
    return block_floats(v, p) + tile_floats(v) + p.tiles_per_pass * 2 * W * size_t{v.n_raw} + W;
  }

  static constexpr uint32_t max_vector_gathered_features = 16;

  // Gathers rows [r0, r0 + n) into runs of tiles (tile_offset; tail lanes
  // repeat the last row).  Row by row, a tile goes first into `tile`
  // (contiguous, nu * W floats), then to its place in the run a feature at
  // a time.  Written straight into the run, each row's values landed nu
  // cache lines apart across nu * Run floats (128 KB a run of 500 features
  // on AVX2), out of L1: x_d3_t200_f500_nan10, AVX2, 10,000 rows,
  // 6.5 -> 10.4 ms against the layout before runs.  Cachegrind, 5,000 rows
  // of it, D1 write misses: 132k before runs, 40k this way (and 493k when a
  // cache line's two tiles were gathered together: a 32 KB buffer).
  static void gather(const TreeEnsembleView& v, const float* X, size_t n, float* cols, float* tile) noexcept {
    const LeafBitvectorView& b = v.bitvectors;
    const size_t nu = b.n_features;
    const uint32_t last = v.n_features - 1;
    size_t r = 0;
    // Whole tiles of narrow rows (a cache line at most) with one vector
    // gather per feature (AVX2, AVX-512): a scalar copy per value made up a
    // third of x_d2_t10_f5's kernel time (5 features, 10 trees).  Rows of
    // 30-120 features were ~5% slower gathered (Zen 4): they keep the copy.
    // (n is at most a block's 4,096 rows: the offsets fit the int32 lanes.)
    if constexpr (W >= 8) {
      if (v.n_features <= max_vector_gathered_features) {
        const U rows = O::lane_multiples(v.n_features);
        for (; r + W <= n; r += W) {
          const float* x = X + r * v.n_features;
          float* c = cols + tile_offset(nu, r / W);
          for (size_t u = 0; u < nu; ++u) {
            const uint32_t f = b.features[u];
            O::gather_store(x + (f < last ? f : last), rows, c + u * Run);
          }
        }
      }
    }
    for (; r < n; r += W) {
      for (size_t l = 0; l < W; ++l) {
        const float* x = X + (r + l < n ? r + l : n - 1) * v.n_features;
        for (size_t u = 0; u < nu; ++u) {
          const uint32_t f = b.features[u];
          tile[u * W + l] = x[f < last ? f : last];
        }
      }
      float* c = cols + tile_offset(nu, r / W);
      for (size_t u = 0; u < nu; ++u) std::memcpy(c + u * Run, tile + u * W, W * sizeof(float));
    }
  }

  // One tree on T consecutive tiles of one run (T * W rows; tile k at tile
  // + k * W): the index of the exit leaf in each lane (< n_leaves of the
  // tree), advancing the word and record cursors.
  template <bool Missing, bool OneWord, size_t T>
  static void exit_leaves(const TreeEnsembleView& v, const float* tile, uint32_t n_leaves,
                          uint64_t word_end, Cursor& c, U* leaf) noexcept {
    const LeafBitvectorView& b = v.bitvectors;
    const uint32_t last_feature = b.n_features ? b.n_features - 1 : 0;
    // OneWord (every tree of <= 32 leaves, as the file says; every tree of
    // depth <= 5): a tree of one word needs no search over words, its exit
    // leaf is the word's lowest surviving bit.  None survive only in a
    // corrupt file, where lowest_bit's value (>= 2^31) clamps to the last
    // leaf as take_word's "not found" does.  A template parameter, not a
    // test per tree: in the loop of the trees of many words any trace of
    // the shortcut cost them (x_lg255_t100_f80_reg_nan30, AVX2: 10-12%).
    const bool one_word = OneWord && word_end == c.word + 1;
    U res[T];
    M found[T];
    for (size_t k = 0; k < T; ++k) {
      res[k] = O::splat(n_leaves - 1);
      found[k] = O::none();
    }
    uint32_t base = 0;
    for (uint64_t w = c.word; w < word_end; ++w, base += 32) {
      const uint64_t left_end = clamp_end(b.word_records[2 * w], c.record, b.n_records);
      const uint64_t end = clamp_end(b.word_records[2 * w + 1], left_end, b.n_records);
      U lv[T];
      for (size_t k = 0; k < T; ++k) lv[k] = O::ones();
      uint64_t r = c.record;
      for (; r < left_end; ++r) {
        const uint32_t f = b.record_feature[r];
        const float* x = tile + size_t{f < last_feature ? f : last_feature} * Run;
        const float t = b.record_threshold[r];
        const uint32_t clear = b.record_clear[r];
        for (size_t k = 0; k < T; ++k) lv[k] = O::clear_where(lv[k], O::gt(O::load(x + k * W), t), clear);
      }
      for (; r < end; ++r) {
        const uint32_t f = b.record_feature[r];
        const float* x = tile + size_t{f < last_feature ? f : last_feature} * Run;
        const float t = b.record_threshold[r];
        const uint32_t clear = b.record_clear[r];
        for (size_t k = 0; k < T; ++k) {
          const F xk = O::load(x + k * W);
          lv[k] = O::clear_where(lv[k], Missing ? O::nle(xk, t) : O::gt(xk, t), clear);
        }
      }
      c.record = end;
      if constexpr (OneWord) {
        if (one_word) {
          c.word = word_end;
          for (size_t k = 0; k < T; ++k) leaf[k] = O::min(O::lowest_bit(lv[k], 0), O::splat(n_leaves - 1));
          return;
        }
      }
      for (size_t k = 0; k < T; ++k) O::take_word(lv[k], base, res[k], found[k]);
    }
    c.word = word_end;
    for (size_t k = 0; k < T; ++k) leaf[k] = O::min(res[k], O::splat(n_leaves - 1));
  }

  // Trees [t0, t1) on every tile of a gathered block of n rows, from cursor
  // c: `pass` tiles at a time (8, 4 or 2), the rest by 2 and 1.
  template <bool Missing, bool Single, bool OneWord>
  static void group(const TreeEnsembleView& v, const float* cols, size_t n, double* raw, uint32_t t0, uint32_t t1,
                    const Cursor& start, Cursor& end, double* tile_raw, size_t pass) noexcept {
    const size_t n_tiles = (n + W - 1) / W;
    size_t i = 0;
    static_assert(bitvector_max_tiles_per_pass == 8);
    if (pass == 8)
      for (; i + 8 <= n_tiles; i += 8) tiles<Missing, Single, OneWord, 8>(v, cols, n, raw, i, t0, t1, start, end, tile_raw);
    if (pass >= 4)
      for (; i + 4 <= n_tiles; i += 4) tiles<Missing, Single, OneWord, 4>(v, cols, n, raw, i, t0, t1, start, end, tile_raw);
    for (; i + 2 <= n_tiles; i += 2) tiles<Missing, Single, OneWord, 2>(v, cols, n, raw, i, t0, t1, start, end, tile_raw);
    if (i < n_tiles) tiles<Missing, Single, OneWord, 1>(v, cols, n, raw, i, t0, t1, start, end, tile_raw);
  }

  // Trees [t0, t1) on tiles [i, i + T) of the block.
  template <bool Missing, bool Single, bool OneWord, size_t T>
  static void tiles(const TreeEnsembleView& v, const float* cols, size_t n, double* raw, size_t i, uint32_t t0,
                    uint32_t t1, const Cursor& start, Cursor& end, double* tile_raw) noexcept {
    const LeafBitvectorView& b = v.bitvectors;
    const uint32_t lw = v.leaf_width, n_raw = v.n_raw;
    alignas(64) uint32_t idx[W];
    size_t m[T];
    double* out[T];
    double* scores[T];  // tile k's scores, score-major (not Single), or its partial tile's
    D acc[T][2];
    for (size_t k = 0; k < T; ++k) {
      const size_t r0 = (i + k) * W;
      m[k] = n - r0 < W ? n - r0 : W;
      out[k] = raw + r0 * n_raw;
      scores[k] = tile_raw + k * W * size_t{n_raw};
      if constexpr (Single) {
        if (m[k] == W) {
          O::load_acc(out[k], acc[k]);
        } else {
          for (size_t l = 0; l < W; ++l) scores[k][l] = l < m[k] ? out[k][l] : 0.0;
          O::load_acc(scores[k], acc[k]);
        }
      } else {
        for (size_t l = 0; l < W; ++l)  // lanes past the rows (tail tile) add to zeros, never stored
          for (uint32_t j = 0; j < n_raw; ++j) scores[k][j * W + l] = l < m[k] ? out[k][l * n_raw + j] : 0.0;
      }
    }
    Cursor c = start;
    for (uint32_t t = t0; t < t1; ++t) {
      const uint64_t word_end = clamp_end(b.tree_words[t], c.word, b.n_words);
      // A tree owns at least one leaf row (clamped into the table).
      const uint64_t leaf0 = c.leaf < v.n_leaves ? c.leaf : v.n_leaves - 1;
      const uint64_t leaf_end = clamp_end(b.tree_leaves[t], leaf0 + 1, v.n_leaves);
      c.leaf = leaf_end;
      const auto n_leaves = static_cast<uint32_t>(leaf_end - leaf0 < (uint64_t{1} << 30) ? leaf_end - leaf0 : uint64_t{1} << 30);
      U leaf[T];
      exit_leaves<Missing, OneWord, T>(v, cols + tile_offset(b.n_features, i), n_leaves, word_end, c, leaf);
      if constexpr (Single) {
        for (size_t k = 0; k < T; ++k) O::add_leaves(v.leaf_values + leaf0, n_leaves, leaf[k], acc[k]);
      } else if (lw == 1) {
        // One value per tree into its score (multi-class boosting): the
        // tile's scores of that slot are lanes in a row, as in Single.  The
        // slot once per tree and the sum in registers only between its load
        // and store: written per tile inside one loop, GCC 12 reloaded the
        // slot, tested lw and stored acc[k] too, every tile (30 instructions
        // a tile, half the time of x_d3_t700_f10_c3 under SSE4.2).
        const uint32_t slot = v.tree_output[t] < n_raw - 1 ? v.tree_output[t] : n_raw - 1;
        double* s = tile_raw + size_t{slot} * W;
        const double* values = v.leaf_values + leaf0;
        for (size_t k = 0; k < T; ++k, s += W * size_t{n_raw}) {
          D a[2];
          O::load_acc(s, a);
          O::add_leaves(values, n_leaves, leaf[k], a);
          O::store_acc(s, a);
        }
      } else {
        const uint32_t slot = v.tree_output[t] < n_raw - lw ? v.tree_output[t] : n_raw - lw;
        const double* values = v.leaf_values + leaf0 * lw;
        for (size_t k = 0; k < T; ++k) {
          O::store(leaf[k], idx);
          for (uint32_t j = 0; j < lw; ++j) {
            double* s = scores[k] + size_t{slot + j} * W;
            for (size_t l = 0; l < W; ++l) s[l] += values[size_t{idx[l]} * lw + j];
          }
        }
      }
    }
    end = c;
    for (size_t k = 0; k < T; ++k) {
      if constexpr (Single) {
        if (m[k] == W) {
          O::store_acc(out[k], acc[k]);
        } else {
          O::store_acc(scores[k], acc[k]);
          for (size_t l = 0; l < m[k]; ++l) out[k][l] = scores[k][l];
        }
      } else {
        for (size_t l = 0; l < m[k]; ++l)
          for (uint32_t j = 0; j < n_raw; ++j) out[k][l * n_raw + j] = scores[k][j * W + l];
      }
    }
  }

  // The end of the group of trees starting at t0 with cursor c: trees are
  // added while their records fit the plan (at least one tree).
  static uint32_t group_end(const TreeEnsembleView& v, uint32_t t0, const Cursor& c, size_t budget) noexcept {
    const LeafBitvectorView& b = v.bitvectors;
    uint64_t word = c.word, record = c.record;
    uint32_t t = t0;
    while (t < v.n_trees) {
      const uint64_t word_end = clamp_end(b.tree_words[t], word, b.n_words);
      uint64_t record_end = record;
      if (word_end > word) record_end = clamp_end(b.word_records[2 * (word_end - 1) + 1], record, b.n_records);
      if (t > t0 && record_end - c.record > budget) break;
      word = word_end;
      record = record_end;
      ++t;
    }
    return t;
  }

  template <bool Missing, bool Single, bool OneWord>
  static void run(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw, const BitvectorPlan& p,
                  float* scratch) noexcept {
    float* cols = scratch;
    float* tile = scratch + block_floats(v, p);
    auto* tile_raw = reinterpret_cast<double*>(tile + tile_floats(v));
    for (size_t r0 = 0; r0 < n_rows; r0 += p.block_rows) {
      const size_t n = n_rows - r0 < p.block_rows ? n_rows - r0 : p.block_rows;
      gather(v, X + r0 * v.n_features, n, cols, tile);
      Cursor c;
      for (uint32_t t0 = 0; t0 < v.n_trees;) {
        const uint32_t t1 = group_end(v, t0, c, p.group_records);
        Cursor next;
        group<Missing, Single, OneWord>(v, cols, n, raw + r0 * v.n_raw, t0, t1, c, next, tile_raw, p.tiles_per_pass);
        c = next;
        t0 = t1;
      }
    }
  }

  /// Runs the batch if the file has the layout and the cost model prefers
  /// it for this many rows (or it is forced: dispatch.hpp); false (raw
  /// untouched) otherwise, or if scratch cannot be had.
  static bool batch(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
    if (!v.bitvectors.present() || n_rows == 0) return false;
    if (n_rows < v.bitvectors.pays_from_rows[pays_from_index(W)] && tree_algorithm() != TreeAlgorithm::bitvectors)
      return false;
    if (tree_algorithm() != TreeAlgorithm::bitvectors && !bitvectors_pay_off(v, W, n_rows)) return false;
    const BitvectorPlan p = plan_bitvectors(v, W, n_rows, cache_sizes());
    // 64-byte aligned scratch: tiles are aligned vector loads.
    ThreadScratch mem(scratch_floats(v, p) * sizeof(float));
    if (!mem.data()) return false;
    auto* scratch = static_cast<float*>(mem.data());
    if constexpr (O::one_word_shortcut) {
      if (v.bitvectors.max_tree_leaves <= 32) {
        run_for<true>(v, X, n_rows, raw, p, scratch);
        return true;
      }
    }
    run_for<false>(v, X, n_rows, raw, p, scratch);
    return true;
  }

  template <bool OneWord>
  static void run_for(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw, const BitvectorPlan& p,
                      float* scratch) noexcept {
    const bool single = v.n_raw == 1 && v.leaf_width == 1;
    if (v.has_missing)
      single ? run<true, true, OneWord>(v, X, n_rows, raw, p, scratch)
             : run<true, false, OneWord>(v, X, n_rows, raw, p, scratch);
    else
      single ? run<false, true, OneWord>(v, X, n_rows, raw, p, scratch)
             : run<false, false, OneWord>(v, X, n_rows, raw, p, scratch);
  }
};

}  // namespace
}  // namespace mlmap::kernels
