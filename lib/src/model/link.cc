#include "model/link.hpp"

#include <algorithm>
#include <cmath>

namespace mlmap::model {

namespace {

double sigmoid(double z) noexcept {
  // Two branches keep exp() from overflowing and 1 - p from cancelling.
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

size_t argmax(const double* v, size_t n) noexcept {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;  // first of equals wins, as numpy's argmax
  return best;
}

}  // namespace

const char* link_name(Link link) noexcept {
  switch (link) {
    case Link::identity: return "identity";
    case Link::logistic: return "logistic";
    case Link::softmax: return "softmax";
    case Link::exp: return "exp";
    case Link::logistic_ovr: return "logistic_ovr";
    case Link::hard: return "hard";
    case Link::modified_huber: return "modified_huber";
  }
  return "unknown";
}

const char* decision_name(Decision d) noexcept {
  switch (d) {
    case Decision::argmax_outputs: return "argmax_outputs";
    case Decision::argmax_raw: return "argmax_raw";
    case Decision::raw_nonnegative: return "raw_nonnegative";
  }
  return "unknown";
}

bool link_shape_ok(Link link, bool classification, size_t n_raw, size_t n_outputs) noexcept {
  switch (link) {
    case Link::identity:
    case Link::exp: return n_raw == n_outputs;
    // Regression applies the sigmoid to each raw score.
    case Link::logistic: return classification ? n_raw == 1 && n_outputs == 2 : n_raw == n_outputs;
    case Link::softmax:
    case Link::logistic_ovr: return n_raw == n_outputs && n_raw >= 2;
    case Link::hard:
    case Link::modified_huber:
      return classification && (n_raw == n_outputs ? n_raw >= 2 : n_raw == 1 && n_outputs == 2);
  }
  return false;
}

void apply_link(const LinkSpec& spec, const double* raw, double* out) noexcept {
  const double s = spec.scale;
  switch (spec.link) {
    case Link::identity:
      std::copy(raw, raw + spec.n_raw, out);
      return;
    case Link::exp:
      for (size_t j = 0; j < spec.n_raw; ++j) out[j] = std::exp(s * raw[j]);
      return;
    case Link::logistic: {
      if (spec.n_outputs == 2 && spec.n_raw == 1) {
        const double p = sigmoid(s * raw[0]);
        out[0] = 1.0 - p;
        out[1] = p;
      } else {
        for (size_t j = 0; j < spec.n_raw; ++j) out[j] = sigmoid(s * raw[j]);
      }
      return;
    }
    case Link::hard: {
      std::fill(out, out + spec.n_outputs, 0.0);
      out[decide_class(spec, raw, out)] = 1.0;
      return;
    }
    case Link::modified_huber: {
      // sklearn's SGDClassifier: (clip(d, -1, 1) + 1) / 2, rows normalised;
      // a row of zeros becomes uniform.
      auto p = [&](double d) { return (std::min(1.0, std::max(-1.0, s * d)) + 1.0) / 2.0; };
      if (spec.n_raw == 1) {
        out[1] = p(raw[0]);
        out[0] = 1.0 - out[1];
        return;
      }
      double sum = 0;
      for (size_t j = 0; j < spec.n_raw; ++j) sum += out[j] = p(raw[j]);
      for (size_t j = 0; j < spec.n_raw; ++j) out[j] = sum == 0 ? 1.0 / static_cast<double>(spec.n_raw) : out[j] / sum;
      return;
    }
    case Link::softmax: {
      double m = s * raw[0];
      for (size_t j = 1; j < spec.n_raw; ++j) m = std::max(m, s * raw[j]);
      double sum = 0;
      for (size_t j = 0; j < spec.n_raw; ++j) sum += out[j] = std::exp(s * raw[j] - m);
      for (size_t j = 0; j < spec.n_raw; ++j) out[j] /= sum;
      return;
    }
    case Link::logistic_ovr: {
      double sum = 0;
      for (size_t j = 0; j < spec.n_raw; ++j) sum += out[j] = sigmoid(s * raw[j]);
      for (size_t j = 0; j < spec.n_raw; ++j) out[j] /= sum;
      return;
    }
  }
}

int64_t decide_class(const LinkSpec& spec, const double* raw, const double* out) noexcept {
  switch (spec.decision) {
    case Decision::argmax_raw:
      if (spec.n_raw == 1) return raw[0] > 0 ? 1 : 0;
      return static_cast<int64_t>(argmax(raw, spec.n_raw));
    case Decision::raw_nonnegative: return raw[0] >= 0 ? 1 : 0;
    case Decision::argmax_outputs: break;
  }
  return static_cast<int64_t>(argmax(out, spec.n_outputs));
}

}  // namespace mlmap::model
