// The preprocessing steps in front of a predictor (FORMAT.md §7): scalers,
// imputers, encoders, polynomial features, as a straight-line program over
// numeric and string registers ("slots").  Everything lives in the header, so
// opening checks it completely; running one row costs O(slots) with no
// allocation (the caller owns the scratch).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/error.hpp"
#include "mlmap/info.hpp"
#include "mlmap_generated.h"

namespace mlmap::model {

/// A string cell: `missing` stands for None / NaN in a string column.
struct StringCell {
  std::string_view value;
  bool missing = true;
};

class Preprocessor {
 public:
  /// Checks the whole program against `n_inputs` input columns.  `names`
  /// (empty, or one per input; must outlive the Preprocessor) name columns
  /// in errors.
  [[nodiscard]] static Result<Preprocessor> make(const fb::Preprocessing& p, uint32_t n_inputs,
                                                 const std::vector<std::string>* names,
                                                 PreprocessingSummary* summary) noexcept;

  size_t n_inputs() const noexcept { return n_inputs_; }
  size_t n_features() const noexcept { return features_->size(); }
  size_t n_slots() const noexcept { return n_slots_; }
  size_t n_string_slots() const noexcept { return n_string_slots_; }
  bool is_string_input(size_t column) const noexcept { return column < string_input_.size() && string_input_[column]; }
  bool needs_strings() const noexcept { return needs_strings_; }

  /// One row: `slots` (n_slots) start with the numeric inputs (any value for
  /// string columns), `strings` (n_string_slots) with the string inputs;
  /// writes the predictor's n_features() features.  Errors: unknown_category.
  [[nodiscard]] Status run(double* slots, StringCell* strings, double* features) const noexcept;

 private:
  [[nodiscard]] Status run_op(const fb::Op& op, double* slots, StringCell* strings) const noexcept;
  [[nodiscard]] Status unknown(uint32_t slot, bool string_slot, const std::string& value) const noexcept;

  const fb::Preprocessing* program_ = nullptr;
  const flatbuffers::Vector<uint32_t>* features_ = nullptr;
  const std::vector<std::string>* names_ = nullptr;
  size_t n_inputs_ = 0;
  size_t n_slots_ = 0;
  size_t n_string_slots_ = 0;
  std::vector<bool> string_input_;
  // The input column each slot carries (through imputers and scalers, which
  // keep one column per column), or -1: names columns in errors.
  std::vector<int64_t> numeric_origin_, string_origin_;
  bool needs_strings_ = false;
};

}  // namespace mlmap::model
