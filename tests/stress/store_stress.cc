// Stress and crash-safety tests of the store (the `slow` suite):
//
//   store_stress stress DIR     8 reader threads here and 4 reader processes
//                               predict continuously through Watches while a
//                               publisher publishes 100 versions and gc runs;
//                               0 errors and 0 wrong answers expected.
//   store_stress crash DIR      200 times: a child publishes / collects
//                               garbage in a loop and is killed with SIGKILL
//                               at a random moment; the store must always open
//                               and its current version must verify.
//
// Every published model carries, in its metadata, the predictions it must
// give on a fixed probe batch: a reader that gets anything else counts a
// wrong answer.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../unit/support.hpp"
#include "mlmap/mlmap.hpp"

using namespace mlmap;

namespace {

constexpr const char* model_name = "m";
constexpr size_t probe_rows = 32;

std::vector<float> probe(size_t n_features) {
  std::mt19937_64 rng(12345);
  return test::random_rows(rng, probe_rows, n_features);
}

std::string encode(const std::vector<double>& v) {
  std::string s;
  char buf[40];
  for (double x : v) {
    std::snprintf(buf, sizeof buf, "%.17g,", x);
    s += buf;
  }
  return s;
}

// Writes a model (seeded) whose metadata holds its own probe predictions.
Status make_model(const std::string& path, uint64_t seed) {
  const std::string tmp = path + ".raw";
  auto st = test::save_sample(tmp, test::Sample::boosted_binary, seed);
  if (!st) return st;
  auto m = Model::open(tmp);
  if (!m) return m.error();
  const auto X = probe(m->num_features());
  std::vector<double> out(probe_rows * m->output_width());
  st = m->predict(X.data(), probe_rows, out.data());
  ::unlink(tmp.c_str());
  if (!st) return st;
  // Rebuild the same model with the expectation in its metadata.
  std::mt19937_64 rng(seed);
  ModelDescription d;
  d.estimator = "stress.Model";
  d.task = Task::classification;
  d.n_features = 6;
  d.n_outputs = 2;
  d.classes.kind = ClassLabels::Kind::strings;
  d.classes.strings = {"no", "yes"};
  d.link = LinkFunction::logistic;
  d.base_score = {0.25};
  d.metadata = {{"expected", encode(out)}, {"seed", std::to_string(seed)}};
  TreeEnsembleBuilder b(6, 1, 1, Aggregation::sum);
  const uint32_t sets[2][2] = {{0x0000000Fu, 0u}, {0xF0F0F0F0u, 0x1u}};
  b.add_category_set(sets[0], 2);
  b.add_category_set(sets[1], 2);
  for (int i = 0; i < 10; ++i) {
    auto t = test::random_tree(rng, 6, 4, 1, true, 2);
    TreeOptions o;
    o.leaf_scale = 0.1;
    st = b.add_tree(t.view(), o);
    if (!st) return st;
  }
  return save(path, d, b);
}

struct Tally {
  std::atomic<uint64_t> predictions{0}, errors{0}, wrong{0}, switches{0};
};

// Predicts through a Watch until `stop`; checks each answer against the
// expectation the model carries.
void read_loop(const Store& store, const std::atomic<bool>& stop, Tally& tally) {
  auto w = store.watch(model_name, 2);
  if (!w) {
    ++tally.errors;
    std::fprintf(stderr, "watch: %s\n", w.error().describe().c_str());
    return;
  }
  uint64_t last_version = 0;
  std::vector<float> X;
  std::vector<double> out;
  while (!stop.load()) {
    Model m = (*w)->current();
    const uint64_t v = (*w)->version();
    if (v != last_version) ++tally.switches, last_version = v;
    if (X.empty()) X = probe(m.num_features());
    out.resize(probe_rows * m.output_width());
    auto st = m.predict(X.data(), probe_rows, out.data());
    if (!st) {
      ++tally.errors;
      std::fprintf(stderr, "predict: %s\n", st.error().describe().c_str());
      continue;
    }
    std::string expected;
    for (const auto& kv : m.info().metadata)
      if (kv.first == "expected") expected = kv.second;
    if (encode(out) != expected) ++tally.wrong;
    ++tally.predictions;
  }
}

int reader_process(const std::string& dir, int seconds) {
  auto store = Store::open(dir, false);
  if (!store) return 3;
  Tally t;
  std::atomic<bool> stop{false};
  std::thread r([&] { read_loop(*store, stop, t); });
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  r.join();
  std::printf("%llu %llu %llu %llu\n", (unsigned long long)t.predictions.load(), (unsigned long long)t.errors.load(),
              (unsigned long long)t.wrong.load(), (unsigned long long)t.switches.load());
  return 0;
}

int stress(const std::string& dir, const std::string& self) {
  auto store = Store::open(dir);
  if (!store) return std::fprintf(stderr, "%s\n", store.error().describe().c_str()), 1;
  const std::string staging = dir + "/../staging.mlmap";
  if (!make_model(staging, 1) || !store->publish(model_name, staging)) return 1;

  Tally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 8; ++i) readers.emplace_back([&] { read_loop(*store, stop, tally); });
  std::vector<FILE*> procs;
  for (int i = 0; i < 4; ++i) procs.push_back(::popen((self + " reader " + dir + " 12").c_str(), "r"));

