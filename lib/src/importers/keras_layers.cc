#include "importers/keras_layers.hpp"

#include <cmath>
#include <limits>
#include <new>
#include <utility>

#include "format/limits.hpp"

namespace mlmap::importers::keras {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

Error unsupported(const std::string& what) { return Error(error_code::unsupported_model, "Keras model: " + what); }
Error failed(const std::string& what) { return Error(error_code::import_failed, "Keras model: " + what); }

// An activation and its parameters (the DenseLayerSpec fields it sets).
struct Act {
  Activation kind = Activation::identity;
  double relu_slope = 0, relu_threshold = 0, relu_max = std::numeric_limits<double>::infinity();
  double elu_alpha = 1;
};

Act act(Activation a) {
  Act x;
  x.kind = a;
  return x;
}

// Keras 3's built-in activations by name (keras.activations.get).
Result<Act> named_activation(const std::string& name, const Layer& L) {
  if (name == "linear") return act(Activation::identity);
  if (name == "relu") return act(Activation::relu);
  if (name == "relu6") {
    Act a = act(Activation::relu);
    a.relu_max = 6;
    return a;
  }
  if (name == "leaky_relu") {  // keras.activations.leaky_relu(negative_slope=0.2)
    Act a = act(Activation::relu);
    a.relu_slope = 0.2;
    return a;
  }
  if (name == "elu") return act(Activation::elu);
  if (name == "selu") return act(Activation::selu);
  if (name == "gelu") return act(Activation::gelu);  // keras.activations.gelu(approximate=False)
  if (name == "silu" || name == "swish") return act(Activation::silu);
  if (name == "sigmoid") return act(Activation::logistic);
  if (name == "hard_sigmoid") return act(Activation::hard_sigmoid);
  if (name == "tanh") return act(Activation::tanh);
  if (name == "softplus") return act(Activation::softplus);
  if (name == "softsign") return act(Activation::softsign);
  if (name == "softmax") return act(Activation::softmax);
  if (name == "exponential") return act(Activation::exponential);
  return unsupported(L.describe() + ": activation '" + name +
                     "' is not supported (mlmap imports linear, relu, relu6, leaky_relu, elu, selu, gelu, silu/swish, "
                     "sigmoid, hard_sigmoid, tanh, softplus, softsign, softmax, exponential)");
}

const char* activation_text(Activation a) {
  switch (a) {
    case Activation::identity: return "linear";
    case Activation::relu: return "relu";
    case Activation::tanh: return "tanh";
    case Activation::logistic: return "sigmoid";
    case Activation::elu: return "elu";
    case Activation::selu: return "selu";
    case Activation::gelu: return "gelu";
    case Activation::gelu_tanh: return "gelu (tanh)";
    case Activation::silu: return "silu";
    case Activation::hard_sigmoid: return "hard_sigmoid";
    case Activation::softplus: return "softplus";
    case Activation::softsign: return "softsign";
    case Activation::softmax: return "softmax";
    case Activation::exponential: return "exponential";
    case Activation::prelu: return "prelu";
    case Activation::leaky_relu: return "leaky_relu";
  }
  return "?";
}

// The network as it is built, and the shape flowing through it.
class Builder {
 public:
  explicit Builder(std::vector<uint64_t> input) : dims_(std::move(input)) {
    if (!dims_.empty()) {
      n_features_ = 1;
      for (auto d : dims_) n_features_ *= d;
    }
  }

  bool known() const { return !dims_.empty(); }
  const std::vector<uint64_t>& dims() const { return dims_; }
  void set_input(uint64_t n) { dims_ = {n}, n_features_ = n; }
  size_t n_features() const { return n_features_; }
  DenseNetworkSpec& spec() { return spec_; }

  // The feature width for a layer that reads vectors.
  Result<size_t> width(const Layer& L) const {
    if (dims_.size() != 1)
      return unsupported(L.describe() + " acts on inputs of shape " + shape() +
                         "; mlmap imports layers over vectors (put a Flatten before it)");
    return static_cast<size_t>(dims_[0]);
  }

