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

/// Whether the first CSV record is a header.
enum class HeaderMode {
  detect,   // first_record_is_header() decides
  present,  // the caller says there is one (`--header`, `header=present`)
  absent,   // the caller says there is none: the first record is data
};

/// The detection rule (HeaderMode::detect): the first record is a header when
/// it names every feature of the model (any order, extra columns allowed),
/// when it is exactly 0,1,...,n-1 (what pandas writes for unnamed columns), or
/// when one of its fields that is not a number is a feature's name (a header
/// that lacks some features: reading it as one names them).  Anything else
/// is data: a cell that is not a number is then an error naming its row and
/// column, never a silently skipped line.
bool first_record_is_header(const std::vector<std::string_view>& fields, const ModelInfo& info);

/// Whether `fields` are exactly "0", "1", ..., "n-1" for the model's n features.
bool is_positional_header(const std::vector<std::string_view>& fields, const ModelInfo& info);

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

/// The one rule for a numeric input value, from a CSV cell or a JSON body
/// alike: a NaN is a missing value, refused here when refuses_missing(info)
/// (so that the message names the row and column); an infinity -- also a
/// decimal too large for a double ("1e999") and JSON's Infinity -- is refused
/// unless accepts_infinity(info); every finite number passes.
enum class NumberCheck { ok, missing_refused, infinite_refused };
NumberCheck check_number(double value, const ModelInfo& info);

/// Whether +-infinity may reach the model: the file's own rule
/// (ModelInfo::accepts_infinity, FORMAT.md §3 refuses_infinity), which the
/// library applies again per column.  A model that refuses it in some
/// column has it refused here in every column, early, with the line and
/// column named.
bool accepts_infinity(const ModelInfo& info);

/// The message for a value check_number() refused: "<where> is infinite
/// ('1e999'); this <estimator> takes finite numbers" / "<where> is missing
/// ('NA'), but this <estimator> does not accept missing values".
std::string number_refusal(NumberCheck check, const ModelInfo& info, const std::string& where, std::string_view text);

/// "feature 2 ('petal_len')", or "feature 2" for a model without names.
std::string feature_label(const ModelInfo& info, size_t j);

/// "the model takes 4 features: 'a', 'b', 'c', 'd'" (names: the first 10).
std::string model_takes(const ModelInfo& info);

}  // namespace mlmap::tools
