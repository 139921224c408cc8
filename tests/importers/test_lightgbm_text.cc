// The LightGBM text importer on generated, real and hostile models: random
// trees (every decision_type, thresholds at and around the 1e-35 zero band,
// category sets with and without category 0) must predict exactly as a direct
// port of LightGBM 4.7's Tree::GetLeaf / Decision / the row reader's zero
// filter says, on inputs chosen at every boundary; small models LightGBM wrote
// (lightgbm_samples.hpp) import with the right description; every malformed,
// inconsistent or out-of-range file gives import_failed (or unsupported_model
// for what mlmap cannot represent) with a message naming the line, tree and
// field, never a crash.  Parity with lightgbm itself: test_lightgbm.py.
#include <doctest/doctest.h>

#include <unistd.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "importers/lightgbm_text.hpp"
#include "lightgbm_samples.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/mlmap.hpp"
#include "mlmap_generated.h"

namespace {

using mlmap::error_code;
namespace lgb = mlmap::importers::lightgbm;

const double kZ = static_cast<double>(1e-35f);  // LightGBM's kZeroThreshold
const double inf = std::numeric_limits<double>::infinity();
const double NaN = std::numeric_limits<double>::quiet_NaN();

// --- a LightGBM tree and LightGBM's own predict of it --------------------------------

struct LTree {
  std::vector<int> feature, left, right, decision;
  std::vector<double> threshold, leaf;
  std::vector<std::vector<uint32_t>> sets;  // cat_threshold words of each category set
  int num_cat() const { return static_cast<int>(sets.size()); }
};

/// tree.h: NumericalDecision, CategoricalDecision, Decision, GetLeaf, on a
/// value that went through RowPairFunctionFromDenseMatrix (|x| <= kZ -> 0).
int lightgbm_leaf(const LTree& t, const std::vector<double>& row) {
  if (t.leaf.size() == 1) return 0;
  int node = 0;
  while (node >= 0) {
    double fval = row[static_cast<size_t>(t.feature[node])];
    if (!(std::fabs(fval) > kZ || std::isnan(fval))) fval = 0.0;  // the row reader's filter
    const int dt = t.decision[node];
    if (t.num_cat() > 0 && (dt & 1)) {
      if (std::isnan(fval)) {
        node = t.right[node];
        continue;
      }
      // static_cast<int>: x86's cvttsd2si gives INT_MIN out of range.
      const int c = fval > -2147483649.0 && fval < 2147483648.0 ? static_cast<int>(fval) : INT_MIN;
      if (c < 0) {
        node = t.right[node];
        continue;
      }
      const auto& words = t.sets[static_cast<size_t>(t.threshold[node])];
      const bool in = static_cast<size_t>(c / 32) < words.size() && ((words[c / 32] >> (c % 32)) & 1);
      node = in ? t.left[node] : t.right[node];
      continue;
    }
    const int missing = (dt >> 2) & 3;
    if (std::isnan(fval) && missing != 2) fval = 0.0;
    const bool is_zero = fval >= -kZ && fval <= kZ;
    if ((missing == 1 && is_zero) || (missing == 2 && std::isnan(fval))) {
      node = (dt & 2) ? t.left[node] : t.right[node];
    } else {
      node = fval <= t.threshold[node] ? t.left[node] : t.right[node];
    }
  }
  return ~node;
}

std::string doubles(const std::vector<double>& v) {
  std::string s;
  char buf[40];
  for (double x : v) {
    std::snprintf(buf, sizeof buf, "%.17g", x);
    s += (s.empty() ? "" : " ") + std::string(buf);
  }
  return s;
}

template <class T>
std::string ints(const std::vector<T>& v) {
  std::string s;
  for (auto x : v) s += (s.empty() ? "" : " ") + std::to_string(x);
  return s;
}

std::string tree_text(const LTree& t, size_t index) {
  std::string s = "Tree=" + std::to_string(index) + "\nnum_leaves=" + std::to_string(t.leaf.size()) +
                  "\nnum_cat=" + std::to_string(t.num_cat()) + "\n";
  if (t.leaf.size() > 1) {
    s += "split_feature=" + ints(t.feature) + "\nsplit_gain=" + doubles(std::vector<double>(t.feature.size(), 1.0)) +
         "\nthreshold=" + doubles(t.threshold) + "\ndecision_type=" + ints(t.decision) + "\nleft_child=" + ints(t.left) +
         "\nright_child=" + ints(t.right) + "\n";
  }
  s += "leaf_value=" + doubles(t.leaf) + "\n";
  if (t.num_cat() > 0) {
    std::vector<int> bounds{0};
    std::vector<uint32_t> words;
    for (const auto& w : t.sets) {
      words.insert(words.end(), w.begin(), w.end());
      bounds.push_back(static_cast<int>(words.size()));
    }
    s += "cat_boundaries=" + ints(bounds) + "\ncat_threshold=" + ints(words) + "\n";
  }
  return s + "is_linear=0\nshrinkage=1\n\n\n";
}

struct LModel {
  std::string objective = "regression";
  int num_class = 1, per_iteration = 1, n_features = 4;
  bool average = false;
  std::vector<LTree> trees;
  std::string tail;  // after "end of trees"
};

std::string model_text(const LModel& m) {
  std::string names, infos;
  for (int f = 0; f < m.n_features; ++f) {
    names += (f ? " f" : "f") + std::to_string(f);
    infos += f ? " [-1:1]" : "[-1:1]";
  }
  std::string s = "tree\nversion=v4\nnum_class=" + std::to_string(m.num_class) +
                  "\nnum_tree_per_iteration=" + std::to_string(m.per_iteration) +
                  "\nlabel_index=0\nmax_feature_idx=" + std::to_string(m.n_features - 1) + "\nobjective=" + m.objective +
                  "\n" + (m.average ? "average_output\n" : "") + "feature_names=" + names + "\nfeature_infos=" + infos +
                  "\ntree_sizes=" + ints(std::vector<int>(m.trees.size(), 1)) + "\n\n";
  for (size_t i = 0; i < m.trees.size(); ++i) s += tree_text(m.trees[i], i);
  return s + "end of trees\n\nfeature_importances:\n" + m.tail;
}

// --- random trees ------------------------------------------------------------------------

std::vector<double> threshold_pool() {
  return {0.0, kZ, -kZ, std::nextafter(kZ, 1.0), std::nextafter(-kZ, -1.0), 1e-36, -1e-36, 5e-36, -5e-36,
          2e-35, -2e-35, 0.5, -0.5, 1.0, -1.0, 2.5, 1700000000.25, 1700000000.5, -3.0, 1e300, -1e300, inf, -inf};
}

std::vector<double> input_pool() {
  std::vector<double> v = threshold_pool();
  for (double t : threshold_pool()) {
    v.push_back(std::nextafter(t, inf));
    v.push_back(std::nextafter(t, -inf));
  }
  for (double x : {NaN, -0.0, 3.0, 5.0, 31.0, 32.0, 33.0, 63.9, 64.0, 100.0, -0.999, -1.0000001, 0.999999, 1e6,
                   3e9, -3e9, 2147483647.5, 1e-320, -1e-320, 1.5, 4.0, 7.0})
    v.push_back(x);
  return v;
}

LTree random_tree(std::mt19937_64& rng, int n_features, bool categorical, int max_leaves) {
  LTree t;
  const int n_leaves = 1 + static_cast<int>(rng() % static_cast<uint64_t>(max_leaves));
  const auto pool = threshold_pool();
  std::uniform_real_distribution<double> value(-1, 1);
  // Grow leaf-wise as LightGBM does: split a random leaf.
  std::vector<std::pair<int, bool>> leaves{{-1, false}};  // (parent node, is left child) of each leaf
  for (int split = 0; split + 1 < n_leaves; ++split) {
    const size_t pick = rng() % leaves.size();
    const int node = static_cast<int>(t.feature.size());
    const auto [parent, is_left] = leaves[pick];
    if (parent >= 0) (is_left ? t.left : t.right)[static_cast<size_t>(parent)] = node;
    t.feature.push_back(static_cast<int>(rng() % static_cast<uint64_t>(n_features)));
    int dt = static_cast<int>(rng() % 12);  // bits 0-3, missing type 0-2
    if (!categorical) dt &= ~1;
    if (dt & 1) {
      std::vector<uint32_t> words(1 + rng() % 3);
      for (auto& w : words) w = static_cast<uint32_t>(rng()) & static_cast<uint32_t>(rng());
      if (rng() % 2) words[0] |= 1;  // category 0 in the set: the (-1, 0) rewrite
      t.threshold.push_back(static_cast<double>(t.sets.size()));
      t.sets.push_back(words);
    } else {
      t.threshold.push_back(pool[rng() % pool.size()]);
    }
    t.decision.push_back(dt);
    t.left.push_back(0);
    t.right.push_back(0);
    leaves[pick] = {node, true};
    leaves.push_back({node, false});
  }
  // Leaves get their numbers in order of creation; children point at ~leaf.
  t.leaf.resize(leaves.size());
  for (size_t k = 0; k < leaves.size(); ++k) {
    t.leaf[k] = std::round(value(rng) * 1e6) / 1e3;
    const auto [parent, is_left] = leaves[k];
    if (parent >= 0) (is_left ? t.left : t.right)[static_cast<size_t>(parent)] = ~static_cast<int>(k);
  }
  return t;
}

std::string temp_path(const std::string& name) {
  static std::string dir;
  if (dir.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/mlmap-lgb-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  return dir + "/" + name;
}

mlmap::Model load(const std::string& text, const mlmap::ImportOptions& options = {}) {
  const std::string path = temp_path("model.mlmap");
  auto st = mlmap::convert_lightgbm_text(text, path, options);
  REQUIRE_MESSAGE(st.ok(), st.error().describe());
  mlmap::OpenOptions o;
  o.verify = true;
  auto m = mlmap::Model::open(path, o);
  REQUIRE_MESSAGE(m.ok(), m.error().describe());
  return *m;
}

// Whether the (verified) model file at `path` has the trees' leaf bit-vector
// layout (FORMAT.md §5.1.1): a 1.1 feature beside LogisticEach, written where
// the writer's cost model says the bit-vector kernel pays off.
bool has_leaf_bitvectors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  REQUIRE(bytes.size() > 64);
  const auto* model = mlmap::fb::GetHeader(bytes.data() + 64)->model();
  const auto* trees = model ? model->predictor_as_TreeEnsemble() : nullptr;
  return trees && trees->leaf_bitvectors();
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, (std::string("'") + from + "' not in the model"));
  return s.replace(at, from.size(), to);
}

