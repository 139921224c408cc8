// Stage 3 of the LightGBM importer: the model -- objective, shape, rounds,
// names and the pandas categories (see lightgbm_text.hpp for the stages).
//
// What predict computes (GBDT::Predict, the objectives' ConvertOutput in
// LightGBM 4.7): raw[k] = sum over the used iterations i of tree i * K + k
// (K = num_tree_per_iteration; the init score is inside the first trees'
// leaves), divided by the number of iterations for rf (average_output), then:
// binary and multiclassova sigmoid(s * raw) (s = the objective's sigmoid; ova
// per class, not normalised), multiclass softmax, cross_entropy sigmoid(raw),
// poisson / gamma / tweedie exp(raw), the rest raw.  LGBMClassifier's
// predict_proba is [1 - p, p] for binary, and its predict the argmax.

#include <algorithm>
#include <cmath>
#include <map>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "format/limits.hpp"
#include "importers/lightgbm_text.hpp"
#include "mlmap/importers.hpp"

namespace mlmap {

namespace importers::lightgbm {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }
std::string snum(long long v) { return std::to_string(v); }

// --- header values ---------------------------------------------------------------

Status header_integer(const RawModel& m, const char* key, long long lo, long long hi, long long& out, bool required,
                      long long fallback = 0) {
  const Field* f = m.header.find(key);
  if (!f) {
    if (required) return failed("no '" + std::string(key) + "' line in the header: not a LightGBM text model");
    out = fallback;
    return {};
  }
  if (!parse_integer(f->value, out)) return failed("line " + num(f->line) + ": " + key + " = " + quote(f->value) + " is not an integer");
  if (out < lo || out > hi)
    return failed("line " + num(f->line) + ": " + key + " = " + snum(out) + " is outside [" + snum(lo) + ", " + snum(hi) + "]");
  return {};
}

// --- objectives -----------------------------------------------------------------------

struct Objective {
  std::string name;  // canonical, as ObjectiveFunction::CreateObjectiveFunction knows it
  Task task = Task::regression;
  LinkFunction link = LinkFunction::identity;
  double scale = 1.0;
  long long num_class = 1;  // multiclass objectives
};

/// LightGBM's ParseObjectiveAlias (config.h), applied, as its loader does, to
/// the whole objective line.
std::string objective_alias(const std::string& s) {
  static const std::pair<const char*, const char*> aliases[] = {
      {"regression_l2", "regression"}, {"mean_squared_error", "regression"}, {"mse", "regression"},
      {"l2", "regression"}, {"l2_root", "regression"}, {"root_mean_squared_error", "regression"},
      {"rmse", "regression"}, {"mean_absolute_error", "regression_l1"}, {"l1", "regression_l1"},
      {"mae", "regression_l1"}, {"softmax", "multiclass"}, {"multiclass_ova", "multiclassova"},
      {"ova", "multiclassova"}, {"ovr", "multiclassova"}, {"xentropy", "cross_entropy"},
      {"xentlambda", "cross_entropy_lambda"}, {"mean_absolute_percentage_error", "mape"},
      {"xendcg", "rank_xendcg"}, {"xe_ndcg", "rank_xendcg"}, {"xe_ndcg_mart", "rank_xendcg"},
      {"xendcg_mart", "rank_xendcg"}, {"none", "custom"}, {"null", "custom"}, {"na", "custom"}};
  for (const auto& [from, to] : aliases)
    if (s == from) return to;
  return s;
}

constexpr const char* supported_objectives =
    "binary, cross_entropy, multiclass, multiclassova, regression, regression_l1, huber, fair, quantile, mape, "
    "poisson, gamma, tweedie, lambdarank, rank_xendcg";

Status parse_objective(const RawModel& m, Objective& o) {
  const Field* f = m.header.find("objective");
  if (!f) {  // trained with a custom objective: predict gives raw scores
    o.name = "custom";
    return {};
  }
  const std::string where = "line " + num(f->line) + ": objective " + quote(f->value);
  const std::string line = objective_alias(std::string(f->value));
  const auto tok = tokens(line);
  if (tok.empty()) return failed(where + " is empty");
  o.name = std::string(tok[0]);
  std::optional<double> sigmoid;
  std::optional<long long> num_class;
  bool sqrt = false;
  for (size_t i = 1; i < tok.size(); ++i) {
    const auto t = tok[i];
    if (t == "sqrt") {
      sqrt = true;
    } else if (t.substr(0, 8) == "sigmoid:") {
      double s = 0;
      if (!parse_double(t.substr(8), s) || !(s > 0) || !std::isfinite(s))
        return failed(where + ": sigmoid " + quote(t.substr(8)) + " is not a number > 0");
      sigmoid = s;
    } else if (t.substr(0, 10) == "num_class:") {
      long long k = 0;
      if (!parse_integer(t.substr(10), k) || k < 1 || static_cast<uint64_t>(k) > limits::max_outputs)
        return failed(where + ": num_class " + quote(t.substr(10)) + " is outside [1, " + num(limits::max_outputs) + "]");
      num_class = k;
    }
  }
  const std::string& n = o.name;
  if (n == "binary" || n == "multiclassova") {
    if (!sigmoid) return failed(where + " has no sigmoid:");
    o.task = Task::classification;
    o.link = n == "binary" ? LinkFunction::logistic : LinkFunction::logistic_each;
    o.scale = *sigmoid;
  } else if (n == "multiclass") {
    o.task = Task::classification;
    o.link = LinkFunction::softmax;
  } else if (n == "cross_entropy") {
    o.link = LinkFunction::logistic;
  } else if (n == "regression" || n == "regression_l1" || n == "huber" || n == "fair" || n == "quantile" || n == "mape") {
    if (sqrt)
      return unsupported("objective " + quote(f->value) + " (reg_sqrt=True): predict squares the raw score with its "
                         "sign, which mlmap's links do not express; train without reg_sqrt");
  } else if (n == "poisson" || n == "gamma" || n == "tweedie") {
    o.link = LinkFunction::exp;  // LightGBM turns reg_sqrt off for these
  } else if (n == "lambdarank" || n == "rank_xendcg") {
    o.task = Task::ranking;
  } else if (n == "custom") {
  } else if (n == "cross_entropy_lambda") {
    return unsupported("objective 'cross_entropy_lambda': its output log(1 + exp(raw)) is not one of mlmap's links; "
                       "supported: " + std::string(supported_objectives));
  } else {
    return unsupported("objective " + quote(f->value) + " is not supported; supported: " + supported_objectives);
  }
  if (n == "multiclass" || n == "multiclassova") {
    if (!num_class) return failed(where + " has no num_class:");
    if (*num_class < 2) return failed(where + ": num_class " + snum(*num_class) + " (expected >= 2)");
    o.num_class = *num_class;
  }
  return {};
}

// --- the model --------------------------------------------------------------------------------

bool auto_names(const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] != "Column_" + num(i)) return false;
  return true;
}

