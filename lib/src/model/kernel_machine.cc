#include "model/kernel_machine.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "format/limits.hpp"
#include "kernels/pairwise_view.hpp"
#include "model/one_vs_one.hpp"
#include "model/stored_rows.hpp"

namespace mlmap::model {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

Error invalid(const std::string& what) { return Error(error_code::invalid_model, "kernel machine: " + what); }

struct KernelView {
  kernels::RowBlocksView vectors;
  fb::Kernel kernel = fb::Kernel::Rbf;
  double gamma = 1, coef0 = 0;
  uint32_t degree = 3;
  uint32_t n_classes = 0;             // >= 2: one-vs-one; else one group
  uint32_t n_raw = 1;
  const uint32_t* n_support = nullptr;  // [n_classes]
  const double* dual_coef = nullptr;    // [max(1, n_classes - 1), n_support_vectors]
  const double* intercept = nullptr;    // [n_raw]
};

// libsvm's powi: exponentiation by squaring, in its order.
double powi(double base, uint32_t times) noexcept {
  double tmp = base, ret = 1.0;
  for (uint32_t t = times; t > 0; t /= 2) {
    if (t % 2 == 1) ret *= tmp;
    tmp = tmp * tmp;
  }
  return ret;
}

class KernelPredictor final : public Predictor {
 public:
  explicit KernelPredictor(const KernelView& v) : v_(v) {}

  PredictorKind kind() const noexcept override { return PredictorKind::kernel_machine; }
  size_t n_raw() const noexcept override { return v_.n_raw; }
  bool accepts_missing() const noexcept override { return false; }  // libsvm refuses NaN
  size_t block_rows() const noexcept override { return 256; }

  Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }
  Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }

  Status verify() const noexcept override {
    auto st = verify_stored_rows(v_.vectors, "kernel_machine.support_vectors");
    if (!st) return st;
    const uint64_t n = v_.vectors.n_rows;
    if (v_.n_classes >= 2) {
      uint64_t total = 0;
      for (uint32_t c = 0; c < v_.n_classes; ++c) total += v_.n_support[c];
      if (total != n)
        return invalid("n_support adds up to " + str(total) + " support vectors, the model has " + str(n));
    }
    const uint64_t n_coef = uint64_t{v_.n_classes >= 2 ? v_.n_classes - 1 : 1} * n;
    for (uint64_t i = 0; i < n_coef; ++i)
      if (!std::isfinite(v_.dual_coef[i])) return invalid("dual coefficient " + str(i) + " is not finite");
    for (uint32_t i = 0; i < v_.n_raw; ++i)
      if (!std::isfinite(v_.intercept[i])) return invalid("intercept " + str(i) + " is not finite");
    return {};
  }

 private:
  // Kernel values of at most this many (query, vector) pairs at once.
  static constexpr size_t pairs_per_pass = size_t{1} << 19;

  template <class T>
  Status run(const T* X, size_t n_rows, double* raw) const noexcept {
    try {
      const size_t nf = v_.vectors.n_features;
      const uint64_t n_blocks = v_.vectors.n_blocks();
      const size_t stride = static_cast<size_t>(n_blocks * kernels::block_lanes);
      const size_t qn = std::max<size_t>(1, std::min(n_rows, pairs_per_pass / stride));
      std::vector<double> queries(qn * nf), values(qn * stride);
      std::vector<uint64_t> starts(v_.n_classes + 1, 0);
      class_starts(starts.data());
      kernels::PairwiseTask task;
      task.op = v_.kernel == fb::Kernel::Rbf ? kernels::RowOp::squared_euclidean : kernels::RowOp::dot;
      task.queries = queries.data();
      task.first_block = 0;
      task.n_blocks = n_blocks;
      task.out = values.data();
      task.stride = stride;
      for (size_t r0 = 0; r0 < n_rows; r0 += qn) {
        const size_t nq = std::min(qn, n_rows - r0);
        for (size_t i = 0; i < nq * nf; ++i) queries[i] = static_cast<double>(X[r0 * nf + i]);
        task.n_queries = nq;
        kernels::pairwise(v_.vectors, task);
        for (size_t q = 0; q < nq; ++q) {
          double* k = values.data() + q * stride;
          kernel_function(k, static_cast<size_t>(v_.vectors.n_rows));
          decision_values(k, starts.data(), raw + (r0 + q) * v_.n_raw);
        }
      }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory for kernel values");
    }
  }

  // libsvm's k_function from the pairwise sums: the same operations, the C
  // library's exp and tanh.
  void kernel_function(double* k, size_t n) const noexcept {
    switch (v_.kernel) {
      case fb::Kernel::Linear: return;
      case fb::Kernel::Rbf:
        for (size_t i = 0; i < n; ++i) k[i] = std::exp(-v_.gamma * k[i]);
        return;
      case fb::Kernel::Polynomial:
        for (size_t i = 0; i < n; ++i) k[i] = powi(v_.gamma * k[i] + v_.coef0, v_.degree);
        return;
      case fb::Kernel::Sigmoid:
        for (size_t i = 0; i < n; ++i) k[i] = std::tanh(v_.gamma * k[i] + v_.coef0);
        return;
    }
  }

  // Where each class's vectors start; counts from the file are clamped so
  // that every range lies inside the vectors (verify() checks they add up).
  void class_starts(uint64_t* starts) const noexcept {
    const uint64_t n = v_.vectors.n_rows;
    starts[0] = 0;
    for (uint32_t c = 0; c < v_.n_classes; ++c) starts[c + 1] = std::min(n, starts[c] + v_.n_support[c]);
  }

  // libsvm's svm_predict_values: sum in vector order, then the intercept
  // (libsvm subtracts rho = -intercept: the same number).
  void decision_values(const double* k, const uint64_t* starts, double* raw) const noexcept {
    const uint64_t n = v_.vectors.n_rows;
    if (v_.n_classes < 2) {
      double sum = 0;
      for (uint64_t s = 0; s < n; ++s) sum += v_.dual_coef[s] * k[s];
      raw[0] = sum + v_.intercept[0];
      return;
    }
    size_t p = 0;
    for (uint32_t i = 0; i < v_.n_classes; ++i)
      for (uint32_t j = i + 1; j < v_.n_classes; ++j, ++p) {
        const double* coef1 = v_.dual_coef + uint64_t{j - 1} * n;
        const double* coef2 = v_.dual_coef + uint64_t{i} * n;
        double sum = 0;
        for (uint64_t s = starts[i]; s < starts[i + 1]; ++s) sum += coef1[s] * k[s];
        for (uint64_t s = starts[j]; s < starts[j + 1]; ++s) sum += coef2[s] * k[s];
        raw[p] = sum + v_.intercept[p];
      }
  }

  KernelView v_;
};

}  // namespace

