#include "kernels/thread_scratch.hpp"

#include <cstdlib>

namespace mlmap::kernels {

namespace {

struct KeptBlock {
  void* data;
  size_t size;
};

// This thread's blocks between calls; freed when the thread ends.
struct KeptBlocks {
  static constexpr size_t capacity = 8;  // a call holds a handful at once
  KeptBlock block[capacity];
  size_t n = 0, bytes = 0;

  KeptBlocks() = default;
  KeptBlocks(const KeptBlocks&) = delete;
  KeptBlocks& operator=(const KeptBlocks&) = delete;
  ~KeptBlocks() {
    for (size_t i = 0; i < n; ++i) std::free(block[i].data);
  }

  KeptBlock take(size_t i) noexcept {
    const KeptBlock b = block[i];
    block[i] = block[--n];
    bytes -= b.size;
    return b;
  }
};

thread_local KeptBlocks kept;

// Sizes in powers of two from 4 KiB, so that calls of a few rows more or
// less reuse the same blocks.
size_t block_size(size_t bytes) noexcept {
  size_t size = 4096;
  while (size < bytes && size < (size_t{1} << 62)) size <<= 1;
  return size;
}

}  // namespace

ThreadScratch::ThreadScratch(size_t bytes) noexcept {
  // The smallest kept block that is large enough.
  size_t best = kept.n;
  for (size_t i = 0; i < kept.n; ++i)
    if (kept.block[i].size >= bytes && (best == kept.n || kept.block[i].size < kept.block[best].size)) best = i;
  if (best < kept.n) {
    const KeptBlock b = kept.take(best);
    data_ = b.data;
    size_ = b.size;
    return;
  }
  size_ = block_size(bytes);
  data_ = std::aligned_alloc(64, size_);
}

ThreadScratch::~ThreadScratch() {
  if (!data_) return;
  if (size_ > kept_bytes_per_thread) {
    std::free(data_);
    return;
  }
  // Room by dropping the smallest kept blocks.
  while (kept.n == KeptBlocks::capacity || kept.bytes + size_ > kept_bytes_per_thread) {
    size_t smallest = 0;
    for (size_t i = 1; i < kept.n; ++i)
      if (kept.block[i].size < kept.block[smallest].size) smallest = i;
    std::free(kept.take(smallest).data);
  }
  kept.block[kept.n++] = {data_, size_};
  kept.bytes += size_;
}

}  // namespace mlmap::kernels
