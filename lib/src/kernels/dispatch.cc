#include "kernels/dispatch.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "kernels/column_kernels.hpp"
#include "kernels/dense_view.hpp"
#include "kernels/exp_kernels.hpp"
#include "kernels/first_special.hpp"
#include "kernels/transpose_kernels.hpp"
#include "kernels/pairwise_view.hpp"
#include "kernels/tree_cost.hpp"
#include "kernels/tree_kernels.hpp"

// In a build without the AVX-512 kernels (MLMAP_IF_AVX512, dispatch.hpp) the
// avx512bw case of each switch below is empty and falls through to AVX2's:
// never taken, since detect() then reports no AVX-512, and right if it were.
namespace mlmap::kernels {

namespace {

// GCC's CPU model also checks that the OS saves the wider registers (XGETBV),
// which xsimd 8.1's detection does not.
bool detect(Isa isa) noexcept {
  __builtin_cpu_init();
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::sse4_2: return __builtin_cpu_supports("sse4.2");
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512bw:
      return MLMAP_AVX512_KERNELS && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  }
  return false;
}

Isa best() noexcept {
  for (Isa isa : {Isa::avx512bw, Isa::avx2, Isa::sse4_2})
    if (detect(isa)) return isa;
  return Isa::scalar;
}

Isa initial() noexcept {
  Isa isa = best();
  if (const char* forced = std::getenv("MLMAP_FORCE_ARCH")) {
    Isa wanted;
    if (parse_isa(forced, &wanted) && detect(wanted)) isa = wanted;  // else: ignored, the best runs
  }
  return isa;
}

std::atomic<int>& current() noexcept {
  static std::atomic<int> isa{static_cast<int>(initial())};
  return isa;
}

std::atomic<int>& algorithm() noexcept {
  static std::atomic<int> a{[] {
    TreeAlgorithm algorithm = TreeAlgorithm::automatic;
    if (const char* forced = std::getenv("MLMAP_TREE_ALGORITHM")) (void)parse_enum(forced, algorithm);
    return static_cast<int>(algorithm);
  }()};
  return a;
}

}  // namespace

TreeAlgorithm tree_algorithm() noexcept {
  return static_cast<TreeAlgorithm>(algorithm().load(std::memory_order_relaxed));
}

void set_tree_algorithm(TreeAlgorithm a) noexcept { algorithm().store(static_cast<int>(a), std::memory_order_relaxed); }

const char* isa_name(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::sse4_2: return "sse4_2";
    case Isa::avx2: return "avx2";
    case Isa::avx512bw: return "avx512bw";
  }
  return "unknown";
}

bool parse_isa(const std::string& name, Isa* out) noexcept {
  for (Isa isa : {Isa::scalar, Isa::sse4_2, Isa::avx2, Isa::avx512bw})
    if (name == isa_name(isa)) {
      *out = isa;
      return true;
    }
  return false;
}

bool isa_supported(Isa isa) noexcept { return detect(isa); }

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::scalar, Isa::sse4_2, Isa::avx2, Isa::avx512bw})
    if (detect(isa)) out.push_back(isa);
  return out;
}

Isa active_isa() noexcept { return static_cast<Isa>(current().load(std::memory_order_relaxed)); }

bool set_isa(Isa isa) noexcept {
  if (!detect(isa)) return false;
  current().store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

CacheSizes cache_sizes() noexcept {
  static const CacheSizes sizes = [] {
    CacheSizes c;
    const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (l1 >= (4 << 10) && l1 <= (4 << 20)) c.l1 = static_cast<size_t>(l1);
    if (l2 >= (64 << 10) && l2 <= (256 << 20)) c.l2 = static_cast<size_t>(l2);
    return c;
  }();
  return sizes;
}

bool accumulate_trees_bitvectors(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  if (!v.bitvectors.present()) return false;
  const TreeAlgorithm algorithm = tree_algorithm();
  if (algorithm == TreeAlgorithm::walk) return false;
  // Fewer rows than every lane count's threshold (decided at open; 0: not
  // decided) pay on no ISA: a one-row call is told here, not by a call into
  // the ISA's kernel (~35 instructions).
  const uint32_t* pays = v.bitvectors.pays_from_rows;
  if (algorithm != TreeAlgorithm::bitvectors && n_rows < std::min({pays[0], pays[1], pays[2]})) return false;
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return accumulate_bitvectors_avx512bw(v, X, n_rows, raw);)
    case Isa::avx2: return accumulate_bitvectors_avx2(v, X, n_rows, raw);
    case Isa::sse4_2: return accumulate_bitvectors_sse4_2(v, X, n_rows, raw);
    case Isa::scalar: break;  // the reference walks
  }
  return false;
}

