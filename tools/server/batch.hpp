// tools/server/batch.hpp — rows of model input decoded from a request body.
//
// JSON (KServe v1): {"instances": [ROW, ...]} where every ROW is either an
// array of the model's inputs in order or an object keyed by input name.
// Numeric inputs take numbers; null (and the strings "NaN", "nan", "NA", "")
// mean missing.  String inputs take strings; null means missing.  Array rows
// must have exactly n_features values; object rows must name every input
// once and nothing else.
//
// CSV: the rules of `mlmap predict` (tools/cli/feature_reader.hpp): the first
// record is a header when any of its fields is not a number; with a header
// and a model that knows its feature names, columns are matched by name (any
// order, extra columns ignored); otherwise columns are positional and there
// must be exactly n_features.  Models with string inputs need the header
// (their first record is always the header).  Empty fields, NA and nan are
// missing.
//
// Decoding never predicts: a Batch is a matrix (numeric models) or a set of
// named columns for the Table API (models with string inputs).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/info.hpp"
#include "mlmap/table.hpp"

namespace simdjson::dom {
class element;
}

namespace mlmap::server {

struct DecodeError {
  unsigned status = 400;  // 400 bad input, 413 too many rows or values
  std::string message;
};

struct Limits {
  size_t max_rows = 100000;                 // rows per request
  size_t max_values = size_t{16} << 20;     // input cells, and output values, per request
};

class Batch {
 public:
  size_t n_rows = 0;
  bool use_table = false;            // the model has string inputs
  std::vector<double> matrix;        // !use_table: n_rows x n_features, row-major
  // use_table: per model input, a numeric column or a string column.
  std::vector<std::vector<double>> numeric;
  std::vector<std::vector<std::string_view>> strings;
  std::vector<std::vector<char>> missing;   // string columns: 1 = missing
  std::deque<std::string> text;             // owned string cells (CSV)

  /// Adds the columns to `table` (valid while this Batch is alive and
  /// unchanged).  False with `error` set if the model has no feature names.
  bool make_table(const ModelInfo& info, Table& table, std::string& error);

 private:
  std::vector<std::unique_ptr<bool[]>> missing_flags_;  // bool copies of `missing` for the Table
};

/// Whether the model reads any string input (then it needs the Table API).
bool has_string_inputs(const ModelInfo& info);

/// Decodes a parsed JSON document.  False with `error` set on bad input.
bool decode_json(const simdjson::dom::element& root, const ModelInfo& info, const Limits& limits, Batch& out,
                 DecodeError& error);

/// Decodes a CSV body.  False with `error` set on bad input.
bool decode_csv(std::string_view body, const ModelInfo& info, const Limits& limits, Batch& out, DecodeError& error);

}  // namespace mlmap::server
