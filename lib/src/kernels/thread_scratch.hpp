// Scratch memory that a thread keeps between calls.  A batch call's large
// scratch (raw scores, the bit-vector kernel's gathered tiles) came from
// malloc and went back at the end of every call; on a thread other than the
// process's first, glibc hands a freed arena top back to the OS, and every
// call faulted its pages in again: 2 threads on x_d2_t10_f5 (100,000 rows)
// took 44 page faults and ~25% more CPU time a call than one thread.
#pragma once

#include <cstddef>

namespace mlmap::kernels {

/// A 64-byte aligned block of at least `bytes`, uninitialised: one of this
/// thread's kept blocks if one is large enough, else a new one.  Kept by the
/// thread when it dies (up to kept_bytes_per_thread in all).
class ThreadScratch {
 public:
  explicit ThreadScratch(size_t bytes) noexcept;
  ~ThreadScratch();
  ThreadScratch(ThreadScratch&& other) noexcept : data_(other.data_), size_(other.size_) { other.data_ = nullptr; }
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;
  ThreadScratch& operator=(ThreadScratch&&) = delete;

  /// Null if no memory could be had.
  void* data() const noexcept { return data_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

/// At most this many bytes of blocks stay with a thread between calls
/// (blocks larger than that are freed).
constexpr size_t kept_bytes_per_thread = size_t{32} << 20;

}  // namespace mlmap::kernels
