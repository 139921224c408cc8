#include "model/preprocessing/categories.hpp"

#include <algorithm>
#include <charconv>

namespace mlmap::model::prep {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

}  // namespace

std::string number_text(double x) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

Result<Categories> Categories::check(const OpCheck& c, bool one_hot) {
  const fb::Op& op = c.op;
  const uint32_t n_in = c.slots.n_in;
  if (auto st = c.count(size_of(op.category_counts()), n_in, "category_counts"); !st) return st.error();
  if (auto st = c.count(size_of(op.missing_category()), n_in, "missing_category"); !st) return st.error();
  uint64_t total = 0;
  for (uint32_t k : *op.category_counts()) total += k;
  auto st = op.string_inputs() ? c.count(size_of(op.string_categories()), total, "string categories")
                               : c.count(size_of(op.numeric_categories()), total, "numeric categories");
  if (st && size_of(op.category_order()) != 0) st = c.count(size_of(op.category_order()), total, "category_order");
  if (st && one_hot && size_of(op.drop()) != 0) st = c.count(size_of(op.drop()), n_in, "drop");
  if (!st) return st.error();
  if (op.unknown() > fb::UnknownCategory::MAX) return c.bad("unknown handle_unknown mode");
  const bool tells_none = op.none_category() != nullptr;
  if (tells_none) {
    if (!op.string_inputs()) return c.bad("none_category on an encoder of numbers (None is a string input's)");
    if (auto st2 = c.count(size_of(op.none_category()), n_in, "none_category"); !st2) return st2.error();
  }

  Categories cats;
  cats.unknown = op.unknown();
  cats.tells_none = tells_none;
  if (op.string_inputs()) {
    cats.strings.reserve(total);
    for (const auto* s : *op.string_categories()) cats.strings.push_back(s->string_view());
  } else {
    cats.numbers = op.numeric_categories()->data();
  }
  const uint32_t* order = data_of(op.category_order());
  cats.position.resize(total);
  cats.column.resize(total);
  uint32_t begin = 0, outputs = 0;
  for (uint32_t j = 0; j < n_in; ++j) {
    CategoryRun r;
    r.first = begin;
    r.count = op.category_counts()->Get(j);
    r.missing = op.missing_category()->Get(j);
    r.none = tells_none ? op.none_category()->Get(j) : -1;
    if (r.count == 0) return c.bad("input " + str(j) + " has no categories");
    // The missing-value category, if any, is the last one, and None's, if
    // any, the one before it; neither takes part in the sorted lookup.
    if (r.missing != -1 && r.missing != static_cast<int32_t>(r.count - 1))
      return c.bad("input " + str(j) + ": the missing category must be the last");
    const uint32_t special = (r.missing != -1 ? 1u : 0u) + (r.none != -1 ? 1u : 0u);
    if (r.none != -1 && (r.count < special || r.none != static_cast<int32_t>(r.count - special)))
      return c.bad("input " + str(j) + ": the None category must come last but for the missing one");
    r.n_sorted = r.count - special;
    for (uint32_t k = begin + 1; k < begin + r.n_sorted; ++k) {
      const bool ordered = op.string_inputs() ? cats.strings[k - 1] < cats.strings[k]
                                              : cats.numbers[k - 1] < cats.numbers[k];  // false for NaN
      if (!ordered) return c.bad("input " + str(j) + ": categories are not strictly increasing");
    }
    r.by_index = !op.string_inputs() && r.n_sorted >= kernels::column_lookup_index_from &&
                 kernels::consecutive_integers(cats.numbers + begin, r.n_sorted);
    if (order) {
      std::vector<bool> seen(r.count, false);
      for (uint32_t k = 0; k < r.count; ++k) {
        const uint32_t pos = order[begin + k];
        if (pos >= r.count || seen[pos]) return c.bad("input " + str(j) + ": category_order is not a permutation");
        seen[pos] = true;
      }
    }
    int32_t dropped = -1;
    if (one_hot && size_of(op.drop()) != 0) {
      dropped = op.drop()->Get(j);
      if (dropped < -1 || dropped >= static_cast<int32_t>(r.count)) return c.bad("input " + str(j) + ": drop out of range");
    }
    for (uint32_t k = 0; k < r.count; ++k) {
      const int64_t pos = order ? order[begin + k] : k;
      cats.position[begin + k] = static_cast<double>(pos);
      cats.column[begin + k] =
          pos == dropped ? -1 : static_cast<int32_t>(dropped >= 0 && pos > dropped ? pos - 1 : pos);
    }
    r.out = outputs;
    r.width = one_hot ? r.count - (dropped >= 0 ? 1 : 0) : 1;
    outputs += r.width;
    begin += r.count;
    cats.inputs.push_back(r);
  }
  cats.n_out = outputs;
  cats.column_code.assign(cats.column.begin(), cats.column.end());
  uint32_t largest = 0;
  for (const CategoryRun& r : cats.inputs) largest = std::max(largest, r.count);
  cats.ones.assign(largest, 1.0);
  if (op.string_inputs()) {
    cats.table_first.push_back(0);
    for (const CategoryRun& r : cats.inputs) {
      uint64_t size = 2;
      while (size < 2 * uint64_t{r.n_sorted}) size *= 2;
      const uint64_t first = cats.table_first.back();
      cats.string_table.resize(first + size, -1);
      for (uint32_t k = 0; k < r.n_sorted; ++k) {
        uint64_t i = Categories::hash(cats.strings[r.first + k]) & (size - 1);
        while (cats.string_table[first + i] >= 0) i = (i + 1) & (size - 1);
        cats.string_table[first + i] = static_cast<int32_t>(k);
      }
      cats.table_first.push_back(first + size);
    }
  }
  return cats;
}

}  // namespace mlmap::model::prep
