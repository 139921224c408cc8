// An independent reference for predictions: walks the *source* node lists
// (not mlmap's layout) the way sklearn / XGBoost define a tree.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "support.hpp"

namespace test {

// Categories outside [0, 32 * words) follow the missing direction; `words`
// is the widest set of the ensemble.
inline bool reference_category_left(const std::vector<std::vector<uint32_t>>& sets, uint32_t set, double x,
                                    bool missing_left) {
  size_t words = 0;
  for (const auto& s : sets) words = std::max(words, s.size());
  if (!(x >= 0) || x >= 32.0 * static_cast<double>(words)) return missing_left;
  const auto c = static_cast<uint64_t>(x);
  const auto& bits = sets.at(set);
  return c / 32 < bits.size() && ((bits[c / 32] >> (c % 32)) & 1u);
}

/// Leaf node index reached by row x; `less` selects XGBoost's x < t rule.
/// T = float compares as sklearn's trees do (float32 input against float64
/// thresholds); T = double as HistGradientBoosting does.
template <class T>
inline size_t reference_leaf(const NodeList& t, const T* x, const std::vector<std::vector<uint32_t>>& sets,
                             bool less = false) {
  size_t i = 0;
  while (t.left[i] >= 0) {
    const double v = x[t.feature[i]];
    bool go_left;
    if (std::isnan(v))
      go_left = !t.missing_left.empty() && t.missing_left[i];
    else if (!t.categorical.empty() && t.categorical[i])
      go_left = reference_category_left(sets, t.category_set[i], v, !t.missing_left.empty() && t.missing_left[i]);
    else
      go_left = less ? v < t.threshold[i] : v <= t.threshold[i];
    i = static_cast<size_t>(go_left ? t.left[i] : t.right[i]);
  }
  return i;
}

}  // namespace test
