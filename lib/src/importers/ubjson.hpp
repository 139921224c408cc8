// XGBoost's UBJSON (Booster.save_model("m.ubj"), save_raw("ubj"); written
// by xgboost >= 1.6, the default format from 2.1), the second front-end of
// the XGBoost importer, and what a model file's first bytes say it is.
//
// The UBJSON front-end re-encodes the binary document as JSON text and hands
// it to the JSON front-end (xgboost_json.cc), so both formats share one field
// walk and one converter (xgboost_convert.cc): the documents are the same
// tree of objects, arrays, strings and numbers (xgboost's Json class writes
// both).  The re-encoding is exact: a float32 is written as its shortest
// round-trip decimal (to_chars), which the JSON front-end rounds back to the
// same float32; NaN and infinities as xgboost's own JSON literals.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mlmap/error.hpp"

namespace mlmap::importers {

/// What the first bytes of a file given as an XGBoost model say it is.
enum class XgbFileKind {
  json,    // text whose first non-blank byte is '{' (or anything else: the JSON front-end says why not)
  ubjson,  // '{' followed by a UBJSON key length marker
  other,   // recognisably something else (see describe_other_file)
};

/// JSON, UBJSON or other, from the first bytes only (never fails).  An empty
/// input, text and unrecognised bytes are `json` (the JSON front-end's errors
/// describe them); `other` is only what describe_other_file() names.
XgbFileKind xgboost_file_kind(std::string_view bytes) noexcept;

/// For `other`: what the bytes are (XGBoost's old binary format, a Python
/// pickle, a compressed or zip file, an mlmap file ...) and what to do instead.
std::string describe_other_file(std::string_view bytes);

/// Re-encodes the UBJSON document `bytes` as JSON text into `json`.
/// Accepts what xgboost's UBJReader reads: objects ('{' keys '}', keys as
/// length-prefixed strings), arrays ('[' ... ']', counted '[#', typed
/// '[$T#' of d D i U I l L), strings 'S', numbers d D i U I l L C, Z T F.
/// Checks: every length and count against the bytes left (no allocation
/// beyond what the input can fill), nesting at most `max_depth` (and 512:
/// the reader recurses), the JSON text
/// at most `max_text_bytes`, one document and nothing after it.
/// Errors: import_failed "XGBoost UBJSON: at byte N: ..." naming what was
/// found and expected; out_of_memory.
[[nodiscard]] Status ubjson_to_json(std::string_view bytes, size_t max_depth, size_t max_text_bytes,
                                    std::string& json) noexcept;

}  // namespace mlmap::importers