  int published = 1;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t seed = 2; published < 100; ++seed) {
    auto st = make_model(staging, seed);
    auto r = st ? store->publish(model_name, staging) : Result<PublishResult>(st.error());
    if (!r) {
      std::fprintf(stderr, "publish: %s\n", r.error().describe().c_str());
      return 1;
    }
    published += r->created ? 1 : 0;
    if (published % 10 == 0 && !store->gc(3)) return 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double publish_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  for (auto& r : readers) r.join();
  uint64_t p_pred = 0, p_err = 0, p_wrong = 0, p_switch = 0;
  for (FILE* f : procs) {
    unsigned long long a = 0, b = 0, c = 0, d = 0;
    if (!f || std::fscanf(f, "%llu %llu %llu %llu", &a, &b, &c, &d) != 4) ++p_err;
    if (f) ::pclose(f);
    p_pred += a, p_err += b, p_wrong += c, p_switch += d;
  }
  std::printf("published %d versions in %.1f s with gc every 10\n", published, publish_s);
  std::printf("threads:   %llu predictions, %llu errors, %llu wrong, %llu version switches\n",
              (unsigned long long)tally.predictions.load(), (unsigned long long)tally.errors.load(),
              (unsigned long long)tally.wrong.load(), (unsigned long long)tally.switches.load());
  std::printf("processes: %llu predictions, %llu errors, %llu wrong, %llu version switches\n",
              (unsigned long long)p_pred, (unsigned long long)p_err, (unsigned long long)p_wrong,
              (unsigned long long)p_switch);
  const bool ok = tally.errors == 0 && tally.wrong == 0 && p_err == 0 && p_wrong == 0 && tally.predictions > 0 &&
                  p_pred > 0 && tally.switches > 8 && p_switch > 4 && published == 100;
  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}

// The child of one crash round: publish new versions and gc, forever.
[[noreturn]] void churn(const std::string& dir, uint64_t seed) {
  auto store = Store::open(dir);
  const std::string staging = dir + "/../staging-" + std::to_string(::getpid()) + ".mlmap";
  for (uint64_t i = 0;; ++i) {
    if (store && make_model(staging, seed * 1000 + i)) (void)store->publish(model_name, staging);
    if (store && i % 3 == 2) (void)store->gc(2);
  }
}

int crash(const std::string& dir) {
  auto store = Store::open(dir);
  if (!store) return 1;
  const std::string staging = dir + "/../staging.mlmap";
  if (!make_model(staging, 1) || !store->publish(model_name, staging)) return 1;
  std::mt19937_64 rng(7);
  int failures = 0;
  uint64_t max_version = 0;
  for (int round = 0; round < 200; ++round) {
    const pid_t child = ::fork();
    if (child == 0) churn(dir, static_cast<uint64_t>(round) + 2);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 60000));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    auto s = Store::open(dir, false);
    auto cur = s ? s->current(model_name) : Result<VersionInfo>(Error(error_code::io_error, "no store"));
    OpenOptions verify;
    verify.verify = true;
    auto m = cur ? Model::open(cur->path, verify) : Result<Model>(cur.error());
    if (!m) {
      ++failures;
      std::fprintf(stderr, "round %d: %s\n", round, m.error().describe().c_str());
      continue;
    }
    max_version = std::max(max_version, cur->version);
  }
  auto gc = store->gc(2);
  std::printf("200 SIGKILLs during publish/gc: %d inconsistent states; current reached version %llu; "
              "final gc removed %llu temporaries\n",
              failures, (unsigned long long)max_version, gc ? (unsigned long long)gc->removed_temporaries : 0ull);
  return failures == 0 && gc ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: store_stress stress|crash|reader DIR [SECONDS]\n"), 2;
  const std::string mode = argv[1], dir = argv[2];
  if (mode == "reader") return reader_process(dir, argc > 3 ? std::atoi(argv[3]) : 10);
  test::TempDir tmp;  // DIR is relative to a fresh temporary directory
  const std::string root = tmp.path() + "/" + dir;
  if (mode == "stress") return stress(root, argv[0]);
  if (mode == "crash") return crash(root);
  return 2;
}
