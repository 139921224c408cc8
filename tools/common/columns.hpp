// tools/common/columns.hpp — which input column feeds each model feature,
// and how messages name features.  The one home of the rules the CLI and
// the server share for tabular input (CSV files and bodies).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/info.hpp"

namespace mlmap::tools {

/// Whether the first CSV record is a header: always for a model that reads
/// string columns, otherwise when ANY field is not a number (a missing-value
/// token counts as a number).
bool first_record_is_header(const std::vector<std::string_view>& fields, const ModelInfo& info);

/// Maps the model's features to the columns of `header` by name, in any
/// order (extra columns are ignored): source[j] is the column of feature j.
/// False with `error` ("<where>: the header lacks the model's feature column
/// 'f3'", "... has column 'a' more than once") otherwise.
bool match_header(const std::vector<std::string_view>& header, const ModelInfo& info, const std::string& where,
                  std::vector<size_t>& source, std::string& error);

/// Whether a NaN input is refused before it reaches the model, so that the
/// message can name the line and column: the model has no preprocessing
/// (which might impute it) and its predictor does not route it.
bool refuses_missing(const ModelInfo& info);

/// "feature 2 ('petal_len')", or "feature 2" for a model without names.
std::string feature_label(const ModelInfo& info, size_t j);

/// "the model takes 4 features: 'a', 'b', 'c', 'd'" (names: the first 10).
std::string model_takes(const ModelInfo& info);

}  // namespace mlmap::tools
