// The XGBoost JSON importer on hand-made and hostile input: every malformed,
// inconsistent or out-of-range document gives import_failed (or
// unsupported_model for valid models mlmap cannot represent) with a message
// naming the problem, never a crash; valid documents predict as xgboost's
// rules say (checked against a direct evaluator of the JSON arrays below,
// which implements xgboost 1.7's RegTree traversal and categorical Decision()).
// Parity with xgboost itself is tests/importers/test_xgboost.py.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <iterator>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "importers/xgboost_convert.hpp"
#include "importers/xgboost_json.hpp"
#include "importer_test_support.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/mlmap.hpp"

namespace {

using mlmap::error_code;

// --- a JSON writer for small models -------------------------------------------

struct XTree {
  std::vector<int> left, right, feature, type, default_left;
  std::vector<std::string> cond;        // tokens: "0.5", "NaN" ...
  std::vector<std::vector<int>> cats;   // per node: listed categories (type 1)
  size_t size() const { return left.size(); }
  int add_leaf(const std::string& value) {
    left.push_back(-1), right.push_back(-1), feature.push_back(0), type.push_back(0), default_left.push_back(0);
    cond.push_back(value), cats.emplace_back();
    return static_cast<int>(left.size() - 1);
  }
  int add_split(int f, const std::string& threshold, bool dleft) {
    const int i = add_leaf(threshold);
    feature[i] = f, default_left[i] = dleft;
    return i;
  }
  int add_cat_split(int f, std::vector<int> listed, bool dleft) {
    const int i = add_leaf("NaN");
    feature[i] = f, default_left[i] = dleft, type[i] = 1, cats[i] = std::move(listed);
    return i;
  }
  void link(int parent, int l, int r) { left[parent] = l, right[parent] = r; }
};

template <class T>
std::string list(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    if constexpr (std::is_same_v<T, std::string>)
      s += v[i];
    else
      s += std::to_string(v[i]);
  }
  return s + "]";
}

std::string tree_json(const XTree& t, size_t id) {
  std::vector<int> cat_nodes, cats;
  std::vector<long> segments, sizes;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.type[i] != 1) continue;
    cat_nodes.push_back(static_cast<int>(i));
    segments.push_back(static_cast<long>(cats.size()));
    sizes.push_back(static_cast<long>(t.cats[i].size()));
    cats.insert(cats.end(), t.cats[i].begin(), t.cats[i].end());
  }
  std::vector<std::string> zeros(t.size(), "0.0");
  std::vector<int> parents(t.size(), 2147483647);
  for (size_t i = 0; i < t.size(); ++i)
    if (t.left[i] >= 0) parents[t.left[i]] = parents[t.right[i]] = static_cast<int>(i);
  const std::string n = std::to_string(t.size());
  return "{\"base_weights\": " + list(zeros) + ", \"categories\": " + list(cats) +
         ", \"categories_nodes\": " + list(cat_nodes) + ", \"categories_segments\": " + list(segments) +
         ", \"categories_sizes\": " + list(sizes) + ", \"default_left\": " + list(t.default_left) +
         ", \"id\": " + std::to_string(id) + ", \"left_children\": " + list(t.left) +
         ", \"loss_changes\": " + list(zeros) + ", \"parents\": " + list(parents) +
         ", \"right_children\": " + list(t.right) + ", \"split_conditions\": " + list(t.cond) +
         ", \"split_indices\": " + list(t.feature) + ", \"split_type\": " + list(t.type) +
         ", \"sum_hessian\": " + list(zeros) + ", \"tree_param\": {\"num_deleted\": \"0\", \"num_feature\": \"" +
         "3\", \"num_nodes\": \"" + n + "\", \"size_leaf_vector\": \"0\"}}";
}

struct XModel {
  std::vector<XTree> trees;
  std::vector<int> tree_info;
  std::string objective = "binary:logistic";
  std::string base_score = "5E-1";
  int num_feature = 3;
  int num_class = 0;
  std::string feature_names = "[\"a\", \"b\", \"c\"]";
  std::string booster = "gbtree";
  std::vector<std::string> weight_drop;  // dart
  std::string attributes = "{}";
};

std::string model_json(const XModel& m) {
  std::string trees;
  for (size_t i = 0; i < m.trees.size(); ++i) trees += (i ? ", " : "") + tree_json(m.trees[i], i);
  std::vector<int> info = m.tree_info;
  if (info.empty()) info.assign(m.trees.size(), 0);
  const std::string model = "{\"gbtree_model_param\": {\"num_parallel_tree\": \"1\", \"num_trees\": \"" +
                            std::to_string(m.trees.size()) + "\", \"size_leaf_vector\": \"0\"}, \"tree_info\": " +
                            list(info) + ", \"trees\": [" + trees + "]}";
  std::string booster;
  if (m.booster == "dart")
    booster = "{\"gbtree\": {\"model\": " + model + ", \"name\": \"gbtree\"}, \"name\": \"dart\", \"weight_drop\": " +
              list(m.weight_drop) + "}";
  else
    booster = "{\"model\": " + model + ", \"name\": \"" + m.booster + "\"}";
  return "{\"learner\": {\"attributes\": " + m.attributes + ", \"feature_names\": " + m.feature_names +
         ", \"feature_types\": [], \"gradient_booster\": " + booster +
         ", \"learner_model_param\": {\"base_score\": \"" + m.base_score +
         "\", \"boost_from_average\": \"1\", \"num_class\": \"" + std::to_string(m.num_class) +
         "\", \"num_feature\": \"" + std::to_string(m.num_feature) +
         "\", \"num_target\": \"1\"}, \"objective\": {\"name\": \"" + m.objective +
         "\", \"reg_loss_param\": {\"scale_pos_weight\": \"1\"}}}, \"version\": [1, 7, 4]}";
}

