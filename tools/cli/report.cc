#include "report.hpp"

#include <cstdio>

#include "commands.hpp"

namespace mlmap::cli {

namespace {

void print_line(const std::string& line) {
  std::fflush(stdout);  // keep the order of what was printed so far
  std::string s = "mlmap: " + line + "\n";
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

int fail(std::string_view message) {
  print_line(printable(message));
  return exit_failure;
}

int fail(const Error& error) { return fail(error.describe()); }

int usage_error(const Command& command, std::string_view message) {
  print_line(printable(message) + "; usage: mlmap " + std::string(command.name) + " " +
             std::string(command.synopsis));
  return exit_usage;
}

}  // namespace mlmap::cli
