#include "support.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "format/checksum.hpp"
#include "format/preamble.hpp"
#include "mlmap_generated.h"

namespace test {

std::string temp_base() {
  const char* base = std::getenv("TMPDIR");
  return base ? base : "/tmp";
}

TempDir::TempDir() : TempDir(temp_base()) {}

TempDir::TempDir(const std::string& base) {
  std::string tmpl = base + "/mlmap-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

void remove_tree(const std::string& p) {
  // Depth-first, making each directory writable first (tests create
  // read-only files and directories).
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    ::chmod(p.c_str(), 0700);
    for (const auto& name : list_dir(p)) remove_tree(p + "/" + name);
    ::rmdir(p.c_str());
  } else {
    ::remove(p.c_str());
  }
}

TempDir::~TempDir() { remove_tree(path_); }

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

bool has_leaf_bitvectors(const std::string& path) {
  const auto bytes = read_bytes(path);
  if (bytes.size() <= 64) return false;
  const auto* model = mlmap::fb::GetHeader(bytes.data() + 64)->model();
  const auto* trees = model ? model->predictor_as_TreeEnsemble() : nullptr;
  return trees && trees->leaf_bitvectors();
}

bool has_complete_trees(const std::string& path) {
  const auto bytes = read_bytes(path);
  if (bytes.size() <= 64) return false;
  const auto* model = mlmap::fb::GetHeader(bytes.data() + 64)->model();
  const auto* trees = model ? model->predictor_as_TreeEnsemble() : nullptr;
  return trees && trees->complete_trees();
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(path.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
  }
  return names;
}

NodeList random_tree(std::mt19937_64& rng, size_t n_features, uint32_t max_depth, size_t width, bool missing,
                     uint32_t n_sets) {
  NodeList t;
  t.value_stride = width;
  std::uniform_real_distribution<double> u(-2, 2);
  std::uniform_int_distribution<size_t> feat(0, n_features - 1);
  // Breadth of the source order differs from mlmap's layout on purpose.
  struct Pending {
    size_t node;
    uint32_t depth;
  };
  std::deque<Pending> todo{{0, 0}};
  auto add_node = [&] {
    t.left.push_back(-1);
    t.right.push_back(-1);
    t.feature.push_back(-2);
    t.threshold.push_back(-2);
    for (size_t j = 0; j < width; ++j) t.values.push_back(0);
    t.missing_left.push_back(0);
    t.categorical.push_back(0);
    t.category_set.push_back(0);
    return t.left.size() - 1;
  };
  add_node();
  while (!todo.empty()) {
    Pending p = todo.front();
    todo.pop_front();
    const bool split = p.depth < max_depth && (p.depth < 2 || rng() % 4 != 0);
    if (!split) {
      for (size_t j = 0; j < width; ++j) t.values[p.node * width + j] = u(rng) + 2.5;  // positive: usable as counts
      continue;
    }
    const size_t l = add_node(), r = add_node();
    t.left[p.node] = static_cast<int64_t>(l);
    t.right[p.node] = static_cast<int64_t>(r);
    t.feature[p.node] = static_cast<int64_t>(feat(rng));
    t.threshold[p.node] = u(rng);
    t.missing_left[p.node] = missing && (rng() & 1);
    if (n_sets > 0 && t.feature[p.node] == 0) {
      t.categorical[p.node] = 1;
      t.category_set[p.node] = static_cast<uint32_t>(rng() % n_sets);
    }
    todo.push_back({l, p.depth + 1});
    todo.push_back({r, p.depth + 1});
  }
  if (!missing) t.missing_left.clear();
  if (n_sets == 0) {
    t.categorical.clear();
    t.category_set.clear();
  }
  return t;
}

namespace {

// Adds `count` random single-output trees (see random_tree) with their
// leaves scaled by `leaf_scale`.
// covers: random training covers on every node (the walk estimate's other
// source, TreeNodes::cover).
mlmap::Status add_random_trees(mlmap::TreeEnsembleBuilder& b, std::mt19937_64& rng, int count, uint32_t max_depth,
                               bool missing, uint32_t n_sets, double leaf_scale, bool covers = false) {
  for (int i = 0; i < count; ++i) {
    auto t = random_tree(rng, 6, max_depth, 1, missing, n_sets);
    if (covers) {
      std::uniform_real_distribution<double> rows(0.0, 100.0);
      t.cover.resize(t.left.size());
      for (double& c : t.cover) c = rows(rng);
    }
    mlmap::TreeOptions o;
    o.leaf_scale = leaf_scale;
    auto st = b.add_tree(t.view(), o);
    if (!st) return st;
  }
  return {};
}

// Adds `count` random trees with missing routing, taking turns over
// `n_scores` scores (a boosting round's tree per class), tree i of depth up
// to max_depth(i), their leaves scaled by `leaf_scale`.
template <class MaxDepth>
mlmap::Status add_class_trees(mlmap::TreeEnsembleBuilder& b, std::mt19937_64& rng, int count, uint32_t n_scores,
                              MaxDepth max_depth, uint32_t n_sets, double leaf_scale) {
  for (int i = 0; i < count; ++i) {
    auto t = random_tree(rng, 6, max_depth(i), 1, true, n_sets);
    mlmap::TreeOptions o;
    o.output = static_cast<uint32_t>(i) % n_scores;
    o.leaf_scale = leaf_scale;
    auto st = b.add_tree(t.view(), o);
    if (!st) return st;
  }
  return {};
}

// As mlmap::save, with the leaf bit-vector layout chosen: the written file
// must open and verify before it replaces anything.
mlmap::Status save_trees(const std::string& path, const mlmap::ModelDescription& d, const mlmap::TreeEnsembleBuilder& b,
                         const mlmap::PreprocessingSpec* pre, mlmap::writer::BitvectorLayout layout) {
  auto check = [](const std::string& tmp) -> mlmap::Status {
    mlmap::OpenOptions o;
    o.verify = true;
    auto m = mlmap::Model::open(tmp, o);
    if (!m) return m.error();
    return {};
  };
  return mlmap::writer::write_tree_model(path, d, b, pre, check, layout);
}

// Inputs a..f: every numeric kind of step, then trees over all that they write.
mlmap::Status save_pipeline_sample(const std::string& path, mlmap::ModelDescription d, std::mt19937_64& rng,
                                   mlmap::writer::BitvectorLayout layout) {
  using K = mlmap::OpSpec::Kind;
  d.estimator = "test.Pipeline";
  d.task = mlmap::Task::regression;
  d.n_outputs = 1;
  auto impute = op(K::impute, {0, 1, 2, 3, 4}, 0, 5);  // slots 6..10
  impute.a = {0.5, -1, 2, 0, 1};
  auto standardize = op(K::standardize, {6, 7, 8}, 0, 3);
  standardize.a = {0.1, 0.2, 0.3};
  standardize.b = {2, 3, 4};
  auto min_max = op(K::min_max, {9}, 0, 1);
  min_max.a = {0.25};
  min_max.b = {0.5};
  min_max.clip = true;
  min_max.clip_low = 0;
  min_max.clip_high = 1;
  auto max_abs = op(K::max_abs, {10}, 0, 1);
  max_abs.a = {3};
  auto poly = op(K::polynomial, {6, 7}, 0, 4);
  poly.powers = {0, 0, 1, 1, 2, 0, 0, 2};
  auto one_hot = op(K::one_hot, {5}, 0, 4);
  one_hot.category_counts = {5};
  one_hot.numeric_categories = {0, 1, 2, 3, 0};
  one_hot.missing_category = {4};
  one_hot.drop = {1};
  one_hot.unknown = mlmap::OpSpec::Unknown::ignore;
  auto ordinal = op(K::ordinal, {4}, 0, 1);
  ordinal.category_counts = {3};
  ordinal.numeric_categories = {-1, 0, 1};
  ordinal.category_order = {2, 0, 1};
  ordinal.missing_category = {-1};
  ordinal.unknown = mlmap::OpSpec::Unknown::use_value;
  ordinal.unknown_value = -1;
  const auto p = chain({impute, op(K::missing_indicator, {0, 1}, 0, 2), standardize, min_max, max_abs,
                        op(K::normalize, {6, 7}, 0, 2), poly, one_hot, ordinal},
                       6);
  const size_t width = p.features.size();
  mlmap::TreeEnsembleBuilder b(width, 1, 1, mlmap::Aggregation::sum);
  for (int i = 0; i < 6; ++i) {
    auto t = random_tree(rng, width, 4, 1, true, 0);
    auto st = b.add_tree(t.view());
    if (!st) return st;
  }
  return save_trees(path, d, b, &p, layout);
}

}  // namespace

mlmap::OpSpec op(mlmap::OpSpec::Kind kind, std::vector<uint32_t> inputs, uint32_t out_begin, uint32_t n_out) {
  mlmap::OpSpec o;
  o.kind = kind;
  o.inputs = std::move(inputs);
  o.out_begin = out_begin;
  o.n_out = n_out;
  return o;
}

mlmap::PreprocessingSpec chain(std::vector<mlmap::OpSpec> ops, uint32_t n_inputs,
                               std::optional<std::vector<uint32_t>> features) {
  mlmap::PreprocessingSpec p;
  uint32_t next = n_inputs;
  for (auto& o : ops) {
    o.out_begin = next;
    next += o.n_out;
  }
  p.ops = std::move(ops);
  p.n_slots = next;
  p.n_string_slots = n_inputs;
  if (features) {
    p.features = std::move(*features);
  } else {
    for (uint32_t s = n_inputs; s < next; ++s) p.features.push_back(s);
  }
  return p;
}

mlmap::ModelDescription pipeline_description(size_t n_inputs, size_t n_outputs, std::vector<std::string> names) {
  mlmap::ModelDescription d;
  d.estimator = "test.Pipeline";
  d.n_features = n_inputs;
  d.n_outputs = n_outputs;
  d.feature_names = std::move(names);
  return d;
}

mlmap::DenseNetworkSpec one_layer(size_t n_in, std::vector<double> weights) {
  mlmap::DenseLayerSpec L;
  L.n_in = n_in;
  L.n_out = weights.size() / n_in;
  L.weights = std::move(weights);
  mlmap::DenseNetworkSpec net;
  net.layers = {L};
  return net;
}

mlmap::DenseNetworkSpec identity(size_t n) {
  std::vector<double> w(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) w[i * n + i] = 1.0;
  return one_layer(n, std::move(w));
}

std::vector<Sample> all_samples() {
  std::vector<Sample> out;
  for (int k = 0; k <= static_cast<int>(Sample::boosted_multiclass_numeric); ++k) out.push_back(static_cast<Sample>(k));
  return out;
}

namespace {

std::vector<double> normals(std::mt19937_64& rng, size_t n, double scale = 1.0) {
  std::normal_distribution<double> g(0, scale);
  std::vector<double> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

void integer_classes(mlmap::ModelDescription& d, size_t n) {
  d.task = mlmap::Task::classification;
  d.n_outputs = n;
  d.classes.kind = mlmap::ClassLabels::Kind::integers;
  d.classes.integers.clear();
  for (size_t i = 0; i < n; ++i) d.classes.integers.push_back(static_cast<int64_t>(10 * i + 1));
}

// A 3-class neighbours classifier over n stored rows of 6 features (normal,
// sd 1.5) with random labels: the rows and labels the spec points to.
struct NeighborsClassifierData {
  std::vector<double> rows;
  std::vector<uint32_t> labels;
  mlmap::NeighborsSpec spec;
};

NeighborsClassifierData neighbors_classifier_data(mlmap::ModelDescription& d, std::mt19937_64& rng, size_t n,
                                                  const char* estimator) {
  d.estimator = estimator;
  integer_classes(d, 3);
  d.link = mlmap::LinkFunction::normalize;
  d.class_decision = mlmap::ClassDecision::argmax_raw;
  NeighborsClassifierData data;
  data.rows = normals(rng, n * 6, 1.5);
  data.labels.resize(n);
  for (auto& l : data.labels) l = static_cast<uint32_t>(rng() % 3);
  data.spec.samples.rows64 = data.rows.data();
  data.spec.samples.n_rows = n;
  data.spec.samples.n_features = 6;
  data.spec.labels = data.labels.data();
  return data;
}

void outlier_detector(mlmap::ModelDescription& d, mlmap::ClassDecision decision, double offset) {
  d.task = mlmap::Task::outlier_detection;
  d.n_outputs = 1;
  d.classes.kind = mlmap::ClassLabels::Kind::integers;
  d.classes.integers = {-1, 1};
  d.decision_function = mlmap::DecisionFunction::output_minus_offset;
  d.decision_offset = offset;
  d.class_decision = decision;
}

// Support vectors and coefficients of a random kernel machine.
mlmap::KernelMachineSpec random_machine(std::mt19937_64& rng, std::vector<double>& vectors, size_t n,
                                        mlmap::Kernel kernel, std::vector<uint32_t> n_support) {
  vectors = normals(rng, n * 6);
  mlmap::KernelMachineSpec k;
  k.support_vectors.rows64 = vectors.data();
  k.support_vectors.n_rows = n;
  k.support_vectors.n_features = 6;
  k.kernel = kernel;
  k.gamma = 0.3;
  k.coef0 = 0.5;
  k.degree = 3;
  k.n_support = std::move(n_support);
  const size_t classes = k.n_support.size();
  k.dual_coef = normals(rng, (classes >= 2 ? classes - 1 : 1) * n);
  k.intercept = normals(rng, classes >= 2 ? classes * (classes - 1) / 2 : 1, 0.2);
  return k;
}

}  // namespace

mlmap::Status save_sample(const std::string& path, Sample kind, uint64_t seed, mlmap::writer::BitvectorLayout layout) {
  auto save = [layout](const std::string& p, const mlmap::ModelDescription& d, const mlmap::TreeEnsembleBuilder& b) {
    return save_trees(p, d, b, nullptr, layout);
  };
  std::mt19937_64 rng(seed);
  mlmap::ModelDescription d;
  d.n_features = 6;
  d.feature_names = {"a", "b", "c", "d", "e", "f"};
  d.provenance.source_library = "mlmap-tests";
  d.metadata = {{"purpose", "unit test"}};
  switch (kind) {
    case Sample::forest_classifier: {
      d.estimator = "test.Forest";
      d.task = mlmap::Task::classification;
      d.n_outputs = 3;
      d.classes.kind = mlmap::ClassLabels::Kind::integers;
      d.classes.integers = {-1, 4, 9};
      mlmap::TreeEnsembleBuilder b(6, 3, 3, mlmap::Aggregation::mean);
      for (int i = 0; i < 12; ++i) {
        auto t = random_tree(rng, 6, 5, 3, false, 0);
        mlmap::TreeOptions o;
        o.normalize_leaves = true;
        auto st = b.add_tree(t.view(), o);
        if (!st) return st;
      }
      return save(path, d, b);
    }
    case Sample::boosted_binary: {
      d.estimator = "test.Boosted";
      d.task = mlmap::Task::classification;
      d.n_outputs = 2;
      d.classes.kind = mlmap::ClassLabels::Kind::strings;
      d.classes.strings = {"no", "yes"};
      d.link = mlmap::LinkFunction::logistic;
      d.base_score = {0.25};
      mlmap::TreeEnsembleBuilder b(6, 1, 1, mlmap::Aggregation::sum);
      const uint32_t sets[2][2] = {{0x0000000Fu, 0u}, {0xF0F0F0F0u, 0x1u}};
      b.add_category_set(sets[0], 2);
      b.add_category_set(sets[1], 2);
      auto st = add_random_trees(b, rng, 10, 4, true, 2, 0.1);
      return st ? save(path, d, b) : st;
    }
    case Sample::regressor: {
      d.estimator = "test.Regressor";
      d.task = mlmap::Task::regression;
      d.n_outputs = 2;
      mlmap::TreeEnsembleBuilder b(6, 2, 2, mlmap::Aggregation::mean);
      for (int i = 0; i < 5; ++i) {
        auto t = random_tree(rng, 6, 6, 2, false, 0);
        auto st = b.add_tree(t.view());
        if (!st) return st;
      }
      return save(path, d, b);
    }
    case Sample::boosted_multiclass: {
      d.estimator = "test.BoostedMulticlass";
      d.task = mlmap::Task::classification;
      d.n_outputs = 3;
      d.classes.kind = mlmap::ClassLabels::Kind::strings;
      d.classes.strings = {"a", "b", "c"};
      d.link = mlmap::LinkFunction::softmax;
      d.base_score = {0.1, -0.2, 0.3};
      mlmap::TreeEnsembleBuilder b(6, 1, 3, mlmap::Aggregation::sum);
      const uint32_t set[2] = {0x0F0F0F0Fu, 0x3u};
      b.add_category_set(set, 2);
      auto st = add_class_trees(b, rng, 18, 3, [](int i) { return 3u + i % 4; }, 1, 0.3);
      return st ? save(path, d, b) : st;
    }
    case Sample::boosted_multiclass_numeric: {
      d.estimator = "test.BoostedMulticlassNumeric";
      d.task = mlmap::Task::classification;
      d.n_outputs = 4;
      d.classes.kind = mlmap::ClassLabels::Kind::integers;
      d.classes.integers = {0, 1, 2, 3};
      d.link = mlmap::LinkFunction::softmax;
      d.base_score = {0.5, 0.5, 0.5, 0.5};
      mlmap::TreeEnsembleBuilder b(6, 1, 4, mlmap::Aggregation::sum);
      // Depths 0 to 6 in turn, so every class gets trees of one and of two
      // bit-vector words; seed 1 stops at depth 5: every tree one word (the
      // kernels' one-word path).
      const int depths = seed == 1 ? 6 : 7;
      auto st = add_class_trees(b, rng, 28, 4, [depths](int i) { return static_cast<uint32_t>(i % depths); }, 0, 0.2);
      return st ? save(path, d, b) : st;
    }
    case Sample::float64_thresholds: {
      d.estimator = "test.Float64";
      d.task = mlmap::Task::regression;
      d.n_outputs = 1;
      d.link = mlmap::LinkFunction::exp;
      mlmap::TreeEnsembleBuilder b(6, 1, 1, mlmap::Aggregation::sum, mlmap::SplitRule::less_equal,
                                   mlmap::ThresholdType::float64);
      auto st = add_random_trees(b, rng, 8, 5, true, 0, 0.05);
      return st ? save(path, d, b) : st;
    }
    case Sample::large_trees: {
      d.estimator = "test.LargeTrees";
      d.task = mlmap::Task::classification;
      d.n_outputs = 2;
      d.classes.kind = mlmap::ClassLabels::Kind::integers;
      d.classes.integers = {0, 1};
      d.link = mlmap::LinkFunction::logistic;
      mlmap::TreeEnsembleBuilder b(6, 1, 1, mlmap::Aggregation::sum);
      const uint32_t set[2] = {0x5555AAAAu, 0x2u};
      b.add_category_set(set, 2);
      auto st = add_random_trees(b, rng, 3, 20, true, 1, 0.1);
      return st ? save(path, d, b) : st;
    }
    case Sample::wide_input: {
      d.estimator = "test.WideInput";
      d.task = mlmap::Task::regression;
      d.n_features = 300;
      d.feature_names.clear();
      d.n_outputs = 2;
      mlmap::TreeEnsembleBuilder b(300, 1, 2, mlmap::Aggregation::sum);
      for (int i = 0; i < 24; ++i) {
        auto t = random_tree(rng, 300, 2 + i % 6, 1, true, 0);
        mlmap::TreeOptions o;
        o.output = static_cast<uint32_t>(i % 2);
        auto st = b.add_tree(t.view(), o);
        if (!st) return st;
      }
      return save(path, d, b);
    }
    case Sample::multi_output_forest: {
      d.estimator = "test.MultiOutputForest";
      d.task = mlmap::Task::classification;
      d.n_outputs = 5;
      d.classes.kind = mlmap::ClassLabels::Kind::integers;
      d.classes.integers = {0, 1, 0, 1, 2};
      d.class_decision = mlmap::ClassDecision::argmax_outputs_per_group;
      d.output_groups = {2, 3};
      mlmap::TreeEnsembleBuilder b(6, 5, 5, mlmap::Aggregation::mean);
      for (int i = 0; i < 8; ++i) {
        auto t = random_tree(rng, 6, 5, 5, false, 0);
        mlmap::TreeOptions o;
        o.normalize_leaves = true;
        auto st = b.add_tree(t.view(), o);
        if (!st) return st;
      }
      return save(path, d, b);
    }
    case Sample::wide_trees: {
      d.estimator = "test.WideTrees";
      d.task = mlmap::Task::regression;
      d.n_outputs = 1;
      mlmap::TreeEnsembleBuilder b(6, 1, 1, mlmap::Aggregation::sum);
      // A single leaf, then trees of up to 8, 16, 32, 64 and ~500 leaves,
      // with training covers.
      for (uint32_t depth : {0u, 3u, 4u, 5u, 6u, 9u, 2u, 9u, 7u, 1u}) {
        auto st = add_random_trees(b, rng, 1, depth, true, 0, 0.5, /*covers=*/true);
        if (!st) return st;
      }
      return save(path, d, b);
    }
    case Sample::pipeline: return save_pipeline_sample(path, d, rng, layout);
    case Sample::dense_every_kind: {
      d.estimator = "test.DenseEveryKind";
      d.n_outputs = 3;
      std::normal_distribution<float> g(0, 0.5f);
      auto values = [&](size_t n) {
        std::vector<double> v(n);
        for (auto& x : v) x = g(rng);
        return v;
      };
      using mlmap::LayerKind;
      mlmap::DenseNetworkSpec net;
      mlmap::DenseLayerSpec L;
      L.n_in = 6, L.n_out = 8, L.float32 = true, L.weights = values(48), L.bias = values(8);
      L.activation = mlmap::Activation::relu, L.relu_max = 6;
      net.layers.push_back(L);
      L = {};
      L.kind = LayerKind::affine, L.n_in = L.n_out = 8, L.float32 = true, L.weights = values(8), L.bias = values(8);
      L.activation = mlmap::Activation::prelu, L.alpha = values(8);
      net.layers.push_back(L);
      L = {};
      L.kind = LayerKind::layer_norm, L.n_in = L.n_out = 8, L.float32 = true, L.weights = values(8), L.bias = values(8);
      L.epsilon = 1e-3, L.activation = mlmap::Activation::gelu;
      net.layers.push_back(L);
      L = {};
      L.n_in = 8, L.n_out = 3, L.weights = values(24), L.bias = values(3);
      net.layers.push_back(L);
      return mlmap::save(path, d, net);
    }
    case Sample::neighbors_classifier: {
      auto data = neighbors_classifier_data(d, rng, 203, "test.KNeighborsClassifier");
      data.spec.n_neighbors = 5;
      data.spec.weights = mlmap::NeighborWeights::distance;
      return mlmap::save(path, d, data.spec);
    }
    case Sample::neighbors_multi_output: {
      d.estimator = "test.KNeighborsClassifier";
      d.task = mlmap::Task::classification;
      d.n_outputs = 5;
      d.classes.kind = mlmap::ClassLabels::Kind::integers;
      d.classes.integers = {0, 1, 0, 1, 2};
      d.link = mlmap::LinkFunction::normalize;
      d.class_decision = mlmap::ClassDecision::argmax_outputs_per_group;
      d.output_groups = {2, 3};
      const size_t n = 61;
      auto rows = normals(rng, n * 6, 1.5);
      std::vector<uint32_t> labels(n * 2);  // each row's slot in group 0 ([0, 2)), then group 1 ([2, 5))
      for (size_t i = 0; i < n; ++i) {
        labels[2 * i] = static_cast<uint32_t>(rng() % 2);
        labels[2 * i + 1] = 2 + static_cast<uint32_t>(rng() % 3);
      }
      mlmap::NeighborsSpec nb;
      nb.samples.rows64 = rows.data();
      nb.samples.n_rows = n;
      nb.samples.n_features = 6;
      nb.n_neighbors = 4;
      nb.labels = labels.data();
      nb.n_label_outputs = 2;
      return mlmap::save(path, d, nb);
    }
    case Sample::neighbors_radius: {
      auto data = neighbors_classifier_data(d, rng, 90, "test.RadiusNeighborsClassifier");
      data.spec.metric = mlmap::Metric::manhattan;
      data.spec.weights = mlmap::NeighborWeights::distance;
      data.spec.reduced_radius = 6.0;
      data.spec.outlier_slots = {1};
      return mlmap::save(path, d, data.spec);
    }
    case Sample::neighbors_regressor: {
      d.estimator = "test.KNeighborsRegressor";
      d.task = mlmap::Task::regression;
      d.n_outputs = 2;
      const size_t n = 150;
      auto values = normals(rng, n * 6, 1.5);
      std::vector<float> rows(values.begin(), values.end());
      auto targets = normals(rng, n * 2, 10);
      mlmap::NeighborsSpec nb;
      nb.samples.rows32 = rows.data();
      nb.samples.n_rows = n;
      nb.samples.n_features = 6;
      nb.n_neighbors = 7;
      nb.metric = mlmap::Metric::manhattan;
      nb.targets = targets.data();
      nb.n_targets = 2;
      return mlmap::save(path, d, nb);
    }
    case Sample::svm_classifier: {
      d.estimator = "test.SVC";
      integer_classes(d, 4);
      d.link = mlmap::LinkFunction::pairwise_coupling;
      d.prob_a = normals(rng, 6, 2);
      d.prob_b = normals(rng, 6, 0.3);
      d.class_decision = mlmap::ClassDecision::ovo_votes;
      d.decision_function = mlmap::DecisionFunction::ovo_to_ovr;
      std::vector<double> vectors;
      const auto k = random_machine(rng, vectors, 37, mlmap::Kernel::rbf, {10, 12, 9, 6});
      return mlmap::save(path, d, k);
    }
    case Sample::svm_regressor: {
      d.estimator = "test.SVR";
      d.task = mlmap::Task::regression;
      d.n_outputs = 1;
      std::vector<double> vectors;
      const auto k = random_machine(rng, vectors, 29, mlmap::Kernel::polynomial, {});
      return mlmap::save(path, d, k);
    }
    case Sample::svm_outliers: {
      d.estimator = "test.OneClassSVM";
      outlier_detector(d, mlmap::ClassDecision::decision_positive, 0.2);
      std::vector<double> vectors;
      auto k = random_machine(rng, vectors, 17, mlmap::Kernel::sigmoid, {});
      k.intercept = {0.0};
      return mlmap::save(path, d, k);
    }
    case Sample::naive_bayes_gaussian:
    case Sample::naive_bayes_bernoulli:
    case Sample::naive_bayes_categorical: {
      d.estimator = "test.NaiveBayes";
      const size_t C = kind == Sample::naive_bayes_bernoulli ? 2 : 3, F = 6;
      integer_classes(d, C);
      d.link = mlmap::LinkFunction::softmax;
      d.class_decision = mlmap::ClassDecision::argmax_raw;
      mlmap::NaiveBayesSpec nb;
      nb.n_classes = C;
      nb.n_features = F;
      nb.bias = normals(rng, C);
      if (kind == Sample::naive_bayes_gaussian) {
        nb.kind = mlmap::NaiveBayesKind::gaussian;
        nb.theta = normals(rng, C * F);
        for (size_t i = 0; i < C * F; ++i) nb.var.push_back(0.5 + static_cast<double>(rng() % 100) / 50);
        nb.log_norm = normals(rng, C);
      } else if (kind == Sample::naive_bayes_bernoulli) {
        nb.kind = mlmap::NaiveBayesKind::bernoulli;
        nb.threshold = 0.25;
        nb.weights = normals(rng, C * F);
      } else {
        nb.kind = mlmap::NaiveBayesKind::categorical;
        nb.category_counts = {3, 4, 2, 5, 3, 2};
        for (uint32_t c : nb.category_counts)
          for (double v : normals(rng, C * c)) nb.log_probs.push_back(-std::fabs(v));
      }
      return mlmap::save(path, d, nb);
    }
    case Sample::isolation_forest: {
      d.estimator = "test.IsolationForest";
      outlier_detector(d, mlmap::ClassDecision::decision_nonnegative, -0.7);
      d.link = mlmap::LinkFunction::isolation;
      d.link_scale = 1.0 / 40;
      mlmap::TreeEnsembleBuilder b(6, 1, 1, mlmap::Aggregation::sum);
      auto st = add_random_trees(b, rng, 8, 6, false, 0, 1.0);
      return st ? save(path, d, b) : st;
    }
  }
  return mlmap::Error(mlmap::error_code::invalid_argument, "unknown sample");
}

std::vector<float> random_rows(std::mt19937_64& rng, size_t rows, size_t n_features, double nan_rate) {
  std::uniform_real_distribution<float> u(-3, 3);
  std::uniform_real_distribution<double> p(0, 1);
  std::vector<float> x(rows * n_features);
  for (auto& v : x) v = p(rng) < nan_rate ? std::numeric_limits<float>::quiet_NaN() : u(rng);
  // Feature 0 doubles as a category code in the boosted sample.
  for (size_t r = 0; r < rows; ++r)
    if (!std::isnan(x[r * n_features])) x[r * n_features] = static_cast<float>(rng() % 40);
  return x;
}

void fix_checksums(std::vector<uint8_t>& file) {
  auto pre = mlmap::format::decode_preamble(file.data(), file.size());
  if (!pre) throw std::runtime_error("fix_checksums: " + pre.message());
  uint8_t* hdr = file.data() + 64;
  flatbuffers::Verifier verifier(hdr, pre->header_length);
  if (!mlmap::fb::VerifyHeaderBuffer(verifier)) throw std::runtime_error("fix_checksums: header does not verify");
  auto* header = mlmap::fb::GetMutableHeader(hdr);
  auto* columns = header->mutable_columns();
  for (uint32_t i = 0; i < columns->size(); ++i) {
    auto* c = columns->GetMutableObject(i);
    if (c->offset() <= file.size() && c->length() <= file.size() - c->offset())
      c->mutate_checksum(mlmap::format::checksum64(file.data() + c->offset(), c->length()));
  }
  pre->header_hash = mlmap::format::checksum128(hdr, pre->header_length);
  mlmap::format::encode_preamble(*pre, file.data());
}

std::vector<uint8_t> made_consistent(const uint8_t* data, size_t size) {
  if (size < 64 || std::memcmp(data, "MLMAP\r\n\x1a", 8) != 0) return {};
  std::vector<uint8_t> bytes(data, data + size);
  const uint64_t length = size;
  std::memcpy(bytes.data() + 32, &length, sizeof length);
  try {
    fix_checksums(bytes);
  } catch (const std::exception&) {
    uint64_t h;
    std::memcpy(&h, bytes.data() + 24, sizeof h);
    if (h < 8 || h > size - 64) return {};
    const auto hash = mlmap::format::checksum128(bytes.data() + 64, h);
    std::memcpy(bytes.data() + 40, &hash.low, 8);
    std::memcpy(bytes.data() + 48, &hash.high, 8);
  }
  return bytes;
}

}  // namespace test
