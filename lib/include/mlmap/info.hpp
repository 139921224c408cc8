// mlmap/info.hpp — what a model file says about itself, and the names of
// every enum of the API.
//
// Everything in a ModelInfo is copied out of the file's header when the model
// is opened (a few KB at most), so a ModelInfo stays valid after the Model is
// gone.  write_json_members() / to_json() is its one serialisation:
// `mlmap inspect --json`, the server's GET /model and Python's Model.info()
// all give it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlmap {

class ValueWriter;

struct FormatVersion {
  uint16_t major = 0;
  uint16_t minor = 0;
};

// --- names -----------------------------------------------------------------
//
// Each enum of the API has ONE table of names, EnumNames<E>::table: the
// spelling FORMAT.md, `mlmap inspect`, the server and the Python binding all
// use.  Values the file stores carry the numbers the schema (mlmap.fbs) gives
// them; lib/src/format/schema_enums.hpp ties each one to the generated enum
// with static_asserts.

template <class E>
struct EnumName {
  E value;
  const char* name;
};

/// EnumNames<E>::table lists every value of E with its name; specialised
/// below, and in writer.hpp and model.hpp for theirs.
template <class E>
struct EnumNames;

/// The name of `value`, or "unknown" for a value outside its table.
template <class E>
constexpr const char* enum_name(E value) noexcept {
  for (const auto& e : EnumNames<E>::table)
    if (e.value == value) return e.name;
  return "unknown";
}

/// Sets `out` to the value named `name`; false (`out` unchanged) if E has no
/// such name.
template <class E>
constexpr bool parse_enum(std::string_view name, E& out) noexcept {
  for (const auto& e : EnumNames<E>::table)
    if (name == e.name) {
      out = e.value;
      return true;
    }
  return false;
}

