#include "api/worker_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace mlmap::api {

namespace {

class WorkerPool {
 public:
  WorkerPool() : pid_(getpid()) {}
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  pid_t pid() const noexcept { return pid_; }

  void run(SharedWork& work, size_t helpers) noexcept {
    size_t offered = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!stopped_) {
        // Threads beyond the cores only help callers that asked for them:
        // a few more than the cores, never without bound.  (Counted once:
        // glibc reads /sys for it on every call.)
        static const size_t most = std::max<size_t>(4, std::thread::hardware_concurrency()) - 1;
        try {
          while (workers_.size() < std::min(helpers, most)) workers_.emplace_back([this] { serve(); });
        } catch (...) {  // no thread or no memory: fewer helpers
        }
        try {
          for (; offered < std::min(helpers, workers_.size()); ++offered) queue_.push_back(&work);
        } catch (...) {
        }
      }
    }
    for (size_t i = 0; i < offered; ++i) wake_.notify_one();
    work.run(work.ctx);
    if (offered == 0) return;
    // Offers no worker took are withdrawn; the workers inside run() finish.
    // (Spinning up to 50 or 200 us on `running` before sleeping, to save the
    // caller's wake-up at the join, was not measurably better: x_d2_t10_f5,
    // 100,000 rows, 2 threads over 1, three interleaved runs each: no spin
    // 1.80/1.74/1.84x, 50 us 1.63/1.72/1.88x, 200 us 1.62/1.83/1.90x.)
    // (Nor a worker spinning 200 us for the next offer before it sleeps:
    // in back-to-back 2-thread calls its first chunk started 1-4 us into
    // the call instead of 30-145 us, <= 1% of x_d4_t60_f30_c5's and
    // s_rf_d4_t50_f10's 5-15 ms calls, under the noise; and calls that
    // alternate with one-thread calls, as the sweep's do, find it asleep.)
    // Re-measured 2026-12-06 on x_d2_t10_f5 (100,000 rows, 750 us on one
    // thread: the sweep's one shape short of 1.8x on 2 threads, 1.70x):
    // - the caller spinning up to 200 us at the join, A/B in one process
    //   (600 interleaved rounds, three runs): 1.000, 1.004, 0.999x.  Traced,
    //   the two threads' last chunks end within 1 us (p50; p90 2 us) of
    //   each other, so the caller hardly ever waits there;
    // - where the 2-thread call loses: the worker's first chunk starts 28 us
    //   into the call (p50; p90 50 us), the caller's at 10 us (the notify's
    //   system call), and each thread runs ~4% slower beside the other (the
    //   same run's integer loop: 1.92x on 2 threads): 750 / (750 / 1.92 +
    //   ~19) ~ 1.83x is this VM's ceiling for the shape;
    // - a worker spinning 1 or 2.5 ms for the next offer (sched_yield each
    //   round) gave 1.88x / 1.90x (median of 6 runs, against 1.75x), but
    //   only because the spin outlasted the one-thread call between two
    //   2-thread calls, and the two one-thread processes of the control
    //   then fell from 1.2-1.7x to 0.94-1.76x: the spinning worker holds the
    //   core other processes need.  A library that spins burns a core for
    //   milliseconds after every call; not done.
    // (Waking a thread that sleeps here takes 28 us, p50, p90 43 us: a
    // Firecracker guest booted with haltpoll.guest_halt_poll_ns=0.)
    std::unique_lock<std::mutex> lock(mutex_);
    queue_.erase(std::remove(queue_.begin(), queue_.end(), &work), queue_.end());
    finished_.wait(lock, [&] { return work.running == 0; });
  }

  /// At exit: the workers leave once their current work is done; later
  /// calls run on their caller alone.
  void stop() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();  // no worker is added once stopped_
  }

 private:
  void serve() noexcept {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
      if (stopped_) return;
      SharedWork* work = queue_.front();
      queue_.pop_front();
      ++work->running;
      lock.unlock();
      work->run(work->ctx);
      lock.lock();
      if (--work->running == 0) finished_.notify_all();
    }
  }

  const pid_t pid_;
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  std::deque<SharedWork*> queue_;  // one entry per worker offered the work
  std::vector<std::thread> workers_;
  bool stopped_ = false;
};

// This process's pool.  No lock guards the pointer: a child of fork() may
// inherit any lock held by a parent's thread, and must neither take it nor
// touch the parent's pool (whose workers it does not have): it leaves that
// pool be and makes its own.
std::atomic<WorkerPool*> process_pool{nullptr};

WorkerPool& pool() {
  WorkerPool* p = process_pool.load(std::memory_order_acquire);
  while (!p || p->pid() != getpid()) {
    auto* mine = new WorkerPool;  // starts no thread
    if (process_pool.compare_exchange_strong(p, mine, std::memory_order_acq_rel)) return *mine;
    delete mine;  // another thread made it first: p is now theirs
  }
  return *p;
}

struct StopAtExit {
  ~StopAtExit() {
    WorkerPool* p = process_pool.load(std::memory_order_acquire);
    if (p && p->pid() == getpid()) p->stop();
  }
} stop_at_exit;

}  // namespace

void run_shared(SharedWork& work, size_t helpers) noexcept {
  if (helpers == 0) return work.run(work.ctx);
  WorkerPool* p = nullptr;
  try {
    p = &pool();
  } catch (...) {  // no memory for the pool: the caller alone
    return work.run(work.ctx);
  }
  p->run(work, helpers);
}

}  // namespace mlmap::api
