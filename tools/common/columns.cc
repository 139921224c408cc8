#include "common/columns.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "common/batch.hpp"
#include "common/csv.hpp"
#include "common/text.hpp"

namespace mlmap::tools {

bool is_positional_header(const std::vector<std::string_view>& fields, const ModelInfo& info) {
  if (fields.size() != info.n_features) return false;
  for (size_t j = 0; j < fields.size(); ++j)
    if (fields[j] != std::to_string(j)) return false;
  return true;
}

bool first_record_is_header(const std::vector<std::string_view>& fields, const ModelInfo& info) {
  if (is_positional_header(fields, info)) return true;
  if (info.feature_names.size() != info.n_features || info.n_features == 0) return false;
  std::unordered_set<std::string_view> present(fields.begin(), fields.end());
  const bool names_all = std::all_of(info.feature_names.begin(), info.feature_names.end(),
                                     [&](const std::string& n) { return present.count(n) != 0; });
  if (names_all) return true;
  std::unordered_set<std::string_view> names(info.feature_names.begin(), info.feature_names.end());
  double v = 0;
  return std::any_of(fields.begin(), fields.end(),
                     [&](std::string_view f) { return names.count(f) != 0 && !parse_number(f, v); });
}

bool match_header(const std::vector<std::string_view>& header, const ModelInfo& info, const std::string& where,
                  std::vector<size_t>& source, std::string& error) {
  std::unordered_map<std::string_view, size_t> column, count;  // name -> first column, occurrences
  for (size_t i = 0; i < header.size(); ++i) {
    column.emplace(header[i], i);
    ++count[header[i]];
  }
  source.assign(info.n_features, 0);
  std::vector<std::string> lacking;
  for (size_t j = 0; j < info.n_features; ++j) {
    const std::string& name = info.feature_names[j];
    auto it = column.find(name);
    if (it == column.end()) {
      lacking.push_back(name);
      continue;
    }
    if (count[name] > 1) {
      error = where + ": the header has column " + in_quotes(name) + " more than once";
      return false;
    }
    source[j] = it->second;
  }
  if (lacking.empty()) return true;
  std::string list;
  const size_t shown = std::min<size_t>(lacking.size(), 5);
  for (size_t k = 0; k < shown; ++k) list += (k ? ", " : "") + in_quotes(lacking[k]);
  if (lacking.size() > shown) list += " and " + std::to_string(lacking.size() - shown) + " more";
  error = where + ": the header lacks the model's feature " + (lacking.size() == 1 ? "column " : "columns ") + list;
  return false;
}

bool refuses_missing(const ModelInfo& info) { return !info.accepts_missing && info.preprocessing.n_steps == 0; }

bool accepts_infinity(const ModelInfo& info) { return info.accepts_infinity; }

NumberCheck check_number(double value, const ModelInfo& info) {
  if (std::isnan(value)) return refuses_missing(info) ? NumberCheck::missing_refused : NumberCheck::ok;
  if (std::isinf(value) && !accepts_infinity(info)) return NumberCheck::infinite_refused;
  return NumberCheck::ok;
}

std::string number_refusal(NumberCheck check, const ModelInfo& info, const std::string& where, std::string_view text) {
  if (check == NumberCheck::missing_refused)
    return where + " is missing (" + in_quotes(text) + "), but this " + info.estimator + " does not accept missing values";
  return where + " is infinite (" + in_quotes(text) + "); this " + info.estimator + " takes finite numbers" +
         (refuses_missing(info) ? "" : " or missing values");
}

std::string feature_label(const ModelInfo& info, size_t j) {
  std::string s = "feature " + std::to_string(j);
  if (j < info.feature_names.size()) s += " (" + in_quotes(info.feature_names[j]) + ")";
  return s;
}

std::string model_takes(const ModelInfo& info) {
  std::string s = "the model takes " + plural(info.n_features, "feature", "features");
  if (info.feature_names.empty()) return s;
  const size_t shown = std::min<size_t>(info.feature_names.size(), 10);
  s += ": ";
  for (size_t k = 0; k < shown; ++k) s += (k ? ", " : "") + in_quotes(info.feature_names[k]);
  if (info.feature_names.size() > shown) s += " and " + std::to_string(info.feature_names.size() - shown) + " more";
  return s;
}

}  // namespace mlmap::tools
