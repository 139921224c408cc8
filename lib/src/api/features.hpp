// The predictor's features from input rows, a block of rows at a time:
// through the preprocessing program (fill the input slots' columns, run the
// steps, gather the features), or, for a Table without preprocessing, copied
// from its columns.
#pragma once

#include <cstddef>
#include <vector>

#include "api/rows.hpp"
#include "model/loaded_model.hpp"

namespace mlmap::api {

/// One per thread and call: the block's slot columns and scratch are
/// allocated once, in the constructor (which may throw std::bad_alloc).
class FeatureBuilder {
 public:
  /// For calls of up to `max_rows` rows.
  FeatureBuilder(const model::LoadedModel& m, size_t max_rows);
  FeatureBuilder(const FeatureBuilder&) = delete;
  FeatureBuilder& operator=(const FeatureBuilder&) = delete;

  /// Rows [first, first + n) into F[i * predictor_width + k].  Errors name
  /// the first failing row: an unknown category, or a NaN feature the
  /// predictor refuses (missing_value).
  template <class Rows>
  [[nodiscard]] Status build(const Rows& rows, size_t first, size_t n, double* F) noexcept;

 private:
  // Blocks this small (a few rows of a small program) live in the builder,
  // which lives on the caller's stack: one-row predictions allocate nothing
  // for them.
  static constexpr size_t inline_doubles = 256;

  const model::LoadedModel& m_;
  size_t stride_ = 0;  // rows per block
  double* numeric_ = nullptr;
  double* scratch_ = nullptr;
  std::vector<double> heap_;  // numeric slots, then scratch, when they do not fit inline
  std::vector<model::prep::StringCell> strings_;
  double inline_[inline_doubles];
};

}  // namespace mlmap::api
