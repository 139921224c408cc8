// The SIMD tree-ensemble kernel, written once over xsimd and instantiated per
// instruction set in tree_<isa>.cc (each compiled with only that ISA's flags).
//
// Two shapes of work:
//  * batches: rows in blocks (a tree's nodes stay in cache while a block of
//    rows walks it), lanes = rows, several lane groups interleaved so the
//    gathers of independent walks overlap;
//  * one row (or a few): lanes = trees.
// Every walk runs a bounded number of steps: leaves are fixed points (§5), so
// lanes that reached a leaf just stay, and the loop ends early once every
// lane sits on a leaf.  Indices read from the file are clamped exactly as in
// the scalar reference, so results are bit-identical to it.
//
// Everything here has internal linkage (anonymous namespace): a helper
// compiled with AVX-512 flags must never be merged by the linker with the
// same helper compiled for the baseline (that would SIGILL on older CPUs).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/thread_scratch.hpp"
#include "kernels/tree_bitvectors.hpp"
#include "kernels/tree_ensemble_view.hpp"
#include "kernels/tree_kernels.hpp"
#include "kernels/tree_traverse.hpp"

namespace mlmap::kernels {
namespace {

inline uint64_t min_u64(uint64_t a, uint64_t b) noexcept { return a < b ? a : b; }
inline size_t min_size(size_t a, size_t b) noexcept { return a < b ? a : b; }

// Adds the leaf rows leaf[0, m) of trees t0, t0 + 1, ... (clamped already)
// to one row's raw scores, in tree order (the order all kernels share).
// Those additions are a chain of dependent instructions that the next
// trees' walk overlaps only if the chain is short: a leaf costs a load and
// an addition (x_d2_t2000_f100_reg, 2,000 trees of depth 2: 9.6 -> 5.9 us
// per row on Zen 5).
inline void add_leaves(const TreeEnsembleView& v, uint32_t t0, uint32_t m, const int32_t* leaf, double* out) noexcept {
  if (v.leaf_width != 1) {
    for (uint32_t i = 0; i < m; ++i) add_leaf(v, t0 + i, static_cast<uint32_t>(leaf[i]), out);
  } else if (v.n_raw == 1) {
    double acc = out[0];
    for (uint32_t i = 0; i < m; ++i) acc += v.leaf_values[static_cast<uint32_t>(leaf[i])];
    out[0] = acc;
  } else {  // one value per tree into its output slot (multi-class boosting)
    const uint32_t last_slot = v.n_raw - 1;
    for (uint32_t i = 0; i < m; ++i) {
      const uint32_t slot = v.tree_output[t0 + i];
      out[slot < last_slot ? slot : last_slot] += v.leaf_values[static_cast<uint32_t>(leaf[i])];
    }
  }
}

// One row's leaf additions for models whose trees add one value each into
// one score (leaf_width 1: regressors, binary and multi-class boosting), kept
// back and made during the next pass's walk, a few after each level.  Made
// after their own walk, the chain of dependent additions (a load and a 3- or
// 4-cycle addition each) held the next walk back (AVX-512: a quarter of the
// kernel's perf samples on it).  Same additions in the same tree order:
// results are unchanged.
class DeferredLeaves {
 public:
  DeferredLeaves(const TreeEnsembleView& v, double* out) noexcept : v_(v), out_(out), sum_(out[0]) {}
  static bool applies(const TreeEnsembleView& v) noexcept { return v.leaf_width == 1; }
  // The next k of the kept-back additions (after a level of the walk).
  __attribute__((always_inline)) void step(uint32_t k) noexcept { add(k); }
  // Finishes the previous pass's additions, then keeps back leaf[0, m) of
  // trees t0, t0 + 1, ... (leaf must stay untouched until the next defer()
  // or finish()).
  __attribute__((always_inline)) void defer(uint32_t t0, uint32_t m, const int32_t* leaf) noexcept {
    add(n_ - done_);
    t0_ = t0, n_ = m, done_ = 0, leaf_ = leaf;
  }
  __attribute__((always_inline)) void finish() noexcept {
    add(n_ - done_);
    if (v_.n_raw == 1) out_[0] = sum_;
  }

 private:
  __attribute__((always_inline)) void add(uint32_t k) noexcept {
    const uint32_t e = done_ + k < n_ ? done_ + k : n_;
    if (v_.n_raw == 1) {  // one score: summed in a register
      for (; done_ < e; ++done_) sum_ += v_.leaf_values[static_cast<uint32_t>(leaf_[done_])];
    } else {  // into each tree's output slot (clamped as add_leaf does)
      const uint32_t last_slot = v_.n_raw - 1;
      for (; done_ < e; ++done_) {
        const uint32_t slot = v_.tree_output[t0_ + done_];
        out_[slot < last_slot ? slot : last_slot] += v_.leaf_values[static_cast<uint32_t>(leaf_[done_])];
      }
    }
  }

  const TreeEnsembleView& v_;
  double* out_;
  double sum_;
  uint32_t t0_ = 0, n_ = 0, done_ = 0;
  const int32_t* leaf_ = nullptr;
};

// The few primitives the walk needs, over xsimd.  xsimd 8.1 routes AVX-512
// gathers and mask conversions through per-lane generic code (10x slower than
// AVX2), so AVX-512 gets them from intrinsics below (and AVX2 its gathers); batches convert to and
// from their registers implicitly.
template <class Arch>
struct Ops {
  using F = xsimd::batch<float, Arch>;
  using I = xsimd::batch<int32_t, Arch>;
  // AVX2 too: xsimd 8.1's AVX2 gathers do not match its own dispatch
  // (explicit template arguments its overloads do not take), so they fall
  // back to per-lane code as well.
  static I gather(const int32_t* base, const I& idx) noexcept {
#if defined(__AVX2__)
    if constexpr (I::size == 8) return _mm256_i32gather_epi32(base, idx, 4);
#endif
    return I::gather(base, idx);
  }
  static F gather(const float* base, const I& idx) noexcept {
#if defined(__AVX2__)
    if constexpr (I::size == 8) return _mm256_i32gather_ps(base, idx, 4);
#endif
    return F::gather(base, idx);
  }
  // Gathers only lanes in `active` where the ISA can (others keep `old`).
  static I gather(const I& old, uint32_t active, const int32_t* base, const I& idx) noexcept {
    (void)old, (void)active;
    return gather(base, idx);
  }
  static F gather(const F& old, uint32_t active, const float* base, const I& idx) noexcept {
    (void)old, (void)active;
    return gather(base, idx);
  }
  // 0 where x <= t, else 1 (NaN compares false: 1).
  static I go_right(const F& x, const F& t) noexcept {
    return xsimd::bitwise_cast<I>(xsimd::select(x <= t, F(0.0f), xsimd::bitwise_cast<F>(I(1))));
  }
  // NaN lanes: 0 if `info` has the missing-left bit, else 1.
  static I route_missing(const I& go_right, const F& x, const I& info) noexcept {
    const auto nan = (xsimd::bitwise_cast<I>(x) & I(0x7fffffff)) > I(0x7f800000);
    const auto left = (info & I(static_cast<int32_t>(node_missing_left))) != I(0);
    return xsimd::select(nan, xsimd::select(left, I(0), I(1)), go_right);
  }
  static bool any_bit(const I& info, uint32_t bit) noexcept {
    return xsimd::any((info & I(static_cast<int32_t>(bit))) != I(0));
  }
  // Bit l set where lane l of a == b (a > b).
  static uint32_t eq_bits(const I& a, const I& b) noexcept { return bits(xsimd::bitwise_cast<I>(xsimd::select(a == b, I(-1), I(0)))); }
  static uint32_t gt_bits(const I& a, const I& b) noexcept { return bits(xsimd::select(a > b, I(-1), I(0))); }
  static uint32_t bits(const I& m) noexcept {
#if defined(__AVX2__)
    if constexpr (I::size == 8) return static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(m)));
#endif
#if defined(__SSE4_2__)
    if constexpr (I::size == 4) return static_cast<uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(m)));
#endif
    alignas(64) int32_t lanes[I::size];
    m.store_aligned(lanes);
    uint32_t out = 0;
    for (size_t l = 0; l < I::size; ++l) out |= static_cast<uint32_t>(lanes[l] != 0) << l;
    return out;
  }
  static I clamp(const I& v, const I& hi) noexcept { return xsimd::min(xsimd::max(v, I(0)), hi); }
  static I min(const I& a, const I& b) noexcept { return xsimd::min(a, b); }
  // One row held in K registers, its features looked up per lane by a
  // permute instead of a gather (RowRegs); here: no ISA support (K = 0).
  static constexpr size_t max_row_registers = 0;
  template <size_t K>
  struct RowRegs {
    RowRegs(const float*, uint32_t) noexcept {}
    F lookup(const I&) const noexcept { return F(0.0f); }
  };
  // The complete-tree kernel (AVX-512 only, below): not here.
  static constexpr bool has_complete_trees = false;
  template <bool Missing, size_t K>
  static void complete(const TreeEnsembleView&, const float*, size_t, double*) noexcept {}
};

#if defined(__AVX512F__) && defined(__AVX512BW__)
template <>
struct Ops<xsimd::avx512bw> {
  using F = xsimd::batch<float, xsimd::avx512bw>;
  using I = xsimd::batch<int32_t, xsimd::avx512bw>;
  static I gather(const int32_t* base, const I& idx) noexcept { return _mm512_i32gather_epi32(idx, base, 4); }
  static F gather(const float* base, const I& idx) noexcept { return _mm512_i32gather_ps(idx, base, 4); }
  static I gather(const I& old, uint32_t active, const int32_t* base, const I& idx) noexcept {
    return _mm512_mask_i32gather_epi32(old, static_cast<__mmask16>(active), idx, base, 4);
  }
  static F gather(const F& old, uint32_t active, const float* base, const I& idx) noexcept {
    return _mm512_mask_i32gather_ps(old, static_cast<__mmask16>(active), idx, base, 4);
  }
  static I go_right(const F& x, const F& t) noexcept {
    const __mmask16 le = _mm512_cmp_ps_mask(x, t, _CMP_LE_OQ);
    return _mm512_maskz_mov_epi32(static_cast<__mmask16>(~le), _mm512_set1_epi32(1));
  }
  static I route_missing(const I& go_right, const F& x, const I& info) noexcept {
    const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    const __mmask16 left = _mm512_test_epi32_mask(info, _mm512_set1_epi32(static_cast<int32_t>(node_missing_left)));
    // NaN lanes: 1 unless missing goes left.
    return _mm512_mask_mov_epi32(go_right, nan, _mm512_maskz_mov_epi32(static_cast<__mmask16>(~left), _mm512_set1_epi32(1)));
  }
  static bool any_bit(const I& info, uint32_t bit) noexcept {
    return _mm512_test_epi32_mask(info, _mm512_set1_epi32(static_cast<int32_t>(bit))) != 0;
  }
  static uint32_t eq_bits(const I& a, const I& b) noexcept { return _mm512_cmpeq_epi32_mask(a, b); }
  static uint32_t gt_bits(const I& a, const I& b) noexcept { return _mm512_cmpgt_epi32_mask(a, b); }
  static I clamp(const I& v, const I& hi) noexcept {
    return _mm512_min_epi32(_mm512_max_epi32(v, _mm512_setzero_si512()), hi);
  }
  static I min(const I& a, const I& b) noexcept { return _mm512_min_epi32(a, b); }
  // A row of up to 16 * K features (K = 2: 32, K = 4: 64) in K registers:
  // lane l gets feature f[l] from two-source permutes (and a blend on bit 5)
  // instead of a gather, which on Zen 5 costs more than 16 loads and sits
  // on every level's chain of dependent loads.  Indices are clamped below
  // the row's width by the caller; the padding lanes are zeros, never read.
  static constexpr size_t max_row_registers = 4;
  template <size_t K>
  struct RowRegs {
    static_assert(K == 0 || K == 2 || K == 4);  // 0: not used (the rows are gathered)
    __m512 r[K ? K : 1];
    RowRegs(const float* x, uint32_t n) noexcept {
      for (uint32_t k = 0; k < K; ++k) {
        const uint32_t left = n > 16 * k ? n - 16 * k : 0;
        const auto mask = static_cast<__mmask16>(left >= 16 ? 0xffffu : (1u << left) - 1);
        r[k] = _mm512_maskz_loadu_ps(mask, left ? x + 16 * k : x);
      }
    }
    F lookup(const I& f) const noexcept {
      const __m512 lo = _mm512_permutex2var_ps(r[0], f, r[1]);
      if constexpr (K == 2) {
        return lo;
      } else {
        const __m512 hi = _mm512_permutex2var_ps(r[2], f, r[3]);
        return _mm512_mask_blend_ps(_mm512_test_epi32_mask(f, _mm512_set1_epi32(32)), lo, hi);
      }
    }
  };

