// make_large_model DIR NAME SIZE_MB — writes a synthetic forest of about
// SIZE_MB megabytes (complete depth-16 regression trees over 16 features,
// named f0..f15) with the C++ writer and publishes it into the store DIR as
// NAME, moved rather than copied.  Prints the version's path and size.  For
// the memory test of `mlmap serve` (test_memory.py).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mlmap/mlmap.hpp"

using namespace mlmap;

namespace {

constexpr size_t n_features = 16;
constexpr uint32_t depth = 16;

using Tree = TreeNodeList;

// A complete binary tree (breadth-first ids); thresholds depend on `seed`.
void fill_tree(Tree& t, uint64_t seed) {
  const size_t n = (size_t{2} << depth) - 1, internal = (size_t{1} << depth) - 1;
  t.left.assign(n, -1);
  t.right.assign(n, -1);
  t.feature.assign(n, -2);
  t.threshold.assign(n, -2);
  t.values.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ull ^ (seed * 0xBF58476D1CE4E5B9ull);
    if (i < internal) {
      t.left[i] = static_cast<int64_t>(2 * i + 1);
      t.right[i] = static_cast<int64_t>(2 * i + 2);
      t.feature[i] = static_cast<int64_t>((h >> 7) % n_features);
      t.threshold[i] = static_cast<double>((h >> 20) % 1000) / 1000.0;
    } else {
      t.values[i] = static_cast<double>((h >> 11) % 10000) / 100.0;
    }
  }
}

Status write_model(const std::string& path, size_t n_trees) {
  TreeEnsembleBuilder b(n_features, 1, 1, Aggregation::mean);
  const size_t nodes = (size_t{2} << depth) - 1;
  if (auto st = b.reserve(n_trees * nodes, n_trees * (nodes + 1) / 2); !st) return st;
  Tree t;
  for (size_t k = 0; k < n_trees; ++k) {
    fill_tree(t, k + 1);
    if (auto st = b.add_tree(t.view()); !st) return st;
  }
  ModelDescription d;
  d.estimator = "test.LargeForestRegressor";
  d.n_features = n_features;
  d.n_outputs = 1;
  for (size_t j = 0; j < n_features; ++j) d.feature_names.push_back("f" + std::to_string(j));
  return save(path, d, b);
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_large_model DIR NAME SIZE_MB\n");
    return 1;
  }
  const std::string dir = argv[1], name = argv[2];
  const double target = std::atof(argv[3]) * 1e6;
  auto store = Store::open(dir, true);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().describe().c_str());
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  // Bytes per tree from a 4-tree model, then the real one.
  const std::string path = dir + "/.large-" + std::to_string(::getpid()) + ".mlmap";
  if (auto st = write_model(path, 4); !st) {
    std::fprintf(stderr, "%s\n", st.error().describe().c_str());
    return 2;
  }
  const double per_tree = static_cast<double>(file_size(path)) / 4;
  const size_t n_trees = static_cast<size_t>(target / per_tree + 0.5) < 1 ? 1 : static_cast<size_t>(target / per_tree + 0.5);
  if (auto st = write_model(path, n_trees); !st) {
    std::fprintf(stderr, "%s\n", st.error().describe().c_str());
    std::remove(path.c_str());
    return 2;
  }
  auto published = store->publish(name, path, /*move=*/true);
  std::remove(path.c_str());  // already moved, unless publishing failed
  if (!published) {
    std::fprintf(stderr, "%s\n", published.error().describe().c_str());
    return 2;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s %llu bytes, %zu trees, %.1f s\n", published->version.path.c_str(),
              static_cast<unsigned long long>(published->version.size), n_trees, s);
  return 0;
}
