// Every kernel this CPU can run agrees exactly with the scalar reference, on
// every model kind and on batch sizes that take each code path (one row,
// fewer rows than lanes, lane tails, many blocks).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <doctest/doctest.h>

#include "kernels/dispatch.hpp"
#include "kernels/tree_cost.hpp"
#include "mlmap_generated.h"
#include "support.hpp"

using namespace mlmap;

namespace {

struct KernelGuard {
  std::string saved = active_kernel();
  ~KernelGuard() { (void)use_kernel(saved); }
};

struct AlgorithmGuard {
  mlmap::TreeAlgorithm saved = mlmap::kernels::tree_algorithm();
  ~AlgorithmGuard() { mlmap::kernels::set_tree_algorithm(saved); }
};

template <class T>
std::vector<double> predict_with(const std::string& kernel, const Model& m, const std::vector<T>& X, size_t rows,
                                 Output output) {
  REQUIRE(use_kernel(kernel).ok());
  std::vector<double> out(rows * m.output_width(output));
  PredictOptions o;
  o.output = output;
  REQUIRE(m.predict(X.data(), rows, out.data(), o).ok());
  return out;
}

// The scalar reference's answer (its own choice of algorithm) against every
// kernel's node walk, forced; returns how many kernels were compared.
int check_walks_equal_scalar(const Model& m, const std::vector<float>& X, size_t rows) {
  mlmap::kernels::set_tree_algorithm(TreeAlgorithm::automatic);
  const auto want = predict_with("scalar", m, X, rows, Output::raw);
  mlmap::kernels::set_tree_algorithm(TreeAlgorithm::walk);
  int compared = 0;
  for (const auto& k : available_kernels()) {
    CAPTURE(k);
    CAPTURE(rows);
    CHECK(predict_with(k, m, X, rows, Output::raw) == want);
    ++compared;
  }
  return compared;
}

}  // namespace

TEST_CASE("the AVX-512 kernels count as available only where the build has them and the CPU runs them") {
  using mlmap::kernels::Isa;
  __builtin_cpu_init();
  const bool cpu = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                   __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  const bool available = MLMAP_AVX512_KERNELS && cpu;
  CHECK(mlmap::kernels::isa_supported(Isa::avx512bw) == available);
  const auto names = available_kernels();
  CHECK((std::find(names.begin(), names.end(), "avx512bw") != names.end()) == available);
  // Forcing them where they are not: an error that says why.
  const char* before = std::getenv("MLMAP_FORCE_ARCH");
  const std::string saved = before ? before : "";
  ::setenv("MLMAP_FORCE_ARCH", "avx512bw", 1);
  const Status st = mlmap::kernel_environment();
  if (before) ::setenv("MLMAP_FORCE_ARCH", saved.c_str(), 1); else ::unsetenv("MLMAP_FORCE_ARCH");
  CHECK(bool(st) == available);
  if (!st) {
    CHECK(st.error().code() == mlmap::error_code::invalid_argument);
    CHECK(st.error().message().find(MLMAP_AVX512_KERNELS ? "this CPU cannot run that kernel"
                                                       : "this build left the AVX-512 kernels out") != std::string::npos);
  }
}

