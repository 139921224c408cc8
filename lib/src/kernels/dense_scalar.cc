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

namespace {

template <class X_t>
void dense_rows(const DenseLayerView& L, const X_t* X, size_t n_rows, double* Y) noexcept {
  for (size_t r = 0; r < n_rows; ++r) {
    const X_t* x = X + r * L.n_in;
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
        const double xi = static_cast<double>(x[i]);
        for (uint32_t o = 0; o < L.n_out; ++o) y[o] += xi * w[o];
      }
    }
    activate(L.activation, y, L.n_out);
  }
}

}  // namespace

void dense_layer_scalar(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
  dense_rows(L, X, n_rows, Y);
}

void dense_layer_scalar(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept {
  dense_rows(L, X, n_rows, Y);
}

}  // namespace mlmap::kernels