  // A few rows over the complete-tree layout (FORMAT.md §5.1.2): lanes = the
  // 16 trees of a group, N groups side by side.  A level is one 64-bit
  // gather per lane (feature and threshold together: the node walk gathers
  // info, child and threshold) and the children by index arithmetic (2h+1,
  // 2h+2); the first three levels are plain loads and blends (2, 4, 8 loads).  Rows of up to 16 * K features
  // are looked up in registers (K > 0), wider ones gathered.  Features and
  // leaf rows are clamped as in the scalar reference; positions stay inside
  // the columns, whose lengths open checked.
  static constexpr bool has_complete_trees = true;

  // One row's walk down N groups of the complete-tree layout at once.  N is a
  // constant so that the groups' nodes stay in registers: with a run-time
  // count GCC kept them on the stack, a store and a reload on every level's
  // chain of dependent instructions.
  template <bool Missing, size_t K>
  class CompleteWalk {
   public:
    using Row = RowRegs<K ? K : 2>;
    explicit CompleteWalk(const TreeEnsembleView& v) noexcept
        : nodes_(v.complete.nodes), leaves_(v.complete.leaves), depth_(v.complete.depth),
          inner_((uint64_t{1} << v.complete.depth) - 1),
          lanes_(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)),
          low_(_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)),
          high_(_mm512_add_epi32(low_, _mm512_set1_epi32(1))),
          last_feature_(_mm512_set1_epi32(static_cast<int32_t>(v.n_features - 1))),
          last_leaf_(_mm512_set1_epi32(static_cast<int32_t>(min_u64(v.n_leaves - 1, node_feature_mask)))),
          bottom_(_mm512_set1_epi32(static_cast<int32_t>(inner_))) {}

    // The leaf rows (clamped) that row x reaches in groups [g0, g0 + N), into
    // leaf[0, N * 16).
    // `between()` runs after each level (the previous pass's leaf additions,
    // spread over this pass's walk).
    template <uint32_t N, class Between>
    __attribute__((always_inline)) void operator()(uint64_t g0, const float* x, const Row& row, int32_t* leaf,
                                                   Between&& between) const noexcept {
      constexpr uint32_t L = complete_tree_lanes;
      const long long* base[N];
      __m512i node[N];
      for (uint32_t g = 0; g < N; ++g) base[g] = reinterpret_cast<const long long*>(nodes_ + (g0 + g) * inner_ * L);
      // Level 0: every lane at its root, node 0.
      for (uint32_t g = 0; g < N; ++g)
        node[g] = descend(_mm512_setzero_si512(), _mm512_loadu_si512(base[g]), _mm512_loadu_si512(base[g] + 8), x, row);
      between();
      if (depth_ > 1) {  // node 1 or 2: four loads and a blend instead of gathers
        for (uint32_t g = 0; g < N; ++g) {
          const long long* p = base[g];
          const __mmask16 two = _mm512_cmpeq_epi32_mask(node[g], _mm512_set1_epi32(2));
          const __m512i a =
              _mm512_mask_blend_epi64(static_cast<__mmask8>(two), _mm512_loadu_si512(p + 16), _mm512_loadu_si512(p + 32));
          const __m512i b = _mm512_mask_blend_epi64(static_cast<__mmask8>(two >> 8), _mm512_loadu_si512(p + 24),
                                                    _mm512_loadu_si512(p + 40));
          node[g] = descend(node[g], a, b, x, row);
        }
        between();
      }
      if (depth_ > 2) {  // nodes 3-6: eight loads and six blends
        for (uint32_t g = 0; g < N; ++g) {
          const __m512i k = _mm512_sub_epi32(node[g], _mm512_set1_epi32(3));
          const __mmask16 odd = _mm512_test_epi32_mask(k, _mm512_set1_epi32(1));
          const __mmask16 upper = _mm512_test_epi32_mask(k, _mm512_set1_epi32(2));
          auto pick = [&](const long long* p, unsigned shift) {
            const auto o = static_cast<__mmask8>(odd >> shift), u = static_cast<__mmask8>(upper >> shift);
            const __m512i left = _mm512_mask_blend_epi64(o, _mm512_loadu_si512(p), _mm512_loadu_si512(p + 16));
            const __m512i right = _mm512_mask_blend_epi64(o, _mm512_loadu_si512(p + 32), _mm512_loadu_si512(p + 48));
            return _mm512_mask_blend_epi64(u, left, right);
          };
          node[g] = descend(node[g], pick(base[g] + 48, 0), pick(base[g] + 56, 8), x, row);
        }
        between();
      }
      // Levels 3+ gather: 16 scalar loads instead (as AVX2's two_pairs) took
      // 0.96-1.03x the CPU time, paired, one row, depth 4-6 sweep shapes.
      for (uint32_t s = 3; s < depth_; ++s) {
        for (uint32_t g = 0; g < N; ++g) {
          const __m512i pos = _mm512_add_epi32(_mm512_slli_epi32(node[g], 4), lanes_);
          const __m512i a = _mm512_i32gather_epi64(_mm512_castsi512_si256(pos), base[g], 8);
          const __m512i b = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(pos, 1), base[g], 8);
          node[g] = descend(node[g], a, b, x, row);
        }
        between();
      }
      for (uint32_t g = 0; g < N; ++g) {
        const __m512i pos = _mm512_add_epi32(_mm512_slli_epi32(_mm512_sub_epi32(node[g], bottom_), 4), lanes_);
        const auto* lbase = reinterpret_cast<const int*>(leaves_ + ((g0 + g) << depth_) * L);
        // Unsigned: a crafted row of 2^31 or more is clamped too.
        _mm512_store_si512(leaf + g * L, _mm512_min_epu32(_mm512_i32gather_epi32(pos, lbase, 4), last_leaf_));
      }
    }

   private:
    // One level: the lanes' nodes (a: the low 8, b: the high 8, 64 bits
    // each) decide each lane's child, 2h + 1 or 2h + 2.
    __attribute__((always_inline)) __m512i descend(const __m512i& node, const __m512i& a, const __m512i& b,
                                                   const float* x, const Row& row) const noexcept {
      const __m512i info = _mm512_permutex2var_epi32(a, low_, b);
      const __m512 t = _mm512_castsi512_ps(_mm512_permutex2var_epi32(a, high_, b));
      const __m512i f =
          _mm512_min_epi32(_mm512_and_si512(info, _mm512_set1_epi32(static_cast<int32_t>(node_feature_mask))), last_feature_);
      const __m512 xv = K ? static_cast<__m512>(row.lookup(f)) : _mm512_i32gather_ps(f, x, 4);
      // Left (2n + 1) where x <= t, or where x is NaN and the node sends
      // missing values left; else right (2n + 2).
      __mmask16 left = _mm512_cmp_ps_mask(xv, t, _CMP_LE_OQ);
      if constexpr (Missing)
        left |= _mm512_cmp_ps_mask(xv, xv, _CMP_UNORD_Q) &
                _mm512_test_epi32_mask(info, _mm512_set1_epi32(static_cast<int32_t>(node_missing_left)));
      const __m512i right = _mm512_add_epi32(_mm512_add_epi32(node, node), _mm512_set1_epi32(2));
      return _mm512_mask_sub_epi32(right, left, right, _mm512_set1_epi32(1));
    }

    const uint64_t* nodes_;
    const uint32_t* leaves_;
    uint32_t depth_;
    uint64_t inner_;
    __m512i lanes_, low_, high_, last_feature_, last_leaf_, bottom_;
  };

  // A few rows over the complete-tree layout (FORMAT.md §5.1.2): lanes = the
  // 16 trees of a group, N groups side by side.  A level is one 64-bit
  // gather per lane (feature and threshold together: the node walk gathers
  // info, child and threshold) and the children by index arithmetic (2h+1,
  // 2h+2); the first three levels are plain loads and blends (2, 4, 8 loads).  Rows of up to 16 * K features
  // are looked up in registers (K > 0), wider ones gathered.  Features and
  // leaf rows are clamped as in the scalar reference; positions stay inside
  // the columns, whose lengths open checked.
  template <bool Missing, size_t K>
  static void complete(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
    constexpr uint32_t N = 4, L = complete_tree_lanes;
    const uint64_t groups = (uint64_t{v.n_trees} + L - 1) / L;
    const CompleteWalk<Missing, K> walk(v);
    const bool defer = DeferredLeaves::applies(v);
    const uint32_t per_level = (N * L + v.complete.depth - 1) / v.complete.depth;
    for (size_t r = 0; r < n_rows; ++r) {
      const float* x = X + r * v.n_features;
      double* out = raw + r * v.n_raw;
      const typename CompleteWalk<Missing, K>::Row row(x, K ? v.n_features : 0);
      // A pass's leaf values are added during the next pass's walk, a share
      // after each level (DeferredLeaves; one score: s_gbr_d5_t150_f50 0.57
      // -> 0.53 us).  Unrolling that chain, or gathering the values first,
      // did not help.
      alignas(64) int32_t leaf[2][N * L];
      DeferredLeaves deferred(v, out);
      for (uint64_t g0 = 0, p = 0; g0 < groups; g0 += N, p ^= 1) {
        const uint32_t n = static_cast<uint32_t>(min_u64(N, groups - g0));
        int32_t* rows = leaf[p];
        auto between = [&]() __attribute__((always_inline)) {
          if (defer) deferred.step(per_level);
        };
        switch (n) {
          case 4: walk.template operator()<4>(g0, x, row, rows, between); break;
          case 3: walk.template operator()<3>(g0, x, row, rows, between); break;
          case 2: walk.template operator()<2>(g0, x, row, rows, between); break;
          default: walk.template operator()<1>(g0, x, row, rows, between); break;
        }
        const auto t0 = static_cast<uint32_t>(g0 * L);
        const uint32_t m = static_cast<uint32_t>(min_u64(v.n_trees - t0, uint64_t{n} * L));
        if (defer)
          deferred.defer(t0, m, rows);
        else
          add_leaves(v, t0, m, rows, out);
      }
      if (defer) deferred.finish();
    }
  }
};
#endif

template <class Arch>
struct TreeSimd {
  using F = xsimd::batch<float, Arch>;
  using I = xsimd::batch<int32_t, Arch>;
  using O = Ops<Arch>;
  static constexpr size_t W = F::size;
  static constexpr size_t G = 4;             // lane groups walked together: their gathers overlap

  // Lanes at categorical nodes take the scalar rule.
  static I categorical_fixup(const TreeEnsembleView& v, const float* X, const I& row_offset, const I& idx,
                             const I& next) noexcept {
    alignas(64) int32_t node[W], row[W], out[W];
    idx.store_aligned(node);
    row_offset.store_aligned(row);
    next.store_aligned(out);
    for (size_t l = 0; l < W; ++l) {
      const auto k = static_cast<uint64_t>(node[l]);
      const uint32_t info = v.node_info[k];
      if (!(info & node_categorical) || v.node_child[k] == k) continue;
      const uint32_t f = info & node_feature_mask;
      const float x = X[static_cast<uint32_t>(row[l]) + (f < v.n_features ? f : v.n_features - 1)];
      if (x != x) continue;  // NaN: routed like any missing value
      out[l] = static_cast<int32_t>(v.node_child[k]) +
               (category_goes_left(v, category_set_of<float>(v, k), info, x) ? 0 : 1);
    }
    return I::load_aligned(out);
  }

  // Walks the first `n` of `N` lane groups (rows at off[g], nodes idx[g])
  // down one tree for `depth` steps; leaves are fixed points, and the walk
  // stops early once every lane sits on one.
  //
  // K > 0: X is one row, held in `row` (lanes are trees; off is zero).
  template <bool Missing, bool Categorical, size_t N, size_t K = 0>
  static void walk(const TreeEnsembleView& v, const float* X, const I* off, I* idx, uint32_t depth,
                   size_t n = N, const typename O::template RowRegs<K>* row = nullptr) noexcept {
    const auto* info_base = reinterpret_cast<const int32_t*>(v.node_info);
    const auto* child_base = reinterpret_cast<const int32_t*>(v.node_child);
    const I last(static_cast<int32_t>(v.n_nodes - 1));
    const I last_feature(static_cast<int32_t>(v.n_features - 1));
    const I feature_mask(static_cast<int32_t>(node_feature_mask));
    constexpr uint32_t all = ~0u >> (32 - W);
    uint32_t active[N];  // lanes not yet on a leaf: only they load
    I info[N], child[N];
    F x[N], t[N];
    for (size_t g = 0; g < N; ++g) {
      active[g] = g < n ? all : 0;
      info[g] = child[g] = I(0);
      x[g] = t[g] = F(0.0f);
    }
    for (uint32_t s = 0; s < depth; ++s) {
      uint32_t any = 0;
      for (size_t g = 0; g < N; ++g) {
        if (!active[g]) continue;
        info[g] = O::gather(info[g], active[g], info_base, idx[g]);
        child[g] = O::gather(child[g], active[g], child_base, idx[g]);
        const I feature = O::min(info[g] & feature_mask, last_feature);
        if constexpr (K > 0)
          x[g] = row->lookup(feature);
        else
          x[g] = O::gather(x[g], active[g], X, off[g] + feature);
        t[g] = O::gather(t[g], active[g], v.node_threshold, idx[g]);
        I go_right = O::go_right(x[g], t[g]);
        if constexpr (Missing) go_right = O::route_missing(go_right, x[g], info[g]);
        I next = child[g] + go_right;
        if constexpr (Categorical) {
          if (O::any_bit(info[g], node_categorical)) next = categorical_fixup(v, X, off[g], idx[g], next);
        }
        next = O::clamp(next, last);
        active[g] = all & ~O::eq_bits(next, idx[g]);
        any |= active[g];
        idx[g] = next;
      }
      if (!any) break;  // every lane is on a leaf
    }
  }

