// The fixed 64-byte preamble at the start of every mlmap file (FORMAT.md §2).
#pragma once

#include <cstdint>

#include "mlmap/error.hpp"

namespace mlmap::format {

constexpr uint8_t magic[8] = {'M', 'L', 'M', 'A', 'P', '\r', '\n', 0x1a};
constexpr uint16_t format_major = 1;
constexpr uint16_t format_minor = 1;  // the newest minor this reader and writer know (FORMAT.md §13)

struct Hash128 {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const Hash128& o) const noexcept { return low == o.low && high == o.high; }
  bool operator!=(const Hash128& o) const noexcept { return !(*this == o); }
};

struct Preamble {
  uint16_t major = format_major;
  uint16_t minor = 0;  // a writer sets the lowest minor that expresses its file (FORMAT.md §13)
  uint32_t flags = 0;             // reserved, written as 0
  uint64_t header_offset = 64;
  uint64_t header_length = 0;
  uint64_t file_length = 0;
  Hash128 header_hash;            // XXH3-128 of the header bytes
};

void encode_preamble(const Preamble& p, uint8_t out[64]) noexcept;

/// Decodes and checks the preamble against the actual file size: magic,
/// version, header placement and the declared file length.
[[nodiscard]] Result<Preamble> decode_preamble(const uint8_t* data, uint64_t file_size) noexcept;

}  // namespace mlmap::format