/// Two trees: a numeric one (missing values left at node 2) and a categorical
/// split that sends missing values right.
XModel sample() {
  XModel m;
  XTree t;
  const int root = t.add_split(0, "0.5", false);
  const int a = t.add_leaf("0.1");
  const int b = t.add_split(1, "-1", true);
  t.link(root, a, b);
  const int c = t.add_leaf("-0.2"), d = t.add_leaf("0.3");
  t.link(b, c, d);
  m.trees.push_back(t);
  XTree u;
  const int r = u.add_cat_split(2, {1, 3}, false);
  const int l = u.add_leaf("0.5"), rr = u.add_leaf("-0.5");
  u.link(r, l, rr);
  m.trees.push_back(u);
  return m;
}

// --- xgboost's rules, straight on the arrays -------------------------------

float eval_tree(const XTree& t, const float* x) {
  int i = 0;
  while (t.left[i] != -1) {
    const float v = x[t.feature[i]];
    bool left;
    if (std::isnan(v)) {
      left = t.default_left[i];
    } else if (t.type[i] == 1) {
      // common::Decision: invalid categories and unlisted ones go left.
      const bool invalid = v < 0 || v >= 16777216.0f;
      bool listed = false;
      if (!invalid)
        for (int c : t.cats[i]) listed = listed || c == static_cast<int>(v);
      left = !listed;
    } else {
      left = v < std::stof(t.cond[i]);
    }
    i = left ? t.left[i] : t.right[i];
  }
  return std::stof(t.cond[i]);
}

std::string temp_path(const std::string& name) {
  static std::string dir;
  if (dir.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/mlmap-xgb-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  return dir + "/" + name;
}

/// Imports `json`, saves, opens and verifies it.
mlmap::Model load(const std::string& json, const mlmap::ImportOptions& options = {}) {
  auto imported = mlmap::import_xgboost_json(json, options);
  REQUIRE_MESSAGE(imported.ok(), imported.error().describe());
  const std::string path = temp_path("m.mlmap");
  auto st = mlmap::save(path, imported->description, imported->trees);
  REQUIRE_MESSAGE(st.ok(), st.error().describe());
  mlmap::OpenOptions o;
  o.verify = true;
  auto model = mlmap::Model::open(path, o);
  REQUIRE_MESSAGE(model.ok(), model.error().describe());
  return *model;
}

std::vector<double> raw_scores(const mlmap::Model& m, const std::vector<float>& X) {
  const size_t rows = X.size() / m.num_features();
  std::vector<double> out(rows * m.output_width(mlmap::Output::raw));
  mlmap::PredictOptions o;
  o.output = mlmap::Output::raw;
  auto st = m.predict(X.data(), rows, out.data(), o);
  REQUIRE_MESSAGE(st.ok(), st.error().describe());
  return out;
}

using mlmap::test::replace;

/// import must fail with `code` and a message containing `needle`.
void expect_error(const std::string& json, error_code code, const std::string& needle,
                  const mlmap::ImportOptions& options = {}) {
  mlmap::test::check_error(mlmap::import_xgboost_json(json, options), code, needle);
}

const float NaN = std::numeric_limits<float>::quiet_NaN();
const float inf = std::numeric_limits<float>::infinity();

}  // namespace

// --- tokens and structure ------------------------------------------------------

TEST_CASE("float tokens round once, as xgboost parses them") {
  using mlmap::importers::parse_float_token;
  float f = 0;
  CHECK(parse_float_token("0.56581783", f));
  CHECK(f == 0.56581783f);
  CHECK(parse_float_token("-1.5E-3", f));
  CHECK(f == -1.5e-3f);
  CHECK(parse_float_token("NaN", f));
  CHECK(std::isnan(f));
  CHECK(parse_float_token("-Infinity", f));
  CHECK(f == -inf);
  CHECK(parse_float_token("1e50", f));
  CHECK(f == inf);
  CHECK(parse_float_token("-1e-60", f));
  CHECK(f == 0.0f);
  CHECK(std::signbit(f));
  CHECK(parse_float_token("0.000000000000000000000000000000000000000000000000001", f));
  CHECK(f == 0.0f);
  // A decimal that lies between two floats within a double's precision of
  // their midpoint: rounding through double would pick the wrong one.
  CHECK(parse_float_token("1.00000005960464477539062500000000001", f));
  CHECK(f == std::nextafter(1.0f, 2.0f));
  for (const char* bad : {"", "01", "1.", ".5", "+1", "1e", "nan", "inf", "0x10", "1 2", "\"1\"", "true", "[", "-"})
    CHECK_MESSAGE(!parse_float_token(bad, f), bad);
  long long i = 0;
  CHECK(mlmap::importers::parse_int_token("-2147483648", i));
  CHECK(i == -2147483648LL);
  CHECK(!mlmap::importers::parse_int_token("1.0", i));
  CHECK(!mlmap::importers::parse_int_token("1e3", i));
  CHECK(!mlmap::importers::parse_int_token("99999999999999999999", i));
}

TEST_CASE("structure check: depth, balance, strings, trailing text") {
  using mlmap::importers::check_json_structure;
  CHECK(check_json_structure("{\"a\": [1, {\"b\": \"]}\\\"\"}]}", 8).ok());
  CHECK(check_json_structure("  {}  \n", 8).ok());
  CHECK(check_json_structure(std::string(5, '{') + std::string(5, '}'), 5).ok());
  CHECK(check_json_structure(std::string(6, '{') + std::string(6, '}'), 5).message().find("deeper than 5") !=
        std::string::npos);
  CHECK(check_json_structure("{[}]", 8).message().find("unbalanced") != std::string::npos);
  CHECK(check_json_structure("{\"a", 8).message().find("inside a string") != std::string::npos);
  CHECK(check_json_structure("{\"a\\", 8).message().find("inside a string") != std::string::npos);
  CHECK(check_json_structure("{} {}", 8).message().find("after the JSON object") != std::string::npos);
  CHECK(check_json_structure("{\"a\tb\": 1}", 8).message().find("control character") != std::string::npos);
  CHECK(check_json_structure("[]", 8).message().find("not a JSON object") != std::string::npos);
  CHECK(check_json_structure("", 8).message().find("empty") != std::string::npos);
  CHECK(check_json_structure("{{{", 8).message().find("3 unclosed") != std::string::npos);
}

// --- valid models ---------------------------------------------------------------