/// "a, b, c": the names of E, for messages.
template <class E>
std::string enum_name_list() {
  std::string s;
  for (const auto& e : EnumNames<E>::table) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

/// What a model predicts (schema Task).  Outlier detectors (IsolationForest,
/// OneClassSVM) give an anomaly score per row (sklearn's score_samples: the
/// lower, the more abnormal), a decision value (score minus the detector's
/// offset: negative means outlier) and a class among [-1, 1] (outlier,
/// inlier).
enum class Task { regression = 0, classification = 1, ranking = 2, outlier_detection = 3 /* format 1.1 */ };
template <>
struct EnumNames<Task> {
  static constexpr EnumName<Task> table[] = {{Task::regression, "regression"},
                                             {Task::classification, "classification"},
                                             {Task::ranking, "ranking"},
                                             {Task::outlier_detection, "outlier_detection"}};
};

/// enum_name(task).
const char* task_name(Task task) noexcept;

/// Raw scores -> outputs; see FORMAT.md §6 (schema Link).
enum class LinkFunction {
  identity = 0,
  logistic = 1,
  softmax = 2,
  exp = 3,
  logistic_ovr = 4,
  hard = 5,
  modified_huber = 6,
  logistic_each = 7,      // format 1.1: K raw -> sigmoid each (LightGBM multiclassova)
  normalize = 8,          // format 1.1: votes -> their share of the row's sum (k-nearest neighbours)
  pairwise_coupling = 9,  // format 1.1: one-vs-one SVM decision values -> probabilities (libsvm)
  isolation = 10,         // format 1.1: -2^(-link_scale * raw): IsolationForest's anomaly score
  normalize_nan = 11,     // format 1.1: normalize, but a zero sum gives NaN (numpy's 0 / 0)
};
template <>
struct EnumNames<LinkFunction> {
  static constexpr EnumName<LinkFunction> table[] = {
      {LinkFunction::identity, "identity"},         {LinkFunction::logistic, "logistic"},
      {LinkFunction::softmax, "softmax"},           {LinkFunction::exp, "exp"},
      {LinkFunction::logistic_ovr, "logistic_ovr"}, {LinkFunction::hard, "hard"},
      {LinkFunction::modified_huber, "modified_huber"}, {LinkFunction::logistic_each, "logistic_each"},
      {LinkFunction::normalize, "normalize"},       {LinkFunction::pairwise_coupling, "pairwise_coupling"},
      {LinkFunction::isolation, "isolation"},       {LinkFunction::normalize_nan, "normalize_nan"}};
};

/// How a classifier picks its class; see FORMAT.md §6 (schema ClassDecision).
enum class ClassDecision {
  argmax_outputs = 0,   // the largest probability (first of equals)
  argmax_raw = 1,       // the largest raw score; one raw score: raw > 0
  raw_nonnegative = 2,  // one raw score: raw >= 0
  // format 1.1:
  ovo_votes = 3,             // one-vs-one pairs vote (raw > 0: the first class); most votes wins
  argmax_decision = 4,       // the largest decision value (first of equals)
  decision_nonnegative = 5,  // one decision value: class 1 iff >= 0 (IsolationForest)
  decision_positive = 6,     // one decision value: class 1 iff > 0 (OneClassSVM)
  argmax_raw_last = 7,       // the largest of >= 2 raw scores, the last of equals (OneVsRestClassifier)
  argmax_outputs_per_group = 8,  // multi-output: per output group (ModelInfo::output_groups), the
                                 // largest probability (first of equals)
};
template <>
struct EnumNames<ClassDecision> {
  static constexpr EnumName<ClassDecision> table[] = {{ClassDecision::argmax_outputs, "argmax_outputs"},
                                                      {ClassDecision::argmax_raw, "argmax_raw"},
                                                      {ClassDecision::raw_nonnegative, "raw_nonnegative"},
                                                      {ClassDecision::ovo_votes, "ovo_votes"},
                                                      {ClassDecision::argmax_decision, "argmax_decision"},
                                                      {ClassDecision::decision_nonnegative, "decision_nonnegative"},
                                                      {ClassDecision::decision_positive, "decision_positive"},
                                                      {ClassDecision::argmax_raw_last, "argmax_raw_last"},
                                                      {ClassDecision::argmax_outputs_per_group,
                                                       "argmax_outputs_per_group"}};
};

/// What Output::decision (sklearn's decision_function) is; see FORMAT.md §6
/// (schema DecisionFunction, format 1.1).
enum class DecisionFunction {
  raw = 0,                  // the raw scores
  ovo_to_ovr = 1,           // one-vs-one raw scores -> one value per class (sklearn's
                            // _ovr_decision_function, SVC's decision_function_shape='ovr')
  output_minus_offset = 2,  // outputs - decision_offset (outlier detectors)
  trailing_features = 3,    // the predictor's last decision_features features (program slots)
};
template <>
struct EnumNames<DecisionFunction> {
  static constexpr EnumName<DecisionFunction> table[] = {{DecisionFunction::raw, "raw"},
                                                         {DecisionFunction::ovo_to_ovr, "ovo_to_ovr"},
                                                         {DecisionFunction::output_minus_offset, "output_minus_offset"},
                                                         {DecisionFunction::trailing_features, "trailing_features"}};
};

/// The kind of predictor behind a model.  Derived, not stored: the schema's
/// DenseNetwork of one layer is reported as `linear`.
enum class PredictorKind { tree_ensemble = 0, linear = 1, dense_network = 2, neighbors = 3, kernel_machine = 4,
                           naive_bayes = 5 };
template <>
struct EnumNames<PredictorKind> {
  static constexpr EnumName<PredictorKind> table[] = {
      {PredictorKind::tree_ensemble, "tree_ensemble"},   {PredictorKind::linear, "linear"},
      {PredictorKind::dense_network, "dense_network"},   {PredictorKind::neighbors, "neighbors"},
      {PredictorKind::kernel_machine, "kernel_machine"}, {PredictorKind::naive_bayes, "naive_bayes"}};
};

/// Distances of k-nearest neighbours (schema Metric; sklearn's spellings).
enum class Metric { euclidean = 0, squared_euclidean = 1, manhattan = 2, chebyshev = 3, minkowski = 4, cosine = 5 };
template <>
struct EnumNames<Metric> {
  static constexpr EnumName<Metric> table[] = {{Metric::euclidean, "euclidean"}, {Metric::squared_euclidean, "sqeuclidean"},
                                               {Metric::manhattan, "manhattan"}, {Metric::chebyshev, "chebyshev"},
                                               {Metric::minkowski, "minkowski"}, {Metric::cosine, "cosine"}};
};

/// How k-nearest neighbours weigh their votes (schema NeighborWeights).
enum class NeighborWeights { uniform = 0, distance = 1 };
template <>
struct EnumNames<NeighborWeights> {
  static constexpr EnumName<NeighborWeights> table[] = {{NeighborWeights::uniform, "uniform"},
                                                        {NeighborWeights::distance, "distance"}};
};

/// Kernels of kernel machines (schema Kernel; sklearn's spellings).
enum class Kernel { linear = 0, polynomial = 1, rbf = 2, sigmoid = 3 };
template <>
struct EnumNames<Kernel> {
  static constexpr EnumName<Kernel> table[] = {
      {Kernel::linear, "linear"}, {Kernel::polynomial, "poly"}, {Kernel::rbf, "rbf"}, {Kernel::sigmoid, "sigmoid"}};
};

/// Naive Bayes variants that are not a linear layer (schema NaiveBayesKind).
enum class NaiveBayesKind { gaussian = 0, bernoulli = 1, categorical = 2 };
template <>
struct EnumNames<NaiveBayesKind> {
  static constexpr EnumName<NaiveBayesKind> table[] = {{NaiveBayesKind::gaussian, "gaussian"},
                                                       {NaiveBayesKind::bernoulli, "bernoulli"},
                                                       {NaiveBayesKind::categorical, "categorical"}};
};

/// How a batch evaluates a tree ensemble.  Not stored: `automatic` (the
/// default) lets a cost model choose, per model and batch, between walking the
/// nodes and the leaf bit-vector layout (FORMAT.md §5.1.1; used only where the
/// file has it and a SIMD kernel runs); a few rows take the complete-tree
/// layout (§5.1.2) on AVX-512 where the file has it.  The environment variable
/// MLMAP_TREE_ALGORITHM, read at the first prediction, forces `walk` (the
/// nodes only, no layout) or `bitvectors` for tests and benchmarks (another
/// value is ignored).  Results are the same bits either way.
enum class TreeAlgorithm { automatic = 0, walk = 1, bitvectors = 2 };
template <>
struct EnumNames<TreeAlgorithm> {
  static constexpr EnumName<TreeAlgorithm> table[] = {
      {TreeAlgorithm::automatic, "automatic"}, {TreeAlgorithm::walk, "walk"}, {TreeAlgorithm::bitvectors, "bitvectors"}};
};

/// How a tree ensemble's leaf values combine (schema Aggregation).
enum class Aggregation { sum = 0, mean = 1 };
template <>
struct EnumNames<Aggregation> {
  static constexpr EnumName<Aggregation> table[] = {{Aggregation::sum, "sum"}, {Aggregation::mean, "mean"}};
};

/// Activations of dense-network layers (schema Activation, FORMAT.md §5.2).
/// leaky_relu is what a writer stores for a relu with parameters (slope,
/// threshold, max value): a reader that predates them refuses it.
enum class Activation {
  identity = 0, relu = 1, tanh = 2, logistic = 3, elu = 4, selu = 5, gelu = 6, gelu_tanh = 7, silu = 8,
  hard_sigmoid = 9, softplus = 10, softsign = 11, softmax = 12, exponential = 13, prelu = 14, leaky_relu = 15
};
template <>
struct EnumNames<Activation> {
  static constexpr EnumName<Activation> table[] = {
      {Activation::identity, "identity"},       {Activation::relu, "relu"},
      {Activation::tanh, "tanh"},               {Activation::logistic, "logistic"},
      {Activation::elu, "elu"},                 {Activation::selu, "selu"},
      {Activation::gelu, "gelu"},               {Activation::gelu_tanh, "gelu_tanh"},
      {Activation::silu, "silu"},               {Activation::hard_sigmoid, "hard_sigmoid"},
      {Activation::softplus, "softplus"},       {Activation::softsign, "softsign"},
      {Activation::softmax, "softmax"},         {Activation::exponential, "exponential"},
      {Activation::prelu, "prelu"},             {Activation::leaky_relu, "leaky_relu"}};
};

/// What a dense-network layer computes before its activation (schema
/// LayerKind, FORMAT.md §5.2).
enum class LayerKind {
  dense = 0,       // x . weights + bias; weights row-major [n_in, n_out]
  affine = 1,      // per feature: x_j * weights[j] + bias[j]; n_in == n_out
  layer_norm = 2,  // per row: (x_j - mean) / sqrt(var + epsilon) * weights[j] + bias[j]
};
template <>
struct EnumNames<LayerKind> {
  static constexpr EnumName<LayerKind> table[] = {
      {LayerKind::dense, "dense"}, {LayerKind::affine, "affine"}, {LayerKind::layer_norm, "layer_norm"}};
};

/// Preprocessing steps; see FORMAT.md §7 (schema OpKind).
enum class OpKind {
  standardize = 0,
  min_max = 1,
  max_abs = 2,
  normalize = 3,
  impute = 4,
  impute_string = 5,
  one_hot = 6,
  ordinal = 7,
  polynomial = 8,
  missing_indicator = 9,
  binarize = 10,
  project = 11,
  distance = 12,
  discretize = 13,
  yeo_johnson = 14,
  box_cox = 15,
  quantile_uniform = 16,
  quantile_normal = 17,
  spline = 18,
  refuse_missing = 19,
  sub_model = 20,
  weighted_mean = 21,
  elementwise = 22,
  weighted_median = 23,
  text_count = 24,
  text_hash = 25,
  interpolate = 26,
  sum_to_one = 27,
  text_count_chars = 28,
  text_hash_chars = 29,
};
template <>
struct EnumNames<OpKind> {
  static constexpr EnumName<OpKind> table[] = {
      {OpKind::standardize, "standardize"}, {OpKind::min_max, "min_max"},
      {OpKind::max_abs, "max_abs"},         {OpKind::normalize, "normalize"},
      {OpKind::impute, "impute"},           {OpKind::impute_string, "impute_string"},
      {OpKind::one_hot, "one_hot"},         {OpKind::ordinal, "ordinal"},
      {OpKind::polynomial, "polynomial"},   {OpKind::missing_indicator, "missing_indicator"},
      {OpKind::binarize, "binarize"},       {OpKind::project, "project"},
      {OpKind::distance, "distance"},       {OpKind::discretize, "discretize"},
      {OpKind::yeo_johnson, "yeo_johnson"}, {OpKind::box_cox, "box_cox"},
      {OpKind::quantile_uniform, "quantile_uniform"}, {OpKind::quantile_normal, "quantile_normal"},
      {OpKind::spline, "spline"}, {OpKind::refuse_missing, "refuse_missing"},
      {OpKind::sub_model, "sub_model"}, {OpKind::weighted_mean, "weighted_mean"},
      {OpKind::elementwise, "elementwise"}, {OpKind::weighted_median, "weighted_median"},
      {OpKind::text_count, "text_count"}, {OpKind::text_hash, "text_hash"},
      {OpKind::interpolate, "interpolate"}, {OpKind::sum_to_one, "sum_to_one"},
      {OpKind::text_count_chars, "text_count_chars"}, {OpKind::text_hash_chars, "text_hash_chars"}};
};

/// How a spline step treats values outside its base interval (schema
/// Extrapolation, FORMAT.md §7): scikit-learn's SplineTransformer names.
enum class Extrapolation { error = 0, constant = 1, linear = 2, continue_ = 3, periodic = 4 };
template <>
struct EnumNames<Extrapolation> {
  static constexpr EnumName<Extrapolation> table[] = {{Extrapolation::error, "error"},
                                                      {Extrapolation::constant, "constant"},
                                                      {Extrapolation::linear, "linear"},
                                                      {Extrapolation::continue_, "continue"},
                                                      {Extrapolation::periodic, "periodic"}};
};

/// What a sub_model step writes per row (schema SubModelOutput, FORMAT.md
/// §7.3).
enum class SubModelOutput {
  outputs = 0,
  raw = 1,
  decision = 2,
  class_one_hot = 3,
  outputs_and_class_one_hot = 4,  // outputs, then class_one_hot: one run of the nested model for both
  outputs_and_decision = 5,       // outputs, then decision
};
template <>
struct EnumNames<SubModelOutput> {
  static constexpr EnumName<SubModelOutput> table[] = {{SubModelOutput::outputs, "outputs"},
                                                       {SubModelOutput::raw, "raw"},
                                                       {SubModelOutput::decision, "decision"},
                                                       {SubModelOutput::class_one_hot, "class_one_hot"},
                                                       {SubModelOutput::outputs_and_class_one_hot,
                                                        "outputs_and_class_one_hot"},
                                                       {SubModelOutput::outputs_and_decision, "outputs_and_decision"}};
};

/// The function of an elementwise step (schema ElementFunction): numpy's
/// ufunc of the same name (expit: scipy.special.expit, the logistic function).
enum class ElementFunction { exp = 0, expm1 = 1, log = 2, log1p = 3, square = 4, sqrt = 5, expit = 6 };
template <>
struct EnumNames<ElementFunction> {
  static constexpr EnumName<ElementFunction> table[] = {
      {ElementFunction::exp, "exp"},     {ElementFunction::expm1, "expm1"},   {ElementFunction::log, "log"},
      {ElementFunction::log1p, "log1p"}, {ElementFunction::square, "square"}, {ElementFunction::sqrt, "sqrt"},
      {ElementFunction::expit, "expit"}};
};

/// The norm of a normalize step (schema Norm).
enum class Norm { l2 = 0, l1 = 1, max = 2 };
template <>
struct EnumNames<Norm> {
  static constexpr EnumName<Norm> table[] = {{Norm::l2, "l2"}, {Norm::l1, "l1"}, {Norm::max, "max"}};
};

/// What an encoder does with a category unseen in training (schema
/// UnknownCategory).
enum class UnknownCategory { error = 0, ignore = 1, use_value = 2 };
template <>
struct EnumNames<UnknownCategory> {
  static constexpr EnumName<UnknownCategory> table[] = {
      {UnknownCategory::error, "error"}, {UnknownCategory::ignore, "ignore"}, {UnknownCategory::use_value, "use_value"}};
};

/// Which cells of a string column an ImputeString step fills (schema
/// StringMissing, FORMAT.md §7): NaN and None alike, only NaN (None passes
/// through as a value, as scikit-learn's missing_values=nan), only None (a
/// NaN is refused, as scikit-learn's missing_values=None raises).
enum class StringMissing { nan_or_none = 0, nan_only = 1, none_only = 2 };
template <>
struct EnumNames<StringMissing> {
  static constexpr EnumName<StringMissing> table[] = {{StringMissing::nan_or_none, "nan_or_none"},
                                                      {StringMissing::nan_only, "nan_only"},
                                                      {StringMissing::none_only, "none_only"}};
};

/// Element types of the file's columns (schema DType), spelt as the schema
/// and FORMAT.md §4 spell them (error messages show these names).
enum class DType { float32 = 0, float64 = 1, int32 = 2, uint32 = 3, int64 = 4, uint64 = 5, uint8 = 6, int8 = 7 };
template <>
struct EnumNames<DType> {
  static constexpr EnumName<DType> table[] = {{DType::float32, "Float32"}, {DType::float64, "Float64"},
                                              {DType::int32, "Int32"},     {DType::uint32, "UInt32"},
                                              {DType::int64, "Int64"},     {DType::uint64, "UInt64"},
                                              {DType::uint8, "UInt8"},     {DType::int8, "Int8"}};
};

// --- what a file says about itself ---------------------------------------------

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
  // The optional layouts beside the nodes (FORMAT.md §5.1.1, §5.1.2): which
  // the writer gave this file, and the counts the choice of batch kernel
  // weighs (zero without the bit-vector layout).
  bool complete_layout = false;   // complete trees for the one-row kernel
  bool bitvector_layout = false;  // leaf bit-vectors for the batch kernel
  uint64_t bitvector_records = 0;
  uint64_t bitvector_words = 0;
  uint32_t bitvector_features = 0;  // input features the records compare
  uint32_t max_tree_leaves = 0;
  double walk_steps = 0;  // expected lockstep levels of the node walk, all trees
  bool walk_steps_covered = false;  // weighed by the training rows' covers (else: each split halving them)
};

