// Tree ensemble kernels: one scalar reference and, later, one per ISA, behind
// a single dispatch point.
#pragma once

#include <cstddef>

#include "kernels/tree_ensemble_view.hpp"

namespace mlmap::kernels {

/// Adds every tree's leaf row for rows [0, n_rows) of row-major X
/// (n_features wide) into raw (n_raw wide per row).  The dispatching entry.
/// float X needs a float32-threshold model, double X a float64 one.
void accumulate_trees(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept;

/// The scalar reference every other kernel is tested against.
void accumulate_trees_scalar(const TreeEnsembleView& v, const float* X, size_t n_rows, double* raw) noexcept;
void accumulate_trees_scalar(const TreeEnsembleView& v, const double* X, size_t n_rows, double* raw) noexcept;

}  // namespace mlmap::kernels
