// Scratch memory of one predict call on one thread: small requests come from
// an arena that lives on the caller's stack, so a one-row prediction
// allocates nothing; larger ones from blocks the thread keeps between calls
// (kernels/thread_scratch.hpp).  Uninitialised: every user writes before it
// reads.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

#include "kernels/thread_scratch.hpp"

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
    kernels::ThreadScratch block(n * sizeof(double));
    if (!block.data()) throw std::bad_alloc();
    heap_.push_back(std::move(block));
    return static_cast<double*>(heap_.back().data());
  }

 private:
  static constexpr size_t arena_size = 1024;  // 8 KiB
  alignas(64) double arena_[arena_size];
  size_t used_ = 0;
  std::vector<kernels::ThreadScratch> heap_;
};

}  // namespace mlmap::api
