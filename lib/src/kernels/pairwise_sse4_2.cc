// The pairwise kernels for sse4_2, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/pairwise_simd.hpp"

namespace mlmap::kernels {

void pairwise_sse4_2(const RowBlocksView& rows, const PairwiseTask& task) noexcept {
  PairwiseSimd<xsimd::sse4_2>::entry(rows, task);
}

size_t next_block_below_sse4_2(const double* d, size_t from, size_t n_blocks, double root) noexcept {
  return PairwiseSimd<xsimd::sse4_2>::next_below(d, from, n_blocks, root);
}

void squared_distance_pairs_sse4_2(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept {
  PairwiseSimd<xsimd::sse4_2>::block_pairs(rows, pairs);
}

}  // namespace mlmap::kernels
