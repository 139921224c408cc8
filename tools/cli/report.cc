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

std::string printable(std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string abbreviated(std::string_view text, size_t max) {
  if (text.size() <= max) return printable(text);
  size_t cut = max;
  // Don't split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return printable(text.substr(0, cut)) + "...";
}

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
