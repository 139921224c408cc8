#include "model/neighbors.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "format/limits.hpp"
#include "kernels/pairwise_view.hpp"
#include "model/neighbor_selection.hpp"
#include "model/stored_rows.hpp"

namespace mlmap::model {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

Error invalid(const std::string& what) { return Error(error_code::invalid_model, "neighbors: " + what); }

struct NeighborsView {
  kernels::RowBlocksView rows;
  fb::Metric metric = fb::Metric::Euclidean;
  double p = 2.0;
  uint32_t k = 1;
  bool distance_weights = false;
  bool classifier = false;
  uint32_t n_raw = 1;                // classes or targets
  uint32_t n_label_outputs = 1;      // classifier: labels per row (its output groups, 1 without)
  const uint32_t* labels = nullptr;  // classifier: [n_samples, n_label_outputs] class slots
  std::vector<uint64_t> group_ends;  // classifier with output groups: each group's end slot
  bool radius = false;               // radius neighbours: every row within reduced_radius (k = 0)
  double reduced_radius = 0;
  std::vector<uint32_t> outlier_slots;  // radius classifiers: a row without neighbours votes for these
  const double* targets = nullptr;   // regressor: [n_samples, n_raw]
  const double* sq_norms = nullptr;  // euclidean: each stored row's y . y (padded to the blocks)
};

// Nearest first; equal distances by row; NaN (from infinite inputs) last,
// so that the order stays a strict weak one.
bool nearer(const std::pair<double, uint64_t>& a, const std::pair<double, uint64_t>& b) noexcept {
  const bool a_nan = std::isnan(a.first), b_nan = std::isnan(b.first);
  if (a_nan != b_nan) return b_nan;
  if (!a_nan && a.first != b.first) return a.first < b.first;
  return a.second < b.second;
}

// Rounded to nearest; beyond float's range infinite (a conversion C++
// leaves undefined), which makes the float32 bound give up on that query.
float to_float(double v) noexcept {
  if (std::fabs(v) <= static_cast<double>(FLT_MAX)) return static_cast<float>(v);
  return v > 0 ? HUGE_VALF : -HUGE_VALF;
}

kernels::RowOp row_op(fb::Metric m) noexcept {
  switch (m) {
    case fb::Metric::Manhattan: return kernels::RowOp::manhattan;
    case fb::Metric::Chebyshev: return kernels::RowOp::chebyshev;
    case fb::Metric::Minkowski: return kernels::RowOp::minkowski;
    case fb::Metric::Cosine: return kernels::RowOp::dot;
    default: return kernels::RowOp::squared_euclidean;
  }
}

class NeighborsPredictor final : public Predictor {
 public:
  explicit NeighborsPredictor(const NeighborsView& v) : v_(v) {}

