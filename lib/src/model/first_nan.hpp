// Finding the first NaN of an array fast: the missing-value checks of the
// prediction driver and of the preprocessing's features use it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace mlmap::model {

// Index of the first NaN among p[0, n), or n.  Chunks are scanned with
// integer arithmetic and no early exit, which vectorises (a quarter of a
// logistic regression's batch time went to an element-by-element scan); a
// chunk that holds a NaN is searched for the first one.  Without its sign, a
// value is NaN iff its bits exceed those of infinity, i.e. iff adding the
// mantissa mask carries into the sign bit.
template <class T>
size_t first_nan(const T* p, size_t n) noexcept {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits sign = Bits{1} << (sizeof(T) * 8 - 1);
  constexpr Bits mantissa = static_cast<Bits>(sizeof(T) == 4 ? 0x007fffffull : 0x000fffffffffffffull);
  constexpr size_t chunk = 4096;
  size_t i = 0;
  for (; i < n; i += chunk) {
    const size_t end = std::min(n, i + chunk);
    Bits any = 0;
    for (size_t j = i; j < end; ++j) {
      Bits b;
      std::memcpy(&b, p + j, sizeof b);
      any |= (b & ~sign) + mantissa;
    }
    if (any & sign) break;
  }
  for (; i < n; ++i)
    if (std::isnan(p[i])) return i;
  return n;  // the chunk loop may overshoot n
}

}  // namespace mlmap::model
