// mlmap convert-keras MODEL.keras|MODEL.h5 OUT.mlmap [--classes a,b,c] — a
// Keras model file to an mlmap file, without Keras or TensorFlow.

#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/model.hpp"
#include "output.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

// "a,b,c" -> labels: integers when every one is an integer, else strings.
ClassLabels parse_classes(const std::string& text) {
  ClassLabels c;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  bool integers = true;
  std::vector<int64_t> values;
  for (const auto& p : parts) {
    size_t used = 0;
    try {
      values.push_back(std::stoll(p, &used));
    } catch (const std::exception&) {
      used = 0;
    }
    integers = integers && used == p.size() && !p.empty() && p.find_first_of(" \t+") == std::string::npos;
  }
  c.kind = integers ? ClassLabels::Kind::integers : ClassLabels::Kind::strings;
  if (integers)
    c.integers = values;
  else
    c.strings = parts;
  return c;
}

int run(const Args& args) {
  const std::string& in = args.positional()[0];
  const std::string& out = args.positional()[1];
  if (auto clash = output_overwrites_input(out, {in})) return usage_error(convert_keras_command(), *clash);
  ImportOptions options;
  if (auto classes = args.value("--classes")) options.classes = parse_classes(*classes);
  std::string bytes;
  if (auto st = read_file(in, options.max_input_bytes, bytes); !st) return fail(st.error());
  auto imported = import_keras(bytes, options);
  if (!imported) return fail(Error(imported.code(), printable(in) + ": " + imported.message()));
  bytes = std::string();
  if (auto st = save(out, imported->description, imported->network); !st) return fail(st.error());
  const ModelDescription& d = imported->description;
  std::printf("OK: %s (%s, %zu layers, %zu features, %s)\n", printable(out).c_str(), printable(d.estimator).c_str(),
              imported->network.layers.size(), d.n_features, task_name(d.task));
  return exit_ok;
}

}  // namespace

const Command& convert_keras_command() {
  static const Command command{
      "convert-keras",
      "MODEL.keras|MODEL.h5 OUT.mlmap [--classes A,B,...]",
      "convert a Keras model file (.keras, or legacy .h5) to an mlmap file",
      "Reads Keras 3 .keras archives and legacy HDF5 .h5 files (model.save(...))\n"
      "without Keras or TensorFlow: Sequential models and Functional models that\n"
      "are a chain of InputLayer, Dense (any built-in activation), Activation,\n"
      "ReLU, LeakyReLU, PReLU, ELU, Softmax, BatchNormalization,\n"
      "LayerNormalization, Normalization, Dropout, GaussianNoise, AlphaDropout,\n"
      "Flatten and Reshape to a vector.  The file predicts as model.predict does.\n"
      "--classes makes a classifier of a model whose output is a softmax (one\n"
      "label per unit) or a sigmoid over one unit (two labels): predict then\n"
      "gives labels, --proba the probabilities.  Labels that are all integers\n"
      "are stored as integers.  OUT is replaced atomically.  Prints `OK: OUT (...)`.",
      ArgSpec{{{"--classes", "A,B,...", "class labels, one per probability"}}, {"MODEL", "OUT.mlmap"}, 2, 2},
      run};
  return command;
}

}  // namespace mlmap::cli
