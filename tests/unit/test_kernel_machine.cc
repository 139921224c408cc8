// Kernel machines (SVMs) through the public writer and reader: libsvm's
// decision values for every kernel against a plain reference, sklearn's
// one-vs-rest transform and vote rule, the pairwise-coupling probabilities,
// and one-class machines as outlier detectors.
#include <doctest/doctest.h>

#include <cmath>

#include "model/one_vs_one.hpp"
#include "support.hpp"

using namespace mlmap;

namespace {

double kernel_value(Kernel k, const double* x, const double* y, size_t n) {
  double dot = 0, sq = 0;
  for (size_t f = 0; f < n; ++f) {
    dot += x[f] * y[f];
    sq += (x[f] - y[f]) * (x[f] - y[f]);
  }
  switch (k) {
    case Kernel::linear: return dot;
    case Kernel::polynomial: return std::pow(0.3 * dot + 0.5, 3);
    case Kernel::rbf: return std::exp(-0.3 * sq);
    case Kernel::sigmoid: return std::tanh(0.3 * dot + 0.5);
  }
  return 0;
}

struct Machine {
  std::vector<double> vectors;
  KernelMachineSpec spec;
};

Machine machine(std::mt19937_64& rng, Kernel kernel, std::vector<uint32_t> n_support, size_t n, size_t nf) {
  std::normal_distribution<double> g(0, 1);
  Machine m;
  m.vectors.resize(n * nf);
  for (auto& v : m.vectors) v = g(rng);
  m.spec.support_vectors.rows64 = m.vectors.data();
  m.spec.support_vectors.n_rows = n;
  m.spec.support_vectors.n_features = nf;
  m.spec.kernel = kernel;
  m.spec.gamma = 0.3;
  m.spec.coef0 = 0.5;
  m.spec.degree = 3;
  m.spec.n_support = n_support;
  const size_t k = n_support.size();
  for (size_t i = 0; i < (k >= 2 ? k - 1 : 1) * n; ++i) m.spec.dual_coef.push_back(g(rng));
  for (size_t i = 0; i < (k >= 2 ? k * (k - 1) / 2 : 1); ++i) m.spec.intercept.push_back(g(rng) * 0.1);
  return m;
}

}  // namespace

TEST_CASE("kernel machines: libsvm's one-vs-one decision values for every kernel") {
  test::TempDir dir;
  std::mt19937_64 rng(9);
  const size_t nf = 11, n = 23;
  const std::vector<uint32_t> n_support = {8, 6, 9};
  std::normal_distribution<double> g(0, 1);
  std::vector<double> X(50 * nf);
  for (auto& v : X) v = g(rng);
  for (Kernel kernel : {Kernel::linear, Kernel::polynomial, Kernel::rbf, Kernel::sigmoid}) {
    CAPTURE(static_cast<int>(kernel));
    auto m = machine(rng, kernel, n_support, n, nf);
    ModelDescription d;
    d.estimator = "test.SVC";
    d.task = Task::classification;
    d.n_features = nf;
    d.n_outputs = 3;
    d.classes.kind = ClassLabels::Kind::strings;
    d.classes.strings = {"a", "b", "c"};
    d.link = LinkFunction::hard;
    d.class_decision = ClassDecision::ovo_votes;
    d.decision_function = DecisionFunction::ovo_to_ovr;
    REQUIRE(save(dir.file("svc.mlmap"), d, m.spec).ok());
    auto model = Model::open(dir.file("svc.mlmap"), {true, false});
    REQUIRE_MESSAGE(model.ok(), model.message());
    CHECK(model->output_width(Output::raw) == 3);
    CHECK(model->output_width(Output::decision) == 3);
    std::vector<double> raw(50 * 3), dec(50 * 3), onehot(50 * 3);
    PredictOptions o;
    o.output = Output::raw;
    REQUIRE(model->predict(X.data(), 50, raw.data(), o).ok());
    o.output = Output::decision;
    REQUIRE(model->predict(X.data(), 50, dec.data(), o).ok());
    REQUIRE(model->predict(X.data(), 50, onehot.data()).ok());
    std::vector<int64_t> cls(50);
    REQUIRE(model->predict_class(X.data(), 50, cls.data()).ok());
    const size_t starts[] = {0, 8, 14, 23};
    for (size_t r = 0; r < 50; ++r) {
      std::vector<double> kv(n);
      for (size_t s = 0; s < n; ++s) kv[s] = kernel_value(kernel, X.data() + r * nf, m.vectors.data() + s * nf, nf);
      size_t p = 0;
      int votes[3] = {0, 0, 0};
      double ovr[3] = {0, 0, 0};
      int ovr_votes[3] = {0, 0, 0};
      for (size_t i = 0; i < 3; ++i)
        for (size_t j = i + 1; j < 3; ++j, ++p) {
          double sum = 0;
          for (size_t s = starts[i]; s < starts[i + 1]; ++s) sum += m.spec.dual_coef[(j - 1) * n + s] * kv[s];
          for (size_t s = starts[j]; s < starts[j + 1]; ++s) sum += m.spec.dual_coef[i * n + s] * kv[s];
          sum += m.spec.intercept[p];
          CHECK(raw[r * 3 + p] == doctest::Approx(sum).epsilon(1e-12));
          ++votes[raw[r * 3 + p] > 0 ? i : j];
          ovr[i] += raw[r * 3 + p];
          ovr[j] -= raw[r * 3 + p];
          ++ovr_votes[raw[r * 3 + p] < 0 ? j : i];
        }
      int best = 0;
      for (int c = 1; c < 3; ++c)
        if (votes[c] > votes[best]) best = c;
      CHECK(cls[r] == best);
      CHECK(onehot[r * 3 + static_cast<size_t>(best)] == 1.0);
      for (size_t c = 0; c < 3; ++c)
        CHECK(dec[r * 3 + c] == doctest::Approx(ovr_votes[c] + ovr[c] / (3 * (std::fabs(ovr[c]) + 1))).epsilon(1e-12));
    }
  }
}

