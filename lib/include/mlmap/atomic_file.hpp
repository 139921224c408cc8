// mlmap/atomic_file.hpp — replace a file so that readers see the old file or
// the new one, never a partial one.
//
//   auto out = mlmap::AtomicFile::create("predictions.csv");
//   if (!out) return out.error();
//   auto st = out->write(text);            // as many writes as needed
//   if (st) st = out->commit();             // fsync, rename, fsync the directory
//
// create() makes a temporary file "<path>.tmp-XXXXXX" in the target's
// directory (so the rename stays on one filesystem; a symbolic link's target
// is the target: the link stays a link); commit() fsyncs and
// closes it, lets an optional check inspect it, renames it over the target
// and fsyncs the directory.  Until commit() succeeds the target is untouched;
// an AtomicFile dropped without a successful commit() removes its temporary
// file.  This is how mlmap::save() and the model store write (FORMAT.md §11),
// and how `mlmap predict --output` writes its CSV.  Not thread-safe: one
// writer per object.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mlmap/error.hpp"

namespace mlmap {

class AtomicFile {
 public:
  /// Starts replacing `path`.  The file gets permissions `mode` or, when
  /// `mode` < 0, those of the file it replaces (a new file: 0666 minus the
  /// umask).  A symbolic link is followed: its target is replaced.  Errors:
  /// write_failed (`path` is a directory, a device, FIFO or socket, a
  /// dangling link, or its directory is missing or not writable),
  /// out_of_memory.
  [[nodiscard]] static Result<AtomicFile> create(const std::string& path, int mode = -1) noexcept;

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFile();

  /// Appends bytes to the temporary file.  Errors: write_failed.
  [[nodiscard]] Status write(const void* data, size_t size) noexcept;
  [[nodiscard]] Status write(std::string_view text) noexcept { return write(text.data(), text.size()); }

  /// Inspects the complete temporary file (by its path) before it replaces
  /// the target; an error vetoes the replace.
  using Check = std::function<Status(const std::string& temp_path)>;

  /// Completes the file: fsync and close it, run `check` (if given), rename
  /// it over the target, fsync the directory.  On any failure the temporary
  /// file is removed and the target is untouched.  Call once.  Errors:
  /// write_failed, or the check's error.
  [[nodiscard]] Status commit(const Check& check = nullptr) noexcept;

  /// The target path (a symbolic link's target).
  const std::string& path() const noexcept;

 private:
  struct Impl;
  explicit AtomicFile(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlmap
