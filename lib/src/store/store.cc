#include "mlmap/store.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <vector>

#include "platform/posix_file.hpp"
#include "store/incoming.hpp"
#include "store/store_files.hpp"

namespace mlmap {

namespace {

using platform::os_error;
using store::VersionFile;

bool exists(const std::string& path, struct stat* st = nullptr) {
  struct stat s {};
  const bool ok = ::stat(path.c_str(), &s) == 0;
  if (st) *st = s;
  return ok;
}

// Temporary files older than this are a crashed writer's leftovers (gc).
constexpr time_t leftover_seconds = 3600;

Error no_such_name(const std::string& name) {
  return Error(error_code::io_error, "the store has no model named '" + name + "'");
}

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return os_error("create the directory", path, errno);
  return {};
}

VersionInfo describe(const std::string& name_dir, const VersionFile& v, uint64_t current) {
  VersionInfo info;
  info.version = v.version;
  info.path = name_dir + "/" + v.file_name;
  info.content_hash = v.hash;
  struct stat st {};
  if (exists(info.path, &st)) {
    info.size = static_cast<uint64_t>(st.st_size);
    info.published_unix_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  }
  info.current = v.version == current;
  return info;
}

// The marker, created once: O_EXCL, so that two processes creating the
// same store at once both succeed (the loser finds it made).
Status create_marker(const std::string& marker) {
  platform::UniqueFd fd(::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) return errno == EEXIST ? Status() : os_error("create", marker, errno, error_code::write_failed);
  static constexpr char text[] = "mlmap store 1\n";
  auto st = platform::write_all(fd.get(), text, sizeof text - 1, marker);
  if (st && ::fsync(fd.get()) != 0) st = os_error("fsync", marker, errno, error_code::write_failed);
  if (st && fd.close() != 0) st = os_error("close", marker, errno, error_code::write_failed);
  return st ? platform::sync_dir(platform::parent_dir(marker)) : st;
}

// Whether a directory without a marker holds only what another process
// creating a store there at this moment may have made.
bool being_created(const std::vector<std::string>& entries) {
  for (const auto& e : entries)
    if (e != store::marker_file && e != store::lock_file) return false;
  return true;
}

}  // namespace

Result<Store> Store::open(const std::string& dir, bool create) noexcept {
  try {
    struct stat st {};
    if (!exists(dir, &st)) {
      if (!create) return Error(error_code::io_error, "store directory '" + dir + "' does not exist");
      auto s = make_dir(dir);
      if (!s) return s.error();
    } else if (!S_ISDIR(st.st_mode)) {
      return Error(error_code::not_a_file, "'" + dir + "' is not a directory");
    }
    const auto resolved = platform::real_path(dir);
    if (!resolved) return os_error("resolve", dir, errno);
    const std::string& abs = *resolved;
    const std::string marker = abs + "/" + store::marker_file;
    if (!exists(marker)) {
      auto entries = store::list_dir(abs);
      if (!entries) return entries.error();
      if (!being_created(*entries) && !exists(marker)) {
        if (!create) return Error(error_code::invalid_argument, "'" + abs + "' is not an mlmap store (no " + store::marker_file + ")");
        return Error(error_code::invalid_argument,
                     "'" + abs + "' is a non-empty directory that is not an mlmap store; refusing to use it");
      }
      if (!exists(marker)) {
        if (!create) return Error(error_code::invalid_argument, "'" + abs + "' is not an mlmap store (no " + store::marker_file + ")");
        auto m = create_marker(marker);
        if (!m) return m.error();
      }
    }
    return Store(abs);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening a store");
  }
}

Status Store::check_name(const std::string& name) noexcept {
  try {
    return store::check_name(name);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory checking a name");
  }
}

