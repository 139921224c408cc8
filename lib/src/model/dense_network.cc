#include "model/dense_network.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "format/limits.hpp"
#include "format/schema_enums.hpp"
#include "kernels/dense_view.hpp"

namespace mlmap::model {

// The kernels' activations and layer kinds are the public ones (and so the
// schema's, see format/schema_enums.hpp): the layer reader casts between them.
static_assert(format::same(kernels::Activation::identity, Activation::identity) &&
              format::same(kernels::Activation::relu, Activation::relu) &&
              format::same(kernels::Activation::tanh, Activation::tanh) &&
              format::same(kernels::Activation::logistic, Activation::logistic) &&
              format::same(kernels::Activation::elu, Activation::elu) &&
              format::same(kernels::Activation::selu, Activation::selu) &&
              format::same(kernels::Activation::gelu, Activation::gelu) &&
              format::same(kernels::Activation::gelu_tanh, Activation::gelu_tanh) &&
              format::same(kernels::Activation::silu, Activation::silu) &&
              format::same(kernels::Activation::hard_sigmoid, Activation::hard_sigmoid) &&
              format::same(kernels::Activation::softplus, Activation::softplus) &&
              format::same(kernels::Activation::softsign, Activation::softsign) &&
              format::same(kernels::Activation::softmax, Activation::softmax) &&
              format::same(kernels::Activation::exponential, Activation::exponential) &&
              format::same(kernels::Activation::prelu, Activation::prelu) &&
              format::same(kernels::Activation::leaky_relu, Activation::leaky_relu));
static_assert(format::same(kernels::LayerKind::dense, LayerKind::dense) &&
              format::same(kernels::LayerKind::affine, LayerKind::affine) &&
              format::same(kernels::LayerKind::layer_norm, LayerKind::layer_norm));

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
  // One dense layer without an activation: every score sums every input
  // times a weight.  (A ReLU can turn NaN into 0.)
  bool propagates_nan() const noexcept override {
    return layers_.size() == 1 && layers_[0].kind == kernels::LayerKind::dense &&
           layers_[0].activation == kernels::Activation::identity;
  }

