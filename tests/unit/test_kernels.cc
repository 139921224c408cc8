// Every kernel this CPU can run agrees exactly with the scalar reference, on
// every model kind and on batch sizes that take each code path (one row,
// fewer rows than lanes, lane tails, many blocks).
#include <algorithm>
#include <cmath>
#include <doctest/doctest.h>

#include "support.hpp"

using namespace mlmap;

namespace {

struct KernelGuard {
  std::string saved = active_kernel();
  ~KernelGuard() { (void)use_kernel(saved); }
};

std::vector<double> predict_with(const std::string& kernel, const Model& m, const std::vector<float>& X, size_t rows,
                                 Output output) {
  REQUIRE(use_kernel(kernel).ok());
  std::vector<double> out(rows * m.output_width(output));
  PredictOptions o;
  o.output = output;
  REQUIRE(m.predict(X.data(), rows, out.data(), o).ok());
  return out;
}

}  // namespace

TEST_CASE("every kernel equals the scalar reference on every model kind") {
  KernelGuard guard;
  const auto kernels = available_kernels();
  REQUIRE(kernels.front() == "scalar");
  MESSAGE("kernels on this CPU: " << kernels.size() << ", active by default: " << std::string(guard.saved));
  test::TempDir dir;
  int compared = 0;
  for (auto sample : test::all_samples()) {
    if (sample == test::Sample::naive_bayes_categorical) continue;  // random rows are not categories
    for (uint64_t seed : {1, 2, 3}) {
      const auto path = dir.file("m.mlmap");
      REQUIRE(test::save_sample(path, sample, seed).ok());
      auto m = Model::open(path);
      REQUIRE(m.ok());
      if (sample == test::Sample::large_trees)  // big enough for the large-tree batch walk
        CHECK(m->info().trees.n_nodes * 12 > m->info().trees.n_trees * (48 << 10));
      std::mt19937_64 rng(seed);
      const bool missing = m->info().accepts_missing;
      // 66,000 rows cross the 65,536-row blocks of predict and the batch
      // kernels (once per model kind: it is the slow case).
      std::vector<size_t> row_counts{1, 3, 7, 16, 33, 100, 5000};
      // Stored-row models scan every stored row per query: fewer rows.
      const bool stored = m->info().neighbors.n_samples || m->info().kernel.n_support_vectors;
      if (seed == 1 && !stored) row_counts.push_back(66000);
      for (size_t rows : row_counts) {
        auto X = test::random_rows(rng, rows, m->num_features(), missing ? 0.2 : 0.0);
        for (Output output : {Output::value, Output::raw, Output::decision}) {
          const auto want = predict_with("scalar", *m, X, rows, output);
          for (const auto& k : kernels) {
            CAPTURE(k);
            CAPTURE(rows);
            CAPTURE(static_cast<int>(sample));
            const auto got = predict_with(k, *m, X, rows, output);
            if (sample == test::Sample::dense_every_kind) {
              // Dense kernels sum each dot product in their vector width's
              // lane order: within a few ulps of the scalar reference, not
              // bit-identical (as for every dense network since the SIMD
              // dense kernels; tree, stored-row and preprocessing kernels are).
              REQUIRE(got.size() == want.size());
              for (size_t i = 0; i < got.size(); ++i)
                CHECK(std::abs(got[i] - want[i]) <= 1e-12 * std::max(1.0, std::abs(want[i])));
            } else {
              CHECK(got == want);
            }
            ++compared;
          }
        }
      }
    }
  }
  CHECK(compared > 0);
}

TEST_CASE("kernel selection: unknown or unsupported names are refused") {
  KernelGuard guard;
  CHECK(use_kernel("avx9000").code() == error_code::invalid_argument);
  CHECK(use_kernel("scalar").ok());
  CHECK(std::string(active_kernel()) == "scalar");
}
