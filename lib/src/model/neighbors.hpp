// k-nearest neighbours (FORMAT.md §5.3): the view at open, verify(), and the
// Predictor: distances from the pairwise kernels, sklearn's selection of the
// k nearest (neighbor_selection.hpp), then votes or averaged targets.
#pragma once

#include <memory>

#include "format/file_view.hpp"
#include "mlmap/info.hpp"
#include "model/link.hpp"
#include "model/predictor.hpp"

namespace mlmap::model {

/// `n_features`: the predictor's input width; `link`: the model's (n_raw is
/// the number of classes of a classifier, or of targets of a regressor).
[[nodiscard]] Result<std::unique_ptr<Predictor>> make_neighbors_predictor(const format::FileView& file,
                                                                          const fb::Neighbors& n, uint32_t n_features,
                                                                          const LinkSpec& link, Task task,
                                                                          NeighborsSummary* summary) noexcept;

}  // namespace mlmap::model
