// Running the program over a block of rows, handing the predictor its
// features, and the missing-value analysis of the whole program.
#include "model/preprocessing.hpp"

#include "kernels/transpose_kernels.hpp"
#include "kernels/first_special.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mlmap::model {

using kernels::first_nan;

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

}  // namespace

std::string Preprocessor::column_name(uint32_t slot, bool string_slot) const {
  const auto& origins = string_slot ? string_origin_ : numeric_origin_;
  const int64_t column = slot < origins.size() ? origins[slot] : -1;
  const auto c = static_cast<size_t>(column);
  if (column < 0) return "an intermediate column (slot " + str(slot) + ")";
  if (names_ && c < names_->size() && !(*names_)[c].empty()) return "column '" + (*names_)[c] + "'";
  return "column " + str(c);
}

std::string Preprocessor::feature_column(size_t k) const {
  if (k >= n_features_) return "";
  const uint32_t slot = feature_slot(k);
  if (slot >= numeric_origin_.size() || numeric_origin_[slot] < 0) return "";
  return column_name(slot, false);
}

// Step by step over the whole block.  When a step fails at row r, the later
// steps run only on rows [0, r): a failure they find there is earlier, so
// the error is the first failing row's, and within it the first step's.
Status Preprocessor::run(prep::Block& b, size_t first_row) const noexcept {
  const size_t n = b.n_rows;
  if (sparse() && (!b.sparse || b.physical != physical()))
    return Error(error_code::invalid_argument, "a sparse preprocessing program needs a block with sparse rows");
  prep::Failure f;
  for (const auto& step : steps_) {
    b.n_rows = f.limit(n);
    if (b.n_rows == 0) break;
    step->run(b, &f);
  }
  b.n_rows = f.limit(n);
  if (!f.failed()) return {};
  try {
    return Error(f.code, "row " + str(first_row + f.row) + ": " + column_name(f.slot, f.string_slot) + " " + f.what);
  } catch (...) {
    return Error(f.code, "a preprocessing step failed");
  }
}

void Preprocessor::gather(const prep::Block& b, double* F) const noexcept {
  if (!direct_steps_.empty()) std::memset(F, 0, b.n_rows * n_features_ * sizeof(double));  // they write nonzeros
  kernels::columns_to_rows(b.numeric, b.stride, gather_slots_.data(), gather_positions_.data(), gather_slots_.size(),
                           n_features_, b.n_rows, F);
  for (const prep::Step* step : direct_steps_) step->write_features(b, F, n_features_);
}

void Preprocessor::gather_sparse(const prep::Block& b) const {
  for (size_t g = 0; g < gather_slots_.size(); ++g) {
    const double* col = b.numeric + gather_slots_[g] * b.stride;
    for (size_t i = 0; i < b.n_rows; ++i)
      if (col[i] != 0) b.sparse[i].push_back({gather_positions_[g], col[i]});  // NaN included
  }
}

// Feature by feature over its slot column; a later feature only matters
// before the first NaN row found so far.
size_t Preprocessor::first_nan_feature(const prep::Block& b, size_t* feature) const noexcept {
  if (b.n_rows < prep::row_scan_below) {  // a few rows: row by row, no setup per column
    for (size_t i = 0; i < b.n_rows; ++i)
      for (size_t j = 0; j < nan_features_.size(); ++j)
        if (std::isnan(b.column(nan_slots_[j])[i])) {
          *feature = nan_features_[j];
          return i;
        }
    return b.n_rows;
  }
  size_t row = b.n_rows;
  for (size_t j = 0; j < nan_features_.size(); ++j) {
    const size_t r = first_nan(b.column(nan_slots_[j]), row);
    if (r < row) {
      row = r;
      *feature = nan_features_[j];
    }
  }
  return row;
}

// Backwards from the features: a slot is sensitive when a missing value in
// it reaches a feature the predictor refuses NaN in, or a step that refuses
// it.  Each step marks its inputs from its outputs, which later steps (seen
// first) have marked already.  The marks are unions, so columns that accept
// missing values one at a time accept them together.
std::vector<bool> Preprocessor::accepts_missing(bool predictor_accepts_nan) const {
  // No marks for the outputs of the last steps when they never give NaN nor
  // read their marks (a text vectorizer's 2^20): no step reads them either.
  uint64_t marked = n_slots_;
  for (auto it = steps_.rbegin(); it != steps_.rend() && (*it)->outputs_never_nan() &&
                                  uint64_t{(*it)->slots().out} + (*it)->slots().n_out == marked;
       ++it)
    marked = (*it)->slots().out;
  prep::MissingFlow m;
  m.numeric.assign(marked, 0);
  m.strings.assign(n_string_slots_, 0);
  if (!predictor_accepts_nan && by_runs_)
    for (const FeatureRun& r : runs_)
      std::fill(m.numeric.begin() + std::min<uint64_t>(r.slot, marked),
                m.numeric.begin() + std::min<uint64_t>(uint64_t{r.slot} + r.count, marked), 1);
  else if (!predictor_accepts_nan)
    for (size_t k = 0; k < n_features_; ++k)
      if (features_[k] < marked) m.numeric[features_[k]] = 1;
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)->flow_missing(m);
  std::vector<bool> out(string_input_.size());
  for (size_t c = 0; c < out.size(); ++c) out[c] = string_input_[c] ? !m.strings[c] : !m.numeric[c];
  return out;
}

}  // namespace mlmap::model