void expect_error(const std::string& text, error_code code, const std::string& needle,
                  const mlmap::ImportOptions& options = {}) {
  auto r = mlmap::import_lightgbm_text(text, options);
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(r.code() == code, r.error().describe());
  CHECK_MESSAGE(r.message().find(needle) != std::string::npos,
                (std::string("message '") + r.message() + "' does not contain '" + needle + "'"));
}

/// A small valid model: one numeric and one categorical split.
LModel small() {
  LModel m;
  LTree t;
  t.feature = {0, 1};
  t.threshold = {0.5, 0};
  t.decision = {2 | (2 << 2), 1};
  t.left = {1, ~1};
  t.right = {~0, ~2};
  t.leaf = {1.0, 2.0, 3.0};
  t.sets = {{0b1010}};
  m.trees = {t, t};
  return m;
}

}  // namespace

// --- tokens ----------------------------------------------------------------------------------

TEST_CASE("LightGBM numbers: %.17g doubles round once; inf and nan; nothing else") {
  double d = 0;
  CHECK(lgb::parse_double("1.0000000180025095e-35", d));
  CHECK(d == kZ);
  CHECK(lgb::parse_double("-0.35967673976475922", d));
  CHECK(d == -0.35967673976475922);
  CHECK(lgb::parse_double("1700000000.25", d));
  CHECK(d == 1700000000.25);
  CHECK((lgb::parse_double("inf", d) && d == inf));
  CHECK((lgb::parse_double("-inf", d) && d == -inf));
  CHECK((lgb::parse_double("nan", d) && std::isnan(d)));
  CHECK(lgb::parse_double("1e-320", d));  // subnormal
  CHECK(d == 1e-320);
  for (const char* bad : {"", "-", ".5", "1.", "1e", "1e+", "0x10", "1,5", " 1", "1 ", "infinity", "1e400", "--1", "+1"})
    CHECK_MESSAGE(!lgb::parse_double(bad, d), bad);
  long long i = 0;
  CHECK((lgb::parse_integer("-12", i) && i == -12));
  for (const char* bad : {"", "-", "1.0", "1e3", "99999999999999999999", "+1", " 1"})
    CHECK_MESSAGE(!lgb::parse_integer(bad, i), bad);
}

