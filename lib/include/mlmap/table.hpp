// mlmap/table.hpp — named input columns, numeric or string.
//
// Models whose preprocessing reads string columns (a OneHotEncoder over a
// 'city' column, say) are fed a Table rather than a matrix.  A Table does not
// own the data: it points at arrays the caller keeps alive until the predict
// call returns.  Columns are matched to the model's inputs by name, in any
// order; extra columns are ignored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/error.hpp"

namespace mlmap {

class Table {
 public:
  enum class Kind { float64, float32, string };

  /// What a string cell holds (scikit-learn tells None from NaN in object
  /// columns: an encoder learns None as an ordinary category, an imputer
  /// with missing_values=nan leaves it alone).
  enum class Cell : unsigned char {
    value = 0,  // the string
    nan = 1,    // missing (NaN; an empty CSV field)
    none = 2,   // None: missing for files that do not tell it from NaN
    other = 3,  // neither a string nor None nor NaN (pandas.NA): an unknown
                // category to encoders, refused by imputers
  };

  struct Column {
    std::string name;
    Kind kind = Kind::float64;
    const void* values = nullptr;     // n_rows doubles, floats or string_views
    const bool* missing = nullptr;    // strings: true = missing (NaN); may be null
    const Cell* cells = nullptr;      // strings: what each cell holds; null: `missing` says
  };

  explicit Table(size_t n_rows) : n_rows_(n_rows) {}

  /// NaN means missing.
  [[nodiscard]] Status add_numeric(std::string name, const double* values);
  [[nodiscard]] Status add_numeric(std::string name, const float* values);
  /// `missing` (optional) marks missing cells (None / NaN in pandas).
  [[nodiscard]] Status add_strings(std::string name, const std::string_view* values, const bool* missing = nullptr);
  /// Strings with what each cell holds (`values[i]` is read only for Cell::value).
  [[nodiscard]] Status add_string_cells(std::string name, const std::string_view* values, const Cell* cells);

  size_t n_rows() const noexcept { return n_rows_; }
  const std::vector<Column>& columns() const noexcept { return columns_; }
  /// The column named `name`, or null.
  const Column* find(std::string_view name) const noexcept;

 private:
  Status add(Column c);
  size_t n_rows_;
  std::vector<Column> columns_;
};

}  // namespace mlmap
