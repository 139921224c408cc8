// The pairwise kernels for avx512bw, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/pairwise_simd.hpp"

namespace mlmap::kernels {

void pairwise_avx512bw(const RowBlocksView& rows, const PairwiseTask& task) noexcept {
  PairwiseSimd<xsimd::avx512bw>::entry(rows, task);
}

}  // namespace mlmap::kernels