// --- semantics -----------------------------------------------------------------------------

TEST_CASE("random trees predict exactly as LightGBM's GetLeaf, at every boundary") {
  std::mt19937_64 rng(7);
  const auto pool = input_pool();
  size_t compared = 0, grown = 0;
  for (int round = 0; round < 60; ++round) {
    LModel m;
    m.n_features = 3;
    const bool categorical = round % 3 != 0;
    const int n_trees = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n_trees; ++k) m.trees.push_back(random_tree(rng, m.n_features, categorical, round < 40 ? 12 : 40));
    CAPTURE(round);
    mlmap::Model model = load(model_text(m));
    size_t source_nodes = 0;
    for (const auto& t : m.trees) source_nodes += 2 * t.leaf.size() - 1;
    grown = std::max(grown, static_cast<size_t>(model.info().trees.n_nodes * 100 / source_nodes));
    // Rows: every value of the pool on each feature, the others random from it.
    std::vector<double> X;
    std::vector<std::vector<double>> rows;
    for (int f = 0; f < m.n_features; ++f)
      for (double v : pool) {
        std::vector<double> row(static_cast<size_t>(m.n_features));
        for (auto& x : row) x = pool[rng() % pool.size()];
        row[static_cast<size_t>(f)] = v;
        rows.push_back(row);
        X.insert(X.end(), row.begin(), row.end());
      }
    std::vector<double> out(rows.size());
    REQUIRE(model.predict(X.data(), rows.size(), out.data()).ok());
    for (size_t r = 0; r < rows.size(); ++r) {
      double expected = 0;
      for (const auto& t : m.trees) expected += t.leaf[static_cast<size_t>(lightgbm_leaf(t, rows[r]))];
      CHECK_MESSAGE(out[r] == expected, "row " << r << ": " << rows[r][0] << " " << rows[r][1] << " " << rows[r][2]);
      ++compared;
    }
  }
  MESSAGE("compared " << compared << " rows; largest growth of a model's nodes: " << grown << "%");
}

