// Dense networks: linear models and MLPs against an independent forward pass,
// on both weight layouts and on sizes that leave vector tails; every kernel
// against the scalar reference.
#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace mlmap;

namespace {

double logistic(double x) { return 1 / (1 + std::exp(-x)); }

// The activations written plainly from their definitions (FORMAT.md §5.2).
double activate(const DenseLayerSpec& L, size_t j, double x) {
  switch (L.activation) {
    case Activation::identity: return x;
    case Activation::relu:
    case Activation::leaky_relu: {  // relu with its parameters (the writer stores that as LeakyRelu)
      double pos = x > L.relu_threshold ? x : 0;
      if (std::isfinite(L.relu_max)) pos = std::min(std::max(pos, 0.0), L.relu_max);
      return pos - L.relu_slope * std::max(L.relu_threshold - x, 0.0);
    }
    case Activation::tanh: return std::tanh(x);
    case Activation::logistic: return logistic(x);
    case Activation::elu: return x > 0 ? x : L.elu_alpha * (std::exp(x) - 1);
    case Activation::selu: return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (std::exp(x) - 1));
    case Activation::gelu: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case Activation::gelu_tanh:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case Activation::silu: return x * logistic(x);
    case Activation::hard_sigmoid: return x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
    case Activation::softplus:
      return L.softplus_beta * x > L.softplus_threshold ? x
                                                        : std::log(1 + std::exp(L.softplus_beta * x)) / L.softplus_beta;
    case Activation::softsign: return x / (1 + std::fabs(x));
    case Activation::softmax: return x;  // per row: see reference()
    case Activation::exponential: return std::exp(x);
    case Activation::prelu: return x > 0 ? x : L.alpha[j] * x;
  }
  return x;
}

