// The pairwise kernels for avx512bw, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/pairwise_simd.hpp"

namespace mlmap::kernels {

void pairwise_avx512bw(const RowBlocksView& rows, const PairwiseTask& task) noexcept {
  PairwiseSimd<xsimd::avx512bw>::entry(rows, task);
}

size_t next_block_below_avx512bw(const double* d, size_t from, size_t n_blocks, double root) noexcept {
  return PairwiseSimd<xsimd::avx512bw>::next_below(d, from, n_blocks, root);
}

void squared_distance_pairs_avx512bw(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept {
  PairwiseSimd<xsimd::avx512bw>::block_pairs(rows, pairs);
}

}  // namespace mlmap::kernels
