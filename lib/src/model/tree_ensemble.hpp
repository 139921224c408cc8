// Tree ensembles: building the kernel view at open (O(1)), the semantic
// checks of verify() (O(nodes)), and the Predictor over the kernels.
#pragma once

#include <memory>

#include "format/file_view.hpp"
#include "kernels/tree_ensemble_view.hpp"
#include "mlmap/info.hpp"
#include "model/predictor.hpp"

namespace mlmap::model {

/// Checks counts against limits and column lengths and returns the view.
/// `n_features` and `n_raw` come from the enclosing Model table.
[[nodiscard]] Result<kernels::TreeEnsembleView> make_tree_view(const format::FileView& file, const fb::TreeEnsemble& t,
                                                               uint32_t n_features, uint32_t n_raw) noexcept;

/// Every invariant of FORMAT.md §5 that kernels rely on for right answers.
[[nodiscard]] Status verify_tree_view(const kernels::TreeEnsembleView& v) noexcept;

[[nodiscard]] Result<std::unique_ptr<Predictor>> make_tree_predictor(const format::FileView& file,
                                                                     const fb::TreeEnsemble& t, uint32_t n_features,
                                                                     uint32_t n_raw, TreeSummary* summary) noexcept;

}  // namespace mlmap::model
