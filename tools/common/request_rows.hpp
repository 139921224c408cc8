// tools/common/request_rows.hpp — rows of model input decoded from a
// prediction request body (the server's POST /predict).
//
// JSON (KServe v1): {"instances": [ROW, ...]} where every ROW is either an
// array of the model's inputs in order or an object keyed by input name.
// Numeric inputs take numbers; null, NaN (Python's json.dumps writes it) and
// the strings "NaN", "nan", "NA", "" mean missing.  String inputs take
// strings; null means missing.  Array rows must have exactly n_features
// values; object rows must name every input once and nothing else.  Every
// number passes check_number() (columns.hpp), as CSV cells do.  The body is
// read in one pass by JsonReader straight into the Batch: rows are counted
// and their width checked as they stream, so a bad or oversized body is
// refused at its first bad row, and memory is the body plus the rows kept.
// A member named twice ("instances", or a feature in an object row) is an
// error; other members are ignored.
//
// CSV: the rules of `mlmap predict` (csv_rows.hpp), with the caller's
// HeaderMode.
//
// Decoding never predicts: the rows go into a Batch (batch.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/batch.hpp"
#include "common/columns.hpp"
#include "mlmap/info.hpp"

namespace mlmap::tools {

struct DecodeError {
  unsigned status = 400;  // 400 bad input, 413 too many rows or values
  std::string message;
};

struct Limits {
  size_t max_rows = 100000;              // rows per request
  size_t max_values = size_t{16} << 20;  // input cells, and output values, per request
  size_t max_json_depth = 32;            // nesting of a JSON body
};

/// Decodes a JSON body into `out` (cleared first).  String cells may point
/// into `body`, which must outlive `out`'s use.  False with `error` set on
/// bad input.
bool decode_json(std::string_view body, const ModelInfo& info, const Limits& limits, Batch& out, DecodeError& error);

/// Decodes a CSV body into `out` (cleared first; string cells are copied).
/// False with `error` set on bad input.
bool decode_csv(std::string_view body, const ModelInfo& info, const Limits& limits, HeaderMode header, Batch& out,
                DecodeError& error);

/// The most rows a request may have: max_rows, and max_values / n_features.
size_t row_cap(const ModelInfo& info, const Limits& limits);
/// The 413 message for a request with more than row_cap() rows.
std::string too_many_rows(const ModelInfo& info, const Limits& limits);

}  // namespace mlmap::tools
