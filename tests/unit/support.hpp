// Helpers shared by the unit tests: temporary directories, file bytes,
// deterministic sample models built through the public writer.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mlmap/mlmap.hpp"
#include "writer/tree_writer.hpp"

namespace test {

/// Where tests write: $TMPDIR, or /tmp.
std::string temp_base();

/// A fresh directory under temp_base() (or `base`), removed with its contents
/// on destruction.
class TempDir {
 public:
  TempDir();
  explicit TempDir(const std::string& base);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Removes `path` and everything under it (links are removed, not followed).
void remove_tree(const std::string& path);
std::vector<uint8_t> read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);
bool file_exists(const std::string& path);
std::vector<std::string> list_dir(const std::string& path);

/// One tree in node-list form (as TreeNodes wants it), owned.
using NodeList = mlmap::TreeNodeList;

/// A random full-ish binary tree: depth <= max_depth, leaves carry `width`
/// values; optional NaN routing and categorical splits on feature 0 (sets
/// must already exist in the builder: n_sets of them).
NodeList random_tree(std::mt19937_64& rng, size_t n_features, uint32_t max_depth, size_t width, bool missing,
                     uint32_t n_sets);

enum class Sample {
  forest_classifier,  // 3 classes, mean of 12 trees, class labels {-1, 4, 9}
  boosted_binary,     // logistic link, sum, missing routing, categorical splits
  regressor,          // 2 targets
  boosted_multiclass, // softmax over 3 classes, trees per class, missing + categorical
  float64_thresholds, // like HistGradientBoosting: float64 comparisons, missing routing
  large_trees,        // depth 20, thousands of nodes a tree (the kernels' large-tree walk), missing + categorical
  pipeline,           // every numeric preprocessing step in front of trees with missing routing
  dense_every_kind,   // dense (float32, relu6) -> affine (prelu) -> layer norm (gelu) -> dense (float64), 3 targets
  neighbors_classifier,  // 203 float64 rows, 3 classes, k = 5, euclidean, distance weights
  neighbors_regressor,   // 150 float32 rows, 2 targets, k = 7, manhattan, uniform
  svm_classifier,        // 4 classes, rbf, 37 support vectors, pairwise coupling, one-vs-rest decision
  svm_regressor,         // polynomial kernel, degree 3
  svm_outliers,          // one-class: sigmoid kernel, an outlier detector
  naive_bayes_gaussian,  // 3 classes
  naive_bayes_bernoulli, // 2 classes, threshold 0.25
  naive_bayes_categorical,  // 3 classes, 2 to 5 categories per feature
  isolation_forest,      // 8 trees, the isolation link, an outlier detector
  wide_trees,         // one output; trees of 1 to ~500 leaves (every bit-vector word and leaf-fetch path), missing
  wide_input,         // 300 features (walk blocks of a few hundred rows, many gathered features), 2 outputs
  multi_output_forest,  // a forest classifier of 2 outputs: output groups {2, 3}, labels {0, 1} and {0, 1, 2}
  neighbors_multi_output,  // k-NN classifier of 2 outputs (groups {2, 3}): 61 float64 rows, k = 4, uniform
  neighbors_radius,        // radius classifier: 90 float64 rows, 3 classes, manhattan, distance, outlier slot 1
  boosted_multiclass_numeric,  // softmax over 4 classes, a tree per class a round of 1 to 64 leaves (seed 1:
                               // 32), missing, no categorical split (the bit-vector layout's one value a tree)
};

/// Every sample kind, in order (up to the last one above).
std::vector<Sample> all_samples();

/// Writes a deterministic sample model of `kind` to `path`; tree ensembles
/// with the leaf bit-vector layout as `layout` says (where the trees allow
/// one).
mlmap::Status save_sample(const std::string& path, Sample kind, uint64_t seed = 1,
                          mlmap::writer::BitvectorLayout layout = mlmap::writer::BitvectorLayout::when_faster);

/// Whether the model file at `path` has the trees' leaf bit-vector layout
/// (FORMAT.md §5.1.1).
bool has_leaf_bitvectors(const std::string& path);
/// Whether the model file at `path` has the complete-tree layout (FORMAT.md §5.1.2).
bool has_complete_trees(const std::string& path);

/// --- preprocessing programs (FORMAT.md §7) ---
/// A step reading `inputs`, writing n_out slots from out_begin.
mlmap::OpSpec op(mlmap::OpSpec::Kind kind, std::vector<uint32_t> inputs, uint32_t out_begin, uint32_t n_out);
/// Numeric steps after `n_inputs` input columns, each writing the next free
/// slots (their out_begin is set); features: every slot they write unless
/// given.
mlmap::PreprocessingSpec chain(std::vector<mlmap::OpSpec> ops, uint32_t n_inputs,
                               std::optional<std::vector<uint32_t>> features = std::nullopt);
/// A "test.Pipeline" of n_inputs input columns (named if `names`) and n_outputs values.
mlmap::ModelDescription pipeline_description(size_t n_inputs, size_t n_outputs, std::vector<std::string> names = {});
/// One dense layer, weights [n_in, weights.size() / n_in].
mlmap::DenseNetworkSpec one_layer(size_t n_in, std::vector<double> weights);
/// The n x n identity as one dense layer.
mlmap::DenseNetworkSpec identity(size_t n);

/// Random rows, with NaN in a fraction `nan_rate` of cells.
std::vector<float> random_rows(std::mt19937_64& rng, size_t rows, size_t n_features, double nan_rate = 0.0);

/// Rewrites every column checksum and the header hash so that a deliberate
/// semantic corruption is not reported as damage.
void fix_checksums(std::vector<uint8_t>& file);

/// `data` with its preamble's file length set to `size` and its checksums
/// recomputed (only the header hash when the header does not verify); empty
/// when it does not start with the magic or its header length is impossible.
std::vector<uint8_t> made_consistent(const uint8_t* data, size_t size);

}  // namespace test
