#include "report.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

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

std::string full_synopsis(const Command& command) {
  std::string s(command.synopsis);
  for (const auto& f : command.spec.flags) {
    const std::string name(f.name);
    // A flag the synopsis shows already (store's "gc DIR --keep N").
    const size_t at = s.find(name);
    if (at != std::string::npos && (at + name.size() == s.size() || s[at + name.size()] == ' ' ||
                                    s[at + name.size()] == ']'))
      continue;
    s += " [" + name + (f.value_name.empty() ? "" : " " + std::string(f.value_name)) + "]";
  }
  return s;
}

int usage_error(const Command& command, std::string_view message) {
  print_line(printable(message) + "; usage: mlmap " + std::string(command.name) + " " + full_synopsis(command));
  return exit_usage;
}

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

}  // namespace mlmap::cli