TEST_CASE("the zero band and the missing types, node by node") {
  // One split on feature 0: leaf 0 left, leaf 1 right.
  auto one_split = [](double threshold, int decision) {
    LModel m;
    LTree t;
    t.feature = {0};
    t.threshold = {threshold};
    t.decision = {decision};
    t.left = {~0};
    t.right = {~1};
    t.leaf = {-1.0, 1.0};
    m.trees = {t};
    return m;
  };
  const std::vector<double> inputs = {NaN, 0.0, -0.0, 1e-36, -1e-36, kZ, -kZ, 2e-35, -2e-35, 1.0, -1.0, inf, -inf};
  for (int missing : {0, 1, 2})
    for (int dl : {0, 2})
      for (double t : {-1.0, -2e-35, -kZ, -1e-36, 0.0, 1e-36, kZ, 2e-35, 1.0}) {
        const LModel m = one_split(t, dl | (missing << 2));
        mlmap::Model model = load(model_text(m));
        for (double x : inputs) {
          std::vector<double> row{x, 0, 0, 0};
          double got = 0;
          REQUIRE(model.predict(row.data(), 1, &got).ok());
          CHECK_MESSAGE(got == m.trees[0].leaf[static_cast<size_t>(lightgbm_leaf(m.trees[0], row))],
                        "missing " << missing << " default_left " << dl << " threshold " << t << " x " << x);
        }
      }
}

TEST_CASE("category 0 and fractional codes: (-1, 0) reads as category 0, -1 and below go right") {
  LModel m = small();
  m.trees[0].sets = {{0b1011}};  // 0, 1, 3
  m.trees[1].sets = {{0b1010}};  // 1, 3
  mlmap::Model model = load(model_text(m));
  for (double x : {-1.0, -0.999, -0.5, -0.0, 0.0, 0.5, 1.0, 1.99, 2.0, 3.5, 4.0, 31.9, 32.0, 1e9, 3e9, inf, -inf, NaN}) {
    std::vector<double> row{0.0, x, 0, 0};
    double got = 0;
    REQUIRE(model.predict(row.data(), 1, &got).ok());
    double expected = 0;
    for (const auto& t : m.trees) expected += t.leaf[static_cast<size_t>(lightgbm_leaf(t, row))];
    CHECK_MESSAGE(got == expected, "x = " << x);
  }
  // Features the pandas step feeds (codes or NaN) need no extra nodes.
  CHECK(model.info().trees.n_nodes > 2 * 5);
}

TEST_CASE("num_cat = 0 makes every node numeric, as LightGBM's GetLeaf does") {
  LModel m = small();
  m.trees[0].sets.clear();
  m.trees[0].threshold[1] = 2.0;  // read as a threshold now
  mlmap::Model model = load(model_text(m));
  for (double x : {1.0, 2.0, 3.0, NaN}) {
    std::vector<double> row{0.0, x, 0, 0};
    double got = 0;
    REQUIRE(model.predict(row.data(), 1, &got).ok());
    double expected = 0;
    for (const auto& t : m.trees) expected += t.leaf[static_cast<size_t>(lightgbm_leaf(t, row))];
    CHECK(got == expected);
  }
}

// --- models LightGBM wrote ----------------------------------------------------------------

