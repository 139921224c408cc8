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

#include <simdjson.h>

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

// --- pandas categories --------------------------------------------------------------------

/// One DataFrame column's categories, as the pandas_categorical line lists them.
struct Categories {
  bool strings = false;
  std::vector<std::string> text;
  std::vector<double> numbers;
  size_t size() const { return strings ? text.size() : numbers.size(); }
};

Status parse_pandas_categorical(const Field& f, std::vector<Categories>& out) {
  const std::string where = "line " + num(f.line) + " (pandas_categorical)";
  namespace dom = simdjson::dom;
  simdjson::padded_string padded(f.value.data(), f.value.size());
  dom::parser parser;
  if (parser.allocate(std::max<size_t>(f.value.size(), 64), 3) != simdjson::SUCCESS)
    return Error(error_code::out_of_memory, "out of memory reading " + where);
  dom::element root;
  if (auto e = parser.parse(padded).get(root))
    return failed(where + " is not the JSON list of lists the Python package writes (" + simdjson::error_message(e) + ")");
  if (root.is_null()) return {};
  dom::array lists;
  if (root.get_array().get(lists)) return failed(where + " is not a JSON list (or null)");
  size_t j = 0;
  for (dom::element list : lists) {
    const std::string col = where + ", list " + num(j++);
    dom::array values;
    if (list.get_array().get(values)) return failed(col + " is not a list of categories");
    Categories c;
    size_t kinds = 0;
    for (dom::element v : values) {
      switch (v.type()) {
        case dom::element_type::STRING: {
          std::string_view s;
          if (v.get_string().get(s)) return failed(col + ": a category is not a valid string");
          c.text.emplace_back(s);
          kinds |= 1;
          break;
        }
        case dom::element_type::INT64:
        case dom::element_type::UINT64: {
          // Exact in a double (as a DataFrame's values reach mlmap) up to 2^53.
          int64_t i = 0;
          if (v.get_int64().get(i) || i > (int64_t{1} << 53) || i < -(int64_t{1} << 53))
            return unsupported(col + ": the integer category " + quote(simdjson::minify(v)) +
                               " is not exact in a double (|value| > 2^53)");
          c.numbers.push_back(static_cast<double>(i));
          kinds |= 2;
          break;
        }
        case dom::element_type::DOUBLE: {
          double d = 0;
          if (v.get_double().get(d)) return failed(col + ": a category is not a number");
          c.numbers.push_back(d);
          kinds |= 2;
          break;
        }
        case dom::element_type::BOOL: {
          bool b = false;
          if (v.get_bool().get(b)) return failed(col + ": a category is not a boolean");
          c.numbers.push_back(b ? 1.0 : 0.0);  // a DataFrame's True reaches mlmap as 1.0
          kinds |= 2;
          break;
        }
        default: return unsupported(col + ": category " + quote(simdjson::minify(v)) + " is neither a string nor a number");
      }
    }
    if (kinds == 3) return unsupported(col + " mixes string and numeric categories");
    c.strings = kinds == 1;
    if (c.size() == 0) return unsupported(col + " has no categories");
    out.push_back(std::move(c));
  }
  return {};
}

