// The scalar reference of the dense product x . W + bias, in float64.
#include "kernels/dense_view.hpp"

namespace mlmap::kernels {

namespace {

template <class X_t, class W_t>
void dense_rows(const DenseLayerView& L, const W_t* W, const X_t* X, size_t n_rows, double* Y) noexcept {
  for (size_t r = 0; r < n_rows; ++r) {
    const X_t* x = X + r * L.n_in;
    double* y = Y + r * L.n_out;
    for (uint32_t o = 0; o < L.n_out; ++o) y[o] = L.bias.present() ? L.bias[o] : 0.0;
    if (L.out_in) {
      for (uint32_t o = 0; o < L.n_out; ++o) {
        const W_t* w = W + size_t{o} * L.n_in;
        double s = 0;
        for (uint32_t i = 0; i < L.n_in; ++i) s += static_cast<double>(x[i]) * static_cast<double>(w[i]);
        y[o] += s;
      }
    } else {
      for (uint32_t i = 0; i < L.n_in; ++i) {
        const W_t* w = W + size_t{i} * L.n_out;
        const double xi = static_cast<double>(x[i]);
        for (uint32_t o = 0; o < L.n_out; ++o) y[o] += xi * static_cast<double>(w[o]);
      }
    }
  }
}

template <class X_t>
void dense_rows(const DenseLayerView& L, const X_t* X, size_t n_rows, double* Y) noexcept {
  if (L.weights.f32)
    dense_rows(L, L.weights.f32, X, n_rows, Y);
  else
    dense_rows(L, L.weights.f64, X, n_rows, Y);
}

}  // namespace

void dense_product_scalar(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
  dense_rows(L, X, n_rows, Y);
}

void dense_product_scalar(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept {
  dense_rows(L, X, n_rows, Y);
}

}  // namespace mlmap::kernels
