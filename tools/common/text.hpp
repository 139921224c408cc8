// tools/common/text.hpp — untrusted text made fit for a one-line message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlmap::tools {

/// `text` with control characters escaped (\n, \t, \xNN): safe to show on a
/// terminal and on one line.  UTF-8 passes through.
std::string printable(std::string_view text);

/// printable(text), cut to about `max` bytes with "..." when longer.
std::string abbreviated(std::string_view text, size_t max);

/// abbreviated(text, 60) in single quotes: how messages quote a value or a
/// name from the input.
std::string in_quotes(std::string_view text);

/// "1 row", "3 rows".
std::string plural(size_t n, const char* one, const char* many);

}  // namespace mlmap::tools
