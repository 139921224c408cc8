// A model file larger than 4 GiB (FlatBuffers alone stops at 2 GiB): written
// by the C++ writer, opened, verified and predicted, then deleted.  One column
// (the leaf values) is itself larger than 4 GiB, so 64-bit offsets, lengths
// and in-kernel indexing are all exercised.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

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

}  // namespace

TEST_CASE("a model larger than 4 GiB writes, opens, verifies and predicts") {
  const char* dir_env = std::getenv("MLMAP_LARGE_DIR");
  test::TempDir dir;
  const std::string path = (dir_env ? std::string(dir_env) : dir.path()) + "/large-" + std::to_string(::getpid()) + ".mlmap";
  struct Cleanup {
    std::string p;
    ~Cleanup() { std::remove(p.c_str()); }
  } cleanup{path};

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
