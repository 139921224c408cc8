// The columns and table of a tree ensemble (FORMAT.md §5).
#pragma once

#include <string>

#include "mlmap/writer.hpp"
#include "writer/file_writer.hpp"

namespace mlmap::writer {

[[nodiscard]] Status write_tree_model(const std::string& path, const ModelDescription& description,
                                      const TreeEnsembleBuilder& trees, const PreprocessingSpec* preprocessing,
                                      const CheckFn& check) noexcept;

}  // namespace mlmap::writer
