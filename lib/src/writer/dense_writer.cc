#include "writer/dense_writer.hpp"

#include <string>
#include <vector>

#include "format/schema_enums.hpp"

namespace mlmap::writer {

namespace {

// Few outputs: one dot product per output reads the weights as [n_out, n_in];
// otherwise each input is broadcast over [n_in, n_out] rows (the kernels'
// two shapes; see kernels/dense_simd.hpp).
constexpr size_t out_in_below = 8;

}  // namespace

Status write_dense_model(const std::string& path, const ModelDescription& d, const DenseNetworkSpec& net,
                         const PreprocessingSpec* pre, const CheckFn& check) noexcept {
  try {
    if (net.layers.empty()) return Error(error_code::invalid_argument, "the network has no layers");
    size_t width = pre ? pre->features.size() : d.n_features;
    std::vector<std::vector<double>> transposed(net.layers.size());
    ColumnSet cols;
    std::vector<int32_t> weights(net.layers.size()), bias(net.layers.size(), -1);
    std::vector<bool> out_in(net.layers.size());
    for (size_t l = 0; l < net.layers.size(); ++l) {
      const auto& L = net.layers[l];
      const std::string name = "layer" + std::to_string(l);
      if (L.n_in != width || L.n_out < 1 || L.weights.size() != L.n_in * L.n_out ||
          (!L.bias.empty() && L.bias.size() != L.n_out))
        return Error(error_code::invalid_argument, name + ": shapes do not chain (n_in " + std::to_string(L.n_in) +
                                                       ", expected " + std::to_string(width) + ")");
      out_in[l] = L.n_out < out_in_below;
      if (out_in[l]) {
        auto& t = transposed[l];
        t.resize(L.weights.size());
        for (size_t i = 0; i < L.n_in; ++i)
          for (size_t o = 0; o < L.n_out; ++o) t[o * L.n_in + i] = L.weights[i * L.n_out + o];
        weights[l] = cols.add(name + ".weights", t, {L.n_out, L.n_in});
      } else {
        weights[l] = cols.add(name + ".weights", L.weights, {L.n_in, L.n_out});
      }
      if (!L.bias.empty()) bias[l] = cols.add(name + ".bias", L.bias);
      width = L.n_out;
    }
    auto table = [&](flatbuffers::FlatBufferBuilder& b) {
      std::vector<flatbuffers::Offset<fb::DenseLayer>> layers;
      for (size_t l = 0; l < net.layers.size(); ++l) {
        const auto& L = net.layers[l];
        layers.push_back(fb::CreateDenseLayer(b, static_cast<uint32_t>(L.n_in), static_cast<uint32_t>(L.n_out), weights[l],
                                              out_in[l] ? fb::WeightLayout::OutIn : fb::WeightLayout::InOut, bias[l],
                                              format::to_schema(L.activation)));
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
