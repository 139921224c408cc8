// Recognising what a file that is not an mlmap file is, from its first
// bytes, for the bad_magic message: a Python pickle (or joblib's), a
// compressed stream, a zip archive, HDF5, XGBoost JSON or UBJSON.  Nothing
// is parsed, let alone unpickled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mlmap::format {

/// What the `size` bytes at `data` look like, with advice (e.g. "this is a
/// Python pickle (protocol 4) ..."), or "" when unrecognised.
std::string describe_foreign(const uint8_t* data, size_t size);

/// Whether `data` starts like UBJSON (XGBoost's binary JSON): '{' then a
/// UBJSON length or container marker where JSON text has a quote.
bool looks_like_ubjson(const uint8_t* data, size_t size) noexcept;

}  // namespace mlmap::format
