// An XgbModel (xgboost_model.hpp) into an ImportedModel: the objective and
// what it predicts, the shape, the base margin, the rounds predict uses, the
// description; the trees go through XgbTreeConverter (xgboost_trees.cc).
//
// XGBoost's semantics (1.7, checked against xgboost's predict by
// tests/importers/test_xgboost.py):
//   * raw score = base margin + sum of the leaves of the trees of each output
//     group (tree_info), dart trees times weight_drop;
//   * base margin from base_score (a float32 in a string): logit(b) for
//     binary:logistic and reg:logistic, log(b) for count:poisson, reg:gamma and
//     reg:tweedie, b itself otherwise (binary:logitraw included), computed in
//     float32 as xgboost does.

#include "importers/xgboost_convert.hpp"

#include <cmath>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "format/limits.hpp"
#include "importers/json_text.hpp"
#include "importers/xgboost_trees.hpp"

namespace mlmap::importers {

namespace {

enum class Objective {
  binary_logistic,
  binary_logitraw,
  multi_softprob,
  multi_softmax,
  reg_squarederror,
  reg_logistic,
  reg_pseudohubererror,
  count_poisson,
  reg_gamma,
  reg_tweedie,
  rank_pairwise,
  reg_absoluteerror,
  reg_quantileerror,
  binary_hinge,
};

const std::pair<const char*, Objective> objective_names[] = {
    {"binary:logistic", Objective::binary_logistic},
    {"binary:logitraw", Objective::binary_logitraw},
    {"multi:softprob", Objective::multi_softprob},
    {"multi:softmax", Objective::multi_softmax},
    {"reg:squarederror", Objective::reg_squarederror},
    {"reg:logistic", Objective::reg_logistic},
    {"reg:pseudohubererror", Objective::reg_pseudohubererror},
    {"count:poisson", Objective::count_poisson},
    {"reg:gamma", Objective::reg_gamma},
    {"reg:tweedie", Objective::reg_tweedie},
    {"rank:pairwise", Objective::rank_pairwise},
    // The other ranking objectives train otherwise but predict alike: the
    // margin (XGBRanker's default is rank:ndcg since xgboost 2.0).
    {"rank:ndcg", Objective::rank_pairwise},
    {"rank:map", Objective::rank_pairwise},
    {"reg:absoluteerror", Objective::reg_absoluteerror},
    {"reg:quantileerror", Objective::reg_quantileerror},
    {"binary:hinge", Objective::binary_hinge},
};

std::string supported_objectives() {
  std::string s;
  for (const auto& [name, o] : objective_names) s += (s.empty() ? "" : ", ") + std::string(name);
  return s;
}

/// What the objective's predict computes, in FORMAT.md §6 terms.
struct Mapping {
  Task task = Task::regression;
  LinkFunction link = LinkFunction::identity;
  ClassDecision decision = ClassDecision::argmax_outputs;
  enum class Margin { same, logit, log } margin = Margin::same;
  bool multiclass = false;   // n_raw = num_class
  bool multi_target = true;  // n_raw = num_target allowed
};

Mapping mapping_of(Objective o) {
  Mapping m;
  switch (o) {
    case Objective::binary_logistic:
      m.task = Task::classification, m.link = LinkFunction::logistic, m.margin = Mapping::Margin::logit;
      m.multi_target = false;
      break;
    case Objective::binary_logitraw:
      // predict gives the margin; the class is margin > 0.  base_score is NOT
      // turned into a logit (xgboost 1.7 adds it as it is).
      m.task = Task::classification, m.link = LinkFunction::logistic, m.decision = ClassDecision::argmax_raw;
      m.multi_target = false;
      break;
    case Objective::multi_softprob:
      m.task = Task::classification, m.link = LinkFunction::softmax, m.multiclass = true, m.multi_target = false;
      break;
    case Objective::multi_softmax:
      // predict gives argmax of the margins; XGBClassifier.predict_proba the softmax.
      m.task = Task::classification, m.link = LinkFunction::softmax, m.decision = ClassDecision::argmax_raw, m.multiclass = true;
      m.multi_target = false;
      break;
    case Objective::reg_squarederror:
    case Objective::reg_pseudohubererror:
    // Their leaves were refreshed by a line search (xgboost's UpdateTreeLeaf)
    // before the trees were saved: predict is the plain sum.  Quantile
    // regression has one output per quantile_alpha (num_target).
    case Objective::reg_absoluteerror:
    case Objective::reg_quantileerror: break;
    case Objective::binary_hinge:
      // predict gives margin > 0 ? 1 : 0 (HingeObj::PredTransform);
      // XGBClassifier.predict_proba the pair [1 - that, that]: Hard.
      m.task = Task::classification, m.link = LinkFunction::hard, m.decision = ClassDecision::argmax_raw;
      m.multi_target = false;
      break;
    case Objective::reg_logistic:
      m.link = LinkFunction::logistic, m.margin = Mapping::Margin::logit, m.multi_target = false;
      break;
    case Objective::count_poisson:
    case Objective::reg_gamma:
    case Objective::reg_tweedie: m.link = LinkFunction::exp, m.margin = Mapping::Margin::log; break;
    case Objective::rank_pairwise: m.task = Task::ranking, m.multi_target = false; break;
  }
  return m;
}

}  // namespace

Result<ImportedModel> convert_xgboost_model(const XgbModel& m, const ImportOptions& options) noexcept try {
  auto failed = [&](const std::string& message) { return malformed(m.source, message); };
  // Version: the format this importer was checked against.
  if (!m.version) return failed("no 'version': not an XGBoost JSON model");
  if (m.version->size() < 2) return failed("'version' has " + unum(m.version->size()) + " numbers, expected 3");
  std::string version;
  for (size_t i = 0; i < m.version->size() && i < 3; ++i) version += (i ? "." : "") + num((*m.version)[i]);
  // 2.x and 3.x keep 1.7's JSON for everything imported here (checked by
  // tests/importers/test_xgboost.py and tests/matrix/test_xgboost_files.py
  // against xgboost 1.7.4, 2.1.4 and 3.2.0); what they add is read (vector
  // leaves in both layouts, vector base_score), refused where it matters (a
  // recorded categories encoder) or ignored (iteration_indptr, an empty 'cats').
  // unsupported_model naming the xgboost version that wrote the model.
  auto refuse = [&](const std::string& message) { return unsupported(message + " (written by xgboost " + version + ")"); };
  if ((*m.version)[0] < 1 || (*m.version)[0] > 3)
    return unsupported("written by xgboost " + version + "; this importer reads the JSON of xgboost 1.x to 3.x");

  // Booster and objective.
  if (!m.booster) return failed("no 'learner.gradient_booster.name'");
  if (*m.booster == "gblinear") return refuse("booster 'gblinear' (linear models) is not supported; use gbtree or dart");
  if (*m.booster != "gbtree" && *m.booster != "dart")
    return refuse("booster " + quote_text(*m.booster) + " is not supported; use gbtree or dart");
  const bool dart = *m.booster == "dart";
  if (!m.objective) return failed("no 'learner.objective.name'");
  std::optional<Objective> objective;
  for (const auto& [name, o] : objective_names)
    if (*m.objective == name) objective = o;
  if (!objective)
    return refuse("objective " + quote_text(*m.objective) + " is not supported; supported: " + supported_objectives());
  const Mapping map = mapping_of(*objective);

  // Shape.
  if (!m.num_feature) return failed("no 'learner.learner_model_param.num_feature'");
  if (*m.num_feature < 1 || static_cast<uint64_t>(*m.num_feature) > limits::max_features)
    return failed("learner_model_param.num_feature = " + num(*m.num_feature) + " is outside [1, " +
                  unum(limits::max_features) + "]");
  const auto n_features = static_cast<size_t>(*m.num_feature);
  const long long num_class = m.num_class.value_or(0);
  const long long num_target = m.num_target.value_or(1);
  if (num_target < 1) return failed("learner_model_param.num_target is 0");
  size_t n_raw = 1;
  if (map.multiclass) {
    if (num_class < 2) return failed(*m.objective + " with num_class " + num(num_class) + " (expected >= 2)");
    if (num_target != 1) return refuse(*m.objective + " with num_target " + num(num_target));
    n_raw = static_cast<size_t>(num_class);
  } else {
    if (num_class > 1) return failed(*m.objective + " with num_class " + num(num_class) + " (expected 0)");
    if (num_target > 1 && !map.multi_target)
      return refuse(*m.objective + " with " + num(num_target) + " targets (num_target)");
    n_raw = static_cast<size_t>(num_target);
  }
  if (n_raw > limits::max_outputs)
    return failed("learner_model_param: " + unum(n_raw) + " outputs, more than mlmap's limit " + unum(limits::max_outputs));

  // Base margin, computed in float32 as xgboost 1.7 does (ObjFunction::ProbToMargin).
  // xgboost >= 3.1 writes a vector, "[5E-1]", one value per output group
  // (multi:softprob: one per class); each is turned into a margin alike.
  if (!m.base_score) return failed("no 'learner.learner_model_param.base_score'");
  std::vector<std::string_view> base_tokens;
  {
    std::string_view t = trim(*m.base_score);
    if (!t.empty() && t.front() == '[' && t.back() == ']') {
      t = t.substr(1, t.size() - 2);
      for (size_t at = 0;;) {
        const size_t comma = t.find(',', at);
        base_tokens.push_back(trim(t.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at)));
        if (comma == std::string_view::npos) break;
        at = comma + 1;
      }
    } else {
      base_tokens.push_back(t);
    }
  }
  if (base_tokens.size() != 1 && base_tokens.size() != n_raw)
    return failed("learner_model_param.base_score = " + quote_text(*m.base_score) + " has " + unum(base_tokens.size()) +
                  " values for " + unum(n_raw) + " outputs");
  std::vector<float> margins;
  for (const std::string_view token : base_tokens) {
    float base = 0;
    if (!parse_float_token(token, base) || !std::isfinite(base))
      return failed("learner_model_param.base_score = " + quote_text(*m.base_score) + " is not a finite number");
    float margin = base;
    if (map.margin == Mapping::Margin::logit) {
      if (!(base > 0.0f && base < 1.0f))
        return failed("base_score " + quote_text(*m.base_score) + " must be in (0, 1) for " + *m.objective);
      margin = -std::log(1.0f / base - 1.0f);
    } else if (map.margin == Mapping::Margin::log) {
      if (!(base > 0.0f)) return failed("base_score " + quote_text(*m.base_score) + " must be > 0 for " + *m.objective);
      margin = std::log(base);
    }
    if (!std::isfinite(margin)) return failed("base_score " + quote_text(*m.base_score) + " gives a non-finite margin");
    margins.push_back(margin);
  }

