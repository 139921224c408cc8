// numpy's summation order, so that a sum over a row is bit for bit numpy's.
#pragma once

#include <cstddef>

namespace mlmap::model {

/// numpy's pairwise summation (pairwise_sum_DOUBLE: sequential below 8
/// values, 8 interleaved partial sums up to 128, halves beyond), so that a
/// sum over a row is bit for bit numpy's np.sum(..., axis=-1): of at(0),
/// ..., at(n - 1), wherever they are (a row of slot columns, say).
template <class At>
double numpy_sum_at(const At& at, size_t n, size_t first = 0) noexcept {
  if (n < 8) {
    double res = 0.;
    for (size_t i = 0; i < n; ++i) res += at(first + i);
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = at(first + j);
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (size_t j = 0; j < 8; ++j) r[j] += at(first + i + j);
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += at(first + i);
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_sum_at(at, n2, first) + numpy_sum_at(at, n - n2, first + n2);
}

/// The same over n consecutive values.
double numpy_sum(const double* a, size_t n) noexcept;

}  // namespace mlmap::model