TEST_CASE("real models: description, links, pandas step, rf averaging, format version") {
  SUBCASE("binary with pandas categoricals (strings and numbers)") {
    auto r = mlmap::import_lightgbm_text(lightgbm_samples::binary_pandas);
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    CHECK(r->description.task == mlmap::Task::classification);
    CHECK(r->description.link == mlmap::LinkFunction::logistic);
    CHECK(r->description.n_outputs == 2);
    CHECK(r->description.feature_names == std::vector<std::string>{"a", "city", "z", "size"});
    REQUIRE(r->preprocessing.has_value());
    const auto& p = *r->preprocessing;
    CHECK(p.string_inputs == std::vector<bool>{false, true, false, false});
    REQUIRE(p.ops.size() == 2);
    CHECK(p.ops[0].numeric_categories == std::vector<double>{0, 10, 20});  // sorted ...
    CHECK(p.ops[0].category_order == std::vector<uint32_t>{1, 2, 0});     // ... codes of [20, 0, 10]
    CHECK(p.ops[1].string_categories == std::vector<std::string>{"Lyon", "Paris"});
    CHECK(p.features == std::vector<uint32_t>{0, 5, 2, 4});
    // Through a Table: values, not the DataFrame's codes.
    mlmap::Model model = load(std::string(lightgbm_samples::binary_pandas));
    mlmap::Table table(3);
    const double a[] = {0.1, -1.0, NaN}, z[] = {0.0, 1.0, NaN}, size[] = {20, 10, 99};
    const std::string_view cities[] = {"Paris", "Lyon", "Rome"};
    const bool missing[] = {false, false, false};
    REQUIRE(table.add_numeric("a", a).ok());
    REQUIRE(table.add_strings("city", cities, missing).ok());
    REQUIRE(table.add_numeric("z", z).ok());
    REQUIRE(table.add_numeric("size", size).ok());
    std::vector<double> proba(6);
    REQUIRE(model.predict(table, proba.data()).ok());
    CHECK(std::fabs(proba[0] + proba[1] - 1) < 1e-12);
  }
  SUBCASE("multiclass with an integer-coded categorical feature") {
    auto r = mlmap::import_lightgbm_text(lightgbm_samples::multiclass_coded);
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    CHECK(r->description.link == mlmap::LinkFunction::softmax);
    CHECK(r->description.n_outputs == 3);
    CHECK(r->description.feature_names.empty());  // LightGBM's Column_i: no names
    CHECK(!r->preprocessing.has_value());
    CHECK(r->trees.n_trees() == 6);
  }
  SUBCASE("rf: leaves divided by the iterations") {
    auto r = mlmap::import_lightgbm_text(lightgbm_samples::rf_poisson);
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    CHECK(r->description.link == mlmap::LinkFunction::exp);
    bool average = false;
    for (const auto& [k, v] : r->description.metadata) average = average || (k == "lightgbm.average_output" && v == "1");
    CHECK(average);
  }
  SUBCASE("multiclassova: the LogisticEach link, written as format 1.1") {
    mlmap::Model model = load(std::string(lightgbm_samples::ova_no_missing));
    CHECK(std::string(model.info().link) == "logistic_each");
    CHECK(model.info().format.minor == 1);
    std::vector<double> row{0.3, 1, 0, 0.2}, out(3);
    REQUIRE(model.predict(row.data(), 1, out.data()).ok());
    double sum = 0;
    for (double p : out) sum += p;
    CHECK(std::fabs(sum - 1) > 1e-6);  // one-vs-all probabilities are not normalised
    // Not LogisticEach: 1.1 only if the writer gave the trees the bit-vector layout.
    mlmap::Model regression = load(std::string(lightgbm_samples::regression_zero));
    CHECK(regression.info().format.minor == (has_leaf_bitvectors(temp_path("model.mlmap")) ? 1 : 0));
  }
}

TEST_CASE("options: iterations, names, labels; pandas columns named or refused") {
  const std::string text(lightgbm_samples::multiclass_coded);
  mlmap::ImportOptions o;
  o.iteration_end = 1;
  auto r = mlmap::import_lightgbm_text(text, o);
  REQUIRE(r.ok());
  CHECK(r->trees.n_trees() == 3);
  o.iteration_end = 3;
  expect_error(text, error_code::invalid_argument, "keeping 3 iterations of a model that has 2", o);
  o = {};
  o.use_best_iteration = true;
  expect_error(text, error_code::invalid_argument, "records no best iteration", o);
  o = {};
  o.feature_names = {"a", "b", "c"};
  expect_error(text, error_code::invalid_argument, "3 feature names given for 4 features", o);
  o.feature_names = {"a", "b", "c", "d"};
  o.classes.kind = mlmap::ClassLabels::Kind::strings;
  o.classes.strings = {"x", "y", "z"};
  r = mlmap::import_lightgbm_text(text, o);
  REQUIRE(r.ok());
  CHECK(r->description.feature_names[3] == "d");
  CHECK(r->description.classes.strings[2] == "z");

  const std::string pandas(lightgbm_samples::binary_pandas);
  const std::string three_lists = replace(pandas, "pandas_categorical:[[\"Lyon\", \"Paris\"], [20, 0, 10]]",
                                          "pandas_categorical:[[\"Lyon\", \"Paris\"], [20, 0, 10], [\"lo\", \"hi\"]]");
  expect_error(three_lists, error_code::unsupported_model, "3 category lists but the model has 2 categorical features");
  o = {};
  o.pandas_categorical_columns = {"city", "size", "z"};
  expect_error(three_lists, error_code::unsupported_model, "feature 'z'", o);  // its values are no codes of 2 categories
  o.pandas_categorical_columns = {"city", "nope", "a"};
  expect_error(three_lists, error_code::invalid_argument, "'nope' is not a feature", o);
  o.pandas_categorical_columns = {"city", "size"};
  expect_error(three_lists, error_code::invalid_argument, "2 pandas categorical columns given for the file's 3", o);
  expect_error(replace(pandas, "[categorical_feature: 1,3]", "[categorical_feature: 3,3]"), error_code::import_failed,
               "categorical_feature lists feature 3 twice");  // fuzz_lightgbm_text's finding
  expect_error(replace(pandas, "[categorical_feature: 1,3]", "[categorical_feature: 1,x]"), error_code::import_failed,
               "categorical_feature 'x' is not a feature");
  expect_error(replace(pandas, "[20, 0, 10]", "[20, 0, 20]"), error_code::import_failed, "lists 20.000000 twice");
  expect_error(replace(pandas, "[20, 0, 10]", "[20, \"x\", 10]"), error_code::unsupported_model, "mixes string");
  expect_error(replace(pandas, "[20, 0, 10]", "[20, 0, 9007199254740993]"), error_code::unsupported_model, "2^53");
  expect_error(replace(pandas, "[20, 0, 10]", "[20, 0, null]"), error_code::unsupported_model, "neither a string");
  expect_error(replace(pandas, "[20, 0, 10]", "[20, 0, [10]]"), error_code::import_failed, "too deep");
  expect_error(replace(pandas, "[20, 0, 10]", "[]"), error_code::unsupported_model, "has no categories");
  expect_error(replace(pandas, "[20, 0, 10]]", "[20, 0, 10]"), error_code::import_failed, "pandas_categorical");
}

