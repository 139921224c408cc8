// Stored rows in the block layout the pairwise kernels read (FORMAT.md
// §5.3): blocks of 8 rows by feature, zero lanes past the last row.
#pragma once

#include <vector>

#include "mlmap/writer.hpp"

namespace mlmap::writer {

/// `rows` in blocks of 8 (shape [ceil(n_rows / 8), n_features, 8]), as T;
/// `normalize`: each row divided by its L2 norm first (cosine).  Throws
/// std::bad_alloc.
template <class T>
std::vector<T> to_row_blocks(const SampleRows& rows, bool normalize = false);

/// Whether `rows` is usable: one of the pointers set, sizes > 0.
[[nodiscard]] Status check_rows(const SampleRows& rows, const char* what) noexcept;

}  // namespace mlmap::writer
