// Kernel machines (libsvm's SVC, NuSVC, SVR, NuSVR, OneClassSVM; FORMAT.md
// §5.4): the view at open, verify(), and the Predictor: kernel values from
// the pairwise kernels, then libsvm's sums per one-vs-one pair.
#pragma once

#include <memory>

#include "format/file_view.hpp"
#include "mlmap/info.hpp"
#include "model/predictor.hpp"

namespace mlmap::model {

[[nodiscard]] Result<std::unique_ptr<Predictor>> make_kernel_predictor(const format::FileView& file,
                                                                       const fb::KernelMachine& k, uint32_t n_features,
                                                                       uint32_t n_raw, KernelSummary* summary) noexcept;

}  // namespace mlmap::model