  PredictorKind kind() const noexcept override { return PredictorKind::neighbors; }
  size_t n_raw() const noexcept override { return v_.n_raw; }
  // sklearn's neighbours refuse NaN; a NaN distance would also upset the
  // selection, so the caller finds NaN before the distances.
  bool accepts_missing() const noexcept override { return false; }
  // Each call scans the stored rows once (flag_queries_per_pass()): blocks
  // of a few hundred rows keep the raw scores small without adding passes.
  size_t block_rows() const noexcept override { return flag_queries_per_pass(); }
  // A call with fewer rows still reads every stored row: 2 threads cutting
  // 1,000 queries into 4 chunks read them 4 times, not once.
  size_t min_rows_per_call() const noexcept override { return flag_queries_per_pass(); }

  Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }
  Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }

  Status verify() const noexcept override {
    auto st = verify_stored_rows(v_.rows, "neighbors.samples");
    if (!st) return st;
    // The bounds of euclidean searches are only as right as these norms:
    // each must be the row's own x . x, summed as the kernels sum it.
    if (v_.sq_norms) {
      std::vector<double> zero(v_.rows.n_features, 0.0);
      for (uint64_t i = 0; i < v_.rows.n_blocks() * kernels::block_lanes; ++i) {
        const double want = i < v_.rows.n_rows ? kernels::squared_distance(v_.rows, i, zero.data()) : 0.0;
        if (!(v_.sq_norms[i] == want))
          return invalid("squared norm " + str(i) + " is not the stored row's (" + std::to_string(v_.sq_norms[i]) +
                         ", expected " + std::to_string(want) + ")");
      }
    }
    if (v_.classifier) {
      const uint32_t m = v_.n_label_outputs;
      for (uint64_t i = 0; i < v_.rows.n_rows; ++i)
        for (uint32_t g = 0; g < m; ++g) {
          const uint64_t lo = g == 0 ? 0 : v_.group_ends[g - 1], hi = m == 1 ? v_.n_raw : v_.group_ends[g];
          const uint32_t c = v_.labels[i * m + g];
          if (c < lo || c >= hi)
            return invalid("row " + str(i) + " has class " + str(c) + (m == 1 ? "" : " for output " + str(g)) +
                           ", outside [" + str(lo) + ", " + str(hi) + ")");
        }
    } else {
      const uint64_t n = v_.rows.n_rows * v_.n_raw;
      for (uint64_t i = 0; i < n; ++i)
        if (!std::isfinite(v_.targets[i]))
          return invalid("target " + str(i / v_.n_raw) + "[" + str(i % v_.n_raw) + "] is not finite");
    }
    return {};
  }

 private:
  // Queries per pass over the stored rows, and stored blocks per pass of the
  // kernel: each stored value is read from memory once per `queries_per_pass`
  // queries, and the distances of a pass (512 x 128, 512 KB) stay in L2.
  // With 64 queries a pass, reading the rows from memory took a quarter of a
  // bfloat16 search's time (256: 9% more than 512).  Searches that keep flags
  // (bfloat16 or int8 bounds) store no distances: twice the queries (a call's
  // block_rows), each pass's packing and the rows read from memory shared by
  // all (100k x 64 rows, 1,000 queries: 0.97 of the time of calls of 512),
  // as long as their packed copies (2 bytes a feature) stay within 128 KB:
  // 1,024 queries of 256 features were 5% slower than 512 (10k rows, k = 50).
  static constexpr size_t queries_per_pass = 512;
  size_t flag_queries_per_pass() const noexcept {
    return std::clamp<size_t>((size_t{64} << 10) / std::max<size_t>(1, v_.rows.n_features), queries_per_pass, 1024);
  }
  static constexpr uint64_t blocks_per_pass = 16;
  // The bfloat16 kernel packs each pass's rows before its products: below 8
  // queries a call, the float32 kernel, which reads the rows as stored, is
  // faster (100k x 64 rows: one query 1.6 ms against 2.0, four 2.4 against
  // 2.8; sixteen 5.1 against 4.3).  Both bounds are true: the same pushes.
  static constexpr size_t bf16_min_queries = 8;
  // Whether a call goes on with int8 or bfloat16 flags, decided at two
  // passes (a sixteenth and a quarter of the way in: the first choice soon,
  // the second where the heaps' roots are nearer their end) flagged both
  // ways.  A row either bound lets through costs a float64 distance, about
  // 48 times its int8 products (3 operations a feature on 4 lanes against 4
  // features on 16 lanes), and int8 saves half of bfloat16's products: int8
  // while it lets through fewer than 1 row in 48 more than bfloat16.  (10k x
  // 256 rows, k = 50: 25% of rows measured with int8 against 11%; 100k x 64,
  // k = 5: 0.65% against 0.3%.)  Both flag sets are supersets of the rows to
  // push, so the pass keeps their intersection.
  template <class Use>
  void choose_int8(const kernels::PairwiseTask& task, size_t nq, bool int8, std::vector<uint64_t>& below,
                   std::vector<uint64_t>& probe, Use&& use_int8) const noexcept {
    std::copy(below.begin(), below.begin() + static_cast<std::ptrdiff_t>(nq), probe.begin());
    use_int8(!int8);
    kernels::pairwise(v_.rows, task);  // use_int8 changed `task`
    uint64_t n_now = 0, n_other = 0;   // half blocks flagged
    for (size_t q = 0; q < nq; ++q) {
      n_now += static_cast<uint64_t>(__builtin_popcountll(probe[q]));
      n_other += static_cast<uint64_t>(__builtin_popcountll(below[q]));
      below[q] &= probe[q];
    }
    const uint64_t n8 = int8 ? n_now : n_other, n16 = int8 ? n_other : n_now;
    use_int8((n8 - std::min(n8, n16)) * 48 < nq * task.n_blocks * 2);
  }

  // The queries as float64; cosine: divided by their norms, as the rows.
  template <class T>
  void load_queries(const T* X, size_t n_rows, double* queries) const noexcept {
    const size_t nf = v_.rows.n_features;
    for (size_t i = 0; i < n_rows * nf; ++i) queries[i] = static_cast<double>(X[i]);
    if (v_.metric == fb::Metric::Cosine)
      for (size_t q = 0; q < n_rows; ++q) normalize_row(queries + q * nf, nf);
  }

  // Radius neighbours without stored norms (the metrics other than
  // euclidean, and files written before radius files had them): every
  // stored row's exact reduced distance, the rows within the radius in row
  // order (sklearn's brute force lists them so).
  template <class T>
  Status run_radius(const T* X, size_t n_rows, double* raw) const noexcept {
    try {
      const size_t nf = v_.rows.n_features;
      // As many queries a pass as the k-nearest search (each stored value
      // read from memory once per pass): 100k rows x 8/64/256, manhattan,
      // took 0.91-0.98 of the time of passes of 64 queries.
      const size_t qn = std::min(queries_per_pass, n_rows);
      const size_t stride = blocks_per_pass * kernels::block_lanes;
      std::vector<double> queries(qn * nf), dist(qn * stride);
      std::vector<std::vector<std::pair<double, uint64_t>>> found(qn);
      kernels::PairwiseTask task;
      task.op = row_op(v_.metric);
      task.p = v_.p;
      task.stride = stride;
      task.out = dist.data();
      const uint64_t n_blocks = v_.rows.n_blocks();
      const bool cosine = v_.metric == fb::Metric::Cosine;  // its reduced() is not the kernel's value
      const double root = radius_root();
      for (size_t r0 = 0; r0 < n_rows; r0 += qn) {
        const size_t nq = std::min(qn, n_rows - r0);
        load_queries(X + r0 * nf, nq, queries.data());
        for (auto& f : found) f.clear();
        task.queries = queries.data();
        task.n_queries = nq;
        for (uint64_t b0 = 0; b0 < n_blocks; b0 += blocks_per_pass) {
          task.first_block = b0;
          task.n_blocks = std::min(blocks_per_pass, n_blocks - b0);
          kernels::pairwise(v_.rows, task);
          const uint64_t first = b0 * kernels::block_lanes;
          const size_t n = static_cast<size_t>(std::min<uint64_t>(task.n_blocks * kernels::block_lanes,
                                                                  v_.rows.n_rows - first));
          for (size_t q = 0; q < nq; ++q) {
            const double* d = dist.data() + q * stride;
            auto within = [&](size_t lo, size_t hi) {
              for (size_t i = lo; i < hi; ++i) {
                const double r = reduced(d[i]);
                if (r <= v_.reduced_radius) found[q].emplace_back(r, first + i);
              }
            };
            if (cosine) {
              within(0, n);
              continue;
            }
            // Most blocks hold no row within the radius: skipped 8 values
            // at a time (NaN, never within, is visited and dropped).
            scan(d, n, root, within);
          }
        }
        for (size_t q = 0; q < nq; ++q) {
          auto st = finish_radius(found[q], raw + (r0 + q) * v_.n_raw);
          if (!st) return st;
        }
      }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory for radius-neighbour scratch");
    }
  }

  // The least double above reduced_radius: "not >= it" is "<= reduced_radius"
  // for every value (NaN aside), so the searches' tests of a heap's root
  // ("may enter": below the root) find the rows a radius may hold.
  double radius_root() const noexcept { return std::nextafter(v_.reduced_radius, HUGE_VAL); }

  // One query's raw scores from the rows within the radius, in row order.
  Status finish_radius(std::vector<std::pair<double, uint64_t>>& found, double* out) const noexcept {
    if (!found.empty() || !v_.classifier) {
      vote(found.data(), found.size(), out);  // regressors: NaN without neighbours, as sklearn
      return {};
    }
    if (v_.outlier_slots.empty())
      return Error(error_code::invalid_argument,
                   "neighbors: a row has no training row within the radius and the model has no outlier "
                   "label (scikit-learn raises ValueError: use a larger radius or an outlier_label)");
    std::fill(out, out + v_.n_raw, 0.0);
    for (uint32_t slot : v_.outlier_slots) out[slot] = 1.0;
    return {};
  }

  template <class T>
  Status run(const T* X, size_t n_rows, double* raw) const noexcept {
    if (v_.radius && !v_.sq_norms) return run_radius(X, n_rows, raw);
    try {
      const size_t nf = v_.rows.n_features, k = v_.k;
      // Euclidean searches with stored norms: a bound rules rows out (below).
      // Radius searches with them are these searches with a fixed root just
      // above the radius (radius_root) in place of the heaps' roots, and the
      // measured rows within the radius listed, not pushed.
      const bool bounded = v_.sq_norms != nullptr;
      const bool radius = v_.radius;
      const double fixed_root = radius ? radius_root() : 0.0;
      std::vector<std::vector<std::pair<double, uint64_t>>> found;
      const bool bf16 = bounded && kernels::bf16_bound_available() && n_rows >= bf16_min_queries;
      const bool flags = bf16;  // the search keeps flags, not bounds
      const size_t qn = std::min(flags ? flag_queries_per_pass() : queries_per_pass, n_rows);
      const size_t stride = blocks_per_pass * kernels::block_lanes;
      std::vector<double> queries(qn * nf), heap_values(qn * k);
      std::vector<uint64_t> heap_indices(qn * k);
      auto root_of = [&](size_t q) { return radius ? fixed_root : heap_values[q * k]; };
      std::vector<std::pair<double, uint64_t>> sorted(k);
      kernels::PairwiseTask task;
      task.op = row_op(v_.metric);
      task.p = v_.p;
      task.stride = stride;
      // Euclidean searches with stored norms: the kernel gives a lower
      // bound of each squared distance from the dot product (half the work
      // of the differences); only rows it cannot rule out are measured
      // exactly.  The slack covers the roundings of the dot product, both
      // norms and the exact sum (each within (n + 2) * 2^-53 of its value
      // relative to |x|^2 + |y|^2), with a factor 2 to spare.
      std::vector<double> norms(bounded ? qn : 0);
      if (bounded) {
        task.op = kernels::RowOp::euclidean_bound;
        task.query_norms = norms.data();
        task.row_norms = v_.sq_norms;
        task.bound_slack = (2.0 * static_cast<double>(nf) + 16) * 0x1p-52;
      }
      // The bound's dot product runs in float32 with fused multiply-adds
      // (four times the lanes per instruction of float64), from the queries
      // rounded to float and float32 rows (float64 rows rounded to float a
      // pass at a time: each is read once per `queries_per_pass` queries).
      // Its error is within (nf + 1) * 2^-24 * t of 2 x.y, t = |x|^2 + |y|^2
      // (rounding x, then nf fused steps each within 2^-24 of a partial sum
      // <= t / 2), one more 2^-24 * t for rounded rows, plus 2^-149 per step
      // where values underflow: the slack takes twice that, the floor covers
      // underflow.  A float sum that overflowed gives no bound (-inf).
      // Where the CPU also has AVX512_VNNI, the search starts with int8
      // products (twice bfloat16's per instruction; pairwise_avx512vnni.cc,
      // whose error bound is its own: the slack above covers float64
      // roundings only).  Their bound is looser (a uniform step per pass, not
      // 8 significant bits a value): where it makes the search measure many
      // rows bfloat16's would rule out (wide rows, large k), the call goes on
      // with bfloat16 (see choose_int8).
      bool int8 = bf16 && kernels::int8_bound_available() && nf <= kernels::max_int8_features;
      const bool narrowed = bounded && v_.rows.data64 != nullptr && !flags;  // those kernels round their own
      std::vector<float> queries32(bounded ? qn * nf : 0);
      std::vector<float> rows32(narrowed ? blocks_per_pass * kernels::block_lanes * nf : 0);
      // On CPUs with AVX512_BF16 the products are of bfloat16 values (twice
      // the products per instruction again): each rounded value within
      // 2^-8 (1 + 2^-15) of its float (8 significant bits: half an ulp is
      // up to 2^-8 of the value), so a product within 2^-7 (1 + 2^-7) of
      // x_f y_f and 2 x.y within that of t (sum |x_f y_f| <= t / 2), plus
      // one rounding within 2^-24 of a partial sum <= t / 2 per product of
      // the float32 sum; bfloat16 and float32 subnormals flush to 0 (the
      // floor, 2^-126 a value or product).  The slack takes 2^-7 (1 + 2^-6)
      // t, just above the first (the unit test of the bound fails with
      // half of it), and 4 times the second.  (Float64 rows are rounded to
      // float first, within the 2^-24 of the (1 + 2^-15).)
      std::vector<double> dist(flags ? 0 : qn * stride);
      task.out = dist.data();
      const size_t pairs = (nf + 1) / 2;
      std::vector<uint16_t> packed16(bf16 ? (blocks_per_pass / 2 + 1) * 32 * pairs : 0);
      std::vector<uint32_t> queries16(bf16 ? qn * pairs : 0);
      std::vector<double> roots(flags ? qn : 0);
      std::vector<uint64_t> below(flags ? qn : 0);
      std::vector<uint32_t> flagged(flags ? qn : 0);
      const size_t quads = (nf + 3) / 4;
      std::vector<uint32_t> packed8(int8 ? (blocks_per_pass / 2 + 1) * 16 * quads : 0);
      std::vector<uint32_t> queries8(int8 ? qn * quads : 0);
      std::vector<double> query_l1(int8 ? qn : 0);
      std::vector<int32_t> row_terms8(int8 ? (blocks_per_pass / 2 + 1) * 16 : 0);
      std::vector<float> row_terms16(bf16 ? (blocks_per_pass / 2 + 1) * 16 : 0);
      // The (query, half block) pairs a pass must measure, and their distances.
      // Not zeroed (new T[]): sized for a pass measuring every half block,
      // most passes write a few of their pages (zeroing them took 1% of a
      // 1,000-query call).
      const size_t max_pairs = bounded ? qn * blocks_per_pass * 2 : 0;
      std::unique_ptr<uint32_t[]> pair_query(new uint32_t[max_pairs]);
      std::unique_ptr<uint64_t[]> pair_half(new uint64_t[max_pairs]);
      std::unique_ptr<double[]> exact(new double[max_pairs * kernels::half_lanes]);
      static_assert(blocks_per_pass <= 32, "below: one bit a half block");
      const double slack64 = task.bound_slack;
      if (bf16) {
        task.op = kernels::RowOp::euclidean_bound16;
        task.queries32 = queries32.data();
        task.packed16 = packed16.data();
        task.queries16 = queries16.data();
        task.roots = roots.data();
        task.below = below.data();
        task.row_terms16 = row_terms16.data();
        task.bound_slack += 0x1.04p-7 + (static_cast<double>(nf) + 2) * 0x1p-22;
        task.bound_floor = (static_cast<double>(nf) + 1) * 0x1p-120;
        task.packed8 = packed8.data();
        task.queries8 = queries8.data();
        task.query_l1 = query_l1.data();
        task.row_terms8 = row_terms8.data();
      }
      const double slack16 = task.bound_slack, floor16 = task.bound_floor;
      auto use_int8 = [&](bool on) {
        int8 = on;
        task.op = on ? kernels::RowOp::euclidean_flags8 : kernels::RowOp::euclidean_bound16;
        task.bound_slack = on ? slack64 : slack16;
        task.bound_floor = on ? 0.0 : floor16;
      };
      if (int8) use_int8(true);
      if (bounded && !bf16) {
        task.op = kernels::RowOp::euclidean_bound32;
        task.queries32 = queries32.data();
        task.bound_slack += (static_cast<double>(nf) + (narrowed ? 6 : 4)) * 0x1p-23;
        task.bound_floor = (static_cast<double>(nf) + 1) * 0x1p-140;
      }
      const uint64_t n_blocks = v_.rows.n_blocks();
      // The passes where int8 and bfloat16 flags are compared (those holding
      // these blocks; see choose_int8).
      const uint64_t probe1 = std::max<uint64_t>(1, n_blocks / 16 / blocks_per_pass) * blocks_per_pass,
                     probe2 = std::max<uint64_t>(1, n_blocks / 4 / blocks_per_pass) * blocks_per_pass;
      const bool probes = int8;
      std::vector<uint64_t> probe(probes ? qn : 0);
      if (radius) found.resize(qn);
      for (size_t r0 = 0; r0 < n_rows; r0 += qn) {
        const size_t nq = std::min(qn, n_rows - r0);
        load_queries(X + r0 * nf, nq, queries.data());
        for (size_t q = 0; bounded && q < nq; ++q) {
          double acc = 0;
          for (size_t f = 0; f < nf; ++f) acc += queries[q * nf + f] * queries[q * nf + f];
          norms[q] = acc;
        }
        for (size_t i = 0; bounded && i < nq * nf; ++i) queries32[i] = to_float(queries[i]);
        if (bf16) kernels::pack_queries_bf16(queries32.data(), nq, static_cast<uint32_t>(nf), queries16.data());
        if (probes)  // int8 or not now: a probe may turn it back on
          task.query_scale8 =
              kernels::pack_queries_int8(queries.data(), nq, static_cast<uint32_t>(nf), queries8.data(), query_l1.data());
        std::fill(heap_values.begin(), heap_values.begin() + static_cast<std::ptrdiff_t>(nq * k), DBL_MAX);
        std::fill(heap_indices.begin(), heap_indices.begin() + static_cast<std::ptrdiff_t>(nq * k), 0);
        for (auto& f : found) f.clear();
        task.queries = queries.data();
        task.n_queries = nq;
        // The first pass is the blocks that fill the heaps (a root of DBL_MAX
        // rules nothing out: all its rows are measured), and each pass after
        // it twice the one before up to blocks_per_pass, so that the first
        // roots, which shrink fastest, rule rows out early.  (100k x 64 rows,
        // k = 5: a first pass of 16 blocks measured 32 half blocks of the 170
        // a query measured in all; with the first pass of one block, 155.)
        // A radius's root is fixed: full passes from the start.
        uint64_t pass_blocks = radius ? blocks_per_pass
                                      : std::min<uint64_t>(blocks_per_pass,
                                                           (k + kernels::block_lanes - 1) / kernels::block_lanes);
        for (uint64_t b0 = 0; b0 < n_blocks;
             b0 += task.n_blocks, pass_blocks = std::min(blocks_per_pass, 2 * pass_blocks)) {
          task.first_block = b0;
          task.n_blocks = std::min(pass_blocks, n_blocks - b0);
          const uint64_t first = b0 * kernels::block_lanes;
          // The bfloat16 kernel flags the blocks a search must visit, from
          // the heaps' roots now (they only shrink); every block otherwise.
          for (size_t q = 0; flags && q < nq; ++q) {
            roots[q] = root_of(q);
            below[q] = ~uint64_t{0};
          }
          if (narrowed) {
            kernels::RowBlocksView pass;
            pass.data32 = rows32.data();
            pass.n_rows = std::min<uint64_t>(task.n_blocks * kernels::block_lanes, v_.rows.n_rows - first);
            pass.n_features = v_.rows.n_features;
            const double* src = v_.rows.data64 + first * nf;
            for (size_t i = 0; i < task.n_blocks * kernels::block_lanes * nf; ++i) rows32[i] = to_float(src[i]);
            task.first_block = 0;
            task.row_norms = v_.sq_norms + first;
            kernels::pairwise(pass, task);
          } else {
            kernels::pairwise(v_.rows, task);
            auto holds = [&](uint64_t b) { return b0 <= b && b < b0 + task.n_blocks; };
            if (probes && (holds(probe1) || holds(probe2))) choose_int8(task, nq, int8, below, probe, use_int8);
          }
          const size_t n = static_cast<size_t>(std::min<uint64_t>(task.n_blocks * kernels::block_lanes,
                                                                  v_.rows.n_rows - first));
          if (bounded) {
            // The half blocks to measure (those holding a bound below the
            // root at the pass's start), query by query in row order, all
            // measured at once, then pushed.
            kernels::HalfBlockPairs pairs;
            pairs.queries = queries.data();
            pairs.query = pair_query.get();
            pairs.half = pair_half.get();
            pairs.out = exact.get();
            auto add = [&](size_t q, uint64_t h) {
              pair_query[pairs.n_pairs] = static_cast<uint32_t>(q);
              pair_half[pairs.n_pairs++] = 2 * b0 + h;
            };
            if (flags) {
              // The queries with flags listed first, without a branch a query:
              // a pass flags half blocks for few of them, at random.
              size_t n_flagged = 0;
              for (size_t q = 0; q < nq; ++q) {
                flagged[n_flagged] = static_cast<uint32_t>(q);
                n_flagged += below[q] != 0;
              }
              for (size_t i = 0; i < n_flagged; ++i)
                for (uint64_t bits = below[flagged[i]]; bits != 0; bits &= bits - 1)
                  add(flagged[i], static_cast<uint64_t>(__builtin_ctzll(bits)));
            }
            for (size_t q = 0; !flags && q < nq; ++q) {
              const double* bound = dist.data() + q * stride;
              const double root = root_of(q);
              const size_t blocks = static_cast<size_t>(task.n_blocks);
              for (size_t b = kernels::next_block_below(bound, 0, blocks, root); b < blocks;
                   b = kernels::next_block_below(bound, b + 1, blocks, root))
                for (size_t h = 2 * b; h < 2 * b + 2; ++h)
                  for (size_t l = 0; l < kernels::half_lanes; ++l)
                    if (!(bound[h * kernels::half_lanes + l] >= root)) {
                      add(q, h);
                      break;
                    }
            }
            kernels::squared_distance_pairs(v_.rows, pairs);
            if (radius)
              list_within(pairs, first, n, found.data());
            else
              push_pairs(pairs, first, n, heap_values.data(), heap_indices.data());
            continue;
          }
          for (size_t q = 0; q < nq; ++q)
            push_all(dist.data() + q * stride, n, first, heap_values.data() + q * k, heap_indices.data() + q * k);
        }
        for (size_t q = 0; q < nq; ++q) {
          if (!radius) {
            finish(heap_values.data() + q * k, heap_indices.data() + q * k, sorted.data(), raw + (r0 + q) * v_.n_raw);
            continue;
          }
          auto st = finish_radius(found[q], raw + (r0 + q) * v_.n_raw);
          if (!st) return st;
        }
      }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory for nearest-neighbour scratch");
    }
  }

  // The heap value of each distance: sklearn's "reduced" distance (squared
  // for euclidean, the p-th power for minkowski); cosine: 1 - similarity,
  // clipped to [0, 2] as sklearn's cosine_distances.
  double reduced(double kernel_value) const noexcept {
    return v_.metric == fb::Metric::Cosine ? std::min(std::max(-kernel_value + 1, 0.0), 2.0) : kernel_value;
  }

  void push_all(const double* d, size_t n, uint64_t first, double* values, uint64_t* indices) const noexcept {
    if (v_.metric == fb::Metric::Cosine) {
      for (size_t i = 0; i < n; ++i) {
        const double c = reduced(d[i]);
        if (c < values[0]) heap_push(values, indices, v_.k, c, first + i);
      }
      return;
    }
    scan(d, n, values[0], [&](size_t lo, size_t hi) {
      for (size_t i = lo; i < hi; ++i)
        if (d[i] < values[0]) heap_push(values, indices, v_.k, d[i], first + i);
    });
  }

  // Calls visit(lo, hi) for the blocks of 8 values [lo, hi) of [0, n), in
  // order, except blocks where every value is >= the heap's root, read again
  // after each block (the last partial block is always visited).
  // Most blocks of a search are skipped; testing their values one by one
  // cost as much as computing them for narrow rows.
  template <class Visit>
  void scan(const double* d, size_t n, const double& root, Visit&& visit) const noexcept {
    const size_t full = n / kernels::block_lanes;
    for (size_t b = kernels::next_block_below(d, 0, full, root); b < full;
         b = kernels::next_block_below(d, b + 1, full, root))
      visit(b * kernels::block_lanes, (b + 1) * kernels::block_lanes);
    if (full * kernels::block_lanes < n) visit(full * kernels::block_lanes, n);
  }

  // The measured pairs of a pass (query by query, each query's half blocks
  // in order; rows [first, first + n) of the pass): each row is pushed in
  // row order, and heap_push drops it unless it is below the root.  The half
  // blocks include every row whose bound is below the root at the pass's
  // start, so every row the exhaustive search would push (bound <= distance
  // < root, which only shrinks): the same pushes.
  void push_pairs(const kernels::HalfBlockPairs& pairs, uint64_t first, size_t n, double* heap_values,
                  uint64_t* heap_indices) const noexcept {
    const size_t k = v_.k;
    for (size_t i = 0; i < pairs.n_pairs; ++i) {
      double* values = heap_values + size_t{pairs.query[i]} * k;
      uint64_t* indices = heap_indices + size_t{pairs.query[i]} * k;
      const uint64_t row0 = pairs.half[i] * kernels::half_lanes;
      if (row0 >= first + n) continue;  // the last block's padding lanes only
      const size_t lanes = static_cast<size_t>(std::min<uint64_t>(kernels::half_lanes, first + n - row0));
      for (size_t l = 0; l < lanes; ++l)
        heap_push(values, indices, k, pairs.out[i * kernels::half_lanes + l], row0 + l);
    }
  }

  // A radius search's measured pairs (as push_pairs): each query's rows
  // within the radius, in row order (the pairs are query by query, each
  // query's half blocks in order, and the passes in order).  The half blocks
  // include every row whose bound is <= the radius, so every row within it.
  void list_within(const kernels::HalfBlockPairs& pairs, uint64_t first, size_t n,
                   std::vector<std::pair<double, uint64_t>>* found) const {
    for (size_t i = 0; i < pairs.n_pairs; ++i) {
      const uint64_t row0 = pairs.half[i] * kernels::half_lanes;
      if (row0 >= first + n) continue;  // the last block's padding lanes only
      const size_t lanes = static_cast<size_t>(std::min<uint64_t>(kernels::half_lanes, first + n - row0));
      for (size_t l = 0; l < lanes; ++l) {
        const double d = pairs.out[i * kernels::half_lanes + l];
        if (d <= v_.reduced_radius) found[pairs.query[i]].emplace_back(d, row0 + l);
      }
    }
  }

  double to_distance(double reduced) const noexcept {
    switch (v_.metric) {
      case fb::Metric::Euclidean: return std::sqrt(std::max(reduced, 0.0));
      case fb::Metric::Minkowski: return std::pow(reduced, 1.0 / v_.p);
      default: return reduced;
    }
  }

  // One query's raw scores from its k neighbours, nearest first (equal
  // distances by row).
  void finish(const double* values, const uint64_t* indices, std::pair<double, uint64_t>* sorted,
              double* raw) const noexcept {
    const size_t k = v_.k;
    for (size_t i = 0; i < k; ++i) sorted[i] = {values[i], std::min<uint64_t>(indices[i], v_.rows.n_rows - 1)};
    std::sort(sorted, sorted + k, nearer);
    vote(sorted, k, raw);
  }

  // One query's raw scores from its k neighbours (reduced distance, row),
  // in the order given; their distances become weights in place.
  void vote(std::pair<double, uint64_t>* sorted, size_t k, double* raw) const noexcept {
    const size_t w = v_.n_raw;
    std::fill(raw, raw + w, 0.0);
    // sklearn's _get_weights: 1 / distance; a row with a zero distance (an
    // infinite weight) weighs its zero-distance neighbours 1, the others 0.
    bool infinite = false;
    if (v_.distance_weights)
      for (size_t i = 0; i < k; ++i) {
        sorted[i].first = 1.0 / to_distance(sorted[i].first);
        infinite = infinite || std::isinf(sorted[i].first);
      }
    auto weight = [&](size_t i) {
      if (!v_.distance_weights) return 1.0;
      return infinite ? (std::isinf(sorted[i].first) ? 1.0 : 0.0) : sorted[i].first;
    };
    if (v_.classifier) {
      // Each output's votes in neighbour order (its labels are slots of its
      // own group: one pass over the neighbours serves every output).
      const uint32_t m = v_.n_label_outputs;
      for (size_t i = 0; i < k; ++i) {
        const uint32_t* labels = v_.labels + sorted[i].second * m;
        const double wi = weight(i);
        for (uint32_t g = 0; g < m; ++g) raw[std::min(labels[g], v_.n_raw - 1)] += wi;
      }
      return;
    }
    double total = 0;
    for (size_t i = 0; i < k; ++i) {
      const double wi = weight(i);
      const double* y = v_.targets + sorted[i].second * w;
      for (size_t j = 0; j < w; ++j) raw[j] += v_.distance_weights ? y[j] * wi : y[j];
      total += wi;
    }
    for (size_t j = 0; j < w; ++j) raw[j] /= total;
  }

  NeighborsView v_;
};

}  // namespace