  if (m.cats_encoded)
    return refuse("a categories encoder (model 'cats' records the categories of " + unum(m.cats_encoded) +
                  " features): xgboost's predict re-codes a DataFrame's categories by value, which mlmap does not "
                  "do yet; train on category codes (numeric columns with feature_types 'c') to convert it");

  // Trees and their groups.
  if (!m.have_model) return failed("no 'learner.gradient_booster.model' (tree model)");
  if (!m.num_trees) return failed("no 'gbtree_model_param.num_trees'");
  if (!m.have_trees) return failed("no 'gradient_booster.model.trees'");
  // Vector leaves (multi_strategy="multi_output_tree", xgboost >= 2.0): every
  // tree's leaves hold all n_raw outputs (tree_param.size_leaf_vector); each
  // tree is one output group of its own.
  size_t leaf_width = m.size_leaf_vector && *m.size_leaf_vector > 1 ? static_cast<size_t>(*m.size_leaf_vector) : 1;
  for (const XgbTree& t : m.trees)
    if (t.size_leaf_vector && *t.size_leaf_vector > 1) leaf_width = static_cast<size_t>(*t.size_leaf_vector);
  if (leaf_width > 1 && leaf_width != n_raw)
    return failed("vector leaves of " + unum(leaf_width) + " values (tree_param.size_leaf_vector) for " + unum(n_raw) +
                  " outputs");
  const auto n_trees = static_cast<size_t>(*m.num_trees);
  if (m.trees.size() != n_trees)
    return failed("'trees' has " + unum(m.trees.size()) + " trees, but gbtree_model_param.num_trees is " + unum(n_trees));
  if (!m.tree_info) return failed("no 'gradient_booster.model.tree_info'");
  if (m.tree_info->size() != n_trees)
    return failed("'tree_info' has " + unum(m.tree_info->size()) + " entries, but num_trees is " + unum(n_trees));
  const size_t n_groups = leaf_width > 1 ? 1 : n_raw;
  for (size_t i = 0; i < n_trees; ++i)
    if ((*m.tree_info)[i] < 0 || static_cast<size_t>((*m.tree_info)[i]) >= n_groups)
      return failed("tree_info[" + unum(i) + "] = " + num((*m.tree_info)[i]) + " is outside [0, " + unum(n_groups) +
                    ") (output groups)");
  if (dart) {
    if (!m.weight_drop) return failed("a dart booster without 'weight_drop'");
    if (m.weight_drop->size() != n_trees)
      return failed("'weight_drop' has " + unum(m.weight_drop->size()) + " entries, but num_trees is " + unum(n_trees));
    for (size_t i = 0; i < n_trees; ++i)
      if (!std::isfinite((*m.weight_drop)[i])) return failed("weight_drop[" + unum(i) + "] is not finite");
  }