void accumulate_trees(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept {
  if (v.node_threshold && accumulate_trees_bitvectors(v, X, n_rows, raw)) return;
  if (v.complete.present() && tree_algorithm() == TreeAlgorithm::walk) {
    // A forced walk walks the nodes: without the complete-tree layout
    // (which the AVX-512 and AVX2 kernels take for a few rows).
    TreeEnsembleView nodes_only = v;
    nodes_only.complete = {};
    return accumulate_trees(nodes_only, X, n_rows, raw);
  }
  const Isa isa = simd_fits(v) ? active_isa() : Isa::scalar;
  switch (isa) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return accumulate_trees_avx512bw(v, X, n_rows, raw);)
    case Isa::avx2: return accumulate_trees_avx2(v, X, n_rows, raw);
    case Isa::sse4_2: return accumulate_trees_sse4_2(v, X, n_rows, raw);
    case Isa::scalar: break;
  }
  accumulate_trees_scalar(v, X, n_rows, raw);
}

namespace {

template <class X_t>
void dispatch_dense(const DenseLayerView& L, const X_t* X, size_t n_rows, double* Y) noexcept {
  if (L.kind != LayerKind::dense) {
    rowwise_layer(L, X, n_rows, Y);
  } else {
    switch (active_isa()) {
      case Isa::avx512bw: MLMAP_IF_AVX512(dense_product_avx512bw(L, X, n_rows, Y); break;)
      case Isa::avx2: dense_product_avx2(L, X, n_rows, Y); break;
      case Isa::sse4_2: dense_product_sse4_2(L, X, n_rows, Y); break;
      case Isa::scalar: dense_product_scalar(L, X, n_rows, Y); break;
    }
  }
  activate_rows(L, Y, n_rows);
}

}  // namespace

void dense_layer(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
  dispatch_dense(L, X, n_rows, Y);
}

void dense_layer(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept {
  dispatch_dense(L, X, n_rows, Y);
}

void exp_inplace(double* v, size_t n) noexcept {
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return exp_inplace_avx512bw(v, n);)
    case Isa::avx2: return exp_inplace_avx2(v, n);
    case Isa::sse4_2: return exp_inplace_sse4_2(v, n);
    case Isa::scalar: break;
  }
  exp_inplace_scalar(v, n);
}

namespace {

template <class T>
size_t dispatch_first_inf(const T* p, size_t n) noexcept {
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return first_inf_avx512bw(p, n);)
    case Isa::avx2: return first_inf_avx2(p, n);
    case Isa::sse4_2: return first_inf_sse4_2(p, n);
    case Isa::scalar: break;
  }
  return first_inf_reference(p, n);
}

}  // namespace

size_t first_inf(const float* p, size_t n) noexcept { return dispatch_first_inf(p, n); }
size_t first_inf(const double* p, size_t n) noexcept { return dispatch_first_inf(p, n); }

void sigmoids(double s, const double* raw, size_t n, double* out) noexcept {
  if (n < sigmoid_kernel_min_values) return sigmoids_scalar(s, raw, n, out);
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return sigmoids_avx512bw(s, raw, n, out);)
    case Isa::avx2: return sigmoids_avx2(s, raw, n, out);
    case Isa::sse4_2: return sigmoids_sse4_2(s, raw, n, out);
    case Isa::scalar: break;
  }
  sigmoids_scalar(s, raw, n, out);
}

void sigmoid_pairs(double s, const double* raw, size_t n, double* out) noexcept {
  if (n < sigmoid_kernel_min_values) return sigmoid_pairs_scalar(s, raw, n, out);
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return sigmoid_pairs_avx512bw(s, raw, n, out);)
    case Isa::avx2: return sigmoid_pairs_avx2(s, raw, n, out);
    case Isa::sse4_2: return sigmoid_pairs_sse4_2(s, raw, n, out);
    case Isa::scalar: break;
  }
  sigmoid_pairs_scalar(s, raw, n, out);
}

void column_op(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y, size_t n) noexcept {
  if (n >= column_kernel_min_rows) {
    switch (active_isa()) {
      case Isa::avx512bw: MLMAP_IF_AVX512(return column_op_avx512bw(op, args, x, z, y, n);)
      case Isa::avx2: return column_op_avx2(op, args, x, z, y, n);
      case Isa::sse4_2: return column_op_sse4_2(op, args, x, z, y, n);
      case Isa::scalar: break;
    }
  }
  column_op_scalar(op, args, x, z, y, n);
}

namespace {

template <class T>
void dispatch_map_rows(const RowMap& m, const T* X, size_t width, size_t n, double* F) noexcept {
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return map_rows_avx512bw(m, X, width, n, F);)
    case Isa::avx2: return map_rows_avx2(m, X, width, n, F);
    case Isa::sse4_2: return map_rows_sse4_2(m, X, width, n, F);
    case Isa::scalar: break;
  }
  map_rows_scalar(m, X, width, n, F);
}

}  // namespace