  // Adds the leaf rows of the first `n` lanes' nodes to consecutive raw rows.
  static void accumulate(const TreeEnsembleView& v, uint32_t t, const I& idx, size_t n, double* raw,
                         size_t stride) noexcept {
    alignas(64) int32_t node[W];
    idx.store_aligned(node);
    for (size_t l = 0; l < n; ++l) {
      const uint64_t leaf = leaf_row_of(v, static_cast<uint32_t>(node[l]));
      add_leaf(v, t, leaf, raw + l * stride);
    }
  }

  static uint32_t depth_of(const TreeEnsembleView& v, uint32_t t) noexcept {
    return v.tree_depth[t] < v.max_depth ? v.tree_depth[t] : v.max_depth;
  }

  // child + (x > t), for inputs without NaN: the carry of the comparison t <
  // x added in one instruction, where GCC makes a compare, a set, a zero
  // extension and an add of the C expression (13 instructions a level of the
  // batch walk instead of 15; callgrind, avx2, s_rf_full_t100_f20 2,000
  // rows: 68.5M -> 59.0M).  A NaN would set the carry (go right), unlike the
  // C expression: only for models whose inputs hold none (Missing = false).
  static inline __attribute__((always_inline)) uint64_t child_plus_greater(uint64_t child, float t, float x) noexcept {
#if defined(__x86_64__)
#if defined(__AVX__)
    asm("vcomiss %[x], %[t]\n\tadcq $0, %[child]" : [child] "+r"(child) : [t] "x"(t), [x] "xm"(x) : "cc");
#else
    asm("comiss %[x], %[t]\n\tadcq $0, %[child]" : [child] "+r"(child) : [t] "x"(t), [x] "xm"(x) : "cc");
#endif
    return child;
#else
    return child + (x > t ? 1u : 0u);
#endif
  }

  // child + right for inputs that may hold NaN: the compare sets the carry
  // for NaN too (right), and a conditional move on the parity flag (set
  // only for NaN; moves leave the flags alone) keeps the node's NaN-left bit
  // (30) only for NaN, taken back after the carry is added.  Callgrind,
  // avx2, x_d12_t100_f25_reg_nan10 2,000 rows: 67.2M (C) -> 64.2M (setp
  // into a zeroed register, masks after the add) -> 59.2M (this move).
  static inline __attribute__((always_inline)) uint64_t child_plus_right(uint64_t child, float t, float x,
                                                                         uint32_t info) noexcept {
    return child_plus_right_or_nan_left(child, t, x, (info >> 30) & 1u);
  }

  // child_plus_right with the node's NaN-left bit given (0 or 1).
  static inline __attribute__((always_inline)) uint64_t child_plus_right_or_nan_left(uint64_t child, float t, float x,
                                                                                     uint64_t left) noexcept {
#if defined(__x86_64__)
    const uint64_t zero = 0;
#if defined(__AVX__)
    asm("vcomiss %[x], %[t]\n\tcmovnpq %[zero], %[left]\n\tadcq $0, %[child]"
        : [child] "+r"(child), [left] "+r"(left) : [t] "x"(t), [x] "xm"(x), [zero] "rm"(zero) : "cc");
#else
    asm("comiss %[x], %[t]\n\tcmovnpq %[zero], %[left]\n\tadcq $0, %[child]"
        : [child] "+r"(child), [left] "+r"(left) : [t] "x"(t), [x] "xm"(x), [zero] "rm"(zero) : "cc");
#endif
    return child - left;
#else
    const uint32_t right = (x > t) | (static_cast<uint32_t>(x != x) & (static_cast<uint32_t>(left) ^ 1u));
    return child + right;
#endif
  }

  // A walk's node index: 64-bit for float32 models (no zero extension a
  // level); 32-bit for float64 ones, whose walk ran 19% more instructions
  // with 64-bit indices (s_hgbr_l127_t100_f60, 89.3M -> 106.6M).
  template <class T>
  using Index = std::conditional_t<sizeof(T) == 4, uint64_t, uint32_t>;

  // A node's feature offset in bytes (info << 2: the 32-bit shift drops the
  // flag bits) clamped at `last` by inline asm: in C, GCC knew the result
  // small and added a walk's constant row distance to it in 32 bits, an
  // add a level where the load's address can hold it; and it moved the
  // limit into a register a level (cmov takes no immediate: here a memory
  // operand).
  template <uint32_t last>
  static inline __attribute__((always_inline)) uint64_t clamped_offset(uint32_t info) noexcept {
    uint64_t offset = static_cast<uint32_t>(info << 2);
#if defined(__x86_64__)
    static const uint64_t limit = last;
    asm("cmpq %[imm], %[offset]\n\tcmovaq %[limit], %[offset]"
        : [offset] "+r"(offset) : [imm] "i"(last), [limit] "m"(limit) : "cc");
#else
    offset = offset < last ? offset : last;
#endif
    return offset;
  }

  // One level of one walk, branch-free on the data: the node after node k
  // for row x (leaves are fixed points, FORMAT.md §5).
  // S > 0: x is a row of copy_rows() (padded to S features), its feature
  // clamped at S - 1.
  template <bool Missing, bool Categorical, class T, size_t S = 0>
  static inline __attribute__((always_inline)) Index<T> step(const TreeEnsembleView& v, const T* threshold, const T* x,
                                                             Index<T> k, uint64_t last, uint32_t last_feature) noexcept {
    const uint32_t info = v.node_info[k];
    T xv;
    if constexpr (S > 0) {
      static_assert(sizeof(T) == 4);
      std::memcpy(&xv, reinterpret_cast<const char*>(x) + clamped_offset<(S - 1) * sizeof(T)>(info), sizeof xv);
    } else if constexpr (sizeof(T) == 4) {
      // The feature's byte offset in the row, clamped to the last feature's
      // (the same value as the clamped index): the 32-bit shift drops the
      // flag bits 30-31, so no mask.  With 64-bit node indices (no zero
      // extensions) a level of the batch walk is 15 instructions, was 18
      // (callgrind, avx2, s_rf_full_t100_f20 2,000 rows: 82M -> 68M).
      const uint32_t offset = info << 2, last_offset = last_feature << 2;
      std::memcpy(&xv, reinterpret_cast<const char*>(x) + (offset < last_offset ? offset : last_offset), sizeof xv);
    } else {
      const uint32_t f = info & node_feature_mask;
      xv = x[f < last_feature ? f : last_feature];
    }
    // float thresholds only: with comisd, float64 models (HistGradientBoosting)
    // ran 7% more instructions (s_hgbr_l127_t100_f60, 106.6M -> 114.2M).
    if constexpr (!Categorical && sizeof(T) == 4) {
      uint64_t next;
      if constexpr (Missing)
        next = child_plus_right(v.node_child[k], threshold[k], xv, info);
      else
        next = child_plus_greater(v.node_child[k], threshold[k], xv);
      return static_cast<Index<T>>(next < last ? next : last);
    }
    // 1 (right) when x > t; NaN compares false both ways and takes the
    // node's missing direction (right unless bit 30).
    uint32_t right = xv > threshold[k];
    if constexpr (Missing) right |= static_cast<uint32_t>(xv != xv) & (((info >> 30) & 1u) ^ 1u);
    if constexpr (Categorical) {
      if ((info & node_categorical) && xv == xv) right = category_goes_left(v, category_set_of<T>(v, k), info, xv) ? 0 : 1;
    }
    const uint64_t next = uint64_t{v.node_child[k]} + right;
    return static_cast<Index<T>>(next < last ? next : last);
  }

  // The top levels of one tree unrolled into a complete tree, as step()
  // walks them: position h (children 2h + 1, 2h + 2) holds the clamped
  // feature offset and the threshold of the node a row reaches there, and
  // bottom[j] the node reached after the last level.  A level is then 6
  // instructions a row (two loads from the table, the row's value compared,
  // 2h + 1 plus the carry), no child read and no clamps, where step() takes
  // 11 and spills.  Built per tree and block of rows on the stack (1,023
  // positions at most: ~12,000 instructions, against ~2.6 million for the
  // walks of 10,000 rows of s_rf_full_t100_f20 over one tree), so nothing at
  // open and nothing in the file.
  // Models with NaN routing (Missing) also keep each position's NaN-left
  // bit, stepped as child_plus_right() steps (XGBoost/LightGBM deep trees;
  // CPU time, 10,000 rows, interleaved, median (worst) on a loaded 2-core
  // EPYC VM: x_d12_t100_f25_reg_nan10 0.71 (0.84), 59.2M -> 48.7M
  // instructions (callgrind, avx2, 2,000 rows); x_lg255_t100_f80_reg_nan30
  // 1.00 (1.17) although 87.9M -> 75.8M).
  // Fewest levels: 8 for large trees (fewer did not pay), 6 for the others,
  // whose walks took the table later (CPU time, 10,000 rows, paired in one
  // process, the walk forced, Zen 4; SSE4.2 / AVX-512): depth 8-12 shapes
  // x_d8_t40_f15_reg 0.80 / 0.64, s_et_d8_t100_f30 0.79 / 0.75,
  // x_d10_t200_f40 0.86 / 0.75, x_d12_t300_f120 0.97 / 0.91,
  // x_lg255_t1000_f20 0.96 / 0.93 (AVX2 0.82-0.97); depth 6-7 x_d6_t100_f8
  // 0.80 / 0.67, x_d7_t500_f60_nan5 0.89 / 0.83, s_rfr_d6_t300_f100
  // 0.84 / 0.80, x_d6_t150_f300_c3 0.89 / 0.81.  The level counts live in
  // tree_cost.hpp, whose walk estimate weighs the table.
  template <bool Missing>
  struct TopLevels {
    static constexpr uint32_t capacity = 1u << max_top_levels;
    uint32_t levels = 0;
    uint32_t offset[capacity - 1];  // bytes into the row
    float threshold[capacity - 1];
    uint32_t nan_left[Missing ? capacity - 1 : 1];  // Missing: 1 where NaN goes left
    uint64_t bottom[capacity];
  };

  // Fills the top `levels` levels from `root` exactly as step() moves (for
  // float32 models without categorical splits): left min(child, last),
  // right min(child + 1, last), whatever the node (leaves are fixed points
  // by their +inf threshold, §5, so they repeat down the table).
  // leaf_rows: the table holds the whole tree (levels = its depth), so the
  // bottom holds the leaf rows reached (clamped as add_leaf clamps), not
  // the nodes: a row's dependent load of node_info less (CPU time, 10,000
  // rows, paired, the walk forced, Zen 4: x_d8_t40_f15_reg 0.95-0.96 on
  // SSE4.2, AVX2 and AVX-512, s_et_d8_t100_f30 0.96 SSE4.2,
  // s_rf_d10_t200_f40_c4 0.97, x_d6_t100_f8 0.93-0.96).
  template <bool Missing>
  static void build_top_levels(const TreeEnsembleView& v, uint64_t root, uint64_t last, uint32_t last_feature,
                               uint32_t levels, TopLevels<Missing>& top, bool leaf_rows) noexcept {
    uint64_t* node = top.bottom;  // level d's nodes, widening in place
    node[0] = root;
    const uint32_t last_offset = last_feature << 2;
    top.levels = levels;
    for (uint32_t d = 0; d < levels; ++d) {
      const uint32_t first = (1u << d) - 1;
      // Backwards: node[2j] and node[2j + 1] overwrite node[j] only after it is read.
      for (uint32_t j = 1u << d; j-- > 0;) {
        const uint64_t k = node[j];
        const uint32_t info = v.node_info[k], offset = info << 2;
        top.offset[first + j] = offset < last_offset ? offset : last_offset;
        if constexpr (Missing) top.nan_left[first + j] = (info >> 30) & 1u;
        top.threshold[first + j] = v.node_threshold[k];
        const uint64_t child = v.node_child[k];
        node[2 * j] = min_u64(child, last);
        node[2 * j + 1] = min_u64(child + 1, last);
      }
    }
    if (leaf_rows)
      for (uint32_t j = 0; j < (1u << levels); ++j) node[j] = leaf_row_of(v, node[j]);
  }

