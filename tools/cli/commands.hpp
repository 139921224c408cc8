// tools/cli/commands.hpp — the verbs of the `mlmap` command-line tool.
//
// A verb is a `Command`: its name, its argument grammar (an ArgSpec, see
// args.hpp), one line of help and the function that runs it.  To add a verb:
//   1. write cmd_<verb>.cc defining `const Command& <verb>_command()`,
//   2. declare it below,
//   3. list it in `all_commands()` in main.cc,
//   4. add the file to cli_sources in meson.build.
// main.cc does the rest (dispatch, --help, usage errors).
#pragma once

#include <string>
#include <string_view>

#include "args.hpp"

namespace mlmap::cli {

/// Exit codes: part of the CLI contract.
enum ExitCode : int {
  exit_ok = 0,
  exit_usage = 1,    // unknown verb or flag, missing argument, bad flag value
  exit_failure = 2,  // a bad model or input file, an unwritable output, any mlmap error
};

struct Command {
  std::string_view name;      // "predict"
  std::string_view synopsis;  // positional arguments after the verb: "FILE [INPUT.csv|-]"; the
                              // flags are added from `spec` (full_synopsis)
  std::string_view summary;   // one line for `mlmap --help`
  std::string_view details;   // extra lines for `mlmap VERB --help` (may be empty)
  ArgSpec spec;
  int (*run)(const Args& args);
};

/// The usage line after "mlmap VERB": the synopsis, then "[--flag VALUE]" for
/// each flag of the spec the synopsis does not already show (one table for
/// the usage line and --help).
std::string full_synopsis(const Command& command);

const Command& inspect_command();
const Command& verify_command();
const Command& predict_command();
const Command& convert_xgboost_command();
const Command& convert_lightgbm_command();
const Command& convert_keras_command();
const Command& store_command();
const Command& serve_command();

}  // namespace mlmap::cli
