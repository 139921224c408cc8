#include "writer/dense_writer.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "format/schema_enums.hpp"

namespace mlmap::writer {

namespace {

// Few outputs: one dot product per output reads the weights as [n_out, n_in];
// otherwise each input is broadcast over [n_in, n_out] rows (the kernels'
// two shapes; see kernels/dense_simd.hpp).
constexpr size_t out_in_below = 8;

std::string str(size_t v) { return std::to_string(v); }

// One layer's columns in the layer's dtype; the vectors outlive the write.
struct LayerColumns {
  std::vector<double> weights64;
  std::vector<float> weights32, bias32, alpha32;
  int32_t weights = -1, bias = -1, alpha = -1;
  bool out_in = false;
};

// Adds `v` as a Float64 or (float32) Float32 column; -1 when empty.
Status add_column(ColumnSet& cols, const std::string& name, const std::vector<double>& v, bool float32,
                  std::vector<float>& narrowed, std::vector<uint64_t> shape, int32_t& index) {
  if (v.empty()) return {};
  if (!float32) {
    index = cols.add(name, v, std::move(shape));
    return {};
  }
  narrowed.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    narrowed[i] = static_cast<float>(v[i]);
    // Non-finite values are left to verify(), which names them.
    if (std::isfinite(v[i]) && static_cast<double>(narrowed[i]) != v[i])
      return Error(error_code::invalid_argument,
                   name + " value " + str(i) + " is not a float32 value (the layer is stored as float32)");
  }
  index = cols.add(name, narrowed, std::move(shape));
  return {};
}

// The writer's relu with parameters is the format's LeakyRelu (a plain Relu
// must stay plain for readers that predate the parameters); the other
// activations keep their values.
fb::Activation activation_of(const DenseLayerSpec& L) {
  const bool plain = L.relu_slope == 0 && L.relu_threshold == 0 && L.relu_max == std::numeric_limits<double>::infinity();
  if (L.activation == Activation::relu && !plain) return fb::Activation::LeakyRelu;
  return format::to_schema(L.activation);
}

Status check_shapes(const DenseLayerSpec& L, size_t l, size_t width) {
  const std::string name = "layer" + str(l);
  if (L.n_in != width || L.n_out < 1)
    return Error(error_code::invalid_argument,
                 name + ": shapes do not chain (n_in " + str(L.n_in) + ", expected " + str(width) + ")");
  const bool dense = L.kind == LayerKind::dense;
  if (!dense && L.n_in != L.n_out)
    return Error(error_code::invalid_argument, name + ": an affine or layer-norm layer keeps its width");
  if (dense ? L.weights.size() != L.n_in * L.n_out : !L.weights.empty() && L.weights.size() != L.n_out)
    return Error(error_code::invalid_argument, name + ": " + str(L.weights.size()) + " weights for its shape");
  if (!L.bias.empty() && L.bias.size() != L.n_out)
    return Error(error_code::invalid_argument, name + ": " + str(L.bias.size()) + " biases for " + str(L.n_out) + " outputs");
  if ((L.activation == Activation::prelu) != !L.alpha.empty() || (!L.alpha.empty() && L.alpha.size() != L.n_out))
    return Error(error_code::invalid_argument, name + ": a prelu activation needs n_out alphas, others none");
  return {};
}

}  // namespace

Status write_dense_model(const std::string& path, const ModelDescription& d, const DenseNetworkSpec& net,
                         const PreprocessingSpec* pre, const CheckFn& check) noexcept {
  try {
    if (net.layers.empty()) return Error(error_code::invalid_argument, "the network has no layers");
    size_t width = pre ? pre->features.size() : d.n_features;
    std::vector<LayerColumns> lc(net.layers.size());
    ColumnSet cols;
    for (size_t l = 0; l < net.layers.size(); ++l) {
      const auto& L = net.layers[l];
      auto& c = lc[l];
      const std::string name = "layer" + str(l);
      if (auto st = check_shapes(L, l, width); !st) return st;
      const std::vector<double>* weights = &L.weights;
      std::vector<uint64_t> shape = {L.weights.size()};
      if (L.kind == LayerKind::dense) {
        c.out_in = L.n_out < out_in_below;
        shape = {L.n_in, L.n_out};
        if (c.out_in) {
          auto& t = c.weights64;
          t.resize(L.weights.size());
          for (size_t i = 0; i < L.n_in; ++i)
            for (size_t o = 0; o < L.n_out; ++o) t[o * L.n_in + i] = L.weights[i * L.n_out + o];
          weights = &t;
          shape = {L.n_out, L.n_in};
        }
      }
      // A one-feature layer norm gives bias whatever its scale: no weights
      // column, so that a reader predating LayerNorm refuses the file rather
      // than read it as a 1x1 dense layer.
      static const std::vector<double> none;
      if (L.kind == LayerKind::layer_norm && L.n_out == 1) weights = &none;
      if (auto st = add_column(cols, name + ".weights", *weights, L.float32, c.weights32, shape, c.weights); !st) return st;
      if (auto st = add_column(cols, name + ".bias", L.bias, L.float32, c.bias32, {}, c.bias); !st) return st;
      if (auto st = add_column(cols, name + ".alpha", L.alpha, L.float32, c.alpha32, {}, c.alpha); !st) return st;
      width = L.n_out;
    }
    auto table = [&](flatbuffers::FlatBufferBuilder& b) {
      std::vector<flatbuffers::Offset<fb::DenseLayer>> layers;
      for (size_t l = 0; l < net.layers.size(); ++l) {
        const auto& L = net.layers[l];
        const auto& c = lc[l];
        fb::DenseLayerBuilder lb(b);
        lb.add_n_in(static_cast<uint32_t>(L.n_in));
        lb.add_n_out(static_cast<uint32_t>(L.n_out));
        lb.add_weights(c.weights);
        lb.add_layout(c.out_in ? fb::WeightLayout::OutIn : fb::WeightLayout::InOut);
        lb.add_bias(c.bias);
        lb.add_activation(activation_of(L));
        lb.add_kind(format::to_schema(L.kind));
        lb.add_alpha(c.alpha);
        lb.add_epsilon(L.epsilon);
        lb.add_relu_slope(L.relu_slope);
        lb.add_relu_threshold(L.relu_threshold);
        lb.add_relu_max(L.relu_max);
        lb.add_elu_alpha(L.elu_alpha);
        lb.add_softplus_beta(L.softplus_beta);
        lb.add_softplus_threshold(L.softplus_threshold);
        layers.push_back(lb.Finish());
      }
      auto v = b.CreateVector(layers);
      return std::make_pair(fb::Predictor::DenseNetwork, fb::CreateDenseNetwork(b, v).Union());
    };
    return write_model_file(path, d, cols, static_cast<uint32_t>(width), table, pre, check);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

}  // namespace mlmap::writer
