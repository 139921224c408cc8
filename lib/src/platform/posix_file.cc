#include "platform/posix_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "mlmap/atomic_file.hpp"

namespace mlmap::platform {

Error os_error(const std::string& what, const std::string& path, int err, error_code code) {
  return Error(code, "cannot " + what + " '" + path + "': " + std::strerror(err));
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() { close(); }

int UniqueFd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

int UniqueFd::close() noexcept {
  if (fd_ < 0) return 0;
  const int rc = ::close(release());
  return rc == 0 ? 0 : errno;
}

Result<UniqueFd> open_fd(const std::string& path, int flags, mode_t mode) noexcept {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return os_error("open", path, errno);
  return UniqueFd(fd);
}

Result<size_t> read_up_to(int fd, void* dst, size_t max, const std::string& path) noexcept {
  auto* p = static_cast<uint8_t*>(dst);
  size_t done = 0;
  while (done < max) {
    const size_t chunk = std::min<size_t>(max - done, size_t{1} << 30);
    const ssize_t n = ::read(fd, p + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("read", path, errno);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status read_all(int fd, void* dst, uint64_t size, const std::string& path) noexcept {
  auto n = read_up_to(fd, dst, static_cast<size_t>(size), path);
  if (!n) return n.error();
  if (*n != size)
    return Error(error_code::truncated, "'" + path + "' shrank while being read (" + std::to_string(*n) + " of " +
                                            std::to_string(size) + " bytes)");
  return {};
}

Status write_all(int fd, const void* data, uint64_t size, const std::string& path) noexcept {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(size, uint64_t{1} << 30));
    const ssize_t n = ::write(fd, p, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return os_error("write", path, n < 0 ? errno : EIO, error_code::write_failed);
    p += n;
    size -= static_cast<uint64_t>(n);
  }
  return {};
}

Status sync_dir(const std::string& dir) noexcept {
  auto fd = open_fd(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error();
  if (::fsync(fd->get()) != 0) return os_error("fsync", dir, errno);
  return {};
}

std::optional<std::string> real_path(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) return std::nullopt;
  std::string resolved(real);
  std::free(real);
  return resolved;
}

std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

mode_t current_umask() noexcept {
  mode_t result = 022;
  if (FILE* f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      unsigned mask;
      if (std::sscanf(line, "Umask: %o", &mask) == 1) {
        result = static_cast<mode_t>(mask);
        break;
      }
    }
    std::fclose(f);
  }
  return result;
}

Status write_file_atomically(const std::string& path, std::string_view contents, int mode) noexcept {
  auto file = AtomicFile::create(path, mode);
  if (!file) return file.status();
  auto st = file->write(contents);
  return st ? file->commit() : st;
}

}  // namespace mlmap::platform