  // Which rounds predict uses.
  if (options.use_best_iteration && options.iteration_end)
    return Error(error_code::invalid_argument, "use_best_iteration and iteration_end exclude each other");
  uint64_t rounds_used = options.iteration_end;
  if (options.use_best_iteration && m.best_iteration) rounds_used = static_cast<uint64_t>(*m.best_iteration) + 1;
  size_t n_used = n_trees;
  if (rounds_used) {
    const uint64_t layer = static_cast<uint64_t>(m.num_parallel_tree.value_or(1)) * n_groups;
    if (n_trees % layer != 0)
      return failed(unum(n_trees) + " trees are not whole boosting rounds of " + unum(layer) +
                    " trees (num_parallel_tree x output groups)");
    if (rounds_used > n_trees / layer) {
      const std::string what = "keeping " + unum(rounds_used) + " boosting rounds of a model that has " +
                               unum(n_trees / layer);
      if (options.iteration_end) return Error(error_code::invalid_argument, what);
      return failed("attributes.best_iteration: " + what);
    }
    n_used = static_cast<size_t>(rounds_used * layer);
  }

  // Description.
  ModelDescription d;
  d.estimator = options.estimator.empty() ? "xgboost.Booster" : options.estimator;
  d.task = map.task;
  d.n_features = n_features;
  d.n_outputs = map.task == Task::classification ? (n_raw == 1 ? 2 : n_raw) : n_raw;
  d.link = map.link;
  d.class_decision = map.decision;
  if (margins.size() == 1)
    d.base_score.assign(n_raw, static_cast<double>(margins[0]));
  else
    d.base_score.assign(margins.begin(), margins.end());
  if (!options.feature_names.empty()) {
    d.feature_names = options.feature_names;
    if (d.feature_names.size() != n_features)
      return Error(error_code::invalid_argument, unum(d.feature_names.size()) + " feature names given for " +
                                                     unum(n_features) + " features");
  } else if (!m.feature_names.empty()) {
    if (m.feature_names.size() != n_features)
      return failed("learner.feature_names has " + unum(m.feature_names.size()) + " names, but num_feature is " +
                    unum(n_features));
    d.feature_names = m.feature_names;
  }
  {
    std::set<std::string_view> names;
    for (const auto& s : d.feature_names)
      if (!names.insert(s).second) {
        if (!options.feature_names.empty())
          return Error(error_code::invalid_argument, "feature name " + quote_text(s) + " is given twice");
        return failed("learner.feature_names: " + quote_text(s) + " appears twice");
      }
  }
  if (!m.feature_types.empty() && m.feature_types.size() != n_features)
    return failed("learner.feature_types has " + unum(m.feature_types.size()) + " entries, but num_feature is " +
                  unum(n_features));
  if (options.classes.kind != ClassLabels::Kind::none) {
    if (map.task != Task::classification)
      return Error(error_code::invalid_argument, "class labels given for objective " + *m.objective);
    if (options.classes.size() != d.n_outputs)
      return Error(error_code::invalid_argument,
                   unum(options.classes.size()) + " class labels given for " + unum(d.n_outputs) + " classes");
    d.classes = options.classes;
  } else if (map.task == Task::classification) {
    d.classes.kind = ClassLabels::Kind::integers;
    for (size_t c = 0; c < d.n_outputs; ++c) d.classes.integers.push_back(static_cast<int64_t>(c));
  }
  d.provenance = options.provenance;
  if (d.provenance.source_library.empty()) d.provenance.source_library = "xgboost";
  if (d.provenance.source_version.empty()) d.provenance.source_version = version;
  std::map<std::string, std::string> metadata{
      {"xgboost.objective", *m.objective},
      {"xgboost.booster", *m.booster},
      {"xgboost.base_score", *m.base_score},
  };
  if (n_used != n_trees) metadata["xgboost.iteration_end"] = unum(rounds_used);
  if (leaf_width > 1) metadata["xgboost.multi_strategy"] = "multi_output_tree";
  for (const auto& [k, v] : options.metadata) metadata[k] = v;
  d.metadata.assign(metadata.begin(), metadata.end());

