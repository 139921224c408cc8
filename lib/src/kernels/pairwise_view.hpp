// Stored rows (k-nearest neighbours' training rows, SVMs' support vectors)
// against query rows: one value per (query, stored row) pair, for the
// distances and kernel functions of FORMAT.md §5.3-5.4.
//
// Stored rows are laid out by the writer in blocks of 8 rows by feature
// (row r, feature f at ((r / 8) * n_features + f) * 8 + r % 8), so a SIMD
// lane holds one stored row and no value needs a horizontal sum.  Each lane
// sums its features in order with separate multiply and add (no FMA): the
// scalar reference and every ISA give the same bits, and the sums are
// sklearn's own (its KD/ball trees and DistanceMetric objects add the terms
// in feature order, as libsvm's kernels do).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlmap::kernels {

constexpr size_t block_lanes = 8;  // stored rows per block

/// One stored matrix: exactly one of data64 / data32 is set.  The column
/// holds ceil(n_rows / 8) * n_features * 8 values (checked at open); lanes
/// past n_rows are zero.
struct RowBlocksView {
  const double* data64 = nullptr;
  const float* data32 = nullptr;
  uint64_t n_rows = 0;
  uint32_t n_features = 0;

  uint64_t n_blocks() const noexcept { return (n_rows + block_lanes - 1) / block_lanes; }
};

/// Per pair, over features f in order, starting from 0:
enum class RowOp : uint8_t {
  squared_euclidean,  // acc += (x - y) * (x - y)
  manhattan,          // acc += |x - y|
  chebyshev,          // acc = max(acc, |x - y|)
  dot,                // acc += x * y
  minkowski,          // acc += pow(|x - y|, p): the C library's pow, every ISA alike
  euclidean_bound,    // the dot's sum, then with t = |x|^2 + |y|^2 (query_norms,
                      // row_norms):  (t - 2 acc) - bound_slack * t, a lower bound of
                      // the squared distance when bound_slack covers the roundings
  euclidean_bound32,  // float32 rows: acc = fmaf(x32, y, acc) in float32 over the
                      // queries rounded to float (queries32), then as euclidean_bound
                      // minus bound_floor, or -inf where acc overflowed (not finite).
                      // Four times the lanes of the float64 bound per instruction; the
                      // caller's slack covers float32 roundings.  float64 rows: exactly
                      // euclidean_bound.
  euclidean_bound16,  // where bf16_bound_available() (AVX512_BF16) and the scratch
                      // (packed16, queries16) is given: the same bound from bfloat16
                      // products (pairwise_avx512bf16.cc; float64 rows rounded to float,
                      // then to bfloat16), with a slack for their 8-bit significands;
                      // otherwise exactly euclidean_bound32.
  euclidean_flags8,   // where int8_bound_available() (AVX512_VNNI): `below` only, as
                      // euclidean_bound16's flags, from int8 products with a proven
                      // error (pairwise_avx512vnni.cc); bound_slack covers the float64
                      // roundings only.  Elsewhere nothing is written (`below` stays as
                      // the caller set it: every half block, for a search).
};

struct PairwiseTask {
  RowOp op = RowOp::squared_euclidean;
  double p = 2.0;                // minkowski
  const double* queries = nullptr;  // n_queries rows, n_features wide
  size_t n_queries = 0;
  uint64_t first_block = 0;      // stored blocks [first_block, first_block + n_blocks)
  uint64_t n_blocks = 0;
  double* out = nullptr;         // out[q * stride + (b - first_block) * 8 + lane]
  size_t stride = 0;             // >= n_blocks * 8
  const double* query_norms = nullptr;  // euclidean_bound: per query, x . x
  const double* row_norms = nullptr;    // euclidean_bound: per stored row (8 per block), y . y
  double bound_slack = 0;               // euclidean_bound, euclidean_bound32
  const float* queries32 = nullptr;     // euclidean_bound32: the queries rounded to float
  double bound_floor = 0;               // euclidean_bound32/16: covers underflow
  uint16_t* packed16 = nullptr;   // euclidean_bound16 scratch: ceil(n_blocks / 2) * 32 * ceil(n_features / 2)
  const uint32_t* queries16 = nullptr;  // euclidean_bound16: pack_queries_bf16 of queries32
  // euclidean_bound16's bfloat16 kernel, where given (n_blocks <= 32, and
  // row_terms16: ceil(n_blocks / 2) * 16 floats of scratch): below[q] becomes
  // a superset of the half blocks (bit i: rows [first_block * 8 + 4 i, + 4))
  // holding a bound that is not >= roots[q] (NaN counts), and `out` is not
  // written: a search needs only which rows to measure.  The test runs in float32 on the dot
  // product itself against a threshold rounded down (see the kernel), a few
  // instructions per 16 rows where the bounds took four times as many.  The
  // other kernels leave `below` as it was.
  const double* roots = nullptr;
  uint64_t* below = nullptr;
  float* row_terms16 = nullptr;
  // euclidean_flags8 (n_blocks <= 32, n_features <= max_int8_features):
  // queries8 from pack_queries_int8 (its scale query_scale8 and per query
  // query_l1 = sum |x_f|), and scratch: packed8, ceil(n_blocks / 2) * 16 *
  // ceil(n_features / 4) words; row_terms8, ceil(n_blocks / 2) * 16.
  const uint32_t* queries8 = nullptr;
  double query_scale8 = 0;
  const double* query_l1 = nullptr;
  uint32_t* packed8 = nullptr;
  int32_t* row_terms8 = nullptr;
};