  std::string shape() const {
    if (dims_.empty()) return "(unknown)";
    std::string s = "(";
    for (size_t i = 0; i < dims_.size(); ++i) s += (i ? ", " : "") + str(dims_[i]);
    return s + ")";
  }

  void flatten() {
    uint64_t n = 1;
    for (auto d : dims_) n *= d;
    dims_ = {n};
  }

  void push(DenseLayerSpec L) {
    dims_ = {L.n_out};
    spec_.layers.push_back(std::move(L));
  }

  // An activation: on the layer before when that has none, else on an
  // identity affine layer (no columns) of its own.
  void activate(const Act& a, size_t width) {
    if (a.kind == Activation::identity) return;
    if (spec_.layers.empty() || spec_.layers.back().activation != Activation::identity) {
      DenseLayerSpec L;
      L.kind = LayerKind::affine;
      L.n_in = L.n_out = width;
      push(std::move(L));
    }
    auto& L = spec_.layers.back();
    L.activation = a.kind;
    L.relu_slope = a.relu_slope;
    L.relu_threshold = a.relu_threshold;
    L.relu_max = a.relu_max;
    L.elu_alpha = a.elu_alpha;
  }

 private:
  std::vector<uint64_t> dims_;
  size_t n_features_ = 0;
  DenseNetworkSpec spec_;
};

uint64_t count(const Tensor& t) {
  uint64_t n = 1;
  for (auto d : t.shape) n *= d;
  return n;
}

std::string shape_text(const Tensor& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) s += (i ? ", " : "") + str(t.shape[i]);
  return s + (t.shape.size() == 1 ? ",)" : ")");
}

Status expect_vector(const Layer& L, const Tensor& t, const char* what, size_t n) {
  if (t.shape.size() == 1 && t.shape[0] == n) return {};
  return failed(L.describe() + ": " + what + " has shape " + shape_text(t) + ", expected (" + str(n) + ",)");
}

// Keras' float16/bfloat16/mixed and quantized policies compute otherwise than
// mlmap's float64.
Status check_dtype(const Layer& L) {
  auto policy = dtype_policy(L);
  if (!policy) return policy.error();
  if (policy->empty() || *policy == "float32" || *policy == "float64") return {};
  return unsupported(L.describe() + " computes with dtype policy '" + *policy +
                     "'; mlmap imports float32 and float64 models (it computes in float64)");
}

Status feature_axis(const Layer& L, const char* key, int64_t fallback) {
  auto axis = single_axis(L, key, fallback);
  if (!axis) return axis.error();
  if (*axis && (**axis == -1 || **axis == 1)) return {};
  return unsupported(L.describe() + ": " + key + " is not the feature axis (-1)");
}

Result<std::vector<Tensor>> variables(const WeightFn& weights, const Layer& L, size_t at_least, size_t at_most) {
  auto vars = weights(L);
  if (!vars) return vars.error();
  if (vars->size() < at_least || vars->size() > at_most)
    return failed(L.describe() + " has " + str(vars->size()) + " weight arrays, expected " + str(at_least) +
                  (at_most != at_least ? " to " + str(at_most) : ""));
  return vars;
}

