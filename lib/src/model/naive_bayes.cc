#include "model/naive_bayes.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "format/limits.hpp"

namespace mlmap::model {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

Error invalid(const std::string& what) { return Error(error_code::invalid_model, "naive Bayes: " + what); }

struct NaiveBayesView {
  fb::NaiveBayesKind kind = fb::NaiveBayesKind::Gaussian;
  uint32_t n_classes = 0, n_features = 0;
  const double* bias = nullptr;
  const double* theta = nullptr;
  const double* var = nullptr;
  const double* log_norm = nullptr;
  double threshold = 0;
  const double* weights = nullptr;
  const uint32_t* category_counts = nullptr;
  uint64_t n_log_probs = 0;
  const double* log_probs = nullptr;
};

class NaiveBayesPredictor final : public Predictor {
 public:
  explicit NaiveBayesPredictor(const NaiveBayesView& v) : v_(v) {}

  PredictorKind kind() const noexcept override { return PredictorKind::naive_bayes; }
  size_t n_raw() const noexcept override { return v_.n_classes; }
  bool accepts_missing() const noexcept override { return false; }  // sklearn refuses NaN

  Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }
  Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }
  // Bernoulli with a threshold >= 0: a zero feature is 0 after binarising,
  // so only the listed features count.
  bool takes_sparse() const noexcept override { return v_.kind == fb::NaiveBayesKind::Bernoulli && v_.threshold >= 0; }
  Status raw_scores_sparse(const SparseRows& X, size_t n_rows, double* raw) const noexcept override {
    if (!takes_sparse()) return Predictor::raw_scores_sparse(X, n_rows, raw);
    const size_t C = v_.n_classes, F = v_.n_features;
    for (size_t r = 0; r < n_rows; ++r)
      for (size_t c = 0; c < C; ++c) {
        const double* w = v_.weights + c * F;
        double sum = 0;
        for (size_t e = X.begin[r]; e < X.begin[r + 1]; ++e)
          if (X.value[e] > v_.threshold) sum += w[std::min<size_t>(X.position[e], F - 1)];
        raw[r * C + c] = sum + v_.bias[c];
      }
    return {};
  }
  Status check_rows(const float* X, size_t n, size_t first) const noexcept override { return categories(X, n, first); }
  Status check_rows(const double* X, size_t n, size_t first) const noexcept override { return categories(X, n, first); }

  Status verify() const noexcept override {
    const uint64_t C = v_.n_classes, F = v_.n_features;
    auto finite = [](const double* a, uint64_t n, const char* what) -> Status {
      for (uint64_t i = 0; i < n; ++i)
        if (!std::isfinite(a[i])) return invalid(std::string(what) + " " + str(i) + " is not finite");
      return {};
    };
    auto st = finite(v_.bias, C, "bias");
    switch (v_.kind) {
      case fb::NaiveBayesKind::Gaussian:
        if (st) st = finite(v_.theta, C * F, "theta");
        if (st) st = finite(v_.log_norm, C, "log_norm");
        for (uint64_t i = 0; st && i < C * F; ++i)
          if (!(v_.var[i] > 0) || !std::isfinite(v_.var[i])) st = invalid("variance " + str(i) + " is not positive and finite");
        return st;
      case fb::NaiveBayesKind::Bernoulli:
        if (st) st = finite(v_.weights, C * F, "weight");
        return st;
      case fb::NaiveBayesKind::Categorical: {
        if (st) st = finite(v_.log_probs, v_.n_log_probs, "log probability");
        if (!st) return st;
        uint64_t total = 0;
        for (uint64_t f = 0; f < F; ++f) {
          if (v_.category_counts[f] < 1) return invalid("feature " + str(f) + " has no categories");
          total += C * v_.category_counts[f];
        }
        if (total != v_.n_log_probs)
          return invalid("the category counts need " + str(total) + " log probabilities, the model has " +
                         str(v_.n_log_probs));
        return {};
      }
    }
    return st;
  }

 private:
  template <class T>
  Status run(const T* X, size_t n_rows, double* raw) const noexcept {
    try {
      const size_t C = v_.n_classes, F = v_.n_features;
      switch (v_.kind) {
        case fb::NaiveBayesKind::Gaussian: {
          std::vector<double> terms(F);
          for (size_t r = 0; r < n_rows; ++r)
            for (size_t c = 0; c < C; ++c) raw[r * C + c] = gaussian(X + r * F, c, terms.data());
          return {};
        }
        case fb::NaiveBayesKind::Bernoulli:
          // sklearn: binarize(X) @ weights.T, then + bias.
          for (size_t r = 0; r < n_rows; ++r)
            for (size_t c = 0; c < C; ++c) {
              const double* w = v_.weights + c * F;
              double sum = 0;
              for (size_t f = 0; f < F; ++f) sum += (static_cast<double>(X[r * F + f]) > v_.threshold ? 1.0 : 0.0) * w[f];
              raw[r * C + c] = sum + v_.bias[c];
            }
          return {};
        case fb::NaiveBayesKind::Categorical: {
          std::vector<uint64_t> offsets(F);
          block_offsets(offsets.data());
          for (size_t r = 0; r < n_rows; ++r) {
            double* out = raw + r * C;
            std::fill(out, out + C, 0.0);
            // sklearn: jll += feature_log_prob_[f][:, x_f] feature by feature,
            // then + class_log_prior_.
            for (size_t f = 0; f < F; ++f) {
              const uint64_t n_cat = std::max(1u, v_.category_counts[f]);
              const uint64_t x = category_index(static_cast<double>(X[r * F + f]), n_cat);
              for (size_t c = 0; c < C; ++c)
                out[c] += v_.log_probs[std::min(offsets[f] + c * n_cat + x, v_.n_log_probs - 1)];
            }
            for (size_t c = 0; c < C; ++c) out[c] = out[c] + v_.bias[c];
          }
          return {};
        }
      }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory for naive Bayes scratch");
    }
  }

  // sklearn's GaussianNB: log prior + (log_norm - 0.5 * sum((x - theta)^2 / var)),
  // the sum numpy's.
  template <class T>
  double gaussian(const T* x, size_t c, double* terms) const noexcept {
    const size_t F = v_.n_features;
    const double* theta = v_.theta + c * F;
    const double* var = v_.var + c * F;
    for (size_t f = 0; f < F; ++f) {
      const double d = static_cast<double>(x[f]) - theta[f];
      terms[f] = (d * d) / var[f];
    }
    const double n_ij = v_.log_norm[c] - 0.5 * numpy_sum(terms, F);
    return v_.bias[c] + n_ij;
  }

  // Where feature f's block starts in log_probs (saturating: verify()
  // checks that the counts add up).
  void block_offsets(uint64_t* offsets) const noexcept {
    uint64_t at = 0;
    for (size_t f = 0; f < v_.n_features; ++f) {
      offsets[f] = std::min(at, v_.n_log_probs);
      at = std::min<uint64_t>(at + uint64_t{v_.n_classes} * std::max(1u, v_.category_counts[f]), v_.n_log_probs);
    }
  }

  // sklearn casts X to int (truncating toward zero); clamped here, refused
  // by check_rows().
  static uint64_t category_index(double x, uint64_t n_cat) noexcept {
    if (!(x > 0)) return 0;
    if (x >= static_cast<double>(n_cat)) return n_cat - 1;
    return static_cast<uint64_t>(x);
  }

  template <class T>
  Status categories(const T* X, size_t n_rows, size_t first) const noexcept {
    if (v_.kind != fb::NaiveBayesKind::Categorical) return {};
    const size_t F = v_.n_features;
    for (size_t r = 0; r < n_rows; ++r)
      for (size_t f = 0; f < F; ++f) {
        const double x = static_cast<double>(X[r * F + f]);
        const uint32_t n_cat = v_.category_counts[f];
        if (x <= -1 || x >= static_cast<double>(n_cat))
          return Error(error_code::unknown_category,
                       "row " + str(first + r) + ", feature " + str(f) + ": category " + num(std::trunc(x)) +
                           (x <= -1 ? " is negative" : " was not seen in training (it knows " + str(n_cat) + ": 0 to " +
                                                           str(n_cat - 1) + ")"));
      }
    return {};
  }

  NaiveBayesView v_;
};

}  // namespace