TEST_CASE("save_imported: a Pipeline's program in front; not with the model's own") {
  auto r = mlmap::import_lightgbm_text(lightgbm_samples::regression_zero);
  REQUIRE(r.ok());
  mlmap::PreprocessingSpec p;  // two inputs -> standardize -> 4 features (2 each)
  p.n_slots = 4;
  p.n_string_slots = 2;
  mlmap::OpSpec op;
  op.kind = mlmap::OpSpec::Kind::standardize;
  op.inputs = {0, 1};
  op.out_begin = 2;
  op.n_out = 2;
  op.a = {1.0, 2.0};
  p.ops = {op};
  p.features = {2, 3, 2, 3};
  const std::string path = temp_path("pipe.mlmap");
  auto st = mlmap::save_imported(path, *r, &p, 2, {"u", "v"});
  REQUIRE_MESSAGE(st.ok(), st.error().describe());
  auto m = mlmap::Model::open(path);
  REQUIRE(m.ok());
  CHECK(m->num_features() == 2);
  auto with_own = mlmap::import_lightgbm_text(lightgbm_samples::binary_pandas);
  REQUIRE(with_own.ok());
  CHECK(mlmap::save_imported(path, *with_own, &p, 2).code() == error_code::unsupported_model);
}

// --- hostile input ---------------------------------------------------------------------------

