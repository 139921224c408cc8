#include "api/rows.hpp"

#include <algorithm>
#include <cstring>

#include "kernels/transpose_kernels.hpp"

namespace mlmap::api {

Result<TableRows> match_table(const model::LoadedModel& m, const Table& table) noexcept {
  try {
    const auto& names = m.info.feature_names;
    if (names.empty())
      return Error(error_code::invalid_argument, "this model has no feature names to match table columns against; "
                                                 "pass a matrix instead");
    TableRows rows{&table, {}};
    std::string missing;
    for (size_t c = 0; c < names.size(); ++c) {
      const Table::Column* col = table.find(names[c]);
      if (!col) {
        missing += (missing.empty() ? "'" : ", '") + names[c] + "'";
        continue;
      }
      const bool wants_string = m.info.string_inputs[c];
      if (wants_string != (col->kind == Table::Kind::string))
        return Error(error_code::invalid_argument, "column '" + names[c] + "' must be " +
                                                       (wants_string ? "a string column" : "numeric"));
      rows.by_input.push_back(col);
    }
    if (!missing.empty())
      return Error(error_code::feature_count_mismatch, "the table lacks the model's input columns " + missing);
    return rows;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory matching table columns");
  }
}

template <class T>
void fill_inputs(const MatrixRows<T>& rows, size_t first, const std::vector<uint32_t>& inputs,
                 const model::prep::Block& b) noexcept {
  kernels::rows_to_columns(rows.X + first * rows.width, rows.width, inputs.data(), inputs.size(), b.n_rows, b.numeric,
                           b.stride);
}

template void fill_inputs(const MatrixRows<float>&, size_t, const std::vector<uint32_t>&,
                          const model::prep::Block&) noexcept;
template void fill_inputs(const MatrixRows<double>&, size_t, const std::vector<uint32_t>&,
                          const model::prep::Block&) noexcept;

void fill_inputs(const TableRows& rows, size_t first, const std::vector<uint32_t>& inputs,
                 const model::prep::Block& b) noexcept {
  const size_t n = b.n_rows;
  for (uint32_t c : inputs) {
    const Table::Column& col = *rows.by_input[c];
    switch (col.kind) {
      case Table::Kind::float64:
        std::memcpy(b.column(c), static_cast<const double*>(col.values) + first, n * sizeof(double));
        break;
      case Table::Kind::float32: {
        const float* v = static_cast<const float*>(col.values) + first;
        double* dst = b.column(c);
        for (size_t i = 0; i < n; ++i) dst[i] = v[i];
        break;
      }
      case Table::Kind::string: {
        const auto* v = static_cast<const std::string_view*>(col.values) + first;
        model::prep::StringCell* dst = b.string_column(c);
        using Missing = model::prep::StringCell::Missing;
        if (col.cells) {
          static_assert(int(Table::Cell::value) == int(Missing::no) && int(Table::Cell::nan) == int(Missing::nan) &&
                        int(Table::Cell::none) == int(Missing::none) && int(Table::Cell::other) == int(Missing::other));
          const Table::Cell* cell = col.cells + first;
          for (size_t i = 0; i < n; ++i) {
            const auto c = static_cast<unsigned char>(cell[i]);
            dst[i] = {c == 0 ? v[i] : std::string_view(), c <= 3 ? static_cast<Missing>(c) : Missing::other};
          }
        } else {
          for (size_t i = 0; i < n; ++i)
            dst[i] = {v[i], col.missing && col.missing[first + i] ? Missing::nan : Missing::no};
        }
        break;
      }
    }
  }
}

void copy_features(const TableRows& rows, size_t first, size_t n, double* F) noexcept {
  const size_t w = rows.by_input.size();
  for (size_t c = 0; c < w; ++c) {
    const Table::Column& col = *rows.by_input[c];
    if (col.kind == Table::Kind::float64) {
      const double* v = static_cast<const double*>(col.values) + first;
      for (size_t i = 0; i < n; ++i) F[i * w + c] = v[i];
    } else if (col.kind == Table::Kind::float32) {
      const float* v = static_cast<const float*>(col.values) + first;
      for (size_t i = 0; i < n; ++i) F[i * w + c] = v[i];
    }
  }
}

}  // namespace mlmap::api
