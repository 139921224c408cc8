// Keras layers -> mlmap dense-network layers (FORMAT.md §6.1).  Each Keras
// layer of the chain becomes a dense, affine or layer-norm layer, or an
// activation of the layer before it; layers that are the identity at
// inference (Dropout, GaussianNoise, Flatten ...) write nothing.  Anything
// else is refused naming the layer.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "importers/hdf5_image.hpp"
#include "importers/keras_model.hpp"
#include "mlmap/writer.hpp"

namespace mlmap::importers::keras {

/// The variables of one layer in Keras' order (kernel, bias; gamma, beta,
/// moving mean, moving variance; ...), from the weights file.
using WeightFn = std::function<Result<std::vector<Tensor>>(const Layer&)>;

struct Network {
  DenseNetworkSpec spec;
  size_t n_features = 0;
  LinkFunction link = LinkFunction::identity;  // a final softmax / sigmoid becomes the link
  std::string output;                           // what the model outputs, for messages ("softmax over 3 units")
};

/// Maps `chain` to a network; `weights` is asked once per layer that has variables.
[[nodiscard]] Result<Network> map_chain(const Chain& chain, const WeightFn& weights) noexcept;

}  // namespace mlmap::importers::keras