TEST_CASE("every kernel equals the scalar reference on every model kind") {
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  using mlmap::TreeAlgorithm;
  using Layout = mlmap::writer::BitvectorLayout;
  const auto kernels = available_kernels();
  REQUIRE(kernels.front() == "scalar");
  MESSAGE("kernels on this CPU: " << kernels.size() << ", active by default: " << std::string(guard.saved));
  test::TempDir dir;
  int compared = 0, with_layout = 0;
  for (auto sample : test::all_samples()) {
    if (sample == test::Sample::naive_bayes_categorical) continue;  // random rows are not categories
    // Tree ensembles with the leaf bit-vector layout as the writer picks it,
    // always (where the trees allow it: not with categorical splits) and never
    // (a file as format 1.0 wrote it); other models as the writer makes them.
    for (Layout layout : {Layout::when_faster, Layout::always, Layout::never}) {
      for (uint64_t seed : {1, 2, 3}) {
        const auto path = dir.file("m.mlmap");
        REQUIRE(test::save_sample(path, sample, seed, layout).ok());
        auto m = Model::open(path);
        REQUIRE(m.ok());
        const bool trees = m->info().predictor_kind == PredictorKind::tree_ensemble;
        if (!trees && layout != Layout::when_faster) break;
        const bool has_layout = test::has_leaf_bitvectors(path);
        const bool categorical = m->info().trees.has_categorical;
        if (layout == Layout::never || categorical) CHECK_FALSE(has_layout);
        if (layout == Layout::always && !categorical) CHECK(has_layout);
        if (has_layout) CHECK(m->info().format.minor == 1);  // a 1.1 feature (FORMAT.md §13)
        // The summary says what the file holds, and the counts the kernel choice weighs.
        const auto& summary = m->info().trees;
        CHECK(summary.bitvector_layout == has_layout);
        CHECK(summary.complete_layout == test::has_complete_trees(path));
        if (has_layout) {
          CHECK(summary.bitvector_records > 0);
          CHECK(summary.bitvector_words >= summary.n_trees);
          CHECK(summary.bitvector_features > 0);
          CHECK(summary.max_tree_leaves <= summary.n_leaves);
          CHECK(summary.walk_steps >= double(summary.n_trees));
        } else {
          CHECK(summary.bitvector_records == 0);
        }
        with_layout += has_layout;
        if (sample == test::Sample::large_trees)  // big enough for the large-tree batch walk
          CHECK(m->info().trees.n_nodes * 12 > m->info().trees.n_trees * (48 << 10));
        std::mt19937_64 rng(seed);
        const bool missing = m->info().accepts_missing;
        // 66,000 rows cross the 65,536-row blocks of predict and the batch
        // kernels (once per model kind: it is the slow case).
        // 1,300 rows cross the bit-vector kernel's blocks (~1,250 rows of a
        // wide input) and the walk's (a few hundred).
        std::vector<size_t> row_counts{1, 3, 7, 16, 33, 100, trees ? size_t{1300} : size_t{5000}};
        // Stored-row models scan every stored row per query: fewer rows.
        const bool stored = m->info().neighbors.n_samples || m->info().kernel.n_support_vectors;
        if (seed == 1 && !stored && (layout == Layout::always || !trees)) row_counts.push_back(66000);
        std::vector<TreeAlgorithm> algorithms{TreeAlgorithm::automatic};
        if (trees) algorithms = {TreeAlgorithm::automatic, TreeAlgorithm::walk, TreeAlgorithm::bitvectors};
        for (size_t rows : row_counts) {
          auto X = test::random_rows(rng, rows, m->num_features(), missing ? 0.2 : 0.0);
          std::vector<double> Xd(X.begin(), X.end());
          for (Output output : {Output::value, Output::raw, Output::decision}) {
            mlmap::kernels::set_tree_algorithm(TreeAlgorithm::automatic);
            const auto want = predict_with("scalar", *m, X, rows, output);
            auto check_equal = [&](const std::vector<double>& got) {
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
            };
            for (auto algorithm : algorithms) {
              mlmap::kernels::set_tree_algorithm(algorithm);
              for (const auto& k : kernels) {
                CAPTURE(k);
                CAPTURE(rows);
                CAPTURE(static_cast<int>(sample));
                CAPTURE(static_cast<int>(layout));
                CAPTURE(static_cast<int>(algorithm));
                check_equal(predict_with(k, *m, X, rows, output));
                // float64 inputs walk the nodes of float64 models (the
                // layout's thresholds decide float32 inputs only): a few
                // rows side by side over trees, more rows in batches.
                if (trees && (rows == 1 || rows == 7 || rows == 100)) check_equal(predict_with(k, *m, Xd, rows, output));
                ++compared;
              }
            }
          }
        }
      }
    }
  }
  CHECK(compared > 0);
  CHECK(with_layout > 0);
}

