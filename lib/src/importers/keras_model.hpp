// A Keras model's architecture (config.json of a `.keras` file, or the
// `model_config` attribute of a legacy `.h5` file) as the chain of layers
// mlmap can import: a Sequential model, or a Functional model whose graph is
// one path from its single input to its single output.  Parsed with simdjson
// (DOM, nesting limited); every field read is checked for its type.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/error.hpp"

namespace mlmap::importers::keras {

/// One layer of the chain, input to output.
struct Layer {
  std::string class_name;         // e.g. "Dense"
  std::string name;               // e.g. "dense_1"
  simdjson::dom::element config;  // the layer's "config" object
  std::string weights_group;      // .keras: "layers/dense_1" (Keras 3's saving path); legacy: "model_weights/<name>"
  std::string describe() const;   // "layer 'dense_1' (Dense)"
};

/// The chain and what the model says about its input.
struct Chain {
  std::string model_class;           // "Sequential", "Functional"
  std::string model_name;
  std::vector<uint64_t> input_shape;  // without the batch dimension; empty when the file does not say
  std::vector<Layer> layers;          // InputLayer excluded
};

/// Owns the parsed JSON the chain's `config` elements point into.
class ModelConfig {
 public:
  /// Parses `json`; `keras_v3` selects the weight paths of a `.keras` file
  /// (else those of a legacy `.h5` file).
  [[nodiscard]] static Result<ModelConfig> parse(std::string_view json, bool keras_v3) noexcept;
  const Chain& chain() const noexcept { return *chain_; }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::unique_ptr<Chain> chain_;
};

// Typed reads of a layer's config fields; errors name the layer and the field.
[[nodiscard]] Result<double> number(const Layer& L, const char* key, double fallback) noexcept;
[[nodiscard]] Result<std::optional<double>> optional_number(const Layer& L, const char* key) noexcept;
[[nodiscard]] Result<bool> boolean(const Layer& L, const char* key, bool fallback) noexcept;
[[nodiscard]] Result<int64_t> integer(const Layer& L, const char* key, int64_t fallback) noexcept;
/// Every number in a (nested) list, or one number; nullopt for null or absent.
[[nodiscard]] Result<std::optional<std::vector<double>>> numbers(const Layer& L, const char* key) noexcept;
/// A string field; `fallback` when absent or null.
[[nodiscard]] Result<std::string> text(const Layer& L, const char* key, const char* fallback) noexcept;
/// An axis field: an integer or a list of one integer; nullopt for null.
[[nodiscard]] Result<std::optional<int64_t>> single_axis(const Layer& L, const char* key, int64_t fallback) noexcept;
/// The name of an activation field: a string, a serialized function
/// ({"class_name": "function", "config": "relu"}), or null ("linear").
[[nodiscard]] Result<std::string> activation_name(const Layer& L, const char* key) noexcept;
/// The layer's dtype policy name ("float32"; "" when absent).
[[nodiscard]] Result<std::string> dtype_policy(const Layer& L) noexcept;
/// Whether the config has `key` with a value other than null / false / 0.
bool is_set(const Layer& L, const char* key) noexcept;

/// Keras' naming.to_snake_case (class name -> saving path component).
std::string to_snake_case(std::string_view class_name);

}  // namespace mlmap::importers::keras
