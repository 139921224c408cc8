#include "model/numpy_sum.hpp"

namespace mlmap::model {

double numpy_sum(const double* a, size_t n) noexcept {
  return numpy_sum_at([a](size_t i) { return a[i]; }, n);
}

}  // namespace mlmap::model
