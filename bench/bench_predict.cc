// bench/bench_predict.cc — mlmap's C++ timings and the XGBoost C API peer.
//
//   bench_predict --manifest=PATH [--check_rows=N] [Google Benchmark flags]
//   bench_predict --mlmap_info          kernels of this CPU and the one mlmap chose
//
// The manifest (manifest-*.txt, written by make_models.py) lists scenarios
// (model, test rows, the peer's reference outputs) and models to open.  A
// scenario with string columns is fed Tables (mlmap::Table, named columns
// f0, f1, ...) whose string columns hold 'c<code>' for the codes in its test
// rows, as the peer's DataFrame does (bench/scenarios.py, frame()).  Before
// anything is timed, every scenario's outputs are compared with the peer's:
// for every kernel, one thread and several, batch and row-by-row, and for the
// XGBoost scenario with the C API's own predictions in this process.  Any
// mismatch beyond the tolerance (|a - b| <= tol * max(1, |b|)) or any
// different label exits with status 3 before timing.
//
// Benchmarks (names parsed by run_benchmarks.py):
//   open/<scenario>                     Model::open, warm page cache (manual time)
//   open_xgb/<scenario>                 XGBoosterCreate + XGBoosterLoadModel (JSON)
//   single/<scenario>/<kernel|xgboost>  one row per call, each call timed with a
//                                       steady clock; counters p50_us, p99_us
//   batch/<scenario>/<kernel|xgboost>/<rows>/<threads>   rows/s (items_per_second)
//   single_pair/<shape>/<kernel>        mlmap and the XGBoost C API on one row
//                                       in the same moments (sweep shapes with
//                                       an XGBoost peer): blocks of ~0.6 ms of
//                                       one-row calls of each in turn, the
//                                       order alternating; counters ratio_p50
//                                       / ratio_min (per pair: XGBoost's
//                                       median call / mlmap's, wall),
//                                       cpu_ratio_p50 / _min (per pair: CPU
//                                       time per call), each side's p50_us,
//                                       p99_us, p50_cpu_us (XGBoost's with the
//                                       prefix peer_), pairs
//   batch_pair/<shape>/<kernel>/<rows>  the same for a batch: one call of each
//                                       on the same rows per pair; ratio_p50 /
//                                       _min (wall), cpu_ratio_p50 / _min
//                                       (thread CPU), p50_us, p50_cpu_us,
//                                       peer_p50_us, peer_p50_cpu_us per call
//   scaling/<scenario>/<kernel>/<rows>  1 and 2 threads on the same rows, and
//                                       two one-thread child processes on its
//                                       halves (the host's control), the three
//                                       of an iteration in turn (the order
//                                       rotates), wall time; counters
//                                       ratio_p50 / ratio_min (1-thread wall /
//                                       2-thread wall, per iteration),
//                                       wall1_p50_us, wall2_p50_us,
//                                       cores2_p50 (process CPU / wall of the
//                                       2-thread calls: < 2 when other
//                                       processes had a core), wallp_p50_us,
//                                       procs_ratio_p50 / _min (1-thread wall
//                                       / 2 processes' wall),
//                                       threads_over_procs_p50 / _min
//                                       (2 processes' wall / 2 threads')
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <mlmap/mlmap.hpp>
#include <mlmap/version.hpp>

#ifdef MLMAP_BENCH_XGBOOST
#include <xgboost/c_api.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& msg, int code = 2) {
  std::fprintf(stderr, "bench_predict: %s\n", msg.c_str());
  std::exit(code);
}

// The first `count` values of a raw little-endian array (a run may use a
// prefix of the stored test rows).
template <class T>
std::vector<T> read_raw(const std::string& path, size_t count) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die("cannot open " + path);
  std::vector<T> v(count);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T)));
  if (static_cast<size_t>(f.gcount()) != count * sizeof(T)) die(path + ": shorter than expected");
  return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::vector<size_t> split_sizes(const std::string& s) {
  std::vector<size_t> out;
  for (auto& t : split(s, ',')) out.push_back(std::stoul(t));
  return out;
}

// A scenario's test rows as named columns: numeric ones as floats, string
// ones as 'c<code>' (missing where the code is NaN).
struct Columns {
  std::vector<std::string> names;
  std::vector<std::vector<float>> numeric;          // per column (empty for string columns)
  std::vector<std::vector<std::string_view>> text;  // per column (empty for numeric columns)
  std::vector<std::unique_ptr<bool[]>> missing;
  std::deque<std::string> spelled;                  // 'c0', 'c1', ...: the strings the views show

  Columns(const std::vector<float>& X, size_t rows, size_t width, const std::vector<size_t>& strings) {
    numeric.resize(width);
    text.resize(width);
    missing.resize(width);
    for (size_t j = 0; j < width; ++j) {
      names.push_back("f" + std::to_string(j));
      const bool is_string = std::find(strings.begin(), strings.end(), j) != strings.end();
      if (!is_string) {
        for (size_t i = 0; i < rows; ++i) numeric[j].push_back(X[i * width + j]);
        continue;
      }
      missing[j].reset(new bool[rows]);
      for (size_t i = 0; i < rows; ++i) {
        const float code = X[i * width + j];
        missing[j][i] = std::isnan(code);
        const size_t k = missing[j][i] ? 0 : static_cast<size_t>(code);
        while (spelled.size() <= k) spelled.push_back("c" + std::to_string(spelled.size()));
        text[j].push_back(missing[j][i] ? std::string_view() : std::string_view(spelled[k]));
      }
    }
  }

  // Rows [first, first + n) as a Table (which points into these columns).
  mlmap::Table table(size_t first, size_t n) const {
    mlmap::Table t(n);
    for (size_t j = 0; j < names.size(); ++j) {
      auto st = text[j].empty() ? t.add_numeric(names[j], numeric[j].data() + first)
                                : t.add_strings(names[j], text[j].data() + first, missing[j].get() + first);
      if (!st) die(st.error().describe());
    }
    return t;
  }
};

struct Scenario {
  std::string name, model_path, x_path, ref_path, labels_path, xgb_json, kind, peer;
  size_t rows = 0, features = 0, ref_width = 0;
  double tolerance = 1e-6;  // the check before timing (the config's unless the scenario says)
  bool shape = false;       // a shape-sweep point: the chosen kernel only, fewer timings
  std::vector<size_t> threads{1};
  std::vector<size_t> string_columns;  // fed as Tables when not empty
  std::vector<float> X;
  std::vector<double> ref;
  std::vector<int64_t> labels;
  std::unique_ptr<Columns> columns;    // X as named columns, for string scenarios
  mlmap::Model model() const {
    auto m = mlmap::Model::open(model_path);
    if (!m) die(model_path + ": " + m.error().describe());
    return *m;
  }
  // Rows [first, first + n): values (width per row) and, for classifiers,
  // class indices (when `classes` is not null).
  mlmap::Status predict(const mlmap::Model& m, size_t first, size_t n, double* out, int64_t* classes,
                        int threads) const {
    mlmap::PredictOptions o;
    o.n_threads = threads;
    if (columns) {
      const auto t = columns->table(first, n);
      auto st = m.predict(t, out, o);
      if (st && classes) st = m.predict_class(t, classes, threads);
      return st;
    }
    const float* x = X.data() + first * features;
    auto st = m.predict(x, n, out, o);
    if (st && classes) st = m.predict_class(x, n, classes, threads);
    return st;
  }
};

