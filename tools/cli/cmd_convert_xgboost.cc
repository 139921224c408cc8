// mlmap convert-xgboost MODEL OUT.mlmap [--best-iteration] — an XGBoost JSON
// or UBJSON model (Booster.save_model("m.json") / "m.ubj"; told apart by
// content) to an mlmap file, without xgboost.

#include <cstdio>
#include <string>

#include "commands.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/model.hpp"
#include "output.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

int run(const Args& args) {
  const std::string& in = args.positional()[0];
  const std::string& out = args.positional()[1];
  if (auto clash = output_overwrites_input(out, {in})) return usage_error(convert_xgboost_command(), *clash);
  ImportOptions options;
  options.use_best_iteration = args.has("--best-iteration");
  std::string bytes;
  if (auto st = read_file(in, options.max_input_bytes, bytes); !st) return fail(st.error());
  auto imported = import_xgboost(bytes, options);
  if (!imported) return fail(Error(imported.code(), printable(in) + ": " + imported.message()));
  bytes = std::string();  // free the input before writing
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
      "MODEL.json|MODEL.ubj OUT.mlmap",
      "convert an XGBoost JSON or UBJSON model (Booster.save_model('m.json' or 'm.ubj')) to an mlmap file",
      "Reads the JSON and UBJSON of xgboost 1.x to 3.x, told apart by content (gbtree\n"
      "or dart; objectives binary:logistic, binary:logitraw, binary:hinge,\n"
      "multi:softprob, multi:softmax, reg:squarederror, reg:absoluteerror,\n"
      "reg:quantileerror, reg:logistic, reg:pseudohubererror, count:poisson,\n"
      "reg:gamma, reg:tweedie, rank:pairwise) without xgboost.  The old binary\n"
      "format and pickles are refused, saying what they are.  The file predicts as\n"
      "Booster.predict does:\n"
      "every tree.  --best-iteration keeps the rounds up to the model's\n"
      "best_iteration, as the scikit-learn wrappers' predict does after early\n"
      "stopping.  OUT is replaced atomically.  Prints `OK: OUT (...)`.",
      ArgSpec{{{"--best-iteration", "", "keep rounds [0, best_iteration] (scikit-learn wrapper semantics)"}},
              {"MODEL", "OUT.mlmap"},
              2,
              2},
      run};
  return command;
}

}  // namespace mlmap::cli