/// Summary of a dense network (linear models: one layer).
struct DenseSummary {
  uint32_t n_layers = 0;
  uint64_t n_weights = 0;
};

/// Summary of a k-nearest-neighbours model (zero for other predictors).
struct NeighborsSummary {
  uint64_t n_samples = 0;        // stored training rows
  uint32_t n_neighbors = 0;      // k; 0: radius neighbours
  double reduced_radius = -1;    // radius neighbours: rows whose reduced distance is <= it (FORMAT.md §5.3)
  std::string metric;            // "euclidean", "manhattan", "minkowski" ...
  double p = 2.0;                // the Minkowski exponent
  std::string weights;           // "uniform" or "distance"
  uint32_t sample_bits = 64;     // 32: rows stored as float32 (as trained)
};

/// Summary of a kernel machine (SVMs; zero for other predictors).
struct KernelSummary {
  uint64_t n_support_vectors = 0;
  std::string kernel;            // "linear", "poly", "rbf", "sigmoid"
  double gamma = 0;
  double coef0 = 0;
  uint32_t degree = 0;
};

/// Summary of the preprocessing steps in front of the predictor.
struct PreprocessingSummary {
  size_t n_steps = 0;
  size_t n_predictor_features = 0;   // the predictor's input width
  bool needs_strings = false;        // some input column is a string column
  std::vector<OpKind> steps;         // the kind of each step, in order
  std::vector<std::string> step_kinds;  // the same as names ("standardize", "one_hot"), kept for older code
  /// Input columns no step and no predictor feature reads (a
  /// ColumnTransformer's dropped ones), ascending: they may hold anything,
  /// as scikit-learn never looks at them; the CLI, the server and Python
  /// take any value there.
  std::vector<size_t> unread_columns;
};

