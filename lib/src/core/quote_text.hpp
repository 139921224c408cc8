// Text from a file or a caller in an error message: quoted, its control
// bytes, quotes and backslashes escaped (\xNN), cut short.  So a message
// stays one printable line whatever the value holds (a NUL would end it for
// C callers; a newline or a terminal escape would forge log lines).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlmap::core {

std::string quote_text(std::string_view text, size_t max = 48);

}  // namespace mlmap::core