void map_rows(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept {
  dispatch_map_rows(m, X, width, n, F);
}

void map_rows(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept {
  dispatch_map_rows(m, X, width, n, F);
}

void column_lookup(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                   double* y) noexcept {
  if (n >= column_kernel_min_rows) {
    switch (active_isa()) {
      case Isa::avx512bw: MLMAP_IF_AVX512(return column_lookup_avx512bw(x, n, values, codes, m, otherwise, y);)
      case Isa::avx2: return column_lookup_avx2(x, n, values, codes, m, otherwise, y);
      case Isa::sse4_2: return column_lookup_sse4_2(x, n, values, codes, m, otherwise, y);
      case Isa::scalar: break;
    }
  }
  column_lookup_scalar(x, n, values, codes, m, otherwise, y);
}

void columns_to_rows(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                     size_t count, size_t pw, size_t n, double* F) noexcept {
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return columns_to_rows_avx512bw(base, stride, slots, positions, count, pw, n, F);)
    case Isa::avx2: return columns_to_rows_avx2(base, stride, slots, positions, count, pw, n, F);
    case Isa::sse4_2: return columns_to_rows_sse4_2(base, stride, slots, positions, count, pw, n, F);
    case Isa::scalar: break;
  }
  columns_to_rows_scalar(base, stride, slots, positions, count, pw, n, F);
}

namespace {

template <class T>
void dispatch_rows_to_columns(const T* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                              size_t stride) noexcept {
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return rows_to_columns_avx512bw(X, width, cols, n_cols, n, base, stride);)
    case Isa::avx2: return rows_to_columns_avx2(X, width, cols, n_cols, n, base, stride);
    case Isa::sse4_2: return rows_to_columns_sse4_2(X, width, cols, n_cols, n, base, stride);
    case Isa::scalar: break;
  }
  rows_to_columns_scalar(X, width, cols, n_cols, n, base, stride);
}

}  // namespace

void rows_to_columns(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                     size_t stride) noexcept {
  dispatch_rows_to_columns(X, width, cols, n_cols, n, base, stride);
}

void rows_to_columns(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                     size_t stride) noexcept {
  dispatch_rows_to_columns(X, width, cols, n_cols, n, base, stride);
}

bool bf16_bound_available() noexcept {
  static const bool cpu = __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("bmi2");
  return cpu && active_isa() == Isa::avx512bw;
}

bool int8_bound_available() noexcept {
  static const bool cpu = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("bmi2");
  return cpu && active_isa() == Isa::avx512bw;
}

void pairwise(const RowBlocksView& rows, const PairwiseTask& task) noexcept {
  if (task.op == RowOp::euclidean_flags8) {
    MLMAP_IF_AVX512(
        if (task.packed8 && task.queries8 && task.row_terms8 && int8_bound_available()) pairwise_avx512vnni(rows, task);)
    return;  // elsewhere `below` stays as the caller set it
  }
  MLMAP_IF_AVX512(if (task.op == RowOp::euclidean_bound16 && task.packed16 && task.queries16 && bf16_bound_available())
                      return pairwise_avx512bf16(rows, task);)
  const Isa isa = active_isa();
  if ((task.op == RowOp::euclidean_bound32 || task.op == RowOp::euclidean_bound16) &&
      (isa == Isa::sse4_2 || isa == Isa::scalar)) {
    // Without FMA the float32 bound is the reference's fmaf lane by lane
    // (50 times slower than float64 SSE4.2 code): the float64 bound, tighter,
    // is as true with the caller's slack.
    PairwiseTask t = task;
    t.op = RowOp::euclidean_bound;
    return isa == Isa::sse4_2 ? pairwise_sse4_2(rows, t) : pairwise_scalar(rows, t);
  }
  switch (isa) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return pairwise_avx512bw(rows, task);)
    case Isa::avx2: return pairwise_avx2(rows, task);
    case Isa::sse4_2: return pairwise_sse4_2(rows, task);
    case Isa::scalar: break;
  }
  pairwise_scalar(rows, task);
}

void squared_distance_pairs(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept {
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return squared_distance_pairs_avx512bw(rows, pairs);)
    case Isa::avx2: return squared_distance_pairs_avx2(rows, pairs);
    case Isa::sse4_2: return squared_distance_pairs_sse4_2(rows, pairs);
    case Isa::scalar: break;
  }
  squared_distance_pairs_scalar(rows, pairs);
}

size_t next_block_below(const double* d, size_t from, size_t n_blocks, double root) noexcept {
  switch (active_isa()) {
    case Isa::avx512bw: MLMAP_IF_AVX512(return next_block_below_avx512bw(d, from, n_blocks, root);)
    case Isa::avx2: return next_block_below_avx2(d, from, n_blocks, root);
    case Isa::sse4_2: return next_block_below_sse4_2(d, from, n_blocks, root);
    case Isa::scalar: break;
  }
  return next_block_below_scalar(d, from, n_blocks, root);
}

void accumulate_trees(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept {
  // float64 thresholds (a float64 X of a float32 model is converted first).
  if (v.node_threshold64) {
    switch (active_isa()) {
      case Isa::avx512bw: MLMAP_IF_AVX512(return accumulate_trees_avx512bw(v, X, n_rows, raw);)
      case Isa::avx2: return accumulate_trees_avx2(v, X, n_rows, raw);
      case Isa::sse4_2: return accumulate_trees_sse4_2(v, X, n_rows, raw);
      case Isa::scalar: break;
    }
  }
  accumulate_trees_scalar(v, X, n_rows, raw);
}

}  // namespace mlmap::kernels