struct ModelInfo {
  FormatVersion format;
  Provenance provenance;
  std::vector<std::pair<std::string, std::string>> metadata;  // sorted by key
  std::string estimator;       // e.g. "sklearn.ensemble.RandomForestClassifier"
  PredictorKind predictor_kind = PredictorKind::tree_ensemble;
  LinkFunction link_function = LinkFunction::identity;
  double link_scale = 1.0;
  ClassDecision decision = ClassDecision::argmax_outputs;
  // The three above as names (enum_name()), kept for code written before the
  // enums; the reader fills both, to_json() prints the enums.
  std::string predictor;       // e.g. "tree_ensemble"
  std::string link;            // e.g. "identity", "logistic", "softmax"
  std::string class_decision;  // "argmax_outputs", "argmax_raw", "raw_nonnegative", "ovo_votes" ...
  DecisionFunction decision_function = DecisionFunction::raw;  // how Output::decision derives
  double decision_offset = 0;  // outlier detectors: decision = score - decision_offset
  std::vector<double> base_score;  // empty, or one per raw score
  Task task = Task::regression;
  size_t n_features = 0;
  size_t n_outputs = 0;        // probabilities (classification) or targets
  size_t n_raw = 0;            // raw scores (decision_function width)
  /// Whether a missing value (NaN; None in a string column) is accepted in
  /// every input column: no row is refused for missing values, whichever
  /// columns hold them.  False when some column refuses them; see
  /// accepts_missing_by_column for which.  Derived from the whole model:
  /// NaN in an input column is accepted iff no path of the preprocessing
  /// (FORMAT.md §7.2) takes it to a feature of a predictor that refuses NaN
  /// (linear models, networks, trees that never learned missing values) and
  /// no encoder refuses it (handle_unknown='error' without a missing
  /// category).  So a pipeline with an imputer in front of a logistic
  /// regression accepts NaN in the imputed columns.
  bool accepts_missing = false;
  /// Per input column (n_features values): whether a missing value in that
  /// column is accepted, as above.  Columns no step reads accept anything.
  std::vector<bool> accepts_missing_by_column;
  /// +-inf is accepted in every input column.  The file says per column
  /// (FORMAT.md §3 refuses_infinity); scikit-learn's estimators refuse it
  /// (ValueError) except HistGradientBoosting, and so do its transformers.
  bool accepts_infinity = true;
  /// Per input column (n_features values): whether +-inf there is accepted;
  /// otherwise predicting fails with invalid_argument naming the row and column.
  std::vector<bool> accepts_infinity_by_column;
  std::vector<std::string> feature_names;  // empty when unknown
  ClassLabels classes;
  TreeSummary trees;
  DenseSummary dense;
  NeighborsSummary neighbors;
  KernelSummary kernel;
  std::string naive_bayes;     // "gaussian", "bernoulli", "categorical"; empty for other predictors
  PreprocessingSummary preprocessing;
  std::vector<bool> string_inputs;  // per input column: true for string columns
  uint64_t file_size = 0;
  uint64_t header_size = 0;
  uint64_t n_columns = 0;
  std::string content_hash;    // XXH3-128 of the header, 32 hex digits
  /// Multi-output classifiers (class decision argmax_outputs_per_group):
  /// the class count of each output, in order; the outputs, raw scores and
  /// `classes` are the groups' concatenated.  Empty for one output.
  std::vector<size_t> output_groups;

