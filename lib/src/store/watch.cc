#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "mlmap/store.hpp"
#include "store/store_files.hpp"

namespace mlmap {

struct Watch::Impl {
  Store store;
  std::string name;
  int poll_ms;
  uint64_t id;                          // unique per Watch, for the per-thread caches
  std::atomic<uint64_t> generation{0};  // bumped on every swap
  mutable std::mutex mu;                // guards model, version, path, error
  Model model;
  uint64_t version = 0;
  std::string path;                     // the version's file: its name holds the content's hash
  std::string error;
  pid_t owner = ::getpid();             // the process whose thread polls (see ~Watch)
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread poller;

  Impl(Store s, std::string n, int poll, Model m, uint64_t v, std::string file, uint64_t unique)
      : store(std::move(s)),
        name(std::move(n)),
        poll_ms(poll),
        id(unique),
        model(std::move(m)),
        version(v),
        path(std::move(file)) {}

  Status refresh() {
    auto cur = store.current(name);
    if (!cur) return cur.status();
    {
      // The file too: a store made again at the same place numbers its
      // versions from 1 again, with other contents.
      std::lock_guard<std::mutex> lk(mu);
      if (cur->version == version && cur->path == path) return {};
    }
    auto m = Model::open(cur->path);  // verified when published
    if (!m) return m.status();
    std::lock_guard<std::mutex> lk(mu);
    model = std::move(*m);
    version = cur->version;
    path = cur->path;
    generation.fetch_add(1, std::memory_order_release);
    return {};
  }

  void poll() {
    std::unique_lock<std::mutex> lk(stop_mu);
    while (!stop_cv.wait_for(lk, std::chrono::milliseconds(poll_ms), [&] { return stopping; })) {
      lk.unlock();
      auto st = refresh();
      {
        std::lock_guard<std::mutex> g(mu);
        error = st.ok() ? std::string() : st.error().describe();
      }
      lk.lock();
    }
  }
};

namespace {
std::atomic<uint64_t> next_watch_id{1};
}

Watch::Watch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->poller = std::thread([this] { impl_->poll(); });
}

Watch::~Watch() {
  if (::getpid() != impl_->owner) {
    // A child of fork(): the polling thread stayed in the parent.  Joining
    // it would wait forever, and so would destroying the condition variable
    // it was waiting on (glibc waits for its waiters); a lock it held at the
    // fork stays held here.  So the state is let go, never destroyed.
    (void)impl_.release();
    return;
  }
  {
    std::lock_guard<std::mutex> lk(impl_->stop_mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->poller.joinable()) impl_->poller.join();
}

Model Watch::current(uint64_t* version) const {
  // Each thread keeps the model it last saw; it takes the lock only when the
  // generation moved on, so the steady-state cost is one atomic load.
  struct Cache {
    uint64_t watch = 0;
    uint64_t generation = ~uint64_t{0};
    uint64_t version = 0;
    std::optional<Model> model;
  };
  thread_local Cache cache;
  const uint64_t g = impl_->generation.load(std::memory_order_acquire);
  if (cache.watch != impl_->id || cache.generation != g) {
    std::lock_guard<std::mutex> lk(impl_->mu);
    cache.watch = impl_->id;
    cache.generation = impl_->generation.load(std::memory_order_relaxed);
    cache.version = impl_->version;
    cache.model = impl_->model;
  }
  if (version) *version = cache.version;
  return *cache.model;
}

uint64_t Watch::version() const noexcept {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->version;
}

Status Watch::refresh() noexcept {
  try {
    return impl_->refresh();
  } catch (const std::exception& e) {
    return Error(error_code::internal_error, e.what());
  }
}

std::string Watch::last_error() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->error;
}

Result<std::shared_ptr<Watch>> Store::watch(const std::string& name, int poll_ms) const noexcept {
  try {
    if (poll_ms < 1) return Error(error_code::invalid_argument, "poll interval must be at least 1 ms");
    auto cur = current(name);
    if (!cur) return cur.error();
    auto m = Model::open(cur->path);
    if (!m) return m.error();
    auto impl = std::make_unique<Watch::Impl>(*this, name, poll_ms, std::move(*m), cur->version, cur->path,
                                              next_watch_id.fetch_add(1));
    return std::shared_ptr<Watch>(new Watch(std::move(impl)));
  } catch (const std::system_error& e) {
    return Error(error_code::internal_error, std::string("cannot start the watch thread: ") + e.what());
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory starting a watch");
  }
}

}  // namespace mlmap
