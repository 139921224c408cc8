// The predictor's features from input rows, a block of rows at a time:
// through the preprocessing program (fill the input slots' columns, run the
// steps, gather the features), or, for a Table without preprocessing, copied
// from its columns.
#pragma once

#include <cstddef>
#include <vector>

#include "api/rows.hpp"
#include "api/scratch.hpp"
#include "model/loaded_model.hpp"

namespace mlmap::api {

/// One per thread and call: the block's slot columns and scratch are
/// allocated once, in the constructor (which may throw std::bad_alloc).
class FeatureBuilder {
 public:
  /// For calls of up to `max_rows` rows; its blocks come from `scratch`.
  FeatureBuilder(const model::LoadedModel& m, size_t max_rows, Scratch& scratch);
  FeatureBuilder(const FeatureBuilder&) = delete;
  FeatureBuilder& operator=(const FeatureBuilder&) = delete;

  /// Rows [first, first + n) into F[i * predictor_width + k].  Errors name
  /// the first failing row: an unknown category, or a NaN feature the
  /// predictor refuses (missing_value).
  template <class Rows>
  [[nodiscard]] Status build(const Rows& rows, size_t first, size_t n, double* F) noexcept;

  /// Whether the features come sparsely (a text vectorizer's program): then
  /// build_sparse, not build.
  bool sparse() const noexcept { return m_.preprocessing && m_.preprocessing->sparse(); }
  /// Rows [first, first + n) as sparse rows, valid until the next call.
  /// Errors as build().  May throw std::bad_alloc.
  template <class Rows>
  [[nodiscard]] Status build_sparse(const Rows& rows, size_t first, size_t n, model::SparseRows* out);
  /// The rows of the last build_sparse into F[i * width + k] (dense), for a
  /// predictor that takes no sparse rows.
  void densify(size_t n, size_t width, double* F) const noexcept;

 private:
  size_t even_block(size_t n) const noexcept;
  template <class Rows>
  [[nodiscard]] Status run_block(const Rows& rows, size_t first, model::prep::Block& b) noexcept;

  const model::LoadedModel& m_;
  size_t stride_ = 0;  // rows per block
  double* numeric_ = nullptr;
  double* scratch_ = nullptr;
  std::vector<model::prep::StringCell> strings_;
  std::vector<std::vector<model::prep::SparseEntry>> block_sparse_;  // per block row
  std::vector<size_t> begin_;  // the sparse rows of the last build_sparse
  std::vector<uint32_t> position_;
  std::vector<double> value_;
};

}  // namespace mlmap::api