Status dense(Builder& b, const Layer& L, const WeightFn& weights) {
  auto n_in = b.known() ? b.width(L) : Result<size_t>(size_t{0});
  if (!n_in) return n_in.error();
  if (is_set(L, "lora_rank")) return unsupported(L.describe() + " has LoRA weights (lora_rank)");
  if (is_set(L, "quantization_config") || is_set(L, "quantization_mode"))
    return unsupported(L.describe() + " is quantized");
  auto units = integer(L, "units", 0);
  if (!units) return units.error();
  if (*units < 1 || *units > limits::max_layer_width)
    return unsupported(L.describe() + " has " + str(static_cast<uint64_t>(*units)) + " units, mlmap allows 1 to " +
                       str(limits::max_layer_width));
  auto use_bias = boolean(L, "use_bias", true);
  if (!use_bias) return use_bias.error();
  auto name = activation_name(L, "activation");
  if (!name) return name.error();
  auto a = named_activation(*name, L);
  if (!a) return a.error();
  auto vars = variables(weights, L, *use_bias ? 2 : 1, *use_bias ? 2 : 1);
  if (!vars) return vars.error();
  const Tensor& kernel = (*vars)[0];
  if (kernel.shape.size() != 2 || kernel.shape[1] != static_cast<uint64_t>(*units) ||
      (b.known() && kernel.shape[0] != *n_in))
    return failed(L.describe() + ": kernel of shape " + (kernel.shape.size() == 2 ? str(kernel.shape[0]) + "x" + str(kernel.shape[1]) : "?") +
                  ", expected " + (b.known() ? str(*n_in) : std::string("n")) + "x" + str(static_cast<uint64_t>(*units)));
  if (!b.known()) {  // the first Dense of a model that does not state its input shape
    if (kernel.shape[0] < 1 || kernel.shape[0] > limits::max_layer_width) return failed(L.describe() + ": kernel too large");
    b.set_input(kernel.shape[0]);
  }
  DenseLayerSpec S;
  S.n_in = kernel.shape[0];
  S.n_out = static_cast<size_t>(*units);
  S.weights = kernel.values;
  S.float32 = kernel.float32;
  if (*use_bias) {
    if (auto st = expect_vector(L, (*vars)[1], "bias", S.n_out); !st) return st;
    S.bias = (*vars)[1].values;
    S.float32 = S.float32 && (*vars)[1].float32;
  }
  b.push(std::move(S));
  b.activate(*a, static_cast<size_t>(*units));
  return {};
}

// x * scale + shift per feature, folded in float64 (FORMAT.md §6.1).
void affine(Builder& b, size_t n, std::vector<double> scale, std::vector<double> shift) {
  DenseLayerSpec S;
  S.kind = LayerKind::affine;
  S.n_in = S.n_out = n;
  S.weights = std::move(scale);
  S.bias = std::move(shift);
  b.push(std::move(S));
}

std::vector<double> spread(const std::vector<double>& v, size_t n) {
  return v.size() == 1 ? std::vector<double>(n, v[0]) : v;
}

Status batch_norm(Builder& b, const Layer& L, const WeightFn& weights) {
  auto n = b.width(L);
  if (!n) return n.error();
  if (auto st = feature_axis(L, "axis", -1); !st) return st;
  auto center = boolean(L, "center", true);
  auto scale = boolean(L, "scale", true);
  auto eps = number(L, "epsilon", 1e-3);
  if (!center || !scale || !eps) return !center ? center.error() : !scale ? scale.error() : eps.error();
  const size_t k = size_t{*scale} + size_t{*center} + 2;
  auto vars = variables(weights, L, k, k);
  if (!vars) return vars.error();
  size_t i = 0;
  const Tensor* gamma = *scale ? &(*vars)[i++] : nullptr;
  const Tensor* beta = *center ? &(*vars)[i++] : nullptr;
  const Tensor& mean = (*vars)[i++];
  const Tensor& var = (*vars)[i++];
  const std::pair<const Tensor*, const char*> named[] = {
      {gamma, "gamma"}, {beta, "beta"}, {&mean, "moving_mean"}, {&var, "moving_variance"}};
  for (const auto& [t, what] : named)
    if (t)
      if (auto st = expect_vector(L, *t, what, *n); !st) return st;
  std::vector<double> s(*n), sh(*n);
  for (size_t j = 0; j < *n; ++j) {
    if (!(var.values[j] + *eps > 0))
      return failed(L.describe() + ": moving_variance " + str(j) + " plus epsilon is not positive");
    const double inv = 1.0 / std::sqrt(var.values[j] + *eps);
    s[j] = gamma ? gamma->values[j] * inv : inv;
    sh[j] = (beta ? beta->values[j] : 0.0) - mean.values[j] * s[j];
  }
  affine(b, *n, std::move(s), std::move(sh));
  return {};
}