Result<std::unique_ptr<Predictor>> make_kernel_predictor(const format::FileView& file, const fb::KernelMachine& k,
                                                         uint32_t n_features, uint32_t n_raw,
                                                         KernelSummary* summary) noexcept {
  try {
    KernelView v;
    if (k.kernel() > fb::Kernel::MAX)
      return Error(error_code::unsupported_model,
                   "kernel machine: kernel " + str(static_cast<unsigned>(k.kernel())) + " is unknown to this reader");
    v.kernel = k.kernel();
    v.gamma = k.gamma();
    v.coef0 = k.coef0();
    v.degree = k.degree();
    if (!std::isfinite(v.gamma) || !std::isfinite(v.coef0)) return invalid("gamma or coef0 is not finite");
    if (v.degree > limits::max_kernel_degree)
      return Error(error_code::limit_exceeded, "kernel machine: degree " + str(v.degree) + " exceeds " +
                                                   str(limits::max_kernel_degree));
    v.n_classes = k.n_classes();
    v.n_raw = n_raw;
    if (v.n_classes >= 2 ? n_raw != ovo_pairs(v.n_classes) : n_raw != 1)
      return invalid(str(v.n_classes) + " classes need " + str(v.n_classes >= 2 ? ovo_pairs(v.n_classes) : 1) +
                     " raw scores, the model has " + str(n_raw));
    auto rows = stored_rows(file, k.support_vectors(), k.n_support_vectors(), n_features,
                            "kernel_machine.support_vectors", false);
    if (!rows) return rows.error();
    v.vectors = *rows;
    const uint64_t n = k.n_support_vectors();
    if (v.n_classes >= 2) {
      auto c = file.column<uint32_t>(k.n_support(), v.n_classes, "kernel_machine.n_support");
      if (!c) return c.error();
      v.n_support = *c;
    }
    const uint64_t coef_rows = v.n_classes >= 2 ? v.n_classes - 1 : 1;
    auto coef = file.column<double>(k.dual_coef(), coef_rows * n, "kernel_machine.dual_coef");  // < 2^60
    if (!coef) return coef.error();
    v.dual_coef = *coef;
    auto icpt = file.column<double>(k.intercept(), n_raw, "kernel_machine.intercept");
    if (!icpt) return icpt.error();
    v.intercept = *icpt;
    if (summary) {
      summary->n_support_vectors = n;
      summary->kernel = enum_name(static_cast<Kernel>(v.kernel));  // checked <= MAX above
      summary->gamma = v.gamma;
      summary->coef0 = v.coef0;
      summary->degree = v.degree;
    }
    return std::unique_ptr<Predictor>(new KernelPredictor(v));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening a kernel machine");
  }
}

}  // namespace mlmap::model