TEST_CASE("a small model: description and predictions follow xgboost's rules") {
  const XModel m = sample();
  const std::string json = model_json(m);
  auto imported = mlmap::import_xgboost_json(json);
  REQUIRE_MESSAGE(imported.ok(), imported.error().describe());
  const auto& d = imported->description;
  CHECK(d.estimator == "xgboost.Booster");
  CHECK(d.task == mlmap::Task::classification);
  CHECK(d.n_features == 3);
  CHECK(d.n_outputs == 2);
  CHECK(d.link == mlmap::LinkFunction::logistic);
  REQUIRE(d.base_score.size() == 1);
  CHECK(d.base_score[0] == 0.0);  // logit(0.5)
  CHECK(d.feature_names == std::vector<std::string>{"a", "b", "c"});
  CHECK(d.classes.integers == std::vector<int64_t>{0, 1});
  CHECK(d.provenance.source_library == "xgboost");
  CHECK(d.provenance.source_version == "1.7.4");

  const mlmap::Model model = load(json);
  CHECK(model.info().accepts_missing);
  std::vector<float> X;
  const float values[] = {NaN, -inf, inf, -3, -1, -0.5f, 0, 0.5f, 0.49999997f, 1, 1.5f, 2, 3, 3.9f, 4, 31, 32, 1e9f};
  for (float a : values)
    for (float b : {NaN, -1.0f, -1.0000001f, 0.0f})
      for (float c : values) X.insert(X.end(), {a, b, c});
  const auto raw = raw_scores(model, X);
  for (size_t r = 0; r < raw.size(); ++r) {
    const float* x = &X[r * 3];
    const double expect = double(eval_tree(m.trees[0], x)) + double(eval_tree(m.trees[1], x));
    CHECK_MESSAGE(raw[r] == doctest::Approx(expect).epsilon(1e-12),
                  "row " << r << ": " << x[0] << ", " << x[1] << ", " << x[2]);
  }
}

TEST_CASE("random trees with categorical splits both ways, nested: mlmap predicts as xgboost's rules") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 30; ++round) {
    XModel m;
    m.objective = "reg:squarederror";
    m.base_score = "2.5E-1";
    m.num_feature = 4;
    m.feature_names = "[]";
    const int n_trees = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n_trees; ++k) {
      XTree t;
      // Grow breadth-first up to depth 6.
      struct Open {
        int node, depth;
      };
      std::vector<Open> open;
      auto make = [&](int depth) {
        const bool leaf = depth >= 6 || (depth > 0 && rng() % 4 == 0);
        if (leaf) return t.add_leaf(std::to_string(static_cast<int>(rng() % 2001) - 1000) + "e-3");
        const int f = static_cast<int>(rng() % 4);
        int i;
        if (f >= 2) {
          std::vector<int> listed;
          for (int c = 0; c < 40; ++c)
            if (rng() % 3 == 0) listed.push_back(c);
          i = t.add_cat_split(f, listed, rng() % 2);
        } else {
          i = t.add_split(f, std::to_string(static_cast<int>(rng() % 9) - 4) + ".5", rng() % 2);
        }
        open.push_back({i, depth});
        return i;
      };
      make(0);
      for (size_t q = 0; q < open.size(); ++q) {
        const Open o = open[q];
        const int l = make(o.depth + 1), r = make(o.depth + 1);
        t.link(o.node, l, r);
      }
      m.trees.push_back(t);
    }
    const std::string json = model_json(m);
    const mlmap::Model model = load(json);
    std::vector<float> X;
    const float specials[] = {NaN, inf, -inf, -1, -0.5f, 0, 1, 2.5f, 31, 32, 39, 40, 41, 63, 64, 1000, 3e7f};
    for (int r = 0; r < 400; ++r)
      for (int f = 0; f < 4; ++f) {
        const uint64_t u = rng() % 10;
        X.push_back(u < 3 ? specials[rng() % std::size(specials)]
                          : (f < 2 ? static_cast<float>(static_cast<int>(rng() % 19) - 9) * 0.5f
                                   : static_cast<float>(rng() % 42)));
      }
    const auto raw = raw_scores(model, X);
    for (size_t r = 0; r < raw.size(); ++r) {
      double expect = 0.25;
      for (const auto& t : m.trees) expect += double(eval_tree(t, &X[r * 4]));
      REQUIRE_MESSAGE(raw[r] == doctest::Approx(expect).epsilon(1e-9), "round " << round << " row " << r);
    }
  }
}

TEST_CASE("documents in any key order, with NaN/Infinity in unused fields and escaped names") {
  XModel m = sample();
  m.feature_names = "[\"a\\u00e9\", \"b\\\"q\", \"c\"]";
  std::string json = model_json(m);
  json = replace(json, "\"loss_changes\": [0.0, 0.0, 0.0, 0.0, 0.0]", "\"loss_changes\": [NaN, Infinity, -Infinity, 1e999, 0]");
  auto imported = mlmap::import_xgboost_json(json);
  REQUIRE_MESSAGE(imported.ok(), imported.error().describe());
  CHECK(imported->description.feature_names[0] == "a\xc3\xa9");
  CHECK(imported->description.feature_names[1] == "b\"q");

  // "version" before "learner", "name" before "model", tree fields reversed.
  const std::string learner_start = "{\"learner\": ";
  const std::string version = ", \"version\": [1, 7, 4]}";
  std::string reordered = model_json(sample());
  REQUIRE(reordered.compare(reordered.size() - version.size(), version.size(), version) == 0);
  reordered = "{\"version\": [1, 7, 4], \"learner\": " +
              reordered.substr(learner_start.size(), reordered.size() - learner_start.size() - version.size()) + "}";
  reordered = replace(reordered, "\"gradient_booster\": {\"model\": ", "\"gradient_booster\": {\"name\": \"gbtree\", \"model\": ");
  reordered = replace(reordered, "}]}, \"name\": \"gbtree\"}", "}]}}");
  const mlmap::Model a = load(model_json(sample()));
  const mlmap::Model b = load(reordered);
  std::vector<float> X = {0, 0, 1, 1, NaN, 3, NaN, -2, NaN, 0.7f, -1, 5};
  CHECK(raw_scores(a, X) == raw_scores(b, X));
}

