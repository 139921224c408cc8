// Affine and layer-norm layers of dense networks (FORMAT.md §5.2): per-feature
// and per-row arithmetic in float64, in one baseline unit shared by every ISA.
#include <cmath>

#include "kernels/dense_view.hpp"

namespace mlmap::kernels {

namespace {

// v * weights[j] + bias[j], each where present.
inline double scale_shift(const DenseLayerView& L, uint32_t j, double v) noexcept {
  if (L.weights.present()) v *= L.weights[j];
  if (L.bias.present()) v += L.bias[j];
  return v;
}

template <class X_t>
void affine(const DenseLayerView& L, const X_t* X, size_t n_rows, double* Y) noexcept {
  const uint32_t n = L.n_out;
  for (size_t r = 0; r < n_rows; ++r)
    for (uint32_t j = 0; j < n; ++j) Y[r * n + j] = scale_shift(L, j, static_cast<double>(X[r * n + j]));
}

// (x - mean) / sqrt(var + epsilon) * gamma + beta with the row's mean and
// (biased) variance, both from two passes in float64.
template <class X_t>
void layer_norm(const DenseLayerView& L, const X_t* X, size_t n_rows, double* Y) noexcept {
  const uint32_t n = L.n_out;
  for (size_t r = 0; r < n_rows; ++r) {
    const X_t* x = X + r * n;
    double* y = Y + r * n;
    double sum = 0;
    for (uint32_t j = 0; j < n; ++j) sum += static_cast<double>(x[j]);
    const double mean = sum / n;
    double squares = 0;
    for (uint32_t j = 0; j < n; ++j) {
      const double d = static_cast<double>(x[j]) - mean;
      squares += d * d;
    }
    const double inv = 1.0 / std::sqrt(squares / n + L.epsilon);
    for (uint32_t j = 0; j < n; ++j) y[j] = scale_shift(L, j, (static_cast<double>(x[j]) - mean) * inv);
  }
}

template <class X_t>
void rowwise(const DenseLayerView& L, const X_t* X, size_t n_rows, double* Y) noexcept {
  if (L.kind == LayerKind::layer_norm)
    layer_norm(L, X, n_rows, Y);
  else
    affine(L, X, n_rows, Y);
}

}  // namespace

void rowwise_layer(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept {
  rowwise(L, X, n_rows, Y);
}

void rowwise_layer(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept {
  rowwise(L, X, n_rows, Y);
}

}  // namespace mlmap::kernels
