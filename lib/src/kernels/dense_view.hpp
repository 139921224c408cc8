// One dense-network layer as plain pointers into the mapped columns (FORMAT.md
// §5.2).  Kernels see only this struct.  Shapes were checked against the
// column lengths at open; the values themselves may be anything (verify()
// checks that they are finite), which can give wrong numbers but never bad
// memory accesses: the kernels index only within the shapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace mlmap::kernels {

/// The values of FORMAT.md's Activation enum.
enum class Activation : uint8_t {
  identity = 0, relu = 1, tanh = 2, logistic = 3, elu = 4, selu = 5, gelu = 6, gelu_tanh = 7, silu = 8,
  hard_sigmoid = 9, softplus = 10, softsign = 11, softmax = 12, exponential = 13, prelu = 14,
  leaky_relu = 15  // relu with ActivationParams' relu_* (relu itself ignores them)
};

/// The values of FORMAT.md's LayerKind enum.
enum class LayerKind : uint8_t { dense = 0, affine = 1, layer_norm = 2 };

/// A column of a layer: float64, or float32 widened as it is read.  At most
/// one pointer is set; neither means absent.
struct Values {
  const double* f64 = nullptr;
  const float* f32 = nullptr;
  bool present() const noexcept { return f64 || f32; }
  double operator[](size_t i) const noexcept { return f64 ? f64[i] : static_cast<double>(f32[i]); }
};

/// Activation parameters (FORMAT.md §5.2); the defaults give the plain functions.
struct ActivationParams {
  double relu_slope = 0, relu_threshold = 0, relu_max = std::numeric_limits<double>::infinity();
  double elu_alpha = 1;
  double softplus_beta = 1, softplus_threshold = std::numeric_limits<double>::infinity();
  bool plain_relu() const noexcept {
    return relu_slope == 0 && relu_threshold == 0 && relu_max == std::numeric_limits<double>::infinity();
  }
};

struct DenseLayerView {
  LayerKind kind = LayerKind::dense;
  Values weights;                   // dense: [n_in, n_out] (in_out) or [n_out, n_in]; affine / layer_norm: [n_out] or absent
  Values bias;                      // [n_out] or absent
  Values alpha;                     // prelu: [n_out]
  uint32_t n_in = 0;
  uint32_t n_out = 0;
  bool out_in = false;              // dense weights are [n_out, n_in]
  double epsilon = 0;               // layer_norm
  Activation activation = Activation::identity;
  ActivationParams params;
};

/// Y[r, :] = layer(X[r, :]) for rows [0, n_rows); X is n_rows x n_in, Y
/// n_rows x n_out, both row-major.  The dispatching entry.  float rows are
/// widened to double (exactly) as they are read.  Dense layers run the kernel
/// of the active ISA; every other step (affine and layer-norm layers, all
/// activations) runs in one baseline unit shared by every ISA, so that they
/// agree exactly.
void dense_layer(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_layer(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;

/// The scalar reference of the dense product (x . W + bias, no activation),
/// and one kernel per ISA (dense_<isa>.cc).
void dense_product_scalar(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_product_scalar(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;
void dense_product_sse4_2(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_product_sse4_2(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;
void dense_product_avx2(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_product_avx2(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;
void dense_product_avx512bw(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_product_avx512bw(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;

/// Affine and layer-norm layers (rowwise.cc): Y = kind(X), no activation.
void rowwise_layer(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void rowwise_layer(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;

/// Applies the layer's activation to n_rows rows of n_out values in place
/// (activation.cc; the transcendental functions come from libm).
void activate_rows(const DenseLayerView& L, double* Y, size_t n_rows) noexcept;

}  // namespace mlmap::kernels
