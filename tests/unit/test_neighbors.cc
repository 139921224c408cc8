// k-nearest neighbours through the public writer and reader: against a plain
// brute-force reference (distinct distances), sklearn's resolution of equal
// distances (its heap, not the row order), the zero-distance rule of
// distance weights, every metric, and the checks at open.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <numeric>

#include "mlmap/mlmap.h"
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

// A regressor of one target per stored row.
ModelDescription regressor(size_t nf) {
  ModelDescription d = classifier(nf);
  d.task = Task::regression;
  d.n_outputs = 1;
  d.classes = {};
  d.link = LinkFunction::identity;
  d.class_decision = ClassDecision::argmax_outputs;
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
        ModelDescription d = regression ? regressor(data.nf) : classifier(data.nf);
        if (regression) {
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

TEST_CASE("neighbours: a multi-output classifier's votes per output group equal a brute-force reference") {
  // Output 0: the data's 3 classes (slots 0-2); output 1: 2 classes (slots
  // 3-4).  Each group normalised by its own sum; each row's class per group.
  test::TempDir dir;
  std::mt19937_64 rng(8);
  const auto data = knn_data(rng, 97, 5);
  std::vector<uint32_t> labels(data.n * 2);
  for (size_t i = 0; i < data.n; ++i) {
    labels[2 * i] = data.labels[i];
    labels[2 * i + 1] = 3 + static_cast<uint32_t>(rng() % 2);
  }
  std::vector<double> queries(30 * 5);
  std::normal_distribution<double> g(0, 2);
  for (auto& v : queries) v = g(rng);
  for (Metric metric : {Metric::euclidean, Metric::manhattan}) {
    for (auto weights : {NeighborWeights::uniform, NeighborWeights::distance}) {
      CAPTURE(static_cast<int>(metric));
      CAPTURE(static_cast<int>(weights));
      NeighborsSpec nb;
      nb.samples.rows64 = data.rows.data();
      nb.samples.n_rows = data.n;
      nb.samples.n_features = data.nf;
      nb.n_neighbors = 5;
      nb.metric = metric;
      nb.weights = weights;
      nb.labels = labels.data();
      nb.n_label_outputs = 2;
      ModelDescription d = classifier(data.nf);
      d.n_outputs = 5;
      d.classes.integers = {0, 1, 2, 0, 1};
      d.class_decision = ClassDecision::argmax_outputs_per_group;
      d.output_groups = {3, 2};
      const auto path = dir.file("knn2.mlmap");
      REQUIRE(save(path, d, nb).ok());
      auto m = Model::open(path, {true, false});
      REQUIRE_MESSAGE(m.ok(), m.message());
      std::vector<double> out(30 * 5);
      std::vector<int64_t> cls(30 * 2);
      REQUIRE(m->predict(queries.data(), 30, out.data()).ok());
      REQUIRE(m->predict_class(queries.data(), 30, cls.data()).ok());
      for (size_t q = 0; q < 30; ++q) {
        std::vector<std::pair<double, size_t>> dist(data.n);
        for (size_t i = 0; i < data.n; ++i)
          dist[i] = {reference_distance(metric, 2, queries.data() + q * 5, data.rows.data() + i * 5, 5), i};
        std::sort(dist.begin(), dist.end());
        std::vector<double> want(5, 0.0);
        double total = 0;
        for (size_t j = 0; j < 5; ++j) {
          const double w = weights == NeighborWeights::uniform ? 1.0 : 1.0 / dist[j].first;
          want[labels[2 * dist[j].second]] += w;
          want[labels[2 * dist[j].second + 1]] += w;
          total += w;
        }
        for (auto& v : want) v /= total;  // each group's votes sum to the total
        for (size_t j = 0; j < 5; ++j) CHECK(out[q * 5 + j] == doctest::Approx(want[j]).epsilon(1e-9));
        CHECK(cls[q * 2] == std::max_element(want.begin(), want.begin() + 3) - want.begin());
        CHECK(cls[q * 2 + 1] == std::max_element(want.begin() + 3, want.end()) - want.begin());
      }
    }
  }
  // Labels per row must match the output groups.
  NeighborsSpec nb;
  nb.samples.rows64 = data.rows.data();
  nb.samples.n_rows = data.n;
  nb.samples.n_features = data.nf;
  nb.labels = labels.data();
  ModelDescription d = classifier(data.nf);
  d.n_outputs = 5;
  d.classes.integers = {0, 1, 2, 0, 1};
  d.class_decision = ClassDecision::argmax_outputs_per_group;
  d.output_groups = {3, 2};
  auto st = save(dir.file("bad.mlmap"), d, nb);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().find("1 labels per row for 2 outputs") != std::string::npos);
}

TEST_CASE("radius neighbours: the rows within the radius vote; rows without neighbours as sklearn") {
  test::TempDir dir;
  std::mt19937_64 rng(11);
  const auto data = knn_data(rng, 83, 4);
  std::vector<double> queries(40 * 4);
  std::normal_distribution<double> g(0, 1);  // near the rows (sd 2): each has neighbours
  for (auto& v : queries) v = g(rng);
  for (size_t f = 0; f < 4; ++f) queries[39 * 4 + f] = 1e3;  // no neighbours
  for (size_t f = 0; f < 4; ++f) queries[38 * 4 + f] = data.rows[5 * 4 + f];  // a zero distance
  for (Metric metric : {Metric::euclidean, Metric::manhattan, Metric::minkowski}) {
    for (auto weights : {NeighborWeights::uniform, NeighborWeights::distance}) {
      for (bool regression : {false, true}) {
        CAPTURE(static_cast<int>(metric));
        CAPTURE(static_cast<int>(weights));
        CAPTURE(regression);
        const double radius = metric == Metric::manhattan ? 7.0 : 4.0;
        NeighborsSpec nb;
        nb.samples.rows64 = data.rows.data();
        nb.samples.n_rows = data.n;
        nb.samples.n_features = data.nf;
        nb.metric = metric;
        nb.p = 3;
        nb.weights = weights;
        nb.reduced_radius = metric == Metric::euclidean ? radius * radius
                            : metric == Metric::minkowski ? std::pow(radius, 3.0)
                                                          : radius;
        ModelDescription d = regression ? regressor(data.nf) : classifier(data.nf);
        if (regression) {
          nb.targets = data.targets.data();
          nb.n_targets = 1;
        } else {
          nb.labels = data.labels.data();
          nb.outlier_slots = {1};
        }
        const auto path = dir.file("radius.mlmap");
        REQUIRE(save(path, d, nb).ok());
        auto m = Model::open(path, {true, false});
        REQUIRE_MESSAGE(m.ok(), m.message());
        CHECK(m->info().neighbors.n_neighbors == 0);
        CHECK(m->info().neighbors.reduced_radius == nb.reduced_radius);
        const size_t w = m->output_width();
        std::vector<double> out(40 * w);
        REQUIRE(m->predict(queries.data(), 40, out.data()).ok());
        for (size_t q = 0; q < 40; ++q) {
          std::vector<std::pair<double, size_t>> within;
          for (size_t i = 0; i < data.n; ++i) {
            const double dist = reference_distance(metric, 3, queries.data() + q * 4, data.rows.data() + i * 4, 4);
            if (dist <= radius * (1 + 1e-12)) within.emplace_back(dist, i);
          }
          std::vector<double> want(w, 0.0);
          if (within.empty()) {
            CHECK(q == 39);
            if (regression)
              CHECK(std::isnan(out[q]));
            else
              for (size_t j = 0; j < w; ++j) CHECK(out[q * w + j] == (j == 1 ? 1.0 : 0.0));
            continue;
          }
          const bool zero = std::any_of(within.begin(), within.end(), [](const auto& p) { return p.first == 0; });
          double total = 0;
          for (auto [dist, i] : within) {
            const double wt = weights == NeighborWeights::uniform ? 1.0 : zero ? (dist == 0 ? 1.0 : 0.0) : 1.0 / dist;
            if (regression)
              want[0] += wt * data.targets[i];
            else
              want[data.labels[i]] += wt;
            total += wt;
          }
          for (auto& v : want) v /= total;
          for (size_t j = 0; j < w; ++j) CHECK(out[q * w + j] == doctest::Approx(want[j]).epsilon(1e-9));
        }
        if (!regression) {
          // Without outlier slots, a row without neighbours fails the call.
          nb.outlier_slots.clear();
          REQUIRE(save(path, d, nb).ok());
          auto strict = Model::open(path);
          REQUIRE(strict.ok());
          REQUIRE(strict->predict(queries.data(), 39, out.data()).ok());
          auto st = strict->predict(queries.data(), 40, out.data());
          CHECK(st.code() == error_code::invalid_argument);
          CHECK(st.message().find("within the radius") != std::string::npos);
          // The C API: the same outputs, the same failure.
          mlmap_model* c = nullptr;
          REQUIRE(mlmap_open(path.c_str(), &c) == MLMAP_OK);
          std::vector<float> q32(queries.begin(), queries.end()), got(40 * w), want(40 * w);
          REQUIRE(mlmap_predict(c, q32.data(), 39, got.data(), 1) == MLMAP_OK);
          REQUIRE(strict->predict(q32.data(), 39, want.data()).ok());
          CHECK(got == want);
          CHECK(mlmap_predict(c, q32.data(), 40, got.data(), 1) == MLMAP_E_INVALID_ARGUMENT);
          CHECK(std::strstr(mlmap_last_error(), "within the radius") != nullptr);
          mlmap_close(c);
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
      // Threads never change the answers: more queries than a call takes,
      // and fewer (then one chunk per thread).
      for (size_t rows_in : {nq, size_t{1000}})
        for (int threads : {2, 3}) {
          CAPTURE(rows_in);
          CAPTURE(threads);
          PredictOptions o;
          o.n_threads = threads;
          std::vector<double> shared(rows_in * 3);
          REQUIRE(m->predict(queries.data(), rows_in, shared.data(), o).ok());
          for (size_t j = 0; j < rows_in * 3; ++j) REQUIRE(shared[j] == out[j]);
        }
      for (size_t q = 0; q < nq; ++q) {
        std::vector<double> values(k, DBL_MAX);
        std::vector<uint64_t> indices(k, 0);
        // Plain pointers: the sanitizer builds compile tests at -O0, where
        // each vector subscript would be a call (6000 rows x 1030 queries).
        const double* x = queries.data() + q * nf;
        for (size_t i = 0; i < n; ++i) {
          const double* r = rows.data() + i * nf;
          double acc = 0;
          for (size_t f = 0; f < nf; ++f) {
            const double d = x[f] - r[f];
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

TEST_CASE("radius neighbours with bounds (int8, bfloat16, float32 as the CPU has): the rows within, exactly") {
  // Euclidean radius files carry the squared norms, and the search rules
  // rows out with the k-nearest search's bounds: many passes, more queries
  // than a call's 1024 (and fewer than the flag kernels' 8), integer values
  // (many rows exactly at the radius: `<=` decides) and continuous ones,
  // float32 and float64 rows.  The reference: every row's exact squared
  // distance (feature order) against the reduced radius, the mean of the
  // targets within in row order.  Manhattan (integer float64 rows): the
  // search without bounds, over calls of several passes of queries.
  test::TempDir dir;
  struct Case {
    bool integers, f32;
    Metric metric;
  };
  for (const Case c : {Case{true, false, Metric::euclidean}, Case{true, true, Metric::euclidean},
                       Case{false, false, Metric::euclidean}, Case{false, true, Metric::euclidean},
                       Case{true, false, Metric::manhattan}}) {
    const bool integers = c.integers, f32 = c.f32;
    const Metric metric = c.metric;
    CAPTURE(static_cast<int>(metric));
    std::mt19937_64 rng(integers ? 81 : 83);
    const size_t n = 4000, nf = integers ? 20 : 64, nq = 1030;
    std::normal_distribution<double> g(0, 1);
    std::vector<double> rows(n * nf), queries(nq * nf), targets(n);
    for (auto& v : rows) v = integers ? static_cast<double>(rng() % 3) : g(rng);
    for (auto& v : queries) v = integers ? static_cast<double>(rng() % 3) : g(rng);
    for (auto& v : targets) v = g(rng);
    if (f32)
      for (auto& v : rows) v = static_cast<float>(v);
    std::vector<float> rows32(rows.begin(), rows.end());
    NeighborsSpec nb;
    if (f32)
      nb.samples.rows32 = rows32.data();
    else
      nb.samples.rows64 = rows.data();
    nb.samples.n_rows = n;
    nb.samples.n_features = nf;
    nb.targets = targets.data();
    nb.n_targets = 1;
    nb.metric = metric;
    nb.reduced_radius = metric == Metric::manhattan ? 10.0 : integers ? 14.0 : 80.0;  // tens of rows a query
    ModelDescription d = regressor(nf);
    const auto path = dir.file("radius_bounds.mlmap");
    REQUIRE(save(path, d, nb).ok());
    auto m = Model::open(path, {true, false});
    REQUIRE_MESSAGE(m.ok(), m.message());
    std::vector<double> out(nq), few(5);
    REQUIRE(m->predict(queries.data(), nq, out.data()).ok());
    REQUIRE(m->predict(queries.data(), 5, few.data()).ok());
    CAPTURE(integers);
    CAPTURE(f32);
    size_t at_radius = 0, empty = 0;
    for (size_t q = 0; q < nq; ++q) {
      double sum = 0;
      size_t count = 0;
      const double* x = queries.data() + q * nf;  // pointers: see the test above
      for (size_t i = 0; i < n; ++i) {
        const double* r = rows.data() + i * nf;
        double acc = 0;
        for (size_t f = 0; f < nf; ++f) {
          const double diff = x[f] - r[f];
          acc = acc + (metric == Metric::manhattan ? std::fabs(diff) : diff * diff);
        }
        if (acc <= nb.reduced_radius) {
          sum += targets[i];
          ++count;
        }
        at_radius += acc == nb.reduced_radius;
      }
      CAPTURE(q);
      if (count == 0) {
        ++empty;
        CHECK(std::isnan(out[q]));
        continue;
      }
      CHECK(out[q] == doctest::Approx(sum / static_cast<double>(count)).epsilon(1e-12));
      if (q < 5) CHECK(few[q] == out[q]);
    }
    CHECK(empty < nq / 10);
    if (integers) CHECK(at_radius > nq);  // the boundary is exercised
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
                      sample == test::Sample::neighbors_multi_output || sample == test::Sample::neighbors_radius ||
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
