// mlmap/importers.hpp — models from other libraries' own file formats
// (XGBoost JSON, LightGBM text; Keras .keras and .h5).
//
//   std::string json = ...;                    // xgboost: booster.save_model("m.json")
//   auto st = mlmap::convert_xgboost_json(json, "m.mlmap", {});
//   if (!st) std::cerr << st.error().describe() << '\n';
//   std::string text = ...;                    // lightgbm: booster.save_model("model.txt")
//   st = mlmap::convert_lightgbm_text(text, "m.mlmap", {});
//
// The input is untrusted text.  Every count, index and number is checked (size,
// nesting depth, array lengths against the declared counts, child and feature
// indices, cycles, finite values, mlmap's limits of FORMAT.md §9): a malformed
// file gives `import_failed` with a message naming the field, tree and node; a
// well-formed model mlmap cannot represent exactly (gblinear, an objective
// without a known output transform, a categories encoder ...) gives
// `unsupported_model` naming it.  Nothing here throws.  XGBoost's JSON and
// UBJSON are both read (import_xgboost() tells them apart by content).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
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
  /// (xgboost's `iteration_range=(0, iteration_end)`, LightGBM's
  /// `num_iteration`; Booster.predict's default).
  uint64_t iteration_end = 0;
  /// Keep rounds [0, best_iteration + 1) when the model records a
  /// `best_iteration` attribute, as the scikit-learn wrappers' predict does.
  /// Exclusive with iteration_end.  XGBoost only: LightGBM's text format
  /// records no best iteration (its save_model already stops there).
  bool use_best_iteration = false;

  /// LightGBM: the input columns (feature names) that were pandas
  /// categoricals when the model was trained, one per list of the file's
  /// `pandas_categorical` line, in order.  Empty: the categorical features
  /// (`[categorical_feature: ...]`) when they are as many as the lists, else
  /// the import is refused naming the ambiguity.
  std::vector<std::string> pandas_categorical_columns;

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
  /// Steps the model applies to its inputs before the trees (LightGBM's
  /// mapping of pandas categories to codes); none when absent.
  std::optional<PreprocessingSpec> preprocessing = std::nullopt;
};

/// Parses an XGBoost JSON model (Booster.save_model("x.json"), save_raw("json");
/// xgboost 1.x to 3.x, gbtree and dart).  Supported objectives: binary:logistic,
/// binary:logitraw, binary:hinge, multi:softprob, multi:softmax,
/// reg:squarederror, reg:absoluteerror, reg:quantileerror (one output per
/// quantile_alpha), reg:logistic, reg:pseudohubererror, count:poisson,
/// reg:gamma, reg:tweedie, rank:pairwise; multi-target models with one tree per
/// target or with vector leaves (multi_strategy="multi_output_tree").  Refused
/// (unsupported_model, naming the xgboost version): gblinear, other
/// objectives, a recorded categories encoder ('cats', 3.1+).  Given UBJSON or
/// another kind of file it says so (import_failed).
[[nodiscard]] Result<ImportedModel> import_xgboost_json(std::string_view json, const ImportOptions& options = {}) noexcept;

/// import_xgboost_json() then save() to `out_path` (atomic, verified).
[[nodiscard]] Status convert_xgboost_json(std::string_view json, const std::string& out_path,
                                          const ImportOptions& options = {}) noexcept;

/// Parses an XGBoost UBJSON model (Booster.save_model("x.ubj"), save_raw("ubj");
/// xgboost >= 1.6, the default format since 2.1): the same document as the
/// JSON, read with the same checks and limits (max_input_bytes applies to the
/// UBJSON bytes, max_nesting_depth to its containers).  Errors as
/// import_xgboost_json(), prefixed "XGBoost UBJSON: "; encoding errors name
/// the byte offset.
[[nodiscard]] Result<ImportedModel> import_xgboost_ubjson(std::string_view ubjson,
                                                          const ImportOptions& options = {}) noexcept;

/// An XGBoost model file's bytes, JSON or UBJSON, told apart by content (not
/// by file name).  Anything else gives import_failed saying what it is (the
/// old binary format of xgboost < 2.1, a pickle or joblib file, a compressed
/// file, an mlmap file ...) and how to save a readable model.
[[nodiscard]] Result<ImportedModel> import_xgboost(std::string_view bytes, const ImportOptions& options = {}) noexcept;

