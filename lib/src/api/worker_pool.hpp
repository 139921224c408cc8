// Threads kept between batch predictions.  Starting std::threads on every
// call cost a 2-thread call of 100,000 rows ~25 us before the caller's first
// row and ~40 us at the join (a 1.2 ms one-thread call: ~6%, a tenth of that
// for 10,000 rows).  The workers start on the first call that wants them,
// never by loading the library; a child after fork() starts its own (the
// parent's do not exist there); they are joined at exit.
#pragma once

#include <cstddef>

namespace mlmap::api {

/// Work that several threads share: run(ctx) is called once on every thread
/// that joins, the caller's included, and returns when nothing is left.
struct SharedWork {
  void (*run)(void* ctx) noexcept = nullptr;
  void* ctx = nullptr;
  size_t running = 0;  // workers inside run(); guarded by the pool
};

/// Runs `work` on the calling thread and on up to `helpers` pooled workers,
/// and returns once every thread that started it has returned.  Workers
/// busy with other calls are not waited for: they simply do not join, and
/// the threads that did (at least the caller) do all the work.
void run_shared(SharedWork& work, size_t helpers) noexcept;

}  // namespace mlmap::api
