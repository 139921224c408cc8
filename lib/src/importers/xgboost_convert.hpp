// The second half of every XGBoost import: an XgbModel, whatever file format
// it was parsed from, checked and turned into mlmap's description and trees.
#pragma once

#include "importers/xgboost_model.hpp"
#include "mlmap/error.hpp"
#include "mlmap/importers.hpp"

namespace mlmap::importers {

/// Checks `model` completely (see xgboost_model.hpp for what the front-end
/// already guaranteed) and converts it.  Errors: import_failed (malformed:
/// missing fields, counts that disagree, bad indices ...), unsupported_model
/// (well-formed but not representable: gblinear, an unknown objective, vector
/// leaves ...), invalid_argument (options that contradict the model),
/// out_of_memory.
[[nodiscard]] Result<ImportedModel> convert_xgboost_model(const XgbModel& model, const ImportOptions& options) noexcept;

}  // namespace mlmap::importers
