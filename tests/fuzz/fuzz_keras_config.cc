// Fuzz target: the Keras importer's own parsing and mapping -- a model config
// (config.json / model_config, untrusted JSON) and the layers' weights --
// without libhdf5 or libzip, whose parsers are theirs.  Input: the config
// text, a NUL byte, then a script of weights: for each layer asked, a count
// of tensors, and per tensor a rank and its dimensions (bytes; values follow
// a fixed pattern, NaN where a dimension byte has its top bit).  Any result
// other than success, import_failed or unsupported_model traps; a network
// that maps must save (or be refused for a non-finite weight), open, verify
// and predict.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.hpp"
#include "importers/keras_layers.hpp"
#include "importers/keras_model.hpp"
#include "mlmap/mlmap.hpp"
#include "mlmap/writer.hpp"

namespace {

using mlmap::error_code;
using namespace mlmap::importers;

bool expected_failure(error_code c) { return c == error_code::import_failed || c == error_code::unsupported_model; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view json = input.substr(0, nul);
  const std::string_view script = nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);
  auto config = keras::ModelConfig::parse(json, script.size() % 2 == 0);
  if (!config) {
    if (!expected_failure(config.code())) __builtin_trap();
    return 0;
  }
  size_t pos = 0;
  auto next = [&]() -> unsigned { return pos < script.size() ? static_cast<unsigned char>(script[pos++]) : 0u; };
  auto weights = [&](const keras::Layer&) -> mlmap::Result<std::vector<Tensor>> {
    std::vector<Tensor> out;
    for (unsigned n = next() % 6; n > 0; --n) {
      Tensor t;
      uint64_t count = 1;
      bool nan = false;
      for (unsigned r = next() % 3; r > 0; --r) {
        const unsigned d = next();
        nan = nan || (d & 0x80);
        t.shape.push_back(d & 0x7f);
        count *= d & 0x7f;
      }
      t.float32 = (count & 1) == 0;
      t.values.resize(count);
      for (uint64_t i = 0; i < count; ++i) t.values[i] = static_cast<float>(0.0625 * static_cast<double>(i % 13) + 0.25);
      if (nan && count) t.values[count / 2] = NAN;
      out.push_back(std::move(t));
    }
    return out;
  };
  auto net = keras::map_chain(config->chain(), weights);
  if (!net) {
    if (!expected_failure(net.code())) __builtin_trap();
    return 0;
  }
  mlmap::ModelDescription d;
  d.estimator = "fuzz.keras";
  d.n_features = net->n_features;
  d.n_outputs = net->spec.layers.back().n_out;
  d.link = net->link;
  static const std::string path = "/tmp/mlmap-fuzz-keras-" + std::to_string(::getpid()) + ".mlmap";
  auto st = mlmap::save(path, d, net->spec);
  if (!st) {
    // A mapped network always chains; only its values (NaN) may be refused.
    if (st.code() != error_code::invalid_model) __builtin_trap();
    return 0;
  }
  auto m = mlmap::Model::open(path, {true, false});
  if (!m) __builtin_trap();
  if (d.n_features <= 4096) {
    std::vector<double> X(3 * d.n_features, 0.5), out(3 * m->output_width());
    if (!m->predict(X.data(), 3, out.data()).ok()) __builtin_trap();
  }
  std::remove(path.c_str());
  return 0;
}

std::vector<std::string> fuzz_seeds() {
  auto with = [](const std::string& json, const std::string& script) { return json + std::string(1, '\0') + script; };
  const std::string policy = R"("dtype":{"module":"keras","class_name":"DTypePolicy","config":{"name":"float32"}})";
  const std::string input = R"({"class_name":"InputLayer","config":{"batch_shape":[null,6],"name":"in"}})";
  auto L = [&](const char* cls, const char* name, const std::string& extra) {
    return std::string(R"({"class_name":")") + cls + R"(","config":{"name":")" + name + R"(",)" + policy +
           (extra.empty() ? "" : "," + extra) + "}}";
  };
  const std::string sequential =
      R"({"class_name":"Sequential","config":{"name":"s","layers":[)" + input + "," +
      L("Dense", "dense", R"("units":8,"activation":"relu","use_bias":true)") + "," +
      L("BatchNormalization", "bn", R"("axis":-1,"epsilon":0.001,"center":true,"scale":true)") + "," +
      L("LayerNormalization", "ln", R"("axis":[-1],"epsilon":0.001,"center":true,"scale":true)") + "," +
      L("PReLU", "prelu", "") + "," + L("Dropout", "drop", R"("rate":0.5)") + "," +
      L("ReLU", "relu", R"("max_value":6,"negative_slope":0.1,"threshold":0.2)") + "," +
      L("Normalization", "norm", R"("axis":-1,"mean":[0.5],"variance":[2.0],"invert":false)") + "," +
      L("Dense", "out", R"("units":3,"activation":"softmax","use_bias":true)") + "]}}";
  // dense: kernel 6x8, bias 8; bn: 4 x [8]; ln: 2 x [8]; prelu: [8]; out: 8x3, 3
  const std::string script = std::string("\x02\x02\x06\x08\x01\x08", 6) + "\x04\x01\x08\x01\x08\x01\x08\x01\x08" +
                             "\x02\x01\x08\x01\x08" + "\x01\x01\x08" + std::string("\x02\x02\x08\x03\x01\x03", 6);
  const std::string functional =
      R"({"class_name":"Functional","config":{"name":"f","layers":[{"class_name":"InputLayer","name":"in","config":{"batch_shape":[null,4],"name":"in"},"inbound_nodes":[]},)"
      R"({"class_name":"Dense","name":"d","config":{"name":"d","units":2,"activation":"gelu"},"inbound_nodes":[{"args":[{"class_name":"__keras_tensor__","config":{"shape":[null,4],"keras_history":["in",0,0]}}],"kwargs":{}}]},)"
      R"({"class_name":"Activation","name":"a","config":{"name":"a","activation":"sigmoid"},"inbound_nodes":[[["d",0,0,{}]]]}],)"
      R"("input_layers":[["in",0,0]],"output_layers":["a",0,0]}})";
  return {with(sequential, script), with(sequential, script + "x"), with(functional, std::string("\x02\x02\x04\x02\x01\x02", 6)),
          with(functional, std::string("\x02\x02\x84\x02\x01\x02", 6)), "{}", "[", with("{\"class_name\":\"Sequential\"}", "")};
}
