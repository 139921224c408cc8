#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "format/checksum.hpp"
#include "format/preamble.hpp"
#include "mlmap/writer.hpp"

using namespace mlmap;

TEST_CASE("preamble round-trips and rejects what it must") {
  format::Preamble p;
  p.header_length = 1000;
  p.file_length = 5000;
  p.header_hash = {0x1122334455667788ull, 0x99aabbccddeeff00ull};
  uint8_t bytes[64];
  format::encode_preamble(p, bytes);
  CHECK(std::memcmp(bytes, "MLMAP\r\n\x1a", 8) == 0);

  auto d = format::decode_preamble(bytes, 5000);
  REQUIRE(d.ok());
  CHECK(d->major == 1);
  CHECK(d->minor == 0);  // Preamble's default: a writer sets the lowest minor its file needs
  CHECK(d->header_length == 1000);
  CHECK(d->header_hash == p.header_hash);

  CHECK(format::decode_preamble(bytes, 4999).code() == error_code::truncated);
  CHECK(format::decode_preamble(bytes, 5001).code() == error_code::corrupt_header);
  CHECK(format::decode_preamble(bytes, 10).code() == error_code::file_too_small);

  SUBCASE("a newer major version names both versions") {
    p.major = 2;
    p.minor = 7;
    format::encode_preamble(p, bytes);
    auto r = format::decode_preamble(bytes, 5000);
    CHECK(r.code() == error_code::unsupported_version);
    CHECK(r.message().find("2.7") != std::string::npos);
    CHECK(r.message().find("1." + std::to_string(format::format_minor)) != std::string::npos);
  }
  SUBCASE("a newer minor version is read") {
    p.minor = 9;
    format::encode_preamble(p, bytes);
    CHECK(format::decode_preamble(bytes, 5000).ok());
  }
  SUBCASE("header larger than the file") {
    p.header_length = 4990;
    format::encode_preamble(p, bytes);
    CHECK(format::decode_preamble(bytes, 5000).code() == error_code::truncated);
  }
  SUBCASE("bad magic shows the bytes found") {
    bytes[0] = 'X';
    auto r = format::decode_preamble(bytes, 5000);
    CHECK(r.code() == error_code::bad_magic);
    CHECK(r.message().find("58 4c") != std::string::npos);
  }
}

TEST_CASE("checksums are XXH3 and print as 32 hex digits") {
  const char text[] = "mlmap";
  CHECK(format::checksum64(text, 5) == format::checksum64(text, 5));
  CHECK(format::checksum64(text, 5) != format::checksum64(text, 4));
  auto h = format::checksum128(text, 5);
  auto s = format::to_hex(h);
  CHECK(s.size() == 32);
  CHECK(s.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(format::to_hex({0x1, 0x2}) == "00000000000000020000000000000001");
}

TEST_CASE("thresholds round down to float32: float32(x) <= t iff x <= round_down(t)") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1e3, 1e3);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    const double t = u(rng);
    const float r = round_down_to_float(t);
    CHECK_LE(static_cast<double>(r), t);
    CHECK_GT(static_cast<double>(std::nextafter(r, INFINITY)), t);
    // The float32 neighbourhood of t, where a wrong rounding would show.
    float x = std::nextafter(std::nextafter(r, -INFINITY), -INFINITY);
    for (int k = 0; k < 5; ++k, x = std::nextafter(x, INFINITY)) {
      if ((static_cast<double>(x) <= t) != (x <= r)) FAIL("decision differs at t=" << t);
      ++checked;
    }
  }
  CHECK(checked == 100000);
  CHECK(round_down_to_float(1e300) == std::numeric_limits<float>::max());
  CHECK(round_down_to_float(-1e300) == -std::numeric_limits<float>::infinity());
  CHECK(std::isinf(round_down_to_float(INFINITY)));
  CHECK(round_down_to_float(0.5) == 0.5f);
}
