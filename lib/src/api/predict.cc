#include "api/predict.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>

#include "api/features.hpp"
#include "api/infinity.hpp"
#include "api/missing.hpp"
#include "api/scratch.hpp"
#include "api/worker_pool.hpp"
#include "kernels/first_special.hpp"

namespace mlmap::api {

namespace {

using model::LoadedModel;

constexpr size_t min_rows_per_thread = 64;
// Rows whose outputs the link computes at once: its scratch stays in L1/L2.
constexpr size_t link_rows = 256;

template <class Rows>
constexpr bool is_matrix = !std::is_same_v<Rows, TableRows>;

std::string str(uint64_t v) { return std::to_string(v); }

// The predictor's raw scores of rows [r, r + n) read straight from the
// caller's matrix: its own row checks, the scores, then NaN inputs found
// from NaN scores where the model refuses them.  (Inlined: a Status moved
// through a call cost a one-row prediction ~100 instructions.)
template <class T>
inline __attribute__((always_inline)) Status direct_raw_scores(const LoadedModel& m, const MatrixRows<T>& rows,
                                                               size_t r, size_t n, double* raw) noexcept {
  const T* X = rows.X + r * rows.width;
  if (auto st = m.predictor->check_rows(X, n, r); !st) return st;
  if (auto st = m.predictor->raw_scores(X, n, raw); !st) return st;
  if (m.nan_scores_mark_nan)
    if (auto st = check_missing_after(m, rows.X, raw, n, r); !st) return st;
  return {};
}

// The model's base score added to n rows of raw scores.
inline void add_base_score(const LoadedModel& m, double* raw, size_t n) noexcept {
  if (m.base_score.empty()) return;
  const double* base = m.base_score.data();
  const size_t n_raw = m.link.n_raw;
  if (n_raw == 1) {  // (for one row, the general loop's setup cost more than its one add)
    for (size_t i = 0; i < n; ++i) raw[i] += base[0];
  } else {
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n_raw; ++j) raw[i * n_raw + j] += base[j];
  }
}

// Rows [begin, end) on the calling thread.
template <class Rows, class Out>
Status predict_range(const LoadedModel& m, const Rows& rows, size_t begin, size_t end, const Request<Out>& req) noexcept {
  try {
    const size_t n_raw = m.link.n_raw;
    const size_t n_out = m.link.n_outputs;
    const size_t width = m.width(req.output);
    // Decision values: asked for, or what the class comes from.
    const bool want_decision = req.output == Output::decision || (req.classes && m.link.class_from_decision());
    const bool linked = req.output == Output::value || req.classes ||
                        (want_decision && m.link.decision_function == DecisionFunction::output_minus_offset);
    const size_t dw = m.link.decision_width();
    const size_t pw = m.predictor_width;
    bool direct = false;
    if constexpr (is_matrix<Rows>) direct = !m.preprocessing;
    // A text vectorizer's features stay sparse up to a predictor that takes
    // them so; the others get them densified.
    // (Decision values among the features need them dense.)
    const bool sparse = m.preprocessing && m.preprocessing->sparse() && m.predictor->takes_sparse() &&
                        m.link.decision_function != DecisionFunction::trailing_features;
    // As many rows per call as the predictor likes (raw scratch <= 4 MiB).
    size_t block = std::max<size_t>(1, std::min<size_t>(m.predictor_block_rows, (size_t{1} << 19) / n_raw));
    // Built features stay in L2 until the predictor reads them (<= 128 KiB,
    // beside the block's slot columns: 256 KiB made pipeline_poly 24% and
    // pipeline_wide 7% slower, pipeline (44 features) 9% quicker).
    if (!direct && !sparse) block = std::max<size_t>(1, std::min(block, (size_t{1} << 14) / pw));
    block = std::min(block, end - begin);
    Scratch scratch;
    double* raw = scratch.doubles(block * n_raw);
    double* val = scratch.doubles(std::min(block, link_rows) * n_out);
    double* dec = want_decision ? scratch.doubles(std::min(block, link_rows) * dw) : nullptr;
    double* features = direct || sparse ? nullptr : scratch.doubles(block * pw);
    // The blocks, with a FeatureBuilder unless the rows go direct (an empty
    // std::optional of one was zeroed on every call: 160 bytes).  Each step's
    // Status is tested where it is made, not moved into one variable (a
    // one-row call spent ~100 instructions moving them).  Inlined in both
    // uses: a closure of ~20 references was built on every call.
    auto blocks = [&](FeatureBuilder* builder) __attribute__((always_inline)) -> Status {
      for (size_t r = begin; r < end; r += block) {
        const size_t n = std::min(block, end - r);
        if (!builder) {  // direct
          if constexpr (is_matrix<Rows>)
            if (auto st = direct_raw_scores(m, rows, r, n, raw); !st) return st;
        } else if (sparse) {
          model::SparseRows X;
          if (auto st = builder->build_sparse(rows, r, n, &X); !st) return st;
          if (auto st = m.predictor->raw_scores_sparse(X, n, raw); !st) return st;
        } else {
          if (auto st = builder->build(rows, r, n, features); !st) return st;
          if (auto st = m.predictor->check_rows(features, n, r); !st) return st;
          if (auto st = m.predictor->raw_scores(features, n, raw); !st) return st;
        }
        add_base_score(m, raw, n);
        for (size_t s0 = 0; s0 < n; s0 += link_rows) {
          const size_t ns = std::min(link_rows, n - s0);
          const double* rs = raw + s0 * n_raw;
          // Values wanted as doubles go straight into the caller's rows (the
          // same bits, without a copy).
          double* v = val;
          if constexpr (std::is_same_v<Out, double>)
            if (req.output == Output::value && !req.classes && width == n_out) v = req.out + (r + s0) * width;
          if (linked)
            if (auto st = model::apply_link(m.link, rs, ns, v); !st) return st;
          if (want_decision)
            if (auto st = model::apply_decision_function(m.link, rs, v, ns, dec, features ? features + s0 * pw : nullptr, pw);
                !st)
              return st;
          const double* results = req.output == Output::raw ? rs : req.output == Output::decision ? dec : v;
          if (req.classes) {
            if (auto st = model::decide_classes(m.link, rs, val, want_decision ? dec : nullptr, ns,
                                                req.classes + (r + s0) * m.link.classes_per_row());
                !st)
              return st;
          } else {
            // Rows are contiguous on both sides (results are width wide): one
            // vectorisable conversion.
            Out* o = req.out + (r + s0) * width;
            if (static_cast<const void*>(o) != static_cast<const void*>(results))
              for (size_t j = 0; j < ns * width; ++j) o[j] = static_cast<Out>(results[j]);
          }
        }
      }
      return {};
    };
    if (direct) return blocks(nullptr);
    FeatureBuilder builder(m, block, scratch);
    return blocks(&builder);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory predicting " + str(end - begin) + " rows");
  }
}

// The lean path (predict_few): at most this many rows, their raw scores and
// values on the stack.
constexpr size_t few_rows = 8;
constexpr size_t few_doubles = 64;

// Whether rows [begin, end) take the lean path: values (not classes, raw or
// decision values) of a few rows read straight from the caller's matrix (no
// preprocessing, hence no strings), as many as the predictor takes at once.
template <class Rows, class Out>
bool takes_few(const LoadedModel& m, size_t n, const Request<Out>& req) noexcept {
  if constexpr (!is_matrix<Rows>) {
    return false;
  } else {
    return !m.preprocessing && !req.classes && req.output == Output::value && n <= few_rows &&
           n <= m.predictor_block_rows && n * m.link.n_raw <= few_doubles && n * m.link.n_outputs <= few_doubles;
  }
}

// predict_range's steps for takes_few() rows, in the same order on the same
// values (same bits, same errors), without its scratch arena, block sizing
// and per-block link slices: a one-row call of the native API spent ~310
// instructions there, 5% of a 150-tree regressor's row.  An identity link
// is a copy: the raw scores are the values.
template <class T, class Out>
Status predict_few(const LoadedModel& m, const MatrixRows<T>& rows, size_t begin, size_t end,
                   const Request<Out>& req) noexcept {
  const size_t n = end - begin;
  const size_t n_raw = m.link.n_raw;
  const size_t width = m.link.n_outputs;  // m.width(Output::value)
  // (Sized as predict_range's scratch, which rounds to 8 doubles.)
  alignas(64) double raw[few_doubles];
  if (auto st = direct_raw_scores(m, rows, begin, n, raw); !st) return st;
  add_base_score(m, raw, n);
  Out* o = req.out + begin * width;
  if (m.link.link == LinkFunction::identity && n_raw == width) {
    for (size_t j = 0; j < n * width; ++j) o[j] = static_cast<Out>(raw[j]);
    return {};
  }
  alignas(64) double val[few_doubles];
  if (auto st = model::apply_link(m.link, raw, n, val); !st) return st;
  for (size_t j = 0; j < n * width; ++j) o[j] = static_cast<Out>(val[j]);
  return {};
}

// Rows [begin, end) on the calling thread, their inputs checked.
template <class Rows, class Out>
Status predict_checked(const LoadedModel& m, const Rows& rows, size_t begin, size_t end,
                       const Request<Out>& req) noexcept {
  if constexpr (is_matrix<Rows>)
    if (takes_few<Rows>(m, end - begin, req)) return predict_few(m, rows, begin, end, req);
  return predict_range(m, rows, begin, end, req);
}

// The first value the checks below would look at (NaN, +-inf; for a model
// that reads float32, float64 values past its range too), or n.
size_t first_nonfinite_for(const LoadedModel&, const float* p, size_t n) noexcept {
  return kernels::first_nonfinite(p, n);
}
size_t first_nonfinite_for(const LoadedModel& m, const double* p, size_t n) noexcept {
  return reads_float32(m) ? kernels::first_nonfinite_as_float(p, n) : kernels::first_nonfinite(p, n);
}

// Rows [begin, end) on the calling thread: their input checks, then their
// predictions.  Each thread checks its own rows, so that no thread waits on a
// serial scan of the whole input (100,000 rows x 50 features: ~1.7 ms, a
// tenth of the 2-thread time of s_gbr_d5_t150_f50); run() reports the
// lowest rows' error.
template <class Rows, class Out>
Status checked_range(const LoadedModel& m, const Rows& rows, size_t begin, size_t end, const Request<Out>& req) noexcept {
  if constexpr (is_matrix<Rows>) {
    if (!m.preprocessing && scan_inputs_first(m)) {
      // Refusing both NaN and infinities: one pass finds neither in a clean
      // input (a one-row call spent ~430 instructions in two); else the two
      // checks below name the first of each as before.
      const size_t n = (end - begin) * rows.width;
      if (!m.info.accepts_infinity && first_nonfinite_for(m, rows.X + begin * rows.width, n) == n)
        return predict_checked(m, rows, begin, end, req);
      auto st = check_missing(m, rows.X, end - begin, begin);
      if (!st) return st;
    }
  }
  if (auto st = check_infinity(m, rows, begin, end - begin); !st) return st;
  return predict_checked(m, rows, begin, end, req);
}

// The rows of one call shared by its threads: each takes the next chunk from
// an atomic counter, so that a thread the OS delays, or rows that cost more,
// hold up only their own chunk, not half of the call.  A chunk is whole units
// of rows sized from the thread's own last chunk to take ~100 us (small
// enough to even out, large enough that the per-chunk setup stays < 1%), and
// at most a share of the rows left, so the last chunks end together.  A
// failing chunk stops the chunks after it; the lowest failing chunk's error
// is the call's (chunks are handed out in row order, so every chunk below it
// was taken and runs to its end).
// A predictor whose calls carry work of their own (the large-tree walk
// fetches every tree and builds its top-levels table once per call) gets
// chunks of at least its min_rows_per_call() while the rows last: in
// chunks of 512 rows, 2 threads ran s_rf_full_t100_f20 at 1.5x one thread,
// where two processes of one thread each ran at 2.0x, and the 2-thread call
// took 1.31x the CPU time of one thread's (s_etr_full_t50_f12 1.99x; in
// chunks of at least 8,192 rows 0.98x and 1.16x).  That minimum holds
// over the share of the rows left, down to two chunks per thread (rows
// fewer than 2 x threads x min_rows_per_call; one per thread where the
// minimum is all the rows: least_chunk_rows): capped at a quarter of the
// rows left, 2 threads cut 100,000 rows into ~15 chunks, each fetching
// every tree again; one thread taking the same chunks in turn spent 4-11%
// more CPU time than in one call (s_rf_full_t100_f20; s_etr_full_t50_f12
// 2-5%), in 4 chunks none.  (One chunk per thread did no better, and leaves
// a thread the OS delays holding half of the call.)
// The fast bit-vector shapes that a sweep put at 1.7-1.8x
// (x_d4_t60_f30_c5, s_hgb_l31_t200_f30, x_d8_t40_f15_reg, s_rf_d4_t50_f10;
// 100,000 rows) lose nothing here: with calls interleaved in one process
// (31 rounds a shape), 2 threads of this pool ran at least as fast
// as two processes of one thread each on fixed halves in all 8 runs
// (quietest run: 1.98-2.06x one thread against 1.94-2.01x).  The sweep's
// shortfall was each thread running 8-18% slower beside the other
// (cpu_ratio 1.08-1.18 while both stayed busy: cores2 1.99), which the two
// processes suffer alike in a busy spell (s_hgb_l31_t200_f30: 1.17x the CPU
// time in both); the calls need <= 1 GB/s (rows x (features + outputs) x 4
// bytes) of the ~30 GB/s the two cores read from memory.  The worker
// starts ~100 us into a call (waking a sleeping worker on this VM): 0.3-1%.
template <class Rows, class Out>
class RowChunks {
 public:
  RowChunks(const LoadedModel& m, const Rows& rows, size_t n_rows, const Request<Out>& req, size_t threads)
      : m_(m), rows_(rows), n_rows_(n_rows), req_(req), threads_(threads),
        unit_(chunk_unit(m.predictor_block_rows, n_rows, threads)),
        min_units_((least_chunk_rows(m.predictor_min_rows, n_rows, threads) + unit_ - 1) / unit_) {}

