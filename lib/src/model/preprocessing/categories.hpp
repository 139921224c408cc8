// The category tables of the encoders (OneHot, Ordinal; FORMAT.md §7
// "Encoders"): checked at open, then plain views the steps look values up in.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

/// One input's categories: a run of the op's category arrays.
struct CategoryRun {
  uint32_t first = 0;     // its first category in the op's arrays
  uint32_t count = 0;     // categories, the missing one included
  uint32_t n_sorted = 0;  // the looked-up ones: count less the missing and None categories
  int32_t missing = -1;   // the category standing for a missing value, or -1
  int32_t none = -1;      // string inputs with none_category: the category standing for None, or -1
  uint32_t out = 0;       // its first output, from the op's first
  uint32_t width = 0;     // its outputs: one-hot, the categories but a dropped one; ordinal, 1
  bool by_index = false;  // numeric sorted categories that are consecutive integers: looked up by index
};

struct Categories {
  std::vector<CategoryRun> inputs;
  const double* numbers = nullptr;        // numeric categories, all inputs' runs
  std::vector<std::string_view> strings;  // string categories, likewise
  // String lookup: per input an open-addressing hash table (a power of two
  // at least twice its categories) of category indices, -1 for empty, at
  // string_table[table_first[j]]; built at open, O(categories).
  std::vector<int32_t> string_table;
  std::vector<uint64_t> table_first;
  std::vector<double> position;           // per category: its position (category_order, or sorted)
  std::vector<int32_t> column;            // one-hot, per category: its output within the input's, or -1 (dropped)
  std::vector<double> column_code;        // the same as doubles (codes for kernels::column_lookup)
  std::vector<double> ones;               // 1.0 per category of the largest input
  fb::UnknownCategory unknown = fb::UnknownCategory::Error;
  bool tells_none = false;  // none_category present: None is a value of its own, not a missing one
  uint32_t n_out = 0;

  /// Checks category_counts, the categories (strictly increasing per input,
  /// then the None one, then the missing one), category_order,
  /// missing_category, none_category and, for one-hot encoders, drop.
  [[nodiscard]] static Result<Categories> check(const OpCheck& c, bool one_hot);

  /// Index of `x` among input `r`'s sorted categories, or -1.
  int64_t find(const CategoryRun& r, double x) const noexcept;
  /// The same for input j's strings (r is inputs[j]).
  int64_t find(uint32_t j, std::string_view x) const noexcept;
  /// The category of a string cell of input j (a value, NaN, None or
  /// something else), or -1.
  int64_t find(uint32_t j, const StringCell& x) const noexcept {
    const CategoryRun& r = inputs[j];
    switch (x.missing) {
      case StringCell::Missing::no: return find(j, x.value);
      case StringCell::Missing::nan: return r.missing;
      case StringCell::Missing::none: return tells_none ? r.none : r.missing;
      default: return tells_none ? -1 : r.missing;  // files before none_category took every non-string as missing
    }
  }

  static uint64_t hash(std::string_view s) noexcept {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, then a multiplicative mix
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h ^= h >> 32;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
  }
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

inline int64_t Categories::find(uint32_t j, std::string_view x) const noexcept {
  const CategoryRun& r = inputs[j];
  const int32_t* table = string_table.data() + table_first[j];
  const uint64_t mask = table_first[j + 1] - table_first[j] - 1;
  for (uint64_t i = hash(x) & mask;; i = (i + 1) & mask) {  // the table has empty entries
    const int32_t k = table[i];
    if (k < 0) return -1;
    const std::string_view c = strings[r.first + static_cast<uint32_t>(k)];
    if (c.size() == x.size() && (x.empty() || std::memcmp(c.data(), x.data(), x.size()) == 0)) return k;
  }
}

/// x as the shortest text that reads back to it (for messages).
std::string number_text(double x);

}  // namespace mlmap::model::prep
