// POSIX file plumbing shared by the mapping (copy mode), the writer and the
// store: a descriptor that closes itself, whole reads and writes that retry
// short counts and EINTR, directory fsync, and the one message format for an
// operating-system error.  Atomic replace is mlmap::AtomicFile (public,
// mlmap/atomic_file.hpp; implemented in atomic_file.cc beside this).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mlmap/error.hpp"

namespace mlmap::platform {

/// "cannot <what> '<path>': <strerror(err)>" with `code`.
Error os_error(const std::string& what, const std::string& path, int err,
               error_code code = error_code::io_error);

/// Owns one file descriptor and closes it once (on destruction or close()).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Gives up ownership without closing.
  int release() noexcept;
  /// Closes now: 0, or the errno of close(2) (a write error can surface
  /// only there).  The descriptor is gone either way.
  int close() noexcept;

 private:
  int fd_ = -1;
};

/// open(2) with O_CLOEXEC added; io_error "cannot open '<path>': ..." on failure.
[[nodiscard]] Result<UniqueFd> open_fd(const std::string& path, int flags, mode_t mode = 0) noexcept;

/// Reads until `max` bytes or the end of the file; the bytes read.
[[nodiscard]] Result<size_t> read_up_to(int fd, void* dst, size_t max, const std::string& path) noexcept;

/// Reads exactly `size` bytes: truncated if the file ends first (it shrank).
[[nodiscard]] Status read_all(int fd, void* dst, uint64_t size, const std::string& path) noexcept;

/// Writes all of `data`; write_failed naming `path`.
[[nodiscard]] Status write_all(int fd, const void* data, uint64_t size, const std::string& path) noexcept;

/// fsync(2) a directory, so that renames in it survive a crash.
[[nodiscard]] Status sync_dir(const std::string& dir) noexcept;

/// realpath(3) as a string: `path` absolute, links and dots resolved;
/// nullopt when that fails (errno says why: ENOENT for a missing target).
std::optional<std::string> real_path(const std::string& path);

/// The directory of `path`: "." for a bare name, "/" for "/x".
std::string parent_dir(const std::string& path);

/// The process umask, without the race of umask(umask(0)): Linux reports it
/// in /proc/self/status (022 if that cannot be read).
mode_t current_umask() noexcept;

/// Replaces `path` atomically with `contents` (mlmap::AtomicFile): for the
/// store's small files.
[[nodiscard]] Status write_file_atomically(const std::string& path, std::string_view contents, int mode) noexcept;

}  // namespace mlmap::platform
