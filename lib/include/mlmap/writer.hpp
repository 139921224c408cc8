// mlmap/writer.hpp — write model files.
//
// A model is described by a ModelDescription (what it predicts, its labels,
// provenance) and a predictor builder that turns trees given in the usual
// node-list form (sklearn's tree_, XGBoost's JSON) into mlmap's inference
// layout.  `save()` is atomic: it writes a temporary file in the target's
// directory, fsyncs it, renames it over the target and fsyncs the directory.
// A failed or interrupted save leaves no partial file at `path` and never
// damages a file already there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "mlmap/error.hpp"
#include "mlmap/info.hpp"

namespace mlmap {

// The enums a description uses (Task, LinkFunction, ClassDecision,
// DecisionFunction, Aggregation, Activation, OpKind, Metric, Kernel ...) and
// their names are in info.hpp.

struct ModelDescription {
  std::string estimator;  // e.g. "sklearn.ensemble.RandomForestClassifier"
  Task task = Task::regression;
  size_t n_features = 0;
  size_t n_outputs = 0;   // probabilities (classification) or targets
  std::vector<std::string> feature_names;  // empty or n_features
  ClassLabels classes;                     // classification: n_outputs labels
  LinkFunction link = LinkFunction::identity;
  double link_scale = 1.0;
  ClassDecision class_decision = ClassDecision::argmax_outputs;
  std::vector<double> base_score;          // empty or one per raw score
  DecisionFunction decision_function = DecisionFunction::raw;
  double decision_offset = 0;              // output_minus_offset
  uint32_t decision_features = 0;          // trailing_features: the decision width
  std::vector<double> prob_a, prob_b;      // pairwise_coupling: Platt's A and B per raw score
  std::vector<uint32_t> output_groups;     // argmax_outputs_per_group: class count per output
  /// Per input column: whether +-inf there is refused (invalid_argument), as
  /// scikit-learn refuses it for every estimator but HistGradientBoosting
  /// and every transformer (FORMAT.md §3); empty: accepted everywhere.
  std::vector<bool> refuses_infinity;
  Provenance provenance;                   // producer fields are filled in by save()
  std::vector<std::pair<std::string, std::string>> metadata;
};

/// How a source tree compares: sklearn sends x <= t left, XGBoost x < t.
enum class SplitRule { less_equal, less };
template <>
struct EnumNames<SplitRule> {
  static constexpr EnumName<SplitRule> table[] = {{SplitRule::less_equal, "<="}, {SplitRule::less, "<"}};
};

/// The precision inputs are compared at.  float32 matches sklearn's trees
/// and XGBoost (which cast inputs to float32); float64 matches sklearn's
/// HistGradientBoosting (which compares float64 inputs with float64
/// thresholds) and is exact for large-magnitude features such as timestamps.
enum class ThresholdType { float32, float64 };
template <>
struct EnumNames<ThresholdType> {
  static constexpr EnumName<ThresholdType> table[] = {{ThresholdType::float32, "float32"},
                                                      {ThresholdType::float64, "float64"}};
};

/// One tree in node-list form; node 0 is the root.  Read during add_tree()
/// only.  A node is a leaf when left[i] < 0.
struct TreeNodes {
  size_t n_nodes = 0;
  const int64_t* left = nullptr;
  const int64_t* right = nullptr;
  const int64_t* feature = nullptr;       // internal nodes: input column
  const double* threshold = nullptr;      // internal numeric nodes
  const double* values = nullptr;         // leaves: row i at values[i * value_stride]
  size_t value_stride = 0;                // >= leaf width
  const uint8_t* missing_left = nullptr;  // optional: NaN goes left at node i (else right)
  const uint8_t* categorical = nullptr;   // optional: node i splits on a category set
  const uint32_t* category_set = nullptr; // with categorical: set index from add_category_set()
  // Optional: the training rows (or their weight) that reached node i --
  // sklearn's n_node_samples, XGBoost's cover, LightGBM's counts.  Only the
  // leaves' are read: how deep rows go informs which kernel a file favours,
  // never a prediction.  Without them every split counts as halving the rows.
  const double* cover = nullptr;
};

/// Owns one tree's node arrays (for building a tree node by node) and lends
/// them to add_tree() as TreeNodes.  The optional arrays are passed on only
/// when filled; category_set goes with categorical.
struct TreeNodeList {
  std::vector<int64_t> left, right, feature;
  std::vector<double> threshold, values;
  std::vector<uint8_t> missing_left, categorical;
  std::vector<uint32_t> category_set;
  std::vector<double> cover;
  size_t value_stride = 1;

  /// Appends a node to every array (a leaf of value 0: left = right = -1,
  /// the rest zero; value_stride 1) and returns its index, for building a
  /// tree node by node.
  size_t add_node();

