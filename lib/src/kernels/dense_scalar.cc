#include <cmath>

#include "kernels/dense_view.hpp"

namespace mlmap::kernels {

void activate(Activation a, double* y, size_t n) noexcept {
  switch (a) {
    case Activation::identity: return;
    case Activation::relu:
      for (size_t i = 0; i < n; ++i) y[i] = y[i] > 0 ? y[i] : 0.0;
      return;
    case Activation::tanh:
      for (size_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
      return;
    case Activation::logistic:
      for (size_t i = 0; i < n; ++i) y[i] = y[i] >= 0 ? 1.0 / (1.0 + std::exp(-y[i])) : std::exp(y[i]) / (1.0 + std::exp(y[i]));
      return;
  }
}

void dense_layer_scalar(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
  for (size_t r = 0; r < n_rows; ++r) {
    const double* x = X + r * L.n_in;
    double* y = Y + r * L.n_out;
    for (uint32_t o = 0; o < L.n_out; ++o) y[o] = L.bias ? L.bias[o] : 0.0;
    if (L.out_in) {
      for (uint32_t o = 0; o < L.n_out; ++o) {
        const double* w = L.weights + size_t{o} * L.n_in;
        double s = 0;
        for (uint32_t i = 0; i < L.n_in; ++i) s += x[i] * w[i];
        y[o] += s;
      }
    } else {
      for (uint32_t i = 0; i < L.n_in; ++i) {
        const double* w = L.weights + size_t{i} * L.n_out;
        const double xi = x[i];
        for (uint32_t o = 0; o < L.n_out; ++o) y[o] += xi * w[o];
      }
    }
    activate(L.activation, y, L.n_out);
  }
}

}  // namespace mlmap::kernels
