// k-nearest neighbours through the public writer and reader: against a plain
// brute-force reference (distinct distances), sklearn's resolution of equal
// distances (its heap, not the row order), the zero-distance rule of
// distance weights, every metric, and the checks at open.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numeric>

#include "support.hpp"

using namespace mlmap;

namespace {

double reference_distance(Metric m, double p, const double* x, const double* y, size_t n) {
  double acc = 0, xx = 0, yy = 0;
  for (size_t f = 0; f < n; ++f) {
    const double d = x[f] - y[f];
    switch (m) {
      case Metric::euclidean:
      case Metric::squared_euclidean: acc += d * d; break;
      case Metric::manhattan: acc += std::fabs(d); break;
      case Metric::chebyshev: acc = std::max(acc, std::fabs(d)); break;
      case Metric::minkowski: acc += std::pow(std::fabs(d), p); break;
      case Metric::cosine:
        acc += x[f] * y[f];
        xx += x[f] * x[f];
        yy += y[f] * y[f];
        break;
    }
  }
  if (m == Metric::euclidean) return std::sqrt(acc);
  if (m == Metric::minkowski) return std::pow(acc, 1 / p);
  if (m == Metric::cosine) return 1 - acc / (std::sqrt(xx) * std::sqrt(yy));
  return acc;
}

struct Data {
  size_t n, nf;
  std::vector<double> rows;
  std::vector<uint32_t> labels;
  std::vector<double> targets;
};

Data knn_data(std::mt19937_64& rng, size_t n, size_t nf) {
  std::normal_distribution<double> g(0, 2);
  Data d{n, nf, std::vector<double>(n * nf), std::vector<uint32_t>(n), std::vector<double>(n)};
  for (auto& v : d.rows) v = g(rng);
  for (auto& l : d.labels) l = static_cast<uint32_t>(rng() % 3);
  for (auto& t : d.targets) t = g(rng) * 10;
  return d;
}

ModelDescription classifier(size_t nf) {
  ModelDescription d;
  d.estimator = "test.KNN";
  d.task = Task::classification;
  d.n_features = nf;
  d.n_outputs = 3;
  d.classes.kind = ClassLabels::Kind::integers;
  d.classes.integers = {0, 1, 2};
  d.link = LinkFunction::normalize;
  d.class_decision = ClassDecision::argmax_raw;
  return d;
}

// sklearn's heap_push (sklearn/utils/_heap.pyx), as written there: the
// reference of the searches' pushes.
void sklearn_heap_push(double* values, uint64_t* indices, size_t size, double value, uint64_t index) {
  if (value >= values[0]) return;
  size_t current = 0;
  for (;;) {
    const size_t left = 2 * current + 1, right = left + 1;
    size_t swap;
    if (left >= size) {
      break;
    } else if (right >= size) {
      if (values[left] > value)
        swap = left;
      else
        break;
    } else if (values[left] >= values[right]) {
      if (value < values[left])
        swap = left;
      else
        break;
    } else {
      if (value < values[right])
        swap = right;
      else
        break;
    }
    values[current] = values[swap];
    indices[current] = indices[swap];
    current = swap;
  }
  values[current] = value;
  indices[current] = index;
}

}  // namespace

