// The XGBoost UBJSON front-end (the public API is mlmap/importers.hpp):
// UBJSON bytes to the XgbModel that the converter takes (xgboost_model.hpp).
#pragma once

#include <string_view>

#include "importers/xgboost_model.hpp"
#include "mlmap/error.hpp"
#include "mlmap/importers.hpp"

namespace mlmap::importers {

/// Parses XGBoost UBJSON `bytes` into `model` (model.source "XGBoost UBJSON"):
/// options.max_input_bytes, then ubjson_to_json() (options.max_nesting_depth),
/// then parse_xgboost_json() on that text.  Errors: import_failed, prefixed
/// "XGBoost UBJSON: ", naming the byte offset (encoding) or the field
/// (content); out_of_memory.
[[nodiscard]] Status parse_xgboost_ubjson(std::string_view bytes, const ImportOptions& options, XgbModel& model) noexcept;

}  // namespace mlmap::importers
