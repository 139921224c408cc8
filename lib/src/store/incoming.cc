#include "store/incoming.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "platform/posix_file.hpp"

namespace mlmap::store {

namespace {

using platform::os_error;

// Copies `from` into the open file `out` (named `to`) with read(2), fsyncs
// it and makes it read-only, as published files are.
Status copy_into(const std::string& from, int out, const std::string& to) {
  auto in = platform::open_fd(from, O_RDONLY);
  if (!in) return in.status();
  struct stat st {};
  if (::fstat(in->get(), &st) == 0 && !S_ISREG(st.st_mode))
    return Error(error_code::not_a_file, "refusing to publish '" + from + "': not a regular file");
  std::vector<char> buf(size_t{1} << 20);
  for (;;) {
    auto n = platform::read_up_to(in->get(), buf.data(), buf.size(), from);
    if (!n) return n.status();
    if (*n == 0) break;
    auto w = platform::write_all(out, buf.data(), *n, to);
    if (!w) return w;
  }
  return {};
}

// Whether `path` lies inside the store (`store_dir` is absolute and
// resolved): a published version there is copied, never moved, which would
// take it away from its name.
bool inside(const std::string& store_dir, const std::string& path) {
  const auto resolved = platform::real_path(path);
  return resolved && resolved->compare(0, store_dir.size() + 1, store_dir + "/") == 0;
}

}  // namespace

Result<Incoming> Incoming::take(const std::string& store_dir, const std::string& source, bool move) noexcept {
  try {
    std::string temp = store_dir + "/.tmp-publish-XXXXXX";
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) return os_error("create a temporary file in", store_dir, errno, error_code::write_failed);
    platform::UniqueFd out(fd);
    struct stat src {};
    if (move && !inside(store_dir, source) && ::stat(source.c_str(), &src) == 0 && S_ISREG(src.st_mode) &&
        ::rename(source.c_str(), temp.c_str()) == 0) {
      Incoming moved(temp, source, true, src.st_mode & 07777);
      if (::chmod(temp.c_str(), 0444) != 0) return os_error("publish", source, errno, error_code::write_failed);
      return moved;
    }
    Incoming copy(temp, source, false);
    auto st = copy_into(source, out.get(), temp);
    if (st && ::fsync(out.get()) != 0) st = os_error("fsync", temp, errno, error_code::write_failed);
    if (st && ::fchmod(out.get(), 0444) != 0) st = os_error("chmod", temp, errno, error_code::write_failed);
    if (st && out.close() != 0) st = os_error("close", temp, errno, error_code::write_failed);
    if (!st) return st.error();
    return copy;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory publishing '" + source + "'");
  }
}

Incoming::Incoming(Incoming&& o) noexcept
    : path_(std::move(o.path_)), source_(std::move(o.source_)), moved_(o.moved_), mode_(o.mode_), done_(o.done_) {
  o.done_ = true;
}

Incoming::~Incoming() {
  if (done_) return;
  if (moved_ && ::rename(path_.c_str(), source_.c_str()) == 0) {
    (void)::chmod(source_.c_str(), static_cast<mode_t>(mode_));
    return;
  }
  (void)::unlink(path_.c_str());
}

Status Incoming::install(const std::string& final_path) noexcept {
  if (::rename(path_.c_str(), final_path.c_str()) != 0) return os_error("publish", final_path, errno, error_code::write_failed);
  done_ = true;
  return {};
}

}  // namespace mlmap::store
