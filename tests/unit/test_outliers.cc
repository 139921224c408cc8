// Outlier detectors (IsolationForest as trees with the isolation link):
// scores, decision values and classes from one another, every entry point,
// and the model-level checks of detectors at open.
#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace mlmap;

TEST_CASE("an isolation forest: -2^(-s raw), minus the offset, inlier iff >= 0") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("if.mlmap"), test::Sample::isolation_forest).ok());
  auto m = Model::open(dir.file("if.mlmap"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  const auto& info = m->info();
  CHECK(info.task == Task::outlier_detection);
  CHECK(std::string(task_name(info.task)) == "outlier_detection");
  CHECK(info.link == "isolation");
  CHECK(info.decision_offset == -0.7);
  CHECK(info.classes.integers == std::vector<int64_t>{-1, 1});
  CHECK(m->output_width(Output::value) == 1);
  CHECK(m->output_width(Output::decision) == 1);
  std::mt19937_64 rng(1);
  const size_t n = 500;
  auto X = test::random_rows(rng, n, 6);
  std::vector<double> raw(n), score(n), dec(n);
  std::vector<int64_t> cls(n);
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m->predict(X.data(), n, raw.data(), o).ok());
  REQUIRE(m->predict(X.data(), n, score.data()).ok());
  o.output = Output::decision;
  REQUIRE(m->predict(X.data(), n, dec.data(), o).ok());
  REQUIRE(m->predict_class(X.data(), n, cls.data()).ok());
  int inliers = 0;
  for (size_t r = 0; r < n; ++r) {
    CHECK(score[r] == doctest::Approx(-std::exp2(-raw[r] / 40)).epsilon(1e-14));
    CHECK(dec[r] == score[r] - -0.7);
    CHECK(cls[r] == (dec[r] >= 0 ? 1 : 0));
    inliers += static_cast<int>(cls[r]);
  }
  MESSAGE(inliers << " of " << n << " rows are inliers");
  CHECK(inliers > 0);
  CHECK(inliers < static_cast<int>(n));
}

TEST_CASE("detectors: the combinations FORMAT.md §6 does not define are refused") {
  test::TempDir dir;
  ModelDescription d;
  d.estimator = "test.Detector";
  d.task = Task::outlier_detection;
  d.n_features = 6;
  d.n_outputs = 1;
  d.classes.kind = ClassLabels::Kind::integers;
  d.classes.integers = {-1, 1};
  d.link = LinkFunction::isolation;
  d.decision_function = DecisionFunction::output_minus_offset;
  d.class_decision = ClassDecision::decision_nonnegative;
  std::mt19937_64 rng(2);
  TreeEnsembleBuilder b(6, 1, 1, Aggregation::sum);
  auto t = test::random_tree(rng, 6, 4, 1, false, 0);
  REQUIRE(b.add_tree(t.view()).ok());
  REQUIRE(save(dir.file("ok.mlmap"), d, b).ok());
  auto bad = [&](ModelDescription e, const char* phrase) {
    auto st = save(dir.file("bad.mlmap"), e, b);
    CHECK(st.code() == error_code::invalid_model);
    CHECK_MESSAGE(st.message().find(phrase) != std::string::npos, st.message());
  };
  auto e = d;
  e.decision_function = DecisionFunction::raw;
  bad(e, "output_minus_offset");
  e = d;
  e.class_decision = ClassDecision::argmax_outputs;
  bad(e, "decides its class from its decision value");
  e = d;
  e.classes.integers = {1};
  bad(e, "2 class labels");
  e = d;
  e.link = LinkFunction::softmax;
  bad(e, "link");
  e = d;
  e.decision_offset = NAN;
  bad(e, "decision_offset");
  // A decision on decision values is for detectors only.
  e = d;
  e.task = Task::regression;
  e.classes = {};
  e.link = LinkFunction::identity;
  e.decision_function = DecisionFunction::raw;
  bad(e, "is for outlier detectors");
}
