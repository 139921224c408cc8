// Transposes between row-major rows and the slot columns of a preprocessing
// block (column s of a block: base + s * stride, rows [0, n) contiguous):
// the input rows go in, the predictor's features come out.  Pure data
// movement (float widens to double exactly), so every kernel gives the
// scalar reference's bits; the ISA kernels move square tiles through
// registers (2x2, 4x4, 8x8 doubles) where the scalar one moves a value at a
// time (tests/unit/test_column_kernels.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlmap::kernels {

/// F[i * pw + positions[k]] = base[slots[k] * stride + i] for i < n,
/// k < count (positions null: k; else increasing, each < pw).
void columns_to_rows(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                     size_t count, size_t pw, size_t n, double* F) noexcept;

/// base[cols[k] * stride + i] = X[i * width + cols[k]] for i < n, k < n_cols;
/// cols increasing, each < width.
void rows_to_columns(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                     size_t stride) noexcept;
void rows_to_columns(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n, double* base,
                     size_t stride) noexcept;

/// The scalar reference and one kernel per ISA (transpose_<isa>.cc).
void columns_to_rows_scalar(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                      size_t count, size_t pw, size_t n, double* F) noexcept;
void rows_to_columns_scalar(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;
void rows_to_columns_scalar(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;
void columns_to_rows_sse4_2(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                      size_t count, size_t pw, size_t n, double* F) noexcept;
void rows_to_columns_sse4_2(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;
void rows_to_columns_sse4_2(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;
void columns_to_rows_avx2(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                      size_t count, size_t pw, size_t n, double* F) noexcept;
void rows_to_columns_avx2(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;
void rows_to_columns_avx2(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;
void columns_to_rows_avx512bw(const double* base, size_t stride, const uint32_t* slots, const uint32_t* positions,
                      size_t count, size_t pw, size_t n, double* F) noexcept;
void rows_to_columns_avx512bw(const float* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;
void rows_to_columns_avx512bw(const double* X, size_t width, const uint32_t* cols, size_t n_cols, size_t n,
                      double* base, size_t stride) noexcept;

}  // namespace mlmap::kernels