Result<PublishResult> Store::publish(const std::string& name, const std::string& file, bool move) noexcept {
  try {
    auto st = store::check_name(name);
    if (!st) return st.error();
    auto lock = store::StoreLock::acquire(dir_);
    if (!lock) return lock.error();
    // The file comes in first (read, not mapped: see incoming.hpp), then that
    // copy is verified: what is verified is what gets published, and a bad
    // file leaves the store as it was.
    auto incoming = store::Incoming::take(dir_, file, move);
    if (!incoming) return Error(incoming.code(), "refusing to publish '" + file + "': " + incoming.message());
    OpenOptions verify;
    verify.verify = true;
    std::string hash;
    {
      auto model = Model::open(incoming->path(), verify);
      if (!model) return Error(model.code(), "refusing to publish '" + file + "': " + model.message());
      hash = model->info().content_hash;
    }

    const std::string name_dir = dir_ + "/" + name;
    st = make_dir(name_dir);
    if (!st) return st.error();
    auto versions = store::list_versions(name_dir);
    if (!versions) return versions.error();
    auto current = store::read_current(name_dir);
    if (!current) return current.error();
    const uint64_t previous = *current ? (*current)->version : 0;

    PublishResult result;
    result.previous = previous;
    for (const auto& v : *versions) {
      if (v.hash != hash) continue;
      // Already published: make it current (if it is not) and stop.
      if (previous != v.version) {
        st = store::write_current(name_dir, v);
        if (!st) return st.error();
      }
      result.created = false;
      result.version = describe(name_dir, v, v.version);
      return result;
    }
    // Above every number given before (HIGHEST: also those gc removed after
    // a rollback), so that a number always means one content.
    auto highest = store::read_highest(name_dir);
    if (!highest) return highest.error();
    const uint64_t last = std::max({versions->empty() ? 0 : versions->back().version, previous, *highest});
    const uint64_t next = last + 1;
    const VersionFile v{next, hash, store::version_file_name(next, hash)};
    st = incoming->install(name_dir + "/" + v.file_name);
    if (st) st = store::write_highest(name_dir, next);
    if (st) st = platform::sync_dir(name_dir);
    if (st) st = platform::sync_dir(dir_);
    if (st) st = store::write_current(name_dir, v);
    if (!st) return st.error();
    result.version = describe(name_dir, v, next);
    return result;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory publishing '" + file + "'");
  }
}

Result<std::vector<VersionInfo>> Store::versions(const std::string& name) const noexcept {
  try {
    auto st = store::check_name(name);
    if (!st) return st.error();
    const std::string name_dir = dir_ + "/" + name;
    if (!exists(name_dir)) return no_such_name(name);
    auto versions = store::list_versions(name_dir);
    if (!versions) return versions.error();
    auto current = store::read_current(name_dir);
    if (!current) return current.error();
    std::vector<VersionInfo> out;
    for (const auto& v : *versions) out.push_back(describe(name_dir, v, *current ? (*current)->version : 0));
    return out;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory listing versions");
  }
}

Result<std::vector<std::string>> Store::names() const noexcept {
  try {
    auto entries = store::list_dir(dir_);
    if (!entries) return entries.error();
    std::vector<std::string> out;
    struct stat st {};
    for (const auto& e : *entries)
      if (store::check_name(e).ok() && exists(dir_ + "/" + e, &st) && S_ISDIR(st.st_mode)) out.push_back(e);
    return out;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory listing names");
  }
}

Result<VersionInfo> Store::current(const std::string& name) const noexcept {
  try {
    auto st = store::check_name(name);
    if (!st) return st.error();
    const std::string name_dir = dir_ + "/" + name;
    auto current = store::read_current(name_dir);
    if (!current) return current.error();
    if (!*current) return Error(error_code::io_error, "the store has no current version of '" + name + "'");
    return describe(name_dir, **current, (*current)->version);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading CURRENT");
  }
}

