// Loops over slot columns for the steps, for i in [0, n): y[i] = f(x[i])
// (map), y[i] = f(x[i], z[i]) (map2) and y[i] = f(x[i], y[i]) (update).  The restrict parameters
// tell the compiler that a step's input and output columns never overlap
// (outputs are fresh slots), so it vectorises the loops without overlap
// checks, which cost more than the work on blocks of a few rows.  `f` is a
// lambda with the per-value operations of FORMAT.md §7, inlined.
#pragma once

#include <cstddef>

namespace mlmap::model::prep {

template <class F>
inline void map(const double* __restrict x, double* __restrict y, size_t n, F f) noexcept {
  for (size_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <class F>
inline void map2(const double* __restrict x, const double* __restrict z, double* __restrict y, size_t n,
                 F f) noexcept {
  for (size_t i = 0; i < n; ++i) y[i] = f(x[i], z[i]);
}

template <class F>
inline void update(const double* __restrict x, double* __restrict y, size_t n, F f) noexcept {
  for (size_t i = 0; i < n; ++i) y[i] = f(x[i], y[i]);
}

}  // namespace mlmap::model::prep
