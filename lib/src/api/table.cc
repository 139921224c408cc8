#include "mlmap/table.hpp"

namespace mlmap {

Status Table::add(Column c) {
  if (!c.values && n_rows_ > 0)
    return Error(error_code::invalid_argument, "column '" + c.name + "' has no values");
  if (find(c.name)) return Error(error_code::invalid_argument, "column '" + c.name + "' appears twice");
  try {
    columns_.push_back(std::move(c));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory adding a column");
  }
  return {};
}

Status Table::add_numeric(std::string name, const double* values) {
  return add({std::move(name), Kind::float64, values, nullptr, nullptr});
}

Status Table::add_numeric(std::string name, const float* values) {
  return add({std::move(name), Kind::float32, values, nullptr, nullptr});
}

Status Table::add_strings(std::string name, const std::string_view* values, const bool* missing) {
  return add({std::move(name), Kind::string, values, missing, nullptr});
}

Status Table::add_string_cells(std::string name, const std::string_view* values, const Cell* cells) {
  if (!cells && n_rows_ > 0) return Error(error_code::invalid_argument, "column '" + name + "' has no cells");
  return add({std::move(name), Kind::string, values, nullptr, cells});
}

const Table::Column* Table::find(std::string_view name) const noexcept {
  for (const auto& c : columns_)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace mlmap