Status layer_norm(Builder& b, const Layer& L, const WeightFn& weights) {
  auto n = b.width(L);
  if (!n) return n.error();
  if (auto st = feature_axis(L, "axis", -1); !st) return st;
  if (is_set(L, "rms_scaling")) return unsupported(L.describe() + " uses rms_scaling (deprecated in Keras)");
  auto center = boolean(L, "center", true);
  auto scale = boolean(L, "scale", true);
  auto eps = number(L, "epsilon", 1e-3);
  if (!center || !scale || !eps) return !center ? center.error() : !scale ? scale.error() : eps.error();
  if (!(*eps > 0) || !std::isfinite(*eps)) return failed(L.describe() + ": epsilon must be positive");
  const size_t k = size_t{*scale} + size_t{*center};
  auto vars = variables(weights, L, k, k);
  if (!vars) return vars.error();
  DenseLayerSpec S;
  S.kind = LayerKind::layer_norm;
  S.n_in = S.n_out = *n;
  S.epsilon = *eps;
  S.float32 = true;
  size_t i = 0;
  if (*scale) {
    const Tensor& g = (*vars)[i++];
    if (auto st = expect_vector(L, g, "gamma", *n); !st) return st;
    S.weights = g.values;
    S.float32 = g.float32;
  }
  if (*center) {
    const Tensor& be = (*vars)[i++];
    if (auto st = expect_vector(L, be, "beta", *n); !st) return st;
    S.bias = be.values;
    S.float32 = S.float32 && be.float32;
  }
  b.push(std::move(S));
  return {};
}

// keras.layers.Normalization: (x - mean) / max(sqrt(variance), 1e-7), or its
// inverse, from the config's mean / variance or the adapted weights.
Status normalization(Builder& b, const Layer& L, const WeightFn& weights) {
  auto n = b.width(L);
  if (!n) return n.error();
  auto axis = single_axis(L, "axis", -1);
  if (!axis) return axis.error();
  if (*axis && **axis != -1 && **axis != 1) return unsupported(L.describe() + ": axis is not the feature axis (-1)");
  auto invert = boolean(L, "invert", false);
  if (!invert) return invert.error();
  auto mean = numbers(L, "mean");
  auto var = numbers(L, "variance");
  if (!mean || !var) return !mean ? mean.error() : var.error();
  std::vector<double> m, v;
  if (*mean && *var) {
    m = **mean, v = **var;
  } else {
    auto vars = variables(weights, L, 2, 3);
    if (!vars) return vars.error();
    m = (*vars)[0].values, v = (*vars)[1].values;
  }
  if ((m.size() != 1 && m.size() != *n) || (v.size() != 1 && v.size() != *n))
    return failed(L.describe() + ": mean and variance have " + str(m.size()) + " and " + str(v.size()) + " values for " +
                  str(*n) + " features");
  m = spread(m, *n), v = spread(v, *n);
  std::vector<double> s(*n), sh(*n);
  constexpr double keras_epsilon = 1e-7;  // keras.backend.epsilon()
  for (size_t j = 0; j < *n; ++j) {
    if (!(v[j] >= 0)) return failed(L.describe() + ": variance " + str(j) + " is negative or not a number");
    const double sd = std::max(std::sqrt(v[j]), keras_epsilon);
    if (*invert) {
      s[j] = sd, sh[j] = m[j];
    } else {
      s[j] = 1.0 / sd, sh[j] = -m[j] / sd;
    }
  }
  affine(b, *n, std::move(s), std::move(sh));
  return {};
}

