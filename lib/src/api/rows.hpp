// Input rows as the prediction driver sees them: a row-major matrix (float or
// double) or a Table of named columns, and how they fill the input slots of a
// preprocessing block (model/preprocessing.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mlmap/table.hpp"
#include "model/loaded_model.hpp"

namespace mlmap::api {

/// Rows of a row-major matrix, `width` (the model's n_features) wide.
template <class T>
struct MatrixRows {
  const T* X;
  size_t width;
};

/// Rows of a Table, its columns matched to the model's inputs.
struct TableRows {
  const Table* table;
  std::vector<const Table::Column*> by_input;  // one per model input column
};

/// Matches `table`'s columns to the model's inputs by name.
[[nodiscard]] Result<TableRows> match_table(const model::LoadedModel& m, const Table& table) noexcept;

/// Rows [first, first + b.n_rows) into the block's input slots `inputs`
/// (numeric inputs into numeric slots, string inputs into string slots).
template <class T>
void fill_inputs(const MatrixRows<T>& rows, size_t first, const std::vector<uint32_t>& inputs,
                 const model::prep::Block& b) noexcept;
void fill_inputs(const TableRows& rows, size_t first, const std::vector<uint32_t>& inputs,
                 const model::prep::Block& b) noexcept;

/// A Table's rows [first, first + n) as features, without preprocessing:
/// F[i * n_inputs + c] = column c's value (its columns are all numeric).
void copy_features(const TableRows& rows, size_t first, size_t n, double* F) noexcept;

}  // namespace mlmap::api
