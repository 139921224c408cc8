#include "api/predict.hpp"

#include <algorithm>
#include <thread>
#include <type_traits>

#include "api/features.hpp"
#include "api/infinity.hpp"
#include "api/missing.hpp"
#include "api/scratch.hpp"
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
          if constexpr (is_matrix<Rows>) {
            if (auto st = m.predictor->check_rows(rows.X + r * rows.width, n, r); !st) return st;
            if (auto st = m.predictor->raw_scores(rows.X + r * rows.width, n, raw); !st) return st;
            if (m.nan_scores_mark_nan)
              if (auto st = check_missing_after(m, rows.X, raw, n, r); !st) return st;
          }
        } else if (sparse) {
          model::SparseRows X;
          if (auto st = builder->build_sparse(rows, r, n, &X); !st) return st;
          if (auto st = m.predictor->raw_scores_sparse(X, n, raw); !st) return st;
        } else {
          if (auto st = builder->build(rows, r, n, features); !st) return st;
          if (auto st = m.predictor->check_rows(features, n, r); !st) return st;
          if (auto st = m.predictor->raw_scores(features, n, raw); !st) return st;
        }
        if (!m.base_score.empty())
          for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n_raw; ++j) raw[i * n_raw + j] += m.base_score[j];
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
      if (!m.info.accepts_infinity && kernels::first_nonfinite(rows.X + begin * rows.width, n) == n)
        return predict_range(m, rows, begin, end, req);
      auto st = check_missing(m, rows.X, end - begin, begin);
      if (!st) return st;
    }
  }
  if (auto st = check_infinity(m, rows, begin, end - begin); !st) return st;
  return predict_range(m, rows, begin, end, req);
}

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
    size_t threads =
        req.n_threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<size_t>(req.n_threads);
    threads = std::max<size_t>(1, std::min(threads, n_rows / min_rows_per_thread));
    if (threads == 1) return checked_range(m, rows, 0, n_rows, req);
    const size_t chunk = (n_rows + threads - 1) / threads;
    std::vector<Status> results(threads);
    std::vector<std::thread> pool;
    size_t begin = chunk;  // the calling thread takes [0, chunk)
    try {
      for (size_t t = 1; begin < n_rows; begin += chunk, ++t) {
        const size_t end = std::min(n_rows, begin + chunk);
        pool.emplace_back([&m, &rows, begin, end, &req, &results, t] { results[t] = checked_range(m, rows, begin, end, req); });
      }
    } catch (const std::system_error&) {
      results[0] = checked_range(m, rows, begin, n_rows, req);  // no thread: the caller does the rest too
    }
    if (results[0].ok()) results[0] = checked_range(m, rows, 0, std::min(chunk, n_rows), req);
    for (auto& t : pool) t.join();
    for (auto& r : results)
      if (!r.ok()) return r;  // the lowest rows' error first
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory predicting " + str(n_rows) + " rows");
  }
}

template Status run(const LoadedModel&, const MatrixRows<float>&, size_t, const Request<float>&) noexcept;
template Status run(const LoadedModel&, const MatrixRows<float>&, size_t, const Request<double>&) noexcept;
template Status run(const LoadedModel&, const MatrixRows<double>&, size_t, const Request<double>&) noexcept;
template Status run(const LoadedModel&, const TableRows&, size_t, const Request<double>&) noexcept;

}  // namespace mlmap::api