Result<std::unique_ptr<Predictor>> make_naive_bayes_predictor(const format::FileView& file, const fb::NaiveBayes& nb,
                                                              uint32_t n_features, uint32_t n_raw,
                                                              std::string* kind) noexcept {
  try {
    NaiveBayesView v;
    if (nb.kind() > fb::NaiveBayesKind::MAX)
      return Error(error_code::unsupported_model,
                   "naive Bayes kind " + str(static_cast<unsigned>(nb.kind())) + " is unknown to this reader");
    v.kind = nb.kind();
    if (nb.n_classes() != n_raw || n_raw < 2)
      return invalid(str(nb.n_classes()) + " classes for " + str(n_raw) + " raw scores (needs >= 2, one per class)");
    v.n_classes = n_raw;
    v.n_features = n_features;
    const uint64_t C = n_raw, F = n_features;  // C * F < 2^50
    auto col = [&](int32_t index, uint64_t count, const char* role, const double** out) -> Status {
      auto c = file.column<double>(index, count, role);
      if (!c) return c.error();
      *out = *c;
      return {};
    };
    auto st = col(nb.bias(), C, "naive_bayes.bias", &v.bias);
    switch (v.kind) {
      case fb::NaiveBayesKind::Gaussian:
        if (st) st = col(nb.theta(), C * F, "naive_bayes.theta", &v.theta);
        if (st) st = col(nb.var(), C * F, "naive_bayes.var", &v.var);
        if (st) st = col(nb.log_norm(), C, "naive_bayes.log_norm", &v.log_norm);
        break;
      case fb::NaiveBayesKind::Bernoulli:
        v.threshold = nb.threshold();
        if (std::isnan(v.threshold)) return invalid("the binarize threshold is NaN");
        if (st) st = col(nb.weights(), C * F, "naive_bayes.weights", &v.weights);
        break;
      case fb::NaiveBayesKind::Categorical: {
        if (nb.n_log_probs() < C * F || nb.n_log_probs() > limits::max_categories * C)
          return Error(nb.n_log_probs() < C * F ? error_code::invalid_model : error_code::limit_exceeded,
                       "naive Bayes: " + str(nb.n_log_probs()) + " log probabilities for " + str(C) + " classes and " +
                           str(F) + " features (at least one category each, at most " +
                           str(limits::max_categories) + " in all)");
        v.n_log_probs = nb.n_log_probs();
        auto counts = file.column<uint32_t>(nb.category_counts(), F, "naive_bayes.category_counts");
        if (!counts) return counts.error();
        v.category_counts = *counts;
        if (st) st = col(nb.log_probs(), v.n_log_probs, "naive_bayes.log_probs", &v.log_probs);
        break;
      }
    }
    if (!st) return st.error();
    if (kind) *kind = enum_name(static_cast<NaiveBayesKind>(v.kind));  // checked <= MAX above
    return std::unique_ptr<Predictor>(new NaiveBayesPredictor(v));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening a naive Bayes model");
  }
}

}  // namespace mlmap::model