/// The features the category lists belong to: named by the caller (in
/// `names`, the model's final feature names), else read from the file's
/// parameters (whose "name:" form uses the file's own names).
Status pandas_columns(const RawModel& m, const std::vector<std::string>& names, const std::vector<std::string>& file_names,
                      size_t n_lists, const ImportOptions& options, std::vector<size_t>& out) {
  const size_t n_features = file_names.size();
  if (!options.pandas_categorical_columns.empty()) {
    if (options.pandas_categorical_columns.size() != n_lists)
      return Error(error_code::invalid_argument, num(options.pandas_categorical_columns.size()) +
                                                     " pandas categorical columns given for the file's " + num(n_lists) +
                                                     " category lists");
    for (const auto& name : options.pandas_categorical_columns) {
      const auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end())
        return Error(error_code::invalid_argument, "pandas categorical column " + quote(name) + " is not a feature");
      const auto f = static_cast<size_t>(it - names.begin());
      if (std::find(out.begin(), out.end(), f) != out.end())
        return Error(error_code::invalid_argument, "pandas categorical column " + quote(name) + " is given twice");
      out.push_back(f);
    }
    return {};
  }
  // The Python package trains with categorical_feature = the DataFrame's
  // unordered category columns (ascending), saved as "[categorical_feature: 1,3]".
  const Field* p = m.parameters.find("categorical_feature");
  std::vector<size_t> cats;
  if (p && !p->value.empty()) {
    std::string_view v = p->value;
    const bool by_name = v.substr(0, 5) == "name:";
    if (by_name) v.remove_prefix(5);
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string_view::npos) comma = v.size();
      const auto item = v.substr(start, comma - start);
      long long f = -1;
      if (by_name) {
        const auto it = std::find(file_names.begin(), file_names.end(), item);
        if (it != file_names.end()) f = it - file_names.begin();
      } else if (!parse_integer(item, f)) {
        f = -1;
      }
      if (f < 0 || static_cast<uint64_t>(f) >= n_features)
        return failed("line " + num(p->line) + ": categorical_feature " + quote(item) + " is not a feature");
      cats.push_back(static_cast<size_t>(f));
      start = comma + 1;
    }
    std::sort(cats.begin(), cats.end());
    // Found by fuzz_lightgbm_text: two lists on one column made an invalid step.
    if (const auto dup = std::adjacent_find(cats.begin(), cats.end()); dup != cats.end())
      return failed("line " + num(p->line) + ": categorical_feature lists feature " + num(*dup) + " twice");
  }
  if (cats.size() != n_lists) {
    std::string list;
    for (size_t f : cats) list += (list.empty() ? "" : ", ") + (f < names.size() ? names[f] : num(f));
    return unsupported("the pandas_categorical line has " + num(n_lists) + " category lists but the model has " +
                       num(cats.size()) + " categorical features (" + (list.empty() ? "none" : list) +
                       "), so which DataFrame columns they belong to is not in the file (an ordered pandas "
                       "Categorical, or categorical_feature given explicitly?); name them, in order: "
                       "mlmap.save(..., pandas_categorical=[...]) or --pandas-categorical NAME,...");
  }
  out = cats;
  return {};
}

/// The codes of feature f must fit its list: feature_infos lists the codes
/// (categorical) or their range (an ordered category read as a number).
Status check_codes_fit(const std::string_view info, const std::string& name, size_t n_categories) {
  if (info == "none") return {};
  auto fits = [&](std::string_view t, bool allow_minus_one) {
    double v = 0;
    if (!parse_double(t, v)) return true;  // not a number: nothing to check
    return v >= (allow_minus_one ? -1.0 : 0.0) && v < static_cast<double>(n_categories);
  };
  bool ok = true;
  if (info.size() >= 2 && info.front() == '[' && info.back() == ']') {
    const auto inner = info.substr(1, info.size() - 2);
    const size_t colon = inner.find(':');
    ok = colon != std::string_view::npos && fits(inner.substr(0, colon), false) && fits(inner.substr(colon + 1), false);
  } else {
    size_t start = 0;
    while (ok && start <= info.size()) {
      size_t colon = info.find(':', start);
      if (colon == std::string_view::npos) colon = info.size();
      ok = fits(info.substr(start, colon - start), true);
      start = colon + 1;
    }
  }
  if (!ok)
    return unsupported("feature " + quote(name) + " (feature_infos " + quote(info) + ") holds values that are not codes of its " +
                       num(n_categories) + " pandas categories: the pandas_categorical lists do not belong to the "
                       "features guessed; name them: mlmap.save(..., pandas_categorical=[...]) or --pandas-categorical");
  return {};
}

