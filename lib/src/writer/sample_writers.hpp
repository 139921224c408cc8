// The columns and tables of k-nearest neighbours, kernel machines and naive
// Bayes (FORMAT.md §5.3-5.5).
#pragma once

#include <string>

#include "mlmap/writer.hpp"
#include "writer/file_writer.hpp"

namespace mlmap::writer {

[[nodiscard]] Status write_neighbors_model(const std::string& path, const ModelDescription& description,
                                           const NeighborsSpec& spec, const PreprocessingSpec* preprocessing,
                                           const CheckFn& check) noexcept;

[[nodiscard]] Status write_kernel_model(const std::string& path, const ModelDescription& description,
                                        const KernelMachineSpec& spec, const PreprocessingSpec* preprocessing,
                                        const CheckFn& check) noexcept;

[[nodiscard]] Status write_naive_bayes_model(const std::string& path, const ModelDescription& description,
                                             const NaiveBayesSpec& spec, const PreprocessingSpec* preprocessing,
                                             const CheckFn& check) noexcept;

}  // namespace mlmap::writer
