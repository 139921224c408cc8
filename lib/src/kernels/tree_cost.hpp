// Which batch algorithm runs a tree ensemble, and how its work is tiled:
// estimates in CPU cycles per row from counts the file records (opening
// stays O(columns)), and block sizes from the model's bytes and the input's
// row bytes against the caches.  The writer uses the same estimate to decide
// whether a file gets the bit-vector layout at all.
//
// The walk's constants were fitted on AMD Zen 5; the bit-vector kernel's
// were refitted against them on AMD Zen 4 (AVX-512, 1 MiB L2) for all three
// SIMD widths (bench/tune_tree_cost.py: the models of scenarios.py
// TUNING, each kernel forced, 10,000 rows, CPU time, the estimates
// in units of the same run's walk).  The Zen 5 constants, fitted on 16
// lanes only, put the bit-vector kernel at 1.4-3.6x its cost on those
// models; with 4 and 8 lanes that ranked the walk first where it took up
// to 3.5x the time on them (SSE4.2: XGBoost depth 8 and lossguide 255
// leaves, HistGradientBoosting) and up to 4.7x on the sweep's shapes (AVX2:
// s_hgbr_l127_t100_f60 4.7x, s_rf_d4_t50_f10 2.8x; 15 of its 93 shape and
// width pairs with the layout more than 1.15x the faster kernel).  The
// refit puts every tuning model within 0.78-1.18x of its measured cost, and
// on the sweep (not fitted on) 2 of the 93 pairs above 1.15x
// (x_lg255_t100_f80_reg_nan30 AVX2 1.6x: the walk's estimate is low for
// lossguide trees with 30% NaN; s_et_d8_t100_f30 SSE4.2 1.2x).  They need
// only rank the two algorithms correctly.  Not refitted since the bit-vector
// kernel's records got cheaper (runs of tiles, tree_bitvectors.hpp; AVX2
// 21-28% fewer instructions): the same two pairs, now 1.9x and 1.5x, the
// rest still ranked right (tune_tree_cost.py --sweep-cache, 3 rounds).
// A refit by the tool itself (--fit: non-negative least squares on the
// counts inspect --json reports, walk constants per width too) ranked no
// better in two runs: x_lg255_t100_f80_reg_nan30 on AVX2 stayed (1.6-2.1x);
// s_et_d8_t100_f30 on SSE4.2 (1.4x) came right in one run while two
// others went to 1.07x and 1.11x in the other.  The walk's cost per
// lockstep level ranges 1.6-6.5 ns over the sweep (AVX2): ~1.6 without
// missing values, ~3 with, 4.6-6 with wide rows (80-500 features) and on
// float64 thresholds, which the estimate does not weigh; splitting the
// levels by missing routing moved the miss to x_d8_t40_f15_reg on SSE4.2.
// With the table's levels weighed apart (table_step, below) only
// x_lg255_t100_f80_reg_nan30 on AVX2 stays (1.8x; 3 rounds, 2026-12-07).
// Since (after 018b13b: 12 walks for small trees too)
// tune_rfc_d8_t100_f20 on AVX-512 joined it: the bit-vector kernel picked,
// 1.23x the walk's time in two runs (13:40, 13:49; x_lg255 AVX2 1.68x).  A
// lower table_step (<= 1.6), a dearer AVX-512 record or an AVX-512 walk
// scale that fixes it hands x_lg255_t100_f80_reg_nan30 on AVX-512 to the
// walk at 2.2x (estimates against the 13:40 timings), whose walk estimate
// is the one that is wrong (its lossguide paths): that needs the trees'
// real row shares (covers) at save.  Since 39d592b the writer has them
// (covered_walk_steps, FORMAT.md 5.1.1): against the lockstep levels the
// sweep's test rows really walk, the halving estimate was 0.48-1.0x on the
// 28 shapes with sklearn or XGBoost trees (x_lg255_t100_f80_reg_nan30 854
// for 1,772; x_lg63_t150_f12_c4 3,790 for 6,448), the covers' 1.0-1.04x.
// With these constants unchanged, on AMD Zen 3 (AVX2, no AVX-512;
// tune_tree_cost.py --sweep-cache, 5 rounds, 2026-12-07 15:42):
// x_lg255_t100_f80_reg_nan30 on AVX2 runs the bit-vector kernel (1.78x ->
// 1.00x), and no pair of SSE4.2 or AVX2 is above 1.15x.  AVX-512 is not
// re-checked since (tune_rfc_d8_t100_f20's trees are complete: its
// estimate did not move).  The bit-vector kernel then got 1.16-1.36x
// faster on trees adding to several scores and on trees of <= 32 leaves
// (2417d6d), the constants unchanged: still no SSE4.2 or AVX2 pair above
// 1.15x (Zen 3, 5 rounds, 2026-12-07 19:10).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/tree_ensemble_view.hpp"
#include "kernels/tree_kernels.hpp"