Status prelu(Builder& b, const Layer& L, const WeightFn& weights) {
  auto n = b.width(L);
  if (!n) return n.error();
  auto vars = variables(weights, L, 1, 1);
  if (!vars) return vars.error();
  const Tensor& alpha = (*vars)[0];
  if (count(alpha) != *n && count(alpha) != 1)
    return failed(L.describe() + ": alpha has " + str(count(alpha)) + " values for " + str(*n) + " features");
  auto& layers = b.spec().layers;
  if (layers.empty() || layers.back().activation != Activation::identity || layers.back().float32 != alpha.float32) {
    DenseLayerSpec S;
    S.kind = LayerKind::affine;
    S.n_in = S.n_out = *n;
    S.float32 = alpha.float32;
    b.push(std::move(S));
  }
  layers.back().activation = Activation::prelu;
  layers.back().alpha = spread(alpha.values, *n);
  return {};
}

Result<Act> relu_layer(const Layer& L) {
  auto max = optional_number(L, "max_value");
  auto slope = number(L, "negative_slope", 0);
  auto threshold = number(L, "threshold", 0);
  if (!max || !slope || !threshold) return !max ? max.error() : !slope ? slope.error() : threshold.error();
  Act a = act(Activation::relu);
  a.relu_slope = *slope, a.relu_threshold = *threshold;
  if (*max) a.relu_max = **max;
  if (!std::isfinite(a.relu_slope) || !std::isfinite(a.relu_threshold) || std::isnan(a.relu_max) || a.relu_max < 0)
    return failed(L.describe() + ": max_value, negative_slope and threshold must be numbers, max_value >= 0");
  return a;
}

Status activation_layer(Builder& b, const Layer& L) {
  Result<Act> a = act(Activation::identity);
  const std::string& c = L.class_name;
  if (c == "Activation") {
    auto name = activation_name(L, "activation");
    if (!name) return name.error();
    a = named_activation(*name, L);
  } else if (c == "ReLU") {
    a = relu_layer(L);
  } else if (c == "LeakyReLU") {  // Keras 3: negative_slope (0.3); Keras 2: alpha
    auto slope = number(L, "negative_slope", 0.3);
    auto alpha = optional_number(L, "alpha");
    if (!slope || !alpha) return !slope ? slope.error() : alpha.error();
    Act r = act(Activation::relu);
    r.relu_slope = *alpha ? **alpha : *slope;
    a = r;
  } else if (c == "ELU") {
    auto alpha = number(L, "alpha", 1.0);
    if (!alpha) return alpha.error();
    Act e = act(Activation::elu);
    e.elu_alpha = *alpha;
    a = e;
  } else {  // Softmax
    if (auto st = feature_axis(L, "axis", -1); !st) return st;
    a = act(Activation::softmax);
  }
  if (!a) return a.error();
  // Element-wise activations do not care about the shape; softmax does.
  if (a->kind == Activation::softmax || !b.spec().layers.empty() || b.dims().size() == 1) {
    auto n = b.width(L);
    if (!n) return n.error();
    b.activate(*a, *n);
    return {};
  }
  return unsupported(L.describe() + " acts on inputs of shape " + b.shape() + " before any other layer (put a Flatten first)");
}

Status reshape(Builder& b, const Layer& L) {
  auto target = numbers(L, "target_shape");
  if (!target) return target.error();
  if (!*target || (*target)->size() != 1)
    return unsupported(L.describe() + " reshapes to other than a vector");
  const double t = (**target)[0];
  b.flatten();
  if (t != -1 && t != static_cast<double>(b.dims()[0]))
    return failed(L.describe() + ": target_shape (" + std::to_string(t) + ",) does not hold " + str(b.dims()[0]) + " values");
  return {};
}

Status flatten(Builder& b, const Layer& L) {
  auto format = text(L, "data_format", "channels_last");
  if (!format) return format.error();
  // Keras moves the channels last before flattening channels_first inputs.
  if (b.dims().size() >= 2 && *format == "channels_first")
    return unsupported(L.describe() + " flattens channels_first inputs of shape " + b.shape() +
                       " (a transpose); mlmap imports channels_last");
  b.flatten();
  return {};
}

