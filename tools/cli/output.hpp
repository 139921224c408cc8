// tools/cli/output.hpp — where a command's result goes: standard output, a
// file replaced atomically (mlmap::AtomicFile: a temporary file in the same
// directory, renamed over the target by commit(); dropped if commit() is
// never reached, so a failed run leaves an existing file untouched), or,
// when the path names something that is not a regular file (/dev/stdout, a
// FIFO, a terminal, /dev/null), that thing written through as a shell
// redirection would.
#pragma once

#include <cstdio>
#include <initializer_list>
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

  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  /// Writes all of `data`.
  [[nodiscard]] Status write(std::string_view data) noexcept;
  /// Flushes; a file is also fsynced and renamed into place.
  [[nodiscard]] Status commit() noexcept;

 private:
  OutputFile(std::optional<AtomicFile> file, std::FILE* stream, std::string name)
      : file_(std::move(file)), stream_(stream), name_(std::move(name)) {}
  std::optional<AtomicFile> file_;  // a regular file, replaced at commit()
  std::FILE* stream_ = nullptr;     // otherwise: stdout, or a stream this object opened and closes
  std::string name_;                // for errors: "standard output" or the path
};

/// The message when `output` is the same file as one of `inputs` (by device
/// and inode, so links and other spellings count; "-" and paths that do not
/// exist never match), naming which: writing it would destroy that input.
std::optional<std::string> output_overwrites_input(const std::string& output,
                                                   std::initializer_list<std::string_view> inputs);

}  // namespace mlmap::cli
