// The columns and table of a dense network (FORMAT.md §5.2).
#pragma once

#include <string>

#include "mlmap/writer.hpp"
#include "writer/file_writer.hpp"

namespace mlmap::writer {

[[nodiscard]] Status write_dense_model(const std::string& path, const ModelDescription& description,
                                       const DenseNetworkSpec& network, const PreprocessingSpec* preprocessing,
                                       const CheckFn& check) noexcept;

}  // namespace mlmap::writer
