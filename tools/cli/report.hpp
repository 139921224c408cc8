// tools/cli/report.hpp — how the CLI reports failures and shows text.
//
// Every failure is exactly one line on stderr, starting with "mlmap: ".
#pragma once

#include <string>
#include <string_view>

#include "mlmap/error.hpp"

namespace mlmap::cli {

struct Command;

/// Prints "mlmap: <message>" (made one line) to stderr; returns exit_failure.
int fail(std::string_view message);
/// Prints "mlmap: <code name>: <message>" (Error::describe()); returns exit_failure.
int fail(const Error& error);
/// Prints "mlmap: <message>; usage: mlmap <verb> <synopsis>"; returns exit_usage.
int usage_error(const Command& command, std::string_view message);

/// `text` with control characters escaped (\n, \t, \xNN): safe to show on a
/// terminal and on one line.  UTF-8 passes through.
std::string printable(std::string_view text);

/// printable(text), cut to about `max` bytes with "..." when longer.
std::string abbreviated(std::string_view text, size_t max);

}  // namespace mlmap::cli
