// The files of a store (FORMAT.md §12): names, version file names, the
// CURRENT pointer and the publishers' lock.  Durable writes go through
// mlmap::AtomicFile and platform/posix_file.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mlmap/error.hpp"
#include "platform/posix_file.hpp"

namespace mlmap::store {

constexpr const char* marker_file = ".mlmap-store";
constexpr const char* lock_file = ".lock";
constexpr const char* current_file = "CURRENT";
constexpr const char* highest_file = "HIGHEST";

/// Model names: 1-128 of [A-Za-z0-9._-], not starting with '.'.
[[nodiscard]] Status check_name(const std::string& name);

/// "v000007-<hash>.mlmap"
std::string version_file_name(uint64_t version, const std::string& hash);

struct VersionFile {
  uint64_t version;
  std::string hash;
  std::string file_name;
};
/// Parses a version file name; nullopt for anything else.
std::optional<VersionFile> parse_version_file(const std::string& file_name);

/// The version files in a name's directory, oldest first.
[[nodiscard]] Result<std::vector<VersionFile>> list_versions(const std::string& name_dir);

/// CURRENT's version and file name; nullopt if there is no CURRENT yet.
[[nodiscard]] Result<std::optional<VersionFile>> read_current(const std::string& name_dir);
/// Replaces CURRENT atomically (temporary file, fsync, rename, fsync dir).
[[nodiscard]] Status write_current(const std::string& name_dir, const VersionFile& v);

/// The highest version number a name ever had (HIGHEST; 0 if there is no
/// such file yet), so that numbers are never given twice, also after gc
/// removed the versions above a rollback's.
[[nodiscard]] Result<uint64_t> read_highest(const std::string& name_dir);
/// Replaces HIGHEST atomically.
[[nodiscard]] Status write_highest(const std::string& name_dir, uint64_t version);

/// An exclusive flock on the store's lock file, held for its lifetime.
class StoreLock {
 public:
  [[nodiscard]] static Result<StoreLock> acquire(const std::string& store_dir);

 private:
  explicit StoreLock(platform::UniqueFd fd) : fd_(std::move(fd)) {}
  platform::UniqueFd fd_;  // closing it releases the flock
};

/// Names of the entries of a directory (no "." or "..").
[[nodiscard]] Result<std::vector<std::string>> list_dir(const std::string& dir);

}  // namespace mlmap::store