  // Trees: check every one, add those predict uses.
  TreeEnsembleBuilder builder(n_features, leaf_width, n_raw, Aggregation::sum, SplitRule::less, ThresholdType::float32);
  XgbTreeConverter converter(builder, n_features, m.source, leaf_width);
  for (size_t i = 0; i < n_trees; ++i) {
    TreeOptions o;
    o.output = static_cast<uint32_t>((*m.tree_info)[i]);
    if (dart) o.leaf_scale = static_cast<double>((*m.weight_drop)[i]);
    MLMAP_TRY(converter.tree(m.trees[i], i, i < n_used, o));
  }
  if (builder.n_trees() == 0) {
    // No trees: predict gives the base margin alone.  One leaf of 0 says so.
    const int64_t none = -1, zero_feature = 0;
    const std::vector<double> zero(leaf_width, 0.0);
    TreeNodes t;
    t.n_nodes = 1;
    t.left = &none;
    t.right = &none;
    t.feature = &zero_feature;
    t.values = zero.data();
    t.value_stride = leaf_width;
    MLMAP_TRY(builder.add_tree(t));
  }
  builder.set_accepts_missing(true);  // xgboost routes NaN everywhere (default_left)
  return ImportedModel{std::move(d), std::move(builder)};
} catch (const std::bad_alloc&) {
  return Error(error_code::out_of_memory, "out of memory converting an XGBoost model");
}

}  // namespace mlmap::importers