TEST_CASE("neighbours: votes and means equal a brute-force reference, every metric and weighting") {
  test::TempDir dir;
  std::mt19937_64 rng(5);
  // 154 rows: the last block's second half is padding (zero rows), which a
  // query near the origin would take as its nearest if a search measured it.
  const auto data = knn_data(rng, 154, 9);
  std::vector<double> queries(40 * 9);
  std::normal_distribution<double> g(0, 2);
  for (auto& v : queries) v = g(rng);
  for (size_t f = 0; f < 9; ++f) queries[f] *= 1e-3;
  for (Metric metric : {Metric::euclidean, Metric::squared_euclidean, Metric::manhattan, Metric::chebyshev,
                        Metric::minkowski, Metric::cosine}) {
    for (auto weights : {NeighborWeights::uniform, NeighborWeights::distance}) {
      for (bool regression : {false, true}) {
        CAPTURE(static_cast<int>(metric));
        CAPTURE(static_cast<int>(weights));
        CAPTURE(regression);
        NeighborsSpec nb;
        nb.samples.rows64 = data.rows.data();
        nb.samples.n_rows = data.n;
        nb.samples.n_features = data.nf;
        nb.n_neighbors = 6;
        nb.metric = metric;
        nb.p = 3;
        nb.weights = weights;
        ModelDescription d = classifier(data.nf);
        if (regression) {
          d.task = Task::regression;
          d.n_outputs = 1;
          d.classes = {};
          d.link = LinkFunction::identity;
          d.class_decision = ClassDecision::argmax_outputs;
          nb.targets = data.targets.data();
          nb.n_targets = 1;
        } else {
          nb.labels = data.labels.data();
        }
        const auto path = dir.file("knn.mlmap");
        REQUIRE(save(path, d, nb).ok());
        auto m = Model::open(path, {true, false});
        REQUIRE_MESSAGE(m.ok(), m.message());
        CHECK(std::string(m->info().predictor) == "neighbors");
        CHECK(m->info().neighbors.n_samples == data.n);
        std::vector<double> out(40 * m->output_width());
        REQUIRE(m->predict(queries.data(), 40, out.data()).ok());
        for (size_t q = 0; q < 40; ++q) {
          std::vector<std::pair<double, size_t>> dist(data.n);
          for (size_t i = 0; i < data.n; ++i)
            dist[i] = {reference_distance(metric, 3, queries.data() + q * 9, data.rows.data() + i * 9, 9), i};
          std::sort(dist.begin(), dist.end());
          std::vector<double> want(m->output_width(), 0.0);
          double total = 0;
          for (size_t j = 0; j < 6; ++j) {
            const double w = weights == NeighborWeights::uniform ? 1.0 : 1.0 / dist[j].first;
            if (regression)
              want[0] += w * data.targets[dist[j].second];
            else
              want[data.labels[dist[j].second]] += w;
            total += w;
          }
          for (auto& v : want) v /= total;
          for (size_t j = 0; j < want.size(); ++j) CHECK(out[q * want.size() + j] == doctest::Approx(want[j]).epsilon(1e-9));
        }
      }
    }
  }
}

TEST_CASE("neighbours: equal distances resolve as sklearn's heap does, not by row") {
  // One feature; the query is 0; rows at 5, 5, 5, 1, 1 (rows 0-4), k = 3.
  // sklearn's max-heap keeps rows 1, 3, 4 (row 0 is evicted: the heap's
  // shape, not the lowest row number, decides); by row it would be 0, 3, 4.
  test::TempDir dir;
  const double rows[] = {5, 5, 5, 1, 1};
  const uint32_t labels[] = {0, 1, 0, 2, 2};
  NeighborsSpec nb;
  nb.samples.rows64 = rows;
  nb.samples.n_rows = 5;
  nb.samples.n_features = 1;
  nb.n_neighbors = 3;
  nb.labels = labels;
  REQUIRE(save(dir.file("ties.mlmap"), classifier(1), nb).ok());
  auto m = Model::open(dir.file("ties.mlmap"));
  REQUIRE(m.ok());
  const double x = 0;
  double proba[3];
  REQUIRE(m->predict(&x, 1, proba).ok());
  CHECK(proba[0] == 0.0);
  CHECK(proba[1] == doctest::Approx(1.0 / 3));
  CHECK(proba[2] == doctest::Approx(2.0 / 3));
}