struct OpenItem {
  std::string name, model_path;
};

struct Manifest {
  std::vector<size_t> batch_sizes{1, 100, 10000};
  size_t record_batch = 10000, threads_batch = 100000;
  double tolerance = 1e-6;
  std::vector<Scenario> scenarios;
  std::vector<OpenItem> opens;
};

Manifest read_manifest(const std::string& path) {
  std::ifstream f(path);
  if (!f) die("cannot open manifest " + path);
  Manifest m;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    auto fields = split(line, '\t');
    std::map<std::string, std::string> kv;
    for (size_t i = 1; i < fields.size(); ++i) {
      auto eq = fields[i].find('=');
      if (eq == std::string::npos) die("manifest: bad field " + fields[i]);
      kv[fields[i].substr(0, eq)] = fields[i].substr(eq + 1);
    }
    auto get = [&](const char* k) {
      auto it = kv.find(k);
      if (it == kv.end()) die(std::string("manifest: ") + fields[0] + " lacks " + k);
      return it->second;
    };
    if (fields[0] == "config") {
      m.batch_sizes = split_sizes(get("batch_sizes"));
      m.tolerance = std::stod(get("tolerance"));
      m.record_batch = std::stoul(get("record_batch"));
      if (kv.count("threads_batch")) m.threads_batch = std::stoul(kv["threads_batch"]);
    } else if (fields[0] == "scenario") {
      Scenario s;
      s.name = get("name");
      s.model_path = get("model");
      s.x_path = get("X");
      s.ref_path = get("ref");
      s.rows = std::stoul(get("rows"));
      s.features = std::stoul(get("features"));
      s.ref_width = std::stoul(get("ref_width"));
      s.kind = get("kind");
      s.peer = get("peer");
      s.tolerance = kv.count("tolerance") ? std::stod(kv["tolerance"]) : m.tolerance;
      s.threads = split_sizes(get("threads"));
      s.shape = kv.count("shape") && kv["shape"] == "1";
      if (kv.count("labels")) s.labels_path = kv["labels"];
      if (kv.count("xgb_json")) s.xgb_json = kv["xgb_json"];
      if (kv.count("strings")) s.string_columns = split_sizes(kv["strings"]);
      m.scenarios.push_back(std::move(s));
    } else if (fields[0] == "open") {
      m.opens.push_back({get("name"), get("model")});
    } else {
      die("manifest: unknown line kind " + fields[0]);
    }
  }
  return m;
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// PREFIXp50_us, PREFIXp99_us (a paired benchmark gives each side a prefix).
void set_latency_counters(benchmark::State& st, std::vector<double>& us, const std::string& prefix = "") {
  st.counters[prefix + "p50_us"] = percentile(us, 0.50);
  st.counters[prefix + "p99_us"] = percentile(us, 0.99);
}

// A per-iteration ratio's median and worst: NAME_p50, NAME_min.
void set_median_and_worst(benchmark::State& st, const std::string& name, std::vector<double>& v) {
  st.counters[name + "_p50"] = percentile(v, 0.50);
  st.counters[name + "_min"] = percentile(v, 0.0);
}

// This thread's CPU time in seconds: on a shared machine a call's wall time
// includes the time other processes ran (run_benchmarks.py --cpu-clock
// reports this instead).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// One-row CPU time, robust to the clock read.  CLOCK_THREAD_CPUTIME_ID is a
// system call here (not vDSO): 0.4-0.55 us on the project machine, more than a
// one-row call of many models, and its run-to-run noise is of the order of the
// call itself; read around every call and subtracted, it decided whether a
// shape met its ratio.  So the CPU clock is read once per block of
// kCallsPerBlock consecutive one-row calls (each call still one row, rows
// still cycling), and the figure is the median over blocks of the per-call
// mean, less what the timing loop itself costs per call (its two steady clock
// reads, the latency bookkeeping, the CPU clock reads amortised over the
// block), calibrated the same way with empty calls.  mlmap and its XGBoost
// peer are timed alike.  A paired benchmark (bm_single_pair) makes each
// side's block of consecutive calls one CPU block of its own length.
class BlockCpuTimer {
 public:
  static constexpr int kCallsPerBlock = 24;

  explicit BlockCpuTimer(int calls_per_block = kCallsPerBlock) : calls_per_block_(calls_per_block) {}

  void before_call() {
    if (in_block_ == 0) block_start_ = thread_cpu_seconds();
  }
  void after_call() {
    if (++in_block_ == calls_per_block_) {
      per_call_us_.push_back((thread_cpu_seconds() - block_start_) * 1e6 / calls_per_block_);
      in_block_ = 0;
    }
  }
  // The last complete block's CPU time per call, loop overhead subtracted.
  double last_block_us() const {
    return per_call_us_.empty() ? 0.0 : std::max(0.0, per_call_us_.back() - loop_us());
  }
  // Median over blocks of the per-call mean, loop overhead subtracted (a run
  // shorter than one block counts its partial block).  The calibration
  // leaves out the benchmark's own loop and SetIterationTime (a few ns a
  // call): if anything, calls come out slower.
  double p50_per_call_us() {
    if (per_call_us_.empty() && in_block_ > 0)
      per_call_us_.push_back((thread_cpu_seconds() - block_start_) * 1e6 / in_block_);
    const double overhead = loop_us();
    for (double& c : per_call_us_) c = c > overhead ? c - overhead : 0.0;
    return percentile(per_call_us_, 0.50);
  }
  void reserve(size_t calls) { per_call_us_.reserve(calls / static_cast<size_t>(calls_per_block_) + 1); }
  // What is taken off each call: the loop's cost per call at this block length.
  double loop_us() const { return loop_overhead_us(calls_per_block_); }

  // The per-call cost of the loop around the calls in bm_single and
  // bm_xgb_single, measured with empty calls in blocks as they are timed
  // (once per block length: the CPU clock reads are spread over the block).
  static double loop_overhead_us(int calls_per_block = kCallsPerBlock) {
    static std::map<int, double> overhead;
    auto it = overhead.find(calls_per_block);
    if (it != overhead.end()) return it->second;
    const size_t blocks = std::max<size_t>(64, 4000 * kCallsPerBlock / calls_per_block);
    const size_t calls = blocks * static_cast<size_t>(calls_per_block);
    BlockCpuTimer t(calls_per_block);
    std::vector<double> us;
    us.reserve(calls);
    size_t cycle = 8192, row = 0;
    benchmark::DoNotOptimize(cycle);
    for (size_t i = 0; i < calls; ++i) {
      row = i % cycle;  // as the rows cycle
      benchmark::DoNotOptimize(row);
      t.before_call();
      auto t0 = Clock::now();
      auto t1 = Clock::now();
      benchmark::DoNotOptimize(t0);
      benchmark::DoNotOptimize(t1);
      us.push_back(std::chrono::duration<double>(t1 - t0).count() * 1e6);
      t.after_call();
    }
    return overhead[calls_per_block] = percentile(t.per_call_us_, 0.50);
  }

