// The prediction driver behind every Model::predict overload: splits rows
// over threads and blocks, builds the predictor's features (preprocessing,
// api/features.hpp), runs the predictor, base scores, link and class
// decision.  Inputs come from a matrix (float or double, row-major) or a
// Table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "api/rows.hpp"
#include "mlmap/model.hpp"
#include "model/loaded_model.hpp"

namespace mlmap::api {

/// What to compute: values (width per `output`) into `out`, or class indices
/// into `classes` (then `out` is unused).
template <class Out>
struct Request {
  Out* out = nullptr;
  int64_t* classes = nullptr;
  Output output = Output::value;
  int n_threads = 1;
};

template <class Rows, class Out>
[[nodiscard]] Status run(const model::LoadedModel& m, const Rows& rows, size_t n_rows, const Request<Out>& req) noexcept;

}  // namespace mlmap::api