  // Walks R rows down the top levels and leaves them on the nodes reached;
  // row_of(i) is walk i's row.
  template <bool Missing, size_t R, class RowOf>
  static inline __attribute__((always_inline)) void walk_top_levels(const TopLevels<Missing>& top, const RowOf& row_of,
                                                                    uint64_t (&idx)[R]) noexcept {
    uint64_t h[R];
    _Pragma("GCC unroll 16") for (size_t i = 0; i < R; ++i) h[i] = 0;
    for (uint32_t d = 0; d < top.levels; ++d) {
      _Pragma("GCC unroll 16") for (size_t i = 0; i < R; ++i) {
        float xv;
        std::memcpy(&xv, reinterpret_cast<const char*>(row_of(i)) + top.offset[h[i]], sizeof xv);
        if constexpr (Missing)
          h[i] = child_plus_right_or_nan_left(2 * h[i] + 1, top.threshold[h[i]], xv, top.nan_left[h[i]]);
        else
          h[i] = child_plus_greater(2 * h[i] + 1, top.threshold[h[i]], xv);
      }
    }
    const uint64_t inner = (uint64_t{1} << top.levels) - 1;
    _Pragma("GCC unroll 16") for (size_t i = 0; i < R; ++i) idx[i] = top.bottom[h[i] - inner];
  }

  // Batches: R rows walk one tree side by side, with plain loads.  On the
  // CPU this was tuned on (AMD Zen 5) one 16-lane gather costs more than the
  // 16 scalar loads it replaces, so batches keep R independent scalar walks in
  // flight (1.3x the gather version on a 100-tree forest); the vector paths
  // serve small batches, where lanes span trees.  Trees visit a block of rows
  // in turn, so each tree's nodes stay cached across the block.
  //
  // Large trees (Large) come from memory, once per block, a cache miss at a
  // time: so the next tree's nodes are fetched in order, a few lines per
  // group, while this one is walked (95k -> 155k rows/s on 200 trees of 49k
  // nodes, 10,000 rows).  Their leaf values are rarely cached either, and the
  // walks waited on them after every group: a group's leaf rows are
  // prefetched and added after the next group's walk (each row still adds its
  // trees in order: results are unchanged; 70k -> 90k).  Also 12 walks in
  // flight instead of 8, the next group's rows prefetched past L2 (which the
  // tree needs), the end looked for every 2 levels.  Small trees gain nothing
  // from the fetch and lost 2-6% with defer and 12 walks (before the top
  // levels' tables), hence the switch (walks_large_trees(), tree_cost.hpp).
  // They take 12 walks too now: 10,000 rows, paired CPU time against 8,
  // SSE4.2 0.86x (x_d8_t40_f15_reg) and 0.87x (s_et_d8_t100_f30), AVX2 0.95x
  // (x_lg255_t100_f80_reg_nan30), forced walks of depth 2-5 0.88-0.99x;
  // 16 walks 0.79-0.98x, 12 the better on two of those three.
  //
  // Not done: refilling a walk with the block's next row as soon as its row
  // sits on a leaf, instead of the group waiting for its deepest row.  It
  // saves steps (s_rf_full_t100_f20: 17.7 -> 12.4 a row and tree), but a
  // step is a dozen instructions and the refills' bookkeeping beside each
  // step cost more than the steps saved: 1.6-2.4x the CPU time in every
  // variant tried (branchy or branch-free refills, 8 or 12 slots, shared or
  // per-slot row order; callgrind, 2,000 rows: 320M -> 382M-589M
  // instructions).  Nor: moving a group's last few walking rows out to be
  // finished later, 12 at a time (1.1-1.4x the time, also where it never
  // triggered; slowest when it counted the walking rows at every check,
  // which waits on every walk's next node where the check below stops at
  // the first one still moving).  Nor: one packed node column, so that a
  // level reads one cache line instead of three (node_info, node_threshold,
  // node_child): the walk is bound by instructions, not by misses, since a
  // tree of these forests fits in L1 or L2 (s_rf_full_t100_f20: 14 KB a
  // tree).  Built in memory at open for the test (AMD Zen 4, 10,000 rows,
  // interleaved CPU time), 16-byte nodes {threshold, info, child, 0} took
  // 1.13x the time on s_rf_full_t100_f20, 1.24x on s_rf_d10_t200_f40_c4,
  // 1.08x on rf_large; 8-byte nodes {threshold, child - k << 8 | feature}
  // 1.08x, 1.07x, 1.15x (and 20% more instructions: the extra fields cost
  // registers, 12 walks already spill).  Nor: lanes = rows with AVX-512
  // gathers (walk(), 4 groups of 16): 1.5x the time of the scalar walks.
  // Also measured and dropped (s_rf_full_t100_f20, callgrind avx2 2,000
  // rows and CPU time, 10,000 rows, interleaved A/B on a loaded Zen 4):
  // sorting a block's rows by the node they reach after the top 8 levels
  // (a counting sort over the tree's nodes) and walking the rest in that
  // order: a group walks 13.9 levels a row and tree instead of 16.7 (by the
  // true leaf depth it would be 12.8), but the sort and the scattered rows
  // cost more: 57.6M -> 62.8M instructions, 1.28x the time (s_etr_full_t50_f12
  // 1.20x).  Copying a group's rows side by side at a fixed stride (64
  // values), so one register addresses all 12 (no row pointer reloads): a
  // level 144 -> 130 instructions, but with the copies 1.11-1.19x the time.
  // 10 or 14 walks instead of 12: 1.08x, 1.19x.  Two levels per loop body
  // between the checks: 0.4% fewer instructions, 1.04x the time.  Dropping
  // the child clamp (unsafe, measured only): as many instructions, 1.19x the
  // time.  Timings here swing with register allocation more than with
  // instruction counts: measure every change in CPU time.
  //
  // The top levels through a complete tree (TopLevels, above): CPU time
  // against the plain walk, 10,000 rows, interleaved, median (worst) on a
  // loaded 2-core EPYC VM: s_rf_full_t100_f20 with 6 levels 1.005 (1.04)
  // although 12% fewer instructions, 8: 0.94 (0.99), 10: 0.90 (0.92), 11:
  // 0.88 (0.90), 12: 0.87 (1.14, and a 64 KB table); 10 kept (16 KB on the
  // stack).  Also dropped (same set-up): a group's last one or two walking
  // rows finishing by themselves in a 2-row loop, so that the group does
  // not wait on them (by the true leaf depths 17.7 -> 14.2 group levels a
  // row and tree, plus 0.24 of the 2-row loop).  Counting the walking rows
  // at every check, up to the third: 57.6M -> 59.4M instructions, 1.15x the
  // time (s_etr_full_t50_f12 1.14x); counting without branches only once
  // the first row sits on a leaf: 57.0M (13% fewer levels, but 87
  // instructions a count), 1.08x the time (s_etr_full_t50_f12 1.04x): the
  // 2-row loop runs at the latency of one walk.  And: copying a whole tree
  // of up to 2,048 nodes per block (clamped feature offsets, children made
  // positions in the copy, only for trees whose children stay inside) and
  // walking every level there, 6 instructions a row as in TopLevels: GCC
  // kept the walks in memory (99 instructions a level of 12 rows, also with
  // the level in inline asm), 48.8M -> 48.0M instructions and 1.04x the
  // time of the top levels alone (s_rf_d10_t200_f40_c4 1.08x).  And, after
  // the top levels, walking on only the rows not yet on a leaf, compacted
  // 192 rows at a time (the rest added from the chunk's nodes):
  // s_rf_full_t100_f20 6.7 -> 4.5 levels a row and tree after the top (by
  // the true leaf depths), 48.8M -> 45.7M instructions, but 0.96-1.01x the
  // time of the top levels alone over repeated runs, and 1.02-1.05x on
  // s_etr_full_t50_f12 and rf_large even where a guess from the tree
  // (bottom positions on leaves) kept them out of it: the group loop's code
  // got slower around the call.
  //
  // Where the instructions go (callgrind, avx2, s_rf_full_t100_f20, 2,000
  // rows, 44.6M in this function, 223 a row and tree; the C API, link and
  // float32 copy around it < 1%): top levels 64, deeper levels 83 (6.7 group
  // levels, 12.4 instructions a row and level), leaf additions 21 and their
  // pointers 10, the table build 12 (2.5 at 10,000 rows), group set-up 10,
  // end checks 6, next rows' prefetch 6, the top walk's exit 5.  The leaf
  // additions (add_rows), group set-up and prefetch loop then cut: 40.8M
  // (10,000 rows: 212.3M -> 193.7M, 194 a row and tree); CPU time, new/old
  // median (worst) of 31 interleaved pairs, 10,000 rows, avx512bw, loaded
  // 2-core EPYC VM: s_rf_full_t100_f20 0.97 (1.05), s_rf_d10_t200_f40_c4
  // 0.89, x_d12_t100_f25_reg_nan10 0.91, s_etr_full_t50_f12 0.99-1.01 and
  // rf_large 1.00 over repeats.  Counts below are this function's (and its
  // callees'), 2,000 rows.
  // Dropped after that (CPU time, new/old median of 21-31 interleaved pairs,
  // 10,000 rows, a loaded 2-core EPYC VM, avx512bw): the feature offset
  // clamped in general registers by inline asm (GCC makes a vector min and,
  // with AVX-512, moves through a second vector register): a level 165 -> 160
  // instructions with AVX-512, but more spills with AVX2 (40.8M -> 41.3M),
  // s_rf_full_t100_f20 0.99, x_d12_t100_f25_reg_nan10 1.04.  The deeper
  // levels in a function of their own (noinline, rows and nodes in local
  // copies), so that their registers no longer move with the code around
  // them: a level 142 (AVX2) and 150 (AVX-512) instructions, but the call
  // and copies 123 a group (40.8M -> 42.4M), s_rf_full_t100_f20 1.03,
  // x_d12_t100_f25_reg_nan10 1.07.  Taking all R lanes' leaf pointers and a
  // whole group's additions with a constant count: GCC re-allocated the walk
  // (a level 144 -> 161 instructions, an end check 4 -> 43): 46.2M.  No
  // prefetch of the next rows: s_rf_d10_t200_f40_c4 1.11.  Reading the row
  // unclamped where every node's feature is inside it is not possible:
  // leaves' info holds the leaf row, and the walks step on from leaves.
  // Leaf pointers for all R lanes (no test against the tail, alone): again
  // 40.8M -> 46.3M.  Leaves added right after their own walk where a tree's
  // leaf values are under 16 KB (s_rf_full_t100_f20: 9.6 KB): 40.6M, but
  // s_rf_d10_t200_f40_c4 (still deferred) 1.10 from the code moved around it.
  // Row blocks sized for L2 (as for small trees) where only the forest, not
  // a tree, exceeds it: s_rf_d10_t200_f40_c4 1.08, x_d12_t100_f25_reg_nan10
  // 1.08, s_rf_full_t100_f20 1.02.  The end looked for at even levels
  // (after one level below the table, then every 2): 40.8M -> 41.0M.
  //
  // Also dropped, the top levels with lanes = rows (AVX-512; CPU time, 10,000
  // rows, interleaved A/B against main in one process, median (worst) of 15
  // pairs on a loaded 2-core Zen 4 VM, where identical libraries gave 1.01
  // (1.08); s_rf_full_t100_f20 / s_etr_full_t50_f12): every level of the
  // table for 4 groups of 16 rows at once, a chunk of 192 rows before its
  // groups walk on, the rows' values by 16-lane gathers, the positions'
  // offsets and thresholds by permutes (positions < 64) or gathers: 1.24
  // (1.80) / 1.15 (1.41), x_d12_t100_f25_reg_nan10 1.17 (1.48); chunks of
  // 48 or 960 rows no better.  A 16-lane gather costs ~27 cycles here (1.7
  // an element, throughput), and in place the vector pass took ~75 us a
  // tree where the scalar top levels take ~60 us (~100 us alone in a
  // micro-benchmark: the rest of the walk hides much of them).  Without
  // gathers, from a copy of the block as columns: the first 5 levels' 31
  // positions compared for 16 rows by plain loads, the outcomes packed as
  // bits a lane, the scalar table walk resumed at level 5: 1.05 (1.36) /
  // 1.04 (1.20); first 4 levels 1.07 (1.25) / 1.03 (1.08); first 3 1.09
  // (1.24) / 1.11 (1.20).  Nor, on the scalar table: 11 levels, 1.01 (1.11)
  // / 1.02 (1.08); bottom as uint32 (16 -> 12 KB), 1.02 (1.20) / 1.03
  // (1.16), with offset and threshold side by side 1.07 (1.19) / 1.05
  // (1.36); two levels a step (both children's values read beside the
  // parent's, the outcome picked without a branch), 1.29 (1.57) / 1.15
  // (1.47).
  //
  // Rows at a constant stride (S > 0, strided_rows): a block's rows copied
  // once (the copy serves every tree) at a stride of S features, a
  // compile-time constant, so that walk i's row is the group's pointer plus
  // a constant i * S * 4 folded into each load's address: one register where
  // each walk held a row pointer (24 general registers wanted, 16 exist).
  // That freed room for 16 walks, which is where it pays (CPU time new/old,
  // 10,000 rows, interleaved in one process, median of 15-21 pairs, loaded
  // 2-core EPYC VM, avx512bw unless said; callgrind avx2 2,000 rows):
  //  * 12 walks, S = 32 for 20 features: 40.8M -> 40.1M instructions but
  //    1.04-1.06x the time: the copy (1.28 MB at 10,000 rows) no longer fits
  //    L2 beside the tree, which the row-major rows (0.8 MB) did.  Padded
  //    rows cost 3-4% (S = 24 for 20 features, 16 for 12, 32 for 25 against
  //    exact S), hence S in steps of 4 to 32, then 40, 48, 64.
  //  * the clamp of the feature offset in C: GCC knew it small and added the
  //    constant in 32 bits (an add a level) and moved the limit into a
  //    register every level; by inline asm (clamped_offset, the limit a
  //    memory operand): 40.1M -> 39.7M (12 walks).
  //  * 14, 16, 20, 24 walks (12 walks = 1): 0.98, 0.95, 0.99 and 1.03 (20
  //    and 24 only with their lane loops unrolled by pragma, without: 1.35,
  //    58M instructions).
  //  * the leaf rows taken with constant lane numbers (the loop unrolled, a
  //    test against the tail group's count): GCC had kept idx[] in memory
  //    too, a store a walk and level beside its register: 40.2M -> 39.0M,
  //    0.93x.  With that, 20 and 24 walks against 16: 1.01-1.07 and
  //    1.03-1.07 on the deep shapes.  The same for the 12 walks over row
  //    pointers: s_rf_d10_t200_f40_c4 1.02, no gain elsewhere.
  //  * then dropped: the end looked for at every level (39.0M -> 37.7M but
  //    1.02-1.08x the time); no prefetch of the next group's rows (0.97-1.02)
  //    or its lines unrolled (constant count) to L1 or past it (0.98-1.02);
  //    11 table levels (0.99-1.01); the 10 table levels unrolled where a
  //    tree fills them (1.03-1.04 on three of five shapes, 0.98 on two, and
  //    1.8 MB more code); the child clamp's limit (last node) as a memory
  //    operand of inline asm as well (40.8M instructions, 1.10-1.13).
  //  * feature-major groups instead of padded rows (walk i's value of
  //    feature f at group + f * 16 + i: no padding, one instantiation; the
  //    offset scaled by a shift a level): 1.03-1.09x the padded copy's time
  //    on deep trees, 0.97 on s_rf_d10_t200_f40_c4.
  // All against main (median of 31 pairs, two runs; worst in brackets):
  // s_rf_full_t100_f20 0.935-0.951 (1.12-1.33), 39.0M instructions (was
  // 40.8M); s_etr_full_t50_f12 0.944-0.950; s_rfr_full_t30_f8 0.904-0.911;
  // rf_large 0.900-0.917 (0.99); x_d12_t100_f25_reg_nan10 0.942-0.947, 36.0M
  // (was 40.8M).  AVX2 (21 pairs): 0.948, 1.006, 0.921, 0.965, 0.949.  But
  // trees no deeper than the table (s_rf_d10_t200_f40_c4: 52.6M -> 47.8M)
  // took 1.03-1.04x with AVX-512 (0.98 with AVX2), so they keep the row
  // pointers.  SSE4.2 keeps them too (code size: an S is ~13 KB per ISA and
  // Missing; the library grows by ~490 KB).
  static constexpr size_t strided_walks = 16;
  template <bool Missing, bool Categorical, bool Large, size_t S, class T>
  static void rows(const TreeEnsembleView& v, const T* X, size_t n_rows, double* raw, T* copy = nullptr) noexcept {
    constexpr size_t R = S ? strided_walks : 12;
    const T* threshold = thresholds<T>(v);
    const uint64_t last = v.n_nodes - 1;
    const uint32_t last_feature = v.n_features - 1;
    const size_t block = walk_block_rows(v, Large, sizeof(T), cache_sizes());
    // Float32 trees of 6 levels or more without category sets: every row
    // walks the top levels through a complete tree (TopLevels), then on from
    // the node it reached.
    constexpr bool use_top = top_tables_possible(sizeof(T) == 4, Categorical);
    struct NoTop {};
    std::conditional_t<use_top, TopLevels<Missing>, NoTop> top;
    for (size_t b0 = 0; b0 < n_rows; b0 += block) {
      const size_t nb = min_size(block, n_rows - b0);
      const T* Xb = X + b0 * v.n_features;
      double* rawb = raw + b0 * v.n_raw;
      if constexpr (S > 0) copy_rows<S, R>(Xb, nb, v.n_features, copy);
      for (uint32_t t = 0; t < v.n_trees; ++t) {
        const auto root = static_cast<uint32_t>(min_u64(v.tree_root[t], last));
        const uint32_t depth = depth_of(v, t);
        const TreeLeafAdder add(v, t);
        bool top_walk = false, covered = false;
        if constexpr (use_top) {
          // Enough levels (above), and a block of at least as many rows as
          // the table has positions (its cost).
          const uint32_t levels = top_table_levels(depth);
          top_walk = top_table_applies(depth, Large) && nb >= (size_t{1} << levels);
          covered = top_walk && depth <= levels;
          if (top_walk) build_top_levels(v, root, last, last_feature, levels, top, covered);
        }
        // The leaf row a walk that ended on n adds: a table that covers the
        // whole tree holds rows already.
        auto leaf_row = [&](uint64_t n) __attribute__((always_inline)) { return covered ? n : leaf_row_of(v, n); };
        const double* pending[R];  // Large: the previous group's leaf rows' values
        size_t n_pending = 0, pending_row = 0;
        // Large: the next tree's nodes, fetched in order a few lines per
        // group while this tree is walked.
        uint64_t fetch = 0, fetch_end = 0, fetch_step = 0;
        if constexpr (Large) {
          if (t + 1 < v.n_trees) {
            fetch = min_u64(v.tree_root[t + 1], last);
            fetch_end = t + 2 < v.n_trees ? min_u64(v.tree_root[t + 2], v.n_nodes) : v.n_nodes;
            if (fetch_end < fetch) fetch_end = fetch;
            const uint64_t groups = (nb + R - 1) / R;
            fetch_step = ((fetch_end - fetch) / 16 + groups - 1) / groups * 16;  // whole lines of uint32
          }
        }
        // The walks' rows.  Large: set once per tree and moved on by R rows
        // after each group, set from r only for the tail group (a group set-up
        // was 9.6 instructions a row and tree on s_rf_full_t100_f20).
        // S > 0: one pointer, walk i's row at a constant distance from it.
        const T* x[S ? 1 : R];
        const T* group = copy;
        auto row_of = [&](size_t i) __attribute__((always_inline)) {
          if constexpr (S > 0)
            return group + i * S;
          else
            return x[i];
        };
        if constexpr (Large && S == 0)
          for (size_t i = 0; i < R; ++i) x[i] = Xb + min_size(i, nb - 1) * v.n_features;
        for (size_t r = 0; r < nb; r += R) {
          const size_t m = min_size(R, nb - r);
          Index<T> idx[R];
          _Pragma("GCC unroll 16") for (size_t i = 0; i < R; ++i) idx[i] = root;
          if constexpr (S == 0) {
            if (!Large || m < R)
              for (size_t i = 0; i < R; ++i)
                x[i] = Xb + (r + (i < m ? i : m - 1)) * v.n_features;  // tail lanes repeat the last row
          }
          if constexpr (Large) {
            for (uint64_t e = min_u64(fetch + fetch_step, fetch_end); fetch < e; fetch += 16) {
              __builtin_prefetch(v.node_info + fetch, 0, 2);
              __builtin_prefetch(v.node_child + fetch, 0, 2);
              __builtin_prefetch(threshold + fetch, 0, 2);
            }
            if (r + 2 * R <= nb) {
              const char* next_rows = reinterpret_cast<const char*>(S ? group + R * S : Xb + (r + R) * v.n_features);
              // Four lines an iteration: the loop's own instructions were 5.6 a
              // row and tree (s_rf_full_t100_f20, 15 lines a group).
              const size_t bytes = R * (S ? S : v.n_features) * sizeof(T);
              size_t b = 0;
              for (; b + 4 * 64 <= bytes; b += 4 * 64) {
                __builtin_prefetch(next_rows + b, 0, 0);
                __builtin_prefetch(next_rows + b + 64, 0, 0);
                __builtin_prefetch(next_rows + b + 128, 0, 0);
                __builtin_prefetch(next_rows + b + 192, 0, 0);
              }
              for (; b < bytes; b += 64) __builtin_prefetch(next_rows + b, 0, 0);
            }
          }
          uint32_t s = 0;
          if constexpr (use_top) {
            if (top_walk) {
              walk_top_levels<Missing, R>(top, row_of, idx);
              s = top.levels;
            }
          }
          for (; s < depth; ++s) {
            // Leaves are fixed points (§5): walks that arrived stay put.
            _Pragma("GCC unroll 16") for (size_t i = 0; i < R; ++i)
              idx[i] = step<Missing, Categorical, T, S>(v, threshold, row_of(i), idx[i], last, last_feature);
            // Every 4 (2) levels, stop once all R rows sit on leaves (deep trees).
            if ((s & (Large ? 1 : 3)) == (Large ? 1u : 3u)) {
              bool moving = false;
              _Pragma("GCC unroll 16") for (size_t i = 0; i < R; ++i) moving = moving || v.node_child[idx[i]] != idx[i];
              if (!moving) break;
            }
          }
          if constexpr (Large) {
            add.add_rows(pending, n_pending, rawb + pending_row * v.n_raw, v.n_raw);
            if constexpr (S > 0) {
              // Constant lane numbers (the loop unrolled): with a run-time
              // count GCC kept idx[] in memory too, a store a walk and level
              // beside its register (s_rf_full_t100_f20, 16 walks: 1.08x).
              _Pragma("GCC unroll 16") for (size_t i = 0; i < R; ++i) {
                if (i < m) {
                  pending[i] = add.values(leaf_row(idx[i]));
                  __builtin_prefetch(pending[i]);
                }
              }
            } else {
              for (size_t i = 0; i < m; ++i) {
                pending[i] = add.values(leaf_row(idx[i]));
                __builtin_prefetch(pending[i]);
              }
            }
            n_pending = m;
            pending_row = r;
            if constexpr (S > 0)
              group += R * S;
            else
              for (size_t i = 0; i < R; ++i) x[i] += R * v.n_features;
          } else {
            for (size_t i = 0; i < m; ++i)
              add(leaf_row(idx[i]), rawb + (r + i) * v.n_raw);
          }
        }
        add.add_rows(pending, n_pending, rawb + pending_row * v.n_raw, v.n_raw);
      }
    }
  }

