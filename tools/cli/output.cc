#include "output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mlmap::cli {

namespace {

Error stdout_error() {
  const int err = errno ? errno : EIO;
  return Error(error_code::write_failed, std::string("cannot write standard output: ") + std::strerror(err));
}

}  // namespace

Result<OutputFile> OutputFile::open(const std::string& path) noexcept {
  if (path.empty() || path == "-") return OutputFile(std::nullopt);
  auto file = AtomicFile::create(path);
  if (!file) return file.error();
  return OutputFile(std::move(*file));
}

Status OutputFile::write(std::string_view data) noexcept {
  if (file_) return file_->write(data);
  errno = 0;
  if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size()) return stdout_error();
  return {};
}

Status OutputFile::commit() noexcept {
  if (file_) return file_->commit();
  errno = 0;
  if (std::fflush(stdout) != 0) return stdout_error();
  return {};
}

}  // namespace mlmap::cli