TEST_CASE("malformed files name the line, tree and field") {
  const std::string good = model_text(small());
  REQUIRE(mlmap::import_lightgbm_text(good).ok());
  expect_error("", error_code::import_failed, "empty");
  expect_error("{\"learner\": {}}", error_code::import_failed, "expected 'tree'");
  expect_error(std::string("tree\nversion=v4\0x", 17), error_code::import_failed, "NUL");
  expect_error(good.substr(0, good.find("end of trees")), error_code::import_failed, "no 'end of trees' line after 2 trees");
  expect_error(replace(good, "end of trees\n", ""), error_code::import_failed, "'feature_importances:' between trees");
  expect_error(replace(good, "Tree=1", "Tree=7"), error_code::import_failed, "expected 'Tree=1'");
  expect_error(replace(good, "num_class=1\n", ""), error_code::import_failed, "no 'num_class'");
  expect_error(replace(good, "num_class=1", "num_class=x"), error_code::import_failed, "num_class = 'x' is not an integer");
  expect_error(replace(good, "num_class=1", "num_class=1\nnum_class=1"), error_code::import_failed, "appears twice");
  expect_error(replace(good, "label_index=0", "label_index=0=1"), error_code::import_failed, "more than one '='");
  expect_error(replace(good, "max_feature_idx=3", "max_feature_idx=9"), error_code::import_failed,
               "feature_names has 4 names, but max_feature_idx is 9");
  expect_error(replace(good, "max_feature_idx=3", "max_feature_idx=2000000000"), error_code::import_failed,
               "max_feature_idx = 2000000000 is outside");
  expect_error(replace(good, "feature_names=f0 f1", "feature_names=f0 f0"), error_code::import_failed, "appears twice");
  expect_error(replace(good, "tree_sizes=1 1", "tree_sizes=1"), error_code::import_failed, "tree_sizes has 1 entries");
  expect_error(replace(good, "num_leaves=3", "num_leaves=x"), error_code::import_failed,
               "tree 0 (line 12), line 13, 'num_leaves' = 'x' is not an integer");
  expect_error(replace(good, "num_leaves=3", "num_leaves=4"), error_code::import_failed, "'leaf_value' has 3 values, expected 4");
  expect_error(replace(good, "num_leaves=3", "num_leaves=1000000"), error_code::import_failed, "has 3 values, expected 1000000");
  expect_error(replace(good, "num_leaves=3", "num_leaves=2000000000"), error_code::import_failed, "outside [1, 1073741824]");
  expect_error(replace(good, "split_feature=0 1", "split_feature=0 4"), error_code::import_failed, "split_feature'[1] = 4 is outside [0, 3]");
  expect_error(replace(good, "left_child=1 -2", "left_child=1 -9"), error_code::import_failed, "left_child'[1] = -9 is outside");
  expect_error(replace(good, "left_child=1 -2", "left_child=0 -2"), error_code::import_failed, "node 0 is reached twice");
  expect_error(replace(good, "left_child=1 -2", "left_child=1 -1"), error_code::import_failed, "leaf 0 is reached twice");
  expect_error(replace(good, "threshold=0.5 0", "threshold=nan 0"), error_code::import_failed, "threshold is NaN");
  expect_error(replace(good, "threshold=0.5 0", "threshold=0.5 1"), error_code::import_failed, "expected a category set in [0, 1)");
  expect_error(replace(good, "threshold=0.5 0", "threshold=0.5 0.5"), error_code::import_failed, "category set");
  expect_error(replace(good, "threshold=0.5 0", "threshold=0.5, 0"), error_code::import_failed, "is not a number");
  expect_error(replace(good, "decision_type=10 1", "decision_type=10 -1"), error_code::import_failed, "outside [0, 127]");
  expect_error(replace(good, "decision_type=10 1", "decision_type=14 1"), error_code::unsupported_model, "missing type 3");
  expect_error(replace(good, "decision_type=10 1", "decision_type=26 1"), error_code::unsupported_model, "does not define");
  expect_error(replace(good, "leaf_value=1 2 3", "leaf_value=1 inf 3"), error_code::import_failed, "leaf_value[1] is not finite");
  expect_error(replace(good, "cat_boundaries=0 1", "cat_boundaries=0 2"), error_code::import_failed, "'cat_threshold' has 1 values, expected 2");
  expect_error(replace(good, "cat_boundaries=0 1", "cat_boundaries=1 1"), error_code::import_failed, "cat_boundaries[0] is 1");
  expect_error(replace(good, "num_cat=1", "num_cat=5"), error_code::import_failed, "'num_cat' = 5 is outside [0, 2]");
  expect_error(replace(good, "is_linear=0", "is_linear=1"), error_code::unsupported_model, "linear tree");
  expect_error(replace(good, "split_gain=1 1\n", "split_gain=1 1\nx\n"), error_code::import_failed, "is not key=value");
  expect_error(replace(good, "\n\nTree=1", "\n\nbogus\nTree=1"), error_code::import_failed, "between trees");
  expect_error(replace(good, "version=v4", "version=v9"), error_code::unsupported_model, "format version 'v9'");
}

TEST_CASE("objectives: links, refusals by name, shape agreement") {
  LModel m = small();
  auto with = [&](const std::string& objective, int num_class = 1, int per_iteration = 1) {
    LModel c = m;
    c.objective = objective;
    c.num_class = num_class;
    c.per_iteration = per_iteration;
    c.trees.resize(static_cast<size_t>(per_iteration) * 2, m.trees[0]);
    return model_text(c);
  };
  for (const char* ok : {"binary sigmoid:2.5", "cross_entropy", "xentropy", "regression", "mse", "regression_l1", "huber",
                         "fair", "quantile", "mape", "poisson", "gamma", "tweedie", "lambdarank", "rank_xendcg", "none"}) {
    auto r = mlmap::import_lightgbm_text(with(ok));
    CHECK_MESSAGE(r.ok(), ok << ": " << r.error().describe());
  }
  auto r = mlmap::import_lightgbm_text(with("binary sigmoid:2.5"));
  CHECK(r->description.link_scale == 2.5);
  r = mlmap::import_lightgbm_text(with("multiclass num_class:3", 3, 3));
  REQUIRE(r.ok());
  CHECK(r->description.n_outputs == 3);
  r = mlmap::import_lightgbm_text(with("multiclassova num_class:3 sigmoid:1", 3, 3));
  REQUIRE(r.ok());
  CHECK(r->description.link == mlmap::LinkFunction::logistic_each);
  expect_error(with("regression sqrt"), error_code::unsupported_model, "reg_sqrt");
  expect_error(with("cross_entropy_lambda"), error_code::unsupported_model, "cross_entropy_lambda");
  expect_error(with("xentlambda"), error_code::unsupported_model, "cross_entropy_lambda");
  expect_error(with("bogus"), error_code::unsupported_model, "objective 'bogus' is not supported");
  expect_error(with("binary"), error_code::import_failed, "has no sigmoid");
  expect_error(with("binary sigmoid:-1"), error_code::import_failed, "not a number > 0");
  expect_error(with("multiclass num_class:3", 3, 2), error_code::import_failed, "must agree");
  expect_error(with("multiclass num_class:1", 1, 1), error_code::import_failed, "expected >= 2");
  expect_error(with("regression", 2, 2), error_code::import_failed, "num_tree_per_iteration 2 (expected 1)");
  LModel odd = m;
  odd.objective = "multiclass num_class:2";
  odd.num_class = odd.per_iteration = 2;
  odd.trees.resize(3, m.trees[0]);
  expect_error(model_text(odd), error_code::import_failed, "3 trees are not whole iterations");
  odd.trees.clear();  // no trees: predict gives 0 (softmax: uniform)
  mlmap::Model none = load(model_text(odd));
  std::vector<double> row(4, 0.0), out(2);
  REQUIRE(none.predict(row.data(), 1, out.data()).ok());
  CHECK(out[0] == 0.5);
}

