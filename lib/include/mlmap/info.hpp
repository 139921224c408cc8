// mlmap/info.hpp — what a model file says about itself.
//
// Everything here is copied out of the file's header when the model is opened
// (a few KB at most), so a ModelInfo stays valid after the Model is gone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlmap {

struct FormatVersion {
  uint16_t major = 0;
  uint16_t minor = 0;
};

enum class Task { regression, classification, ranking };

/// "regression", "classification" or "ranking".
const char* task_name(Task task) noexcept;

/// Who wrote the file and from what (informational only).
struct Provenance {
  std::string producer;          // "mlmap"
  std::string producer_version;  // mlmap version that wrote the file
  std::string source_library;    // e.g. "scikit-learn"
  std::string source_version;    // e.g. "1.2.1"
  std::string numpy_version;
  std::string python_version;
  int64_t created_unix_ms = 0;
};

/// Class labels of a classifier: integers or strings, in output order.
struct ClassLabels {
  enum class Kind { none, integers, strings };
  Kind kind = Kind::none;
  std::vector<int64_t> integers;
  std::vector<std::string> strings;

  size_t size() const noexcept { return kind == Kind::integers ? integers.size() : strings.size(); }
  /// Label i as text (integers in decimal); "" when i is out of range.
  std::string to_string(size_t i) const;
};

/// Summary of a tree ensemble (zero for other predictors).
struct TreeSummary {
  uint64_t n_trees = 0;
  uint64_t n_nodes = 0;
  uint64_t n_leaves = 0;
  uint32_t max_depth = 0;
  uint32_t leaf_width = 0;
  bool has_categorical = false;
  uint32_t threshold_bits = 32;  // 32: inputs compare as float32; 64: as float64
};

/// Summary of a dense network (linear models: one layer).
struct DenseSummary {
  uint32_t n_layers = 0;
  uint64_t n_weights = 0;
};

/// Summary of the preprocessing steps in front of the predictor.
struct PreprocessingSummary {
  size_t n_steps = 0;
  size_t n_predictor_features = 0;   // the predictor's input width
  bool needs_strings = false;        // some input column is a string column
  std::vector<std::string> step_kinds;  // e.g. "standardize", "one_hot"
};

struct ModelInfo {
  FormatVersion format;
  Provenance provenance;
  std::vector<std::pair<std::string, std::string>> metadata;  // sorted by key
  std::string estimator;       // e.g. "sklearn.ensemble.RandomForestClassifier"
  std::string predictor;       // e.g. "tree_ensemble"
  std::string link;            // e.g. "identity", "logistic", "softmax"
  double link_scale = 1.0;
  std::string class_decision;  // "argmax_outputs", "argmax_raw", "raw_nonnegative"
  std::vector<double> base_score;  // empty, or one per raw score
  Task task = Task::regression;
  size_t n_features = 0;
  size_t n_outputs = 0;        // probabilities (classification) or targets
  size_t n_raw = 0;            // raw scores (decision_function width)
  bool accepts_missing = false;// NaN in the input is routed, not refused
  std::vector<std::string> feature_names;  // empty when unknown
  ClassLabels classes;
  TreeSummary trees;
  DenseSummary dense;
  PreprocessingSummary preprocessing;
  std::vector<bool> string_inputs;  // per input column: true for string columns
  uint64_t file_size = 0;
  uint64_t header_size = 0;
  uint64_t n_columns = 0;
  std::string content_hash;    // XXH3-128 of the header, 32 hex digits
};

}  // namespace mlmap