TEST_CASE("one-vs-one: libsvm's vote ties go to the first class; sklearn's transform of a zero value") {
  // Three classes, pairs (0,1), (0,2), (1,2): each class wins once.
  const double dec[] = {1.0, -1.0, 1.0};
  uint32_t votes[3];
  CHECK(model::ovo_vote(dec, 3, votes) == 0);
  // A zero value: libsvm's vote goes to j (dec > 0 is false), sklearn's
  // one-vs-rest vote to i (dec < 0 is false).
  const double zero[] = {0.0};
  CHECK(model::ovo_vote(zero, 2, votes) == 1);
  double ovr[2];
  model::ovo_to_ovr(zero, 2, ovr, votes);
  CHECK(ovr[0] == 1.0);
  CHECK(ovr[1] == 0.0);
}

TEST_CASE("pairwise coupling: probabilities of each row sum to 1, in libsvm's bounds") {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> g(0, 2);
  for (size_t k : {2, 3, 5, 9}) {
    model::PairwiseCoupler coupler(k);
    const size_t pairs = model::ovo_pairs(k);
    std::vector<double> dec(pairs), a(pairs), b(pairs), p(k);
    for (int trial = 0; trial < 50; ++trial) {
      for (size_t i = 0; i < pairs; ++i) dec[i] = g(rng), a[i] = -std::fabs(g(rng)) - 0.1, b[i] = g(rng) * 0.1;
      coupler.probabilities(dec.data(), a.data(), b.data(), p.data());
      double sum = 0;
      for (double v : p) {
        CHECK(v >= 0);
        CHECK(v <= 1);
        sum += v;
      }
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-9));
    }
  }
  // Two classes: the coupling returns the clipped Platt probability.
  model::PairwiseCoupler two(2);
  const double dec = 0.7, a = -2.0, b = 0.1;
  double p[2];
  two.probabilities(&dec, &a, &b, p);
  const double platt = 1.0 / (1 + std::exp(dec * a + b));
  CHECK(p[0] == doctest::Approx(platt).epsilon(1e-6));
  CHECK(p[1] == doctest::Approx(1 - platt).epsilon(1e-6));
}

TEST_CASE("kernel machines: one group (SVR) and one class (outlier detection)") {
  test::TempDir dir;
  std::mt19937_64 rng(2);
  auto m = machine(rng, Kernel::rbf, {}, 13, 4);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> X(20 * 4);
  for (auto& v : X) v = g(rng);
  ModelDescription d;
  d.estimator = "test.OneClassSVM";
  d.task = Task::outlier_detection;
  d.n_features = 4;
  d.n_outputs = 1;
  d.classes.kind = ClassLabels::Kind::integers;
  d.classes.integers = {-1, 1};
  d.decision_function = DecisionFunction::output_minus_offset;
  d.decision_offset = 0.25;
  d.class_decision = ClassDecision::decision_positive;
  m.spec.intercept = {0.0};
  REQUIRE(save(dir.file("oc.mlmap"), d, m.spec).ok());
  auto model = Model::open(dir.file("oc.mlmap"), {true, false});
  REQUIRE_MESSAGE(model.ok(), model.message());
  CHECK(model->task() == Task::outlier_detection);
  CHECK(model->info().decision_function == DecisionFunction::output_minus_offset);
  std::vector<double> score(20), dec(20);
  std::vector<int64_t> cls(20);
  REQUIRE(model->predict(X.data(), 20, score.data()).ok());
  PredictOptions o;
  o.output = Output::decision;
  REQUIRE(model->predict(X.data(), 20, dec.data(), o).ok());
  REQUIRE(model->predict_class(X.data(), 20, cls.data()).ok());
  for (size_t r = 0; r < 20; ++r) {
    double sum = 0;
    for (size_t s = 0; s < 13; ++s) sum += m.spec.dual_coef[s] * kernel_value(Kernel::rbf, &X[r * 4], &m.vectors[s * 4], 4);
    CHECK(score[r] == doctest::Approx(sum).epsilon(1e-12));
    CHECK(dec[r] == score[r] - 0.25);
    CHECK(cls[r] == (dec[r] > 0 ? 1 : 0));
  }
  // An outlier detector needs its decision function and a decision on it.
  d.class_decision = ClassDecision::argmax_raw;
  auto st = save(dir.file("bad.mlmap"), d, m.spec);
  CHECK(st.code() == error_code::invalid_model);
}
