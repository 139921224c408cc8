// mlmap/importers.hpp — models from other libraries' own file formats.
//
//   std::string json = ...;                    // xgboost: booster.save_model("m.json")
//   auto st = mlmap::convert_xgboost_json(json, "m.mlmap", {});
//   if (!st) std::cerr << st.error().describe() << '\n';
//
// The input is untrusted text.  Every count, index and number is checked (size,
// nesting depth, array lengths against the declared counts, child and feature
// indices, cycles, finite values, mlmap's limits of FORMAT.md §9): a malformed
// file gives `import_failed` with a message naming the field, tree and node; a
// well-formed model mlmap cannot represent exactly (gblinear, an objective
// without a known output transform, vector leaves ...) gives
// `unsupported_model` naming it.  Nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlmap/error.hpp"
#include "mlmap/info.hpp"
#include "mlmap/writer.hpp"

namespace mlmap {

struct ImportOptions {
  /// Larger inputs are refused (import_failed) before parsing.
  size_t max_input_bytes = size_t{1} << 30;
  /// Deeper JSON nesting is refused (an XGBoost model nests about 8 deep).
  size_t max_nesting_depth = 64;

  /// Boosting rounds to keep: rounds [0, iteration_end); 0 keeps them all
  /// (xgboost's `iteration_range=(0, iteration_end)`; Booster.predict's default).
  uint64_t iteration_end = 0;
  /// Keep rounds [0, best_iteration + 1) when the model records a
  /// `best_iteration` attribute, as the scikit-learn wrappers' predict does.
  /// Exclusive with iteration_end.
  bool use_best_iteration = false;

  /// Written to the file; empty values take the defaults named.
  std::string estimator;                    // default "xgboost.Booster"
  std::vector<std::string> feature_names;   // default learner.feature_names
  ClassLabels classes;                      // classification only; default 0 .. n_classes-1
  Provenance provenance;                    // default source "xgboost" + the JSON's "version"
  std::vector<std::pair<std::string, std::string>> metadata;  // added to the importer's own keys
};

/// A parsed foreign model, ready for save().
struct ImportedModel {
  ModelDescription description;
  TreeEnsembleBuilder trees;
};

/// Parses an XGBoost JSON model (Booster.save_model("x.json"), save_raw("json");
/// xgboost 1.x, gbtree and dart).  Supported objectives: binary:logistic,
/// binary:logitraw, multi:softprob, multi:softmax, reg:squarederror,
/// reg:logistic, reg:pseudohubererror, count:poisson, reg:gamma, reg:tweedie,
/// rank:pairwise.
[[nodiscard]] Result<ImportedModel> import_xgboost_json(std::string_view json, const ImportOptions& options = {}) noexcept;

/// import_xgboost_json() then save() to `out_path` (atomic, verified).
[[nodiscard]] Status convert_xgboost_json(std::string_view json, const std::string& out_path,
                                          const ImportOptions& options = {}) noexcept;

}  // namespace mlmap
