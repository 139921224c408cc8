// tools/cli/output.hpp — where a command's result goes: standard output or a
// file written atomically (a temporary file in the same directory, renamed
// over the target by commit(); dropped if commit() is never reached, so a
// failed run leaves an existing file untouched).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace mlmap::cli {

class OutputFile {
 public:
  /// `path` "-" (or empty) is standard output.  On failure returns null and
  /// sets `error` to one line.
  static std::unique_ptr<OutputFile> open(const std::string& path, std::string& error);
  ~OutputFile();  // removes the temporary file unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Writes all of `data`; false (with `error`) on failure.
  bool write(std::string_view data, std::string& error);
  /// Flushes; for a file also fsyncs and renames it into place.
  bool commit(std::string& error);

 private:
  OutputFile(int fd, std::string path, std::string temp_path);
  std::string failure(const char* what, int err) const;

  int fd_;
  std::string path_;       // empty for stdout
  std::string temp_path_;  // empty for stdout
  bool committed_ = false;
};

}  // namespace mlmap::cli
