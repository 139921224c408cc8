// Dense networks: linear models and MLPs against an independent forward pass,
// on both weight layouts and on sizes that leave vector tails; every kernel
// against the scalar reference.
#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace mlmap;

namespace {

double activate(Activation a, double x) {
  switch (a) {
    case Activation::identity: return x;
    case Activation::relu: return x > 0 ? x : 0;
    case Activation::tanh: return std::tanh(x);
    case Activation::logistic: return 1 / (1 + std::exp(-x));
  }
  return x;
}

// The forward pass written plainly, in double.
std::vector<double> reference(const DenseNetworkSpec& net, const double* x) {
  std::vector<double> in(x, x + net.layers[0].n_in);
  for (const auto& L : net.layers) {
    std::vector<double> out(L.n_out);
    for (size_t o = 0; o < L.n_out; ++o) {
      double s = L.bias.empty() ? 0 : L.bias[o];
      for (size_t i = 0; i < L.n_in; ++i) s += in[i] * L.weights[i * L.n_out + o];
      out[o] = activate(L.activation, s);
    }
    in = out;
  }
  return in;
}

DenseNetworkSpec random_network(std::mt19937_64& rng, std::vector<size_t> widths, std::vector<Activation> acts) {
  std::normal_distribution<double> g(0, 0.5);
  DenseNetworkSpec net;
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    DenseLayerSpec L;
    L.n_in = widths[l];
    L.n_out = widths[l + 1];
    for (size_t i = 0; i < L.n_in * L.n_out; ++i) L.weights.push_back(g(rng));
    if (l % 2 == 0)
      for (size_t o = 0; o < L.n_out; ++o) L.bias.push_back(g(rng));
    L.activation = l + 2 < widths.size() ? acts[l % acts.size()] : Activation::identity;
    net.layers.push_back(L);
  }
  return net;
}

ModelDescription regression(size_t n_features, size_t n_outputs) {
  ModelDescription d;
  d.estimator = "test.Dense";
  d.n_features = n_features;
  d.n_outputs = n_outputs;
  return d;
}

}  // namespace

TEST_CASE("dense networks match a plain forward pass on every kernel") {
  const std::string saved = active_kernel();
  test::TempDir dir;
  std::mt19937_64 rng(17);
  // Linear shapes cover every count of outputs per pass (1 to 6, and past
  // one pass) and inputs that leave vector tails of every length.
  const std::vector<std::vector<size_t>> shapes = {
      {10, 1}, {13, 3}, {100, 5}, {7, 37}, {9, 4}, {17, 7}, {33, 12}, {5, 6}, {1, 2}, {15, 2},
      {64, 256, 128, 10}, {20, 33, 9, 2}, {3, 8, 1}};
  const std::vector<Activation> acts = {Activation::relu, Activation::tanh, Activation::logistic, Activation::identity};
  for (const auto& shape : shapes) {
    CAPTURE(shape.size());
    CAPTURE(shape[0]);
    auto net = random_network(rng, shape, acts);
    const size_t nf = shape.front(), no = shape.back();
    REQUIRE(save(dir.file("n.mlmap"), regression(nf, no), net).ok());
    auto m = Model::open(dir.file("n.mlmap"), {true, false});
    REQUIRE_MESSAGE(m.ok(), m.message());
    CHECK(m->info().dense.n_layers == shape.size() - 1);
    CHECK(std::string(m->info().predictor) == (shape.size() == 2 ? "linear" : "dense_network"));
    for (size_t rows : {size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{300}}) {
      std::normal_distribution<double> g(0, 1);
      std::vector<double> X(rows * nf);
      for (auto& x : X) x = g(rng);
      std::vector<double> scalar(rows * no);
      REQUIRE(use_kernel("scalar").ok());
      REQUIRE(m->predict(X.data(), rows, scalar.data()).ok());
      for (size_t r = 0; r < rows; ++r) {
        auto want = reference(net, &X[r * nf]);
        for (size_t o = 0; o < no; ++o) CHECK(scalar[r * no + o] == doctest::Approx(want[o]).epsilon(1e-12));
      }
      // float rows are widened exactly as they are read: the same outputs as
      // the same values given as double.
      std::vector<float> Xf(X.begin(), X.end());
      std::vector<double> Xw(Xf.begin(), Xf.end());
      for (const auto& k : available_kernels()) {
        CAPTURE(k);
        REQUIRE(use_kernel(k).ok());
        std::vector<double> got(rows * no);
        REQUIRE(m->predict(X.data(), rows, got.data()).ok());
        // FMA and summation order may differ from the scalar loop in the last bits.
        for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(scalar[i]).epsilon(1e-12));
        std::vector<double> from_float(rows * no), from_widened(rows * no);
        REQUIRE(m->predict(Xf.data(), rows, from_float.data()).ok());
        REQUIRE(m->predict(Xw.data(), rows, from_widened.data()).ok());
        CHECK(from_float == from_widened);
      }
    }
  }
  REQUIRE(use_kernel(saved).ok());
}