TEST_CASE("objectives: link, base margin and outputs") {
  struct Case {
    const char* objective;
    const char* base;
    int num_class;
    mlmap::Task task;
    mlmap::LinkFunction link;
    double margin;
    bool class_from_raw;
  };
  const float half = 0.5f, third = 0.3f;
  const Case cases[] = {
      {"binary:logistic", "3E-1", 0, mlmap::Task::classification, mlmap::LinkFunction::logistic,
       -std::log(1.0f / third - 1.0f), false},
      {"binary:logitraw", "3E-1", 0, mlmap::Task::classification, mlmap::LinkFunction::logistic, third, true},
      {"reg:logistic", "3E-1", 0, mlmap::Task::regression, mlmap::LinkFunction::logistic,
       -std::log(1.0f / third - 1.0f), false},
      {"reg:squarederror", "3E-1", 0, mlmap::Task::regression, mlmap::LinkFunction::identity, third, false},
      {"reg:pseudohubererror", "3E-1", 0, mlmap::Task::regression, mlmap::LinkFunction::identity, third, false},
      {"count:poisson", "3E-1", 0, mlmap::Task::regression, mlmap::LinkFunction::exp, std::log(third), false},
      {"reg:gamma", "3E-1", 0, mlmap::Task::regression, mlmap::LinkFunction::exp, std::log(third), false},
      {"reg:tweedie", "3E-1", 0, mlmap::Task::regression, mlmap::LinkFunction::exp, std::log(third), false},
      {"rank:pairwise", "5E-1", 0, mlmap::Task::ranking, mlmap::LinkFunction::identity, half, false},
      {"multi:softprob", "5E-1", 3, mlmap::Task::classification, mlmap::LinkFunction::softmax, half, false},
      {"multi:softmax", "5E-1", 3, mlmap::Task::classification, mlmap::LinkFunction::softmax, half, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.objective);
    XModel m = sample();
    m.objective = c.objective;
    m.base_score = c.base;
    m.num_class = c.num_class;
    if (c.num_class) {
      m.trees.push_back(m.trees[0]);
      m.tree_info = {0, 2, 1};
    }
    auto imported = mlmap::import_xgboost_json(model_json(m));
    REQUIRE_MESSAGE(imported.ok(), imported.error().describe());
    const auto& d = imported->description;
    CHECK(d.task == c.task);
    CHECK(d.link == c.link);
    CHECK((d.class_decision == mlmap::ClassDecision::argmax_raw) == c.class_from_raw);
    const size_t n_raw = c.num_class ? 3 : 1;
    REQUIRE(d.base_score.size() == n_raw);
    for (double b : d.base_score) CHECK(b == static_cast<double>(static_cast<float>(c.margin)));
    CHECK(imported->trees.n_raw() == n_raw);
    if (c.num_class) CHECK(imported->trees.tree_output() == std::vector<uint32_t>{0, 2, 1});
    load(model_json(m));  // saves, opens and verifies
  }
}

TEST_CASE("dart: leaves weighted by weight_drop; rounds: iteration_end and best_iteration") {
  XModel m = sample();
  m.booster = "dart";
  m.weight_drop = {"0.5", "2"};
  m.attributes = "{\"best_iteration\": \"0\", \"best_ntree_limit\": \"1\"}";
  const mlmap::Model all = load(model_json(m));
  std::vector<float> X = {0, 0, 1, 1, NaN, 3, NaN, -2, NaN};
  const auto raw = raw_scores(all, X);
  for (size_t r = 0; r < 3; ++r)
    CHECK(raw[r] == doctest::Approx(0.5 * eval_tree(m.trees[0], &X[3 * r]) + 2.0 * eval_tree(m.trees[1], &X[3 * r])));

  mlmap::ImportOptions best;
  best.use_best_iteration = true;
  const auto raw1 = raw_scores(load(model_json(m), best), X);
  for (size_t r = 0; r < 3; ++r) CHECK(raw1[r] == doctest::Approx(0.5 * eval_tree(m.trees[0], &X[3 * r])));
  mlmap::ImportOptions end2;
  end2.iteration_end = 2;
  CHECK(raw_scores(load(model_json(m), end2), X) == raw);

  mlmap::ImportOptions end3;
  end3.iteration_end = 3;
  expect_error(model_json(m), error_code::invalid_argument, "keeping 3 boosting rounds of a model that has 2", end3);
  mlmap::ImportOptions both = best;
  both.iteration_end = 1;
  expect_error(model_json(m), error_code::invalid_argument, "exclude each other", both);
  m.attributes = "{\"best_iteration\": \"5\"}";
  expect_error(model_json(m), error_code::import_failed, "best_iteration", best);
}

TEST_CASE("a model without trees predicts its base margin") {
  XModel m = sample();
  m.trees.clear();
  m.objective = "reg:squarederror";
  m.base_score = "1.25";
  const auto raw = raw_scores(load(model_json(m)), {1, 2, 3});
  CHECK(raw[0] == 1.25);
}

TEST_CASE("options: names, labels, estimator, provenance and metadata") {
  mlmap::ImportOptions o;
  o.estimator = "xgboost.XGBClassifier";
  o.feature_names = {"x", "y", "z"};
  o.classes.kind = mlmap::ClassLabels::Kind::strings;
  o.classes.strings = {"no", "yes"};
  o.provenance.source_version = "9.9";
  o.metadata = {{"owner", "me"}, {"xgboost.objective", "override"}};
  auto r = mlmap::import_xgboost_json(model_json(sample()), o);
  REQUIRE(r.ok());
  CHECK(r->description.estimator == "xgboost.XGBClassifier");
  CHECK(r->description.feature_names == o.feature_names);
  CHECK(r->description.classes.strings == o.classes.strings);
  CHECK(r->description.provenance.source_library == "xgboost");
  CHECK(r->description.provenance.source_version == "9.9");
  bool owner = false;
  for (const auto& [k, v] : r->description.metadata) {
    if (k == "owner") owner = v == "me";
    if (k == "xgboost.objective") CHECK(v == "override");
  }
  CHECK(owner);
  o.feature_names = {"x"};
  expect_error(model_json(sample()), error_code::invalid_argument, "1 feature names given for 3 features", o);
  o.feature_names.clear();
  o.classes.strings = {"a", "b", "c"};
  expect_error(model_json(sample()), error_code::invalid_argument, "3 class labels given for 2 classes", o);
  XModel reg = sample();
  reg.objective = "reg:squarederror";
  expect_error(model_json(reg), error_code::invalid_argument, "class labels given", o);
}

