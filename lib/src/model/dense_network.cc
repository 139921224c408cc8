#include "model/dense_network.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "format/limits.hpp"
#include "format/schema_enums.hpp"
#include "kernels/dense_view.hpp"

namespace mlmap::model {

// The kernels' activations are the public ones (and so the schema's, see
// format/schema_enums.hpp): the layer reader casts between them.
static_assert(format::same(kernels::Activation::identity, Activation::identity) &&
              format::same(kernels::Activation::relu, Activation::relu) &&
              format::same(kernels::Activation::tanh, Activation::tanh) &&
              format::same(kernels::Activation::logistic, Activation::logistic));

namespace {

using kernels::DenseLayerView;

std::string str(uint64_t v) { return std::to_string(v); }

class DensePredictor final : public Predictor {
 public:
  explicit DensePredictor(std::vector<DenseLayerView> layers) : layers_(std::move(layers)) {
    for (const auto& L : layers_) widest_ = std::max(widest_, L.n_out);
  }

  PredictorKind kind() const noexcept override {
    return layers_.size() == 1 ? PredictorKind::linear : PredictorKind::dense_network;
  }
  size_t n_raw() const noexcept override { return layers_.back().n_out; }
  // NaN in, NaN out: sklearn's linear models and MLPs refuse NaN, so do we.
  bool accepts_missing() const noexcept override { return false; }
  // One layer: every score sums every input times a weight.  (An MLP's ReLU
  // can turn NaN into 0.)
  bool propagates_nan() const noexcept override { return layers_.size() == 1; }

  // Dense models compute in float64, as sklearn does; the first layer widens
  // float rows as it reads them.
  Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }
  Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }

  Status verify() const noexcept override {
    for (size_t l = 0; l < layers_.size(); ++l) {
      const auto& L = layers_[l];
      const uint64_t n = uint64_t{L.n_in} * L.n_out;
      for (uint64_t i = 0; i < n; ++i)
        if (!std::isfinite(L.weights[i]))
          return Error(error_code::invalid_model, "layer " + str(l) + ": weight " + str(i) + " is not finite");
      for (uint32_t o = 0; L.bias && o < L.n_out; ++o)
        if (!std::isfinite(L.bias[o]))
          return Error(error_code::invalid_model, "layer " + str(l) + ": bias " + str(o) + " is not finite");
    }
    return {};
  }

 private:
  // Layer by layer over blocks of rows, through two scratch buffers.
  template <class X_t>
  Status run(const X_t* X, size_t n_rows, double* raw) const noexcept {
    try {
      constexpr size_t block = 256;
      std::vector<double> a, b;
      if (layers_.size() > 1) {
        a.resize(std::min(block, n_rows) * widest_);
        b.resize(a.size());
      }
      for (size_t r = 0; r < n_rows; r += block) {
        const size_t n = std::min(block, n_rows - r);
        const double* in = nullptr;
        for (size_t l = 0; l < layers_.size(); ++l) {
          double* out = l + 1 == layers_.size() ? raw + r * n_raw() : (l % 2 ? b.data() : a.data());
          if (l == 0)
            kernels::dense_layer(layers_[l], X + r * layers_.front().n_in, n, out);
          else
            kernels::dense_layer(layers_[l], in, n, out);
          in = out;
        }
      }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory for a dense network's activations");
    }
  }

  std::vector<DenseLayerView> layers_;
  uint32_t widest_ = 0;
};

Error bad_layer(size_t l, const std::string& what) {
  return Error(error_code::invalid_model, "dense layer " + str(l) + ": " + what);
}

}  // namespace

Result<std::unique_ptr<Predictor>> make_dense_predictor(const format::FileView& file, const fb::DenseNetwork& net,
                                                        uint32_t n_features, uint32_t n_raw,
                                                        DenseSummary* summary) noexcept {
  try {
    const auto* layers = net.layers();
    if (layers->size() < 1 || layers->size() > limits::max_dense_layers)
      return Error(error_code::invalid_model, "a dense network needs 1 to " + str(limits::max_dense_layers) +
                                                  " layers, this one has " + str(layers->size()));
    std::vector<DenseLayerView> views;
    uint32_t width = n_features;
    for (uint32_t l = 0; l < layers->size(); ++l) {
      const fb::DenseLayer& L = *layers->Get(l);
      if (L.n_in() != width) return bad_layer(l, "takes " + str(L.n_in()) + " inputs but receives " + str(width));
      if (L.n_out() < 1 || L.n_out() > limits::max_layer_width)
        return Error(error_code::limit_exceeded, "dense layer " + str(l) + " has " + str(L.n_out()) +
                                                     " outputs, allowed [1, " + str(limits::max_layer_width) + "]");
      Activation activation{};
      if (L.layout() > fb::WeightLayout::MAX || !format::from_schema(L.activation(), activation))
        return Error(error_code::unsupported_model, "dense layer " + str(l) + " has a layout or activation unknown to this reader");
      DenseLayerView v;
      v.n_in = L.n_in();
      v.n_out = L.n_out();
      v.out_in = L.layout() == fb::WeightLayout::OutIn;
      v.activation = static_cast<kernels::Activation>(activation);
      const std::string role = "layer" + str(l);
      auto w = file.column<double>(L.weights(), uint64_t{v.n_in} * v.n_out, (role + ".weights").c_str());
      if (!w) return w.error();
      v.weights = *w;
      if (L.bias() >= 0) {
        auto b = file.column<double>(L.bias(), v.n_out, (role + ".bias").c_str());
        if (!b) return b.error();
        v.bias = *b;
      }
      views.push_back(v);
      width = v.n_out;
    }
    if (width != n_raw)
      return Error(error_code::invalid_model, "the last dense layer gives " + str(width) + " values, the model needs " +
                                                  str(n_raw) + " raw scores");
    if (views.back().activation != kernels::Activation::identity)
      return bad_layer(views.size() - 1, "the last layer's activation must be identity (the link follows it)");
    if (summary) {
      summary->n_layers = static_cast<uint32_t>(views.size());
      for (const auto& v : views) summary->n_weights += uint64_t{v.n_in} * v.n_out;
    }
    return std::unique_ptr<Predictor>(new DensePredictor(std::move(views)));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening a dense network");
  }
}

}  // namespace mlmap::model
