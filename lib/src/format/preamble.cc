#include "format/preamble.hpp"

#include <cstring>
#include <string>

#include "format/foreign.hpp"
#include "format/limits.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "mlmap reads little-endian files in place");

namespace mlmap::format {

namespace {

template <class T>
T load(const uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
void store(uint8_t* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

std::string describe_magic(const uint8_t* data) {
  static const char hex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 8; ++i) {
    s += hex[data[i] >> 4];
    s += hex[data[i] & 15];
    if (i < 7) s += ' ';
  }
  return s;
}

}  // namespace

void encode_preamble(const Preamble& p, uint8_t out[64]) noexcept {
  std::memset(out, 0, 64);
  std::memcpy(out, magic, sizeof magic);
  store<uint16_t>(out + 8, p.major);
  store<uint16_t>(out + 10, p.minor);
  store<uint32_t>(out + 12, p.flags);
  store<uint64_t>(out + 16, p.header_offset);
  store<uint64_t>(out + 24, p.header_length);
  store<uint64_t>(out + 32, p.file_length);
  store<uint64_t>(out + 40, p.header_hash.low);
  store<uint64_t>(out + 48, p.header_hash.high);
}

Result<Preamble> decode_preamble(const uint8_t* data, uint64_t file_size) noexcept {
  const bool ours_magic = file_size >= sizeof magic && std::memcmp(data, magic, sizeof magic) == 0;
  if (!ours_magic) {
    const size_t n = file_size < 4096 ? static_cast<size_t>(file_size) : 4096;
    std::string foreign;
    try {
      foreign = describe_foreign(data, n);
    } catch (const std::bad_alloc&) {
    }
    if (!foreign.empty()) return Error(error_code::bad_magic, "not an mlmap file: " + foreign);
  }
  if (file_size < limits::preamble_size)
    return Error(error_code::file_too_small, "file has " + std::to_string(file_size) + " bytes, fewer than the 64-byte preamble");
  if (!ours_magic)
    return Error(error_code::bad_magic, "not an mlmap file: first bytes are " + describe_magic(data) +
                                            ", expected 4d 4c 4d 41 50 0d 0a 1a (\"MLMAP\\r\\n\\x1a\")");
  Preamble p;
  p.major = load<uint16_t>(data + 8);
  p.minor = load<uint16_t>(data + 10);
  p.flags = load<uint32_t>(data + 12);
  p.header_offset = load<uint64_t>(data + 16);
  p.header_length = load<uint64_t>(data + 24);
  p.file_length = load<uint64_t>(data + 32);
  p.header_hash.low = load<uint64_t>(data + 40);
  p.header_hash.high = load<uint64_t>(data + 48);
  const std::string version = std::to_string(p.major) + "." + std::to_string(p.minor);
  const std::string ours = std::to_string(format_major) + "." + std::to_string(format_minor);
  if (p.major > format_major)
    return Error(error_code::unsupported_version, "file format " + version + " is newer than this reader's " + ours +
                                                      "; upgrade mlmap to read it");
  if (p.major == 0)
    return Error(error_code::unsupported_version, "file format " + version + " was never released; this reader reads " + ours);
  if (p.header_offset != limits::preamble_size)
    return Error(error_code::corrupt_header, "header offset is " + std::to_string(p.header_offset) + ", expected 64");
  if (p.file_length > file_size)
    return Error(error_code::truncated, "file has " + std::to_string(file_size) + " bytes but its preamble says " +
                                            std::to_string(p.file_length) + ": truncated or still being written");
  if (p.file_length < file_size)
    return Error(error_code::corrupt_header, "file has " + std::to_string(file_size) + " bytes but its preamble says " +
                                                 std::to_string(p.file_length) + ": unexpected trailing bytes");
  if (p.header_length < 8 || p.header_length > limits::max_header_size)
    return Error(error_code::corrupt_header, "header length " + std::to_string(p.header_length) +
                                                 " is outside [8, " + std::to_string(limits::max_header_size) + "]");
  if (p.header_length > file_size - limits::preamble_size)
    return Error(error_code::truncated, "header of " + std::to_string(p.header_length) + " bytes does not fit in the " +
                                            std::to_string(file_size) + "-byte file");
  return p;
}

}  // namespace mlmap::format
