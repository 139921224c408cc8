// mlmap convert-xgboost MODEL.json OUT.mlmap [--best-iteration] — an XGBoost
// JSON model (Booster.save_model("m.json")) to an mlmap file, without xgboost.

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/model.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

/// Reads a whole regular file of at most `limit` bytes.
Status read_file(const std::string& path, size_t limit, std::string& out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Error(error_code::io_error, "cannot open '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Error(error_code::not_a_file, "'" + path + "' is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > limit)
    return Error(error_code::import_failed, "'" + path + "' has " + std::to_string(st.st_size) +
                                                " bytes, more than the limit of " + std::to_string(limit));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error(error_code::io_error, "cannot open '" + path + "': " + std::strerror(errno));
  out.clear();
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    if (out.size() + n > limit) {
      std::fclose(f);
      return Error(error_code::import_failed, "'" + path + "' is larger than the limit of " + std::to_string(limit) + " bytes");
    }
    out.append(buf, n);
  }
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return Error(error_code::io_error, "cannot read '" + path + "': " + std::strerror(err));
  return {};
}

int run(const Args& args) {
  const std::string& in = args.positional()[0];
  const std::string& out = args.positional()[1];
  ImportOptions options;
  options.use_best_iteration = args.has("--best-iteration");
  std::string json;
  if (auto st = read_file(in, options.max_input_bytes, json); !st) return fail(st.error());
  auto imported = import_xgboost_json(json, options);
  if (!imported) return fail(Error(imported.code(), printable(in) + ": " + imported.message()));
  json = std::string();  // free the text before writing
  if (auto st = save(out, imported->description, imported->trees); !st) return fail(st.error());
  const ModelDescription& d = imported->description;
  std::string objective;
  for (const auto& [k, v] : d.metadata)
    if (k == "xgboost.objective") objective = v;
  std::printf("OK: %s (xgboost %s, %zu trees, %zu features, %s)\n", printable(out).c_str(),
              printable(objective).c_str(), imported->trees.n_trees(), d.n_features, task_name(d.task));
  return exit_ok;
}

}  // namespace

const Command& convert_xgboost_command() {
  static const Command command{
      "convert-xgboost",
      "MODEL.json OUT.mlmap [--best-iteration]",
      "convert an XGBoost JSON model (Booster.save_model('m.json')) to an mlmap file",
      "Reads xgboost 1.x JSON (gbtree or dart; objectives binary:logistic,\n"
      "binary:logitraw, multi:softprob, multi:softmax, reg:squarederror,\n"
      "reg:logistic, reg:pseudohubererror, count:poisson, reg:gamma, reg:tweedie,\n"
      "rank:pairwise) without xgboost.  The file predicts as Booster.predict does:\n"
      "every tree.  --best-iteration keeps the rounds up to the model's\n"
      "best_iteration, as the scikit-learn wrappers' predict does after early\n"
      "stopping.  OUT is replaced atomically.  Prints `OK: OUT (...)`.",
      ArgSpec{{{"--best-iteration", "", "keep rounds [0, best_iteration] (scikit-learn wrapper semantics)"}},
              {"MODEL.json", "OUT.mlmap"},
              2,
              2},
      run};
  return command;
}

}  // namespace mlmap::cli