Status Store::rollback(const std::string& name, uint64_t version) noexcept {
  try {
    auto st = store::check_name(name);
    if (!st) return st;
    auto lock = store::StoreLock::acquire(dir_);
    if (!lock) return lock.error();
    const std::string name_dir = dir_ + "/" + name;
    if (!exists(name_dir)) return no_such_name(name);
    auto versions = store::list_versions(name_dir);
    if (!versions) return versions.error();
    for (const auto& v : *versions) {
      if (v.version != version) continue;
      OpenOptions verify;
      verify.verify = true;
      auto m = Model::open(name_dir + "/" + v.file_name, verify);
      if (!m) return Error(m.code(), "version " + std::to_string(version) + " of '" + name + "' does not verify: " + m.message());
      return store::write_current(name_dir, v);
    }
    return Error(error_code::invalid_argument, "'" + name + "' has no version " + std::to_string(version));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory rolling back");
  }
}

Result<GcResult> Store::gc(uint64_t keep) noexcept {
  try {
    auto lock = store::StoreLock::acquire(dir_);
    if (!lock) return lock.error();
    GcResult result;
    // Holding the lock, no publish is running; but a save may be writing
    // the file it will publish (mlmap.Store.save, outside the lock): only
    // temporaries an hour old are leftovers.
    const auto remove_leftovers = [&](const std::string& dir) -> Status {
      auto entries = store::list_dir(dir);
      if (!entries) return entries.error();
      for (const auto& e : *entries) {
        const std::string path = dir + "/" + e;
        struct stat st {};
        if (e.find(".tmp-") != std::string::npos && ::lstat(path.c_str(), &st) == 0 &&
            ::time(nullptr) - st.st_mtime > leftover_seconds && ::unlink(path.c_str()) == 0)
          ++result.removed_temporaries;
      }
      return {};
    };
    if (auto st = remove_leftovers(dir_); !st) return st.error();
    auto names = this->names();
    if (!names) return names.error();
    for (const auto& name : *names) {
      const std::string name_dir = dir_ + "/" + name;
      if (auto st = remove_leftovers(name_dir); !st) return st.error();
      auto versions = store::list_versions(name_dir);
      if (!versions) return versions.error();
      auto current = store::read_current(name_dir);
      if (!current) return current.error();
      const uint64_t cur = *current ? (*current)->version : 0;
      // CURRENT naming a file that is gone (edited by hand, or damaged):
      // which versions are old is then unknown, so none is removed.
      if (*current && !exists(name_dir + "/" + (*current)->file_name))
        return Error(error_code::io_error, "'" + name + "': CURRENT names " + (*current)->file_name +
                                               ", which does not exist; gc removes nothing until a rollback "
                                               "or a publish makes an existing version current");
      const size_t n = versions->size();
      for (size_t i = 0; i + keep < n; ++i) {
        const auto& v = (*versions)[i];
        if (v.version == cur) continue;
        const std::string path = name_dir + "/" + v.file_name;
        struct stat st {};
        const uint64_t size = exists(path, &st) ? static_cast<uint64_t>(st.st_size) : 0;
        if (::unlink(path.c_str()) == 0) {
          ++result.removed_versions;
          result.removed_bytes += size;
        }
      }
      auto s = platform::sync_dir(name_dir);
      if (!s) return s.error();
    }
    return result;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory collecting garbage");
  }
}

Result<Model> Store::load(const std::string& name, uint64_t version, const OpenOptions& options) const noexcept {
  try {
    auto st = store::check_name(name);
    if (!st) return st.error();
    const std::string name_dir = dir_ + "/" + name;
    if (version == 0) {
      auto c = current(name);
      if (!c) return c.error();
      return Model::open(c->path, options);
    }
    auto versions = store::list_versions(name_dir);
    if (!versions) return versions.error();
    for (const auto& v : *versions)
      if (v.version == version) return Model::open(name_dir + "/" + v.file_name, options);
    return Error(error_code::invalid_argument, "'" + name + "' has no version " + std::to_string(version));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory loading a version");
  }
}

}  // namespace mlmap