TEST_CASE("one row on every kernel: rows of every width around the register lookups (every 8 features up to 64)") {
  // A few rows walk lanes of trees; AVX-512 looks a row of up to 32 or 64
  // features up in registers instead of gathering it (AVX2: up to 64 in
  // 1-8 registers of 8, blended on bits 3-5 with an odd one left over), and
  // all three SIMD kernels take the complete-tree layout (FORMAT.md §5.1.2) where the file has
  // it (trees of depth <= 6 without categorical splits).  Widths on both sides of each
  // limit; plain splits, missing routing, missing routing with categorical
  // splits; enough trees for a full pass of lane groups and a partial one
  // (of 1, 2 or 3 groups of 16 trees: 70, 86 or 102 trees; AVX2 passes are
  // 2 groups); layouts of
  // every depth 1..6; the forced node walk too.  Odd widths: three scores,
  // the trees adding one value each into slots 0, 1, 2 in turn (multi-class
  // boosting), even ones one score.
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  const auto kernels = available_kernels();
  test::TempDir dir;
  int compared = 0;
  for (uint32_t width : {1u, 8u, 9u, 15u, 16u, 17u, 24u, 25u, 31u, 32u, 33u, 40u, 41u, 48u, 49u, 50u, 56u, 57u, 63u, 64u, 65u}) {
    for (int variant : {0, 1, 2}) {
      const bool routed = variant > 0, categorical = variant == 1;
      std::mt19937_64 rng(width * 3 + variant);
      ModelDescription d;
      d.estimator = "test.Width";
      d.task = Task::regression;
      d.n_features = width;
      const uint32_t scores = width % 2 ? 3 : 1;
      d.n_outputs = scores;
      TreeEnsembleBuilder b(width, 1, scores, Aggregation::sum);
      const uint32_t set[2] = {0x0F0F0F0Fu, 0x3u};
      if (categorical) b.add_category_set(set, 2);
      const int n_trees = 70 + 16 * static_cast<int>(width % 3);
      const int deepest = 1 + static_cast<int>((width + static_cast<uint32_t>(variant)) % 6);  // 1..6 over the cases
      for (int i = 0; i < n_trees; ++i) {
        auto t = test::random_tree(rng, width, 1 + i % deepest, 1, routed, categorical ? 1 : 0);
        TreeOptions options;
        options.output = static_cast<uint32_t>(i) % scores;
        REQUIRE(b.add_tree(t.view(), options).ok());
      }
      const auto path = dir.file("w.mlmap");
      const auto saved = save(path, d, b);
      const std::string why = saved.ok() ? std::string() : saved.error().describe();
      CAPTURE(why);
      CAPTURE(width);
      CAPTURE(variant);
      REQUIRE(saved.ok());
      CHECK(test::has_complete_trees(path) == !categorical);
      auto m = Model::open(path);
      REQUIRE(m.ok());
      CHECK(m->verify().ok());
      for (size_t rows : {1, 3, 7}) {
        auto X = test::random_rows(rng, rows, width, routed ? 0.2 : 0.0);
        mlmap::kernels::set_tree_algorithm(TreeAlgorithm::automatic);
        const auto want = predict_with("scalar", *m, X, rows, Output::raw);
        for (auto algorithm : {TreeAlgorithm::automatic, TreeAlgorithm::walk}) {
          mlmap::kernels::set_tree_algorithm(algorithm);
          for (const auto& k : kernels) {
            CAPTURE(k);
            CAPTURE(width);
            CAPTURE(variant);
            CAPTURE(rows);
            CAPTURE(static_cast<int>(algorithm));
            CHECK(predict_with(k, *m, X, rows, Output::raw) == want);
            ++compared;
          }
        }
      }
    }
  }
  CHECK(compared > 0);
}