/// import_xgboost() then save() to `out_path` (atomic, verified).
[[nodiscard]] Status convert_xgboost(std::string_view bytes, const std::string& out_path,
                                     const ImportOptions& options = {}) noexcept;
/// Parses a LightGBM text model (Booster.save_model("model.txt"),
/// model_to_string(); LightGBM 2.x-4.x, gbdt, dart, goss and rf) with the
/// semantics of LightGBM 4.7's own predict (FORMAT.md §6.1): float64
/// thresholds with `x <= threshold`, values with |x| <= 1e-35 read as 0,
/// missing types None / Zero / NaN, categorical bitsets (negative categories
/// and NaN go right), multiclass (num_tree_per_iteration), rf averaging, and
/// the `pandas_categorical` line as a preprocessing step that maps DataFrame
/// categories to LightGBM's codes.  Objectives: binary, cross_entropy,
/// multiclass, multiclassova, regression (not reg_sqrt), regression_l1, huber,
/// fair, quantile, mape, poisson, gamma, tweedie, lambdarank, rank_xendcg and
/// none (a custom objective: raw scores).  Linear trees (`linear_tree=True`)
/// and cross_entropy_lambda are refused (unsupported_model).
[[nodiscard]] Result<ImportedModel> import_lightgbm_text(std::string_view text,
                                                         const ImportOptions& options = {}) noexcept;

/// import_lightgbm_text() then save() to `out_path` (atomic, verified).
[[nodiscard]] Status convert_lightgbm_text(std::string_view text, const std::string& out_path,
                                           const ImportOptions& options = {}) noexcept;

/// Writes an imported model to `path` (atomic, verified).  `inputs`, when
/// given, is a preprocessing program (e.g. a scikit-learn Pipeline's steps)
/// in front of the model, reading `n_inputs` columns named `input_names`
/// (empty or n_inputs names); a model that has its own preprocessing cannot
/// take one (unsupported_model).
[[nodiscard]] Status save_imported(const std::string& path, const ImportedModel& model,
                                   const PreprocessingSpec* inputs = nullptr, size_t n_inputs = 0,
                                   const std::vector<std::string>& input_names = {}) noexcept;

/// A parsed foreign neural network, ready for save().
struct ImportedNetwork {
  ModelDescription description;
  DenseNetworkSpec network;
};

/// Parses a Keras model file: a Keras 3 `.keras` archive or a legacy HDF5
/// `.h5` file (model.save("m.h5"); Keras 2's too), given as its bytes.
/// Sequential models and Functional models that are a chain of InputLayer,
/// Dense (every built-in activation), Activation, ReLU, LeakyReLU, PReLU,
/// ELU, Softmax, BatchNormalization, LayerNormalization, Normalization,
/// Dropout, GaussianNoise, AlphaDropout, GaussianDropout, Flatten and
/// Reshape to a vector (FORMAT.md §6.1 gives the mapping).  A final softmax
/// or sigmoid becomes the link.  With `options.classes` the file is a
/// classifier: the model must output a softmax over one unit per class or
/// a sigmoid over one unit (two classes), else invalid_argument.  Other
/// layers, activations, dtype policies and graphs give unsupported_model
/// naming the layer; a malformed file gives import_failed.  The options
/// iteration_end and use_best_iteration do not apply.
///
/// The weights are read by libhdf5 (Debian's 1.10), which is not hardened
/// against crafted files the way mlmap's own parsers are: convert files
/// from untrusted sources in a sandbox.  Calls are serialised on a lock.
/// libhdf5 and libzip are loaded when the first Keras file is read, not at
/// program start; without them (Debian: libhdf5-103-1, libzip4) the import
/// fails with import_failed saying which to install.
[[nodiscard]] Result<ImportedNetwork> import_keras(std::string_view file, const ImportOptions& options = {}) noexcept;

/// import_keras() then save() to `out_path` (atomic, verified).
[[nodiscard]] Status convert_keras(std::string_view file, const std::string& out_path,
                                   const ImportOptions& options = {}) noexcept;

}  // namespace mlmap
