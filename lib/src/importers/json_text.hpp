// Raw JSON text, before simdjson's On-Demand parser sees it (the XGBoost
// JSON importer's first stage), and the number tokens the parser hands back
// as text.  Exposed for the unit tests: these are the pieces that see
// untrusted bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/quote_text.hpp"
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

/// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?;
/// `integer` tells whether it has neither fraction nor exponent.
bool number_syntax(std::string_view token, bool& integer) noexcept;

/// `text` without JSON whitespace at either end.
std::string_view trim(std::string_view text) noexcept;

/// Text from the file for a message (core/quote_text.hpp).
using core::quote_text;

}  // namespace mlmap::importers
