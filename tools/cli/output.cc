#include "output.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace mlmap::cli {

namespace {

Error stream_error(const std::string& name, const char* what) {
  const int err = errno ? errno : EIO;
  return Error(error_code::write_failed, std::string("cannot ") + what + " " + name + ": " + std::strerror(err));
}

}  // namespace

Result<OutputFile> OutputFile::open(const std::string& path) noexcept {
  try {
    if (path.empty() || path == "-") return OutputFile(std::nullopt, stdout, "standard output");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
      errno = 0;
      std::FILE* stream = std::fopen(path.c_str(), "we");
      if (!stream) return stream_error("'" + path + "'", "open");
      return OutputFile(std::nullopt, stream, "'" + path + "'");
    }
    auto file = AtomicFile::create(path);
    if (!file) return file.error();
    return OutputFile(std::move(*file), nullptr, "'" + path + "'");
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening the output");
  }
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : file_(std::move(other.file_)), stream_(other.stream_), name_(std::move(other.name_)) {
  other.stream_ = nullptr;
}

OutputFile::~OutputFile() {
  if (stream_ && stream_ != stdout) std::fclose(stream_);
}

Status OutputFile::write(std::string_view data) noexcept {
  if (file_) return file_->write(data);
  errno = 0;
  if (std::fwrite(data.data(), 1, data.size(), stream_) != data.size()) return stream_error(name_, "write");
  return {};
}

Status OutputFile::commit() noexcept {
  if (file_) return file_->commit();
  errno = 0;
  if (std::fflush(stream_) != 0) return stream_error(name_, "write");
  if (stream_ != stdout) {
    std::FILE* stream = stream_;
    stream_ = nullptr;
    errno = 0;
    if (std::fclose(stream) != 0) return stream_error(name_, "close");
  }
  return {};
}

std::optional<std::string> output_overwrites_input(const std::string& output,
                                                   std::initializer_list<std::string_view> inputs) {
  struct stat out {};
  if (output.empty() || output == "-" || ::stat(output.c_str(), &out) != 0 || !S_ISREG(out.st_mode))
    return std::nullopt;
  for (const std::string_view input : inputs) {
    struct stat in {};
    const std::string path(input);
    if (path.empty() || path == "-" || ::stat(path.c_str(), &in) != 0) continue;
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
      return "the output '" + output + "' is the input '" + path + "': writing it would destroy the input";
  }
  return std::nullopt;
}

}  // namespace mlmap::cli
