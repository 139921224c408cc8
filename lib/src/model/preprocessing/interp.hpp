// numpy's interp, the one home of its arithmetic (QuantileUniform,
// QuantileNormal, Interpolate).
#pragma once

#include <cmath>
#include <cstddef>

namespace mlmap::model::prep {

/// numpy's interp (compiled_base.c) for a non-NaN x, over n >= 1 points
/// xp(i) non-decreasing: the last i with xp(i) <= x, then the slope formula,
/// retried from the right end when it makes NaN.  Bounded for any xp (a
/// damaged column gives some fp(i), never a read outside [0, n)).
template <class XP, class FP>
double interp(double x, size_t n, XP xp, FP fp) noexcept {
  if (x > xp(n - 1)) return fp(n - 1);
  if (x < xp(0)) return fp(0);
  size_t lo = 0, hi = n;  // upper bound of x
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (x >= xp(mid))
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return fp(0);  // only for unsorted xp (a damaged column): any bounded answer
  const size_t j = lo - 1;
  if (j == n - 1 || xp(j) == x) return fp(j);
  const double slope = (fp(j + 1) - fp(j)) / (xp(j + 1) - xp(j));
  double r = slope * (x - xp(j)) + fp(j);
  if (std::isnan(r)) {
    r = slope * (x - xp(j + 1)) + fp(j + 1);
    if (std::isnan(r) && fp(j) == fp(j + 1)) r = fp(j);
  }
  return r;
}

}  // namespace mlmap::model::prep
