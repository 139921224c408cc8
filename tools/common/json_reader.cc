#include "common/json_reader.hpp"

#include <charconv>
#include <cstdlib>
#include <limits>

#include "common/text.hpp"

namespace mlmap::tools {

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "'x'", "end of the body" or "byte 0xff": what was found, for messages.
std::string found(std::string_view text, size_t pos) {
  if (pos >= text.size()) return "the end of the body";
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  static const char hex[] = "0123456789abcdef";
  return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
}

// Length of the UTF-8 sequence starting at s[0] (0: invalid), as RFC 3629
// allows: no overlong forms, no surrogates, nothing past U+10FFFF.
size_t utf8_length(const unsigned char* s, size_t avail) {
  const unsigned c = s[0];
  auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) { return i < avail && s[i] >= lo && s[i] <= hi; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool hex4(std::string_view text, size_t pos, uint32_t& v) {
  if (pos + 4 > text.size()) return false;
  v = 0;
  for (size_t i = 0; i < 4; ++i) {
    const char c = text[pos + i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<uint32_t>(c - 'A' + 10);
    else
      return false;
  }
  return true;
}

}  // namespace

bool JsonReader::fail(const std::string& what) {
  if (!failed_) {
    failed_ = true;
    error_ = "malformed JSON at byte " + std::to_string(pos_) + ": " + what;
  }
  return false;
}

bool JsonReader::fail_expected(const char* expected) {
  return fail(std::string("expected ") + expected + ", found " + found(text_, pos_));
}

void JsonReader::skip_space() noexcept {
  while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
}

JsonReader::Kind JsonReader::peek() {
  if (failed_) return Kind::error;
  skip_space();
  if (pos_ == text_.size()) return Kind::end;
  switch (text_[pos_]) {
    case '{': return Kind::object;
    case '[': return Kind::array;
    case '"': return Kind::string;
    case 't':
    case 'f': return Kind::boolean;
    case 'n': return Kind::null;
    case '-':
    case 'N':
    case 'I': return Kind::number;
    default:
      if (is_digit(text_[pos_])) return Kind::number;
      fail_expected("a value");
      return Kind::error;
  }
}

bool JsonReader::open(char c) {
  if (failed_) return false;
  skip_space();
  if (pos_ == text_.size() || text_[pos_] != c) return fail_expected(c == '[' ? "'['" : "'{'");
  if (depth_ == max_depth_) return fail("nested deeper than " + std::to_string(max_depth_) + " levels");
  ++pos_;
  ++depth_;
  just_opened_ = true;
  return true;
}

bool JsonReader::begin_array() { return open('['); }
bool JsonReader::begin_object() { return open('{'); }

bool JsonReader::next_element() {
  if (failed_) return false;
  skip_space();
  const bool first = just_opened_;
  just_opened_ = false;
  if (pos_ < text_.size() && text_[pos_] == ']') {
    ++pos_;
    --depth_;
    return false;
  }
  if (first) return true;
  if (pos_ == text_.size() || text_[pos_] != ',') return fail_expected("',' or ']' after an array element");
  ++pos_;
  skip_space();
  if (pos_ < text_.size() && text_[pos_] == ']') return fail("a trailing ',' before ']'");
  return true;
}

bool JsonReader::next_member(std::string_view& key) {
  if (failed_) return false;
  skip_space();
  const bool first = just_opened_;
  just_opened_ = false;
  if (pos_ < text_.size() && text_[pos_] == '}') {
    ++pos_;
    --depth_;
    return false;
  }
  if (!first) {
    if (pos_ == text_.size() || text_[pos_] != ',') return fail_expected("',' or '}' after an object member");
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') return fail("a trailing ',' before '}'");
  }
  if (pos_ == text_.size() || text_[pos_] != '"') return fail_expected("a member name in double quotes");
  if (!string_into(key, key_scratch_, nullptr)) return false;
  skip_space();
  if (pos_ == text_.size() || text_[pos_] != ':') return fail_expected("':' after a member name");
  ++pos_;
  return true;
}

bool JsonReader::string_into(std::string_view& out, std::string& scratch, bool* in_text) {
  // text_[pos_] == '"'
  const size_t start = ++pos_;
  const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
  const size_t n = text_.size();
  size_t i = start;
  // Fast path: no escapes.
  for (;;) {
    if (i == n) {
      pos_ = n;
      return fail("a string that never ends");
    }
    const unsigned c = s[i];
    if (c == '"') {
      out = text_.substr(start, i - start);
      pos_ = i + 1;
      if (in_text) *in_text = true;
      return true;
    }
    if (c == '\\') break;
    if (c < 0x20) {
      pos_ = i;
      return fail("a control character in a string (escape it)");
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    const size_t len = utf8_length(s + i, n - i);
    if (len == 0) {
      pos_ = i;
      return fail("invalid UTF-8 in a string");
    }
    i += len;
  }
  scratch.assign(text_.data() + start, i - start);
  while (i < n) {
    const unsigned c = s[i];
    if (c == '"') {
      out = scratch;
      pos_ = i + 1;
      if (in_text) *in_text = false;
      return true;
    }
    if (c < 0x20) {
      pos_ = i;
      return fail("a control character in a string (escape it)");
    }
    if (c >= 0x80) {
      const size_t len = utf8_length(s + i, n - i);
      if (len == 0) {
        pos_ = i;
        return fail("invalid UTF-8 in a string");
      }
      scratch.append(text_.data() + i, len);
      i += len;
      continue;
    }
    if (c != '\\') {
      scratch += static_cast<char>(c);
      ++i;
      continue;
    }
    if (i + 1 == n) break;
    const char e = text_[i + 1];
    i += 2;
    switch (e) {
      case '"': scratch += '"'; break;
      case '\\': scratch += '\\'; break;
      case '/': scratch += '/'; break;
      case 'b': scratch += '\b'; break;
      case 'f': scratch += '\f'; break;
      case 'n': scratch += '\n'; break;
      case 'r': scratch += '\r'; break;
      case 't': scratch += '\t'; break;
      case 'u': {
        uint32_t cp = 0;
        if (!hex4(text_, i, cp)) {
          pos_ = i;
          return fail("\\u must be followed by 4 hexadecimal digits");
        }
        i += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
          pos_ = i;
          return fail("a lone low surrogate \\u escape");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo = 0;
          if (i + 6 > n || text_[i] != '\\' || text_[i + 1] != 'u' || !hex4(text_, i + 2, lo) || lo < 0xDC00 ||
              lo > 0xDFFF) {
            pos_ = i;
            return fail("a high surrogate \\u escape without its low surrogate");
          }
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        append_utf8(scratch, cp);
        break;
      }
      default:
        pos_ = i - 2;
        return fail("unknown escape '\\" + printable(std::string_view(&e, 1)) + "'");
    }
  }
  pos_ = n;
  return fail("a string that never ends");
}

bool JsonReader::read_string(std::string_view& value, bool* in_text) {
  if (failed_) return false;
  skip_space();
  if (pos_ == text_.size() || text_[pos_] != '"') return fail_expected("a string");
  return string_into(value, value_scratch_, in_text);
}

bool JsonReader::literal(std::string_view word) {
  if (text_.compare(pos_, word.size(), word) != 0) return fail_expected("a value");
  const size_t end = pos_ + word.size();
  if (end < text_.size()) {
    const char c = text_[end];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_') return fail_expected("a value");
  }
  pos_ = end;
  return true;
}

bool JsonReader::read_bool(bool& value) {
  if (failed_) return false;
  skip_space();
  if (pos_ < text_.size() && text_[pos_] == 't') {
    value = true;
    return literal("true");
  }
  value = false;
  return literal("false");
}

bool JsonReader::read_null() {
  if (failed_) return false;
  skip_space();
  return literal("null");
}

bool JsonReader::number_token(std::string_view& token) {
  const size_t start = pos_, n = text_.size();
  size_t i = pos_;
  if (i < n && text_[i] == '-') ++i;
  if (i < n && text_[i] == 'I') {  // -Infinity, Infinity
    pos_ = i;
    if (!literal("Infinity")) return false;
    token = text_.substr(start, pos_ - start);
    return true;
  }
  if (i == start && i < n && text_[i] == 'N') {
    if (!literal("NaN")) return false;
    token = text_.substr(start, pos_ - start);
    return true;
  }
  if (i == n || !is_digit(text_[i])) {
    pos_ = i;
    return fail_expected("a digit");
  }
  if (text_[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(text_[i])) ++i;
  }
  if (i < n && text_[i] == '.') {
    ++i;
    if (i == n || !is_digit(text_[i])) {
      pos_ = i;
      return fail_expected("a digit after '.'");
    }
    while (i < n && is_digit(text_[i])) ++i;
  }
  if (i < n && (text_[i] == 'e' || text_[i] == 'E')) {
    ++i;
    if (i < n && (text_[i] == '+' || text_[i] == '-')) ++i;
    if (i == n || !is_digit(text_[i])) {
      pos_ = i;
      return fail_expected("a digit in the exponent");
    }
    while (i < n && is_digit(text_[i])) ++i;
  }
  pos_ = i;
  token = text_.substr(start, i - start);
  return true;
}

namespace {

constexpr double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

}  // namespace

// The common case in one pass: a plain decimal ("-12.345") with at most 19
// significant digits forming m <= 2^53 and at most 22 decimals.  Then m and
// 10^decimals are exact doubles and one IEEE division rounds correctly
// (Clinger's fast path): the same double as from_chars, without a second
// scan of the token.  False, with nothing consumed, for anything else
// (exponents, long mantissas, NaN, malformed text): number_token() and
// from_chars take it.
bool JsonReader::plain_decimal(double& value, std::string_view* token) {
  const size_t start = pos_, n = text_.size();
  const char* c = text_.data();
  size_t i = start;
  const bool negative = i < n && c[i] == '-';
  if (negative) ++i;
  if (i == n || !is_digit(c[i])) return false;
  uint64_t m = 0;
  int digits = 0, decimals = 0;
  if (c[i] == '0') {
    if (++i < n && is_digit(c[i])) return false;  // a leading zero: the general path reports it
  } else {
    for (; i < n && is_digit(c[i]); ++i) {
      if (++digits > 19) return false;
      m = m * 10 + static_cast<unsigned>(c[i] - '0');
    }
  }
  if (i < n && c[i] == '.') {
    const size_t first = ++i;
    for (; i < n && is_digit(c[i]); ++i) {
      ++decimals;
      if (m == 0 && c[i] == '0') continue;  // 0.00x: leading zeros are no significant digits
      if (++digits > 19) return false;
      m = m * 10 + static_cast<unsigned>(c[i] - '0');
    }
    if (i == first) return false;
  }
  if (i < n && (c[i] == 'e' || c[i] == 'E')) return false;
  if (m > (uint64_t{1} << 53) || decimals > 22) return false;
  const double v = static_cast<double>(m) / powers_of_ten[decimals];
  value = negative ? -v : v;
  if (token) *token = text_.substr(start, i - start);
  pos_ = i;
  return true;
}

bool JsonReader::read_number(double& value, std::string_view* token) {
  if (failed_) return false;
  skip_space();
  if (plain_decimal(value, token)) return true;
  std::string_view t;
  if (!number_token(t)) return false;
  if (token) *token = t;
  const char last = t.back();
  if (last == 'N') {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (last == 'y') {  // Infinity
    value = t[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  const char* end = t.data() + t.size();
  auto [p, ec] = std::from_chars(t.data(), end, value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    // 1e999 or 1e-999: strtod gives +-inf or the (sub)normal/zero result, as Python does.
    const std::string copy(t);
    value = std::strtod(copy.c_str(), nullptr);
    return true;
  }
  if (ec != std::errc() || p != end) return fail("unreadable number '" + printable(t) + "'");
  return true;
}

bool JsonReader::skip() {
  switch (peek()) {
    case Kind::object: {
      if (!begin_object()) return false;
      std::string_view key;
      while (next_member(key))
        if (!skip()) return false;
      return !failed_;
    }
    case Kind::array:
      if (!begin_array()) return false;
      while (next_element())
        if (!skip()) return false;
      return !failed_;
    case Kind::string: {
      std::string_view s;
      return read_string(s);
    }
    case Kind::number: {
      std::string_view t;
      skip_space();
      return number_token(t);
    }
    case Kind::boolean: {
      bool b = false;
      return read_bool(b);
    }
    case Kind::null: return read_null();
    case Kind::end: return fail_expected("a value");
    case Kind::error: return false;
  }
  return false;
}

bool JsonReader::finish() {
  if (failed_) return false;
  skip_space();
  if (pos_ != text_.size()) return fail("unexpected " + found(text_, pos_) + " after the end of the document");
  return true;
}

}  // namespace mlmap::tools