/// The dispatching entry.  Blocks past the stored matrix are not read.
void pairwise(const RowBlocksView& rows, const PairwiseTask& task) noexcept;

/// The first block b in [from, n_blocks) of 8 values d[8b .. 8b + 7] holding
/// one that is not >= root (NaN counts), or n_blocks: the scan of a k-nearest
/// search, which skips the blocks no row of which can enter its heap.
/// Comparisons only, so every ISA gives the same answer.
size_t next_block_below(const double* d, size_t from, size_t n_blocks, double root) noexcept;
size_t next_block_below_scalar(const double* d, size_t from, size_t n_blocks, double root) noexcept;
size_t next_block_below_sse4_2(const double* d, size_t from, size_t n_blocks, double root) noexcept;
size_t next_block_below_avx2(const double* d, size_t from, size_t n_blocks, double root) noexcept;
size_t next_block_below_avx512bw(const double* d, size_t from, size_t n_blocks, double root) noexcept;

/// One stored row against x: sum over features in order of (x - y)^2, the
/// scalar reference's operations (for rows a bound could not rule out).
double squared_distance(const RowBlocksView& rows, uint64_t row, const double* x) noexcept;

/// A list of (query, half block) pairs whose exact squared euclidean
/// distances a search needs: pair i is query queries + query[i] * n_features
/// against the 4 rows [4 half[i], 4 half[i] + 4) (half[i] < 2 rows.n_blocks()),
/// out[4 i + lane] = squared_distance's value (padding lanes: against zeros).
/// The pairs are independent sums, so the SIMD kernels run several at once
/// instead of waiting on one pair's chain of adds; half blocks, not blocks,
/// because a search's rows to measure come one or two a block, and 4 lanes
/// (AVX-512's ymm half) cost half of 8 where 512-bit operations are split
/// in two (Zen 4).
struct HalfBlockPairs {
  const double* queries = nullptr;
  const uint32_t* query = nullptr;
  const uint64_t* half = nullptr;
  size_t n_pairs = 0;
  double* out = nullptr;
};
constexpr size_t half_lanes = block_lanes / 2;
void squared_distance_pairs(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept;
void squared_distance_pairs_scalar(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept;
void squared_distance_pairs_sse4_2(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept;
void squared_distance_pairs_avx2(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept;
void squared_distance_pairs_avx512bw(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept;

/// Whether euclidean_bound16 runs its bfloat16 kernel: the active ISA is
/// avx512bw and the CPU has AVX512_BF16.
bool bf16_bound_available() noexcept;
void pairwise_avx512bf16(const RowBlocksView& rows, const PairwiseTask& task) noexcept;
/// The queries (n_features wide) as bfloat16 pairs for euclidean_bound16:
/// ceil(n_features / 2) values a query, feature 2i in the low half (nearest,
/// ties to even; subnormals 0; a missing last feature 0).
void pack_queries_bf16(const float* x32, size_t n_queries, uint32_t n_features, uint32_t* out) noexcept;

/// Whether euclidean_flags8 runs its int8 kernel: the active ISA is avx512bw
/// and the CPU has AVX512_VNNI (and BMI2).
bool int8_bound_available() noexcept;
void pairwise_avx512vnni(const RowBlocksView& rows, const PairwiseTask& task) noexcept;
/// Widest rows of euclidean_flags8: its int32 sums stay within 2^29.
constexpr uint32_t max_int8_features = 16384;
/// The queries (n_features wide) for euclidean_flags8: one scale s for all,
/// a hair above their largest |x| / 127 (returned; not finite or 0 when the
/// queries hold an infinity or are all 0); per query ceil(n_features / 4)
/// words of 4 bytes round(x / s) + 128 (std::round), feature 4i in the low byte (a missing
/// feature 128, i.e. 0), and l1[q] = sum of |x| (rounded as summed).
double pack_queries_int8(const double* x, size_t n_queries, uint32_t n_features, uint32_t* out, double* l1) noexcept;

/// The scalar reference, and one kernel per ISA (pairwise_<isa>.cc).
void pairwise_scalar(const RowBlocksView& rows, const PairwiseTask& task) noexcept;
void pairwise_sse4_2(const RowBlocksView& rows, const PairwiseTask& task) noexcept;
void pairwise_avx2(const RowBlocksView& rows, const PairwiseTask& task) noexcept;
void pairwise_avx512bw(const RowBlocksView& rows, const PairwiseTask& task) noexcept;

}  // namespace mlmap::kernels
