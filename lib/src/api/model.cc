#include "mlmap/model.hpp"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include "kernels/dispatch.hpp"
#include "model/loaded_model.hpp"

namespace mlmap {

namespace {

using model::LoadedModel;

constexpr size_t min_rows_per_thread = 64;

size_t out_width(const LoadedModel& m, Output output) {
  return output == Output::raw ? m.link.n_raw : m.link.n_outputs;
}

template <class In>
Status check_missing(const LoadedModel& m, const In* X, size_t n_rows) {
  if (m.predictor->accepts_missing()) return {};
  const size_t nf = m.info.n_features;
  for (size_t i = 0; i < n_rows * nf; ++i) {
    if (std::isnan(X[i])) {
      const size_t f = i % nf;
      std::string name = m.info.feature_names.empty() ? "" : " ('" + m.info.feature_names[f] + "')";
      return Error(error_code::missing_value, "row " + std::to_string(i / nf) + ", feature " + std::to_string(f) + name +
                                                  " is NaN, but this " + m.info.estimator +
                                                  " was not trained to route missing values");
    }
  }
  return {};
}

// What one worker computes for rows [begin, end): values into `out` or class
// indices into `classes`.
template <class In, class Out>
Status predict_range(const LoadedModel& m, const In* X, size_t begin, size_t end, Out* out, Output output,
                     int64_t* classes) noexcept {
  try {
    const size_t nf = m.info.n_features;
    const size_t n_raw = m.link.n_raw;
    const size_t n_out = m.link.n_outputs;
    const size_t width = out_width(m, output);
    // Large blocks: tree kernels reuse each tree's nodes across the rows of
    // a call, so a big model needs many rows per call (raw scratch <= 1 MiB).
    const size_t block = std::max<size_t>(1, std::min<size_t>(8192, (size_t{1} << 17) / n_raw));
    std::vector<double> raw(std::min(block, end - begin) * n_raw);
    std::vector<double> val(n_out);
    for (size_t r = begin; r < end; r += block) {
      const size_t n = std::min(block, end - r);
      auto st = m.predictor->raw_scores(X + r * nf, n, raw.data());
      if (!st) return st;
      for (size_t i = 0; i < n; ++i) {
        double* rr = raw.data() + i * n_raw;
        if (!m.base_score.empty())
          for (size_t j = 0; j < n_raw; ++j) rr[j] += m.base_score[j];
        const double* result = rr;
        if (output == Output::value || classes) {
          model::apply_link(m.link, rr, val.data());
          result = val.data();
        }
        if (classes) {
          classes[r + i] = model::decide_class(m.link, rr, val.data());
        } else {
          Out* o = out + (r + i) * width;
          for (size_t j = 0; j < width; ++j) o[j] = static_cast<Out>(result[j]);
        }
      }
    }
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory predicting " + std::to_string(end - begin) + " rows");
  }
}

template <class In, class Out>
Status run(const LoadedModel& m, const In* X, size_t n_rows, Out* out, Output output, int n_threads,
           int64_t* classes) noexcept {
  try {
    if (n_rows == 0) return {};
    if (!X || (!out && !classes)) return Error(error_code::invalid_argument, "null input or output pointer");
    if (n_threads < 0) return Error(error_code::invalid_argument, "n_threads is negative");
    if (classes && m.info.task != Task::classification)
      return Error(error_code::invalid_argument, "predict_class needs a classifier; this model does " +
                                                     std::string(task_name(m.info.task)));
    auto st = check_missing(m, X, n_rows);
    if (!st) return st;
    size_t threads = n_threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<size_t>(n_threads);
    threads = std::max<size_t>(1, std::min(threads, n_rows / min_rows_per_thread));
    if (threads == 1) return predict_range(m, X, 0, n_rows, out, output, classes);
    const size_t chunk = (n_rows + threads - 1) / threads;
    std::vector<Status> results(threads);
    std::vector<std::thread> pool;
    size_t begin = chunk;  // the calling thread takes [0, chunk)
    try {
      for (size_t t = 1; begin < n_rows; begin += chunk, ++t) {
        const size_t end = std::min(n_rows, begin + chunk);
        pool.emplace_back([&m, X, begin, end, out, output, classes, &results, t] {
          results[t] = predict_range(m, X, begin, end, out, output, classes);
        });
      }
    } catch (const std::system_error&) {
      // Could not start a thread: the caller does the rest too.
      results[0] = predict_range(m, X, begin, n_rows, out, output, classes);
    }
    if (results[0].ok()) results[0] = predict_range(m, X, 0, std::min(chunk, n_rows), out, output, classes);
    for (auto& t : pool) t.join();
    for (auto& r : results)
      if (!r.ok()) return r;
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory predicting " + std::to_string(n_rows) + " rows");
  }
}

}  // namespace

Result<Model> Model::open(const std::string& path, const OpenOptions& options) noexcept {
  auto mapping = format::Mapping::open(path, options.copy);
  if (!mapping) return mapping.error();
  auto file = format::FileView::check(std::move(*mapping));
  if (!file) return file.error();
  auto loaded = model::load_model(std::move(*file));
  if (!loaded) return loaded.error();
  Model m(std::move(*loaded));
  if (options.verify) {
    auto st = m.verify();
    if (!st) return st.error();
  }
  return m;
}

Status Model::verify() const noexcept { return model::verify_model(*impl_); }
const ModelInfo& Model::info() const noexcept { return impl_->info; }
size_t Model::num_features() const noexcept { return impl_->info.n_features; }
size_t Model::output_width(Output output) const noexcept { return out_width(*impl_, output); }
Task Model::task() const noexcept { return impl_->info.task; }

Status Model::predict(const float* X, size_t n_rows, float* out, const PredictOptions& o) const noexcept {
  return run<float, float>(*impl_, X, n_rows, out, o.output, o.n_threads, nullptr);
}
Status Model::predict(const float* X, size_t n_rows, double* out, const PredictOptions& o) const noexcept {
  return run<float, double>(*impl_, X, n_rows, out, o.output, o.n_threads, nullptr);
}
Status Model::predict(const double* X, size_t n_rows, double* out, const PredictOptions& o) const noexcept {
  return run<double, double>(*impl_, X, n_rows, out, o.output, o.n_threads, nullptr);
}
Status Model::predict_class(const float* X, size_t n_rows, int64_t* class_index, int n_threads) const noexcept {
  return run<float, double>(*impl_, X, n_rows, nullptr, Output::value, n_threads, class_index);
}
Status Model::predict_class(const double* X, size_t n_rows, int64_t* class_index, int n_threads) const noexcept {
  return run<double, double>(*impl_, X, n_rows, nullptr, Output::value, n_threads, class_index);
}

const char* active_kernel() noexcept { return kernels::isa_name(kernels::active_isa()); }

std::vector<std::string> available_kernels() {
  std::vector<std::string> names;
  for (auto isa : kernels::supported_isas()) names.push_back(kernels::isa_name(isa));
  return names;
}

Status use_kernel(const std::string& name) noexcept {
  kernels::Isa isa;
  if (!kernels::parse_isa(name, &isa))
    return Error(error_code::invalid_argument, "unknown kernel '" + name + "' (scalar, sse4_2, avx2, avx512bw)");
  if (!kernels::set_isa(isa))
    return Error(error_code::invalid_argument, "this CPU cannot run the " + name + " kernel");
  return {};
}

}  // namespace mlmap
