// numpy's summation order, so that a sum over a row is bit for bit numpy's.
#pragma once

#include <cstddef>

namespace mlmap::model {

/// numpy's pairwise summation (pairwise_sum_DOUBLE: sequential below 8
/// values, 8 interleaved partial sums up to 128, halves beyond), so that a
/// sum over a row is bit for bit numpy's np.sum(..., axis=-1).
double numpy_sum(const double* a, size_t n) noexcept;

}  // namespace mlmap::model