  TreeNodes view() const noexcept;
};

struct TreeOptions {
  uint32_t output = 0;         // first raw score this tree's leaves add to
  double leaf_scale = 1.0;     // multiplies leaf values (a learning rate)
  bool normalize_leaves = false;  // divide each leaf row by its sum (class counts -> probabilities)
};

/// Builds a tree ensemble's columns in mlmap's inference layout: nodes of
/// each tree in blocks of whole levels with sibling pairs adjacent, thresholds
/// rounded down to float32 (exact for every float32 input), leaves as fixed
/// points.  Checks each source tree: indices in range, no cycles or shared
/// nodes, depth within limits, finite values.
class TreeEnsembleBuilder {
 public:
  TreeEnsembleBuilder(size_t n_features, size_t leaf_width, size_t n_raw, Aggregation aggregation,
                      SplitRule rule = SplitRule::less_equal, ThresholdType thresholds = ThresholdType::float32);

  /// A set of categories, as a bitset over category values (bit c of word
  /// c / 32); returns its index for TreeNodes::category_set.
  uint32_t add_category_set(const uint32_t* words, size_t n_words);

  [[nodiscard]] Status add_tree(const TreeNodes& tree, const TreeOptions& options = {});

  /// Pre-allocates for `n_nodes` nodes and `n_leaves` leaves in all (avoids
  /// the copies of growing vectors for very large ensembles).
  [[nodiscard]] Status reserve(size_t n_nodes, size_t n_leaves) noexcept;

  size_t n_trees() const noexcept { return tree_root_.size(); }
  size_t n_nodes() const noexcept { return node_child_.size(); }
  /// Whether any node routes NaN deliberately (enables NaN inputs).
  void set_accepts_missing(bool accepts) noexcept { accepts_missing_ = accepts; }

  // The built columns (read by the writer).
  size_t n_features() const noexcept { return n_features_; }
  size_t leaf_width() const noexcept { return leaf_width_; }
  size_t n_raw() const noexcept { return n_raw_; }
  Aggregation aggregation() const noexcept { return aggregation_; }
  bool accepts_missing() const noexcept { return accepts_missing_; }
  uint32_t max_depth() const noexcept { return max_depth_; }
  const std::vector<uint32_t>& tree_root() const noexcept { return tree_root_; }
  const std::vector<uint32_t>& tree_depth() const noexcept { return tree_depth_; }
  const std::vector<uint32_t>& tree_output() const noexcept { return tree_output_; }
  const std::vector<uint32_t>& node_info() const noexcept { return node_info_; }
  ThresholdType threshold_type() const noexcept { return threshold_type_; }
  const std::vector<float>& node_threshold() const noexcept { return node_threshold_; }          // float32
  const std::vector<double>& node_threshold64() const noexcept { return node_threshold64_; }     // float64
  const std::vector<uint32_t>& node_child() const noexcept { return node_child_; }
  const std::vector<double>& leaf_values() const noexcept { return leaf_values_; }
  const std::vector<std::vector<uint32_t>>& category_sets() const noexcept { return category_sets_; }
  /// Per leaf row: the share of its tree's training rows that reach it (from
  /// TreeNodes::cover; NaN for trees added without covers), or empty when no
  /// tree had covers.
  const std::vector<double>& leaf_shares() const noexcept { return leaf_shares_; }

