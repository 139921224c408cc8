// A model file whose structure has been checked (FORMAT.md §8, tier a):
// preamble, header checksum, the FlatBuffers Verifier with explicit limits,
// and the bounds, alignment and size of every column.  Costs O(header size +
// number of columns) and never reads column bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "format/dtype.hpp"
#include "format/mapping.hpp"
#include "format/preamble.hpp"
#include "mlmap/error.hpp"
#include "mlmap_generated.h"

namespace mlmap::format {

class FileView {
 public:
  [[nodiscard]] static Result<FileView> check(std::shared_ptr<const Mapping> mapping) noexcept;

  const fb::Header& header() const noexcept { return *header_; }
  const Preamble& preamble() const noexcept { return preamble_; }
  const uint8_t* base() const noexcept { return mapping_->data(); }
  uint64_t size() const noexcept { return mapping_->size(); }
  const std::shared_ptr<const Mapping>& mapping() const noexcept { return mapping_; }

  /// The column at `index` as `count` elements of T; `role` names it in errors
  /// ("trees.node_child").  Checks presence, dtype and element count.
  template <class T>
  [[nodiscard]] Result<const T*> column(int32_t index, uint64_t count, const char* role) const noexcept {
    auto desc = column_desc(index, role, dtype_of<T>::value, count);
    if (!desc) return desc.error();
    return reinterpret_cast<const T*>(base() + (*desc)->offset());
  }

  /// The bytes of UInt8 column `index` (any length): a nested model file.
  [[nodiscard]] Result<std::pair<const uint8_t*, uint64_t>> byte_column(int32_t index, const char* role) const noexcept;

  /// The dtype of column `index`, for columns that may have more than one
  /// (column_mismatch if the reference names no column).
  [[nodiscard]] Result<fb::DType> column_dtype(int32_t index, const char* role) const noexcept;

  /// Tier c: XXH3-64 of every column against the stored checksum.
  [[nodiscard]] Status verify_column_checksums() const noexcept;

 private:
  [[nodiscard]] Result<const fb::Column*> column_desc(int32_t index, const char* role, fb::DType dtype,
                                                      uint64_t count) const noexcept;
  std::shared_ptr<const Mapping> mapping_;
  Preamble preamble_;
  const fb::Header* header_ = nullptr;
};

/// "column 'trees.node_child' (#3)", for messages.
std::string describe_column(const fb::Column& c, uint64_t index);

}  // namespace mlmap::format
