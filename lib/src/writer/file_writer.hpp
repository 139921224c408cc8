// Writes a model file: columns laid out at 64-byte boundaries after the
// header, per-column and header checksums, and an atomic replace of the
// target.  Predictor-specific code supplies the columns and the predictor
// table; everything else in the header comes from the ModelDescription.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "format/dtype.hpp"
#include "mlmap/atomic_file.hpp"
#include "mlmap/error.hpp"
#include "mlmap/writer.hpp"
#include "mlmap_generated.h"

namespace mlmap::writer {

struct ColumnInput {
  std::string name;
  fb::DType dtype;
  std::vector<uint64_t> shape;
  const void* data;
  uint64_t bytes;
};

/// The columns of one file, in order; add() returns the index to store in
/// the predictor table.  The data must outlive the write.
class ColumnSet {
 public:
  template <class T>
  int32_t add(std::string name, const std::vector<T>& v, std::vector<uint64_t> shape = {}) {
    return add(std::move(name), v.data(), v.size(), std::move(shape));
  }
  template <class T>
  int32_t add(std::string name, const T* data, uint64_t count, std::vector<uint64_t> shape = {}) {
    if (shape.empty()) shape = {count};
    columns_.push_back({std::move(name), format::dtype_of<T>::value, std::move(shape), data, count * sizeof(T)});
    return static_cast<int32_t>(columns_.size() - 1);
  }
  const std::vector<ColumnInput>& columns() const noexcept { return columns_; }

 private:
  std::vector<ColumnInput> columns_;
};

/// Builds the predictor union member; called more than once, must be pure.
using PredictorTableFn =
    std::function<std::pair<fb::Predictor, flatbuffers::Offset<void>>(flatbuffers::FlatBufferBuilder&)>;

/// Inspects the complete temporary file before it replaces the target.
using CheckFn = AtomicFile::Check;

/// Writes the file atomically; `preprocessing` (optional) goes into the
/// header; `check` (optional) may veto the file.
[[nodiscard]] Status write_model_file(const std::string& path, const ModelDescription& description,
                                      const ColumnSet& columns, uint32_t n_raw, const PredictorTableFn& predictor,
                                      const PreprocessingSpec* preprocessing = nullptr,
                                      const CheckFn& check = nullptr) noexcept;

}  // namespace mlmap::writer
