// Read-only access to an HDF5 file held in memory (a Keras weights file), over
// libhdf5's C API, loaded at first use (runtime_library.hpp): groups, string
// attributes and float datasets, each read with explicit limits.  libhdf5 is
// not thread-safe in Debian's serial build, so every call here holds one
// process-wide lock, and its error printing is switched off while it does.
// Nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/error.hpp"

namespace mlmap::importers {

/// A numeric dataset read into float64 (exactly for HDF5 floats of 2, 4 or 8
/// bytes; integers as the nearest double).
struct Tensor {
  std::vector<uint64_t> shape;  // empty: a scalar
  std::vector<double> values;   // row-major
  bool float32 = false;         // stored with at most 4 bytes: every value is a float32
};

class Hdf5Image {
 public:
  /// Opens `bytes` (copied) as an HDF5 file; import_failed if it is not one.
  [[nodiscard]] static Result<Hdf5Image> open(std::string_view bytes) noexcept;
  ~Hdf5Image();
  Hdf5Image(Hdf5Image&&) noexcept;
  Hdf5Image& operator=(Hdf5Image&&) noexcept;

  /// Whether `path` names a group.
  bool has_group(const std::string& path) const noexcept;
  /// Whether `path` names a dataset.
  bool has_dataset(const std::string& path) const noexcept;
  /// Whether object `path` has attribute `name`.
  bool has_attribute(const std::string& path, const std::string& name) const noexcept;
  /// The names of the links in group `path`, in name order (at most `limit`).
  [[nodiscard]] Result<std::vector<std::string>> children(const std::string& path, size_t limit) const noexcept;
  /// A string attribute: a scalar string, or a list of strings (fixed-length
  /// or variable-length), of at most `max_bytes` in all.
  [[nodiscard]] Result<std::vector<std::string>> strings(const std::string& path, const std::string& name,
                                                         size_t max_bytes) const noexcept;
  /// A float (or integer) dataset of at most `max_elements` values and rank <= 4.
  [[nodiscard]] Result<Tensor> floats(const std::string& path, uint64_t max_elements) const noexcept;

 private:
  struct State;
  explicit Hdf5Image(std::unique_ptr<State> s) noexcept;
  std::unique_ptr<State> s_;
};

}  // namespace mlmap::importers
