// Scratch memory of one predict call on one thread: small requests come from
// an arena that lives on the caller's stack, so a one-row prediction
// allocates nothing; larger ones from the heap.  Uninitialised: every user
// writes before it reads.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace mlmap::api {

class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  /// `n` doubles, 64-byte aligned in the arena, valid while the Scratch
  /// lives.  Throws std::bad_alloc.
  double* doubles(size_t n) {
    const size_t rounded = (n + 7) / 8 * 8;
    if (rounded <= arena_size - used_) {
      double* p = arena_ + used_;
      used_ += rounded;
      return p;
    }
    heap_.emplace_back(new double[n]);
    return heap_.back().get();
  }

 private:
  static constexpr size_t arena_size = 1024;  // 8 KiB
  alignas(64) double arena_[arena_size];
  size_t used_ = 0;
  std::vector<std::unique_ptr<double[]>> heap_;
};

}  // namespace mlmap::api