TEST_CASE("a logistic regression: links and class decisions") {
  test::TempDir dir;
  DenseNetworkSpec net;
  DenseLayerSpec L;
  L.n_in = 2;
  L.n_out = 3;
  L.weights = {1, 0, -1, 0, 1, -1};  // [n_in, n_out]
  L.bias = {0, 0, 0.5};
  net.layers = {L};
  ModelDescription d;
  d.estimator = "test.Logistic";
  d.task = Task::classification;
  d.n_features = 2;
  d.n_outputs = 3;
  d.classes.kind = ClassLabels::Kind::integers;
  d.classes.integers = {10, 20, 30};
  d.link = LinkFunction::softmax;
  d.class_decision = ClassDecision::argmax_raw;
  REQUIRE(save(dir.file("lr"), d, net).ok());
  auto m = Model::open(dir.file("lr"));
  REQUIRE(m.ok());
  const double X[] = {2, 0, 0, 2, -1, -1};
  double raw[9], proba[9];
  int64_t cls[3];
  PredictOptions o;
  o.output = Output::raw;
  REQUIRE(m->predict(X, 3, raw, o).ok());
  CHECK(raw[0] == 2);
  CHECK(raw[1] == 0);
  CHECK(raw[2] == -1.5);
  REQUIRE(m->predict(X, 3, proba).ok());
  const double z = std::exp(2.0) + 1 + std::exp(-1.5);
  CHECK(proba[0] == doctest::Approx(std::exp(2.0) / z));
  REQUIRE(m->predict_class(X, 3, cls).ok());
  CHECK(cls[0] == 0);
  CHECK(cls[1] == 1);
  CHECK(cls[2] == 2);  // raw (-1, -1, 2.5)

  SUBCASE("classifiers without probabilities give one-hot outputs") {
    d.link = LinkFunction::hard;
    REQUIRE(save(dir.file("svc"), d, net).ok());
    auto h = Model::open(dir.file("svc"));
    REQUIRE(h.ok());
    REQUIRE(h->predict(X, 3, proba).ok());
    CHECK(std::vector<double>(proba, proba + 9) == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  }
  SUBCASE("one-vs-rest rows of subnormal sigmoids still sum to 1") {
    // Raw scores (-720, -721, -1441): each sigmoid is subnormal or zero, and
    // so is their sum, whose reciprocal would overflow.
    DenseNetworkSpec ovr = net;
    ovr.layers[0].weights = {1, 0, 1, 0, 1, 1};
    ovr.layers[0].bias = {0, 0, 0};
    d.link = LinkFunction::logistic_ovr;
    REQUIRE(save(dir.file("ovr"), d, ovr).ok());
    auto o = Model::open(dir.file("ovr"));
    REQUIRE(o.ok());
    const double Xs[] = {-720, -721, 2, 0};
    REQUIRE(o->predict(Xs, 2, proba).ok());
    for (int r = 0; r < 2; ++r) {
      CAPTURE(r);
      double sum = 0;
      for (int j = 0; j < 3; ++j) {
        CHECK(std::isfinite(proba[3 * r + j]));
        sum += proba[3 * r + j];
      }
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-15));
    }
    // Subnormals keep ~40 bits here.
    CHECK(proba[0] == doctest::Approx(1 / (1 + std::exp(-1.0))).epsilon(1e-9));
    CHECK(proba[2] == 0);
  }
  SUBCASE("LogisticEach: a sigmoid per class, not normalised; format 1.1, and only for n_raw >= 2") {
    d.link = LinkFunction::logistic_each;
    d.link_scale = 2;
    REQUIRE(save(dir.file("each"), d, net).ok());
    auto e = Model::open(dir.file("each"));
    REQUIRE(e.ok());
    CHECK(e->info().format.minor == 1);
    CHECK(std::string(e->info().link) == "logistic_each");
    REQUIRE(e->predict(X, 3, proba).ok());
    for (int j = 0; j < 9; ++j) CHECK(proba[j] == doctest::Approx(1 / (1 + std::exp(-2 * raw[j]))).epsilon(1e-15));
    REQUIRE(e->predict_class(X, 3, cls).ok());
    CHECK(cls[2] == 2);
    CHECK(m->info().format.minor == 0);  // the softmax model needs no 1.1
    d.n_outputs = 2;
    d.classes.integers = {10, 20};
    DenseNetworkSpec one = net;
    one.layers[0].n_out = 1;
    one.layers[0].weights = {1, 0};
    one.layers[0].bias = {0};
    CHECK(save(dir.file("each1"), d, one).code() == error_code::invalid_model);
  }
  SUBCASE("NaN inputs are refused") {
    const double Xn[] = {NAN, 0};
    CHECK(m->predict(Xn, 1, proba).code() == error_code::missing_value);
  }
}

