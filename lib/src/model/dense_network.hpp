// Dense networks (linear models are one layer): the view at open, the
// finite-weights check of verify(), and the Predictor over the kernels.
#pragma once

#include <memory>

#include "format/file_view.hpp"
#include "mlmap/info.hpp"
#include "model/predictor.hpp"

namespace mlmap::model {

/// `n_features`: the predictor's input width; `n_raw`: the model's raw scores.
[[nodiscard]] Result<std::unique_ptr<Predictor>> make_dense_predictor(const format::FileView& file,
                                                                      const fb::DenseNetwork& net, uint32_t n_features,
                                                                      uint32_t n_raw, DenseSummary* summary) noexcept;

}  // namespace mlmap::model
