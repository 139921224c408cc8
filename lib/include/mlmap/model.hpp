// mlmap/model.hpp — open a model file and predict from the mapped bytes.
//
// Opening maps the file read-only and checks the preamble, the header and the
// bounds of every column: O(number of columns), no copy, no per-node work.  The
// pages are the kernel's page cache, shared by every process that maps the same
// file.  `verify()` adds the O(size) checks — every child and feature index,
// depths, class counts and checksums.
//
// Safety: predicting is memory-safe on ANY file that opened, verified or not.
// Every index read from the file is clamped and every traversal is bounded by
// a depth checked at open, so a crafted file can give a wrong number but never
// an out-of-bounds read, an endless loop or a crash.  Verify files you did not
// write yourself before trusting their answers.
//
// Lifetime: a Model is a cheap, copyable handle (a shared pointer); the mapping
// lives until the last copy is gone.  A Model is immutable and safe to use from
// many threads at once.
//
// Files must not be truncated or rewritten in place while mapped: the kernel
// then delivers SIGBUS on access.  mlmap's writer and store never do this (they
// write a temporary file and rename it); for files that others may modify, open
// with `OpenOptions::copy` to read them into private memory instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mlmap/error.hpp"
#include "mlmap/info.hpp"
#include "mlmap/table.hpp"

namespace mlmap {

namespace model {
struct LoadedModel;  // internal
}

struct OpenOptions {
  /// Run verify() as part of open (O(file size)).
  bool verify = false;
  /// Read the file into private memory instead of mapping it.  Costs a copy
  /// and the memory, but the model no longer depends on the file.
  bool copy = false;
};

/// What predict() writes per row.
enum class Output {
  value,     // classification: class probabilities; regression: the predicted
             // values; outlier detection: the anomaly scores (score_samples)
  raw,       // raw scores before the link function
  decision,  // sklearn's decision_function: the raw scores, except for
             // one-vs-one SVMs with decision_function_shape='ovr' (one value
             // per class) and outlier detectors (score minus offset: < 0 is
             // an outlier); see ModelInfo::decision_function
};
template <>
struct EnumNames<Output> {
  static constexpr EnumName<Output> table[] = {{Output::value, "value"}, {Output::raw, "raw"}, {Output::decision, "decision"}};
};

struct PredictOptions {
  Output output = Output::value;
  /// Threads for a batch: 1 runs on the calling thread, 0 means one per core.
  int n_threads = 1;
};

class Model {
 public:
  /// Map and check `path`.  Errors: io_error, not_a_file, file_too_small,
  /// bad_magic, unsupported_version, truncated, corrupt_header,
  /// column_out_of_bounds, column_misaligned, column_mismatch, limit_exceeded,
  /// unsupported_model (and, with options.verify, those of verify()).
  [[nodiscard]] static Result<Model> open(const std::string& path, const OpenOptions& options = {}) noexcept;

  /// Opens a model held in memory (e.g. received over a network): the bytes
  /// are copied into private, aligned memory; the same checks as open().
  [[nodiscard]] static Result<Model> from_bytes(const void* data, size_t size, const OpenOptions& options = {}) noexcept;

  /// Full semantic validation and checksums: O(file size).  Errors:
  /// invalid_model, checksum_mismatch, limit_exceeded.
  [[nodiscard]] Status verify() const noexcept;

  const ModelInfo& info() const noexcept;
  /// The path the model was opened from.
  const std::string& path() const noexcept;
  size_t num_features() const noexcept;
  /// Values per row written by predict() for `output`.
  size_t output_width(Output output = Output::value) const noexcept;
  Task task() const noexcept;

  /// Predict `n_rows` rows of `X` (row-major, num_features() wide) into `out`
  /// (row-major, output_width(options.output) wide).  NaN means "missing": it is
  /// routed by models that learned how, and is a `missing_value` error for the
  /// others.  Errors: invalid_argument, missing_value, out_of_memory.
  [[nodiscard]] Status predict(const float* X, size_t n_rows, float* out,
                               const PredictOptions& options = {}) const noexcept;
  [[nodiscard]] Status predict(const float* X, size_t n_rows, double* out,
                               const PredictOptions& options = {}) const noexcept;
  [[nodiscard]] Status predict(const double* X, size_t n_rows, double* out,
                               const PredictOptions& options = {}) const noexcept;
  /// Named columns (numeric or string), matched to the inputs by name; the
  /// only way to feed a model whose preprocessing reads string columns.
  /// Errors as above, plus feature_count_mismatch for a missing column and
  /// unknown_category for an unseen category an encoder refuses.
  [[nodiscard]] Status predict(const Table& table, double* out, const PredictOptions& options = {}) const noexcept;

  /// Class indices per row written by predict_class(): 1, or for a
  /// multi-output classifier the number of outputs (info().output_groups).
  size_t class_width() const noexcept;

  /// Classifiers and outlier detectors: the index into info().classes of each
  /// row's predicted class, by info().class_decision (the first of equal
  /// probabilities, as numpy's argmax, for most classifiers; detectors: 0 for
  /// an outlier, 1 for an inlier).  Multi-output classifiers write
  /// class_width() indices per row (row-major), output j's an index into
  /// info().classes within its group.
  [[nodiscard]] Status predict_class(const float* X, size_t n_rows, int64_t* class_index,
                                     int n_threads = 1) const noexcept;
  [[nodiscard]] Status predict_class(const double* X, size_t n_rows, int64_t* class_index,
                                     int n_threads = 1) const noexcept;
  [[nodiscard]] Status predict_class(const Table& table, int64_t* class_index, int n_threads = 1) const noexcept;

 private:
  explicit Model(std::shared_ptr<const model::LoadedModel> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const model::LoadedModel> impl_;
};

/// Prediction kernels.  mlmap picks the best instruction set the CPU supports
/// ("avx512bw", "avx2", "sse4_2", else "scalar") at first use, unless the
/// environment variable MLMAP_FORCE_ARCH names another supported one.
/// Process-wide; for tests and benchmarks.
const char* active_kernel() noexcept;
/// The kernels this CPU can run, "scalar" first.
std::vector<std::string> available_kernels();
/// Switches every later prediction to `name`; invalid_argument if unknown or
/// not supported by this CPU.
[[nodiscard]] Status use_kernel(const std::string& name) noexcept;
/// Whether the environment variable MLMAP_FORCE_ARCH, when set and not
/// empty, names a kernel this CPU runs: invalid_argument naming the valid
/// ones otherwise.  Model::open (and so every tool) refuses to open a model
/// while it is wrong, rather than silently running another kernel.
[[nodiscard]] Status kernel_environment() noexcept;

}  // namespace mlmap
