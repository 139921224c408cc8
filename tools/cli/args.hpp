// tools/cli/args.hpp — a tiny argument parser for one verb's arguments.
//
// Flags are long only ("--json", "--threads N" or "--threads=N"), may appear
// anywhere among the positional arguments, and the last occurrence of a
// repeated flag wins.  "-" is a positional argument (stdin); "--" ends the
// flags.  "-h" and "--help" are always recognised.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlmap::cli {

struct FlagSpec {
  std::string_view name;        // with dashes: "--threads"
  std::string_view value_name;  // empty for a boolean flag, else e.g. "N"
  std::string_view help;        // one line
};

struct ArgSpec {
  std::vector<FlagSpec> flags;
  std::vector<std::string_view> positional_names;  // for messages: {"FILE", "INPUT"}
  size_t min_positional = 0;
  size_t max_positional = 0;
};

class Args {
 public:
  const std::vector<std::string>& positional() const noexcept { return positional_; }
  /// The i-th positional argument, or `fallback` when absent.
  std::string positional_or(size_t i, std::string fallback) const;
  bool has(std::string_view flag) const { return flags_.count(std::string(flag)) != 0; }
  /// The value of a flag that takes one, if given.
  std::optional<std::string> value(std::string_view flag) const;
  bool help() const noexcept { return help_; }

 private:
  friend bool parse_args(const ArgSpec&, int, const char* const*, Args&, std::string&);
  std::vector<std::string> positional_;
  std::map<std::string, std::string, std::less<>> flags_;
  bool help_ = false;
};

/// Parses argv[0..argc) (the arguments after the verb) against `spec`.  On a
/// usage error returns false and sets `error` to one line ("unknown flag
/// '--x'", "missing FILE", ...).  With -h/--help anywhere, returns true with
/// args.help() set and checks nothing else.
bool parse_args(const ArgSpec& spec, int argc, const char* const* argv, Args& args, std::string& error);

/// A non-negative decimal int ("0", "8"); nullopt for anything else.
std::optional<int> parse_non_negative_int(std::string_view text);

}  // namespace mlmap::cli
