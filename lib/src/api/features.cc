#include "api/features.hpp"

#include <algorithm>

#include "api/missing.hpp"
#include "kernels/column_kernels.hpp"

namespace mlmap::api {

FeatureBuilder::FeatureBuilder(const model::LoadedModel& m, size_t max_rows, Scratch& scratch) : m_(m) {
  const auto& p = m.preprocessing;
  if (!p) return;
  stride_ = std::max<size_t>(1, std::min(p->block_rows(), max_rows));
  numeric_ = scratch.doubles(p->n_slot_columns() * stride_);
  scratch_ = scratch.doubles(p->scratch_per_row() * stride_);
  if (p->uses_strings()) strings_.resize(p->n_string_slots() * stride_);
  if (p->sparse()) block_sparse_.resize(stride_);
}

// Rows per block for n rows: as many blocks as stride_ rows need, of about
// equal size (rounded up to whole vectors of 8), rather than full blocks and
// a short last one (the predictor's 124 rows of pipeline_wide went as 113 +
// 11, and an 11-row block's encoders take the scalar lookup: a seventh of the
// batch's time).
size_t FeatureBuilder::even_block(size_t n) const noexcept {
  const size_t blocks = (n + stride_ - 1) / stride_;
  if (blocks == 0) return stride_;
  return std::min(stride_, ((n + blocks - 1) / blocks + 7) / 8 * 8);
}

// Block by block: run_block, then gather (or, for a row map, row by row).
template <class Rows>
Status FeatureBuilder::build(const Rows& rows, size_t first, size_t n, double* F) noexcept {
  const auto& p = m_.preprocessing;
  if (!p) {
    if constexpr (std::is_same_v<Rows, TableRows>) {
      copy_features(rows, first, n, F);
      return check_missing_features(m_, F, n, first);
    }
    return {};  // a matrix without preprocessing is the predictor's input itself: the driver never asks
  }
  if constexpr (!std::is_same_v<Rows, TableRows>) {
    if (p->maps_rows()) {  // imputers and scalers: along the rows, no blocks
      kernels::map_rows(p->row_map(), rows.X + first * rows.width, rows.width, n, F);
      return p->may_give_nan() ? check_missing_features(m_, F, n, first) : Status{};
    }
  }
  const size_t pw = p->n_features();
  model::prep::Block b;
  b.numeric = numeric_;
  b.strings = strings_.empty() ? nullptr : strings_.data();
  b.scratch = scratch_;
  b.stride = stride_;
  if (p->sparse()) {  // the features come sparsely: through the dense width
    model::SparseRows rows_out;
    try {
      auto st = build_sparse(rows, first, n, &rows_out);
      if (st) densify(n, pw, F);
      return st;
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory building sparse features");
    }
  }
  const size_t per = even_block(n);
  for (size_t s = 0; s < n; s += per) {
    b.n_rows = std::min(per, n - s);
    if (auto st = run_block(rows, first + s, b); !st) return st;
    p->gather(b, F + s * pw);
  }
  return {};
}

// Fill, run, look for NaN among the block's features (those that may hold
// one) while they are in cache.  A step that fails at a row leaves the rows
// before it complete: a NaN among their features is the earlier error.
template <class Rows>
Status FeatureBuilder::run_block(const Rows& rows, size_t first, model::prep::Block& b) noexcept {
  const auto& p = m_.preprocessing;
  fill_inputs(rows, first, p->input_columns(), b);
  const Status run = p->run(b, first);
  if (!m_.predictor->accepts_missing()) {
    size_t feature = 0;
    const size_t row = p->first_nan_feature(b, &feature);
    if (row < b.n_rows) return nan_feature(m_, first + row, feature);
  }
  return run;
}

// As build(), each block's rows then appended to the sparse rows.
template <class Rows>
Status FeatureBuilder::build_sparse(const Rows& rows, size_t first, size_t n, model::SparseRows* out) {
  const auto& p = m_.preprocessing;
  begin_.assign(1, 0);
  position_.clear();
  value_.clear();
  model::prep::Block b;
  b.numeric = numeric_;
  b.strings = strings_.empty() ? nullptr : strings_.data();
  b.scratch = scratch_;
  b.stride = stride_;
  b.physical = p->physical();
  b.sparse = block_sparse_.data();
  const size_t per = even_block(n);
  for (size_t s = 0; s < n; s += per) {
    b.n_rows = std::min(per, n - s);
    for (size_t i = 0; i < b.n_rows; ++i) block_sparse_[i].clear();
    if (auto st = run_block(rows, first + s, b); !st) return st;
    p->gather_sparse(b);
    for (size_t i = 0; i < b.n_rows; ++i) {
      for (const auto& e : block_sparse_[i]) {
        position_.push_back(e.position);
        value_.push_back(e.value);
      }
      begin_.push_back(position_.size());
    }
  }
  out->begin = begin_.data();
  out->position = position_.data();
  out->value = value_.data();
  return {};
}

void FeatureBuilder::densify(size_t n, size_t width, double* F) const noexcept {
  std::fill(F, F + n * width, 0.0);
  for (size_t i = 0; i < n && i + 1 < begin_.size(); ++i)
    for (size_t e = begin_[i]; e < begin_[i + 1]; ++e)
      if (position_[e] < width) F[i * width + position_[e]] = value_[e];
}

template Status FeatureBuilder::build_sparse(const MatrixRows<float>&, size_t, size_t, model::SparseRows*);
template Status FeatureBuilder::build_sparse(const MatrixRows<double>&, size_t, size_t, model::SparseRows*);
template Status FeatureBuilder::build_sparse(const TableRows&, size_t, size_t, model::SparseRows*);

template Status FeatureBuilder::build(const MatrixRows<float>&, size_t, size_t, double*) noexcept;
template Status FeatureBuilder::build(const MatrixRows<double>&, size_t, size_t, double*) noexcept;
template Status FeatureBuilder::build(const TableRows&, size_t, size_t, double*) noexcept;

}  // namespace mlmap::api