 private:
  std::vector<double> per_call_us_;
  double block_start_ = 0;
  int in_block_ = 0;
  int calls_per_block_;
};

// PREFIXp50_cpu_us, PREFIXcpu_loop_us.
void set_cpu_counters(benchmark::State& st, BlockCpuTimer& cpu, const std::string& prefix = "") {
  st.counters[prefix + "p50_cpu_us"] = cpu.p50_per_call_us();
  st.counters[prefix + "cpu_loop_us"] = cpu.loop_us();  // what was taken off each call
}

// Rows are taken cyclically from the test set so that branch predictors and
// caches see many different rows, as in production.
size_t row_cycle(const Scenario& s) { return std::min<size_t>(s.rows, 8192); }

// ---------------------------------------------------------------------------
// XGBoost C API peer
#ifdef MLMAP_BENCH_XGBOOST
const char* kXgbConfig =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
    R"("strict_shape": false, "cache_id": 0, "missing": NaN})";

void xgb_check(int rc, const char* what) {
  if (rc != 0) die(std::string(what) + ": " + XGBGetLastError());
}

struct Booster {
  BoosterHandle h = nullptr;
  explicit Booster(const std::string& json_path) {
    xgb_check(XGBoosterCreate(nullptr, 0, &h), "XGBoosterCreate");
    xgb_check(XGBoosterLoadModel(h, json_path.c_str()), "XGBoosterLoadModel");
    xgb_check(XGBoosterSetParam(h, "nthread", "1"), "XGBoosterSetParam");
  }
  ~Booster() { XGBoosterFree(h); }
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
};

// The scenario's booster, loaded once for the run: loading the JSON takes
// up to ~0.3 s on the sweep's shapes, and Google Benchmark calls a benchmark
// function several times a repetition (its iteration estimates), each call
// loading it again before (the sweep's pairs spent ~10 s on it).  The
// benchmarks time its predictions, never the load (bm_xgb_open does).
std::map<std::string, std::unique_ptr<Booster>>& loaded_boosters() {
  static std::map<std::string, std::unique_ptr<Booster>> loaded;  // by JSON path
  return loaded;
}

const Booster& booster_of(const Scenario& s) {
  auto& b = loaded_boosters()[s.xgb_json];
  if (!b) b = std::make_unique<Booster>(s.xgb_json);
  return *b;
}

std::string array_interface(const float* data, size_t rows, size_t cols) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu, %zu], \"typestr\": \"<f4\", \"version\": 3}",
                reinterpret_cast<uintptr_t>(data), rows, cols);
  return buf;
}

// Returns the output pointer (owned by the booster) and its width per row.
const float* xgb_predict(const Booster& b, const std::string& iface, size_t rows, size_t* width) {
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  xgb_check(XGBoosterPredictFromDense(b.h, iface.c_str(), kXgbConfig, nullptr, &shape, &dim, &out),
            "XGBoosterPredictFromDense");
  size_t total = 1;
  for (bst_ulong i = 0; i < dim; ++i) total *= shape[i];
  if (width) *width = rows ? total / rows : 0;
  return out;
}
#endif

// ---------------------------------------------------------------------------
// Output checks

struct Compare {
  size_t n = 0, bad_values = 0, bad_labels = 0;
  double max_diff = 0;
};

// mlmap `got` (n x w) against `want` (n x ww).  A 1-wide binary-classification
// reference (XGBoost's P(class 1)) is compared with column 1.
void compare_values(Compare& c, const double* got, size_t w, const double* want, size_t ww, size_t n,
                    double tol) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < ww; ++j) {
      double g = (ww == 1 && w == 2) ? got[i * w + 1] : got[i * w + j];
      double r = want[i * ww + j];
      double d = std::fabs(g - r);
      if (std::isnan(g) != std::isnan(r)) d = INFINITY;
      if (std::isnan(g) && std::isnan(r)) d = 0;
      c.max_diff = std::max(c.max_diff, d);
      if (!(d <= tol * std::max(1.0, std::fabs(r)))) ++c.bad_values;
    }
  }
  c.n += n;
}

bool report(const std::string& what, const Compare& c) {
  bool ok = c.bad_values == 0 && c.bad_labels == 0;
  std::printf("check %-48s rows=%-7zu max|diff|=%.3g  bad values=%zu  bad labels=%zu  %s\n", what.c_str(), c.n,
              c.max_diff, c.bad_values, c.bad_labels, ok ? "OK" : "MISMATCH");
  return ok;
}

bool check_scenario(Scenario& s, size_t check_rows, double tol) {
  auto model = s.model();
  if (model.num_features() != s.features)
    die(s.name + ": model has " + std::to_string(model.num_features()) + " features, test rows " +
        std::to_string(s.features));
  const size_t w = model.output_width();
  const size_t n = std::min(check_rows, s.rows);
  const size_t n_single = std::min<size_t>(n, 2000);
  const bool classify = s.kind == "classification";
  bool ok = true;
  std::vector<double> out(n * w);
  std::vector<int64_t> cls(n * model.class_width());

  // The reference: the peer's outputs; for XGBoost the C API in this process.
  std::vector<double> want = s.ref;
  size_t ww = s.ref_width;
#ifdef MLMAP_BENCH_XGBOOST
  if (!s.xgb_json.empty()) {
    Booster b(s.xgb_json);
    size_t xw = 0;
    const float* p = xgb_predict(b, array_interface(s.X.data(), n, s.features), n, &xw);
    std::vector<double> api(p, p + n * xw);
    // The C API against the Python package's predict_proba (make_models.py).
    Compare c;
    compare_values(c, s.ref.data(), s.ref_width, api.data(), xw, n, tol);
    ok &= report(s.name + " xgboost C API vs python xgboost", c);
    want = std::move(api);
    ww = xw;
  }
#else
  if (!s.xgb_json.empty())
    std::printf("note: %s: built without the XGBoost C API (libxgboost-dev); comparing with the "
                "Python package's outputs\n", s.name.c_str());
#endif
  if (!(ww == w || (ww == 1 && w == 2)))
    die(s.name + ": mlmap writes " + std::to_string(w) + " values per row, the peer " + std::to_string(ww));

  for (const auto& k : mlmap::available_kernels()) {
    if (auto st = mlmap::use_kernel(k); !st) die(st.error().describe());
    const bool with_labels = classify && !s.labels.empty();
    for (size_t t : s.threads) {
      if (auto st = s.predict(model, 0, n, out.data(), with_labels ? cls.data() : nullptr, static_cast<int>(t)); !st)
        die(s.name + ": " + st.error().describe());
      Compare c;
      compare_values(c, out.data(), w, want.data(), ww, n, tol);
      if (with_labels)
        for (size_t i = 0; i < n; ++i) c.bad_labels += cls[i] != s.labels[i];
      ok &= report(s.name + " " + k + " batch threads=" + std::to_string(t), c);
    }
    // Row by row (small inputs may take other code paths).
    Compare c;
    std::vector<double> one(w);
    for (size_t i = 0; i < n_single; ++i) {
      int64_t ci = -1;
      if (auto st = s.predict(model, i, 1, one.data(), with_labels ? &ci : nullptr, 1); !st)
        die(s.name + ": " + st.error().describe());
      compare_values(c, one.data(), w, want.data() + i * ww, ww, 1, tol);
      if (with_labels) c.bad_labels += ci != s.labels[i];
    }
    ok &= report(s.name + " " + k + " single rows", c);
  }
  return ok;
}