TEST_CASE("limits: depth, categories, rewriting growth") {
  // A chain deeper than mlmap's 1024 levels.
  LModel deep;
  LTree t;
  const int n = 1100;
  for (int i = 0; i < n; ++i) {
    t.feature.push_back(0);
    t.threshold.push_back(static_cast<double>(i));
    t.decision.push_back(2);
    t.left.push_back(~i);
    t.right.push_back(i + 1 < n ? i + 1 : ~n);
  }
  t.leaf.assign(n + 1, 1.0);
  deep.trees = {t};
  expect_error(model_text(deep), error_code::unsupported_model, "deeper than 1024");

  // A category beyond mlmap's 2^21.
  LModel big = small();
  big.trees[0].sets[0] = std::vector<uint32_t>(70000, 0);
  big.trees[0].sets[0].back() = 4;
  expect_error(model_text(big), error_code::unsupported_model, "above mlmap's largest category");

  // Zero-as-missing splits whose band goes one way and both sides the other,
  // nested on 24 features: each copies the subtrees below it.
  LModel grow;
  grow.n_features = 24;
  LTree g;
  for (int i = 0; i < 24; ++i) {
    g.feature.push_back(i);
    g.threshold.push_back(-1.0);
    g.decision.push_back(2 | (1 << 2));  // Zero, band left, threshold below the band
    g.left.push_back(i + 1 < 24 ? i + 1 : ~24);
    g.right.push_back(~i);
  }
  g.leaf.assign(25, 1.0);
  grow.trees = {g};
  expect_error(model_text(grow), error_code::unsupported_model, "nodes once rewritten");
  grow.trees[0].feature.assign(24, 0);  // one feature: later nodes are decided on each copy
  auto r = mlmap::import_lightgbm_text(model_text(grow));
  CHECK_MESSAGE(r.ok(), r.error().describe());
}

TEST_CASE("every truncation of a real model fails cleanly or imports") {
  for (std::string_view sample : lightgbm_samples::all) {
    const std::string good(sample);
    REQUIRE(mlmap::import_lightgbm_text(good).ok());
    for (size_t n = 0; n < good.size(); n += 2) {
      auto r = mlmap::import_lightgbm_text(good.substr(0, n));
      if (!r.ok()) CHECK_MESSAGE((r.code() == error_code::import_failed || r.code() == error_code::unsupported_model), n);
    }
  }
}

TEST_CASE("random byte mutations never crash: ok, import_failed or unsupported_model") {
  // A deterministic miniature of the libFuzzer run (fuzz_lightgbm_text.cc).
  const char alphabet[] = "0123456789-.e =\n[]:,\"Treinfa";
  std::mt19937_64 rng(13);
  size_t ok = 0;
  for (int round = 0; round < 6000; ++round) {
    std::string s(lightgbm_samples::all[round % std::size(lightgbm_samples::all)]);
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % s.size();
      const char c = alphabet[rng() % (sizeof alphabet - 1)];
      switch (rng() % 3) {
        case 0: s[at] = c; break;
        case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: s.erase(at, 1 + rng() % 8); break;
      }
    }
    auto r = mlmap::import_lightgbm_text(s);
    if (r.ok()) {
      ++ok;
      continue;
    }
    REQUIRE_MESSAGE((r.code() == error_code::import_failed || r.code() == error_code::unsupported_model),
                    r.error().describe());
    REQUIRE(!r.message().empty());
  }
  CHECK(ok > 0);
}

TEST_CASE("input size limit") {
  mlmap::ImportOptions o;
  o.max_input_bytes = 100;
  expect_error(model_text(small()), error_code::import_failed, "more than the limit of 100", o);
}
