// One dense layer as plain pointers into the mapped columns (FORMAT.md §5.2).
// Kernels see only this struct.  Shapes were checked against the column
// lengths at open; the weights themselves may be anything (verify() checks
// that they are finite), which can give wrong numbers but never bad memory
// accesses: the kernels index only within the shapes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlmap::kernels {

enum class Activation : uint8_t { identity = 0, relu = 1, tanh = 2, logistic = 3 };

struct DenseLayerView {
  const double* weights = nullptr;  // [n_in, n_out] (in_out) or [n_out, n_in]
  const double* bias = nullptr;     // [n_out] or null
  uint32_t n_in = 0;
  uint32_t n_out = 0;
  bool out_in = false;              // weights are [n_out, n_in]
  Activation activation = Activation::identity;
};

/// Y[r, :] = activation(X[r, :] . W + bias) for rows [0, n_rows); X is
/// n_rows x n_in, Y n_rows x n_out, both row-major.  The dispatching entry.
/// float rows are widened to double (exactly) as they are read.
void dense_layer(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_layer(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;

/// The scalar reference, and one kernel per ISA (dense_<isa>.cc).
void dense_layer_scalar(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_layer_scalar(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;
void dense_layer_sse4_2(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_layer_sse4_2(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;
void dense_layer_avx2(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_layer_avx2(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;
void dense_layer_avx512bw(const DenseLayerView& L, const double* X, size_t n_rows, double* Y) noexcept;
void dense_layer_avx512bw(const DenseLayerView& L, const float* X, size_t n_rows, double* Y) noexcept;

/// Applies `a` to n values in place (shared by every kernel so that they
/// agree exactly: the transcendental functions come from libm).
void activate(Activation a, double* y, size_t n) noexcept;

}  // namespace mlmap::kernels