TEST_CASE("convert_xgboost_json writes a verified file; failures leave no file") {
  const std::string path = temp_path("convert.mlmap");
  std::remove(path.c_str());
  auto st = mlmap::convert_xgboost_json(model_json(sample()), path);
  REQUIRE_MESSAGE(st.ok(), st.error().describe());
  mlmap::OpenOptions o;
  o.verify = true;
  CHECK(mlmap::Model::open(path, o).ok());
  const std::string other = temp_path("never.mlmap");
  st = mlmap::convert_xgboost_json("{}", other);
  CHECK(st.code() == error_code::import_failed);
  CHECK(access(other.c_str(), F_OK) != 0);
}

// --- hostile input --------------------------------------------------------------

TEST_CASE("malformed JSON") {
  const std::string good = model_json(sample());
  expect_error("", error_code::import_failed, "empty");
  expect_error("   \n", error_code::import_failed, "empty");
  expect_error("not json", error_code::import_failed, "not a JSON object");
  expect_error("[1, 2]", error_code::import_failed, "not a JSON object");
  expect_error("{}", error_code::import_failed, "no 'learner'");
  expect_error(good + " x", error_code::import_failed, "after the JSON object");
  expect_error(good + "{}", error_code::import_failed, "after the JSON object");
  expect_error(replace(good, "\"left_children\": [1, -1, 3", "\"left_children\": [1 -1, 3"), error_code::import_failed,
               "left_children");
  expect_error(replace(good, "[1, -1, 3, -1, -1]", "[1, -1, 3, -1, -1,]"), error_code::import_failed, "left_children");
  expect_error(replace(good, "[1, -1, 3, -1, -1]", "[1, , 3, -1, -1]"), error_code::import_failed, "left_children");
  expect_error(replace(good, "\"id\": 0,", "\"id\": 0"), error_code::import_failed, "trees[0]");
  expect_error(replace(good, "\"id\": 0,", "\"id\" 0,"), error_code::import_failed, "trees[0]");
  expect_error(replace(good, "\"a\"", "\"a\xff\""), error_code::import_failed, "UTF-8");
  expect_error(replace(good, "\"a\"", "\"a\\q\""), error_code::import_failed, "feature_names");
  expect_error(replace(good, "\"a\"", "\"a\x01\""), error_code::import_failed, "control character");
  expect_error(replace(good, "\"version\": [1, 7, 4]", "\"version\": [1, 7, 4], \"learner\": {}"),
               error_code::import_failed, "'learner' appears twice");
  expect_error(replace(good, "\"id\": 0,", "\"id\": 0, \"id\": 0,"), error_code::import_failed,
               "key 'id' appears twice");
  expect_error(replace(good, "[1, -1, 3, -1, -1]", "[1, -1, 3, -1, -1, tru]"), error_code::import_failed,
               "is not an integer");
}

TEST_CASE("every truncation of a valid model fails cleanly") {
  const std::string good = model_json(sample());
  for (size_t n = 0; n < good.size(); n += 3) {
    auto r = mlmap::import_xgboost_json(good.substr(0, n));
    CHECK_MESSAGE(!r.ok(), n);
    CHECK(r.code() == error_code::import_failed);
  }
}

TEST_CASE("random byte mutations never crash: ok, import_failed or unsupported_model") {
  // A deterministic miniature of the libFuzzer run (fuzz_xgboost_json.cc).
  XModel m = sample();
  m.trees.push_back(m.trees[1]);
  m.trees[2].default_left[0] = 1;
  const std::string good = model_json(m);
  const char alphabet[] = "{}[],:\"-0123456789.eE NaInfitylru\\";
  std::mt19937_64 rng(11);
  size_t ok = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string s =
        mlmap::test::mutate(good, rng, [&](std::mt19937_64& g) { return alphabet[g() % (sizeof alphabet - 1)]; });
    ok += mlmap::test::acceptable(mlmap::import_xgboost_json(s));
  }
  CHECK(ok > 0);  // some edits (in unused fields, digits of values) stay valid
}

TEST_CASE("deep nesting is refused before parsing, wherever it is") {
  const std::string good = model_json(sample());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expect_error(replace(good, "\"attributes\": {}", "\"attributes\": {\"x\": " + deep + "}"), error_code::import_failed,
               "nesting deeper than 64");
  expect_error("{\"learner\": " + std::string(1000000, '{'), error_code::import_failed, "nesting deeper than 64");
  mlmap::ImportOptions o;
  o.max_nesting_depth = 4;
  expect_error(good, error_code::import_failed, "nesting deeper than 4", o);
}

TEST_CASE("input size limit") {
  mlmap::ImportOptions o;
  o.max_input_bytes = 100;
  expect_error(model_json(sample()), error_code::import_failed, "more than the limit of 100", o);
}

