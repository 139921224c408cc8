// Checksums used by the format: XXH3-64 per column, XXH3-128 over the header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "format/preamble.hpp"

namespace mlmap::format {

uint64_t checksum64(const void* data, size_t size) noexcept;
Hash128 checksum128(const void* data, size_t size) noexcept;
/// 32 lower-case hex digits, high half first.
std::string to_hex(const Hash128& h);

}  // namespace mlmap::format