  void work() noexcept {
    using Clock = std::chrono::steady_clock;
    size_t size = capped(min_units_) * unit_;
    for (;;) {
      const size_t begin = next_.fetch_add(size, std::memory_order_relaxed);
      if (begin >= n_rows_ || begin >= failed_at_.load(std::memory_order_relaxed)) return;
      const size_t end = std::min(n_rows_, begin + size);
      const auto t0 = Clock::now();
      Status st = checked_range(m_, rows_, begin, end, req_);
      const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      if (!st) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (begin < failed_at_.load(std::memory_order_relaxed)) {
          failed_at_.store(begin, std::memory_order_relaxed);
          error_ = std::move(st);
        }
        return;
      }
      // Rows for ~target_chunk_seconds at this chunk's pace, in whole units.
      const double pace = seconds > 0 ? static_cast<double>(end - begin) / seconds : 1e12;
      const auto units = static_cast<size_t>(pace * target_chunk_seconds / static_cast<double>(unit_));
      size = capped(std::max(units, min_units_)) * unit_;
    }
  }

  Status error() {
    std::lock_guard<std::mutex> lock(error_mutex_);
    return error_;
  }

 private:
  // At most a share of the rows left, so the last chunks end together; at
  // least one unit, and the predictor's minimum while the rows last.
  size_t capped(size_t units) const noexcept {
    const size_t left = n_rows_ - std::min(n_rows_, next_.load(std::memory_order_relaxed));
    const size_t share = left / (2 * threads_ * unit_);
    return std::max<size_t>({1, std::min(units, share), std::min(min_units_, (left + unit_ - 1) / unit_)});
  }

