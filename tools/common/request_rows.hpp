// tools/common/request_rows.hpp — rows of model input decoded from a
// prediction request body (the server's POST /predict).
//
// JSON (KServe v1): {"instances": [ROW, ...]} where every ROW is either an
// array of the model's inputs in order or an object keyed by input name.
// Numeric inputs take numbers; null (and the strings "NaN", "nan", "NA", "")
// mean missing.  String inputs take strings; null means missing.  Array rows
// must have exactly n_features values; object rows must name every input
// once and nothing else.
//
// CSV: the rules of `mlmap predict` (csv_rows.hpp).
//
// Decoding never predicts: the rows go into a Batch (batch.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/batch.hpp"
#include "mlmap/info.hpp"

namespace simdjson::dom {
class element;
}

namespace mlmap::tools {

struct DecodeError {
  unsigned status = 400;  // 400 bad input, 413 too many rows or values
  std::string message;
};

struct Limits {
  size_t max_rows = 100000;              // rows per request
  size_t max_values = size_t{16} << 20;  // input cells, and output values, per request
};

/// Decodes a parsed JSON document into `out` (cleared first).  False with
/// `error` set on bad input.
bool decode_json(const simdjson::dom::element& root, const ModelInfo& info, const Limits& limits, Batch& out,
                 DecodeError& error);

/// Decodes a CSV body into `out` (cleared first; string cells are copied).
/// False with `error` set on bad input.
bool decode_csv(std::string_view body, const ModelInfo& info, const Limits& limits, Batch& out, DecodeError& error);

}  // namespace mlmap::tools