namespace {

// Ensembles of trees of the given depths (random splits over `width`
// features), without and with NaN routing, with leaf rows of 1, 2 and 3
// values (each way the walk adds a group's leaves): the forced walk over
// each row count equals the scalar reference on every kernel.  `large`: the
// ensemble the large-tree walk takes (walks_large_trees), or not.
int check_top_level_walks(uint64_t seed, uint32_t width, std::initializer_list<uint32_t> depths,
                          std::initializer_list<size_t> row_counts, bool large) {
  test::TempDir dir;
  std::mt19937_64 rng(seed);
  int compared = 0;
  for (bool missing : {false, true}) for (uint32_t leaf_width : {1u, 2u, 3u}) {
    CAPTURE(missing);
    CAPTURE(leaf_width);
    ModelDescription d;
    d.estimator = "test.DeepTrees";
    d.task = Task::regression;
    d.n_features = width;
    d.n_outputs = leaf_width;
    TreeEnsembleBuilder b(width, leaf_width, leaf_width, Aggregation::sum);
    for (uint32_t depth : depths) {
      auto t = test::random_tree(rng, width, depth, leaf_width, missing, 0);
      REQUIRE(b.add_tree(t.view()).ok());
    }
    const auto path = dir.file((missing ? "deep_missing_" : "deep_") + std::to_string(leaf_width) + ".mlmap");
    REQUIRE(save(path, d, b).ok());
    auto m = Model::open(path);
    REQUIRE(m.ok());
    CHECK(m->verify().ok());
    CHECK(m->info().accepts_missing == missing);
    CHECK((m->info().trees.n_nodes * 12 > m->info().trees.n_trees * (48 << 10)) == large);
    for (size_t rows : row_counts)
      compared += check_walks_equal_scalar(*m, test::random_rows(rng, rows, width, missing ? 0.1 : 0.0), rows);
  }
  return compared;
}

}  // namespace

TEST_CASE("batches over deep trees: the top levels walked through a complete tree equal the scalar reference") {
  // The large-tree batch walk takes the top min(depth, 10) levels (8 at
  // least) of each float32 tree without category sets through a table built
  // per tree, when the block has at least as many rows as the table
  // positions: 300 rows take it for the depth-8 tree only, 700 for depths 8
  // and 9, 1,300 and 2,500 (a tail group) for every tree but the depth-7
  // one.  Leaves above the table's bottom repeat down it.  With NaN routing
  // the table keeps each position's NaN-left bit: rows with NaN take it.
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  CHECK(check_top_level_walks(29, 20, {20, 8, 20, 9, 7, 12, 20, 20}, {300, 700, 1300, 2500}, true) > 0);
}

TEST_CASE("batches over small trees: the top levels walked through a complete tree equal the scalar reference") {
  // Trees that are not large take the table from 6 levels: 63 rows take it
  // for no tree, 64 for the depth-6 trees, 300 for depths 6-8, 1,300 (a
  // tail group) for all but the depth-5 one.  Tables that hold a whole tree
  // (depth <= 10) hold leaf rows at the bottom instead of nodes.
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  CHECK(check_top_level_walks(37, 11, {6, 8, 5, 10, 7, 6, 9}, {63, 64, 300, 1300}, false) > 0);
}

TEST_CASE("the node walk asks for calls of many rows where each call builds tables or fetches large trees") {
  // Threads share a batch in chunks of at least this many rows (api/predict.cc):
  // a call repays its top levels' tables (trees of min_top_levels or more,
  // float32, no category sets) and its fetches of large trees over its rows.
  using namespace mlmap::kernels;
  const CacheSizes caches;
  const float thresholds32[1] = {0};
  const double thresholds64[1] = {0};
  TreeEnsembleView v;
  v.node_threshold = thresholds32;
  v.n_trees = 40;
  v.n_nodes = 40 * 63;  // small trees: not large
  REQUIRE(!walks_large_trees(v, caches));
  v.max_depth = min_top_levels - 1;
  CHECK(walk_min_rows_per_call(v, caches) == 0);
  v.max_depth = min_top_levels;
  CHECK(walk_min_rows_per_call(v, caches) == tree_block_rows);
  v.n_category_sets = 1;  // no tables
  CHECK(walk_min_rows_per_call(v, caches) == 0);
  v.n_category_sets = 0;
  v.node_threshold = nullptr;  // float64 trees: no tables
  v.node_threshold64 = thresholds64;
  CHECK(walk_min_rows_per_call(v, caches) == 0);
  v.n_nodes = uint64_t{40} * (64 << 10);  // large trees are fetched by every call
  REQUIRE(walks_large_trees(v, caches));
  CHECK(walk_min_rows_per_call(v, caches) == tree_block_rows);
}

