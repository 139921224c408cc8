// The bytes of one model file: read-only mapped (shared page cache) or, on
// request, copied into private memory.  The only unit that touches
// Boost.Interprocess; it never throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mlmap/error.hpp"

namespace mlmap::format {

class Mapping {
 public:
  /// Map `path` read-only, or read it into a 64-byte aligned buffer if `copy`.
  /// Gives io_error / not_a_file / file_too_small with the OS's reason.
  [[nodiscard]] static Result<std::shared_ptr<const Mapping>> open(const std::string& path, bool copy) noexcept;

  /// A private, 64-byte aligned copy of `size` bytes (path "<memory>").
  [[nodiscard]] static Result<std::shared_ptr<const Mapping>> copy_of(const void* data, uint64_t size) noexcept;

  /// Bytes [offset, offset + size) of `parent` as a mapping of their own
  /// (a model file nested in a column, FORMAT.md §7.3); keeps the parent
  /// alive.  The caller checked the range lies inside the parent.
  [[nodiscard]] static Result<std::shared_ptr<const Mapping>> slice(std::shared_ptr<const Mapping> parent,
                                                                    uint64_t offset, uint64_t size) noexcept;

  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  const uint8_t* data() const noexcept { return data_; }
  uint64_t size() const noexcept { return size_; }
  const std::string& path() const noexcept { return path_; }

 private:
  struct Region;
  Mapping() = default;
  std::unique_ptr<Region> region_;
  std::shared_ptr<const Mapping> parent_;  // slices: what owns the bytes
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  std::string path_;
};

}  // namespace mlmap::format
