#include "format/checksum.hpp"

#include <xxhash.h>

namespace mlmap::format {

uint64_t checksum64(const void* data, size_t size) noexcept { return XXH3_64bits(data, size); }

Hash128 checksum128(const void* data, size_t size) noexcept {
  XXH128_hash_t h = XXH3_128bits(data, size);
  return {h.low64, h.high64};
}

std::string to_hex(const Hash128& h) {
  static const char digits[] = "0123456789abcdef";
  std::string s(32, '0');
  for (int i = 0; i < 16; ++i) {
    s[15 - i] = digits[(h.high >> (4 * i)) & 15];
    s[31 - i] = digits[(h.low >> (4 * i)) & 15];
  }
  return s;
}

}  // namespace mlmap::format