Result<std::unique_ptr<Predictor>> make_neighbors_predictor(const format::FileView& file, const fb::Neighbors& n,
                                                            uint32_t n_features, const LinkSpec& link, Task task,
                                                            NeighborsSummary* summary) noexcept {
  try {
    NeighborsView v;
    if (task != Task::classification && task != Task::regression)
      return invalid(std::string("a neighbours model classifies or regresses; this one does ") + task_name(task));
    v.classifier = task == Task::classification;
    if (v.classifier && link.link != LinkFunction::normalize)
      return invalid(std::string("a neighbours classifier's votes go through the normalize link, not ") +
                     enum_name(link.link));
    v.n_raw = static_cast<uint32_t>(link.n_raw);
    if (n.metric() > fb::Metric::MAX || n.weights() > fb::NeighborWeights::MAX)
      return Error(error_code::unsupported_model, "neighbors: metric " + str(static_cast<unsigned>(n.metric())) +
                                                      " or weighting " + str(static_cast<unsigned>(n.weights())) +
                                                      " is unknown to this reader");
    v.metric = n.metric();
    v.distance_weights = n.weights() == fb::NeighborWeights::Distance;
    v.p = n.p();
    if (v.metric == fb::Metric::Minkowski && !(v.p > 0 && std::isfinite(v.p)))
      return invalid("the Minkowski exponent p must be finite and > 0, not " + std::to_string(v.p));
    auto rows = stored_rows(file, n.samples(), n.n_samples(), n_features, "neighbors.samples");
    if (!rows) return rows.error();
    v.rows = *rows;
    // Radius neighbours: k = 0 (which older readers refuse) and a radius.
    v.radius = n.n_neighbors() == 0;
    if (v.radius ? !(n.reduced_radius() >= 0 && std::isfinite(n.reduced_radius())) : n.reduced_radius() != -1.0)
      return invalid(v.radius ? "a radius search (n_neighbors 0) needs a finite reduced_radius >= 0, not " +
                                    std::to_string(n.reduced_radius())
                              : std::string("reduced_radius goes with n_neighbors 0 (a radius search)"));
    v.reduced_radius = n.reduced_radius();
    if (!v.radius && (n.n_neighbors() < 1 || n.n_neighbors() > std::min<uint64_t>(limits::max_neighbors, n.n_samples())))
      return Error(n.n_neighbors() > limits::max_neighbors ? error_code::limit_exceeded : error_code::invalid_model,
                   "neighbors: n_neighbors is " + str(n.n_neighbors()) + ", allowed [1, " +
                       str(std::min<uint64_t>(limits::max_neighbors, n.n_samples())) + "]");
    v.k = n.n_neighbors();
    if (n.sq_norms() >= 0) {
      if (v.metric != fb::Metric::Euclidean && v.metric != fb::Metric::SquaredEuclidean)
        return invalid("squared norms go with the euclidean metrics");
      auto c = file.column<double>(n.sq_norms(), v.rows.n_blocks() * kernels::block_lanes, "neighbors.sq_norms");
      if (!c) return c.error();
      v.sq_norms = *c;
    }
    if (v.classifier) {
      // Multi-output: one label per output group a row (FORMAT.md §5.3).
      if (!link.output_groups.empty()) {
        v.n_label_outputs = static_cast<uint32_t>(link.output_groups.size());
        uint64_t end = 0;
        for (size_t k : link.output_groups) v.group_ends.push_back(end += k);
      }
      auto c = file.column<uint32_t>(n.labels(), n.n_samples() * v.n_label_outputs, "neighbors.labels");
      if (!c) return c.error();
      v.labels = *c;
      if (const auto* slots = n.outlier_slots()) {
        if (!v.radius || slots->size() != v.n_label_outputs)
          return invalid("outlier_slots go with radius classifiers, one per output (" + str(v.n_label_outputs) +
                         "), not " + str(slots->size()));
        for (uint32_t g = 0; g < slots->size(); ++g) {
          const uint64_t lo = g == 0 ? 0 : v.group_ends[g - 1], hi = v.group_ends.empty() ? v.n_raw : v.group_ends[g];
          if (slots->Get(g) < lo || slots->Get(g) >= hi)
            return invalid("outlier slot " + str(slots->Get(g)) + " of output " + str(g) + " is outside [" + str(lo) +
                           ", " + str(hi) + ")");
          v.outlier_slots.push_back(slots->Get(g));
        }
      }
    } else {
      if (n.outlier_slots()) return invalid("outlier_slots go with radius classifiers, not regressors");
      auto c = file.column<double>(n.targets(), n.n_samples() * v.n_raw, "neighbors.targets");  // < 2^60
      if (!c) return c.error();
      v.targets = *c;
    }
    if (summary) {
      summary->n_samples = n.n_samples();
      summary->n_neighbors = v.k;
      summary->reduced_radius = v.radius ? v.reduced_radius : -1;
      summary->metric = enum_name(static_cast<Metric>(v.metric));  // checked <= MAX above
      summary->p = v.p;
      summary->weights = enum_name(v.distance_weights ? NeighborWeights::distance : NeighborWeights::uniform);
      summary->sample_bits = v.rows.data32 ? 32 : 64;
    }
    return std::unique_ptr<Predictor>(new NeighborsPredictor(v));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening a neighbours model");
  }
}

}  // namespace mlmap::model