TEST_CASE("wrong types") {
  const std::string good = model_json(sample());
  expect_error(replace(good, "{\"learner\": {", "{\"learner\": [{"), error_code::import_failed, "");
  expect_error(replace(good, "\"num_trees\": \"2\"", "\"num_trees\": 2"), error_code::import_failed,
               "num_trees is not a string");
  expect_error(replace(good, "\"left_children\": [1, -1, 3, -1, -1]", "\"left_children\": \"x\""),
               error_code::import_failed, "trees[0].left_children is not an array");
  expect_error(replace(good, "\"split_conditions\": [0.5,", "\"split_conditions\": [\"0.5\","),
               error_code::import_failed, "split_conditions[0] = '\"0.5\"' is not a number");
  expect_error(replace(good, "\"left_children\": [1, -1,", "\"left_children\": [1.0, -1,"), error_code::import_failed,
               "left_children[0] = '1.0' is not an integer");
  expect_error(replace(good, "\"left_children\": [1, -1,", "\"left_children\": [[1], -1,"), error_code::import_failed,
               "left_children[0]");
  expect_error(replace(good, "\"objective\": {\"name\": \"binary:logistic\"", "\"objective\": {\"name\": 7"),
               error_code::import_failed, "objective.name is not a string");
  expect_error(replace(good, "\"num_feature\": \"3\", \"num_target\"", "\"num_feature\": \"three\", \"num_target\""),
               error_code::import_failed, "num_feature = 'three' is not an integer");
  expect_error(replace(good, "\"feature_names\": [\"a\"", "\"feature_names\": [1"), error_code::import_failed,
               "feature_names[0] is not a string");
  expect_error(replace(good, "\"trees\": [{", "\"trees\": [7, {"), error_code::import_failed, "trees[0] is not an object");
}

TEST_CASE("missing fields") {
  const std::string good = model_json(sample());
  expect_error(replace(good, "\"left_children\": [1, -1, 3, -1, -1], ", ""), error_code::import_failed,
               "tree 0: no 'left_children'");
  expect_error(replace(good, "\"split_conditions\": [NaN, 0.5, -0.5], ", ""), error_code::import_failed,
               "tree 1: no 'split_conditions'");
  expect_error(replace(good, ", \"version\": [1, 7, 4]", ""), error_code::import_failed, "no 'version'");
  expect_error(replace(good, "\"name\": \"binary:logistic\", ", ""), error_code::import_failed,
               "no 'learner.objective.name'");
  expect_error(replace(good, "\"base_score\": \"5E-1\", ", ""), error_code::import_failed, "base_score");
  expect_error(replace(good, "\"num_feature\": \"3\", \"num_target\"", "\"x\": \"3\", \"num_target\""),
               error_code::import_failed, "num_feature");
  expect_error(replace(good, "\"tree_info\": [0, 0], ", ""), error_code::import_failed, "no 'gradient_booster.model.tree_info'");
  expect_error(replace(good, "\"id\": 1, ", ""), error_code::import_failed, "tree 1: no 'id'");
  expect_error(replace(good, "\"num_nodes\": \"3\", ", ""), error_code::import_failed, "tree 1: no 'tree_param.num_nodes'");
  expect_error(replace(good, "\"categories_nodes\": [0], ", ""), error_code::import_failed,
               "categorical splits without");
  expect_error(replace(good, ", \"name\": \"gbtree\"}", "}"), error_code::import_failed, "gradient_booster.name");
}

TEST_CASE("inconsistent lengths and counts") {
  const std::string good = model_json(sample());
  expect_error(replace(good, "[1, -1, 3, -1, -1]", "[1, -1, 3, -1, -1, -1]"), error_code::import_failed,
               "tree 0: 'left_children' has 6 entries, but num_nodes is 5");
  expect_error(replace(good, "\"num_nodes\": \"5\"", "\"num_nodes\": \"4\""), error_code::import_failed,
               "has 5 entries, but num_nodes is 4");
  expect_error(replace(good, "\"num_trees\": \"2\"", "\"num_trees\": \"3\""), error_code::import_failed,
               "'trees' has 2 trees, but gbtree_model_param.num_trees is 3");
  expect_error(replace(good, "\"tree_info\": [0, 0]", "\"tree_info\": [0]"), error_code::import_failed,
               "'tree_info' has 1 entries, but num_trees is 2");
  expect_error(replace(good, "\"categories_sizes\": [2]", "\"categories_sizes\": [2, 1]"), error_code::import_failed,
               "categories_nodes, categories_segments and categories_sizes have 1, 1 and 2 entries");
  expect_error(replace(good, "\"categories_sizes\": [2]", "\"categories_sizes\": [3]"), error_code::import_failed,
               "tree 1, node 0: categories [0, 0 + 3) are outside the 2 entries");
  expect_error(replace(good, "\"categories_segments\": [0]", "\"categories_segments\": [99999999999999999999]"),
               error_code::import_failed, "categories_segments[0] = '99999999999999999999' is outside");
  expect_error(replace(good, "\"feature_names\": [\"a\", \"b\", \"c\"]", "\"feature_names\": [\"a\", \"b\"]"),
               error_code::import_failed, "feature_names has 2 names, but num_feature is 3");
  expect_error(replace(good, "\"feature_names\": [\"a\", \"b\", \"c\"]", "\"feature_names\": [\"a\", \"b\", \"a\"]"),
               error_code::import_failed, "learner.feature_names: 'a' appears twice");
  XModel dart = sample();
  dart.booster = "dart";
  dart.weight_drop = {"1"};
  expect_error(model_json(dart), error_code::import_failed, "'weight_drop' has 1 entries, but num_trees is 2");
  dart.weight_drop = {"1", "NaN"};
  expect_error(model_json(dart), error_code::import_failed, "weight_drop[1] is not finite");
  dart.weight_drop.clear();
  expect_error(replace(model_json(dart), ", \"weight_drop\": []", ""), error_code::import_failed,
               "dart booster without 'weight_drop'");
}

