// The prediction driver behind every Model::predict overload: splits rows
// over threads and blocks, runs the preprocessing (if any), the predictor,
// base scores, link and class decision.  Inputs come from a matrix (float or
// double, row-major) or a Table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mlmap/model.hpp"
#include "mlmap/table.hpp"
#include "model/loaded_model.hpp"

namespace mlmap::api {

/// Rows of a row-major matrix, n_inputs wide.
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

/// What to compute: values (width per `output`) into `out`, or class indices
/// into `classes` (then `out` is unused).
template <class Out>
struct Request {
  Out* out = nullptr;
  int64_t* classes = nullptr;
  Output output = Output::value;
  int n_threads = 1;
};

template <class Rows, class Out>
[[nodiscard]] Status run(const model::LoadedModel& m, const Rows& rows, size_t n_rows, const Request<Out>& req) noexcept;

}  // namespace mlmap::api
