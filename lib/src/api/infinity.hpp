// Refusing +-inf where the model's source refuses it (ModelInfo::
// accepts_infinity_by_column, from the file's Model.refuses_infinity,
// FORMAT.md §3): one rule for every caller -- the C++ and C APIs, the CLI,
// the server and Python all predict through api::run, which asks here
// first.  The error names the first row holding one and its column.
#pragma once

#include <cstddef>

#include "api/rows.hpp"
#include "mlmap/error.hpp"
#include "model/loaded_model.hpp"

namespace mlmap::api {

/// Whether the model reads its inputs as float32, as scikit-learn's trees
/// do (check_array(dtype=float32) before its finiteness check): then a
/// float64 value past float32's range is infinite to it, and refused where
/// infinities are.
bool reads_float32(const model::LoadedModel& m) noexcept;

/// Rows [first, first + n_rows) of a row-major matrix (the error numbers
/// rows from 0).
template <class T>
[[nodiscard]] Status check_infinity(const model::LoadedModel& m, const MatrixRows<T>& rows, size_t first,
                                    size_t n_rows) noexcept;
/// Rows [first, first + n_rows) of a Table's numeric columns.
[[nodiscard]] Status check_infinity(const model::LoadedModel& m, const TableRows& rows, size_t first,
                                    size_t n_rows) noexcept;

}  // namespace mlmap::api
