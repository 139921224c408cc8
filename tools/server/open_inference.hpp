// tools/server/open_inference.hpp — the Open Inference Protocol (KServe v2,
// HTTP/REST) beside the v1 API of service.hpp:
//
//   GET  /v2                                   {"name": "mlmap", "version", "extensions": []}
//   GET  /v2/health/live                       {"live": true} (no model is touched)
//   GET  /v2/health/ready                      {"ready": B}; 400 while not ready (the protocol: 4xx is false)
//   GET  /v2/models/NAME[/versions/V]          model metadata: name, versions, platform,
//                                              inputs and outputs (name, datatype, shape)
//   GET  /v2/models/NAME[/versions/V]/ready    {"name", "ready"}; 400 while not ready
//   POST /v2/models/NAME[/versions/V]/infer    inference
//
// V is the store version; only the current one is served (another: 404).
//
// Inference request {"id"?, "parameters"?, "inputs": [TENSOR, ...],
// "outputs"?: [{"name"}]}, TENSOR = {"name", "shape", "datatype", "data"}:
//   * one tensor per feature, named after it, shape [N] or [N, 1]: numeric
//     features take BOOL, INT*, UINT*, FP16/32/64 data, string features BYTES
//     (JSON strings); or
//   * a single tensor of shape [N, n_features] (any name) of a model without
//     string inputs.
// "data" is row-major, flat or nested as the shape; null (or NaN) is
// missing, with the same number rule as v1 (check_number).
// Response {"model_name", "model_version", "id"?, "outputs": [...]}:
//   classifiers: "label" [N] (BYTES for string classes, else INT64) and, when
//   the model gives probabilities, "probabilities" [N, n_classes] FP64;
//   others: "predictions" [N] or [N, k] FP64.
// "outputs" in the request selects among them.  Errors: {"error": "..."}
// with 400 (bad request), 404 (no such model or version), 413 (limits).
#pragma once

#include <string>
#include <string_view>

#include "service.hpp"

namespace mlmap::server {

/// Answers a request whose path starts with /v2.
Reply open_inference(Service& service, std::string_view method, std::string_view path, std::string& body);

}  // namespace mlmap::server
