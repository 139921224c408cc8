// The XGBoost JSON front-end (the public API is mlmap/importers.hpp): JSON
// text to the XgbModel that the converter takes (xgboost_model.hpp).
#pragma once

#include <string_view>

#include "importers/json_text.hpp"
#include "importers/xgboost_model.hpp"
#include "mlmap/error.hpp"
#include "mlmap/importers.hpp"

namespace mlmap::importers {

/// Parses XGBoost JSON `text` into `model`: options.max_input_bytes, then
/// check_json_structure() (options.max_nesting_depth), then one On-Demand
/// walk that reads the fields the converter uses and skips the rest.
/// Errors: import_failed naming the field ("learner.gradient_booster.model.
/// trees[3].left_children[7] = 'x' is not an integer"), out_of_memory.
[[nodiscard]] Status parse_xgboost_json(std::string_view text, const ImportOptions& options, XgbModel& model) noexcept;

}  // namespace mlmap::importers
