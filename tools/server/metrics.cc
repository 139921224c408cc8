// Shared-memory counters and their Prometheus exposition (see metrics.hpp).
//
// Requests are counted in an open-addressing table keyed by one 64-bit word
// (version, model, route, status): a slot is claimed with a compare-and-swap
// on its key, so two workers adding the same new label set at once end up in
// the same slot.  The latency histogram and the per-model counters are plain
// arrays indexed by model (and route).
#include "metrics.hpp"

#include <sched.h>
#include <sys/mman.h>

#include <cmath>
#include <cstdio>
#include <new>
#include <string_view>

namespace mlmap::server {

namespace {

constexpr size_t table_size = 8192;  // request label sets (power of two)
constexpr double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr size_t n_bounds = sizeof bounds / sizeof bounds[0];
constexpr size_t per_histogram = n_bounds + 3;  // buckets, +Inf, sum (ns), count
constexpr size_t name_words = 17;                // a length and 128 bytes

const char* const route_names[n_routes] = {"health",    "model",       "predict",  "models", "v2_health",
                                           "v2_metadata", "v2_infer", "metrics", "other"};

constexpr uint64_t max_version = (uint64_t{1} << 31) - 1;
constexpr uint64_t max_model = (uint64_t{1} << 16) - 2;

uint64_t pack(uint64_t version, uint64_t model_plus_one, uint64_t route, uint64_t status) {
  return (uint64_t{1} << 63) | (std::min(version, max_version) << 32) | (model_plus_one << 16) | (route << 10) |
         (status & 1023);
}

uint64_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

Metrics::Metrics(const std::vector<std::string>& models, size_t workers, size_t extra)
    : capacity_(std::min<size_t>(models.size() + extra, max_model)), workers_(workers) {
  const size_t m = capacity_;
  size_t w = 0;
  names_ = w, w += m * name_words;
  n_names_ = w, w += 1;
  lock_ = w, w += 1;
  keys_ = w, w += table_size;
  counts_ = w, w += table_size;
  dropped_ = w, w += 1;
  latency_ = w, w += (m + 1) * n_routes * per_histogram;
  rows_ = w, w += m;
  versions_ = w, w += m;
  reloads_ = w, w += m;
  failures_ = w, w += m;
  restarts_ = w, w += 1;
  in_flight_ = w, w += workers;
  buffered_ = w, w += workers;
  words_ = w;
  void* p = ::mmap(nullptr, words_ * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  base_ = static_cast<std::atomic<uint64_t>*>(p);
  for (size_t i = 0; i < words_; ++i) new (&base_[i]) std::atomic<uint64_t>(0);
  for (const auto& name : models) (void)model_index(name);
}

size_t Metrics::n_models() const noexcept {
  return base_ ? std::min<size_t>(at(n_names_).load(std::memory_order_acquire), capacity_) : 0;
}

std::string Metrics::name(size_t model) const {
  const size_t at_word = names_ + model * name_words;
  const size_t len = std::min<size_t>(at(at_word).load(std::memory_order_relaxed), 128);
  std::string out(len, '\0');
  for (size_t i = 0; i < len; ++i)
    out[i] = static_cast<char>(at(at_word + 1 + i / 8).load(std::memory_order_relaxed) >> (8 * (i % 8)));
  return out;
}

int Metrics::model_index(std::string_view name) noexcept {
  if (!base_ || name.size() > 128) return -1;
  auto find = [&](size_t n) -> int {
    for (size_t i = 0; i < n; ++i)
      if (this->name(i) == name) return static_cast<int>(i);
    return -1;
  };
  try {
    if (const int i = find(n_models()); i >= 0) return i;
    // Appending takes a spin lock in the shared mapping (a few hundred
    // instructions inside); a worker that cannot get it in ~1 s (one died
    // holding it) gives up and counts the model without its name.
    uint64_t expected = 0;
    int spins = 0;
    while (!at(lock_).compare_exchange_weak(expected, 1, std::memory_order_acquire)) {
      expected = 0;
      if (++spins > 1000000) return -1;
      if (spins > 100) ::sched_yield();
    }
    const size_t n = n_models();
    int index = find(n);
    if (index < 0 && n < capacity_) {
      const size_t at_word = names_ + n * name_words;
      for (size_t w = 0; w < 16; ++w) {
        uint64_t word = 0;
        for (size_t b = 0; b < 8 && w * 8 + b < name.size(); ++b)
          word |= static_cast<uint64_t>(static_cast<unsigned char>(name[w * 8 + b])) << (8 * b);
        at(at_word + 1 + w).store(word, std::memory_order_relaxed);
      }
      at(at_word).store(name.size(), std::memory_order_relaxed);
      at(n_names_).store(n + 1, std::memory_order_release);
      index = static_cast<int>(n);
    }
    at(lock_).store(0, std::memory_order_release);
    return index;
  } catch (...) {
    return -1;
  }
}

Metrics::~Metrics() {
  if (base_) ::munmap(base_, words_ * sizeof(uint64_t));
}

size_t Metrics::latency_index(int model, Route route) const noexcept {
  const size_t mi = known(model) ? static_cast<size_t>(model) : capacity_;
  return latency_ + (mi * n_routes + static_cast<size_t>(route)) * per_histogram;
}

void Metrics::request(Route route, int model, uint64_t version, unsigned status, double seconds, size_t rows) noexcept {
  if (!base_) return;
  const bool named = known(model);
  const uint64_t key = pack(version, named ? static_cast<uint64_t>(model) + 1 : 0, static_cast<uint64_t>(route), status);
  size_t i = mix(key) & (table_size - 1);
  bool counted = false;
  for (size_t probe = 0; probe < table_size && !counted; ++probe, i = (i + 1) & (table_size - 1)) {
    uint64_t k = at(keys_ + i).load(std::memory_order_acquire);
    if (k == 0) {
      uint64_t expected = 0;
      if (at(keys_ + i).compare_exchange_strong(expected, key, std::memory_order_acq_rel)) k = key;
      else k = expected;
    }
    if (k == key) {
      at(counts_ + i).fetch_add(1, std::memory_order_relaxed);
      counted = true;
    }
  }
  if (!counted) at(dropped_).fetch_add(1, std::memory_order_relaxed);

  const size_t h = latency_index(named ? model : -1, route);
  size_t b = 0;
  while (b < n_bounds && seconds > bounds[b]) ++b;
  at(h + b).fetch_add(1, std::memory_order_relaxed);
  at(h + n_bounds + 1).fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e9), std::memory_order_relaxed);
  at(h + n_bounds + 2).fetch_add(1, std::memory_order_relaxed);
  if (named && rows) at(rows_ + static_cast<size_t>(model)).fetch_add(rows, std::memory_order_relaxed);
}

void Metrics::set_version(size_t model, uint64_t version) noexcept {
  if (base_ && model < n_models()) at(versions_ + model).store(version, std::memory_order_relaxed);
}
void Metrics::reloaded(size_t model) noexcept {
  if (base_ && model < n_models()) at(reloads_ + model).fetch_add(1, std::memory_order_relaxed);
}
void Metrics::reload_failed(size_t model) noexcept {
  if (base_ && model < n_models()) at(failures_ + model).fetch_add(1, std::memory_order_relaxed);
}
void Metrics::worker_restarted() noexcept {
  if (base_) at(restarts_).fetch_add(1, std::memory_order_relaxed);
}
void Metrics::add_in_flight(size_t worker, int64_t delta) noexcept {
  if (base_ && worker < workers_) at(in_flight_ + worker).fetch_add(static_cast<uint64_t>(delta), std::memory_order_relaxed);
}
void Metrics::set_buffered(size_t worker, uint64_t bytes) noexcept {
  if (base_ && worker < workers_) at(buffered_ + worker).store(bytes, std::memory_order_relaxed);
}
void Metrics::clear_worker(size_t worker) noexcept {
  if (!base_ || worker >= workers_) return;
  at(in_flight_ + worker).store(0, std::memory_order_relaxed);
  at(buffered_ + worker).store(0, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out;
  if (!base_) return out;
  const size_t models = n_models();
  std::vector<std::string> names(models);
  for (size_t i = 0; i < models; ++i) names[i] = name(i);
  auto model_name = [&](uint64_t plus_one) { return plus_one == 0 || plus_one > models ? std::string() : names[plus_one - 1]; };
  auto header = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };

  header("mlmap_requests_total", "counter", "Requests answered, by model, model version, route and status.");
  for (size_t i = 0; i < table_size; ++i) {
    const uint64_t k = at(keys_ + i).load(std::memory_order_acquire);
    if (k == 0) continue;
    const uint64_t c = at(counts_ + i).load(std::memory_order_relaxed);
    out += "mlmap_requests_total{model=\"" + model_name((k >> 16) & 0xffff) + "\",version=\"" +
           std::to_string((k >> 32) & max_version) + "\",route=\"" + route_names[std::min<uint64_t>((k >> 10) & 63, n_routes - 1)] +
           "\",status=\"" + std::to_string(k & 1023) + "\"} " + std::to_string(c) + "\n";
  }

  header("mlmap_request_duration_seconds", "histogram", "Time from a complete request to its reply being ready.");
  for (size_t k = 0; k <= models; ++k)
    for (size_t r = 0; r < n_routes; ++r) {
      const size_t mi = k < models ? k : capacity_;  // the last: no model
      const size_t h = latency_ + (mi * n_routes + r) * per_histogram;
      const uint64_t count = at(h + n_bounds + 2).load(std::memory_order_relaxed);
      if (count == 0) continue;
      const std::string labels =
          "model=\"" + (k < models ? names[k] : std::string()) + "\",route=\"" + route_names[r] + "\"";
      uint64_t cumulative = 0;
      for (size_t b = 0; b <= n_bounds; ++b) {
        cumulative += at(h + b).load(std::memory_order_relaxed);
        out += "mlmap_request_duration_seconds_bucket{" + labels + ",le=\"" + (b < n_bounds ? number(bounds[b]) : "+Inf") +
               "\"} " + std::to_string(cumulative) + "\n";
      }
      out += "mlmap_request_duration_seconds_sum{" + labels + "} " +
             number(static_cast<double>(at(h + n_bounds + 1).load(std::memory_order_relaxed)) / 1e9) + "\n";
      out += "mlmap_request_duration_seconds_count{" + labels + "} " + std::to_string(count) + "\n";
    }

  auto per_model = [&](const char* name, const char* type, const char* help, size_t block) {
    header(name, type, help);
    for (size_t mi = 0; mi < models; ++mi)
      out += std::string(name) + "{model=\"" + names[mi] + "\"} " +
             std::to_string(at(block + mi).load(std::memory_order_relaxed)) + "\n";
  };
  per_model("mlmap_rows_predicted_total", "counter", "Rows predicted.", rows_);
  per_model("mlmap_model_version", "gauge", "The store version being served.", versions_);
  per_model("mlmap_reloads_total", "counter", "New versions picked up, summed over workers.", reloads_);
  per_model("mlmap_reload_failures_total", "counter", "Versions that failed to load, summed over workers.", failures_);

  int64_t in_flight = 0;
  uint64_t buffered = 0;
  for (size_t w = 0; w < workers_; ++w) {
    in_flight += static_cast<int64_t>(at(in_flight_ + w).load(std::memory_order_relaxed));
    buffered += at(buffered_ + w).load(std::memory_order_relaxed);
  }
  header("mlmap_in_flight_requests", "gauge", "Requests received and not yet answered.");
  out += "mlmap_in_flight_requests " + std::to_string(in_flight) + "\n";
  header("mlmap_buffered_bytes", "gauge", "Request body bytes reserved by the workers' buffers.");
  out += "mlmap_buffered_bytes " + std::to_string(buffered) + "\n";
  header("mlmap_worker_restarts_total", "counter", "Workers that died and were replaced.");
  out += "mlmap_worker_restarts_total " + std::to_string(at(restarts_).load(std::memory_order_relaxed)) + "\n";
  header("mlmap_metrics_dropped_total", "counter", "Requests not counted by label set (the table was full).");
  out += "mlmap_metrics_dropped_total " + std::to_string(at(dropped_).load(std::memory_order_relaxed)) + "\n";
  return out;
}

}  // namespace mlmap::server
