#include "kernels/tree_kernels.hpp"
#include "kernels/tree_traverse.hpp"

namespace mlmap::kernels {

namespace {

template <class T>
void accumulate(const TreeEnsembleView& v, const T* X, size_t n_rows, double* raw) noexcept {
  for (size_t r = 0; r < n_rows; ++r) {
    const T* x = X + r * v.n_features;
    double* out = raw + r * v.n_raw;
    for (uint32_t t = 0; t < v.n_trees; ++t) add_leaf(v, t, find_leaf(v, t, x), out);
  }
}

}  // namespace

void accumulate_trees_scalar(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  accumulate(v, X, n_rows, raw);
}

void accumulate_trees_scalar(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept {
  accumulate(v, X, n_rows, raw);
}

}  // namespace mlmap::kernels