TEST_CASE("out-of-range indices, cycles and shared nodes") {
  const std::string good = model_json(sample());
  const std::string left0 = "\"left_children\": [1, -1, 3, -1, -1]";
  expect_error(replace(good, left0, "\"left_children\": [1, -1, 7, -1, -1]"), error_code::import_failed,
               "tree 0, node 2: child 7 is outside [0, 5)");
  expect_error(replace(good, left0, "\"left_children\": [1, -1, -2, -1, -1]"), error_code::import_failed,
               "tree 0, node 2: child -2 is outside [0, 5)");
  expect_error(replace(good, left0, "\"left_children\": [1, -1, 0, -1, -1]"), error_code::import_failed,
               "tree 0, node 0 is reached twice");
  expect_error(replace(good, left0, "\"left_children\": [1, -1, 2, -1, -1]"), error_code::import_failed,
               "tree 0, node 2 is reached twice");
  expect_error(replace(good, left0, "\"left_children\": [1, -1, 1, -1, -1]"), error_code::import_failed,
               "tree 0, node 1 is reached twice");
  expect_error(replace(good, left0, "\"left_children\": [1, -1, 4, -1, -1]"), error_code::import_failed,
               "tree 0, node 2: both children are node 4");
  expect_error(replace(good, left0, "\"left_children\": [1, -1, 3, -1, 99999999999]"), error_code::import_failed,
               "left_children[4] = 99999999999 is outside");
  expect_error(replace(good, "\"right_children\": [2, -1, 4, -1, -1]", "\"right_children\": [2, 5, 4, -1, -1]"),
               error_code::import_failed, "tree 0, node 1: a leaf (left_children -1) with right_children 5");
  expect_error(replace(good, "\"split_indices\": [0, 0, 1, 0, 0]", "\"split_indices\": [0, 0, 3, 0, 0]"),
               error_code::import_failed, "tree 0, node 2: split_indices 3 is outside [0, 3)");
  expect_error(replace(good, "\"split_indices\": [0, 0, 1, 0, 0]", "\"split_indices\": [0, 0, -1, 0, 0]"),
               error_code::import_failed, "split_indices[2] = -1 is outside");
  expect_error(replace(good, "\"tree_info\": [0, 0]", "\"tree_info\": [0, 1]"), error_code::import_failed,
               "tree_info[1] = 1 is outside [0, 1)");
  expect_error(replace(good, "\"id\": 1,", "\"id\": 0,"), error_code::import_failed, "tree 1: 'id' is 0, expected 1");
  expect_error(replace(good, "\"split_type\": [1, 0, 0]", "\"split_type\": [2, 0, 0]"), error_code::import_failed,
               "split_type 2 is neither");
  expect_error(replace(good, "\"categories_nodes\": [0]", "\"categories_nodes\": [1]"), error_code::import_failed,
               "categories_nodes[0] = 1 is not a categorical split");
  expect_error(replace(good, "\"categories_nodes\": [0]", "\"categories_nodes\": [-3]"), error_code::import_failed,
               "categories_nodes[0] = -3 is outside [0, 3)");
  expect_error(replace(good, "\"categories\": [1, 3]", "\"categories\": [1, -3]"), error_code::import_failed,
               "tree 1, node 0: category -3 is negative");
  expect_error(replace(good, "\"categories\": [1, 3]", "\"categories\": [1, 3000000]"), error_code::unsupported_model,
               "category 3000000 is above mlmap's largest category 2097151");

  // A chain deeper than mlmap's 1024 levels.
  XModel deep = sample();
  XTree chain;
  int parent = chain.add_split(0, "0", true);
  for (int d = 0; d < 1100; ++d) {
    const int leaf = chain.add_leaf("1");
    const int next = d + 1 < 1100 ? chain.add_split(0, "0", true) : chain.add_leaf("2");
    chain.link(parent, next, leaf);
    parent = next;
  }
  deep.trees = {chain};
  expect_error(model_json(deep), error_code::import_failed, "tree 0 is deeper than 1024");
}

TEST_CASE("non-finite numbers and huge counts") {
  const std::string good = model_json(sample());
  const std::string cond0 = "\"split_conditions\": [0.5, 0.1, -1, -0.2, 0.3]";
  expect_error(replace(good, cond0, "\"split_conditions\": [NaN, 0.1, -1, -0.2, 0.3]"), error_code::import_failed,
               "tree 0, node 0: split_conditions (threshold) is not finite");
  expect_error(replace(good, cond0, "\"split_conditions\": [0.5, 0.1, Infinity, -0.2, 0.3]"),
               error_code::import_failed, "tree 0, node 2: split_conditions (threshold) is not finite");
  expect_error(replace(good, cond0, "\"split_conditions\": [0.5, 0.1, -1, -0.2, 1e39]"), error_code::import_failed,
               "tree 0, node 4: leaf value (split_conditions) is not finite");
  expect_error(replace(good, cond0, "\"split_conditions\": [0.5, NaN, -1, -0.2, 0.3]"), error_code::import_failed,
               "tree 0, node 1: leaf value");
  expect_error(replace(good, cond0, "\"split_conditions\": [0.5, 0.1, -1, -0.2, nan]"), error_code::import_failed,
               "split_conditions[4] = 'nan' is not a number");
  expect_error(replace(good, "\"5E-1\"", "\"NaN\""), error_code::import_failed, "base_score = 'NaN' is not a finite");
  expect_error(replace(good, "\"5E-1\"", "\"abc\""), error_code::import_failed, "base_score = 'abc'");
  expect_error(replace(good, "\"5E-1\"", "\"1\""), error_code::import_failed, "must be in (0, 1) for binary:logistic");
  expect_error(replace(replace(good, "\"5E-1\"", "\"-1\""), "binary:logistic", "count:poisson"),
               error_code::import_failed, "must be > 0 for count:poisson");
  expect_error(replace(good, "\"num_nodes\": \"5\"", "\"num_nodes\": \"99999999999\""), error_code::import_failed,
               "num_nodes = 99999999999 is outside");
  expect_error(replace(good, "\"num_nodes\": \"5\"", "\"num_nodes\": \"2000000000\""), error_code::import_failed,
               "has 5 entries, but num_nodes is 2000000000");
  expect_error(replace(good, "\"num_trees\": \"2\"", "\"num_trees\": \"2000000000\""), error_code::import_failed,
               "num_trees is 2000000000");
  expect_error(replace(good, "\"num_feature\": \"3\", \"num_target\"",
                       "\"num_feature\": \"1099511627776\", \"num_target\""),
               error_code::import_failed, "num_feature = 1099511627776 is outside [1, 1073741824]");
  expect_error(replace(good, "\"num_feature\": \"3\", \"num_target\"", "\"num_feature\": \"0\", \"num_target\""),
               error_code::import_failed, "num_feature = 0 is outside");
  XModel multi = sample();
  multi.objective = "multi:softprob";
  multi.num_class = 2000000;
  expect_error(model_json(multi), error_code::import_failed, "2000000 outputs, more than mlmap's limit 1048576");
  multi.num_class = 1;
  expect_error(model_json(multi), error_code::import_failed, "multi:softprob with num_class 1");
  XModel many = sample();
  many.num_class = 3;
  expect_error(model_json(many), error_code::import_failed, "binary:logistic with num_class 3");
}