  /// Whether the outputs are class probabilities (Python's predict_proba,
  /// `mlmap predict --proba`, the server's proba=1): classifiers, but not
  /// those that decide without them (link hard: LinearSVC, RidgeClassifier,
  /// hard voting), whose outputs only mark the class decided.
  bool gives_probabilities() const noexcept {
    return task == Task::classification && link_function != LinkFunction::hard;
  }
  /// Whether predicting gives labels (Python's predict, `mlmap predict`,
  /// the server): classes, or an outlier detector's -1 / 1.
  bool gives_labels() const noexcept { return task == Task::classification || task == Task::outlier_detection; }
};

/// `info` as one JSON object: format_version, provenance, metadata, estimator,
/// predictor, task, link, link_scale, class_decision, base_score, n_features,
/// n_outputs, n_raw, accepts_missing, accepts_infinity, feature_names, classes (null, or the
/// labels), trees / dense / preprocessing (present when they apply),
/// string_columns, file_size, header_size, n_columns, content_hash.  Enums are
/// written as their names.  `indent` 0 writes one line.
std::string to_json(const ModelInfo& info, int indent = 2);

/// The members of to_json()'s object, given to `out` inside an object it has
/// open: the one serialiser, for a caller that adds members of its own (the
/// server's GET /model) or builds other objects from them (Python's info()).
void write_json_members(ValueWriter& out, const ModelInfo& info);

}  // namespace mlmap