TEST_CASE("batches over deep trees: rows copied at a constant stride equal the scalar reference") {
  // Models with trees deeper than the top levels' table and up to 64
  // features walk a copy of each block's rows at a stride of S features (S
  // from 8 to 64, rows padded with their last feature: a feature index past
  // the row reads the last one, as in the scalar reference) on AVX2 and
  // AVX-512; others read the rows in place.  Widths each side of every S;
  // 1,300 rows: a tail group of 4 (16 walks); 37 rows: below the table.
  // A crafted copy whose inner nodes name features past the row (verify
  // refuses it; the kernels clamp them to the last feature) reads the
  // padding: it must hold the last feature.
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  test::TempDir dir;
  std::mt19937_64 rng(31);
  int compared = 0;
  for (uint32_t width : {1u, 7u, 8u, 9u, 12u, 13u, 16u, 17u, 20u, 21u, 24u, 25u, 28u, 29u, 32u, 33u, 40u, 41u, 48u,
                         49u, 64u, 65u}) {
    const bool missing = width % 2 == 1;
    CAPTURE(width);
    ModelDescription d;
    d.estimator = "test.DeepTrees";
    d.task = Task::regression;
    d.n_features = width;
    d.n_outputs = 1;
    TreeEnsembleBuilder b(width, 1, 1, Aggregation::sum);
    for (uint32_t depth : {20u, 12u, 20u}) {
      auto t = test::random_tree(rng, width, depth, 1, missing, 0);
      REQUIRE(b.add_tree(t.view()).ok());
    }
    const auto path = dir.file("strided_" + std::to_string(width) + ".mlmap");
    REQUIRE(save(path, d, b).ok());
    auto m = Model::open(path);
    REQUIRE(m.ok());
    CHECK(m->info().trees.n_nodes * 12 > m->info().trees.n_trees * (48 << 10));  // the large-tree walk
    auto bytes = test::read_bytes(path);
    const auto* header = mlmap::fb::GetMutableHeader(bytes.data() + 64);
    const auto* te = header->model()->predictor_as_TreeEnsemble();
    auto* info = reinterpret_cast<uint32_t*>(bytes.data() + header->columns()->Get(te->node_info())->offset());
    const auto* child = reinterpret_cast<const uint32_t*>(bytes.data() + header->columns()->Get(te->node_child())->offset());
    for (uint64_t k = 0; k < te->n_nodes(); ++k)
      if (child[k] != k && rng() % 4 == 0) info[k] = (info[k] & 0xc0000000u) | (width + static_cast<uint32_t>(rng() % 70));
    test::fix_checksums(bytes);
    const auto crafted_path = dir.file("strided_crafted_" + std::to_string(width) + ".mlmap");
    test::write_bytes(crafted_path, bytes);
    auto crafted = Model::open(crafted_path);
    REQUIRE(crafted.ok());
    CHECK(crafted->verify().code() == error_code::invalid_model);
    for (const Model* model : {&*m, &*crafted}) {
      for (size_t rows : {37, 1300}) {
        compared += check_walks_equal_scalar(*model, test::random_rows(rng, rows, width, missing ? 0.1 : 0.0), rows);
      }
    }
  }
  CHECK(compared > 0);
}

