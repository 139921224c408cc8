#include "kernels/tree_kernels.hpp"
#include "kernels/tree_traverse.hpp"

namespace mlmap::kernels {

void accumulate_trees_scalar(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  for (size_t r = 0; r < n_rows; ++r) {
    const float* x = X + r * v.n_features;
    double* out = raw + r * v.n_raw;
    for (uint32_t t = 0; t < v.n_trees; ++t) add_leaf(v, t, find_leaf(v, t, x), out);
  }
}

}  // namespace mlmap::kernels
