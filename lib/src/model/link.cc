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
  }
  return "unknown";
}

bool link_shape_ok(Link link, bool classification, size_t n_raw, size_t n_outputs) noexcept {
  switch (link) {
    case Link::identity:
    case Link::exp: return n_raw == n_outputs;
    case Link::logistic: return n_raw == 1 && n_outputs == (classification ? 2u : 1u);
    case Link::softmax:
    case Link::logistic_ovr: return n_raw == n_outputs && n_raw >= 2;
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
      const double p = sigmoid(s * raw[0]);
      if (spec.n_outputs == 2) {
        out[0] = 1.0 - p;
        out[1] = p;
      } else {
        out[0] = p;
      }
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
  if (spec.class_from_raw) {
    if (spec.n_raw == 1) return raw[0] > 0 ? 1 : 0;
    return static_cast<int64_t>(argmax(raw, spec.n_raw));
  }
  return static_cast<int64_t>(argmax(out, spec.n_outputs));
}

}  // namespace mlmap::model
