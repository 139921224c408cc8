// tools/cli/output.hpp — where a command's result goes: standard output, or
// a file replaced atomically (mlmap::AtomicFile: a temporary file in the same
// directory, renamed over the target by commit(); dropped if commit() is
// never reached, so a failed run leaves an existing file untouched).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mlmap/atomic_file.hpp"
#include "mlmap/error.hpp"

namespace mlmap::cli {

class OutputFile {
 public:
  /// `path` "-" (or empty) is standard output.  Errors: write_failed.
  [[nodiscard]] static Result<OutputFile> open(const std::string& path) noexcept;

  /// Writes all of `data`.
  [[nodiscard]] Status write(std::string_view data) noexcept;
  /// Flushes; a file is also fsynced and renamed into place.
  [[nodiscard]] Status commit() noexcept;

 private:
  explicit OutputFile(std::optional<AtomicFile> file) : file_(std::move(file)) {}
  std::optional<AtomicFile> file_;  // empty: standard output
};

}  // namespace mlmap::cli
