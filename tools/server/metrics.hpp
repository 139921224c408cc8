// tools/server/metrics.hpp — Prometheus metrics of `mlmap serve`, summed over
// the pre-forked workers.
//
// The counters live in one shared anonymous mapping that the master makes
// before forking, so every worker increments the same atomics (lock-free,
// hence safe across processes): no increment is lost and any worker can
// answer GET /metrics with the whole server's numbers.  Gauges that belong
// to one worker (requests in flight, bytes buffered) have a slot per worker,
// which the master clears when that worker dies.
//
// Exposed (text exposition format 0.0.4):
//   mlmap_requests_total{model,version,route,status}       counter
//   mlmap_request_duration_seconds{model,route}            histogram
//   mlmap_rows_predicted_total{model}                      counter
//   mlmap_model_version{model}                             gauge (current version)
//   mlmap_reloads_total{model}                             counter (summed over workers)
//   mlmap_reload_failures_total{model}                     counter (summed over workers)
//   mlmap_in_flight_requests                               gauge
//   mlmap_buffered_bytes                                   gauge (request bodies held)
//   mlmap_worker_restarts_total                            counter
//   mlmap_metrics_dropped_total                            counter (label sets beyond the table)
// `model` is "" for a request that names no served model.  Model names live
// in the shared mapping too (registered by the master for the names served
// at start, by a worker for a name published later), so every worker labels
// a model with the same index.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "service.hpp"

namespace mlmap::server {

class Metrics {
 public:
  /// Maps the shared counters for `models` (names, registered in order:
  /// index i is models[i]), room for `extra` more names, and `workers`
  /// worker slots.  On failure (mmap) the object records nothing (ok() false).
  Metrics(const std::vector<std::string>& models, size_t workers, size_t extra = 256);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  bool ok() const noexcept { return base_ != nullptr; }

  /// The index of model `name` (registering it if new), or -1 when the
  /// table of names is full or `name` is over 128 bytes.
  int model_index(std::string_view name) noexcept;

  /// One answered request: its route, model (-1: none), version, status,
  /// duration and rows predicted.
  void request(Route route, int model, uint64_t version, unsigned status, double seconds, size_t rows) noexcept;
  void set_version(size_t model, uint64_t version) noexcept;
  void reloaded(size_t model) noexcept;
  void reload_failed(size_t model) noexcept;
  void worker_restarted() noexcept;
  /// Per-worker gauges.
  void add_in_flight(size_t worker, int64_t delta) noexcept;
  void set_buffered(size_t worker, uint64_t bytes) noexcept;
  /// The master, when a worker dies: its gauges go back to 0.
  void clear_worker(size_t worker) noexcept;

  /// The exposition text.
  std::string render() const;

  static constexpr const char* content_type = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::atomic<uint64_t>& at(size_t offset) const noexcept { return base_[offset]; }
  size_t latency_index(int model, Route route) const noexcept;
  size_t n_models() const noexcept;
  std::string name(size_t model) const;
  bool known(int model) const noexcept { return model >= 0 && static_cast<size_t>(model) < n_models(); }

  size_t capacity_;  // model names
  size_t workers_;
  std::atomic<uint64_t>* base_ = nullptr;
  size_t words_ = 0;
  // Offsets (in words) of each block.
  size_t names_ = 0, n_names_ = 0, lock_ = 0, keys_ = 0, counts_ = 0, dropped_ = 0, latency_ = 0, rows_ = 0, versions_ = 0, reloads_ = 0, failures_ = 0,
         restarts_ = 0, in_flight_ = 0, buffered_ = 0;
};

}  // namespace mlmap::server