  // A block's nb rows of n features copied to `to` at stride S (n <= S), each
  // padded with its last feature (a feature clamped at S - 1 reads what one
  // clamped at n - 1 reads), and R - 1 more rows repeating the last one (the
  // tail group's extra walks).
  template <size_t S, size_t R>
  static void copy_rows(const float* X, size_t nb, uint32_t n, float* to) noexcept {
    for (size_t r = 0; r < nb + R - 1; ++r, to += S) {
      const float* x = X + min_size(r, nb - 1) * n;
      std::memcpy(to, x, n * sizeof(float));
      for (size_t f = n; f < S; ++f) to[f] = x[n - 1];
    }
  }

  // The large-tree walk over float32 rows of up to S features, read from a
  // copy of each block at the constant stride S (copy_rows): the walks' rows
  // are then one pointer and constant displacements (see above rows()).
  template <bool Missing, bool Categorical, size_t S, class T>
  static void strided_rows(const TreeEnsembleView& v, const T* X, size_t n_rows, double* raw) noexcept {
    constexpr size_t R = strided_walks;
    const size_t copied = min_size(walk_block_rows(v, true, sizeof(T), cache_sizes()), n_rows) + R - 1;
    ThreadScratch copy(copied * S * sizeof(float));
    if (!copy.data()) return rows<Missing, Categorical, true, 0>(v, X, n_rows, raw);
    rows<Missing, Categorical, true, S>(v, X, n_rows, raw, static_cast<float*>(copy.data()));
  }

