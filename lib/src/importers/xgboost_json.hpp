// XGBoost JSON importer internals (the public API is mlmap/importers.hpp).
// Exposed for the unit tests: the pieces that see raw untrusted text.
#pragma once

#include <cstddef>
#include <string_view>

#include "mlmap/error.hpp"

namespace mlmap::importers {

/// One pass over `text` before simdjson sees it: the root is one JSON object
/// followed by nothing but whitespace, brackets balance and nest at most
/// `max_depth` deep, strings end and hold no raw control characters.
/// simdjson's On-Demand parser neither limits nesting nor checks the parts
/// of a document it skips; this does, in O(size) without allocating more
/// than `max_depth` bytes.  Errors: import_failed naming the byte offset.
Status check_json_structure(std::string_view text, size_t max_depth) noexcept;

/// A float32 from one JSON number token, correctly rounded from the decimal
/// text as xgboost parses it (not through double, which could round twice).
/// Accepts xgboost's non-standard `NaN`, `Infinity` and `-Infinity`; values
/// beyond float32's range become +-inf, values below it +-0.  False for
/// anything that is not a number token.
bool parse_float_token(std::string_view token, float& out) noexcept;

/// An integer token (JSON number without fraction or exponent) in int64.
bool parse_int_token(std::string_view token, long long& out) noexcept;

}  // namespace mlmap::importers