TEST_CASE("crafted complete-tree columns never read out of bounds; verify refuses them") {
  // The layout's contents are checked only by verify(): the kernel clamps
  // features and leaf rows, and its positions come from index arithmetic
  // (run under ASan/UBSan in CI).  The damaged layout changes the one-row
  // answers of the SIMD kernels (which read it) and nothing else:
  // a forced walk reads the nodes.
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  test::TempDir dir;
  const auto path = dir.file("m.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::forest_classifier, 3).ok());
  REQUIRE(test::has_complete_trees(path));
  const auto original = test::read_bytes(path);
  auto m = Model::open(path);
  REQUIRE(m.ok());
  std::mt19937_64 rng(13);
  int changed = 0;
  for (int round = 0; round < 40; ++round) {
    auto bytes = original;
    auto* header = mlmap::fb::GetMutableHeader(bytes.data() + 64);
    const auto* layout = header->model()->predictor_as_TreeEnsemble()->complete_trees();
    REQUIRE(layout != nullptr);
    const auto* col = header->columns()->Get(static_cast<uint32_t>(round % 2 ? layout->leaves() : layout->nodes()));
    auto* words = reinterpret_cast<uint32_t*>(bytes.data() + col->offset());
    const uint64_t n = col->length() / 4;
    for (int k = 0; k < 1 + round % 5; ++k) {
      const uint32_t values[] = {0u, 1u, UINT32_MAX, static_cast<uint32_t>(rng()), 0x7fc00000u};
      words[rng() % n] = values[rng() % 5];
    }
    test::fix_checksums(bytes);
    const auto damaged = dir.file("damaged.mlmap");
    test::write_bytes(damaged, bytes);
    auto d = Model::open(damaged);
    REQUIRE(d.ok());
    const bool same = bytes == original;
    CHECK((d->verify().code() == error_code::invalid_model) == !same);
    auto X = test::random_rows(rng, 7, 6, 0.0);
    for (const auto& k : available_kernels()) {
      CAPTURE(k);
      CAPTURE(round);
      for (size_t rows : {1, 7}) {
        mlmap::kernels::set_tree_algorithm(TreeAlgorithm::walk);
        CHECK(predict_with(k, *d, X, rows, Output::raw) == predict_with(k, *m, X, rows, Output::raw));
        mlmap::kernels::set_tree_algorithm(TreeAlgorithm::automatic);
        const auto got = predict_with(k, *d, X, rows, Output::raw);  // any answer, no crash
        const bool reads_layout = k != "scalar";
        if (!reads_layout) CHECK(got == predict_with(k, *m, X, rows, Output::raw));
        changed += got != predict_with(k, *m, X, rows, Output::raw);
      }
    }
  }
  const auto kernels = available_kernels();
  if (kernels.size() > 1) CHECK(changed > 0);  // the layout is what they read
}

TEST_CASE("the bit-vector kernel is what runs when forced, and the cost model picks it for small trees") {
  // Not a speed test: which code runs.  A file with the layout and a
  // forced walk must not touch the layout; forced bit-vectors must.
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  using mlmap::TreeAlgorithm;
  test::TempDir dir;
  const auto path = dir.file("m.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::wide_trees, 1, mlmap::writer::BitvectorLayout::always).ok());
  auto m = Model::open(path);
  REQUIRE(m.ok());
  REQUIRE(m->info().format.minor == 1);
  // Damage the layout's thresholds in a copy: only the bit-vector kernel
  // reads them, so only it may change the answers.
  auto bytes = test::read_bytes(path);
  auto* header = mlmap::fb::GetMutableHeader(bytes.data() + 64);
  const auto* layout = header->model()->predictor_as_TreeEnsemble()->leaf_bitvectors();
  REQUIRE(layout != nullptr);
  const auto* col = header->columns()->Get(static_cast<uint32_t>(layout->record_threshold()));
  auto* thresholds = reinterpret_cast<float*>(bytes.data() + col->offset());
  for (uint64_t r = 0; r < layout->n_records(); ++r) thresholds[r] = -thresholds[r] - 0.5f;
  test::fix_checksums(bytes);
  const auto damaged = dir.file("damaged.mlmap");
  test::write_bytes(damaged, bytes);
  auto d = Model::open(damaged);
  REQUIRE(d.ok());
  CHECK(d->verify().code() == error_code::invalid_model);
  std::mt19937_64 rng(7);
  auto X = test::random_rows(rng, 64, 6, 0.1);
  for (const auto& k : available_kernels()) {
    CAPTURE(k);
    mlmap::kernels::set_tree_algorithm(TreeAlgorithm::walk);
    CHECK(predict_with(k, *d, X, 64, Output::raw) == predict_with(k, *m, X, 64, Output::raw));
    mlmap::kernels::set_tree_algorithm(TreeAlgorithm::bitvectors);
    if (k != "scalar") CHECK(predict_with(k, *d, X, 64, Output::raw) != predict_with(k, *m, X, 64, Output::raw));
    mlmap::kernels::set_tree_algorithm(TreeAlgorithm::automatic);
    if (k == "avx512bw") CHECK(predict_with(k, *d, X, 64, Output::raw) != predict_with(k, *m, X, 64, Output::raw));
  }
}

TEST_CASE("crafted bit-vector columns never read out of bounds; verify refuses them") {
  // The layout's contents are checked only by verify(): kernels clamp every
  // index and keep cursors monotone (run under ASan/UBSan in CI).
  KernelGuard guard;
  AlgorithmGuard algorithm_guard;
  mlmap::kernels::set_tree_algorithm(mlmap::TreeAlgorithm::bitvectors);
  test::TempDir dir;
  // Trees of up to ~500 leaves, and (the kernels' one-word path) of <= 32.
  const std::pair<test::Sample, uint64_t> samples[] = {{test::Sample::wide_trees, 2},
                                                        {test::Sample::boosted_multiclass_numeric, 1}};
  for (const auto& [sample, seed] : samples) {
    CAPTURE(static_cast<int>(sample));
    const auto path = dir.file("m.mlmap");
    REQUIRE(test::save_sample(path, sample, seed, mlmap::writer::BitvectorLayout::always).ok());
    if (sample != test::Sample::wide_trees) REQUIRE(Model::open(path)->info().trees.max_tree_leaves <= 32);
    const auto original = test::read_bytes(path);
    std::mt19937_64 rng(11);
    for (int round = 0; round < 40; ++round) {
      auto bytes = original;
      auto* header = mlmap::fb::GetMutableHeader(bytes.data() + 64);
      const auto* layout = header->model()->predictor_as_TreeEnsemble()->leaf_bitvectors();
      REQUIRE(layout != nullptr);
      const int32_t columns[] = {layout->features(), layout->tree_words(), layout->tree_leaves(),
                                 layout->word_records(), layout->record_feature(), layout->record_clear()};
      const int32_t which = columns[round % 6];
      const auto* col = header->columns()->Get(static_cast<uint32_t>(which));
      auto* words = reinterpret_cast<uint32_t*>(bytes.data() + col->offset());
      const uint64_t n = col->length() / 4;
      for (int k = 0; k < 1 + round % 5; ++k) {
        const uint32_t values[] = {0u, 1u, UINT32_MAX, static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng() % 64)};
        words[rng() % n] = values[rng() % 5];
      }
      test::fix_checksums(bytes);
      const auto damaged = dir.file("damaged.mlmap");
      test::write_bytes(damaged, bytes);
      auto m = Model::open(damaged);
      REQUIRE(m.ok());  // contents are not read at open
      auto X = test::random_rows(rng, 40, 6, 0.2);
      for (const auto& k : available_kernels()) (void)predict_with(k, *m, X, 40, Output::raw);
      if (bytes != original) {
        auto v = m->verify();
        // Either the damage changed nothing the trees imply, or it is refused.
        if (!v.ok()) CHECK(v.code() == error_code::invalid_model);
      }
    }
  }
}

TEST_CASE("kernel selection: unknown or unsupported names are refused") {
  KernelGuard guard;
  CHECK(use_kernel("avx9000").code() == error_code::invalid_argument);
  CHECK(use_kernel("scalar").ok());
  CHECK(std::string(active_kernel()) == "scalar");
}
