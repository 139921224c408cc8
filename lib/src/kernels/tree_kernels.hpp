// Tree ensemble kernels: the scalar reference (tree_scalar.cc) and one build
// per ISA of the SIMD kernels (tree_<isa>.cc from tree_simd.hpp and
// tree_bitvectors.hpp), behind a single dispatch point (dispatch.cc).  Two
// batch algorithms: walking the nodes (tree_simd.hpp) and, when the file has
// the leaf bit-vector layout and tree_cost.hpp's estimate prefers it, the
// bit-vector kernel.  All of them give the scalar reference's bits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/tree_ensemble_view.hpp"

namespace mlmap::kernels {

/// Adds every tree's leaf row for rows [0, n_rows) of row-major X
/// (n_features wide) into raw (n_raw wide per row).  The dispatching entry.
/// float X needs a float32-threshold model, double X a float64 one.
void accumulate_trees(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept;

/// The SIMD kernels (tree_<isa>.cc): call only when the CPU supports the
/// ISA and simd_fits(v).  Bit-identical to the scalar reference.
void accumulate_trees_sse4_2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees_avx2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees_avx512bw(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
/// The bit-vector kernel (FORMAT.md §5.1.1) for float inputs and either
/// threshold type: runs and returns true when the view has the layout and
/// tree_cost.hpp prefers it for this many rows on the active ISA; otherwise
/// returns false and leaves raw untouched (the caller walks the nodes).
bool accumulate_trees_bitvectors(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
bool accumulate_bitvectors_sse4_2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
bool accumulate_bitvectors_avx2(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
bool accumulate_bitvectors_avx512bw(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
/// float64-threshold models (batches only).
void accumulate_trees_sse4_2(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees_avx2(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees_avx512bw(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept;

/// The most rows that share a pass over the trees in the batch walk, and what
/// it uses for trees larger than L1: a tree too big for L2 (sklearn's
/// unlimited-depth forests, ~1 MB a tree) is fetched from memory once per
/// block and walked with random accesses, while the block's rows are read in
/// order.  On Zen 5, 200 trees of 49k nodes: 39k rows/s with blocks of 2048,
/// 95k with 32768.  Smaller trees walk blocks sized to keep the rows in L2
/// (walk_block_rows), and the bit-vector kernel tiles on its own
/// (plan_bitvectors).  Callers that can pass this many rows at once should.
constexpr size_t tree_block_rows = 65536;

/// Whether the SIMD kernels can run this ensemble: float32 thresholds, and
/// nodes and features (within one row) addressable by int32 gathers.
inline bool simd_fits(const TreeEnsembleView& v) noexcept {
  return v.node_threshold != nullptr && v.n_nodes < (uint64_t{1} << 31) &&
         uint64_t{v.n_features} < (uint64_t{1} << 31);
}

/// The scalar reference every other kernel is tested against.
void accumulate_trees_scalar(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees_scalar(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept;

}  // namespace mlmap::kernels
