// Multi-output classifiers (class decision argmax_outputs_per_group,
// FORMAT.md §6): one class per output group, through the C++ and C APIs;
// files without groups keep one class per row.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "mlmap/mlmap.h"
#include "mlmap/model.hpp"
#include "support.hpp"
#include "writer/dense_writer.hpp"

namespace {

// The index in `row` of the first largest of row[begin, begin + k), as
// numpy's argmax of the group plus where the group starts.
int64_t first_largest(const double* row, size_t begin, size_t k) {
  size_t best = begin;
  for (size_t i = begin + 1; i < begin + k; ++i)
    if (row[i] > row[best]) best = i;
  return static_cast<int64_t>(best);
}

}  // namespace

TEST_CASE("a multi-output classifier decides one class per output group") {
  // A forest (probabilities in its leaves) and k-NN (votes normalised per group).
  for (auto sample : {test::Sample::multi_output_forest, test::Sample::neighbors_multi_output}) {
    CAPTURE(static_cast<int>(sample));
    test::TempDir dir;
    const auto path = dir.file("m.mlmap");
    REQUIRE(test::save_sample(path, sample).ok());
    auto m = mlmap::Model::open(path, {true, false});
    REQUIRE(m.ok());
    CHECK(m->class_width() == 2);
    CHECK(m->info().output_groups == std::vector<size_t>{2, 3});
    CHECK(m->info().decision == mlmap::ClassDecision::argmax_outputs_per_group);
    CHECK(m->output_width() == 5);
    CHECK(mlmap::to_json(m->info(), 0).find("\"output_groups\"") != std::string::npos);

    std::mt19937_64 rng(3);
    const size_t n = 700;  // several threads' worth of rows
    auto X = test::random_rows(rng, n, 6);
    std::vector<double> proba(n * 5);
    REQUIRE(m->predict(X.data(), n, proba.data()).ok());
    for (int threads : {1, 3}) {
      std::vector<int64_t> cls(n * 2, -7);
      REQUIRE(m->predict_class(X.data(), n, cls.data(), threads).ok());
      for (size_t r = 0; r < n; ++r) {
        CHECK(cls[2 * r] == first_largest(proba.data() + 5 * r, 0, 2));
        CHECK(cls[2 * r + 1] == first_largest(proba.data() + 5 * r, 2, 3));
      }
    }
    for (size_t r = 0; r < n && sample == test::Sample::neighbors_multi_output; ++r) {
      CHECK(proba[5 * r] + proba[5 * r + 1] == doctest::Approx(1.0).epsilon(1e-15));
      CHECK(proba[5 * r + 2] + proba[5 * r + 3] + proba[5 * r + 4] == doctest::Approx(1.0).epsilon(1e-15));
    }
  }
}

TEST_CASE("the C API reports output groups and predicts n x m classes") {
  for (auto sample : {test::Sample::multi_output_forest, test::Sample::neighbors_multi_output}) {
    CAPTURE(static_cast<int>(sample));
    test::TempDir dir;
    const auto path = dir.file("m.mlmap");
    REQUIRE(test::save_sample(path, sample).ok());
    mlmap_model* m = nullptr;
    REQUIRE(mlmap_open(path.c_str(), &m) == MLMAP_OK);
    CHECK(mlmap_num_class_outputs(m) == 2);
    CHECK(mlmap_output_classes(m, 0) == 2);
    CHECK(mlmap_output_classes(m, 1) == 3);
    CHECK(mlmap_output_classes(m, 2) == -1);
    CHECK(mlmap_output_classes(m, -1) == -1);
    CHECK(mlmap_num_class_outputs(nullptr) == -1);

    std::mt19937_64 rng(5);
    auto X = test::random_rows(rng, 50, 6);
    std::vector<int64_t> one(50);
    // one index per row would not hold them: refused, not overrun
    CHECK(mlmap_predict_class(m, X.data(), 50, one.data(), 1) == MLMAP_E_INVALID_ARGUMENT);
    CHECK(std::strstr(mlmap_last_error(), "mlmap_predict_classes") != nullptr);
    std::vector<int64_t> got(100), want(100);
    REQUIRE(mlmap_predict_classes(m, X.data(), 50, got.data(), 1) == MLMAP_OK);
    auto cpp = mlmap::Model::open(path);
    REQUIRE(cpp.ok());
    REQUIRE(cpp->predict_class(X.data(), 50, want.data()).ok());
    CHECK(got == want);
    mlmap_close(m);
  }
}