// The forward pass written plainly, in double.
std::vector<double> reference(const DenseNetworkSpec& net, const double* x) {
  std::vector<double> in(x, x + net.layers[0].n_in);
  for (const auto& L : net.layers) {
    std::vector<double> out(L.n_out);
    const double w1 = 1.0;
    auto weight = [&](size_t j) { return L.weights.empty() ? w1 : L.weights[j]; };
    auto bias = [&](size_t j) { return L.bias.empty() ? 0.0 : L.bias[j]; };
    if (L.kind == LayerKind::dense) {
      for (size_t o = 0; o < L.n_out; ++o) {
        double s = bias(o);
        for (size_t i = 0; i < L.n_in; ++i) s += in[i] * L.weights[i * L.n_out + o];
        out[o] = s;
      }
    } else if (L.kind == LayerKind::affine) {
      for (size_t j = 0; j < L.n_out; ++j) out[j] = in[j] * weight(j) + bias(j);
    } else {
      double mean = 0, var = 0;
      for (double v : in) mean += v / in.size();
      for (double v : in) var += (v - mean) * (v - mean) / in.size();
      for (size_t j = 0; j < L.n_out; ++j) out[j] = (in[j] - mean) / std::sqrt(var + L.epsilon) * weight(j) + bias(j);
    }
    for (size_t j = 0; j < L.n_out; ++j) out[j] = activate(L, j, out[j]);
    if (L.activation == Activation::softmax) {
      double sum = 0;
      for (double v : out) sum += std::exp(v);
      for (double& v : out) v = std::exp(v) / sum;
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
    for (size_t rows : {size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{8}, size_t{13}, size_t{300}}) {
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
        // A row's outputs do not depend on the rows predicted beside it (a
        // kernel reduces blocks of rows' sums together): the same bits one
        // row at a time.
        std::vector<double> one_by_one(rows * no);
        for (size_t r = 0; r < rows; ++r) REQUIRE(m->predict(&X[r * nf], 1, &one_by_one[r * no]).ok());
        CHECK(one_by_one == got);
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

namespace {

// One variant of each activation, with and without parameters.
std::vector<std::pair<std::string, DenseLayerSpec>> activation_variants() {
  std::vector<std::pair<std::string, DenseLayerSpec>> v;
  auto add = [&](std::string name, Activation a, auto&& set) {
    DenseLayerSpec L;
    L.activation = a;
    set(L);
    v.emplace_back(std::move(name), L);
  };
  auto none = [](DenseLayerSpec&) {};
  add("relu", Activation::relu, none);
  add("leaky_relu", Activation::relu, [](DenseLayerSpec& L) { L.relu_slope = 0.2; });
  add("relu6", Activation::relu, [](DenseLayerSpec& L) { L.relu_max = 6; });
  add("relu(slope, threshold, max)", Activation::relu, [](DenseLayerSpec& L) {
    L.relu_slope = 0.1, L.relu_threshold = 0.5, L.relu_max = 2;
  });
  add("tanh", Activation::tanh, none);
  add("logistic", Activation::logistic, none);
  add("elu", Activation::elu, none);
  add("elu(0.5)", Activation::elu, [](DenseLayerSpec& L) { L.elu_alpha = 0.5; });
  add("selu", Activation::selu, none);
  add("gelu", Activation::gelu, none);
  add("gelu_tanh", Activation::gelu_tanh, none);
  add("silu", Activation::silu, none);
  add("hard_sigmoid", Activation::hard_sigmoid, none);
  add("softplus", Activation::softplus, none);
  add("softplus(2, 3)", Activation::softplus, [](DenseLayerSpec& L) { L.softplus_beta = 2, L.softplus_threshold = 3; });
  add("softsign", Activation::softsign, none);
  add("softmax", Activation::softmax, none);
  add("exponential", Activation::exponential, none);
  add("prelu", Activation::prelu, none);
  return v;
}

float narrow(double v) { return static_cast<float>(v); }

// dense(nf -> 9) -> affine(9) -> layer_norm(9) -> dense(9 -> 4), each with
// `act`'s activation (the last one too); values are float32 values.
DenseNetworkSpec every_kind(std::mt19937_64& rng, size_t nf, const DenseLayerSpec& act, bool float32) {
  std::normal_distribution<double> g(0, 0.6);
  auto values = [&](size_t n) {
    std::vector<double> v(n);
    for (auto& x : v) x = narrow(g(rng));
    return v;
  };
  DenseNetworkSpec net;
  const std::vector<std::pair<LayerKind, size_t>> shape = {
      {LayerKind::dense, 9}, {LayerKind::affine, 9}, {LayerKind::layer_norm, 9}, {LayerKind::dense, 4}};
  size_t width = nf;
  for (const auto& [kind, n_out] : shape) {
    DenseLayerSpec L = act;
    L.kind = kind;
    L.n_in = width;
    L.n_out = n_out;
    L.float32 = float32;
    L.weights = values(kind == LayerKind::dense ? width * n_out : n_out);
    L.bias = values(n_out);
    if (kind == LayerKind::layer_norm) L.epsilon = 1e-3;
    if (act.activation == Activation::prelu) L.alpha = values(n_out);
    // exp(exp(...)) overflows: exponential only after the layer norm.
    if (act.activation == Activation::exponential && kind != LayerKind::layer_norm) L.activation = Activation::identity;
    net.layers.push_back(L);
    width = n_out;
  }
  return net;
}

std::vector<double> predict_all(const Model& m, const std::vector<double>& X, size_t rows, size_t n_out) {
  std::vector<double> out(rows * n_out);
  REQUIRE(m.predict(X.data(), rows, out.data()).ok());
  return out;
}

}  // namespace

TEST_CASE("every activation and layer kind matches a plain forward pass; float32 columns equal their widened twins") {
  const std::string saved = active_kernel();
  test::TempDir dir;
  std::mt19937_64 rng(29);
  const size_t nf = 10, rows = 37;
  for (const auto& [name, act] : activation_variants()) {
    CAPTURE(name);
    auto net = every_kind(rng, nf, act, true);
    auto twin = net;
    for (auto& L : twin.layers) L.float32 = false;
    REQUIRE(save(dir.file("f32.mlmap"), regression(nf, 4), net).ok());
    REQUIRE(save(dir.file("f64.mlmap"), regression(nf, 4), twin).ok());
    auto m32 = Model::open(dir.file("f32.mlmap"), {true, false});
    auto m64 = Model::open(dir.file("f64.mlmap"), {true, false});
    REQUIRE_MESSAGE(m32.ok(), m32.message());
    REQUIRE(m64.ok());
    std::normal_distribution<double> g(0, 2);
    std::vector<double> X(rows * nf);
    for (auto& x : X) x = g(rng);
    REQUIRE(use_kernel("scalar").ok());
    const auto scalar = predict_all(*m32, X, rows, 4);
    for (size_t r = 0; r < rows; ++r) {
      auto want = reference(net, &X[r * nf]);
      for (size_t o = 0; o < 4; ++o) CHECK(scalar[r * 4 + o] == doctest::Approx(want[o]).epsilon(1e-12));
    }
    for (const auto& k : available_kernels()) {
      CAPTURE(k);
      REQUIRE(use_kernel(k).ok());
      const auto got = predict_all(*m32, X, rows, 4);
      CHECK(got == predict_all(*m64, X, rows, 4));  // float32 columns are widened exactly
      for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(scalar[i]).epsilon(1e-12));
    }
  }
  REQUIRE(use_kernel(saved).ok());
}

TEST_CASE("affine and layer-norm layers and every activation give the same bits on every kernel") {
  // Only the dense product is per ISA (FMA, summation order); everything
  // else runs in one baseline unit.
  const std::string saved = active_kernel();
  test::TempDir dir;
  std::mt19937_64 rng(31);
  const size_t n = 12, rows = 41;
  for (const auto& [name, act] : activation_variants()) {
    CAPTURE(name);
    auto net = every_kind(rng, n, act, false);
    net.layers.erase(net.layers.begin());   // affine, layer_norm, dense(9 -> 4)
    net.layers.pop_back();
    net.layers[0].n_in = net.layers[0].n_out = net.layers[1].n_in = net.layers[1].n_out = n;
    net.layers[0].weights.resize(n, 0.5), net.layers[0].bias.resize(n, 0.1);
    net.layers[1].weights.resize(n, 0.7), net.layers[1].bias.resize(n, -0.1);
    for (auto& L : net.layers)
      if (L.activation == Activation::prelu) L.alpha.resize(n, 0.25);
    REQUIRE(save(dir.file("rowwise.mlmap"), regression(n, n), net).ok());
    auto m = Model::open(dir.file("rowwise.mlmap"));
    REQUIRE_MESSAGE(m.ok(), m.message());
    std::normal_distribution<double> g(0, 3);
    std::vector<double> X(rows * n);
    for (auto& x : X) x = g(rng);
    REQUIRE(use_kernel("scalar").ok());
    const auto scalar = predict_all(*m, X, rows, n);
    for (size_t r = 0; r < rows; ++r) {
      auto want = reference(net, &X[r * n]);
      for (size_t o = 0; o < n; ++o) CHECK(scalar[r * n + o] == doctest::Approx(want[o]).epsilon(1e-12));
    }
    for (const auto& k : available_kernels()) {
      CAPTURE(k);
      REQUIRE(use_kernel(k).ok());
      CHECK(predict_all(*m, X, rows, n) == scalar);
    }
  }
  REQUIRE(use_kernel(saved).ok());
}

TEST_CASE("activations at their edges: torch's softplus threshold, relu6, saturation, softmax rows") {
  test::TempDir dir;
  auto one_layer = [&](DenseLayerSpec L, size_t n) {
    L.kind = LayerKind::affine;
    L.n_in = L.n_out = n;
    DenseNetworkSpec net;
    net.layers = {L};
    REQUIRE(save(dir.file("edge.mlmap"), regression(n, n), net).ok());
    auto m = Model::open(dir.file("edge.mlmap"));
    REQUIRE_MESSAGE(m.ok(), m.message());
    return *m;
  };
  DenseLayerSpec sp;
  sp.activation = Activation::softplus;
  sp.softplus_beta = 1;
  sp.softplus_threshold = 20;
  auto m = one_layer(sp, 4);
  const double X[] = {20.5, 19.5, -800, 800};
  double out[4];
  REQUIRE(m.predict(X, 1, out).ok());
  CHECK(out[0] == 20.5);                                   // beta x > threshold: x itself
  CHECK(out[1] == doctest::Approx(19.5 + std::log1p(std::exp(-19.5))).epsilon(1e-15));
  CHECK(out[2] == 0);                                      // no overflow on either side
  CHECK(out[3] == 800);
  DenseLayerSpec r6;
  r6.activation = Activation::relu;
  r6.relu_max = 6;
  m = one_layer(r6, 4);
  const double Xr[] = {-1, 3, 6, 1e300};
  REQUIRE(m.predict(Xr, 1, out).ok());
  CHECK(std::vector<double>(out, out + 4) == std::vector<double>{0, 3, 6, 6});
  DenseLayerSpec sm;
  sm.activation = Activation::softmax;
  m = one_layer(sm, 3);
  const double Xs[] = {1000, 1000, -1000, 0, 0, 0};
  double outs[6];
  REQUIRE(m.predict(Xs, 2, outs).ok());
  CHECK(outs[0] == 0.5);
  CHECK(outs[2] == 0);
  CHECK(outs[3] == doctest::Approx(1.0 / 3).epsilon(1e-15));
  DenseLayerSpec gl;
  gl.activation = Activation::gelu;
  m = one_layer(gl, 2);
  const double Xg[] = {-30, 30};
  REQUIRE(m.predict(Xg, 1, out).ok());
  CHECK(out[0] < 0);  // erfc keeps the tiny negative tail that 1 + erf(.) loses
  CHECK(out[0] > -1e-190);
  CHECK(out[1] == 30);
}

TEST_CASE("the writer and the reader refuse malformed layers") {
  test::TempDir dir;
  DenseLayerSpec L;
  L.kind = LayerKind::affine;
  L.n_in = L.n_out = 3;
  DenseNetworkSpec net;
  net.layers = {L};
  SUBCASE("float32 layers hold float32 values") {
    net.layers[0].float32 = true;
    net.layers[0].weights = {1, 0.1, 2};
    auto st = save(dir.file("a"), regression(3, 3), net);
    CHECK(st.code() == error_code::invalid_argument);
    CHECK_MESSAGE(st.message().find("layer0.weights value 1 is not a float32 value") != std::string::npos, st.message());
  }
  SUBCASE("affine layers keep their width") {
    net.layers[0].n_out = 2;
    CHECK(save(dir.file("b"), regression(3, 2), net).code() == error_code::invalid_argument);
  }
  SUBCASE("prelu needs its alphas") {
    net.layers[0].activation = Activation::prelu;
    CHECK(save(dir.file("c"), regression(3, 3), net).code() == error_code::invalid_argument);
    net.layers[0].alpha = {0.1, 0.2, NAN};
    auto st = save(dir.file("c"), regression(3, 3), net);
    CHECK(st.code() == error_code::invalid_model);
    CHECK_MESSAGE(st.message().find("alpha 2 is not finite") != std::string::npos, st.message());
  }
  SUBCASE("layer norm needs epsilon > 0; parameters must be numbers") {
    net.layers[0].kind = LayerKind::layer_norm;
    auto st = save(dir.file("d"), regression(3, 3), net);
    CHECK(st.code() == error_code::invalid_model);
    CHECK_MESSAGE(st.message().find("epsilon > 0") != std::string::npos, st.message());
    net.layers[0].kind = LayerKind::affine;
    net.layers[0].activation = Activation::softplus;
    net.layers[0].softplus_beta = 0;
    CHECK(save(dir.file("d"), regression(3, 3), net).code() == error_code::invalid_model);
    net.layers[0].activation = Activation::relu;
    net.layers[0].softplus_beta = 1;
    net.layers[0].relu_max = -1;
    CHECK(save(dir.file("d"), regression(3, 3), net).code() == error_code::invalid_model);
    CHECK_FALSE(test::file_exists(dir.file("d")));
  }
}
