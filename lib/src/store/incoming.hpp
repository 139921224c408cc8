// A file on its way into a store (FORMAT.md §12): the source is copied with
// read(2) -- never mapped, so a source that shrinks meanwhile gives a short
// copy that fails verification instead of SIGBUS -- or moved, into a
// read-only temporary file ".tmp-publish-XXXXXX" at the top of the store.
// Publishing verifies that temporary file (nobody else writes it: it is
// created under the store lock) and renames it to its version's name; a file
// that is not kept is removed again, or put back where it came from if it was
// moved.  Leftovers of a crash are removed by gc.
#pragma once

#include <string>

#include "mlmap/error.hpp"

namespace mlmap::store {

class Incoming {
 public:
  /// Copies (or, with `move`, renames when `source` is on the store's
  /// filesystem, else copies) `source` into a temporary file of `store_dir`.
  [[nodiscard]] static Result<Incoming> take(const std::string& store_dir, const std::string& source, bool move) noexcept;

  Incoming(Incoming&& other) noexcept;
  Incoming& operator=(Incoming&&) = delete;
  Incoming(const Incoming&) = delete;
  Incoming& operator=(const Incoming&) = delete;
  /// Removes the temporary file (a moved one goes back to its source path).
  ~Incoming();

  /// The temporary file.
  const std::string& path() const noexcept { return path_; }
  /// Renames the temporary file to `final_path` (same filesystem).
  [[nodiscard]] Status install(const std::string& final_path) noexcept;

 private:
  Incoming(std::string path, std::string source, bool moved, unsigned mode = 0)
      : path_(std::move(path)), source_(std::move(source)), moved_(moved), mode_(mode) {}
  std::string path_;
  std::string source_;
  bool moved_ = false;
  unsigned mode_ = 0;  // a moved file's permissions, restored when it goes back
  bool done_ = false;
};

}  // namespace mlmap::store
