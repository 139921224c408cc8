// The input column each slot of a preprocessing program carries (through
// imputers and scalers, which keep one column per column), or -1: names
// columns in errors.  Kept per run of slots, not per slot: the outputs of a
// step that all carry one column (a text vectorizer's 2^20) are one entry,
// so that opening does not grow with them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlmap::model::prep {

class SlotOrigins {
 public:
  /// The next slot carries `origin`.
  void push(int64_t origin) {
    if (runs_.empty() || !runs_.back().each) runs_.push_back({size_, true, 0, values_.size()});
    values_.push_back(origin);
    ++size_;
  }
  /// The next `n` slots all carry `origin`.
  void push_common(uint64_t n, int64_t origin) {
    if (n == 0) return;
    runs_.push_back({size_, false, origin, 0});
    size_ += n;
  }
  uint64_t size() const noexcept { return size_; }
  /// Slot `slot` < size()'s origin.
  int64_t operator[](uint64_t slot) const noexcept {
    auto it = std::upper_bound(runs_.begin(), runs_.end(), slot, [](uint64_t s, const Run& r) { return s < r.begin; });
    const Run& r = *(it - 1);
    return r.each ? values_[r.first_value + (slot - r.begin)] : r.origin;
  }

 private:
  struct Run {
    uint64_t begin;      // its first slot
    bool each;           // its slots' origins are values_[first_value ...], else all `origin`
    int64_t origin;
    size_t first_value;
  };
  std::vector<Run> runs_;
  std::vector<int64_t> values_;
  uint64_t size_ = 0;
};

}  // namespace mlmap::model::prep