TEST_CASE("neighbours: many passes with bounds (int8, bfloat16, float32 as the CPU has), equal distances as sklearn's heap") {
  // Enough rows for many passes and the int8/bfloat16 probe, enough queries
  // for the flag kernels; integer values (many equal distances, resolved by
  // the heap's pushes) and continuous ones, float32 and float64 rows.  The
  // reference pushes every row's exact squared distance (feature order) into
  // sklearn's heap.
  test::TempDir dir;
  for (bool integers : {true, false}) {
    for (bool f32 : {false, true}) {
      std::mt19937_64 rng(integers ? 71 : 73);
      // nq: more than a call's 1024; k: the first pass (the blocks that fill
      // the heaps) one block or several.
      const size_t n = 6000, nf = integers ? 20 : 64, nq = 1030, k = integers ? 7 : 20;
      std::normal_distribution<double> g(0, 1);
      std::vector<double> rows(n * nf), queries(nq * nf);
      for (auto& v : rows) v = integers ? static_cast<double>(rng() % 3) : g(rng);
      for (auto& v : queries) v = integers ? static_cast<double>(rng() % 3) : g(rng);
      if (f32)
        for (auto& v : rows) v = static_cast<float>(v);
      std::vector<float> rows32(rows.begin(), rows.end());
      std::vector<uint32_t> labels(n);
      for (auto& l : labels) l = static_cast<uint32_t>(rng() % 3);
      NeighborsSpec nb;
      if (f32)
        nb.samples.rows32 = rows32.data();
      else
        nb.samples.rows64 = rows.data();
      nb.samples.n_rows = n;
      nb.samples.n_features = nf;
      nb.n_neighbors = k;
      nb.labels = labels.data();
      const auto path = dir.file("many.mlmap");
      REQUIRE(save(path, classifier(nf), nb).ok());
      auto m = Model::open(path, {true, false});
      REQUIRE_MESSAGE(m.ok(), m.message());
      std::vector<double> out(nq * 3);
      REQUIRE(m->predict(queries.data(), nq, out.data()).ok());
      CAPTURE(integers);
      CAPTURE(f32);
      for (size_t q = 0; q < nq; ++q) {
        std::vector<double> values(k, DBL_MAX);
        std::vector<uint64_t> indices(k, 0);
        for (size_t i = 0; i < n; ++i) {
          double acc = 0;
          for (size_t f = 0; f < nf; ++f) {
            const double d = queries[q * nf + f] - rows[i * nf + f];
            acc = acc + d * d;
          }
          sklearn_heap_push(values.data(), indices.data(), k, acc, i);
        }
        double want[3] = {0, 0, 0};
        for (size_t j = 0; j < k; ++j) want[labels[indices[j]]] += 1.0 / k;
        CAPTURE(q);
        for (size_t c = 0; c < 3; ++c) CHECK(out[q * 3 + c] == doctest::Approx(want[c]).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("neighbours: a zero distance takes all the weight (sklearn's _get_weights)") {
  test::TempDir dir;
  const double rows[] = {0, 0, 1, 0, 0, 1, 2, 2};
  const uint32_t labels[] = {0, 1, 1, 2};
  NeighborsSpec nb;
  nb.samples.rows64 = rows;
  nb.samples.n_rows = 4;
  nb.samples.n_features = 2;
  nb.n_neighbors = 3;
  nb.weights = NeighborWeights::distance;
  nb.labels = labels;
  REQUIRE(save(dir.file("zero.mlmap"), classifier(2), nb).ok());
  auto m = Model::open(dir.file("zero.mlmap"));
  REQUIRE(m.ok());
  const double x[] = {0, 0, 0.5, 0.5};
  double proba[6];
  REQUIRE(m->predict(x, 2, proba).ok());
  CHECK(proba[0] == 1.0);  // row 0 is at distance 0: only it counts
  CHECK(proba[1] == 0.0);
  CHECK(proba[2] == 0.0);
  // (0.5, 0.5): rows 0, 1, 2 at sqrt(0.5) each: equal weights.
  CHECK(proba[3] == doctest::Approx(1.0 / 3));
  CHECK(proba[4] == doctest::Approx(2.0 / 3));
  int64_t cls[2];
  REQUIRE(m->predict_class(x, 2, cls).ok());
  CHECK(cls[0] == 0);
  CHECK(cls[1] == 1);
}

TEST_CASE("files carry the lowest format version that expresses them (FORMAT.md §13)") {
  test::TempDir dir;
  for (auto sample : test::all_samples()) {
    REQUIRE(test::save_sample(dir.file("v.mlmap"), sample).ok());
    auto m = Model::open(dir.file("v.mlmap"));
    REQUIRE(m.ok());
    // The 1.1 samples: the dense network of every layer kind, the new
    // predictors and detectors, the multi-output classifier (its class
    // decision) and tree ensembles the writer gave the leaf bit-vector or the
    // complete-tree layout.
    const bool v1_1 = sample == test::Sample::dense_every_kind || sample == test::Sample::multi_output_forest ||
                      (sample >= test::Sample::neighbors_classifier && sample <= test::Sample::isolation_forest) ||
                      test::has_leaf_bitvectors(dir.file("v.mlmap")) || test::has_complete_trees(dir.file("v.mlmap"));
    CAPTURE(static_cast<int>(sample));
    CHECK(m->info().format.major == 1);
    CHECK(m->info().format.minor == (v1_1 ? 1 : 0));
  }
}

TEST_CASE("neighbours: NaN is refused and k is checked at open") {
  test::TempDir dir;
  std::mt19937_64 rng(3);
  const auto data = knn_data(rng, 20, 3);
  NeighborsSpec nb;
  nb.samples.rows64 = data.rows.data();
  nb.samples.n_rows = 20;
  nb.samples.n_features = 3;
  nb.n_neighbors = 21;
  nb.labels = data.labels.data();
  auto st = save(dir.file("k.mlmap"), classifier(3), nb);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().find("n_neighbors") != std::string::npos);
  nb.n_neighbors = 20;
  REQUIRE(save(dir.file("k.mlmap"), classifier(3), nb).ok());
  auto m = Model::open(dir.file("k.mlmap"));
  REQUIRE(m.ok());
  const double x[] = {1, NAN, 2};
  double out[3];
  auto p = m->predict(x, 1, out);
  CHECK(p.code() == error_code::missing_value);
}