TEST_CASE("a linear model finds NaN inputs from its scores: the first is named, inf - inf is not refused") {
  // A linear model's scores are NaN wherever an input is, so it looks for
  // NaN inputs only in rows whose scores are NaN (Predictor::propagates_nan).
  test::TempDir dir;
  DenseNetworkSpec net;
  DenseLayerSpec L;
  L.n_in = 3;
  L.n_out = 2;
  L.weights = {1, 0, 1, 0, 0, 1};  // [n_in, n_out]: out0 = x0 + x1, out1 = x2
  net.layers = {L};
  REQUIRE(save(dir.file("lin"), regression(3, 2), net).ok());
  auto m = Model::open(dir.file("lin"));
  REQUIRE(m.ok());
  const size_t n = 3000;
  std::vector<double> X(n * 3, 1.0);
  X[3 * 7] = INFINITY;  // row 7: inf + -inf is NaN without a NaN input
  X[3 * 7 + 1] = -INFINITY;
  std::vector<double> out(n * 2);
  REQUIRE(m->predict(X.data(), n, out.data()).ok());
  CHECK(std::isnan(out[14]));
  CHECK(std::isnan(out[15]));  // inf * 0 as well, as numpy gives
  for (int threads : {1, 2}) {
    for (size_t row : {size_t{0}, size_t{7}, size_t{1600}, size_t{2999}}) {
      CAPTURE(threads);
      CAPTURE(row);
      auto Xn = X;
      Xn[3 * row + 2] = NAN;        // only out1 would show it
      Xn[3 * 2999 + 0] = -NAN;      // a later one is not the first
      PredictOptions o;
      o.n_threads = threads;
      auto st = m->predict(Xn.data(), n, out.data(), o);
      CHECK(st.code() == error_code::missing_value);
      const std::string first = row == 2999 ? "row 2999, feature 0" : "row " + std::to_string(row) + ", feature 2";
      CHECK_MESSAGE(st.message().find(first) != std::string::npos, st.message());
      std::vector<float> Xf(Xn.begin(), Xn.end());
      std::vector<float> outf(n * 2);
      st = m->predict(Xf.data(), n, outf.data(), o);
      CHECK(st.code() == error_code::missing_value);
      CHECK_MESSAGE(st.message().find(first) != std::string::npos, st.message());
    }
  }
}

TEST_CASE("the writer refuses networks that do not chain or hold NaN") {
  test::TempDir dir;
  std::mt19937_64 rng(3);
  auto net = random_network(rng, {4, 6, 2}, {Activation::relu});
  net.layers[1].n_in = 5;
  CHECK(save(dir.file("a"), regression(4, 2), net).code() == error_code::invalid_argument);
  net = random_network(rng, {4, 6, 2}, {Activation::relu});
  net.layers[0].weights[3] = NAN;
  auto st = save(dir.file("b"), regression(4, 2), net);
  CHECK(st.code() == error_code::invalid_model);
  CHECK(st.message().find("not finite") != std::string::npos);
  CHECK_FALSE(test::file_exists(dir.file("b")));
}