  template <bool Missing, bool Categorical, class T>
  static void rows(const TreeEnsembleView& v, const T* X, size_t n_rows, double* raw) noexcept {
    if (walks_large_trees(v, cache_sizes())) {
      if constexpr (sizeof(T) == 4 && !Categorical) {
        // AVX2 and AVX-512 (code size: SSE4.2 CPUs keep the row pointers),
        // trees deeper than the top levels' table (the deeper levels gain).
        if constexpr (W >= 8) {
          const uint32_t n = v.max_depth > max_top_levels ? v.n_features : ~0u;
          if (n <= 8) return strided_rows<Missing, Categorical, 8>(v, X, n_rows, raw);
          if (n <= 12) return strided_rows<Missing, Categorical, 12>(v, X, n_rows, raw);
          if (n <= 16) return strided_rows<Missing, Categorical, 16>(v, X, n_rows, raw);
          if (n <= 20) return strided_rows<Missing, Categorical, 20>(v, X, n_rows, raw);
          if (n <= 24) return strided_rows<Missing, Categorical, 24>(v, X, n_rows, raw);
          if (n <= 28) return strided_rows<Missing, Categorical, 28>(v, X, n_rows, raw);
          if (n <= 32) return strided_rows<Missing, Categorical, 32>(v, X, n_rows, raw);
          if (n <= 40) return strided_rows<Missing, Categorical, 40>(v, X, n_rows, raw);
          if (n <= 48) return strided_rows<Missing, Categorical, 48>(v, X, n_rows, raw);
          if (n <= 64) return strided_rows<Missing, Categorical, 64>(v, X, n_rows, raw);
        }
      }
      rows<Missing, Categorical, true, 0>(v, X, n_rows, raw);
    } else {
      rows<Missing, Categorical, false, 0>(v, X, n_rows, raw);
    }
  }

  // A few rows of a float64-threshold model (no gathers of doubles here): R
  // trees of a row walk side by side with plain loads, each level
  // branch-free, and their leaves are added in tree order.  The scalar
  // reference's walk branches on every node (s_hgb_l31_t200_f30, one row:
  // 9.5 us).  Float32 models take this walk too where it beats the gathers
  // of trees() (few_rows_walk_scalar, tree_cost.hpp).
  //
  // R = 8 walks fit the general registers and leave GCC nothing to
  // vectorise; with 16, GCC vectorised the lanes, fewer instructions
  // (callgrind avx2) but slower on Zen 4, and scalar 16 spilled.  Fewer lanes
  // also wait less on the deepest walk of their group (HistGradientBoosting
  // trees of one model range from depth 9 to 31): s_hgbr_l127_t100_f60 ran
  // 2,216 lane-steps a row, 1,806 with 8 lanes checked every 2 levels (1,166
  // are needed).  CPU time per 1-row call, avx512bw, interleaved: 6.03 ->
  // 3.95 us; 6, 8 or 10 lanes, every 1 or 2 levels, within 5% of each other.
  // Tried and dropped: lanes that reach a leaf take the next tree (refilled
  // once half, 2 or 6 of the 8 are done; leaves kept per tree and added in
  // order): AVX2, float32, paired one-row CPU time 1.19-1.58x this walk's,
  // x_lg63_t150_f12_c4 (mean path 6.9 levels, 11.7 for the deepest of 8)
  // 1.19-1.25x: the per-lane bookkeeping costs more than the idle steps.
  template <bool Missing, bool Categorical, class T>
  static void row_trees(const TreeEnsembleView& v, const T* X, size_t n_rows, double* raw) noexcept {
    constexpr uint32_t R = 8;
    const T* threshold = thresholds<T>(v);
    const uint64_t last = v.n_nodes - 1;
    const uint32_t last_feature = v.n_features - 1;
    for (size_t r = 0; r < n_rows; ++r) {
      const T* x = X + r * v.n_features;
      double* out = raw + r * v.n_raw;
      for (uint32_t t0 = 0; t0 < v.n_trees; t0 += R) {
        const uint32_t m = v.n_trees - t0 < R ? v.n_trees - t0 : R;
        uint32_t idx[R];
        uint32_t depth = 0;
        for (uint32_t i = 0; i < R; ++i) {
          const uint32_t t = t0 + (i < m ? i : m - 1);  // tail lanes repeat the last tree
          idx[i] = static_cast<uint32_t>(min_u64(v.tree_root[t], last));
          const uint32_t d = depth_of(v, t);
          depth = d > depth ? d : depth;
        }
        for (uint32_t s = 0; s < depth; ++s) {
          for (uint32_t i = 0; i < R; ++i)
            idx[i] = step<Missing, Categorical>(v, threshold, x, idx[i], last, last_feature);
          // Every level (float32) or every 2 (float64), stop once all R
          // walks sit on leaves.  Float32 one row, AVX2, paired: checking
          // every level took 0.94-1.00x the time of every 2 on the 15 sweep
          // shapes this walk serves (geomean 0.974); float64 0.98-1.04x.
          if (sizeof(T) == 4 || (s & 1) == 1) {
            bool moving = false;
            for (uint32_t i = 0; i < R; ++i) moving = moving || v.node_child[idx[i]] != idx[i];
            if (!moving) break;
          }
        }
        for (uint32_t i = 0; i < m; ++i)
          add_leaf(v, t0 + i, leaf_row_of(v, idx[i]), out);
      }
    }
  }

  // A few rows: lanes = trees, one row at a time.  Up to N lane groups walk
  // side by side, as many as there are trees left (N = 4: 5-17% faster than
  // 2 on Zen 5, one row; 6 and 8 are slower again).  Rows of up to 16 * K
  // features are looked up in registers (K > 0), wider ones gathered.
  //
  // Tried and dropped (AVX-512): a lane whose tree reached its leaf (or its
  // own depth) takes the next tree at once (roots and depths expanded into
  // the free lanes, leaves kept per tree in chunks of 512 and added in
  // order; bit-identical on the 31 sweep shapes).  A Zen 4 gather costs the
  // same whatever its mask (16 lanes or 1: ~5 ns, measured), so the idle
  // lanes of a group waiting on its deepest tree looked like the cost to
  // cut.  But paired one-row CPU time was 1.00-1.52x this walk's on every
  // shape it served (x_lg63_t150_f12_c4 1.04, x_lg255_t1000_f20 1.16,
  // s_rf_full_t100_f20 1.26, x_d8_t40_f15_reg 1.52), also with the
  // finished lanes written by a masked scatter (1.21-1.57) or without the
  // branch around the refill (1.06-1.63): the groups' chains of dependent
  // gathers set the pace, and the refill lengthens them.  Nor: prefetching
  // the next pass's nodes (its trees' three node ranges, a share after each
  // level, to L2 or L1): after 2 MB of other work between calls, as in the
  // paired benchmark, 0.96-1.03x; cached 1.03-1.14x; trees of ~900 nodes
  // (s_rf_d10_t200_f40_c4) 1.7-2.7x.  Nor: walking the trees in order of
  // depth (so that a group's trees end together; leaves put back in tree
  // order before the additions): 0.995-1.04x on six deep or lossguide
  // shapes (x_lg63_t150_f12_c4, whose groups walk 1.36x the sum of their
  // trees' depths, 1.03x).  Nor, for one row, the bit-vector layout with
  // lanes = a word's records (16 compares at once, the cleared leaves
  // or-reduced per word, later words skipped once a leaf is found;
  // bit-identical): 1.15x on x_lg63_t150_f12_c4, 2.2-5.6x on seven other
  // shapes.
  template <bool Missing, bool Categorical, size_t K>
  static void trees(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
    constexpr size_t N = 4;
    const auto* root_base = reinterpret_cast<const int32_t*>(v.tree_root);
    const auto* info_base = reinterpret_cast<const int32_t*>(v.node_info);
    const I feature_mask(static_cast<int32_t>(node_feature_mask));
    // Leaf rows as add_leaf clamps them (node_feature_mask < 2^31: int32 lanes).
    const I last_leaf(static_cast<int32_t>(min_u64(v.n_leaves - 1, node_feature_mask)));
    const I last(static_cast<int32_t>(v.n_nodes - 1));
    const I last_tree(static_cast<int32_t>(v.n_trees - 1));
    alignas(64) int32_t lane[W];
    for (size_t l = 0; l < W; ++l) lane[l] = static_cast<int32_t>(l);
    const I lanes = I::load_aligned(lane);
    I off[N];
    for (size_t g = 0; g < N; ++g) off[g] = I(0);
    for (size_t r = 0; r < n_rows; ++r) {
      const float* x = X + r * v.n_features;
      double* out = raw + r * v.n_raw;
      const typename O::template RowRegs<K> row(x, v.n_features);
      for (uint32_t t0 = 0; t0 < v.n_trees; t0 += N * W) {
        const uint32_t m = v.n_trees - t0 < N * W ? v.n_trees - t0 : static_cast<uint32_t>(N * W);
        const size_t n = (m + W - 1) / W;  // lane groups with trees
        I idx[N];
        uint32_t depth = 0;
        for (size_t g = 0; g < N; ++g) {
          const I tree = O::min(lanes + I(static_cast<int32_t>(t0 + g * W)), last_tree);
          idx[g] = g < n ? O::clamp(O::gather(root_base, tree), last) : I(0);  // groups past n do not walk
        }
        for (uint32_t t = t0; t < t0 + m; ++t) {
          const uint32_t d = depth_of(v, t);
          depth = d > depth ? d : depth;
        }
        walk<Missing, Categorical, N, K>(v, x, off, idx, depth, n, &row);
        // The leaf rows, a gather per lane group; then the row adds them in
        // tree order (add_leaves).
        alignas(64) int32_t leaf[N * W];
        for (size_t g = 0; g < n; ++g)
          O::min(O::gather(info_base, idx[g]) & feature_mask, last_leaf).store_aligned(leaf + g * W);
        add_leaves(v, t0, m, leaf, out);
      }
    }
  }

  // One row at a time over the complete-tree layout: a walk (CompleteWalk8,
  // CompleteWalk4) takes N = 2 groups of 16 trees a pass, their leaves are
  // added in tree order, a few after each level of the next pass where they
  // apply (DeferredLeaves).  make_row(x): what the walk looks the row up in.
  template <class Walk, class MakeRow>
  static void complete_rows(const TreeEnsembleView& v, const Walk& walk, const float* X, size_t n_rows, double* raw,
                            MakeRow&& make_row) noexcept {
    constexpr uint32_t N = 2, L = complete_tree_lanes;
    const uint64_t groups = (uint64_t{v.n_trees} + L - 1) / L;
    const bool defer = DeferredLeaves::applies(v);
    const uint32_t per_level = (N * L + v.complete.depth - 1) / v.complete.depth;
    for (size_t r = 0; r < n_rows; ++r) {
      const float* x = X + r * v.n_features;
      double* out = raw + r * v.n_raw;
      const auto row = make_row(x);
      alignas(64) int32_t leaf[2][N * L];
      DeferredLeaves deferred(v, out);
      for (uint64_t g0 = 0, p = 0; g0 < groups; g0 += N, p ^= 1) {
        const uint32_t n = static_cast<uint32_t>(min_u64(N, groups - g0));
        auto between = [&]() __attribute__((always_inline)) {
          if (defer) deferred.step(per_level);
        };
        if (n == 2)
          walk.template operator()<2>(g0, x, row, leaf[p], between);
        else
          walk.template operator()<1>(g0, x, row, leaf[p], between);
        const auto t0 = static_cast<uint32_t>(g0 * L);
        const uint32_t m = static_cast<uint32_t>(min_u64(v.n_trees - t0, uint64_t{n} * L));
        if (defer)
          deferred.defer(t0, m, leaf[p]);
        else
          add_leaves(v, t0, m, leaf[p], out);
      }
      if (defer) deferred.finish();
    }
  }

