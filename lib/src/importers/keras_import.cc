// Import of Keras model files (FORMAT.md §6.1): Keras 3 `.keras` archives
// (config.json + model.weights.h5 in a zip) and legacy HDF5 `.h5` files
// (`model_config` attribute + `model_weights` groups), read without Keras or
// TensorFlow.  keras_model.cc reads the architecture, keras_layers.cc maps
// the layers, this file finds each layer's variables in the weights file.
//
// Weight paths (Keras 3.15's saving code, checked on files it writes):
//   .keras: layers/<snake_case(class)>[_N]/vars/<i>, numbered per class in
//           the order of model.layers; Keras 3.15 also records the layer's
//           name in the `name` attribute of .../vars, which is checked (and
//           searched for when the numbering does not match);
//   .h5:    model_weights/<layer name>/<weight name> for each name of the
//           group's `weight_names` attribute (split into weight_names0,
//           weight_names1, ... when long).
#include <new>
#include <string>
#include <vector>

#include "importers/hdf5_image.hpp"
#include "importers/keras_layers.hpp"
#include "importers/keras_model.hpp"
#include "importers/zip_archive.hpp"
#include "mlmap/importers.hpp"

namespace mlmap {

namespace importers::keras {
namespace {

constexpr uint64_t max_tensor_values = uint64_t{1} << 32;
constexpr size_t max_attribute_bytes = size_t{256} << 20;
constexpr size_t max_variables = 64;

Error failed(const std::string& what) { return Error(error_code::import_failed, "Keras file: " + what); }

// A legacy attribute that Keras splits into name0, name1, ... when it is long.
Result<std::vector<std::string>> split_attribute(const Hdf5Image& h5, const std::string& path, const std::string& name) {
  if (h5.has_attribute(path, name)) return h5.strings(path, name, max_attribute_bytes);
  std::vector<std::string> all;
  for (size_t chunk = 0; chunk < 100000; ++chunk) {
    const std::string part = name + std::to_string(chunk);
    if (!h5.has_attribute(path, part)) {
      if (chunk == 0) return failed("'" + path + "' has no attribute '" + name + "'");
      return all;
    }
    auto s = h5.strings(path, part, max_attribute_bytes);
    if (!s) return s.error();
    all.insert(all.end(), s->begin(), s->end());
  }
  return failed("attribute '" + name + "' of '" + path + "' has too many parts");
}

std::string vars_name(const Hdf5Image& h5, const std::string& vars) {
  if (!h5.has_attribute(vars, "name")) return {};
  auto n = h5.strings(vars, "name", 4096);
  return n && n->size() == 1 ? (*n)[0] : std::string();
}

Result<std::vector<Tensor>> keras3_variables(const Hdf5Image& h5, const Layer& L) {
  std::string vars = L.weights_group + "/vars";
  const std::string recorded = h5.has_group(vars) ? vars_name(h5, vars) : std::string();
  if (!h5.has_group(vars) || (!recorded.empty() && recorded != L.name)) {
    // Search the groups for the one that records this layer's name.
    auto groups = h5.children("layers", 100000);
    if (!groups) return groups.error();
    std::string found;
    for (const auto& g : *groups)
      if (vars_name(h5, "layers/" + g + "/vars") == L.name) found = "layers/" + g + "/vars";
    if (found.empty())
      return failed("model.weights.h5 has no variables for " + L.describe() + " (expected group '" + vars + "')");
    vars = found;
  }
  std::vector<Tensor> out;
  for (size_t i = 0; h5.has_dataset(vars + "/" + std::to_string(i)); ++i) {
    if (i >= max_variables) return failed(L.describe() + " has more than " + std::to_string(max_variables) + " variables");
    auto t = h5.floats(vars + "/" + std::to_string(i), max_tensor_values);
    if (!t) return Error(t.code(), L.describe() + ": " + t.message());
    out.push_back(std::move(*t));
  }
  return out;
}

Result<std::vector<Tensor>> legacy_variables(const Hdf5Image& h5, const Layer& L) {
  const std::string& group = L.weights_group;
  if (!h5.has_group(group)) return failed("model_weights has no group for " + L.describe());
  auto names = split_attribute(h5, group, "weight_names");
  if (!names) return names.error();
  if (names->size() > max_variables) return failed(L.describe() + " has more than " + std::to_string(max_variables) + " weights");
  std::vector<Tensor> out;
  for (const auto& n : *names) {
    auto t = h5.floats(group + "/" + n, max_tensor_values);
    if (!t) return Error(t.code(), L.describe() + ": " + t.message());
    out.push_back(std::move(*t));
  }
  return out;
}

// "keras_version" from metadata.json; empty when absent.
std::string metadata_version(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view v;
  if (parser.parse(json).get(root) || root.type() != simdjson::dom::element_type::OBJECT ||
      root["keras_version"].get_string().get(v) || v.size() > 64)
    return {};
  return std::string(v);
}

}  // namespace
}  // namespace importers::keras

Result<ImportedNetwork> import_keras(std::string_view file, const ImportOptions& options) noexcept {
  using namespace importers;
  using namespace importers::keras;
  try {
    if (file.size() > options.max_input_bytes)
      return failed("the file has " + std::to_string(file.size()) + " bytes, more than the limit of " +
                    std::to_string(options.max_input_bytes));
    std::string config_json, keras_version, format;
    Result<Hdf5Image> h5 = Error(error_code::import_failed, "");
    if (looks_like_zip(file)) {
      format = "keras";
      auto members = read_zip_members(file, {"config.json", "model.weights.h5"}, options.max_input_bytes);
      if (!members) return Error(members.code(), "Keras .keras file: " + members.message());
      auto meta = read_zip_members(file, {"metadata.json"}, 1 << 20);
      if (meta) keras_version = metadata_version((*meta)[0]);
      config_json = std::move((*members)[0]);
      h5 = Hdf5Image::open((*members)[1]);
      if (!h5) return Error(h5.code(), "Keras .keras file, model.weights.h5: " + h5.message());
    } else {
      format = "h5";
      h5 = Hdf5Image::open(file);
      if (!h5) return Error(h5.code(), "neither a Keras .keras archive nor a legacy .h5 file: " + h5.message());
      if (!h5->has_attribute("/", "model_config"))
        return failed("the HDF5 file has no model_config attribute (a weights-only file from save_weights() holds no "
                      "architecture)");
      auto text = h5->strings("/", "model_config", max_attribute_bytes);
      if (!text) return text.error();
      if (text->size() != 1) return failed("model_config is not one string");
      config_json = std::move((*text)[0]);
      if (h5->has_attribute("/", "keras_version")) {
        auto v = h5->strings("/", "keras_version", 64);
        if (v && v->size() == 1) keras_version = (*v)[0];
      }
      if (!h5->has_group("model_weights")) return failed("the HDF5 file has no model_weights group");
    }
    auto config = ModelConfig::parse(config_json, format == "keras");
    if (!config) return config.error();
    const Hdf5Image& weights_file = *h5;
    const bool v3 = format == "keras";
    auto net = map_chain(config->chain(), [&](const Layer& L) {
      return v3 ? keras3_variables(weights_file, L) : legacy_variables(weights_file, L);
    });
    if (!net) return net.error();

    ImportedNetwork out;
    ModelDescription& d = out.description;
    const Chain& chain = config->chain();
    d.estimator = options.estimator.empty() ? "keras." + chain.model_class : options.estimator;
    d.n_features = net->n_features;
    const size_t n_raw = net->spec.layers.back().n_out;
    d.n_outputs = n_raw;
    d.link = net->link;
    if (!options.feature_names.empty() && options.feature_names.size() != d.n_features)
      return Error(error_code::invalid_argument, std::to_string(options.feature_names.size()) + " feature names for " +
                                                     std::to_string(d.n_features) + " input features");
    d.feature_names = options.feature_names;
    if (options.classes.kind != ClassLabels::Kind::none) {
      const size_t k = options.classes.size();
      const bool softmax = net->link == LinkFunction::softmax;
      const bool sigmoid = net->link == LinkFunction::logistic && n_raw == 1;
      if (!softmax && !sigmoid)
        return Error(error_code::invalid_argument,
                     "classes were given, but the model outputs " + net->output +
                         ", not class probabilities (a softmax over 2 or more units, or a sigmoid over 1 unit)");
      const size_t want = softmax ? n_raw : 2;
      if (k != want)
        return Error(error_code::invalid_argument, std::to_string(k) + " classes were given for a model with " +
                                                       std::to_string(want) + " class probabilities (" + net->output + ")");
      d.task = Task::classification;
      d.n_outputs = want;
      d.classes = options.classes;
      d.class_decision = ClassDecision::argmax_outputs;
    }
    d.provenance = options.provenance;
    if (d.provenance.source_library.empty()) d.provenance.source_library = "keras";
    if (d.provenance.source_version.empty()) d.provenance.source_version = keras_version;
    d.metadata = {{"keras.format", format == "keras" ? ".keras" : "legacy .h5"}, {"keras.model_name", chain.model_name}};
    for (const auto& kv : options.metadata) d.metadata.push_back(kv);
    out.network = std::move(net->spec);
    return out;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory importing a Keras model");
  }
}

Status convert_keras(std::string_view file, const std::string& out_path, const ImportOptions& options) noexcept {
  auto imported = import_keras(file, options);
  if (!imported) return imported.status();
  return save(out_path, imported->description, imported->network);
}

}  // namespace mlmap