  // Units of rows: the predictor's block if smaller (rows past 512 per call
  // cost nothing measurable: 100,000 tree rows took the same CPU time in
  // calls of 512 or 100,000, before the large-tree walk's per-call table:
  // min_rows_per_call() says so now).
  static constexpr size_t max_unit_rows = 512;
  static constexpr double target_chunk_seconds = 100e-6;

  // The predictor's minimum holds down to two chunks per thread, or to one
  // where one call would take all the rows: each chunk of a kNN batch reads
  // every stored row, and 1,000 rows on 2 threads in 4 chunks ran at
  // 1.60-1.90x one thread for 1.03-1.22x its CPU time, in 2 chunks at
  // 1.91-1.99x for 1.00-1.04x (knn_clf's two models, two runs of 41
  // interleaved rounds each; rf_large's 10,000 rows, 2 chunks now too:
  // 1.49x/1.85x -> 1.92x/1.86x).
  static size_t least_chunk_rows(size_t min_rows, size_t n_rows, size_t threads) {
    const size_t chunks = min_rows >= n_rows ? threads : 2 * threads;
    return std::min(min_rows, (n_rows + chunks - 1) / chunks);
  }

  // And at least two chunks per thread (a 1,000-row call on 2 threads: 4 of
  // 256 rows), in whole 64-row steps.
  static size_t chunk_unit(size_t block_rows, size_t n_rows, size_t threads) {
    const size_t share = (n_rows / (2 * threads) + min_rows_per_thread - 1) / min_rows_per_thread * min_rows_per_thread;
    return std::clamp<size_t>(std::min(block_rows, share), min_rows_per_thread, max_unit_rows);
  }

