#include "common/batch.hpp"

#include <algorithm>
#include <limits>

namespace mlmap::tools {

namespace {

constexpr double missing_number = std::numeric_limits<double>::quiet_NaN();

}  // namespace

bool has_string_inputs(const ModelInfo& info) {
  return std::any_of(info.string_inputs.begin(), info.string_inputs.end(), [](bool s) { return s; });
}

bool is_string_input(const ModelInfo& info, size_t j) { return j < info.string_inputs.size() && info.string_inputs[j]; }

bool is_unread_input(const ModelInfo& info, size_t j) {
  const auto& unread = info.preprocessing.unread_columns;
  return !unread.empty() && std::binary_search(unread.begin(), unread.end(), j);
}

Batch::Batch(const ModelInfo& info) : info_(info), use_table_(has_string_inputs(info)) {
  if (use_table_) {
    numeric_.resize(info.n_features);
    strings_.resize(info.n_features);
    missing_.resize(info.n_features);
  }
}

void Batch::clear() {
  n_rows_ = 0;
  matrix_.clear();
  for (auto& c : numeric_) c.clear();
  for (auto& c : strings_) c.clear();
  for (auto& c : missing_) c.clear();
  owned_.clear();
}

void Batch::reserve(size_t n) {
  if (!use_table_) matrix_.reserve(matrix_.size() + n * info_.n_features);
}

size_t Batch::add_row() {
  const size_t nf = info_.n_features;
  if (!use_table_) {
    matrix_.resize(matrix_.size() + nf, missing_number);
    return n_rows_++;
  }
  for (size_t j = 0; j < nf; ++j) {
    if (is_string_input(info_, j)) {
      strings_[j].emplace_back();
      missing_[j].push_back(1);
    } else {
      numeric_[j].push_back(missing_number);
    }
  }
  return n_rows_++;
}

void Batch::set_number(size_t r, size_t j, double x) noexcept {
  if (use_table_)
    numeric_[j][r] = x;
  else
    matrix_[r * info_.n_features + j] = x;
}

void Batch::set_string(size_t r, size_t j, std::string_view s) {
  strings_[j][r] = s;
  missing_[j][r] = 0;
}

void Batch::set_owned_string(size_t r, size_t j, std::string_view s) { set_string(r, j, owned_.emplace_back(s)); }

Status Batch::make_table(Table& table) {
  const size_t nf = info_.n_features;
  if (info_.feature_names.size() != nf)
    return Error(error_code::invalid_argument, "this model reads string columns but has no feature names");
  missing_flags_.clear();
  for (size_t j = 0; j < nf; ++j) {
    Status st;
    if (is_string_input(info_, j)) {
      auto flags = std::make_unique<bool[]>(n_rows_ == 0 ? 1 : n_rows_);
      for (size_t r = 0; r < n_rows_; ++r) flags[r] = missing_[j][r] != 0;
      st = table.add_strings(info_.feature_names[j], strings_[j].data(), flags.get());
      missing_flags_.push_back(std::move(flags));
    } else {
      st = table.add_numeric(info_.feature_names[j], numeric_[j].data());
    }
    if (!st) return st;
  }
  return {};
}

Status Batch::predict(const Model& model, double* out, const PredictOptions& options) {
  if (n_rows_ == 0) return {};
  if (!use_table_) return model.predict(matrix_.data(), n_rows_, out, options);
  Table table(n_rows_);
  auto st = make_table(table);
  return st ? model.predict(table, out, options) : st;
}

Status Batch::predict_class(const Model& model, int64_t* out, int n_threads) {
  if (n_rows_ == 0) return {};
  if (!use_table_) return model.predict_class(matrix_.data(), n_rows_, out, n_threads);
  Table table(n_rows_);
  auto st = make_table(table);
  return st ? model.predict_class(table, out, n_threads) : st;
}

}  // namespace mlmap::tools