Result<ImportedModel> convert(const RawModel& m, const ImportOptions& options) {
  // Version: the formats of LightGBM 2.x - 4.x.
  std::string format = "v4";
  if (const Field* v = m.header.find("version")) {
    format = std::string(v->value);
    if (format != "v2" && format != "v3" && format != "v4")
      return unsupported("model format version " + quote(format) + " (line " + num(v->line) +
                         "); this importer reads v2 to v4 (LightGBM 2.x - 4.x)");
  }

  // Shape.
  long long num_class = 0, per_iteration = 0, max_feature_idx = 0;
  MLMAP_IMPORT_TRY(header_integer(m, "num_class", 1, static_cast<long long>(limits::max_outputs), num_class, true));
  MLMAP_IMPORT_TRY(header_integer(m, "num_tree_per_iteration", 1, static_cast<long long>(limits::max_outputs),
                                  per_iteration, false, num_class));
  MLMAP_IMPORT_TRY(header_integer(m, "max_feature_idx", 0, static_cast<long long>(limits::max_features) - 1,
                                  max_feature_idx, true));
  const auto n_features = static_cast<size_t>(max_feature_idx) + 1;
  const auto K = static_cast<size_t>(per_iteration);
  const bool average = m.header.find("average_output") != nullptr;

  Objective objective;
  MLMAP_IMPORT_TRY(parse_objective(m, objective));
  const std::string objective_text = m.header.find("objective") ? std::string(m.header.find("objective")->value) : "custom";
  if (objective.task == Task::classification && objective.link != LinkFunction::logistic) {
    if (objective.num_class != num_class || static_cast<size_t>(num_class) != K)
      return failed("objective " + quote(objective_text) + " with num_class " + snum(num_class) +
                    " and num_tree_per_iteration " + num(K) + " (all three must agree)");
  } else if (objective.name != "custom" && K != 1) {
    return failed("objective " + quote(objective_text) + " with num_tree_per_iteration " + num(K) + " (expected 1)");
  }

  // Names and feature descriptions.
  const Field* names_field = m.header.find("feature_names");
  if (!names_field) return failed("no 'feature_names' line in the header: not a LightGBM text model");
  std::vector<std::string> file_names;
  for (auto t : tokens(names_field->value)) file_names.emplace_back(t);
  if (file_names.size() != n_features)
    return failed("line " + num(names_field->line) + ": feature_names has " + num(file_names.size()) +
                  " names, but max_feature_idx is " + snum(max_feature_idx));
  const Field* infos_field = m.header.find("feature_infos");
  if (!infos_field) return failed("no 'feature_infos' line in the header: not a LightGBM text model");
  const auto infos = tokens(infos_field->value);
  if (infos.size() != n_features)
    return failed("line " + num(infos_field->line) + ": feature_infos has " + num(infos.size()) +
                  " entries, but max_feature_idx is " + snum(max_feature_idx));
  if (const Field* sizes = m.header.find("tree_sizes"); sizes && tokens(sizes->value).size() != m.trees.size())
    return failed("line " + num(sizes->line) + ": tree_sizes has " + num(tokens(sizes->value).size()) +
                  " entries, but the file has " + num(m.trees.size()) + " trees");

  ModelDescription d;
  d.estimator = options.estimator.empty() ? "lightgbm.Booster" : options.estimator;
  d.task = objective.task;
  d.n_features = n_features;
  d.n_outputs = objective.task == Task::classification && K == 1 ? 2 : K;
  d.link = objective.link;
  d.link_scale = objective.scale;
  d.class_decision = ClassDecision::argmax_outputs;
  if (!options.feature_names.empty()) {
    if (options.feature_names.size() != n_features)
      return Error(error_code::invalid_argument, num(options.feature_names.size()) + " feature names given for " +
                                                     num(n_features) + " features");
    d.feature_names = options.feature_names;
  } else {
    d.feature_names = file_names;
  }
  {
    std::set<std::string_view> seen;
    for (const auto& s : d.feature_names)
      if (!seen.insert(s).second) {
        if (!options.feature_names.empty())
          return Error(error_code::invalid_argument, "feature name " + quote(s) + " is given twice");
        return failed("line " + num(names_field->line) + ": feature name " + quote(s) + " appears twice");
      }
  }

  // Pandas categories: a step that maps a DataFrame's categories to codes.
  std::vector<bool> coded(n_features, false);
  std::optional<PreprocessingSpec> program;
  MLMAP_IMPORT_TRY(pandas_step(m, d.feature_names, file_names, infos, options, program, coded));
  if (!program && options.feature_names.empty() && auto_names(d.feature_names))
    d.feature_names.clear();  // LightGBM's names for a matrix's columns: none

  if (options.classes.kind != ClassLabels::Kind::none) {
    if (objective.task != Task::classification)
      return Error(error_code::invalid_argument, "class labels given for objective " + quote(objective_text));
    if (options.classes.size() != d.n_outputs)
      return Error(error_code::invalid_argument,
                   num(options.classes.size()) + " class labels given for " + num(d.n_outputs) + " classes");
    d.classes = options.classes;
  } else if (objective.task == Task::classification) {
    d.classes.kind = ClassLabels::Kind::integers;
    for (size_t c = 0; c < d.n_outputs; ++c) d.classes.integers.push_back(static_cast<int64_t>(c));
  }

  // Which iterations predict uses.
  if (options.use_best_iteration)
    return Error(error_code::invalid_argument,
                 "use_best_iteration: LightGBM's text format records no best iteration (save_model() already stops "
                 "there); give iteration_end (num_iteration) instead");
  const size_t n_trees = m.trees.size();
  if (n_trees % K != 0)
    return failed(num(n_trees) + " trees are not whole iterations of num_tree_per_iteration = " + num(K));
  const size_t iterations = n_trees / K;
  size_t used = iterations;
  if (options.iteration_end) {
    if (options.iteration_end > iterations)
      return Error(error_code::invalid_argument, "keeping " + num(options.iteration_end) +
                                                     " iterations of a model that has " + num(iterations));
    used = static_cast<size_t>(options.iteration_end);
  }

  d.provenance = options.provenance;
  if (d.provenance.source_library.empty()) d.provenance.source_library = "lightgbm";
  std::map<std::string, std::string> metadata{{"lightgbm.objective", objective_text}, {"lightgbm.format_version", format}};
  if (used != iterations) metadata["lightgbm.num_iteration"] = num(used);
  if (average) metadata["lightgbm.average_output"] = "1";
  for (const auto& [k, v] : options.metadata) metadata[k] = v;
  d.metadata.assign(metadata.begin(), metadata.end());

  // Trees: check every one, add those predict uses.
  TreeEnsembleBuilder builder(n_features, 1, K, Aggregation::sum, SplitRule::less_equal, ThresholdType::float64);
  std::map<std::vector<uint32_t>, uint32_t> sets;
  std::vector<std::vector<uint32_t>> set_words;
  // The rewriting's budget: 64 x the used trees' nodes + 4096, over the model.
  uint64_t budget = 4096;
  for (size_t i = 0; i < used * K; ++i) {
    long long leaves = 1;
    if (const Field* f = m.trees[i].fields.find("num_leaves"); f && parse_integer(f->value, leaves) && leaves > 0 &&
                                                                static_cast<uint64_t>(leaves) <= limits::max_leaves)
      budget += 64 * (2 * static_cast<uint64_t>(leaves) - 1);
  }
  TreeContext cx;
  cx.node_budget = &budget;
  cx.n_features = n_features;
  cx.coded = &coded;
  cx.sets = &sets;
  cx.set_words = &set_words;
  for (size_t i = 0; i < n_trees; ++i) {
    TreeOptions o;
    o.output = static_cast<uint32_t>(i % K);
    if (average && used > 0) o.leaf_scale = 1.0 / static_cast<double>(used);
    MLMAP_IMPORT_TRY(convert_tree(m.trees[i], i, cx, i < used * K ? &builder : nullptr, o));
  }
  if (builder.n_trees() == 0) {
    // No trees: predict gives 0 for each output.  A leaf of 0 says so.
    TreeNodeList zero;
    zero.add_node();
    for (size_t k = 0; k < K; ++k) {
      TreeOptions o;
      o.output = static_cast<uint32_t>(k);
      MLMAP_IMPORT_TRY(builder.add_tree(zero.view(), o));
    }
  }
  builder.set_accepts_missing(true);  // LightGBM routes NaN everywhere
  return ImportedModel{std::move(d), std::move(builder), std::move(program)};
}

}  // namespace

}  // namespace importers::lightgbm

Result<ImportedModel> import_lightgbm_text(std::string_view text, const ImportOptions& options) noexcept {
  namespace lgb = importers::lightgbm;
  try {
    if (text.size() > options.max_input_bytes)
      return lgb::failed("the input has " + std::to_string(text.size()) + " bytes, more than the limit of " +
                         std::to_string(options.max_input_bytes));
    lgb::RawModel raw;
    MLMAP_IMPORT_TRY(lgb::parse_text(text, limits::max_trees, raw));
    return lgb::convert(raw, options);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory importing a LightGBM text model");
  } catch (const std::exception& e) {
    return Error(error_code::internal_error, std::string("importing a LightGBM text model: ") + e.what());
  }
}

Status convert_lightgbm_text(std::string_view text, const std::string& out_path, const ImportOptions& options) noexcept {
  auto imported = import_lightgbm_text(text, options);
  if (!imported) return imported.status();
  return save_imported(out_path, *imported);
}

}  // namespace mlmap