  const LoadedModel& m_;
  const Rows& rows_;
  const size_t n_rows_;
  const Request<Out>& req_;
  const size_t threads_, unit_, min_units_;
  std::atomic<size_t> next_{0};
  std::atomic<size_t> failed_at_{std::numeric_limits<size_t>::max()};
  std::mutex error_mutex_;
  Status error_;
};

}  // namespace

template <class Rows, class Out>
Status run(const LoadedModel& m, const Rows& rows, size_t n_rows, const Request<Out>& req) noexcept {
  try {
    if (n_rows == 0) return {};
    if ((!req.out && !req.classes)) return Error(error_code::invalid_argument, "null output pointer");
    if (req.n_threads < 0) return Error(error_code::invalid_argument, "n_threads is negative");
    if (req.classes && m.info.task != Task::classification && m.info.task != Task::outlier_detection)
      return Error(error_code::invalid_argument, "predict_class needs a classifier or an outlier detector; this model does " +
                                                     std::string(task_name(m.info.task)));
    if constexpr (is_matrix<Rows>) {
      if (!rows.X) return Error(error_code::invalid_argument, "null input pointer");
      if (m.info.preprocessing.needs_strings) {
        std::string cols;
        for (size_t c = 0; c < m.info.string_inputs.size(); ++c)
          if (m.info.string_inputs[c]) cols += (cols.empty() ? "'" : ", '") + m.info.feature_names[c] + "'";
        return Error(error_code::invalid_argument,
                     "this model reads string columns (" + cols + "); pass a table with named columns, not a matrix");
      }
    }
    // (The core count is read once: glibc reads /sys for it on every call,
    // two system calls in a one-row call with n_threads = 0.)
    static const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    size_t threads = req.n_threads == 0 ? cores : static_cast<size_t>(req.n_threads);
    threads = std::max<size_t>(1, std::min(threads, n_rows / min_rows_per_thread));
    if (threads == 1) return checked_range(m, rows, 0, n_rows, req);
    RowChunks<Rows, Out> chunks(m, rows, n_rows, req, threads);
    SharedWork work;
    work.run = [](void* ctx) noexcept { static_cast<RowChunks<Rows, Out>*>(ctx)->work(); };
    work.ctx = &chunks;
    run_shared(work, threads - 1);
    return chunks.error();
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory predicting " + str(n_rows) + " rows");
  }
}

template Status run(const LoadedModel&, const MatrixRows<float>&, size_t, const Request<float>&) noexcept;
template Status run(const LoadedModel&, const MatrixRows<float>&, size_t, const Request<double>&) noexcept;
template Status run(const LoadedModel&, const MatrixRows<double>&, size_t, const Request<double>&) noexcept;
template Status run(const LoadedModel&, const TableRows&, size_t, const Request<double>&) noexcept;

}  // namespace mlmap::api
