// mlmap::AtomicFile (mlmap/atomic_file.hpp): the one implementation of
// "write a temporary file, fsync, rename over the target, fsync the
// directory" that the writer, the store and the CLI use.
#include "mlmap/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "platform/posix_file.hpp"

namespace mlmap {

using platform::os_error;

struct AtomicFile::Impl {
  std::string path;
  std::string temp;
  platform::UniqueFd fd;
  bool done = false;  // committed, or failed and cleaned up

  ~Impl() {
    if (done) return;
    fd.close();
    ::unlink(temp.c_str());
  }

  // Removes the temporary file after a failure and passes the error on.
  Status fail(Status s) {
    fd.close();
    ::unlink(temp.c_str());
    done = true;
    return s;
  }
};

AtomicFile::AtomicFile(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
AtomicFile::AtomicFile(AtomicFile&&) noexcept = default;
AtomicFile& AtomicFile::operator=(AtomicFile&&) noexcept = default;
AtomicFile::~AtomicFile() = default;

const std::string& AtomicFile::path() const noexcept { return impl_->path; }

namespace {

// The file a rename should replace: a symbolic link's target (a rename over
// the link would replace the link itself, leaving its target as it was).
Result<std::string> resolve_link(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  auto target = platform::real_path(path);
  if (!target) {
    const int err = errno;
    return Error(error_code::write_failed, "cannot write '" + path + "': it is a symbolic link " +
                                               (err == ENOENT ? std::string("to a file that does not exist")
                                                              : std::string("that cannot be resolved: ") +
                                                                    std::strerror(err)));
  }
  return *target;
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::string& path, int mode) noexcept {
  try {
    auto target = resolve_link(path);
    if (!target) return target.error();
    struct stat st {};
    const bool exists = ::stat(target->c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
      return Error(error_code::write_failed, "cannot write '" + path + "': it is a directory");
    // A device, FIFO or socket is not a file to replace: a rename would put a
    // regular file in place of /dev/null.
    if (exists && !S_ISREG(st.st_mode))
      return Error(error_code::write_failed, "cannot replace '" + path + "': it is not a regular file");
    if (mode < 0)
      mode = exists ? static_cast<int>(st.st_mode & 07777) : static_cast<int>(0666 & ~platform::current_umask());
    auto impl = std::make_unique<Impl>();
    impl->path = std::move(*target);
    impl->temp = impl->path + ".tmp-XXXXXX";
    const int fd = ::mkostemp(impl->temp.data(), O_CLOEXEC);
    if (fd < 0) {
      impl->done = true;  // nothing to remove
      return os_error("create a temporary file in", platform::parent_dir(impl->path), errno, error_code::write_failed);
    }
    impl->fd = platform::UniqueFd(fd);
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0)
      return impl->fail(os_error("chmod", impl->temp, errno, error_code::write_failed)).error();
    return AtomicFile(std::move(impl));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

namespace {

Error finished(const std::string& path) {
  return Error(error_code::invalid_argument, "'" + path + "' was already committed, or an earlier write failed");
}

}  // namespace

Status AtomicFile::write(const void* data, size_t size) noexcept {
  if (impl_->done) return finished(impl_->path);
  auto st = platform::write_all(impl_->fd.get(), data, size, impl_->temp);
  return st ? st : impl_->fail(st);
}

Status AtomicFile::commit(const Check& check) noexcept {
  Impl& f = *impl_;
  if (f.done) return finished(f.path);
  try {
    if (::fsync(f.fd.get()) != 0) return f.fail(os_error("fsync", f.temp, errno, error_code::write_failed));
    if (const int err = f.fd.close()) return f.fail(os_error("close", f.temp, err, error_code::write_failed));
    if (check) {
      auto st = check(f.temp);
      if (!st) return f.fail(st);
    }
    if (::rename(f.temp.c_str(), f.path.c_str()) != 0)
      return f.fail(os_error("rename the temporary file to", f.path, errno, error_code::write_failed));
    f.done = true;
    (void)platform::sync_dir(platform::parent_dir(f.path));  // best effort: the file itself is complete either way
    return {};
  } catch (const std::bad_alloc&) {
    return f.fail(Error(error_code::out_of_memory, "out of memory writing '" + f.path + "'"));
  }
}

}  // namespace mlmap
