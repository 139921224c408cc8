// The category tables of the encoders (OneHot, Ordinal; FORMAT.md §7
// "Encoders"): checked at open, then plain views the steps look values up in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

/// One input's categories: a run of the op's category arrays.
struct CategoryRun {
  uint32_t first = 0;     // its first category in the op's arrays
  uint32_t count = 0;     // categories, the missing one included
  uint32_t n_sorted = 0;  // the looked-up ones: count, or count - 1 with a missing category
  int32_t missing = -1;   // the category standing for a missing value, or -1
  uint32_t out = 0;       // its first output, from the op's first
  uint32_t width = 0;     // its outputs: one-hot, the categories but a dropped one; ordinal, 1
};

struct Categories {
  std::vector<CategoryRun> inputs;
  const double* numbers = nullptr;        // numeric categories, all inputs' runs
  std::vector<std::string_view> strings;  // string categories, likewise
  std::vector<double> position;           // per category: its position (category_order, or sorted)
  std::vector<int32_t> column;            // one-hot, per category: its output within the input's, or -1 (dropped)
  fb::UnknownCategory unknown = fb::UnknownCategory::Error;
  uint32_t n_out = 0;

  /// Checks category_counts, the categories (strictly increasing per input,
  /// the missing one last), category_order, missing_category and, for
  /// one-hot encoders, drop.
  [[nodiscard]] static Result<Categories> check(const OpCheck& c, bool one_hot);

  /// Index of `x` among input `r`'s sorted categories, or -1.
  int64_t find(const CategoryRun& r, double x) const noexcept;
  int64_t find(const CategoryRun& r, std::string_view x) const noexcept;
};

inline int64_t Categories::find(const CategoryRun& r, double x) const noexcept {
  const double* v = numbers + r.first;
  uint32_t lo = 0, hi = r.n_sorted;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (v[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < r.n_sorted && v[lo] == x ? static_cast<int64_t>(lo) : -1;
}

inline int64_t Categories::find(const CategoryRun& r, std::string_view x) const noexcept {
  const std::string_view* v = strings.data() + r.first;
  uint32_t lo = 0, hi = r.n_sorted;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (v[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < r.n_sorted && v[lo] == x ? static_cast<int64_t>(lo) : -1;
}

/// x as the shortest text that reads back to it (for messages).
std::string number_text(double x);

}  // namespace mlmap::model::prep
