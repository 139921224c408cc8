// tools/cli/report.hpp — how the CLI reports failures and shows text.
//
// Every failure is exactly one line on stderr, starting with "mlmap: ".
#pragma once

#include <string>
#include <string_view>

#include "common/text.hpp"
#include "mlmap/error.hpp"

namespace mlmap::cli {

struct Command;

/// Prints "mlmap: <message>" (made one line) to stderr; returns exit_failure.
int fail(std::string_view message);
/// Prints "mlmap: <code name>: <message>" (Error::describe()); returns exit_failure.
int fail(const Error& error);
/// Prints "mlmap: <message>; usage: mlmap <verb> <synopsis>"; returns exit_usage.
int usage_error(const Command& command, std::string_view message);

// Text from the user or a file, made fit for one line (tools/common/text.hpp).
using tools::abbreviated;
using tools::printable;

/// Reads a whole regular file of at most `limit` bytes into `out` (the
/// converters' input): io_error / not_a_file, or import_failed past the limit.
[[nodiscard]] Status read_file(const std::string& path, size_t limit, std::string& out);

}  // namespace mlmap::cli
