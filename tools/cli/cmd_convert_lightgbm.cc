// mlmap convert-lightgbm MODEL.txt OUT.mlmap [--num-iteration N]
// [--pandas-categorical NAMES] — a LightGBM text model
// (Booster.save_model("model.txt")) to an mlmap file, without lightgbm.

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "commands.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/model.hpp"
#include "output.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

Result<std::string> read_model_text(const std::string& path, size_t limit) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error(error_code::io_error, "cannot open '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Error(error_code::not_a_file, "'" + path + "' is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > limit)
    return Error(error_code::import_failed, "'" + path + "' has " + std::to_string(st.st_size) +
                                                " bytes, more than the limit of " + std::to_string(limit));
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(error_code::io_error, "cannot open '" + path + "': " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return Error(error_code::io_error, "cannot read '" + path + "'");
  if (text.size() > limit) return Error(error_code::import_failed, "'" + path + "' grew past the size limit while read");
  return text;
}

std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

int run(const Args& args) {
  const std::string& in = args.positional()[0];
  const std::string& out = args.positional()[1];
  if (auto clash = output_overwrites_input(out, {in})) return usage_error(convert_lightgbm_command(), *clash);
  ImportOptions options;
  if (auto n = args.value("--num-iteration")) {
    auto k = parse_non_negative_int(*n);
    if (!k) return usage_error(convert_lightgbm_command(), "--num-iteration takes a whole number >= 0, not '" + *n + "'");
    options.iteration_end = static_cast<uint64_t>(*k);
  }
  if (auto names = args.value("--pandas-categorical")) options.pandas_categorical_columns = split_names(*names);
  auto text = read_model_text(in, options.max_input_bytes);
  if (!text) return fail(text.error());
  auto imported = import_lightgbm_text(*text, options);
  if (!imported) return fail(Error(imported.code(), printable(in) + ": " + imported.message()));
  *text = std::string();  // free the text before writing
  if (auto st = save_imported(out, *imported); !st) return fail(st.error());
  const ModelDescription& d = imported->description;
  std::string objective;
  for (const auto& [k, v] : d.metadata)
    if (k == "lightgbm.objective") objective = v;
  std::printf("OK: %s (lightgbm %s, %zu trees, %zu features, %s)\n", printable(out).c_str(),
              printable(objective).c_str(), imported->trees.n_trees(), d.n_features, task_name(d.task));
  return exit_ok;
}

}  // namespace

const Command& convert_lightgbm_command() {
  static const Command command{
      "convert-lightgbm",
      "MODEL.txt OUT.mlmap [--num-iteration N] [--pandas-categorical NAMES]",
      "convert a LightGBM text model (Booster.save_model('model.txt')) to an mlmap file",
      "Reads LightGBM 2.x-4.x text models (gbdt, dart, goss, rf; objectives binary,\n"
      "cross_entropy, multiclass, multiclassova, regression, regression_l1, huber,\n"
      "fair, quantile, mape, poisson, gamma, tweedie, lambdarank, rank_xendcg)\n"
      "without lightgbm.  The file predicts as Booster.predict does on the saved\n"
      "iterations (save_model keeps those up to the best iteration).  A model\n"
      "trained on pandas categorical columns maps a DataFrame's category values to\n"
      "LightGBM's codes.  Linear trees are refused.  OUT is replaced atomically.\n"
      "Prints `OK: OUT (...)`.",
      ArgSpec{{{"--num-iteration", "N", "keep the first N iterations (LightGBM's num_iteration; 0: all)"},
               {"--pandas-categorical", "NAMES",
                "comma-separated columns that were pandas categoricals, when the model cannot tell"}},
              {"MODEL.txt", "OUT.mlmap"},
              2,
              2},
      run};
  return command;
}

}  // namespace mlmap::cli
