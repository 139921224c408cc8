// A model file larger than 4 GiB (FlatBuffers alone stops at 2 GiB): written
// by the C++ writer, opened, verified and predicted, then deleted.  One column
// (the leaf values) is itself larger than 4 GiB, so 64-bit offsets, lengths
// and in-kernel indexing are all exercised.
//
// The file goes where it fits: $MLMAP_LARGE_DIR if set, else $TMPDIR (or
// /tmp), else /dev/shm when both it and free memory have room.  A machine
// with none skips (exit 77) saying what it lacks: a full disk is not a bug
// of the library.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "../unit/reference.hpp"
#include "../unit/support.hpp"

using namespace mlmap;

namespace {

constexpr size_t n_features = 10;
constexpr size_t width = 32;       // values per leaf (32 regression targets)
constexpr uint32_t depth = 19;     // complete trees: 2^19 leaves each
constexpr size_t n_trees = 33;     // 33 * 2^19 * 32 * 8 bytes = 4.125 GiB of leaf values

// A complete binary tree in sklearn's node-list form (breadth-first ids).
test::NodeList complete_tree() {
  test::NodeList t;
  t.value_stride = width;
  const size_t n = (size_t{2} << depth) - 1, internal = (size_t{1} << depth) - 1;
  t.left.resize(n, -1);
  t.right.resize(n, -1);
  t.feature.resize(n, -2);
  t.threshold.resize(n, -2);
  t.values.resize(n * width, 0);
  for (size_t i = 0; i < n; ++i) {
    if (i < internal) {
      t.left[i] = static_cast<int64_t>(2 * i + 1);
      t.right[i] = static_cast<int64_t>(2 * i + 2);
      t.feature[i] = static_cast<int64_t>(i % n_features);
      t.threshold[i] = static_cast<double>((i * 2654435761u) % 1000) / 1000.0;
    } else {
      for (size_t j = 0; j < width; ++j) t.values[i * width + j] = static_cast<double>((i * 3 + j * 7) % 1000) / 8.0;
    }
  }
  return t;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The file is ~4.4 GiB (leaf values and nodes); 1 GiB more for the
// filesystem's own blocks and whatever else the machine writes meanwhile.
constexpr uint64_t gib = uint64_t{1} << 30;
constexpr uint64_t file_room = 5 * gib + gib / 2;
// The builder holds its columns in memory while saving (~4.4 GiB).
constexpr uint64_t builder_memory = 5 * gib;

std::optional<uint64_t> free_bytes(const std::string& dir) {
  struct statvfs s {};
  if (::statvfs(dir.c_str(), &s) != 0) return std::nullopt;
  return uint64_t{s.f_bavail} * s.f_frsize;
}

uint64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

std::string where;  // the directory main() picked

}  // namespace

// Picks the directory, or says why there is none and skips.
int main(int argc, char** argv) {
  std::string report;
  auto room = [&](const std::string& dir, uint64_t memory_too) {
    const auto bytes = free_bytes(dir);
    char line[512];
    std::snprintf(line, sizeof line, "\n  %s: %.1f GiB free", dir.c_str(), bytes ? double(*bytes) / gib : 0.0);
    report += line;
    return bytes && *bytes >= file_room && available_memory() >= memory_too;
  };
  const char* dir_env = std::getenv("MLMAP_LARGE_DIR");
  if (dir_env) {
    where = dir_env;  // asked for: used as it is, a lack of room fails
  } else if (const std::string tmp = test::temp_base(); room(tmp, builder_memory)) {
    where = tmp;
  } else if (room("/dev/shm", builder_memory + file_room)) {
    where = "/dev/shm";  // tmpfs: the file itself takes memory too
  } else {
    std::printf("SKIP: no room for a %.1f GiB file (and %.1f GiB of memory for the builder):%s\n  memory: %.1f GiB available\n",
                double(file_room) / gib, double(builder_memory) / gib, report.c_str(), double(available_memory()) / gib);
    return 77;
  }
  std::printf("large file in %s\n", where.c_str());
  doctest::Context context(argc, argv);
  return context.run();
}

TEST_CASE("a model larger than 4 GiB writes, opens, verifies and predicts") {
  test::TempDir dir(where);  // removed with the file (and any temporary) at the end
  const std::string path = dir.file("large.mlmap");

  const auto tree = complete_tree();
  {
    TreeEnsembleBuilder b(n_features, width, width, Aggregation::sum);
    REQUIRE(b.reserve(n_trees * tree.left.size(), n_trees * (tree.left.size() + 1) / 2).ok());
    auto t0 = std::chrono::steady_clock::now();
    for (size_t k = 0; k < n_trees; ++k) {
      TreeOptions o;
      o.leaf_scale = static_cast<double>(k + 1);
      REQUIRE(b.add_tree(tree.view(), o).ok());
    }
    MESSAGE("built " << b.n_nodes() << " nodes in " << seconds_since(t0) << " s");
    ModelDescription d;
    d.estimator = "test.Large";
    d.n_features = n_features;
    d.n_outputs = width;
    t0 = std::chrono::steady_clock::now();
    auto st = save(path, d, b);
    REQUIRE_MESSAGE(st.ok(), st.message());
    MESSAGE("saved (write, fsync, verify, rename) in " << seconds_since(t0) << " s");
  }

  auto t0 = std::chrono::steady_clock::now();
  auto m = Model::open(path);
  const double open_s = seconds_since(t0);
  REQUIRE_MESSAGE(m.ok(), m.message());
  MESSAGE("file " << m->info().file_size << " bytes, opened in " << open_s * 1e6 << " us");
  CHECK(m->info().file_size > (uint64_t{1} << 32));
  CHECK(m->info().trees.n_trees == n_trees);

  t0 = std::chrono::steady_clock::now();
  REQUIRE(m->verify().ok());
  MESSAGE("verified in " << seconds_since(t0) << " s");

  std::mt19937_64 rng(42);
  const size_t rows = 200;
  std::vector<float> X(rows * n_features);
  std::uniform_real_distribution<float> u(0, 1);
  for (auto& x : X) x = u(rng);
  std::vector<double> got(rows * width);
  REQUIRE(m->predict(X.data(), rows, got.data()).ok());
  for (size_t r = 0; r < rows; ++r) {
    const size_t leaf = test::reference_leaf(tree, &X[r * n_features], {});
    for (size_t j = 0; j < width; ++j) {
      const double one = tree.values[leaf * width + j];
      const double want = one * static_cast<double>(n_trees * (n_trees + 1) / 2);
      CHECK(got[r * width + j] == doctest::Approx(want).epsilon(1e-12));
    }
  }
}