bool identity_at_inference(const std::string& c) {
  return c == "Dropout" || c == "GaussianNoise" || c == "AlphaDropout" || c == "GaussianDropout" ||
         c == "ActivityRegularization" || c == "Identity";
}

}  // namespace

Result<Network> map_chain(const Chain& chain, const WeightFn& weights) noexcept {
  try {
    Builder b(chain.input_shape);
    if (b.known()) {
      uint64_t n = 1;
      for (auto d : chain.input_shape) n = n * d;
      if (n < 1 || n > limits::max_layer_width)
        return unsupported("the input has " + str(n) + " values, mlmap allows 1 to " + str(limits::max_layer_width));
    }
    for (const Layer& L : chain.layers) {
      const std::string& c = L.class_name;
      if (auto st = check_dtype(L); !st) return st.error();
      if (!b.known() && c != "Dense" && !identity_at_inference(c))
        return unsupported("the model does not state its input shape and starts with " + L.describe() +
                           " (build it with keras.Input(shape=...))");
      Status st;
      if (c == "Dense")
        st = dense(b, L, weights);
      else if (c == "BatchNormalization")
        st = batch_norm(b, L, weights);
      else if (c == "LayerNormalization")
        st = layer_norm(b, L, weights);
      else if (c == "Normalization")
        st = normalization(b, L, weights);
      else if (c == "PReLU")
        st = prelu(b, L, weights);
      else if (c == "Activation" || c == "ReLU" || c == "LeakyReLU" || c == "ELU" || c == "Softmax")
        st = activation_layer(b, L);
      else if (identity_at_inference(c))
        st = {};
      else if (c == "Flatten")
        st = flatten(b, L);
      else if (c == "Reshape")
        st = reshape(b, L);
      else if (c == "Sequential" || c == "Functional" || c == "Model")
        st = unsupported(L.describe() + " is a nested model; mlmap imports a single chain of layers");
      else
        st = unsupported(L.describe() +
                         " is not supported: mlmap imports InputLayer, Dense, Activation, ReLU, LeakyReLU, PReLU, ELU, "
                         "Softmax, BatchNormalization, LayerNormalization, Normalization, Dropout, GaussianNoise, "
                         "AlphaDropout, Flatten and Reshape to a vector");
      if (!st) return st.error();
    }
    if (!b.known()) return unsupported("the model has no Dense layer and does not state its input shape");
    b.flatten();
    Network net;
    net.n_features = b.n_features();
    auto& layers = b.spec().layers;
    if (layers.empty()) {  // only identity layers: the model returns its input
      DenseLayerSpec S;
      S.kind = LayerKind::affine;
      S.n_in = S.n_out = net.n_features;
      layers.push_back(S);
    }
    auto& last = layers.back();
    net.output = std::string(activation_text(last.activation)) + " over " + str(last.n_out) + " unit" +
                 (last.n_out == 1 ? "" : "s");
    // A final softmax or sigmoid becomes the link: decision_function then
    // returns the logits.
    if (last.activation == Activation::softmax && last.n_out >= 2) {
      net.link = LinkFunction::softmax;
      last.activation = Activation::identity;
    } else if (last.activation == Activation::logistic) {
      net.link = LinkFunction::logistic;
      last.activation = Activation::identity;
    }
    if (layers.size() > 1 && last.kind == LayerKind::affine && last.weights.empty() && last.bias.empty() &&
        last.activation == Activation::identity)
      layers.pop_back();  // an identity that only carried the output activation
    if (layers.size() > limits::max_dense_layers)
      return unsupported("the model maps to " + str(layers.size()) + " mlmap layers, more than the limit of " +
                         str(limits::max_dense_layers));
    net.spec = std::move(b.spec());
    return net;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory importing a Keras model");
  }
}

}  // namespace mlmap::importers::keras