 private:
  size_t n_features_, leaf_width_, n_raw_;
  Aggregation aggregation_;
  SplitRule rule_;
  ThresholdType threshold_type_;
  bool accepts_missing_ = false;
  uint32_t max_depth_ = 0;
  std::vector<uint32_t> tree_root_, tree_depth_, tree_output_;
  std::vector<uint32_t> node_info_, node_child_;
  std::vector<float> node_threshold_;
  std::vector<double> node_threshold64_;
  std::vector<double> leaf_values_;
  std::vector<std::vector<uint32_t>> category_sets_;
  std::vector<double> leaf_shares_;
};

/// --- dense networks (linear models are one layer) ---------------------------

/// out = activation(kind(x)) (Activation, LayerKind: info.hpp).  Dense
/// weights are row-major [n_in, n_out] (the layout of sklearn's MLP coefs_
/// and Keras' kernels; pass coef_.T for linear models, weight.T for torch).
struct DenseLayerSpec {
  LayerKind kind = LayerKind::dense;
  size_t n_in = 0;
  size_t n_out = 0;
  std::vector<double> weights;  // dense: n_in * n_out; affine / layer_norm: n_out or empty (ones)
  std::vector<double> bias;     // empty: zeros
  std::vector<double> alpha;    // prelu: n_out slopes
  /// Store the layer's columns as float32 (the weights of Keras and torch
  /// models, stored as those libraries hold them).  Every value must then be
  /// a float32 value exactly: save() refuses one that is not.
  bool float32 = false;
  Activation activation = Activation::identity;
  double epsilon = 0;           // layer_norm
  // relu with any of these set is written as the format's LeakyRelu.
  double relu_slope = 0;        // relu: Keras' negative_slope (LeakyReLU)
  double relu_threshold = 0;    // relu: Keras' threshold
  double relu_max = std::numeric_limits<double>::infinity();  // relu: Keras' max_value (ReLU6: 6)
  double elu_alpha = 1;         // elu
  double softplus_beta = 1;     // softplus: torch's beta
  double softplus_threshold = std::numeric_limits<double>::infinity();  // softplus: torch's threshold (20)
};

struct DenseNetworkSpec {
  std::vector<DenseLayerSpec> layers;
};

/// --- stored rows: k-nearest neighbours and kernel machines ------------------

/// A row-major matrix the writer reads during save() (not copied before):
/// exactly one of rows64 / rows32 is set.  Stored as the same type.
struct SampleRows {
  const double* rows64 = nullptr;
  const float* rows32 = nullptr;
  size_t n_rows = 0;
  size_t n_features = 0;
};

/// k-nearest neighbours (FORMAT.md §5.3).  Classifiers give one label per
/// training row (an index into ModelDescription::classes) and predict class
/// votes (link normalize); regressors give n_targets values per row.  Cosine
/// rows are stored normalised (the writer divides each by its L2 norm).
struct NeighborsSpec {
  SampleRows samples;
  size_t n_neighbors = 5;
  Metric metric = Metric::euclidean;
  double p = 2.0;                   // minkowski, > 0
  NeighborWeights weights = NeighborWeights::uniform;
  const uint32_t* labels = nullptr; // classification: [n_rows, n_label_outputs] class indices
  size_t n_label_outputs = 1;       // classification: 1, or one per output group (multi-output: each
                                    // row's class slot in each group, the group's offset included)
  const double* targets = nullptr;  // regression: [n_rows, n_targets], row-major
  size_t n_targets = 0;
  // Radius neighbours (FORMAT.md §5.3) when >= 0: every row whose reduced
  // distance is <= it (n_neighbors unused); classifiers' rows without
  // neighbours vote for outlier_slots (one per output) or, when empty, fail.
  double reduced_radius = -1;
  std::vector<uint32_t> outlier_slots;
};

/// A kernel machine in libsvm's form (FORMAT.md §5.4).  Classifiers
/// (n_support not empty: vectors per class, in order) give one raw score
/// per one-vs-one pair (i < j, in order): the sum over class i's vectors of
/// dual_coef[j - 1] and over class j's of dual_coef[i], times the kernel
/// values, plus intercept[pair]; two classes: one pair.  Otherwise (SVR,
/// one-class) one raw score: dual_coef[0] . kernel values + intercept[0].
struct KernelMachineSpec {
  SampleRows support_vectors;       // float64
  Kernel kernel = Kernel::rbf;
  double gamma = 1.0;
  double coef0 = 0.0;
  uint32_t degree = 3;
  std::vector<uint32_t> n_support;  // classifiers: per class
  std::vector<double> dual_coef;    // [max(1, n_classes - 1), n_support_vectors]
  std::vector<double> intercept;    // one per raw score
};

/// Naive Bayes joint log-likelihoods that are not a linear layer (FORMAT.md
/// §5.5); one raw score per class.
struct NaiveBayesSpec {
  NaiveBayesKind kind = NaiveBayesKind::gaussian;
  size_t n_classes = 0;
  size_t n_features = 0;
  std::vector<double> bias;             // [n_classes]
  std::vector<double> theta, var;       // gaussian: [n_classes, n_features]
  std::vector<double> log_norm;         // gaussian: [n_classes]
  double threshold = 0.0;               // bernoulli: x > threshold is 1
  std::vector<double> weights;          // bernoulli: [n_classes, n_features]
  std::vector<uint32_t> category_counts;  // categorical: per feature
  std::vector<double> log_probs;        // categorical: per feature [n_classes, count]
};

/// --- preprocessing (FORMAT.md §7) ------------------------------------------

/// A parameter array of a preprocessing step stored as a column of the file
/// rather than in the header (FORMAT.md §7.1), for kinds whose parameters are
/// large.  The kind defines how many it takes, their order, shapes and
/// dtypes; the kinds of this version take none.
struct OpColumnSpec {
  std::string role;             // names the column "preprocessing.<step>.<role>"
  std::vector<double> values;   // Float64
  std::vector<uint64_t> shape;  // row-major; empty: {values.size()}
  // UInt8 instead, when non-empty (a sub_model's nested file); defaulted so that
  // the {role, values, shape} initialisers of the Float64 columns need not name it
  std::vector<uint8_t> bytes = {};
};

/// A text_count step's analyzer and weights (FORMAT.md §7.4, mlmap.fbs
/// TextOptions).  The writer stores `vocabulary` (term i is feature i) as
/// the hash table columns [table, offsets, terms] and `idf` as the fourth.
/// It picks the stored kind from `analyzer`: text_count / text_hash for
/// 'word', text_count_chars / text_hash_chars for the character analyzers
/// (either name of a pair may be given).
struct TextSpec {
  bool lowercase = true;
  uint32_t ngram_min = 1, ngram_max = 1;
  std::vector<std::string> stop_words;
  bool binary = false;
  bool sublinear_tf = false;
  bool normalize = false;
  Norm norm = Norm::l2;              // l2 or l1 when normalize
  std::vector<std::string> vocabulary;  // text_count: UTF-8, distinct, nonempty
  std::vector<double> idf;              // text_count: one per term (ones for plain counts)
  bool alternate_sign = false;          // text_hash
  uint8_t strip_accents = 0;            // 0 none, 1 'unicode', 2 'ascii' (schema StripAccents)
  uint8_t analyzer = 0;                 // 0 'word', 1 'char', 2 'char_wb' (schema Analyzer)
  uint32_t max_probe = 0;               // set by the writer
};

/// One step of the preprocessing program; see mlmap.fbs `Op` for each field.
struct OpSpec {
  // The names these had before they moved to info.hpp.
  using Kind = OpKind;
  using Norm = ::mlmap::Norm;
  using Unknown = UnknownCategory;
  Kind kind = Kind::standardize;
  std::vector<uint32_t> inputs;
  bool string_inputs = false;
  uint32_t out_begin = 0;
  uint32_t n_out = 0;
  std::vector<double> a, b;
  bool clip = false;
  double clip_low = 0, clip_high = 0;
  Norm norm = Norm::l2;
  bool missing_is_nan = true;
  double missing_value = 0;
  std::vector<std::string> fill_strings;
  std::vector<uint32_t> category_counts;
  std::vector<double> numeric_categories;
  std::vector<std::string> string_categories;
  std::vector<uint32_t> category_order;
  std::vector<int32_t> missing_category;
  std::vector<int32_t> none_category;  // string encoders: per input, None's category or -1; empty: None is missing
  StringMissing string_missing = StringMissing::nan_or_none;  // ImputeString
  std::vector<int32_t> drop;
  Unknown unknown = Unknown::error;
  double unknown_value = 0;
  double missing_encoded = 0;
  std::vector<uint32_t> powers;
  std::vector<OpColumnSpec> columns;  // Op.columns, in the kind's order
  // spline
  uint32_t degree = 0;
  Extrapolation extrapolation = Extrapolation::error;
  bool include_bias = true;
  bool missing_zeros = false;  // NaN gives all-zero outputs, else it is refused
  SubModelOutput sub_model_output = SubModelOutput::outputs;  // sub_model: what it writes
  std::string name;                   // sub_model: names it in errors
  ElementFunction function = ElementFunction::exp;  // elementwise: the function
  TextSpec text;                      // text_count and text_hash only
};

struct PreprocessingSpec {
  std::vector<bool> string_inputs;  // per input column; empty: all numeric
  uint32_t n_slots = 0;
  uint32_t n_string_slots = 0;
  std::vector<OpSpec> ops;
  std::vector<uint32_t> features;   // the predictor's input slots
};

/// Largest float32 <= t: sklearn's `float32(x) <= t` equals `x <= round_down(t)`.
float round_down_to_float(double t) noexcept;
/// The float32 threshold to store for `t` under `rule` (x <= result <=> x rule t).
float float_threshold(double t, SplitRule rule) noexcept;

/// Writes `trees` described by `description` (and, if given, the
/// preprocessing in front of them) to `path` atomically.
[[nodiscard]] Status save(const std::string& path, const ModelDescription& description,
                          const TreeEnsembleBuilder& trees, const PreprocessingSpec* preprocessing = nullptr) noexcept;

/// The same for a dense network (or a linear model: one layer).
[[nodiscard]] Status save(const std::string& path, const ModelDescription& description,
                          const DenseNetworkSpec& network, const PreprocessingSpec* preprocessing = nullptr) noexcept;

/// The same for k-nearest neighbours, a kernel machine and naive Bayes.
[[nodiscard]] Status save(const std::string& path, const ModelDescription& description,
                          const NeighborsSpec& neighbors, const PreprocessingSpec* preprocessing = nullptr) noexcept;
[[nodiscard]] Status save(const std::string& path, const ModelDescription& description,
                          const KernelMachineSpec& machine, const PreprocessingSpec* preprocessing = nullptr) noexcept;
[[nodiscard]] Status save(const std::string& path, const ModelDescription& description,
                          const NaiveBayesSpec& naive_bayes, const PreprocessingSpec* preprocessing = nullptr) noexcept;

}  // namespace mlmap
