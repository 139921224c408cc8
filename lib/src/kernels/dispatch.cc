#include "kernels/tree_kernels.hpp"

namespace mlmap::kernels {

void accumulate_trees(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  accumulate_trees_scalar(v, X, n_rows, raw);
}

void accumulate_trees(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept {
  accumulate_trees_scalar(v, X, n_rows, raw);
}

}  // namespace mlmap::kernels
