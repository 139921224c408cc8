#include "kernels/tree_kernels.hpp"
#include "kernels/tree_traverse.hpp"

namespace mlmap::kernels {

namespace {

// Blocks of rows, trees in order within a block: a tree's nodes stay cached
// while the block's rows walk it, and every row still sums its trees in tree
// order (the order all kernels share).
template <class T>
void accumulate(const TreeEnsembleView& v, const T* X, size_t n_rows, double* raw) noexcept {
  constexpr size_t block = 256;
  for (size_t b0 = 0; b0 < n_rows; b0 += block) {
    const size_t nb = n_rows - b0 < block ? n_rows - b0 : block;
    for (uint32_t t = 0; t < v.n_trees; ++t)
      for (size_t r = b0; r < b0 + nb; ++r) add_leaf(v, t, find_leaf(v, t, X + r * v.n_features), raw + r * v.n_raw);
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