namespace mlmap::kernels {

/// Float lanes of the widest SIMD kernel (AVX-512): what the writer assumes
/// when it decides whether a file gets the bit-vector layout.
constexpr size_t widest_float_lanes = 16;

struct CacheSizes {
  size_t l1 = 32 << 10;   // bytes per core; conservative defaults when unknown
  size_t l2 = 512 << 10;
};

/// This CPU's data caches (sysconf; the defaults above if it does not say).
CacheSizes cache_sizes() noexcept;

/// The batch walk's top levels through a complete tree (TopLevels,
/// tree_simd.hpp): at most max_top_levels, for trees of at least
/// min_top_levels (min_top_levels_large for large trees, walks_large_trees).
constexpr uint32_t max_top_levels = 10, min_top_levels = 6, min_top_levels_large = 8;

/// The one home of that rule, for the kernel and the cost model alike:
/// whether trees of these thresholds and splits can have tables at all...
constexpr bool top_tables_possible(bool float32, bool categorical) noexcept { return float32 && !categorical; }
/// ...the levels a tree of `depth` levels walks through its table...
constexpr uint32_t top_table_levels(uint32_t depth) noexcept { return depth < max_top_levels ? depth : max_top_levels; }
/// ...and whether it has one.
constexpr bool top_table_applies(uint32_t depth, bool large) noexcept {
  return top_table_levels(depth) >= (large ? min_top_levels_large : min_top_levels);
}

// Cycles (fitted, see above).
struct TreeCosts {
  // Bit-vector kernel, per tile of `lanes` rows: one record (load, compare,
  // clear), one word (find its lowest bit), one tree's leaf where it is
  // gathered (more than 16 leaves; up to 16 it is permuted from registers,
  // which the refit found free beside the records); per lane and value, a
  // leaf added when leaves have several values or trees add to several
  // scores; per row: gathering one used feature into the tile.
  // A record costs more a tile as tiles widen (AVX-512 runs as two 256-bit
  // halves on Zen 4), less a row.
  static constexpr double record_4 = 0.53, record_8 = 0.63, record_16 = 1.0;
  static constexpr double word = 9.1, gathered_tree = 3.8, lane_value = 1.3, feature = 1.6;
  static constexpr double record(size_t lanes) noexcept {
    return lanes <= 4 ? record_4 : lanes <= 8 ? record_8 : record_16;
  }
  // Node walk, per row: one lockstep level (dependent loads), one level
  // through the top levels' table (table_step), one tree (leaf add); a level
  // over float64 thresholds (HistGradientBoosting) took 1.9x a float32 one's
  // time per estimated cycle on the tuning models (0.72-0.90 against
  // 0.33-0.53 ns).  table_step: when the table came to trees of 6-7 levels
  // that are not large, the walk got 3-36% faster on the sweep's deep
  // shapes, and with `step` for the table's levels too, the estimate ranked
  // the bit-vector kernel first where the walk was faster
  // (s_et_d8_t100_f30 SSE4.2 1.43x, tune_rfc_d8_t100_f20 AVX2 1.23x;
  // tune_tree_cost.py, 3 rounds); any table_step in 2.15-2.65 ranks both
  // right and keeps the rest (only x_lg255_t100_f80_reg_nan30 on AVX2, 1.8x,
  // stays, as before).
  static constexpr double step = 3.0, table_step = 2.4, walk_tree = 6.0, float64_walk = 1.9;
};

inline double bitvector_cycles(const TreeEnsembleView& v, size_t lanes) noexcept {
  const LeafBitvectorView& b = v.bitvectors;
  const bool one_value = v.n_raw == 1 && v.leaf_width == 1;
  const double per_tree = one_value ? (b.max_tree_leaves > 16 ? TreeCosts::gathered_tree : 0.0)
                                    : TreeCosts::lane_value * double(lanes * v.leaf_width);
  return (TreeCosts::record(lanes) * double(b.n_records) + TreeCosts::word * double(b.n_words) +
          per_tree * double(v.n_trees)) /
             double(lanes) +
         TreeCosts::feature * double(b.n_features);
}

/// Of a row's expected lockstep levels (walk_steps), those through the top
/// levels' table: where tables are possible at all (top_tables_possible),
/// judged from the mean levels a tree (the file records no depths per tree).
inline double table_steps(const TreeEnsembleView& v) noexcept {
  if (!top_tables_possible(v.node_threshold != nullptr, v.n_category_sets != 0) || v.n_trees == 0) return 0.0;
  const double per_tree = v.bitvectors.expected_walk_steps() / double(v.n_trees);
  if (per_tree < min_top_levels) return 0.0;
  return double(v.n_trees) * (per_tree < max_top_levels ? per_tree : max_top_levels);
}

inline double walk_cycles(const TreeEnsembleView& v) noexcept {
  const double table = table_steps(v);
  const double cycles = TreeCosts::step * (v.bitvectors.expected_walk_steps() - table) + TreeCosts::table_step * table +
                        TreeCosts::walk_tree * double(v.n_trees);
  return v.node_threshold64 != nullptr ? TreeCosts::float64_walk * cycles : cycles;
}

/// Whether `n_rows` rows should take the bit-vector kernel with `lanes`
/// float lanes (the caller has checked that the layout is present): a tile
/// of `lanes` rows costs the same however few of its lanes are used.
inline bool bitvectors_pay_off(const TreeEnsembleView& v, size_t lanes, size_t n_rows) noexcept {
  const double fill = double(n_rows) / double((n_rows + lanes - 1) / lanes * lanes);
  return bitvector_cycles(v, lanes) < fill * walk_cycles(v);
}

/// The fewest rows, 2 up to `lanes`, that bitvectors_pay_off() with `lanes`
/// float lanes (`lanes` if none below it does): below one tile the used
/// fraction grows with the rows, so every fewer row does not pay off.  One
/// row always takes the one-row kernels (lanes = trees), which the batch
/// walk's estimate does not describe: where the refit let the bit-vector
/// kernel take it, it took 1.4-6x their time (AVX2, x_d2_t2000_f100_reg
/// 3.8 -> 22.8 us, s_gb_d2_t500_f20 0.93 -> 5.7, s_hgb_l15_t300_f10_c3 4.7 ->
/// 10.9, x_lg16_t400_f50 5.6 -> 7.6).  Nor did a one-row bit-vector kernel
/// pay (lanes = a word's records, their clears or-ed, masked loads; rows
/// with NaN left to the walks; tried and dropped): paired one-row CPU time
/// against the walks, Zen 4, 1.09-5.8x on AVX2 (x_lg63_t150_f12_c4 1.77x,
/// x_d8_t40_f15_reg 5.8x) and 1.13-4.4x on AVX-512 on the shapes it served:
/// a tree has many more records than levels.
inline uint32_t bitvectors_pay_from_rows(const TreeEnsembleView& v, size_t lanes) noexcept {
  for (size_t n = 2; n < lanes; ++n)
    if (bitvectors_pay_off(v, lanes, n)) return static_cast<uint32_t>(n);
  return static_cast<uint32_t>(lanes);
}

/// Index of `lanes` (4, 8, 16) in LeafBitvectorView::pays_from_rows.
constexpr size_t pays_from_index(size_t lanes) noexcept { return lanes == 4 ? 0 : lanes == 8 ? 1 : 2; }

/// Whether a file gets the complete-tree layout (FORMAT.md §5.1.2) for the
/// one-row kernel: float32 thresholds, no categorical splits, depth 1..6
/// (its nodes grow as 2^depth whatever the tree; at depth 6 a complete tree
/// takes 760 bytes, a full one in nodes 1.5 KB).  One row, AVX-512, Zen 4:
/// one 64-bit gather per level and tree lane (feature and threshold
/// together), no child reads, against three 32-bit gathers in the node walk:
/// 1.32 -> 0.64 us for 150 trees of depth 5, 1.94 -> 1.10 us for 500 of
/// depth 2 (prototype on synthetic complete trees, interleaved CPU time).
inline bool complete_trees_pay_off(const TreeEnsembleView& v) noexcept {
  return v.node_threshold != nullptr && v.n_category_sets == 0 && v.max_depth >= 1 &&
         v.max_depth <= max_complete_depth;
}

/// Whether the node walk takes the trees as large (the Large batch walk):
/// more nodes per tree on average than L1 holds (rf_clf's depth-8 trees have
/// < 512), or more nodes in all than L2 holds, so that every block of rows
/// fetches every tree from memory anyway (10,000 rows on Zen 5:
/// s_rf_d10_t200_f40_c4 21% faster, s_rf_full_t100_f20 8%).
inline bool walks_large_trees(const TreeEnsembleView& v, const CacheSizes& caches) noexcept {
  return v.n_nodes * 12 > uint64_t{v.n_trees} * (48 << 10) || v.n_nodes * 12 > caches.l2;
}

/// One row (or a few) of a float32 model without a complete-tree kernel:
/// whether R scalar walks side by side (row_trees, plain loads) beat lanes =
/// trees with gathers (trees).  Zen 4's AVX2 gathers cost more than the
/// scalar loads they replace, and SSE4.2 has no gathers at all (each one
/// is W loads and inserts).  One-row CPU time on Zen 4, the 31 sweep shapes,
/// paired blocks of calls, median ratio scalar walks / gathers: AVX2
/// 0.62-0.97 on the 15 shapes this path serves, never slower; SSE4.2
/// 0.69-1.02 where trees are 3 levels or deeper, 1.11-1.24 on the three of
/// depth 2 (their few levels leave the walks' fixed costs, a root and a
/// leaf a tree, against 4 trees a gather).  AVX-512 keeps its gathers:
/// the scalar walks took 1.11-1.38x the time on 8 XGBoost shapes (0.75-0.90
/// on the 5 scikit-learn forests and x_lg255_t100_f80_reg_nan30, a split
/// no rule here predicts yet).  Measured on Zen 4 only: CPUs with cheaper
/// AVX2 gathers may favour trees() there.
constexpr bool few_rows_always_walk_scalar(size_t lanes) noexcept { return lanes == 8; }

inline bool few_rows_walk_scalar(const TreeEnsembleView& v, size_t lanes) noexcept {
  if (few_rows_always_walk_scalar(lanes)) return true;
  if (lanes == 4) return v.max_depth >= 3;
  return false;
}

/// Rows a call of the node walk should bring: each call of the large-tree
/// walk fetches every tree from memory, and every call builds the top
/// levels' table of each tree of min_top_levels or more (float32 trees
/// without category sets), which as many rows as a call can get repay best
/// (threads then share a batch in the largest chunks that still end
/// together: RowChunks in api/predict.cc, with the measurements).  Without
/// the tables' share, 2 threads on x_d8_t40_f15_reg (40 trees of depth 8,
/// SSE4.2) took 1.15x one thread's CPU time in chunks of ~100 us.
inline size_t walk_min_rows_per_call(const TreeEnsembleView& v, const CacheSizes& caches) noexcept {
  const bool tables = top_tables_possible(v.node_threshold != nullptr, v.n_category_sets != 0) &&
                      top_table_applies(v.max_depth, false);
  return walks_large_trees(v, caches) || tables ? tree_block_rows : 0;
}

/// Rows per pass of the node walk over the trees.  Trees larger than L1
/// (`large`) come from memory once per block, so the block is as large as
/// possible (tree_block_rows); smaller trees stay cached anyway, and then the
/// block's rows should stay in L2 instead of being re-read from memory for
/// every tree (10,000 rows of 200 float32 features are 8 MB).
inline size_t walk_block_rows(const TreeEnsembleView& v, bool large, size_t value_bytes,
                              const CacheSizes& caches) noexcept {
  if (large) return tree_block_rows;
  const size_t row_bytes = size_t{v.n_features} * value_bytes + size_t{v.n_raw} * sizeof(double);
  const size_t rows = (caches.l2 / 2) / row_bytes;
  return rows < 512 ? 512 : rows > tree_block_rows ? tree_block_rows : rows;
}

/// The most tiles of rows that the bit-vector kernel takes through a tree's
/// records in one pass (each record's feature, threshold and bits loaded
/// once for all of them; their chains of clears overlap).  8 against 2
/// tiles, 10,000 rows, Zen 4, interleaved medians: AVX-512 x_d8_t40_f15_reg
/// 3.0 -> 2.4 ms; AVX2 x_d6_t100_f8 0.72x, x_lg63_t150_f12_c4 0.66x; SSE4.2
/// x_d4_t60_f30_c5 0.70x, x_d3_t700_f10_c3 0.67x (with 16 registers some
/// leaf words spill, still a net gain).
constexpr size_t bitvector_max_tiles_per_pass = 8;

/// How the bit-vector kernel tiles rows x trees: `block_rows` rows are
/// gathered feature-major into scratch (sized to stay in L2 with their
/// scores) and every group of trees whose records fit in L1 beside one
/// pass's tiles of features runs over all of them before the next group.
struct BitvectorPlan {
  size_t block_rows = 0;     // a multiple of the lanes
  size_t group_records = 0;  // records per tree group (a group has at least one tree)
  size_t tiles_per_pass = 2;  // 8, 4 or 2
};

inline BitvectorPlan plan_bitvectors(const TreeEnsembleView& v, size_t lanes, size_t n_rows,
                                     const CacheSizes& caches) noexcept {
  const LeafBitvectorView& b = v.bitvectors;
  const size_t feature_bytes = size_t{b.n_features} * sizeof(float);  // per row, gathered
  const size_t row_bytes = feature_bytes + size_t{v.n_raw} * sizeof(double);
  size_t rows = (caches.l2 / 2) / (row_bytes ? row_bytes : 1);
  rows = rows < lanes ? lanes : rows > 4096 ? 4096 : rows;
  const size_t rounded_rows = (n_rows + lanes - 1) / lanes * lanes;
  if (rows > rounded_rows) rows = rounded_rows;
  BitvectorPlan p;
  p.block_rows = rows / lanes * lanes;
  // As many tiles a pass as fit in half of L1: every record re-reads its
  // feature from each of them.  At least 2, and at least a cache line's
  // worth (a run holds a feature's tiles side by side: SSE4.2's 2 tiles
  // would read 32 bytes of each 64-byte line, the rest left to another
  // pass): 10,000 rows, SSE4.2, paired, Zen 4: x_d6_t150_f300_c3 0.81x,
  // x_d3_t200_f500_nan10 0.92x with 4 tiles against 2.
  p.tiles_per_pass = bitvector_max_tiles_per_pass;
  const size_t line_tiles = lanes * sizeof(float) < 32 ? 64 / (lanes * sizeof(float)) : 2;
  while (p.tiles_per_pass > line_tiles && feature_bytes * lanes * p.tiles_per_pass > caches.l1 / 2) p.tiles_per_pass /= 2;
  const size_t tile_bytes = feature_bytes * lanes * p.tiles_per_pass;
  const size_t record_bytes = 3 * sizeof(uint32_t);
  const size_t budget = caches.l1 > 2 * tile_bytes ? caches.l1 - tile_bytes : caches.l1 / 2;
  p.group_records = budget / 2 / record_bytes;
  return p;
}

}  // namespace mlmap::kernels
