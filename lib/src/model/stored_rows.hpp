// Matrices of stored rows in blocks of 8 (FORMAT.md §5.3): the view at open
// and the checks of verify(), shared by neighbours and kernel machines.
#pragma once

#include <cstddef>
#include <cstdint>

#include "format/file_view.hpp"
#include "kernels/pairwise_view.hpp"

namespace mlmap::model {

/// The Float64 or Float32 column `index` as `n_rows` rows of `n_features`
/// in blocks of 8 (shape [ceil(n_rows / 8), n_features, 8]); n_rows within
/// [1, limits::max_samples].  `float32_ok`: whether Float32 is allowed.
[[nodiscard]] Result<kernels::RowBlocksView> stored_rows(const format::FileView& file, int32_t index, uint64_t n_rows,
                                                         uint32_t n_features, const char* role,
                                                         bool float32_ok = true) noexcept;

/// Every stored value finite and every padding lane 0 (tier b).
[[nodiscard]] Status verify_stored_rows(const kernels::RowBlocksView& rows, const char* role) noexcept;

/// x / its L2 norm, the norm summed in order (sklearn's normalize: a zero
/// norm leaves the row).
void normalize_row(double* x, size_t n) noexcept;

}  // namespace mlmap::model
