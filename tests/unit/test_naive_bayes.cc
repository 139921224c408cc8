// Naive Bayes predictors through the public writer and reader: Gaussian
// joint log-likelihoods in sklearn's form and numpy's summation order,
// Bernoulli with a threshold, categorical look-ups and their refusal of
// unseen and negative categories (naming the row, across blocks and threads).
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "model/naive_bayes.hpp"
#include "support.hpp"

using namespace mlmap;

namespace {

// numpy's pairwise_sum_DOUBLE, transcribed.
double numpy_pairwise(const double* a, size_t n) {
  if (n < 8) {
    double r = 0;
    for (size_t i = 0; i < n; ++i) r += a[i];
    return r;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i;
    for (i = 8; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise(a, n2) + numpy_pairwise(a + n2, n - n2);
}

ModelDescription nb_classifier(size_t nf, size_t nc) {
  ModelDescription d;
  d.estimator = "test.NB";
  d.task = Task::classification;
  d.n_features = nf;
  d.n_outputs = nc;
  d.classes.kind = ClassLabels::Kind::integers;
  for (size_t c = 0; c < nc; ++c) d.classes.integers.push_back(static_cast<int64_t>(c));
  d.link = LinkFunction::softmax;
  d.class_decision = ClassDecision::argmax_raw;
  return d;
}

}  // namespace

TEST_CASE("numpy's summation order, bit for bit") {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> g(0, 1);
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 300, 1000}) {
    std::vector<double> a(n);
    for (auto& v : a) v = g(rng) * std::exp(g(rng) * 5);
    CHECK(model::numpy_sum(a.data(), n) == numpy_pairwise(a.data(), n));
  }
}

TEST_CASE("Gaussian naive Bayes: sklearn's expression") {
  test::TempDir dir;
  std::mt19937_64 rng(8);
  std::normal_distribution<double> g(0, 1);
  const size_t C = 3, F = 13;
  NaiveBayesSpec nb;
  nb.kind = NaiveBayesKind::gaussian;
  nb.n_classes = C;
  nb.n_features = F;
  for (size_t i = 0; i < C * F; ++i) nb.theta.push_back(g(rng)), nb.var.push_back(0.1 + std::fabs(g(rng)));
  for (size_t c = 0; c < C; ++c) nb.bias.push_back(std::log(0.2 + 0.3 * c)), nb.log_norm.push_back(g(rng));
  REQUIRE(save(dir.file("g.mlmap"), nb_classifier(F, C), nb).ok());
  auto m = Model::open(dir.file("g.mlmap"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(m->info().naive_bayes == "gaussian");
  std::vector<double> X(30 * F), raw(30 * C);
  for (auto& v : X) v = g(rng) * 2;
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m->predict(X.data(), 30, raw.data(), o).ok());
  for (size_t r = 0; r < 30; ++r)
    for (size_t c = 0; c < C; ++c) {
      std::vector<double> t(F);
      for (size_t f = 0; f < F; ++f) {
        const double d = X[r * F + f] - nb.theta[c * F + f];
        t[f] = (d * d) / nb.var[c * F + f];
      }
      CHECK(raw[r * C + c] == nb.bias[c] + (nb.log_norm[c] - 0.5 * numpy_pairwise(t.data(), F)));
    }
}

TEST_CASE("Bernoulli naive Bayes with a threshold") {
  test::TempDir dir;
  NaiveBayesSpec nb;
  nb.kind = NaiveBayesKind::bernoulli;
  nb.n_classes = 2;
  nb.n_features = 3;
  nb.threshold = 0.5;
  nb.weights = {1, 2, 4, -1, -2, -4};
  nb.bias = {0.25, 0.5};
  REQUIRE(save(dir.file("b.mlmap"), nb_classifier(3, 2), nb).ok());
  auto m = Model::open(dir.file("b.mlmap"), {true, false});
  REQUIRE(m.ok());
  const double X[] = {0.5, 0.6, 2, 0, 0, 0};
  double raw[4];
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m->predict(X, 2, raw, o).ok());
  CHECK(raw[0] == 6.25);  // x > 0.5: features 1 and 2
  CHECK(raw[1] == -5.5);
  CHECK(raw[2] == 0.25);
  CHECK(raw[3] == 0.5);
}

TEST_CASE("categorical naive Bayes: look-ups, and unseen or negative categories refused by row") {
  test::TempDir dir;
  NaiveBayesSpec nb;
  nb.kind = NaiveBayesKind::categorical;
  nb.n_classes = 2;
  nb.n_features = 2;
  nb.category_counts = {2, 3};
  nb.log_probs = {-1, -2, -3, -4,            // feature 0: class 0 (cat 0, 1), class 1
                  -5, -6, -7, -8, -9, -10};  // feature 1: class 0 (cat 0..2), class 1
  nb.bias = {-0.5, -0.25};
  REQUIRE(save(dir.file("c.mlmap"), nb_classifier(2, 2), nb).ok());
  auto m = Model::open(dir.file("c.mlmap"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  const double X[] = {1.9, 2, -0.5, 0};  // 1.9 and -0.5 truncate as sklearn's int cast: 1 and 0
  double raw[4];
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m->predict(X, 2, raw, o).ok());
  CHECK(raw[0] == (-2.0 + -7.0) + -0.5);
  CHECK(raw[1] == (-4.0 + -10.0) + -0.25);
  CHECK(raw[2] == (-1.0 + -5.0) + -0.5);
  CHECK(raw[3] == (-3.0 + -8.0) + -0.25);
  // A category past the known ones, far into a batch on several threads,
  // and a negative one: unknown_category naming the row and feature.
  std::vector<double> many(5000 * 2, 1.0);
  many[4321 * 2 + 1] = 3;
  std::vector<double> out(5000 * 2);
  o.n_threads = 3;
  auto st = m->predict(many.data(), 5000, out.data(), o);
  CHECK(st.code() == error_code::unknown_category);
  CHECK(st.message().find("row 4321, feature 1: category 3 was not seen") != std::string::npos);
  many[4321 * 2 + 1] = 0;
  many[17 * 2] = -1;
  st = m->predict(many.data(), 5000, out.data(), o);
  CHECK(st.code() == error_code::unknown_category);
  CHECK(st.message().find("row 17, feature 0: category -1 is negative") != std::string::npos);
}