  // Levels 0-2 of a one-row walk over the complete-tree layout, shared by
  // CompleteWalk4 and CompleteWalk8 (H vectors of lanes): a level's 1, 2 or
  // 4 nodes are loaded for every lane side by side (walk.unpack) and picked
  // by blends on the lanes' node numbers, no gathers (the gathers sat on
  // every level's chain).  Lanes: the vector width's few operations.
  template <class Lanes, uint32_t H, class Walk, class Row, class Between>
  static __attribute__((always_inline)) void complete_top_levels(const Walk& walk, uint32_t depth,
                                                                 const uint64_t* const (&base)[H],
                                                                 typename Lanes::I (&node)[H],
                                                                 const float* x, const Row& row,
                                                                 Between& between) noexcept {
    using VF = typename Lanes::F;
    using VI = typename Lanes::I;
    for (uint32_t h = 0; h < H; ++h) {  // level 0: every lane at its root, node 0
      VI info;
      VF t;
      Walk::unpack(base[h], info, t);
      node[h] = walk.decide(Lanes::zero(), info, t, x, row);
    }
    between();
    if (depth > 1) {  // node 1 or 2: both nodes' loads and a blend
      for (uint32_t h = 0; h < H; ++h) {
        VI i1, i2;
        VF t1, t2;
        Walk::unpack(base[h] + 16, i1, t1);
        Walk::unpack(base[h] + 32, i2, t2);
        const VF two = Lanes::as_f(Lanes::eq(node[h], 2));
        const VI info = Lanes::as_i(Lanes::blend(Lanes::as_f(i1), Lanes::as_f(i2), two));
        node[h] = walk.decide(node[h], info, Lanes::blend(t1, t2, two), x, row);
      }
      between();
    }
    if (depth > 2) {  // nodes 3-6: four nodes' loads and three blends
      for (uint32_t h = 0; h < H; ++h) {
        VI i3, i4, i5, i6;
        VF t3, t4, t5, t6;
        Walk::unpack(base[h] + 48, i3, t3);
        Walk::unpack(base[h] + 64, i4, t4);
        Walk::unpack(base[h] + 80, i5, t5);
        Walk::unpack(base[h] + 96, i6, t6);
        const VI k = Lanes::minus(node[h], 3);
        const VF odd = Lanes::as_f(Lanes::template shl<31>(k));  // blends on the sign bit
        const VF upper = Lanes::as_f(Lanes::template shl<30>(k));
        auto pick = [&](VF a, VF b, VF c, VF d) __attribute__((always_inline)) {
          return Lanes::blend(Lanes::blend(a, b, odd), Lanes::blend(c, d, odd), upper);
        };
        const VI info = Lanes::as_i(pick(Lanes::as_f(i3), Lanes::as_f(i4), Lanes::as_f(i5), Lanes::as_f(i6)));
        node[h] = walk.decide(node[h], info, pick(t3, t4, t5, t6), x, row);
      }
      between();
    }
  }

#if defined(__SSE4_1__)
  struct Lanes4 {
    using F = __m128;
    using I = __m128i;
    static I zero() noexcept { return _mm_setzero_si128(); }
    static I eq(const I& a, int32_t v) noexcept { return _mm_cmpeq_epi32(a, _mm_set1_epi32(v)); }
    static I minus(const I& a, int32_t v) noexcept { return _mm_sub_epi32(a, _mm_set1_epi32(v)); }
    template <int n>
    static I shl(const I& a) noexcept { return _mm_slli_epi32(a, n); }
    static F blend(const F& a, const F& b, const F& m) noexcept { return _mm_blendv_ps(a, b, m); }
    static F as_f(const I& a) noexcept { return _mm_castsi128_ps(a); }
    static I as_i(const F& a) noexcept { return _mm_castps_si128(a); }
    // The child a node (info, threshold t) sends x to, as child() below.
    template <bool Missing>
    static I child(const I& node, const F& x, const F& t, const I& info) noexcept {
      F left = _mm_cmple_ps(x, t);  // false for NaN
      if constexpr (Missing) {
        const I bit = _mm_set1_epi32(static_cast<int32_t>(node_missing_left));
        left = _mm_or_ps(left, _mm_and_ps(_mm_cmpunord_ps(x, x), as_f(_mm_cmpeq_epi32(_mm_and_si128(info, bit), bit))));
      }
      return _mm_add_epi32(_mm_add_epi32(node, node), _mm_add_epi32(_mm_set1_epi32(2), as_i(left)));
    }
  };
#endif
#if defined(__AVX2__)
  struct Lanes8 {
    using F = __m256;
    using I = __m256i;
    static I zero() noexcept { return _mm256_setzero_si256(); }
    static I eq(const I& a, int32_t v) noexcept { return _mm256_cmpeq_epi32(a, _mm256_set1_epi32(v)); }
    static I minus(const I& a, int32_t v) noexcept { return _mm256_sub_epi32(a, _mm256_set1_epi32(v)); }
    template <int n>
    static I shl(const I& a) noexcept { return _mm256_slli_epi32(a, n); }
    static F blend(const F& a, const F& b, const F& m) noexcept { return _mm256_blendv_ps(a, b, m); }
    static F as_f(const I& a) noexcept { return _mm256_castsi256_ps(a); }
    static I as_i(const F& a) noexcept { return _mm256_castps_si256(a); }
    // The child, 2n + 1 or 2n + 2, that node n (info, threshold t) sends x
    // to: left where x <= t, or where x is NaN and the node sends missing
    // values left.  The comparison's all-ones "left" is -1 added to 2n + 2:
    // O::go_right's 0 or 1 took two instructions more a level (one-row CPU
    // time, paired, on the 13 sweep shapes with the layout: 0.87-0.97x on
    // SSE4.2, 0.91-1.03x on AVX2).
    template <bool Missing>
    static I child(const I& node, const F& x, const F& t, const I& info) noexcept {
      F left = _mm256_cmp_ps(x, t, _CMP_LE_OQ);
      if constexpr (Missing) {
        const I bit = _mm256_set1_epi32(static_cast<int32_t>(node_missing_left));
        left = _mm256_or_ps(left, _mm256_and_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q),
                                                as_f(_mm256_cmpeq_epi32(_mm256_and_si256(info, bit), bit))));
      }
      return _mm256_add_epi32(_mm256_add_epi32(node, node), _mm256_add_epi32(_mm256_set1_epi32(2), as_i(left)));
    }
  };
#endif

#if defined(__SSE4_1__)
  // One row over the complete-tree layout with SSE4.2 (W = 4), as
  // CompleteWalk8 with quarters of 4 lanes and no gathers: levels 0-2 by
  // plain loads and blends, deeper ones and the leaves by 4 scalar loads,
  // the row's values by 4 scalar loads.  Paired one-row CPU time against the
  // 8 scalar walks (row_trees) it replaces, Zen 4 with SSE4.2 forced, the 13
  // sweep shapes with the layout: 0.49-0.82x on 12 (x_d2_t2000_f100_reg
  // 0.49, x_d3_t700_f10_c3 0.72, s_gbr_d5_t150_f50 0.68), 1.02x on
  // s_rf_d4_t50_f10 (two values a leaf, added after each pass);
  // bit-identical on all 31.
  template <bool Missing>
  class CompleteWalk4 {
   public:
    struct NoRow {};  // the row is read from memory
    CompleteWalk4(const TreeEnsembleView& v) noexcept
        : nodes_(v.complete.nodes), leaves_(v.complete.leaves), depth_(v.complete.depth),
          inner_((uint64_t{1} << v.complete.depth) - 1),
          last_feature_(_mm_set1_epi32(static_cast<int32_t>(v.n_features - 1))),
          last_leaf_(_mm_set1_epi32(static_cast<int32_t>(min_u64(v.n_leaves - 1, node_feature_mask)))),
          bottom_(_mm_set1_epi32(static_cast<int32_t>(inner_))) {}

    // The leaf rows (clamped) that row x reaches in groups [g0, g0 + N), into
    // leaf[0, N * 16); `between()` runs after each level.
    template <uint32_t N, class Between>
    __attribute__((always_inline)) void operator()(uint64_t g0, const float* x, const NoRow&, int32_t* leaf,
                                                   Between&& between) const noexcept {
      constexpr uint32_t Q = 4 * N, L = complete_tree_lanes;  // quarters of 4 lanes
      const uint64_t* base[Q];
      __m128i node[Q];
      for (uint32_t q = 0; q < Q; ++q) base[q] = nodes_ + (g0 + q / 4) * inner_ * L + (q % 4) * 4;
      complete_top_levels<Lanes4, Q>(*this, depth_, base, node, x, NoRow{}, between);
      for (uint32_t s = 3; s < depth_; ++s) {
        for (uint32_t q = 0; q < Q; ++q) {
          const uint64_t* b = base[q];
          const __m128i a = _mm_set_epi64x(static_cast<long long>(b[lane(node[q], 1) * L + 1]),
                                           static_cast<long long>(b[lane(node[q], 0) * L]));
          const __m128i c = _mm_set_epi64x(static_cast<long long>(b[lane(node[q], 3) * L + 3]),
                                           static_cast<long long>(b[lane(node[q], 2) * L + 2]));
          const __m128 pa = _mm_castsi128_ps(a), pc = _mm_castsi128_ps(c);
          node[q] = decide(node[q], _mm_castps_si128(_mm_shuffle_ps(pa, pc, 0x88)), _mm_shuffle_ps(pa, pc, 0xDD), x);
        }
        between();
      }
      for (uint32_t q = 0; q < Q; ++q) {
        const __m128i bottom = _mm_sub_epi32(node[q], bottom_);
        const uint32_t* lbase = leaves_ + ((g0 + q / 4) << depth_) * L + (q % 4) * 4;
        const __m128i rows = _mm_setr_epi32(
            static_cast<int32_t>(lbase[lane(bottom, 0) * L]), static_cast<int32_t>(lbase[lane(bottom, 1) * L + 1]),
            static_cast<int32_t>(lbase[lane(bottom, 2) * L + 2]), static_cast<int32_t>(lbase[lane(bottom, 3) * L + 3]));
        // Unsigned: a crafted row of 2^31 or more is clamped too.
        _mm_store_si128(reinterpret_cast<__m128i*>(leaf + q * 4), _mm_min_epu32(rows, last_leaf_));
      }
    }

    template <int l>
    static __attribute__((always_inline)) uint32_t lane(const __m128i& v) noexcept {
      return static_cast<uint32_t>(_mm_extract_epi32(v, l));
    }
    static __attribute__((always_inline)) uint32_t lane(const __m128i& v, int l) noexcept {
      switch (l) {
        case 0: return static_cast<uint32_t>(_mm_cvtsi128_si32(v));
        case 1: return lane<1>(v);
        case 2: return lane<2>(v);
        default: return lane<3>(v);
      }
    }

    // The 4 lanes' nodes at p (one node of each lane's tree, in order).
    static __attribute__((always_inline)) void unpack(const uint64_t* p, __m128i& info, __m128& t) noexcept {
      const __m128 a = _mm_loadu_ps(reinterpret_cast<const float*>(p));      // lanes 0, 1
      const __m128 b = _mm_loadu_ps(reinterpret_cast<const float*>(p + 2));  // lanes 2, 3
      info = _mm_castps_si128(_mm_shuffle_ps(a, b, 0x88));
      t = _mm_shuffle_ps(a, b, 0xDD);
    }

    // The lanes' nodes (feature and flags, threshold) decide each lane's
    // child, 2h + 1 or 2h + 2.
    __attribute__((always_inline)) __m128i decide(const __m128i& node, const __m128i& info, const __m128& t,
                                                  const float* x, const NoRow& = {}) const noexcept {
      const __m128i f =
          _mm_min_epi32(_mm_and_si128(info, _mm_set1_epi32(static_cast<int32_t>(node_feature_mask))), last_feature_);
      const __m128 xv = _mm_setr_ps(x[lane(f, 0)], x[lane(f, 1)], x[lane(f, 2)], x[lane(f, 3)]);
      return Lanes4::template child<Missing>(node, xv, t, info);
    }

   private:
    const uint64_t* nodes_;
    const uint32_t* leaves_;
    uint32_t depth_;
    uint64_t inner_;
    __m128i last_feature_, last_leaf_, bottom_;
  };

  template <bool Missing>
  static void complete4(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
    const CompleteWalk4<Missing> walk(v);
    complete_rows(v, walk, X, n_rows, raw, [](const float*) { return typename CompleteWalk4<Missing>::NoRow{}; });
  }
#endif

