// Stage 3 of the LightGBM importer, continued: the `pandas_categorical` line
// the Python package appends (the category lists of the training
// DataFrame's Categorical columns, in column order) as a preprocessing step.
//
// At predict time LightGBM's Python package recodes a DataFrame's
// Categoricals to those lists by value (set_categories, cat.codes, -1 ->
// NaN).  Here each such column becomes an input of an Ordinal step whose
// categories are the list (sorted, category_order = LightGBM's code), with
// anything else -- unknown values, missing ones -- giving NaN.

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "importers/lightgbm_text.hpp"
#include "mlmap/importers.hpp"

namespace mlmap::importers::lightgbm {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

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

}  // namespace

Status pandas_step(const RawModel& m, const std::vector<std::string>& names, const std::vector<std::string>& file_names,
                   const std::vector<std::string_view>& infos, const ImportOptions& options,
                   std::optional<PreprocessingSpec>& program, std::vector<bool>& coded) {
  std::vector<Categories> lists;
  if (m.pandas_categorical) MLMAP_IMPORT_TRY(parse_pandas_categorical(*m.pandas_categorical, lists));
  if (lists.empty()) return {};
  std::vector<size_t> columns;
  MLMAP_IMPORT_TRY(pandas_columns(m, names, file_names, lists.size(), options, columns));
  for (size_t j = 0; j < lists.size(); ++j) {
    MLMAP_IMPORT_TRY(check_distinct(lists[j], names[columns[j]]));
    MLMAP_IMPORT_TRY(check_codes_fit(infos[columns[j]], names[columns[j]], lists[j].size()));
    coded[columns[j]] = true;
  }
  program = pandas_program(file_names.size(), lists, columns);
  return {};
}

}  // namespace mlmap::importers::lightgbm
