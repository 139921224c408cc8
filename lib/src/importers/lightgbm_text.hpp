// LightGBM text model importer internals (the public API is mlmap/importers.hpp).
//
// Three stages, each on untrusted text:
//   1. parse (lightgbm_parse.cc): the text as LightGBM's GBDT::LoadModelFromString
//      and Tree::Tree(const char*) read it -- a "tree" line, header key=value
//      lines, "Tree=i" blocks of key=value lines, "end of trees", then the
//      parameters section and the `pandas_categorical:` line the Python
//      package appends.  Values stay views into the text, with their line
//      numbers for messages; nothing is converted yet;
//   2. trees (lightgbm_trees.cc): each tree's arrays parsed with the counts its
//      num_leaves / num_cat declare, its structure checked, and its nodes
//      rewritten for mlmap's node encoding (lightgbm_trees.cc says how);
//   3. model (lightgbm_model.cc): objective, shape, rounds and feature names
//      become the ModelDescription; the pandas categories (lightgbm_pandas.cc)
//      a preprocessing step.
// Exposed here for the unit tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlmap/error.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/writer.hpp"

#define MLMAP_IMPORT_TRY(expr)       \
  do {                               \
    ::mlmap::Status st_ = (expr);    \
    if (!st_.ok()) return st_;       \
  } while (0)

namespace mlmap::importers::lightgbm {

/// A value in the text and the (1-based) line it is on.
struct Field {
  std::string_view key;
  std::string_view value;
  size_t line = 0;
};

/// key=value lines of one section, in order; keys are unique.
struct Fields {
  std::vector<Field> items;
  const Field* find(std::string_view key) const noexcept;
};

struct RawTree {
  size_t line = 0;  // the "Tree=i" line
  Fields fields;
};

struct RawModel {
  Fields header;                  // before the first tree
  std::vector<RawTree> trees;
  Fields parameters;              // "[key: value]" lines of "parameters:"
  const Field* pandas_categorical = nullptr;  // into `extra`, when present
  Fields extra;                   // the pandas_categorical line
  size_t n_lines = 0;
};

/// Stage 1: splits `text` into its sections.  Errors: import_failed naming
/// the line.
Status parse_text(std::string_view text, size_t max_trees, RawModel& out);

/// A double from one token as LightGBM writes them ("{:.17g}": decimal,
/// optional exponent, "inf", "-inf", "nan"), correctly rounded as LightGBM's
/// reader (fast_double_parser) rounds it.  False for anything else, and for
/// numbers beyond double's range.
bool parse_double(std::string_view token, double& out) noexcept;

/// A decimal integer token (optional '-').
bool parse_integer(std::string_view token, long long& out) noexcept;

/// Text from the file for a message: quoted, control bytes escaped, cut short
/// (json_text.hpp's quote_text, the one rule for both importers).
std::string quote(std::string_view s, size_t max = 48);

/// Space-separated tokens of a value (runs of spaces count as one).
std::vector<std::string_view> tokens(std::string_view value);

/// import_failed "LightGBM text: <message>".
Error failed(const std::string& message);
/// unsupported_model "LightGBM model: <message>".
Error unsupported(const std::string& message);

/// LightGBM's kZeroThreshold (1e-35f widened to double): inputs with
/// |x| <= it are read as 0, and the Zero missing type routes them.
inline const double zero_threshold = static_cast<double>(1e-35f);

/// The `pandas_categorical` line (if any, and not null) as Ordinal steps in
/// front of the trees, reading the columns it belongs to (named by
/// options.pandas_categorical_columns among `names`, else the file's
/// categorical features, see lightgbm_pandas.cc); sets `coded` for them.
/// `infos` are the file's feature_infos, `file_names` its feature names.
Status pandas_step(const RawModel& m, const std::vector<std::string>& names, const std::vector<std::string>& file_names,
                   const std::vector<std::string_view>& infos, const ImportOptions& options,
                   std::optional<PreprocessingSpec>& program, std::vector<bool>& coded);

/// How one tree's nodes are rewritten.
struct TreeContext {
  size_t n_features = 0;
  /// Per feature: its values reach the trees as integer codes or NaN (a
  /// pandas categorical mapped by the preprocessing step), so categorical
  /// splits need no care for fractional inputs.
  const std::vector<bool>* coded = nullptr;
  /// What the rewriting may still emit: the model's budget (64 x its source
  /// nodes + 4096) minus what earlier trees used.  Decreased by each tree.
  uint64_t* node_budget = nullptr;
  /// The model's category sets (deduplicated across trees): words -> builder
  /// index, and builder index -> words.
  std::map<std::vector<uint32_t>, uint32_t>* sets = nullptr;
  std::vector<std::vector<uint32_t>>* set_words = nullptr;
};

/// Checks tree `index` and, when `builder` is not null, adds it (rewritten
/// for mlmap's nodes) with `options`.  Errors name the tree, its line and
/// the field.
Status convert_tree(const RawTree& tree, size_t index, const TreeContext& context, TreeEnsembleBuilder* builder,
                    const TreeOptions& options);

}  // namespace mlmap::importers::lightgbm
