// mlmap/store.hpp — a directory of published model versions, and readers that
// follow the current version without a restart.
//
// Layout (FORMAT.md §12):
//   DIR/.mlmap-store              marks the directory as a store
//   DIR/.lock                     publishers, rollback and gc take an exclusive flock
//   DIR/NAME/v000007-<hash>.mlmap one file per version, read-only (0444), never
//                                 modified or truncated once published
//   DIR/NAME/CURRENT              "<version> <file name>\n", replaced by rename
//
// Guarantees: a published file was fully verified before it became visible;
// publishing reads the file (with read(2), never through a mapping, so a
// source that is truncated meanwhile is refused, not a crash) into a
// temporary file of the store, fsyncs it, verifies that copy, renames it into
// place, fsyncs the directory, and only then moves CURRENT; so a crash
// (kill -9) at any point leaves CURRENT naming a complete, valid file, and a
// refused file leaves the store as it was.  Creating a store is safe against
// concurrent creators (the marker is made with O_EXCL).  Readers take no
// lock.  Removing a version (gc) never affects processes that have it mapped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mlmap/error.hpp"
#include "mlmap/model.hpp"

namespace mlmap {

struct VersionInfo {
  uint64_t version = 0;
  std::string path;           // absolute path of the version's file
  std::string content_hash;   // 32 hex digits (the file header's XXH3-128)
  uint64_t size = 0;          // bytes
  int64_t published_unix_ms = 0;
  bool current = false;
};

struct PublishResult {
  VersionInfo version;        // the version that is now current
  bool created = true;        // false: that content was already published
  uint64_t previous = 0;      // the version that was current before (0: none)
};

struct GcResult {
  uint64_t removed_versions = 0;
  uint64_t removed_bytes = 0;
  uint64_t removed_temporaries = 0;
};

class Watch;

class Store {
 public:
  /// Opens the store at `dir`, creating it (and its marker) if `create`.
  [[nodiscard]] static Result<Store> open(const std::string& dir, bool create = true) noexcept;

  const std::string& dir() const noexcept { return dir_; }

  /// Whether `name` can name a model: 1-128 of [A-Za-z0-9._-], not starting
  /// with '.' (invalid_argument naming the rule).  Every verb checks it
  /// first; callers that write before publishing check it themselves.
  [[nodiscard]] static Status check_name(const std::string& name) noexcept;

  /// Copies `file` into the store, verifies the copy fully and makes it
  /// NAME's next version, current.  Content already published is not added
  /// again: that version becomes current (created = false).  With `move`, the
  /// file is renamed into the store instead of copied (same filesystem only;
  /// it is put back if it does not verify).  A source that changes while it is
  /// read gives an error (truncated, checksum_mismatch, ...), never a signal.
  [[nodiscard]] Result<PublishResult> publish(const std::string& name, const std::string& file,
                                              bool move = false) noexcept;

  /// NAME's versions, oldest first.
  [[nodiscard]] Result<std::vector<VersionInfo>> versions(const std::string& name) const noexcept;
  /// Model names in the store, sorted.
  [[nodiscard]] Result<std::vector<std::string>> names() const noexcept;
  /// The current version of NAME.
  [[nodiscard]] Result<VersionInfo> current(const std::string& name) const noexcept;

  /// Makes an existing version current again (after verifying it).
  [[nodiscard]] Status rollback(const std::string& name, uint64_t version) noexcept;

  /// Keeps, for every name, the `keep` newest versions and the current one;
  /// removes the rest and any temporary files left by interrupted publishes.
  [[nodiscard]] Result<GcResult> gc(uint64_t keep) noexcept;

  /// Opens a version (0: the current one).
  [[nodiscard]] Result<Model> load(const std::string& name, uint64_t version = 0,
                                   const OpenOptions& options = {}) const noexcept;

  /// A reader that follows NAME's current version (see Watch).
  [[nodiscard]] Result<std::shared_ptr<Watch>> watch(const std::string& name, int poll_ms = 100) const noexcept;

 private:
  explicit Store(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

/// Follows a name's current version: a background thread notices a new
/// CURRENT within about poll_ms and opens it.  current() is the predict
/// path: one atomic load per call, no lock (a thread takes a short lock only
/// the first time it sees a new version).  The previous model stays mapped
/// until the last copy of it is gone.  Thread-safe.  Its thread stays in
/// the process that made it: a child of fork() keeps the model it had (make a
/// new Watch there to follow the name; dropping the inherited one is safe).
class Watch {
 public:
  ~Watch();
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  /// The current model (a cheap handle copy) and, if `version` is given,
  /// its version number (the two always agree).
  Model current(uint64_t* version = nullptr) const;
  /// Its version number.
  uint64_t version() const noexcept;
  /// Reloads now if CURRENT changed (the background thread does this too).
  [[nodiscard]] Status refresh() noexcept;
  /// The last error the background reload hit ("" if none): the previous
  /// model stays current meanwhile.
  std::string last_error() const;

  struct Impl;

 private:
  friend class Store;
  explicit Watch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlmap
