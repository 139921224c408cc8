// mlmap/error.hpp — the library's error model.
//
// No exception crosses mlmap's public API.  Every operation that can fail
// returns a `Status` or a `Result<T>`, both [[nodiscard]]: an `error_code` from
// the pinned list below plus a message that names what was found and what was
// expected ("column 'trees.node_child' ends at byte 9000 but the file has 8192
// bytes").  The numeric values are part of the C API and the file format's
// error catalogue (schema/FORMAT.md §10): they never change; new codes are
// appended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace mlmap {

enum class error_code : int {
  ok = 0,
  invalid_argument = 1,       // API misuse: null pointer, zero width, bad option
  io_error = 2,               // cannot stat, open, read or map the file
  not_a_file = 3,             // a directory, device or other non-regular file
  file_too_small = 4,         // shorter than the 64-byte preamble (e.g. empty)
  bad_magic = 5,              // not an mlmap file
  unsupported_version = 6,    // a newer major format version
  truncated = 7,              // shorter than the preamble says it is
  corrupt_header = 8,         // preamble fields or the FlatBuffer are invalid
  column_out_of_bounds = 9,   // a column lies outside the file or over the header
  column_misaligned = 10,     // a column offset is not a multiple of 64
  column_mismatch = 11,       // a column's dtype, shape or length is not the expected one
  invalid_model = 12,         // semantic check failed (child, feature, depth, classes ...)
  checksum_mismatch = 13,     // header or column bytes differ from their checksum
  unsupported_model = 14,     // valid file, but a model kind this reader cannot run
  feature_count_mismatch = 15,// input width differs from the model's
  missing_value = 16,         // NaN in the input of a model that cannot route it
  limit_exceeded = 17,        // a count or depth above the documented limits
  write_failed = 18,          // creating, writing, syncing or renaming the output failed
  out_of_memory = 19,         // an allocation failed
  unknown_category = 20,      // a category unseen in training where that is an error
  import_failed = 21,         // a foreign model (e.g. XGBoost JSON) is malformed
  internal_error = 22,        // a bug in mlmap; please report it
};

/// Stable lower-case name of a code, e.g. "checksum_mismatch".
const char* error_name(error_code code) noexcept;

class Error {
 public:
  Error() = default;
  Error(error_code code, std::string message) : code_(code), message_(std::move(message)) {}
  error_code code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  /// "<name>: <message>", the form the CLI prints.
  std::string describe() const;

 private:
  error_code code_ = error_code::ok;
  std::string message_;
};

/// Success, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  Status(error_code code, std::string message) : error_(code, std::move(message)) {}
  bool ok() const noexcept { return error_.code() == error_code::ok; }
  explicit operator bool() const noexcept { return ok(); }
  error_code code() const noexcept { return error_.code(); }
  const Error& error() const noexcept { return error_; }
  const std::string& message() const noexcept { return error_.message(); }

 private:
  Error error_;
};

/// A value, or an Error.  Access the value only after checking ok().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}             // NOLINT: implicit by design
  Result(Error error) : error_(std::move(error)) {}         // NOLINT
  Result(Status status) : error_(status.error()) {}         // NOLINT
  Result(error_code code, std::string message) : error_(code, std::move(message)) {}

  bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  error_code code() const noexcept { return error_.code(); }
  const Error& error() const noexcept { return error_; }
  const std::string& message() const noexcept { return error_.message(); }
  Status status() const { return ok() ? Status() : Status(error_); }

  T& value() & noexcept { return *value_; }
  const T& value() const& noexcept { return *value_; }
  T&& value() && noexcept { return std::move(*value_); }
  T& operator*() & noexcept { return *value_; }
  const T& operator*() const& noexcept { return *value_; }
  T* operator->() noexcept { return &*value_; }
  const T* operator->() const noexcept { return &*value_; }

 private:
  std::optional<T> value_;
  Error error_;
};

}  // namespace mlmap
