// Activations of dense-network layers (FORMAT.md §5.2), in float64, in one
// baseline unit that every ISA's kernels call: the same operations, and the
// same libm functions, whatever the instruction set.
#include <algorithm>
#include <cmath>

#include "kernels/dense_view.hpp"

namespace mlmap::kernels {

namespace {

// 1 / (1 + exp(-x)) without overflow for large |x|.
inline double logistic(double x) noexcept {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// Keras' relu(x, negative_slope, max_value, threshold): the part above the
// threshold (clipped to [0, max]) minus the slope times the part below it.
inline double relu(double x, const ActivationParams& p) noexcept {
  double pos = x > p.relu_threshold ? x : 0.0;
  if (p.relu_max != std::numeric_limits<double>::infinity()) pos = std::min(std::max(pos, 0.0), p.relu_max);
  if (p.relu_slope == 0) return pos;
  const double below = p.relu_threshold - x;
  return pos - p.relu_slope * (below > 0 ? below : 0.0);
}

constexpr double selu_alpha = 1.6732632423543772848170429916717;
constexpr double selu_scale = 1.0507009873554804934193349852946;
constexpr double sqrt_half = 0.70710678118654752440084436210485;
constexpr double sqrt_2_over_pi = 0.79788456080286535587989211986876;

// log(1 + exp(t)) for any t, without overflow or cancellation.
inline double log1p_exp(double t) noexcept { return (t > 0 ? t : 0.0) + std::log1p(std::exp(-std::fabs(t))); }

template <class F>
void each(double* y, size_t n, F f) noexcept {
  for (size_t i = 0; i < n; ++i) y[i] = f(y[i]);
}

void softmax_rows(double* Y, size_t n_rows, uint32_t width) noexcept {
  for (size_t r = 0; r < n_rows; ++r) {
    double* y = Y + r * width;
    double m = y[0];
    for (uint32_t j = 1; j < width; ++j) m = std::max(m, y[j]);
    double sum = 0;
    for (uint32_t j = 0; j < width; ++j) sum += (y[j] = std::exp(y[j] - m));
    for (uint32_t j = 0; j < width; ++j) y[j] /= sum;
  }
}

}  // namespace

void activate_rows(const DenseLayerView& L, double* Y, size_t n_rows) noexcept {
  const size_t n = n_rows * L.n_out;
  const ActivationParams& p = L.params;
  switch (L.activation) {
    case Activation::identity: return;
    case Activation::relu: return each(Y, n, [](double x) { return x > 0 ? x : 0.0; });
    case Activation::leaky_relu: return each(Y, n, [&p](double x) { return relu(x, p); });
    case Activation::tanh: return each(Y, n, [](double x) { return std::tanh(x); });
    case Activation::logistic: return each(Y, n, logistic);
    case Activation::elu:
      return each(Y, n, [a = p.elu_alpha](double x) { return x > 0 ? x : a * std::expm1(x); });
    case Activation::selu:
      return each(Y, n, [](double x) { return selu_scale * (x > 0 ? x : selu_alpha * std::expm1(x)); });
    case Activation::gelu:
      // x * Phi(x); erfc keeps the precision where 1 + erf(.) would cancel.
      return each(Y, n, [](double x) { return 0.5 * x * std::erfc(-x * sqrt_half); });
    case Activation::gelu_tanh:
      return each(Y, n, [](double x) {
        return 0.5 * x * (1.0 + std::tanh(sqrt_2_over_pi * (x + 0.044715 * x * x * x)));
      });
    case Activation::silu: return each(Y, n, [](double x) { return x * logistic(x); });
    case Activation::hard_sigmoid:
      return each(Y, n, [](double x) { return std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; });
    case Activation::softplus:
      return each(Y, n, [b = p.softplus_beta, t = p.softplus_threshold](double x) {
        const double bx = b * x;
        return bx > t ? x : log1p_exp(bx) / b;
      });
    case Activation::softsign: return each(Y, n, [](double x) { return x / (1.0 + std::fabs(x)); });
    case Activation::softmax: return softmax_rows(Y, n_rows, L.n_out);
    case Activation::exponential: return each(Y, n, [](double x) { return std::exp(x); });
    case Activation::prelu:
      for (size_t r = 0; r < n_rows; ++r) {
        double* y = Y + r * L.n_out;
        for (uint32_t j = 0; j < L.n_out; ++j) y[j] = y[j] > 0 ? y[j] : L.alpha[j] * y[j];
      }
      return;
  }
}

}  // namespace mlmap::kernels