TEST_CASE("unsupported models name what is unsupported") {
  const std::string good = model_json(sample());
  expect_error(replace(good, "binary:logistic", "survival:aft"), error_code::unsupported_model,
               "objective 'survival:aft' is not supported; supported: binary:logistic");
  expect_error(replace(good, "binary:logistic", "survival:cox"), error_code::unsupported_model, "survival:cox");
  expect_error(replace(good, "\"name\": \"gbtree\"}, \"learner_model_param\"",
                       "\"name\": \"gblinear\"}, \"learner_model_param\""),
               error_code::unsupported_model, "booster 'gblinear'");
  expect_error(replace(good, "\"version\": [1, 7, 4]", "\"version\": [4, 0, 0]"), error_code::unsupported_model,
               "written by xgboost 4.0.0; this importer reads the JSON of xgboost 1.x to 3.x");
  expect_error(replace(good, "\"version\": [1, 7, 4]", "\"version\": [0, 90, 0]"), error_code::unsupported_model,
               "written by xgboost 0.90.0");
  expect_error(replace(good, "\"size_leaf_vector\": \"0\"}, \"tree_info\"", "\"size_leaf_vector\": \"2\"}, \"tree_info\""),
               error_code::import_failed, "vector leaves of 2 values (tree_param.size_leaf_vector) for 1 outputs");
  expect_error(replace(good, "\"num_target\": \"1\"", "\"num_target\": \"2\""), error_code::unsupported_model,
               "binary:logistic with 2 targets");
}

TEST_CASE("xgboost 2.x / 3.x: versions and 3.1's vector base_score") {
  // 2.x writes base_score as 1.7 did; 3.1 as a vector, "[5E-1]", with one
  // value per class for multi:softprob (intercepts, margins as they are).
  for (const char* version : {"[2, 1, 4]", "[3, 2, 0]"}) {
    CAPTURE(version);
    XModel m = sample();
    m.base_score = "[2.5E-1]";
    auto imported = mlmap::import_xgboost_json(replace(model_json(m), "[1, 7, 4]", version));
    REQUIRE_MESSAGE(imported.ok(), imported.error().describe());
    REQUIRE(imported->description.base_score.size() == 1);
    CHECK(imported->description.base_score[0] == static_cast<double>(-std::log(1.0f / 0.25f - 1.0f)));
  }
  XModel m = sample();
  m.objective = "multi:softprob";
  m.num_class = 3;
  m.trees.push_back(m.trees[0]);
  m.tree_info = {0, 2, 1};
  m.base_score = "[-1.869955E-1, 5.446158E-1,-3.5762036E-1]";
  auto imported = mlmap::import_xgboost_json(replace(model_json(m), "[1, 7, 4]", "[3, 2, 0]"));
  REQUIRE_MESSAGE(imported.ok(), imported.error().describe());
  CHECK(imported->description.base_score ==
        std::vector<double>{static_cast<double>(-1.869955E-1f), static_cast<double>(5.446158E-1f),
                            static_cast<double>(-3.5762036E-1f)});
  load(model_json(m));
  m.base_score = "[1E-1,2E-1]";
  expect_error(model_json(m), error_code::import_failed, "has 2 values for 3 outputs");
  m.base_score = "[1E-1,,3E-1]";
  expect_error(model_json(m), error_code::import_failed, "is not a finite number");
  m.base_score = "[]";
  expect_error(model_json(m), error_code::import_failed, "base_score");
}

TEST_CASE("rewriting categorical splits is capped") {
  // A full tree of depth 9, every split categorical on its own feature with
  // missing values going right: the rewrite would need ~4^9 nodes.
  XModel m;
  m.objective = "reg:squarederror";
  m.num_feature = 10;
  m.feature_names = "[]";
  XTree t;
  std::vector<std::pair<int, int>> open{{t.add_cat_split(0, {1}, false), 0}};
  for (size_t q = 0; q < open.size(); ++q) {
    const auto [node, depth] = open[q];
    int kids[2];
    for (int& k : kids) {
      if (depth + 1 == 9) {
        k = t.add_leaf("1");
      } else {
        k = t.add_cat_split(depth + 1, {0, 2}, false);
        open.push_back({k, depth + 1});
      }
    }
    t.link(node, kids[0], kids[1]);
  }
  m.trees = {t};
  expect_error(model_json(m), error_code::unsupported_model, "would need more than");
}

TEST_CASE("the converter takes a parsed XgbModel from any front-end") {
  // The JSON front-end's output converted directly equals the public import;
  // a second front-end (UBJSON) would fill the same struct and name itself.
  const std::string json = model_json(sample());
  mlmap::importers::XgbModel parsed;
  REQUIRE(mlmap::importers::parse_xgboost_json(json, {}, parsed).ok());
  CHECK(parsed.source == "XGBoost JSON");
  auto direct = mlmap::importers::convert_xgboost_model(parsed, {});
  auto via_api = mlmap::import_xgboost_json(json);
  REQUIRE_MESSAGE(direct.ok(), direct.error().describe());
  REQUIRE(via_api.ok());
  CHECK(direct->trees.node_child() == via_api->trees.node_child());
  CHECK(direct->trees.node_threshold() == via_api->trees.node_threshold());
  CHECK(direct->trees.leaf_values() == via_api->trees.leaf_values());
  CHECK(direct->description.base_score == via_api->description.base_score);

  parsed.source = "XGBoost UBJSON";
  (*parsed.trees[0].left)[0] = 1000;
  auto bad = mlmap::importers::convert_xgboost_model(parsed, {});
  CHECK(bad.code() == error_code::import_failed);
  CHECK_MESSAGE(bad.message().rfind("XGBoost UBJSON: tree 0", 0) == 0, bad.message());
}
