// The columns and table of a tree ensemble (FORMAT.md §5).
#pragma once

#include <string>

#include "mlmap/writer.hpp"
#include "writer/file_writer.hpp"

namespace mlmap::writer {

/// Whether a file gets the leaf bit-vector layout (FORMAT.md §5.1.1):
/// when its kernel would beat the walk on AVX-512 (tree_cost.hpp), never
/// (files as a 1.0 writer made them), or whenever the trees allow it.
enum class BitvectorLayout { when_faster, never, always };

[[nodiscard]] Status write_tree_model(const std::string& path, const ModelDescription& description,
                                      const TreeEnsembleBuilder& trees, const PreprocessingSpec* preprocessing,
                                      const CheckFn& check,
                                      BitvectorLayout layout = BitvectorLayout::when_faster) noexcept;

}  // namespace mlmap::writer
