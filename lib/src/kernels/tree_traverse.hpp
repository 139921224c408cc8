// The reference traversal of one tree for one row.  Every index read from the
// file is clamped and the walk is bounded by max_depth, so it is memory-safe on
// unverified files (see tree_ensemble_view.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/tree_ensemble_view.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mlmap::kernels {

/// The thresholds of a model whose inputs compare as T (float or double).
template <class T>
inline const T* thresholds(const TreeEnsembleView& v) noexcept {
  if constexpr (std::is_same_v<T, float>)
    return v.node_threshold;
  else
    return v.node_threshold64;
}

/// Whether a categorical split on set `set` sends category `x` (not NaN)
/// left: categories in the set go left, the others right, and values outside
/// [0, 32 * words) follow the missing direction (as sklearn and XGBoost treat
/// unknown ones).
template <class T>
inline bool category_goes_left(const TreeEnsembleView& v, uint32_t set, uint32_t info, T x) noexcept {
  // Range check first: a float->int cast of an out-of-range value is
  // undefined behaviour.
  if (!(x >= T(0)) || x >= static_cast<T>(uint64_t{v.category_set_words} * 32) || v.n_category_sets == 0)
    return (info & node_missing_left) != 0;
  set = std::min(set, v.n_category_sets - 1);
  const auto c = static_cast<uint32_t>(x);
  const uint32_t word = v.category_sets[uint64_t{set} * v.category_set_words + c / 32];
  return (word >> (c % 32)) & 1u;
}

/// The category set of a categorical node: the low 32 bits of its threshold
/// slot (little-endian), whatever the threshold type.
template <class T>
inline uint32_t category_set_of(const TreeEnsembleView& v, uint64_t node) noexcept {
  uint32_t set;
  std::memcpy(&set, &thresholds<T>(v)[node], sizeof set);
  return set;
}

/// The leaf row a walk that ended on `node` adds: its info's row, clamped
/// (every kernel clamps it the same way).
inline uint64_t leaf_row_of(const TreeEnsembleView& v, uint64_t node) noexcept {
  const uint64_t row = v.node_info[node] & node_feature_mask, last = v.n_leaves - 1;
  return row < last ? row : last;
}

/// Index into leaf_values (in rows of leaf_width) of the leaf `x` reaches in
/// `tree`.  T is the model's threshold type.
template <class T>
inline uint64_t find_leaf(const TreeEnsembleView& v, uint32_t tree, const T* x) noexcept {
  const T* threshold = thresholds<T>(v);
  const uint64_t last = v.n_nodes - 1;
  uint64_t node = std::min<uint64_t>(v.tree_root[tree], last);
  const uint32_t steps = std::min(v.tree_depth[tree], v.max_depth);
  for (uint32_t s = 0; s < steps; ++s) {
    const uint32_t child = v.node_child[node];
    if (child == node) break;
    const uint32_t info = v.node_info[node];
    const T xv = x[std::min(info & node_feature_mask, v.n_features - 1)];
    bool left;
    if (xv != xv)
      left = (info & node_missing_left) != 0;
    else if (info & node_categorical)
      left = category_goes_left(v, category_set_of<T>(v, node), info, xv);
    else
      left = xv <= threshold[node];
    node = std::min<uint64_t>(uint64_t{child} + (left ? 0 : 1), last);
  }
  return leaf_row_of(v, node);
}

/// Adds one tree's leaf rows into rows of raw scores (n_raw wide).  Made once
/// per tree for the many rows of a batch walk: the output slot is clamped
/// once, and leaf rows of one or two values (regressors, binary classifiers)
/// are added without a loop, the same additions in the same order.  The loop
/// cost 33 instructions a two-value leaf, 12% of a 100-tree binary forest's
/// batch (s_rf_full_t100_f20, callgrind avx2).
class TreeLeafAdder {
 public:
  TreeLeafAdder(const TreeEnsembleView& v, uint32_t tree) noexcept
      : values_(v.leaf_values), width_(v.leaf_width), out_(std::min(v.tree_output[tree], v.n_raw - v.leaf_width)) {}
  void operator()(uint64_t leaf, double* raw) const noexcept {
    const double* values = values_ + leaf * width_;
    double* to = raw + out_;
    if (width_ == 2) {
      to[0] += values[0];
      to[1] += values[1];
    } else if (width_ == 1) {
      to[0] += values[0];
    } else {
      for (uint32_t j = 0; j < width_; ++j) to[j] += values[j];
    }
  }
  /// Leaf row `leaf`'s values, to be added later by add_rows().
  const double* values(uint64_t leaf) const noexcept { return values_ + leaf * width_; }
  /// Adds the leaf rows at values[0, n) to n rows of raw scores `stride`
  /// apart: the additions of operator() row by row, the width tested once
  /// per call instead of per row, and a two-value row added as one pair
  /// (two independent additions in one instruction: the same results).  The
  /// batch walk's leaf additions were 21 instructions a row and tree on
  /// s_rf_full_t100_f20 (callgrind avx2), 9% of the kernel.  Wider rows by
  /// pairs as well: more instructions (s_rf_d10_t200_f40_c4, 4 classes,
  /// 2,000 rows: 57.5M -> 60.6M).  Always inlined: every ISA's kernel gets
  /// its own copy.
  __attribute__((always_inline)) inline void add_rows(const double* const* values, size_t n, double* raw,
                                                      size_t stride) const noexcept {
    double* to = raw + out_;
    if (width_ == 2) {
      for (size_t i = 0; i < n; ++i, to += stride) {
#if defined(__SSE2__)
        _mm_storeu_pd(to, _mm_add_pd(_mm_loadu_pd(to), _mm_loadu_pd(values[i])));
#else
        const double a = values[i][0], b = values[i][1];
        to[0] += a;
        to[1] += b;
#endif
      }
    } else if (width_ == 1) {
      for (size_t i = 0; i < n; ++i, to += stride) to[0] += values[i][0];
    } else {
      for (size_t i = 0; i < n; ++i, to += stride)
        for (uint32_t j = 0; j < width_; ++j) to[j] += values[i][j];
    }
  }

 private:
  const double* values_;
  uint32_t width_, out_;
};

/// Adds tree `tree`'s leaf row `leaf` into `raw` (n_raw wide).
inline void add_leaf(const TreeEnsembleView& v, uint32_t tree, uint64_t leaf, double* raw) noexcept {
  TreeLeafAdder(v, tree)(leaf, raw);
}

}  // namespace mlmap::kernels