#if defined(__AVX2__)
  // A row of up to 8 * K features in K registers, looked up by permutes and
  // blends on the feature's bits 3-5 (K = 0: none, the row is gathered;
  // 8 scalar loads instead took 0.99-1.10x the time on the 4 sweep shapes
  // of 100-500 features).
  // Features past the row's width are zeros, never looked up (the indices
  // are clamped).
  template <uint32_t K>
  struct RowRegs8 {
    static_assert(K <= 8);
    __m256 r[K ? K : 1];
    RowRegs8(const float* x, uint32_t n) noexcept {
      r[0] = _mm256_setzero_ps();
      _Pragma("GCC unroll 8") for (uint32_t k = 0; k < K; ++k) {
        const uint32_t left = n > 8 * k ? n - 8 * k : 0;
        const __m256i in_row = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(left < 8 ? left : 8)),
                                                  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        r[k] = _mm256_maskload_ps(left ? x + 8 * k : x, in_row);
      }
    }
    __attribute__((always_inline)) __m256 lookup(const float* x, const __m256i& f) const noexcept {
      if constexpr (K == 0) {
        return _mm256_i32gather_ps(x, f, 4);
      } else {
        __m256 v[K];
        _Pragma("GCC unroll 8") for (uint32_t k = 0; k < K; ++k) v[k] = _mm256_permutevar8x32_ps(r[k], f);
        // Halve the candidates on bit 3, then 4, then 5 (blendv reads the
        // sign bit); an odd last one is kept (its partner's features are
        // past the row, never looked up).  K = ceil(features / 8), not the
        // next power of two: a permute and a blend less a level (one row,
        // paired, AVX2: s_gbr_d5_t150_f50, 7 for 8, 0.94x; s_gb_d2_t500_f20
        // and x_d5_t800_f20_reg_nan30, 3 for 4, 0.975x).  GCC 12 turns each
        // sign-bit blendv into a compare with zero and a blendv; an inline
        // asm vblendvps saved that instruction but measured 0.98-1.05x here
        // over two runs (s_gbr_d5_t150_f50 0.977x, then 1.013x), and cost
        // 4-13% on two shapes in levels 1-2's picks: not taken.
        constexpr uint32_t K1 = (K + 1) / 2, K2 = (K1 + 1) / 2;
        if constexpr (K >= 2) {
          const __m256 bit3 = _mm256_castsi256_ps(_mm256_slli_epi32(f, 28));
          _Pragma("GCC unroll 4") for (uint32_t k = 0; k < K / 2; ++k) v[k] = _mm256_blendv_ps(v[2 * k], v[2 * k + 1], bit3);
          if constexpr (K % 2 == 1) v[K / 2] = v[K - 1];
        }
        if constexpr (K1 >= 2) {
          const __m256 bit4 = _mm256_castsi256_ps(_mm256_slli_epi32(f, 27));
          _Pragma("GCC unroll 2") for (uint32_t k = 0; k < K1 / 2; ++k) v[k] = _mm256_blendv_ps(v[2 * k], v[2 * k + 1], bit4);
          if constexpr (K1 % 2 == 1) v[K1 / 2] = v[K1 - 1];
        }
        if constexpr (K2 >= 2) v[0] = _mm256_blendv_ps(v[0], v[1], _mm256_castsi256_ps(_mm256_slli_epi32(f, 26)));
        return v[0];
      }
    }
  };

  // One row over the complete-tree layout (FORMAT.md §5.1.2) with AVX2 (for
  // CPUs without AVX-512): a group's 16 trees as two halves of 8 lanes, N
  // groups side by side.  A level is one 64-bit load per lane (feature and
  // threshold together; two_pairs) where trees<>() gathers info, child and
  // threshold (3 gathers of 8), and the children by index arithmetic;
  // levels 0-2 are plain loads and blends (the gathers sat on every level's
  // chain).  N = 2 groups: 1, 3 and 4 were 1-22% slower (3 again with the
  // scalar node loads: 0.97-1.15x the time of 2).  Rows of up to 64
  // features are looked up in registers (RowRegs8), wider ones gathered: on
  // Zen 4 an 8-lane gather of the row's values cost more than up to 8
  // permutes and 7 blends (paired one-row CPU time, AVX2, 9-64 features,
  // against gathering them: 0.76-0.84x on the 7 sweep shapes it serves,
  // x_d5_t800_f20_reg_nan30 0.76, s_gbr_d5_t150_f50 0.84; bit-identical on
  // all 31).  CPUs with cheaper gathers may gain less.  Features and leaf rows
  // are clamped as in the scalar reference; positions stay inside the
  // columns, whose lengths open checked.  Tried and dropped: the same layout
  // walked with plain loads, 16 (or 8) trees side by side, step()'s
  // instructions without the child read: one-row CPU time, paired, Zen 4,
  // 1.3-2.6x this kernel's on AVX2 (s_gbr_d5_t150_f50 1.29, x_d6_t100_f8
  // 2.6) and 0.96-1.39x the paths it would replace on SSE4.2.
  template <bool Missing, uint32_t K>
  class CompleteWalk8 {
   public:
    CompleteWalk8(const TreeEnsembleView& v) noexcept
        : nodes_(v.complete.nodes), leaves_(v.complete.leaves), depth_(v.complete.depth),
          inner_((uint64_t{1} << v.complete.depth) - 1),
          lanes_(_mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7)),
          last_feature_(_mm256_set1_epi32(static_cast<int32_t>(v.n_features - 1))),
          last_leaf_(_mm256_set1_epi32(static_cast<int32_t>(min_u64(v.n_leaves - 1, node_feature_mask)))),
          bottom_(_mm256_set1_epi32(static_cast<int32_t>(inner_))) {}

    // The leaf rows (clamped) that row x reaches in groups [g0, g0 + N), into
    // leaf[0, N * 16); `between()` runs after each level.
    template <uint32_t N, class Between>
    __attribute__((always_inline)) void operator()(uint64_t g0, const float* x, const RowRegs8<K>& row, int32_t* leaf,
                                                   Between&& between) const noexcept {
      constexpr uint32_t H = 2 * N, L = complete_tree_lanes;  // halves of 8 lanes
      const uint64_t* base[H];
      __m256i node[H];
      for (uint32_t h = 0; h < H; ++h) base[h] = nodes_ + (g0 + h / 2) * inner_ * L + (h % 2) * 8;
      complete_top_levels<Lanes8, H>(*this, depth_, base, node, x, row, between);
      for (uint32_t s = 3; s < depth_; ++s) {
        for (uint32_t h = 0; h < H; ++h) {
          const __m256i pos = _mm256_add_epi32(_mm256_slli_epi32(node[h], 4), lanes_);
          const auto* b64 = reinterpret_cast<const long long*>(base[h]);
          // Trees 0-3 (a) and 4-7 (b): the lanes' pairs 0, 2 and 1, 3.
          const __m128i p0 = _mm256_castsi256_si128(pos), p1 = _mm256_extracti128_si256(pos, 1);
          const __m256i a = two_pairs(b64, p0, p1), b = two_pairs(b64, _mm_unpackhi_epi64(p0, p0), _mm_unpackhi_epi64(p1, p1));
          node[h] = descend(node[h], a, b, x, row);
        }
        between();
      }
      for (uint32_t h = 0; h < H; ++h) {
        const __m256i pos = _mm256_add_epi32(_mm256_slli_epi32(_mm256_sub_epi32(node[h], bottom_), 4), lanes_);
        const auto* lbase = reinterpret_cast<const int*>(leaves_ + ((g0 + h / 2) << depth_) * L + (h % 2) * 8);
        // In tree order again (the lanes' order is its own inverse).
        // Unsigned: a crafted row of 2^31 or more is clamped too.
        const __m256i rows = _mm256_permutevar8x32_epi32(_mm256_i32gather_epi32(lbase, pos, 4), lanes_);
        _mm256_store_si256(reinterpret_cast<__m256i*>(leaf + h * 8), _mm256_min_epu32(rows, last_leaf_));
      }
    }

    // The 64-bit nodes at positions p0[0], p0[1], p1[0], p1[1] of b, by
    // scalar loads: Zen 4's two 4-lane gathers sat on the lanes' chain of
    // levels (one-row CPU time, paired, loads against gathers: 0.89-1.00x on
    // the depth 4-6 sweep shapes).
    static __attribute__((always_inline)) __m256i two_pairs(const long long* b, const __m128i& p0,
                                                           const __m128i& p1) noexcept {
      const __m128i lo = _mm_insert_epi64(_mm_cvtsi64_si128(b[_mm_cvtsi128_si32(p0)]), b[_mm_extract_epi32(p0, 1)], 1);
      const __m128i hi = _mm_insert_epi64(_mm_cvtsi64_si128(b[_mm_cvtsi128_si32(p1)]), b[_mm_extract_epi32(p1, 1)], 1);
      return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    }

    // The 8 lanes' nodes at p (one node of each lane's tree).
    static __attribute__((always_inline)) void unpack(const uint64_t* p, __m256i& info, __m256& t) noexcept {
      split(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 4)), info, t);
    }

    // The 64-bit nodes of trees 0-3 (a) and 4-7 (b) as the lanes hold them:
    // trees 0, 1, 4, 5 | 2, 3, 6, 7, the order two in-lane shuffles give (in
    // tree order, each load of levels 0-2 took two cross-lane shuffles more;
    // the leaves are put back in tree order once).
    static __attribute__((always_inline)) void split(const __m256i& a, const __m256i& b, __m256i& info,
                                                     __m256& t) noexcept {
      const __m256 pa = _mm256_castsi256_ps(a), pb = _mm256_castsi256_ps(b);
      info = _mm256_castps_si256(_mm256_shuffle_ps(pa, pb, 0x88));  // low halves
      t = _mm256_shuffle_ps(pa, pb, 0xDD);                             // high halves
    }

    // One level: the nodes of trees 0-3 (a) and 4-7 (b) decide each lane's
    // child.
    __attribute__((always_inline)) __m256i descend(const __m256i& node, const __m256i& a, const __m256i& b,
                                                   const float* x, const RowRegs8<K>& row) const noexcept {
      __m256i info;
      __m256 t;
      split(a, b, info, t);
      return decide(node, info, t, x, row);
    }

    // The lanes' nodes (feature and flags, threshold) decide each lane's
    // child, 2h + 1 or 2h + 2.
    __attribute__((always_inline)) __m256i decide(const __m256i& node, const __m256i& info, const __m256& t,
                                                  const float* x, const RowRegs8<K>& row) const noexcept {
      const __m256i f = _mm256_min_epi32(
          _mm256_and_si256(info, _mm256_set1_epi32(static_cast<int32_t>(node_feature_mask))), last_feature_);
      return Lanes8::template child<Missing>(node, row.lookup(x, f), t, info);
    }

   private:
    const uint64_t* nodes_;
    const uint32_t* leaves_;
    uint32_t depth_;
    uint64_t inner_;
    __m256i lanes_, last_feature_, last_leaf_, bottom_;
  };

  template <bool Missing, uint32_t K>
  static void complete8(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
    const CompleteWalk8<Missing, K> walk(v);
    complete_rows(v, walk, X, n_rows, raw, [&](const float* x) { return RowRegs8<K>(x, v.n_features); });
  }

  // complete8 for rows of 3, 5, 6 or 7 registers, kept out of the caller:
  // inlined there they took GCC's choice of which walk to inline into
  // run(), and the one of 2 registers it used to inline spilled more on
  // its own (one row, paired: 1.10-1.16x on two sweep shapes).
  template <bool Missing, uint32_t K>
  static __attribute__((noinline)) void complete8_apart(const TreeEnsembleView& v, const float* X, size_t n_rows,
                                                        double* raw) noexcept {
    complete8<Missing, K>(v, X, n_rows, raw);
  }
#endif

  template <bool Missing, bool Categorical>
  static void run(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
    if (n_rows * 2 < W) {
      if constexpr (O::has_complete_trees && !Categorical) {
        if (v.complete.present()) {
          if (v.n_features <= 32) return O::template complete<Missing, 2>(v, X, n_rows, raw);
          if (v.n_features <= 64) return O::template complete<Missing, 4>(v, X, n_rows, raw);
          return O::template complete<Missing, 0>(v, X, n_rows, raw);
        }
      }
#if defined(__SSE4_1__)
      if constexpr (W == 4 && !Categorical) {
        if (v.complete.present()) return complete4<Missing>(v, X, n_rows, raw);
      }
#endif
#if defined(__AVX2__)
      if constexpr (W == 8 && !Categorical) {
        if (v.complete.present()) {
          if (v.n_features <= 8) return complete8<Missing, 1>(v, X, n_rows, raw);
          if (v.n_features <= 16) return complete8<Missing, 2>(v, X, n_rows, raw);
          if (v.n_features <= 24) return complete8_apart<Missing, 3>(v, X, n_rows, raw);
          if (v.n_features <= 32) return complete8<Missing, 4>(v, X, n_rows, raw);
          if (v.n_features <= 40) return complete8_apart<Missing, 5>(v, X, n_rows, raw);
          if (v.n_features <= 48) return complete8_apart<Missing, 6>(v, X, n_rows, raw);
          if (v.n_features <= 56) return complete8_apart<Missing, 7>(v, X, n_rows, raw);
          if (v.n_features <= 64) return complete8<Missing, 8>(v, X, n_rows, raw);
          return complete8<Missing, 0>(v, X, n_rows, raw);
        }
      }
#endif
      // Where the scalar walks always win, the gathering walk is not even
      // instantiated (if constexpr).
      if constexpr (few_rows_always_walk_scalar(W)) {
        return row_trees<Missing, Categorical>(v, X, n_rows, raw);
      } else {
        if (few_rows_walk_scalar(v, W)) return row_trees<Missing, Categorical>(v, X, n_rows, raw);
        if constexpr (O::max_row_registers >= 4) {
          if (v.n_features <= 32) return trees<Missing, Categorical, 2>(v, X, n_rows, raw);
          if (v.n_features <= 64) return trees<Missing, Categorical, 4>(v, X, n_rows, raw);
        }
        trees<Missing, Categorical, 0>(v, X, n_rows, raw);
      }
    } else
      rows<Missing, Categorical>(v, X, n_rows, raw);
  }

  // float64 thresholds: a few rows walk trees side by side, batches rows.
  template <bool Missing, bool Categorical>
  static void run(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept {
    if (n_rows < 8)
      row_trees<Missing, Categorical>(v, X, n_rows, raw);
    else
      rows<Missing, Categorical>(v, X, n_rows, raw);
  }
};

}  // namespace

/// The kernel functor, instantiated once per ISA in tree_<isa>.cc behind a
/// plain function (tree_kernels.hpp), so the baseline dispatch unit never
/// sees ISA-specific code.
template <class Arch>
struct TreeKernel {
  template <class T>
  void operator()(Arch, const TreeEnsembleView& v, const T* X, size_t n_rows, double* raw) const noexcept {
    using S = TreeSimd<Arch>;
    if (v.has_missing) {
      if (v.n_category_sets)
        S::template run<true, true>(v, X, n_rows, raw);
      else
        S::template run<true, false>(v, X, n_rows, raw);
    } else {
      if (v.n_category_sets)
        S::template run<false, true>(v, X, n_rows, raw);
      else
        S::template run<false, false>(v, X, n_rows, raw);
    }
  }
};

}  // namespace mlmap::kernels