/// One Ordinal step per kind (numbers, strings): value -> position in the
/// pandas list, anything else (and missing) -> NaN, as pandas'
/// set_categories + cat.codes + replace(-1, NaN) give LightGBM.
PreprocessingSpec pandas_program(size_t n_features, const std::vector<Categories>& lists, const std::vector<size_t>& columns) {
  PreprocessingSpec p;
  p.n_slots = static_cast<uint32_t>(n_features);
  p.n_string_slots = static_cast<uint32_t>(n_features);
  p.features.resize(n_features);
  for (size_t f = 0; f < n_features; ++f) p.features[f] = static_cast<uint32_t>(f);
  bool any_strings = false;
  for (const bool strings : {false, true}) {
    OpSpec op;
    op.kind = OpSpec::Kind::ordinal;
    op.string_inputs = strings;
    op.unknown = OpSpec::Unknown::use_value;
    op.unknown_value = std::numeric_limits<double>::quiet_NaN();
    op.missing_encoded = std::numeric_limits<double>::quiet_NaN();
    std::vector<size_t> outputs;
    for (size_t j = 0; j < lists.size(); ++j) {
      const Categories& c = lists[j];
      if (c.strings != strings) continue;
      std::vector<uint32_t> order(c.size());
      for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
      if (strings)
        std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return c.text[a] < c.text[b]; });
      else
        std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return c.numbers[a] < c.numbers[b]; });
      for (uint32_t k : order) {
        if (strings)
          op.string_categories.push_back(c.text[k]);
        else
          op.numeric_categories.push_back(c.numbers[k]);
        op.category_order.push_back(k);
      }
      op.inputs.push_back(static_cast<uint32_t>(columns[j]));
      op.category_counts.push_back(static_cast<uint32_t>(c.size()));
      op.missing_category.push_back(-1);
      outputs.push_back(columns[j]);
    }
    if (op.inputs.empty()) continue;
    any_strings = any_strings || strings;
    op.out_begin = p.n_slots;
    op.n_out = static_cast<uint32_t>(op.inputs.size());
    for (size_t k = 0; k < outputs.size(); ++k) p.features[outputs[k]] = p.n_slots + static_cast<uint32_t>(k);
    p.n_slots += op.n_out;
    p.ops.push_back(std::move(op));
  }
  if (any_strings) {
    p.string_inputs.assign(n_features, false);
    for (size_t j = 0; j < lists.size(); ++j)
      if (lists[j].strings) p.string_inputs[columns[j]] = true;
  }
  return p;
}

Status check_distinct(const Categories& c, const std::string& column) {
  if (c.strings) {
    std::set<std::string_view> seen;
    for (const auto& s : c.text)
      if (!seen.insert(s).second) return failed("pandas_categorical: column " + quote(column) + " lists " + quote(s) + " twice");
  } else {
    std::set<double> seen;
    for (double d : c.numbers)
      if (!std::isfinite(d) || !seen.insert(d).second)
        return failed("pandas_categorical: column " + quote(column) + " lists " + std::to_string(d) + " twice or not finite");
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
  std::vector<Categories> lists;
  if (m.pandas_categorical) MLMAP_IMPORT_TRY(parse_pandas_categorical(*m.pandas_categorical, lists));
  std::vector<bool> coded(n_features, false);
  std::optional<PreprocessingSpec> program;
  if (!lists.empty()) {
    std::vector<size_t> columns;
    MLMAP_IMPORT_TRY(pandas_columns(m, d.feature_names, file_names, lists.size(), options, columns));
    for (size_t j = 0; j < lists.size(); ++j) {
      MLMAP_IMPORT_TRY(check_distinct(lists[j], d.feature_names[columns[j]]));
      MLMAP_IMPORT_TRY(check_codes_fit(infos[columns[j]], d.feature_names[columns[j]], lists[j].size()));
      coded[columns[j]] = true;
    }
    program = pandas_program(n_features, lists, columns);
  } else if (options.feature_names.empty() && auto_names(d.feature_names)) {
    d.feature_names.clear();  // LightGBM's names for a matrix's columns: none
  }

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