  // Dense models compute in float64, as sklearn does; the first layer widens
  // float rows as it reads them.
  Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }
  Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept override { return run(X, n_rows, raw); }

  // A linear model: one dense layer, identity activation.
  bool takes_sparse() const noexcept override { return propagates_nan(); }
  // raw[i, o] = bias[o] + sum over the row's entries of value * W[position, o],
  // entries in the order given (sklearn sums a CSR row in index order: the
  // same terms, within rounding).
  Status raw_scores_sparse(const SparseRows& X, size_t n_rows, double* raw) const noexcept override {
    if (!takes_sparse()) return Predictor::raw_scores_sparse(X, n_rows, raw);
    const auto& L = layers_[0];
    const size_t n_out = L.n_out, n_in = L.n_in;
    for (size_t i = 0; i < n_rows; ++i) {
      double* out = raw + i * n_out;
      for (size_t o = 0; o < n_out; ++o) out[o] = 0;
      for (size_t e = X.begin[i]; e < X.begin[i + 1]; ++e) {
        const size_t p = std::min<size_t>(X.position[e], n_in - 1);  // clamped: positions come from the file
        const double v = X.value[e];
        if (L.out_in)
          for (size_t o = 0; o < n_out; ++o) out[o] += v * L.weights[o * n_in + p];
        else
          for (size_t o = 0; o < n_out; ++o) out[o] += v * L.weights[p * n_out + o];
      }
      if (L.bias.present())
        for (size_t o = 0; o < n_out; ++o) out[o] += L.bias[o];
    }
    return {};
  }

  Status verify() const noexcept override {
    for (size_t l = 0; l < layers_.size(); ++l) {
      const auto& L = layers_[l];
      const uint64_t n_weights = L.kind == kernels::LayerKind::dense ? uint64_t{L.n_in} * L.n_out : L.n_out;
      if (auto st = finite(L.weights, n_weights, l, "weight"); !st) return st;
      if (auto st = finite(L.bias, L.n_out, l, "bias"); !st) return st;
      if (auto st = finite(L.alpha, L.n_out, l, "alpha"); !st) return st;
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

  static Status finite(const kernels::Values& v, uint64_t n, size_t l, const char* what) noexcept {
    for (uint64_t i = 0; v.present() && i < n; ++i)
      if (!std::isfinite(v[i]))
        return Error(error_code::invalid_model, "layer " + str(l) + ": " + what + " " + str(i) + " is not finite");
    return {};
  }

  std::vector<DenseLayerView> layers_;
  uint32_t widest_ = 0;
};

Error bad_layer(size_t l, const std::string& what) {
  return Error(error_code::invalid_model, "dense layer " + str(l) + ": " + what);
}

// A layer column of `count` values, Float64 or Float32 as `dtype` (the
// layer's): absent (-1) is allowed where `optional`.
Status layer_column(const format::FileView& file, int32_t index, uint64_t count, fb::DType dtype, bool optional,
                    const std::string& role, kernels::Values& out) {
  if (index < 0 && optional) return {};
  if (dtype == fb::DType::Float32) {
    auto c = file.column<float>(index, count, role.c_str());
    if (!c) return c.error();
    out.f32 = *c;
  } else {
    auto c = file.column<double>(index, count, role.c_str());
    if (!c) return c.error();
    out.f64 = *c;
  }
  return {};
}

// The layer's parameters from the header: each must be a number the
// activation can use (checked at open, like every header value).
Status read_params(size_t l, const fb::DenseLayer& L, DenseLayerView& v) {
  auto& p = v.params;
  p.relu_slope = L.relu_slope();
  p.relu_threshold = L.relu_threshold();
  p.relu_max = L.relu_max();
  p.elu_alpha = L.elu_alpha();
  p.softplus_beta = L.softplus_beta();
  p.softplus_threshold = L.softplus_threshold();
  v.epsilon = L.epsilon();
  if (!std::isfinite(p.relu_slope) || !std::isfinite(p.relu_threshold) || std::isnan(p.relu_max) || p.relu_max < 0)
    return bad_layer(l, "relu parameters must be finite numbers and relu_max >= 0");
  if (!std::isfinite(p.elu_alpha)) return bad_layer(l, "elu_alpha is not finite");
  if (!std::isfinite(p.softplus_beta) || p.softplus_beta <= 0 || std::isnan(p.softplus_threshold))
    return bad_layer(l, "softplus_beta must be finite and positive, softplus_threshold a number");
  if (!std::isfinite(v.epsilon) || v.epsilon < 0) return bad_layer(l, "epsilon must be finite and >= 0");
  if (v.activation == kernels::Activation::relu && !p.plain_relu())
    return bad_layer(l, "a Relu activation with relu_* parameters (those belong to LeakyRelu)");
  if (v.kind == kernels::LayerKind::layer_norm && v.epsilon == 0)
    return bad_layer(l, "a layer-norm layer needs epsilon > 0 (a constant row would divide by zero)");
  return {};
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
      LayerKind kind{};
      if (L.layout() > fb::WeightLayout::MAX || !format::from_schema(L.activation(), activation) ||
          !format::from_schema(L.kind(), kind))
        return Error(error_code::unsupported_model, "dense layer " + str(l) + " has a kind (" +
                                                        str(static_cast<unsigned>(L.kind())) + "), layout or activation (" +
                                                        str(static_cast<unsigned>(L.activation())) +
                                                        ") unknown to this reader");
      DenseLayerView v;
      v.kind = static_cast<kernels::LayerKind>(kind);
      v.n_in = L.n_in();
      v.n_out = L.n_out();
      v.out_in = L.layout() == fb::WeightLayout::OutIn;
      v.activation = static_cast<kernels::Activation>(activation);
      if (auto st = read_params(l, L, v); !st) return st.error();
      const bool dense = v.kind == kernels::LayerKind::dense;
      if (!dense && v.n_in != v.n_out)
        return bad_layer(l, "an affine or layer-norm layer keeps its width, but n_in " + str(v.n_in) + " != n_out " +
                                str(v.n_out));
      // The layer's dtype: its weights' (or, without weights, its bias' or alpha's).
      const int32_t first = L.weights() >= 0 ? L.weights() : L.bias() >= 0 ? L.bias() : L.alpha();
      fb::DType dtype = fb::DType::Float64;
      const std::string role = "layer" + str(l);
      if (first >= 0 || dense) {
        auto dt = file.column_dtype(first, (role + ".weights").c_str());
        if (!dt) return dt.error();
        if (*dt != fb::DType::Float32 && *dt != fb::DType::Float64)
          return Error(error_code::column_mismatch, "dense layer " + str(l) + ": columns must be Float64 or Float32, not " +
                                                        format::dtype_name(*dt));
        dtype = *dt;
      }
      const uint64_t n_weights = dense ? uint64_t{v.n_in} * v.n_out : v.n_out;
      if (auto st = layer_column(file, L.weights(), n_weights, dtype, !dense, role + ".weights", v.weights); !st)
        return st.error();
      if (auto st = layer_column(file, L.bias(), v.n_out, dtype, true, role + ".bias", v.bias); !st) return st.error();
      const bool prelu = v.activation == kernels::Activation::prelu;
      if (!prelu && L.alpha() >= 0) return bad_layer(l, "an alpha column belongs to a PRelu activation only");
      if (auto st = layer_column(file, L.alpha(), v.n_out, dtype, !prelu, role + ".alpha", v.alpha); !st)
        return st.error();
      views.push_back(v);
      width = v.n_out;
    }
    if (width != n_raw)
      return Error(error_code::invalid_model, "the last dense layer gives " + str(width) + " values, the model needs " +
                                                  str(n_raw) + " raw scores");
    if (summary) {
      summary->n_layers = static_cast<uint32_t>(views.size());
      for (const auto& v : views)
        summary->n_weights += v.kind == kernels::LayerKind::dense ? uint64_t{v.n_in} * v.n_out : v.n_out;
    }
    return std::unique_ptr<Predictor>(new DensePredictor(std::move(views)));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening a dense network");
  }
}

}  // namespace mlmap::model
