// tools/common/json_cells.hpp — one model input value read from JSON, the
// same way for every request format (KServe v1 rows, Open Inference Protocol
// tensors): which JSON values a numeric or a string input takes, and how a
// refusal describes what it got.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/batch.hpp"
#include "common/json_reader.hpp"

namespace mlmap::tools {

enum class CellRead {
  ok,
  wrong_type,  // `got` describes the value (consumed): "a string 'abc'", "true", "an array"
  malformed,   // the reader failed: reader.error()
};

/// A numeric input: a number (NaN, Infinity too), null (missing) or one of
/// the missing-value strings ("NaN", "nan", "NA", "").  `token` gets the
/// text of the value for messages ("1e999", "null").
CellRead read_number_cell(JsonReader& reader, double& value, std::string_view& token, std::string& got);

/// A string input: a string, or null (missing: the cell is left missing).
/// Sets the cell of `batch` (a string without escapes points into the body,
/// which must outlive the batch; one with escapes is copied).
CellRead read_string_cell(JsonReader& reader, Batch& batch, size_t row, size_t input, std::string& got);

/// Consumes the next value and describes it for a message.
std::string describe_value(JsonReader& reader);

/// "an array", "an object", "a string", "a number", "true or false", "null".
const char* kind_name(JsonReader::Kind kind);

}  // namespace mlmap::tools