TEST_CASE("files without output groups keep one class per row") {
  test::TempDir dir;
  const auto path = dir.file("f.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::forest_classifier).ok());
  auto cpp = mlmap::Model::open(path);
  REQUIRE(cpp.ok());
  CHECK(cpp->class_width() == 1);
  CHECK(cpp->info().output_groups.empty());
  CHECK(mlmap::to_json(cpp->info(), 0).find("output_groups") == std::string::npos);
  mlmap_model* m = nullptr;
  REQUIRE(mlmap_open(path.c_str(), &m) == MLMAP_OK);
  CHECK(mlmap_num_class_outputs(m) == 1);
  CHECK(mlmap_output_classes(m, 0) == 3);
  std::mt19937_64 rng(2);
  auto X = test::random_rows(rng, 40, 6);
  std::vector<int64_t> a(40), b(40);
  REQUIRE(mlmap_predict_class(m, X.data(), 40, a.data(), 1) == MLMAP_OK);
  REQUIRE(mlmap_predict_classes(m, X.data(), 40, b.data(), 1) == MLMAP_OK);
  CHECK(a == b);
  mlmap_close(m);

  REQUIRE(test::save_sample(path, test::Sample::regressor).ok());
  REQUIRE(mlmap_open(path.c_str(), &m) == MLMAP_OK);
  CHECK(mlmap_num_class_outputs(m) == 0);
  CHECK(mlmap_output_classes(m, 0) == -1);
  mlmap_close(m);
}

TEST_CASE("with the hard link, each output group's class from its indicators, outputs 1 for it") {
  // raw = the features (an identity layer): group {0, 1} and group {2, 3, 4}
  test::TempDir dir;
  const auto path = dir.file("h.mlmap");
  mlmap::ModelDescription d;
  d.estimator = "test.MultiOutputHard";
  d.task = mlmap::Task::classification;
  d.n_features = 5;
  d.n_outputs = 5;
  d.classes.kind = mlmap::ClassLabels::Kind::strings;
  d.classes.strings = {"no", "yes", "no", "yes", "maybe"};
  d.link = mlmap::LinkFunction::hard;
  d.class_decision = mlmap::ClassDecision::argmax_outputs_per_group;
  d.output_groups = {2, 3};
  REQUIRE(mlmap::save(path, d, test::identity(5)).ok());
  auto m = mlmap::Model::open(path, {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  const double X[] = {0, 1, 0, 0, 1,    // yes, maybe
                      1, 0, 1, 0, 0,    // no, no
                      0.5, 0.5, 0, 2, 2};  // ties: the first of each group
  std::vector<int64_t> cls(6);
  REQUIRE(m->predict_class(X, 3, cls.data()).ok());
  CHECK(cls == std::vector<int64_t>{1, 4, 0, 2, 0, 3});
  std::vector<double> out(15);
  REQUIRE(m->predict(X, 3, out.data()).ok());
  CHECK(out == std::vector<double>{0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0});
}

TEST_CASE("with trailing_features, each output group's class from its indicators beside the probabilities") {
  // Inputs [p0, p1, p2, i0, i1, i2]: probabilities of groups {0} and {1, 2}
  // (the predictor passes them through), then each estimator's class as
  // indicators (the decision values), which decide the classes even where
  // the probabilities' argmax differs (SVC(probability=True)).
  test::TempDir dir;
  mlmap::PreprocessingSpec p;
  auto copy = test::op(mlmap::OpSpec::Kind::weighted_mean, {0}, 6, 1);  // a program needs a step
  copy.a = {1.0};
  copy.b = {1.0};
  p.ops = {copy};
  p.n_slots = 7;
  p.features = {6, 1, 2, 3, 4, 5};
  p.n_string_slots = 6;
  mlmap::ModelDescription d = test::pipeline_description(6, 3);
  d.task = mlmap::Task::classification;
  d.classes.kind = mlmap::ClassLabels::Kind::integers;
  d.classes.integers = {7, 0, 1};
  d.class_decision = mlmap::ClassDecision::argmax_outputs_per_group;
  d.output_groups = {1, 2};
  d.decision_function = mlmap::DecisionFunction::trailing_features;
  d.decision_features = 3;
  std::vector<double> pick(18, 0.0);  // 6 features -> 3 raw scores: the first three
  pick[0 * 3 + 0] = pick[1 * 3 + 1] = pick[2 * 3 + 2] = 1.0;
  REQUIRE(mlmap::writer::write_dense_model(dir.file("t.mlmap"), d, test::one_layer(6, pick), &p, nullptr).ok());
  auto m = mlmap::Model::open(dir.file("t.mlmap"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  const double X[] = {1, 0.9, 0.1, 1, 0, 1,   // indicators pick class 1 of group 2, the probabilities 0
                      1, 0.2, 0.8, 1, 1, 0};  // and the other way round
  std::vector<int64_t> cls(4);
  REQUIRE(m->predict_class(X, 2, cls.data()).ok());
  CHECK(cls == std::vector<int64_t>{0, 2, 0, 1});
  std::vector<double> out(6);
  REQUIRE(m->predict(X, 2, out.data()).ok());
  CHECK(out == std::vector<double>{1, 0.9, 0.1, 1, 0.2, 0.8});
  // the indicators must be one per output
  d.decision_features = 2;
  REQUIRE(mlmap::writer::write_dense_model(dir.file("w.mlmap"), d, test::one_layer(6, pick), &p, nullptr).ok());
  auto bad = mlmap::Model::open(dir.file("w.mlmap"));
  CHECK(bad.code() == mlmap::error_code::invalid_model);
  CHECK(bad.message().find("trailing_features of one class indicator per output") != std::string::npos);
}
