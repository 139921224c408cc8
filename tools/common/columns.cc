#include "common/columns.hpp"

#include <algorithm>
#include <unordered_map>

#include "common/batch.hpp"
#include "common/csv.hpp"
#include "common/text.hpp"

namespace mlmap::tools {

bool first_record_is_header(const std::vector<std::string_view>& fields, const ModelInfo& info) {
  if (has_string_inputs(info)) return true;
  double v = 0;
  return std::any_of(fields.begin(), fields.end(), [&](std::string_view f) { return !parse_number(f, v); });
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
