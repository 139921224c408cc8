// The error model (mlmap/error.hpp): the ground floor every layer links,
// from the format up to the APIs.
#include "mlmap/error.hpp"

namespace mlmap {

const char* error_name(error_code code) noexcept {
  switch (code) {
    case error_code::ok: return "ok";
    case error_code::invalid_argument: return "invalid_argument";
    case error_code::io_error: return "io_error";
    case error_code::not_a_file: return "not_a_file";
    case error_code::file_too_small: return "file_too_small";
    case error_code::bad_magic: return "bad_magic";
    case error_code::unsupported_version: return "unsupported_version";
    case error_code::truncated: return "truncated";
    case error_code::corrupt_header: return "corrupt_header";
    case error_code::column_out_of_bounds: return "column_out_of_bounds";
    case error_code::column_misaligned: return "column_misaligned";
    case error_code::column_mismatch: return "column_mismatch";
    case error_code::invalid_model: return "invalid_model";
    case error_code::checksum_mismatch: return "checksum_mismatch";
    case error_code::unsupported_model: return "unsupported_model";
    case error_code::feature_count_mismatch: return "feature_count_mismatch";
    case error_code::missing_value: return "missing_value";
    case error_code::limit_exceeded: return "limit_exceeded";
    case error_code::write_failed: return "write_failed";
    case error_code::out_of_memory: return "out_of_memory";
    case error_code::unknown_category: return "unknown_category";
    case error_code::import_failed: return "import_failed";
    case error_code::internal_error: return "internal_error";
  }
  return "unknown_error";
}

std::string Error::describe() const { return std::string(error_name(code_)) + ": " + message_; }

}  // namespace mlmap
