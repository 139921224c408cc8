// mlmap — command-line tool: verb dispatch, help and usage errors.
//
//   mlmap inspect FILE [--json]
//   mlmap verify FILE
//   mlmap predict FILE [INPUT.csv|-] [--proba] [--threads N] [--output OUT]
//
// Exit status: 0 ok, 1 usage error, 2 bad model or input file (one line on
// stderr).  Verbs live in cmd_*.cc; see commands.hpp to add one.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "mlmap/version.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

const std::vector<const Command*>& all_commands() {
  static const std::vector<const Command*> commands = {
      &inspect_command(),
      &verify_command(),
      &predict_command(),
      &convert_xgboost_command(),
      &convert_lightgbm_command(),
      &convert_keras_command(),
      &store_command(),
      &serve_command(),
  };
  return commands;
}

const Command* find_command(std::string_view name) {
  for (const Command* c : all_commands())
    if (c->name == name) return c;
  return nullptr;
}

std::string verb_list() {
  std::string s;
  for (const Command* c : all_commands()) s += (s.empty() ? "" : "|") + std::string(c->name);
  return s;
}

int top_usage_error(const std::string& message) {
  fail(message + "; usage: mlmap {" + verb_list() + "} ARGS... (see 'mlmap --help')");
  return exit_usage;
}

void print_help() {
  std::string s = "usage: mlmap COMMAND ARGS...\n\ncommands:\n";
  for (const Command* c : all_commands()) {
    s += "  mlmap " + std::string(c->name) + " " + full_synopsis(*c) + "\n";
    s += "      " + std::string(c->summary) + "\n";
  }
  s +=
      "\n'mlmap COMMAND --help' describes a command; 'mlmap --version' prints the version.\n"
      "Exit status: 0 success, 1 usage error, 2 bad model or input file (one line on stderr).\n";
  std::fputs(s.c_str(), stdout);
}

void print_command_help(const Command& c) {
  std::string s = "usage: mlmap " + std::string(c.name) + " " + full_synopsis(c) + "\n\n" +
                  std::string(c.summary) + "\n";
  if (!c.spec.flags.empty()) {
    s += "\nflags:\n";
    for (const auto& f : c.spec.flags) {
      std::string flag = std::string(f.name) + (f.value_name.empty() ? "" : " " + std::string(f.value_name));
      flag.resize(std::max<size_t>(flag.size() + 2, 16), ' ');
      s += "  " + flag + std::string(f.help) + "\n";
    }
  }
  if (!c.details.empty()) s += "\n" + std::string(c.details) + "\n";
  std::fputs(s.c_str(), stdout);
}

int dispatch(int argc, const char* const* argv) {
  if (argc < 2) return top_usage_error("missing command");
  const std::string_view verb = argv[1];
  if (verb == "-h" || verb == "--help" || verb == "help") {
    if (verb == "help" && argc > 2) {
      const Command* c = find_command(argv[2]);
      if (!c) return top_usage_error("unknown command '" + std::string(argv[2]) + "'");
      print_command_help(*c);
    } else {
      print_help();
    }
    return exit_ok;
  }
  if (verb == "--version" || verb == "version") {
    std::printf("mlmap %s (file format %d.%d)\n", MLMAP_VERSION, MLMAP_FORMAT_MAJOR, MLMAP_FORMAT_MINOR);
    return exit_ok;
  }
  const Command* command = find_command(verb);
  if (!command) {
    if (!verb.empty() && verb[0] == '-') return top_usage_error("unknown flag '" + std::string(verb) + "'");
    return top_usage_error("unknown command '" + std::string(verb) + "'");
  }
  Args args;
  std::string error;
  if (!parse_args(command->spec, argc - 2, argv + 2, args, error)) return usage_error(*command, error);
  if (args.help()) {
    print_command_help(*command);
    return exit_ok;
  }
  return command->run(args);
}

}  // namespace

}  // namespace mlmap::cli

int main(int argc, char** argv) {
  using namespace mlmap::cli;
  int rc = exit_failure;
  try {
    rc = dispatch(argc, argv);
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what());
  } catch (...) {
    return fail("internal error");
  }
  // A command that failed has said so in its one line (a failed write to
  // standard output included); only a success can still fail here.
  if (rc == exit_ok && (std::fflush(stdout) != 0 || std::ferror(stdout))) {
    const int err = errno;
    return fail(std::string("cannot write standard output: ") + std::strerror(err ? err : EIO));
  }
  return rc;
}
