// Raw scores -> outputs (FORMAT.md §6), and the class decision.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mlmap/info.hpp"

namespace mlmap::model {

struct LinkSpec {
  LinkFunction link = LinkFunction::identity;
  double scale = 1.0;
  size_t n_raw = 1;
  size_t n_outputs = 1;
  ClassDecision decision = ClassDecision::argmax_outputs;
};

/// Whether `n_raw` raw scores can map to `n_outputs` outputs under `link`.
bool link_shape_ok(LinkFunction link, bool classification, size_t n_raw, size_t n_outputs) noexcept;

/// Rows [0, n_rows): raw[n_rows * n_raw] -> out[n_rows * n_outputs].  (Hard:
/// from the class decision.)  The block's exponentials go through one
/// vectorised call, which gives the same bits on every kernel
/// (kernels/exp_kernels.hpp).
void apply_link(const LinkSpec& spec, const double* raw, size_t n_rows, double* out) noexcept;

/// One row: the predicted class index from raw scores and outputs.
int64_t decide_class(const LinkSpec& spec, const double* raw, const double* out) noexcept;

}  // namespace mlmap::model
