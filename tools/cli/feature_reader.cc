#include "feature_reader.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "report.hpp"

namespace mlmap::cli {

namespace {

bool looks_like_header(const std::vector<std::string_view>& fields) {
  double v = 0;
  for (auto f : fields)
    if (!parse_number(f, v)) return true;
  return false;
}

std::string quoted(std::string_view s) { return "'" + abbreviated(s, 60) + "'"; }

}  // namespace

FeatureReader::FeatureReader(CsvReader& csv, const ModelInfo& info) : csv_(csv), info_(info) {}

std::string FeatureReader::where() const { return csv_.name() + " line " + std::to_string(csv_.line()); }

// How messages name the CSV column that feeds `feature`.
std::string FeatureReader::column_label(size_t feature) const {
  std::string s = "column " + std::to_string(source_[feature] + 1);
  if (feature < info_.feature_names.size()) s += " (feature " + quoted(info_.feature_names[feature]) + ")";
  return s;
}

// Reads the first record and decides what the columns are.
bool FeatureReader::start(std::string& error) {
  started_ = true;
  const size_t nf = info_.n_features;
  source_.resize(nf);
  for (size_t j = 0; j < nf; ++j) source_[j] = j;
  switch (csv_.next(error)) {
    case CsvReader::Next::end: return true;
    case CsvReader::Next::error: return false;
    case CsvReader::Next::record: break;
  }
  const auto& fields = csv_.fields();
  have_header_ = looks_like_header(fields);
  if (have_header_ && !info_.feature_names.empty()) return header_columns(error);
  n_fields_ = fields.size();
  if (n_fields_ != nf) {
    error = where() + ": " + (have_header_ ? "the header has " : "") + std::to_string(n_fields_) +
            (n_fields_ == 1 ? " column" : " columns") + ", but the model takes " + std::to_string(nf) +
            (nf == 1 ? " feature" : " features");
    return false;
  }
  pending_ = !have_header_;
  return true;
}

// Maps the model's feature names to header columns.
bool FeatureReader::header_columns(std::string& error) {
  const auto& fields = csv_.fields();
  n_fields_ = fields.size();
  std::unordered_map<std::string_view, size_t> column;  // name -> first column
  std::unordered_map<std::string_view, size_t> count;
  for (size_t i = 0; i < fields.size(); ++i) {
    column.emplace(fields[i], i);
    ++count[fields[i]];
  }
  std::vector<std::string> missing;
  for (size_t j = 0; j < info_.n_features; ++j) {
    const std::string& name = info_.feature_names[j];
    auto it = column.find(name);
    if (it == column.end()) {
      missing.push_back(name);
      continue;
    }
    if (count[name] > 1) {
      error = where() + ": the header has column " + quoted(name) + " more than once";
      return false;
    }
    source_[j] = it->second;
  }
  if (missing.empty()) return true;
  std::string list;
  const size_t shown = std::min<size_t>(missing.size(), 5);
  for (size_t k = 0; k < shown; ++k) list += (k ? ", " : "") + quoted(missing[k]);
  if (missing.size() > shown) list += " and " + std::to_string(missing.size() - shown) + " more";
  error = where() + ": the header lacks the model's feature " + (missing.size() == 1 ? "column " : "columns ") + list;
  return false;
}

FeatureReader::Next FeatureReader::next_record(std::string& error) {
  if (pending_) {
    pending_ = false;
    return Next::row;
  }
  switch (csv_.next(error)) {
    case CsvReader::Next::end: return Next::end;
    case CsvReader::Next::error: return Next::error;
    case CsvReader::Next::record: break;
  }
  const size_t n = csv_.fields().size();
  if (n != n_fields_) {
    error = where() + ": " + std::to_string(n) + (n == 1 ? " field" : " fields") + ", expected " +
            std::to_string(n_fields_);
    return Next::error;
  }
  return Next::row;
}

bool FeatureReader::parse_row(double* row, std::string& error) const {
  const auto& fields = csv_.fields();
  for (size_t j = 0; j < source_.size(); ++j) {
    const std::string_view f = fields[source_[j]];
    if (!parse_number(f, row[j])) {
      error = where() + ": " + column_label(j) + " is not a number: " + quoted(f);
      return false;
    }
    if (std::isnan(row[j]) && !info_.accepts_missing) {
      error = where() + ": " + column_label(j) + " is missing (" + quoted(f) + "), but this " +
              info_.estimator + " does not accept missing values";
      return false;
    }
  }
  return true;
}

bool FeatureReader::read(double* X, size_t max_rows, size_t& n_rows, std::string& error) {
  n_rows = 0;
  if (!started_ && !start(error)) return false;
  const size_t nf = info_.n_features;
  while (n_rows < max_rows) {
    switch (next_record(error)) {
      case Next::end: return true;
      case Next::error: return false;
      case Next::row: break;
    }
    if (!parse_row(X + n_rows * nf, error)) return false;
    ++n_rows;
  }
  return true;
}

}  // namespace mlmap::cli