// ---------------------------------------------------------------------------
// Benchmarks

void bm_open(benchmark::State& st, std::string path) {
  std::vector<double> us;
  for (auto _ : st) {
    auto t0 = Clock::now();
    auto m = mlmap::Model::open(path);
    auto t1 = Clock::now();
    if (!m) {
      st.SkipWithError(m.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(m->num_features());
    double s = std::chrono::duration<double>(t1 - t0).count();
    st.SetIterationTime(s);
    us.push_back(s * 1e6);
  }  // the handle is released (munmap) outside the timed region
  set_latency_counters(st, us);
}

// The kernel a benchmark times; false, and the benchmark skipped with the
// reason, where this CPU lacks it.
bool use_kernel_or_skip(benchmark::State& st, const std::string& kernel) {
  if (auto r = mlmap::use_kernel(kernel); !r) {
    st.SkipWithError(r.error().describe().c_str());
    return false;
  }
  return true;
}

// mlmap's timed one-row call, as bm_single and bm_single_pair make it: the
// i-th call takes row i of the cycle (a Table for string scenarios, built
// outside the timed region as the peer's rows are), counted by `cpu`; its
// wall seconds.
class MlmapOneRow {
 public:
  MlmapOneRow(const Scenario& s, const mlmap::Model& model)
      : s_(s), model_(model), cycle_(row_cycle(s)), out_(model.output_width()), out64_(model.output_width()) {
    if (s.columns)
      for (size_t r = 0; r < cycle_; ++r) tables_.push_back(s.columns->table(r, 1));
  }
  double operator()(size_t i, BlockCpuTimer& cpu) {
    const size_t row = i % cycle_;
    const float* x = s_.X.data() + row * s_.features;
    cpu.before_call();
    auto t0 = Clock::now();
    auto r = tables_.empty() ? model_.predict(x, 1, out_.data()) : model_.predict(tables_[row], out64_.data());
    auto t1 = Clock::now();
    cpu.after_call();
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out_.data());
    return std::chrono::duration<double>(t1 - t0).count();
  }

 private:
  const Scenario& s_;
  const mlmap::Model& model_;
  size_t cycle_;
  std::vector<float> out_;
  std::vector<double> out64_;
  std::vector<mlmap::Table> tables_;
};

void bm_single(benchmark::State& st, const Scenario* s, std::string kernel) {
  if (!use_kernel_or_skip(st, kernel)) return;
  auto model = s->model();
  MlmapOneRow call(*s, model);
  std::vector<double> us;
  BlockCpuTimer cpu;
  us.reserve(1 << 20);
  cpu.reserve(1 << 20);
  size_t i = 0;
  for (auto _ : st) {
    const double sec = call(i++, cpu);
    st.SetIterationTime(sec);
    us.push_back(sec * 1e6);
  }
  set_latency_counters(st, us);
  set_cpu_counters(st, cpu);
}

// The first row of a benchmark's k-th batch of `rows`: consecutive batches
// step through the stored rows (wrapping) so that a batch is not timed on
// rows the last call left in cache.  One home for every batch benchmark, so
// that both sides of a pair predict the same rows.
size_t batch_first_row(const Scenario& s, size_t rows, size_t k) { return (k * rows) % (s.rows - rows + 1); }

void bm_batch(benchmark::State& st, const Scenario* s, std::string kernel, size_t rows, int threads) {
  if (!use_kernel_or_skip(st, kernel)) return;
  auto model = s->model();
  rows = std::min(rows, s->rows);
  std::vector<float> out(rows * model.output_width());
  std::vector<double> out64(s->columns ? rows * model.output_width() : 0);
  mlmap::PredictOptions o;
  o.n_threads = threads;
  std::vector<mlmap::Table> tables;  // built outside the timed region, as the peer's frames are
  if (s->columns)
    for (size_t k = 0; k < 16; ++k) tables.push_back(s->columns->table(batch_first_row(*s, rows, k), rows));
  size_t i = 0;
  for (auto _ : st) {
    const size_t k = i++;
    const float* x = s->X.data() + batch_first_row(*s, rows, k) * s->features;
    auto r = tables.empty() ? model.predict(x, rows, out.data(), o) : model.predict(tables[k % 16], out64.data(), o);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(rows));
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Two child processes, each predicting its fixed half of the same rows on
// one thread when the parent signals (a byte down its pipe) and writing back
// its thread CPU time: the host's control for the 2-thread call.  Two
// processes share nothing of ours (no pool, no hand-off, no shared output
// lines), so what they lose against one thread is what the machine takes
// from two busy cores; 2 threads as fast as 2 processes lost nothing more.
// Forked once per benchmark, before the timed region, and kept across its
// pairs; a child's reads of X share the parent's pages, its writes to `out`
// copy them once (the untimed first round).
class HalfProcesses {
 public:
  HalfProcesses(const mlmap::Model& model, const float* X, size_t rows, size_t features, float* out, size_t width) {
    const size_t half = rows / 2;
    const size_t first[2] = {0, half}, count[2] = {half, rows - half};
    std::fflush(nullptr);           // nothing buffered is written twice
    std::signal(SIGPIPE, SIG_IGN);  // a child gone: write() fails and die() says so
    for (int k = 0; k < 2; ++k) {
      int cmd[2], res[2];
      if (pipe(cmd) != 0 || pipe(res) != 0) die("scaling: pipe failed");
      const pid_t pid = fork();
      if (pid < 0) die("scaling: fork failed");
      if (pid == 0) {
        close(cmd[1]);
        close(res[0]);
        for (int j = 0; j < k; ++j) close(kids_[j].cmd), close(kids_[j].res);  // the sibling's ends
        mlmap::PredictOptions o;
        o.n_threads = 1;
        char go = 0;
        // Until the parent closes its end (EOF): one call per byte.
        while (read(cmd[0], &go, 1) == 1) {
          const double c0 = thread_cpu_seconds();
          const bool ok = static_cast<bool>(
              model.predict(X + first[k] * features, count[k], out + first[k] * width, o));
          const double cpu = ok ? thread_cpu_seconds() - c0 : -1.0;
          if (write(res[1], &cpu, sizeof cpu) != static_cast<ssize_t>(sizeof cpu)) _exit(1);
        }
        _exit(0);
      }
      close(cmd[0]);
      close(res[1]);
      kids_[k] = {pid, cmd[1], res[0]};
    }
    run();
  }
  HalfProcesses(const HalfProcesses&) = delete;
  HalfProcesses& operator=(const HalfProcesses&) = delete;
  ~HalfProcesses() {
    for (auto& c : kids_) {
      close(c.cmd);
      close(c.res);
      waitpid(c.pid, nullptr, 0);
    }
  }
  // Both halves once: wall seconds from the signal until both answered.
  double run() {
    const char go = 1;
    auto t0 = Clock::now();
    for (auto& c : kids_)
      if (write(c.cmd, &go, 1) != 1) die("scaling: a child process is gone");
    cpu_ = 0;
    for (auto& c : kids_) {
      double cpu = -1;
      if (read(c.res, &cpu, sizeof cpu) != static_cast<ssize_t>(sizeof cpu) || cpu < 0)
        die("scaling: a child process failed to predict");
      cpu_ += cpu;
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }
  // The two children's CPU time in the last run().
  double cpu() const { return cpu_; }

 private:
  struct Kid {
    pid_t pid = -1;
    int cmd = -1, res = -1;  // the parent's ends: signal, answers
  };
  Kid kids_[2];
  double cpu_ = 0;
};

// 2 threads against 1 on the same rows.  Two separate benchmarks (batch
// .../1 and .../2) are timed seconds apart: whatever else runs on the
// machine then slows one and not the other.  Here every iteration times
// one call on 1 thread, one on 2 threads and the two half processes above
// back to back, the order turning through all six, and the ratios are taken
// per iteration.  A slow shape gets at least min_scaling_pairs iterations
// whatever the min time (the sweep's 0.05 s gave s_rf_full_t100_f20 one or
// two, whose median and worst were one noisy call).
constexpr size_t min_scaling_pairs = 5;

void bm_scaling(benchmark::State& st, const Scenario* s, std::string kernel, size_t rows) {
  if (!use_kernel_or_skip(st, kernel)) return;
  auto model = s->model();
  rows = std::min(rows, s->rows);
  std::vector<float> out(rows * model.output_width());
  HalfProcesses procs(model, s->X.data(), rows, s->features, out.data(), model.output_width());
  // The fork left the output's pages copy-on-write: copied here, untimed,
  // not in the first timed call (cheaper than an untimed call, which on the
  // deep forests costs a sweep seconds).
  std::fill(out.begin(), out.end(), 0.0f);
  benchmark::DoNotOptimize(out.data());
  std::vector<double> ratio, wall1, wall2, wallp, cores2, cpu_ratio, procs_ratio, procs_cpu_ratio, threads_over_procs;
  // One iteration: 1 thread (config 1), 2 threads (2), 2 processes (0), in
  // the order its index picks; their wall times.
  constexpr int orders[6][3] = {{1, 2, 0}, {2, 1, 0}, {0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {2, 0, 1}};
  auto pair = [&]() {
    double wall[3] = {0, 0, 0}, cpu_of[3] = {0, 0, 0};
    for (int config : orders[ratio.size() % 6]) {
      if (config == 0) {
        wall[0] = procs.run();
        cpu_of[0] = procs.cpu();
        continue;
      }
      const int threads = config;
      mlmap::PredictOptions o;
      o.n_threads = threads;
      const double c0 = process_cpu_seconds();
      auto t0 = Clock::now();
      auto r = model.predict(s->X.data(), rows, out.data(), o);
      auto t1 = Clock::now();
      const double cpu = process_cpu_seconds() - c0;
      benchmark::DoNotOptimize(r);
      benchmark::DoNotOptimize(out.data());
      wall[threads] = std::chrono::duration<double>(t1 - t0).count();
      cpu_of[threads] = cpu;
      if (threads == 2) cores2.push_back(cpu / wall[2]);
    }
    ratio.push_back(wall[1] / wall[2]);
    cpu_ratio.push_back(cpu_of[1] > 0 ? cpu_of[2] / cpu_of[1] : 0.0);
    procs_ratio.push_back(wall[1] / wall[0]);
    procs_cpu_ratio.push_back(cpu_of[1] > 0 ? cpu_of[0] / cpu_of[1] : 0.0);
    threads_over_procs.push_back(wall[0] / wall[2]);
    wall1.push_back(wall[1] * 1e6);
    wall2.push_back(wall[2] * 1e6);
    wallp.push_back(wall[0] * 1e6);
    return wall[0] + wall[1] + wall[2];
  };
  for (auto _ : st) st.SetIterationTime(pair());
  // (Outside the timed loop: Google Benchmark's time per iteration is
  // unchanged; the counters below take them all.)
  while (ratio.size() < min_scaling_pairs) pair();
  set_median_and_worst(st, "ratio", ratio);
  st.counters["wall1_p50_us"] = percentile(wall1, 0.50);
  st.counters["wall2_p50_us"] = percentile(wall2, 0.50);
  st.counters["cores2_p50"] = percentile(cores2, 0.50);
  // Process CPU time of the 2-thread call over the 1-thread call's: ~1.0
  // when the threads together do the work of one (a ratio short of 2x then
  // comes from time neither thread works: hand-off, an uneven end); above it
  // each thread ran slower beside the other (caches, memory, the host: on
  // this VM the machine's own loop below varied 1.0-1.9x within minutes) or
  // the split added work.
  st.counters["cpu_ratio_p50"] = percentile(cpu_ratio, 0.50);
  // The host's control: one thread's wall over the two processes' (what 2
  // cores give with nothing of ours shared), their CPU over one thread's,
  // and 2 threads' speed over 2 processes' (1.0: the pool lost nothing the
  // host did not take), each per iteration.
  st.counters["wallp_p50_us"] = percentile(wallp, 0.50);
  set_median_and_worst(st, "procs_ratio", procs_ratio);
  st.counters["procs_cpu_ratio_p50"] = percentile(procs_cpu_ratio, 0.50);
  set_median_and_worst(st, "threads_over_procs", threads_over_procs);
  st.counters["pairs"] = static_cast<double>(ratio.size());
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(3 * rows));  // 3 runs
}

// The machine's own 2-core scaling, measured beside mlmap's: a loop bound by
// integer throughput (8 independent additions a step: no dependency chain
// longer than one add, no memory), run on 1 and on 2 threads in
// interleaved pairs as bm_scaling does.  On a VM whose two vCPUs share one
// physical core's execution units this gives well under 2x (a loop bound
// by latency still gives 2x there), and a batch of rows cannot beat it.
__attribute__((noinline)) uint64_t independent_adds(uint64_t seed, long steps) {
  uint64_t s0 = seed, s1 = seed + 1, s2 = seed + 2, s3 = seed + 3, s4 = seed + 4, s5 = seed + 5, s6 = seed + 6,
           s7 = seed + 7;
  for (long k = 0; k < steps; ++k) {
    s0 += 1, s1 += 2, s2 += 3, s3 += 4, s4 += 5, s5 += 6, s6 += 7, s7 += 8;
    // Kept in registers and not folded into one multiplication.
    asm volatile("" : "+r"(s0), "+r"(s1), "+r"(s2), "+r"(s3), "+r"(s4), "+r"(s5), "+r"(s6), "+r"(s7));
  }
  return s0 ^ s1 ^ s2 ^ s3 ^ s4 ^ s5 ^ s6 ^ s7;
}

void bm_machine_scaling(benchmark::State& st) {
  constexpr long steps = 20'000'000;  // ~15 ms on one core
  std::vector<double> ratio, cores2;
  size_t i = 0;
  for (auto _ : st) {
    double wall[3] = {0, 0, 0};
    for (int k = 0; k < 2; ++k) {
      const int threads = (i + k) % 2 ? 1 : 2;
      const double c0 = process_cpu_seconds();
      auto t0 = Clock::now();
      uint64_t a = 0, b = 0;
      if (threads == 2) {
        std::thread other([&b] { b = independent_adds(2, steps / 2); });
        a = independent_adds(1, steps / 2);
        other.join();
      } else {
        a = independent_adds(1, steps);
      }
      auto t1 = Clock::now();
      benchmark::DoNotOptimize(a);
      benchmark::DoNotOptimize(b);
      wall[threads] = std::chrono::duration<double>(t1 - t0).count();
      if (threads == 2) cores2.push_back((process_cpu_seconds() - c0) / wall[2]);
    }
    ++i;
    st.SetIterationTime(wall[1] + wall[2]);
    ratio.push_back(wall[1] / wall[2]);
  }
  set_median_and_worst(st, "ratio", ratio);
  st.counters["cores2_p50"] = percentile(cores2, 0.50);
  st.counters["pairs"] = static_cast<double>(ratio.size());
}

#ifdef MLMAP_BENCH_XGBOOST
void bm_xgb_open(benchmark::State& st, std::string path) {
  std::vector<double> us;
  for (auto _ : st) {
    auto t0 = Clock::now();
    auto b = std::make_unique<Booster>(path);
    auto t1 = Clock::now();
    double sec = std::chrono::duration<double>(t1 - t0).count();
    st.SetIterationTime(sec);
    us.push_back(sec * 1e6);
  }
  set_latency_counters(st, us);
}

// XGBoost's timed one-row call (nthread 1), as bm_xgb_single and
// bm_single_pair make it: the i-th call takes row i of the cycle, its array
// interface built outside the timed region; counted by `cpu`; wall seconds.
class XgbOneRow {
 public:
  explicit XgbOneRow(const Scenario& s) : b_(booster_of(s)), ifaces_(row_cycle(s)) {
    for (size_t r = 0; r < ifaces_.size(); ++r) ifaces_[r] = array_interface(s.X.data() + r * s.features, 1, s.features);
  }
  double operator()(size_t i, BlockCpuTimer& cpu) {
    const std::string& iface = ifaces_[i % ifaces_.size()];
    cpu.before_call();
    auto t0 = Clock::now();
    const float* p = xgb_predict(b_, iface, 1, nullptr);
    auto t1 = Clock::now();
    cpu.after_call();
    benchmark::DoNotOptimize(p);
    return std::chrono::duration<double>(t1 - t0).count();
  }

 private:
  const Booster& b_;
  std::vector<std::string> ifaces_;
};

void bm_xgb_single(benchmark::State& st, const Scenario* s) {
  XgbOneRow call(*s);
  std::vector<double> us;
  BlockCpuTimer cpu;
  us.reserve(1 << 20);
  cpu.reserve(1 << 20);
  size_t i = 0;
  for (auto _ : st) {
    const double sec = call(i++, cpu);
    st.SetIterationTime(sec);
    us.push_back(sec * 1e6);
  }
  set_latency_counters(st, us);
  set_cpu_counters(st, cpu);
}

// mlmap and XGBoost on one row, timed in the same moments.  single/<shape>/
// <kernel> and single/<shape>/xgboost run seconds apart, and this VM's speed
// drifts by 30-70% between such moments: their ratio was noise.  Here each
// iteration is a pair of blocks of consecutive one-row calls, one of mlmap
// and one of XGBoost, the order turning, each block about kPairBlockSeconds
// (so more mlmap calls than XGBoost calls), and the ratio is taken per pair:
// XGBoost's median call over mlmap's (wall), and their CPU time per call in
// the block (each side's block is one BlockCpuTimer block).  Rows cycle as in
// bm_single, each side through its own cycle.
constexpr double kPairBlockSeconds = 0.6e-3;
constexpr size_t min_single_pairs = 5;

// Calls of `call` that take about `seconds`, from untimed calls for twice
// that long (which also warm the caches), at least `least`.
template <class Call>
int calls_lasting(Call& call, double seconds, int least) {
  BlockCpuTimer untimed;
  size_t n = 0;
  double total = 0;
  const auto t0 = Clock::now();
  while (n < static_cast<size_t>(least) || std::chrono::duration<double>(Clock::now() - t0).count() < 2 * seconds)
    total += call(n++, untimed);
  return std::max(least, static_cast<int>(seconds / (total / static_cast<double>(n))));
}

void bm_single_pair(benchmark::State& st, const Scenario* s, std::string kernel) {
  if (!use_kernel_or_skip(st, kernel)) return;
  auto model = s->model();
  MlmapOneRow mine(*s, model);
  XgbOneRow peer(*s);
  const int n_mine = calls_lasting(mine, kPairBlockSeconds, 8), n_peer = calls_lasting(peer, kPairBlockSeconds, 8);
  BlockCpuTimer cpu_mine(n_mine), cpu_peer(n_peer);
  std::vector<double> us_mine, us_peer, block, ratio, cpu_ratio;
  us_mine.reserve(1 << 20);
  us_peer.reserve(1 << 16);
  size_t i_mine = 0, i_peer = 0, pairs = 0;
  // One side's block of n calls: their wall times appended to `us`; the
  // block's median call (us) in `median`; returns the block's wall seconds.
  auto run_block = [&block](auto& call, size_t& i, int n, BlockCpuTimer& cpu, std::vector<double>& us,
                            double& median) {
    double total = 0;
    block.clear();
    for (int k = 0; k < n; ++k) {
      const double sec = call(i++, cpu);
      total += sec;
      block.push_back(sec * 1e6);
    }
    us.insert(us.end(), block.begin(), block.end());
    median = percentile(block, 0.50);
    return total;
  };
  auto pair = [&]() {
    double median_mine = 0, median_peer = 0, total = 0;
    const bool mine_first = pairs++ % 2 == 0;
    for (int side = 0; side < 2; ++side) {
      if ((side == 0) == mine_first)
        total += run_block(mine, i_mine, n_mine, cpu_mine, us_mine, median_mine);
      else
        total += run_block(peer, i_peer, n_peer, cpu_peer, us_peer, median_peer);
    }
    // (a side measured as no time, less than the clock's cost: no ratio)
    if (median_mine > 0) ratio.push_back(median_peer / median_mine);
    const double c_mine = cpu_mine.last_block_us(), c_peer = cpu_peer.last_block_us();
    if (c_mine > 0) cpu_ratio.push_back(c_peer / c_mine);
    return total;
  };
  for (auto _ : st) st.SetIterationTime(pair());
  while (pairs < min_single_pairs) pair();  // untimed, as in bm_scaling
  set_median_and_worst(st, "ratio", ratio);
  set_median_and_worst(st, "cpu_ratio", cpu_ratio);
  set_latency_counters(st, us_mine);
  set_cpu_counters(st, cpu_mine);
  set_latency_counters(st, us_peer, "peer_");
  set_cpu_counters(st, cpu_peer, "peer_");
  st.counters["pairs"] = static_cast<double>(pairs);
  st.counters["calls_per_block"] = n_mine;
  st.counters["peer_calls_per_block"] = n_peer;
}

// XGBoost's array interfaces of a benchmark's first 64 batches of `rows`
// (the k-th at batch_first_row), built outside the timed region.
std::vector<std::string> xgb_batches(const Scenario& s, size_t rows) {
  std::vector<std::string> ifaces;
  for (size_t k = 0; k < 64; ++k)
    ifaces.push_back(array_interface(s.X.data() + batch_first_row(s, rows, k) * s.features, rows, s.features));
  return ifaces;
}

// A batch against XGBoost in the same moments, as bm_single_pair for one
// row: each iteration one call of each on the same rows (one thread), the
// order alternating, and the ratio per pair of their wall times and of
// their CPU times (this thread's clock read around each call: milliseconds
// long, the read is noise).  A pair of the largest shapes takes ~0.5 s, so
// no pairs beyond the benchmark's own iterations (one a repetition there):
// the repetitions give more, and the report takes the worst over them.

void bm_batch_pair(benchmark::State& st, const Scenario* s, std::string kernel, size_t rows) {
  if (!use_kernel_or_skip(st, kernel)) return;
  auto model = s->model();
  const Booster& b = booster_of(*s);
  rows = std::min(rows, s->rows);
  std::vector<float> out(rows * model.output_width());
  mlmap::PredictOptions o;
  o.n_threads = 1;
  const std::vector<std::string> ifaces = xgb_batches(*s, rows);
  std::vector<double> ratio, cpu_ratio, wall_mine, wall_peer, cpu_mine, cpu_peer;
  auto pair = [&]() {
    const size_t k = wall_mine.size() % ifaces.size();
    double wall[2] = {0, 0}, cpu[2] = {0, 0};  // mlmap, XGBoost
    for (int n = 0; n < 2; ++n) {
      const int side = (n + static_cast<int>(wall_mine.size() % 2)) % 2;
      const double c0 = thread_cpu_seconds();
      auto t0 = Clock::now();
      if (side == 0) {
        auto r = model.predict(s->X.data() + batch_first_row(*s, rows, k) * s->features, rows, out.data(), o);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(out.data());
      } else {
        const float* p = xgb_predict(b, ifaces[k], rows, nullptr);
        benchmark::DoNotOptimize(p);
      }
      auto t1 = Clock::now();
      cpu[side] = thread_cpu_seconds() - c0;
      wall[side] = std::chrono::duration<double>(t1 - t0).count();
    }
    ratio.push_back(wall[1] / wall[0]);
    if (cpu[0] > 0) cpu_ratio.push_back(cpu[1] / cpu[0]);  // (a clock tick coarser than the call: no ratio)
    wall_mine.push_back(wall[0] * 1e6);
    wall_peer.push_back(wall[1] * 1e6);
    cpu_mine.push_back(cpu[0] * 1e6);
    cpu_peer.push_back(cpu[1] * 1e6);
    return wall[0] + wall[1];
  };
  for (auto _ : st) st.SetIterationTime(pair());
  set_median_and_worst(st, "ratio", ratio);
  set_median_and_worst(st, "cpu_ratio", cpu_ratio);
  st.counters["p50_us"] = percentile(wall_mine, 0.50);
  st.counters["peer_p50_us"] = percentile(wall_peer, 0.50);
  st.counters["p50_cpu_us"] = percentile(cpu_mine, 0.50);
  st.counters["peer_p50_cpu_us"] = percentile(cpu_peer, 0.50);
  st.counters["pairs"] = static_cast<double>(wall_mine.size());
}

void bm_xgb_batch(benchmark::State& st, const Scenario* s, size_t rows) {
  const Booster& b = booster_of(*s);
  rows = std::min(rows, s->rows);
  const std::vector<std::string> ifaces = xgb_batches(*s, rows);
  size_t i = 0;
  for (auto _ : st) {
    const float* p = xgb_predict(b, ifaces[i++ % ifaces.size()], rows, nullptr);
    benchmark::DoNotOptimize(p);
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(rows));
}
#endif

bool has_two_thread_target(const Scenario& s) {
  return std::find(s.threads.begin(), s.threads.end(), 2) != s.threads.end();
}

// 1 vs 2 threads (and two processes) on `rows` of a scenario that has a
// 2-thread target, interleaved (bm_scaling).
void register_scaling(const Scenario& s, const std::string& kernel, size_t rows) {
  if (!has_two_thread_target(s)) return;
  benchmark::RegisterBenchmark(("scaling/" + s.name + "/" + kernel + "/" + std::to_string(rows)).c_str(), bm_scaling,
                               &s, kernel, rows)
      ->UseManualTime()->Unit(benchmark::kMicrosecond);
}

#ifdef MLMAP_BENCH_XGBOOST
// One row and the record batch against XGBoost in the same moments
// (bm_single_pair, bm_batch_pair): what the XGBoost targets are judged on.
void register_xgb_pairs(const Scenario& s, const std::string& kernel, size_t record_batch) {
  benchmark::RegisterBenchmark(("single_pair/" + s.name + "/" + kernel).c_str(), bm_single_pair, &s, kernel)
      ->UseManualTime()->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(
      ("batch_pair/" + s.name + "/" + kernel + "/" + std::to_string(std::min(record_batch, s.rows))).c_str(),
      bm_batch_pair, &s, kernel, record_batch)
      ->UseManualTime()->Unit(benchmark::kMicrosecond);
}
#endif

void print_info() {
  std::printf("mlmap_version=%s\n", MLMAP_VERSION);
  std::printf("active_kernel=%s\n", mlmap::active_kernel());
  std::string all;
  for (const auto& k : mlmap::available_kernels()) all += (all.empty() ? "" : ",") + k;
  std::printf("available_kernels=%s\n", all.c_str());
#ifdef MLMAP_BENCH_XGBOOST
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  std::printf("xgboost_c_api=%d.%d.%d\n", major, minor, patch);
#else
  std::printf("xgboost_c_api=\n");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  std::string manifest_path;
  size_t check_rows = 20000;
  bool info = false, check_only = false;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--manifest=", 0) == 0) manifest_path = a.substr(11);
    else if (a.rfind("--check_rows=", 0) == 0) check_rows = std::stoul(a.substr(13));
    else if (a == "--mlmap_info") info = true;
    else if (a == "--check_only") check_only = true;
    else rest.push_back(argv[i]);
  }
  // The process starts with the automatically chosen kernel; remember it
  // before the benchmarks switch.
  const std::string auto_kernel = mlmap::active_kernel();
  if (info) {
    print_info();
    return 0;
  }
  int bargc = static_cast<int>(rest.size());
  benchmark::Initialize(&bargc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, rest.data())) return 1;
  if (manifest_path.empty()) die("--manifest=PATH is required", 1);

  Manifest m = read_manifest(manifest_path);
  bool ok = true;
  for (auto& s : m.scenarios) {
    s.X = read_raw<float>(s.x_path, s.rows * s.features);
    s.ref = read_raw<double>(s.ref_path, s.rows * s.ref_width);
    if (!s.labels_path.empty()) s.labels = read_raw<int64_t>(s.labels_path, s.rows);
    if (!s.string_columns.empty()) s.columns = std::make_unique<Columns>(s.X, s.rows, s.features, s.string_columns);
    ok &= check_scenario(s, s.shape ? std::min<size_t>(check_rows, 5000) : check_rows, s.tolerance);
  }
  if (auto st = mlmap::use_kernel(auto_kernel); !st) die(st.error().describe());
  if (!ok) {
    std::printf("bench_predict: outputs differ from the peer's: nothing timed\n");
    return 3;
  }
  if (check_only) return 0;

  const auto kernels = mlmap::available_kernels();
  if (std::any_of(m.scenarios.begin(), m.scenarios.end(),
                  [](const Scenario& s) { return s.shape && has_two_thread_target(s); }))
    benchmark::RegisterBenchmark("scaling/machine/adds/0", bm_machine_scaling)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
  for (const auto& s : m.scenarios) {
    if (s.shape) {
      // A sweep point: the kernel mlmap chose, one row and the record batch
      // against the peer, and 1 vs 2 threads on the largest batch stored
      // (in pairs).
      const std::string k = auto_kernel;
      benchmark::RegisterBenchmark(("single/" + s.name + "/" + k).c_str(), bm_single, &s, k)
          ->UseManualTime()->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(
          ("batch/" + s.name + "/" + k + "/" + std::to_string(std::min(m.record_batch, s.rows)) + "/1").c_str(),
          bm_batch, &s, k, m.record_batch, 1)
          ->UseRealTime()->Unit(benchmark::kMicrosecond);
      register_scaling(s, k, std::min(m.threads_batch, s.rows));
#ifdef MLMAP_BENCH_XGBOOST
      if (!s.xgb_json.empty()) {
        benchmark::RegisterBenchmark(("single/" + s.name + "/xgboost").c_str(), bm_xgb_single, &s)
            ->UseManualTime()->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(
            ("batch/" + s.name + "/xgboost/" + std::to_string(std::min(m.record_batch, s.rows)) + "/1").c_str(),
            bm_xgb_batch, &s, m.record_batch)
            ->UseRealTime()->Unit(benchmark::kMicrosecond);
        register_xgb_pairs(s, k, m.record_batch);
      }
#endif
      continue;
    }
    benchmark::RegisterBenchmark(("open/" + s.name).c_str(), bm_open, s.model_path)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
    for (const auto& k : kernels)
      benchmark::RegisterBenchmark(("single/" + s.name + "/" + k).c_str(), bm_single, &s, k)
          ->UseManualTime()->Unit(benchmark::kMicrosecond);
    // Batch sizes past the scenario's test rows are that many rows, once
    // (named by the rows they time, as the report looks them up).
    std::vector<size_t> sizes;
    for (size_t rows : m.batch_sizes)
      if (std::find(sizes.begin(), sizes.end(), std::min(rows, s.rows)) == sizes.end())
        sizes.push_back(std::min(rows, s.rows));
    // The record batch's 2-thread target judged on interleaved 1-thread /
    // 2-thread / 2-process runs, as for the shapes (separate benchmarks of a
    // few calls each, seconds apart, gave knn_clf 0.7x and 1.3x where
    // interleaved calls gave 1.8-1.9x).
    register_scaling(s, auto_kernel, std::min(m.record_batch, s.rows));
    for (size_t rows : sizes) {
      for (const auto& k : kernels)
        for (size_t t : s.threads)
          if (t == 1 || k == auto_kernel)
            benchmark::RegisterBenchmark(
                ("batch/" + s.name + "/" + k + "/" + std::to_string(rows) + "/" + std::to_string(t)).c_str(),
                bm_batch, &s, k, rows, static_cast<int>(t))
                ->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
#ifdef MLMAP_BENCH_XGBOOST
    if (!s.xgb_json.empty()) {
      benchmark::RegisterBenchmark(("open_xgb/" + s.name).c_str(), bm_xgb_open, s.xgb_json)
          ->UseManualTime()->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("single/" + s.name + "/xgboost").c_str(), bm_xgb_single, &s)
          ->UseManualTime()->Unit(benchmark::kMicrosecond);
      for (size_t rows : m.batch_sizes)
        benchmark::RegisterBenchmark(("batch/" + s.name + "/xgboost/" + std::to_string(rows) + "/1").c_str(),
                                     bm_xgb_batch, &s, rows)
            ->UseRealTime()->Unit(benchmark::kMicrosecond);
      // The ratios its targets judge, in the same moments (as for the shapes).
      register_xgb_pairs(s, auto_kernel, m.record_batch);
    }
#endif
  }
  for (const auto& o : m.opens)
    benchmark::RegisterBenchmark(("open/" + o.name).c_str(), bm_open, o.model_path)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);

  benchmark::RunSpecifiedBenchmarks();
#ifdef MLMAP_BENCH_XGBOOST
  // Freed while XGBoost's own static objects live (freed by the exit after
  // them, a booster crashed the process).
  loaded_boosters().clear();
#endif
  benchmark::Shutdown();
  return 0;
}
