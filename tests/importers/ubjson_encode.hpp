// Test support: JSON text (with xgboost's NaN / Infinity literals) to UBJSON
// as xgboost's UBJWriter writes it (src/common/json.cc): keys and strings
// with 'L' int64 lengths, numeric arrays as typed arrays ('$l' int32 or '$d'
// float32, '#L' count), other arrays counted ('#L'), integers in the
// smallest type, other numbers float32 'd'.  Used by the importer's unit
// tests and the UBJSON fuzz target's seeds.  Trusted input only (fixtures):
// malformed JSON throws std::runtime_error.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mlmap::test {

class UbjsonEncoder {
 public:
  explicit UbjsonEncoder(std::string_view json) : s_(json) {}

  std::string encode() {
    std::string out;
    value(out);
    ws();
    if (at_ != s_.size()) throw std::runtime_error("ubjson_encode: trailing text");
    return out;
  }

  template <class T>
  static void big_endian(std::string& out, T v) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (size_t i = sizeof(T); i-- > 0;) out += static_cast<char>(b[i]);
  }

  static void length(std::string& out, int64_t n) {
    out += 'L';
    big_endian(out, n);
  }

 private:
  void ws() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\t' || s_[at_] == '\r')) ++at_;
  }
  char peek() {
    ws();
    if (at_ >= s_.size()) throw std::runtime_error("ubjson_encode: truncated");
    return s_[at_];
  }
  void expect(char c) {
    if (peek() != c) throw std::runtime_error(std::string("ubjson_encode: expected ") + c);
    ++at_;
  }

  std::string string_body() {
    expect('"');
    std::string v;
    while (at_ < s_.size() && s_[at_] != '"') {
      char c = s_[at_++];
      if (c == '\\') {
        const char e = s_[at_++];
        switch (e) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'u': c = static_cast<char>(std::strtol(std::string(s_.substr(at_, 4)).c_str(), nullptr, 16)); at_ += 4; break;
          default: c = e;
        }
      }
      v += c;
    }
    expect('"');
    return v;
  }

  struct Number {
    bool integer;
    long long i;
    float f;
  };

  Number number() {
    ws();
    const size_t start = at_;
    while (at_ < s_.size() && std::strchr("+-0123456789.eENaInfinity", s_[at_])) ++at_;
    const std::string t(s_.substr(start, at_ - start));
    if (t.empty()) throw std::runtime_error("ubjson_encode: bad value");
    Number n{};
    if (t == "NaN") {
      n.f = std::numeric_limits<float>::quiet_NaN();
    } else if (t == "Infinity" || t == "-Infinity") {
      n.f = t[0] == '-' ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
    } else if (t.find_first_of(".eE") == std::string::npos) {
      n.integer = true;
      n.i = std::strtoll(t.c_str(), nullptr, 10);
    } else {
      n.f = std::strtof(t.c_str(), nullptr);
    }
    return n;
  }

  static void integer(std::string& out, long long i) {
    if (i > INT8_MIN && i < INT8_MAX) {
      out += 'i';
      big_endian(out, static_cast<int8_t>(i));
    } else if (i > INT16_MIN && i < INT16_MAX) {
      out += 'I';
      big_endian(out, static_cast<int16_t>(i));
    } else if (i > INT32_MIN && i < INT32_MAX) {
      out += 'l';
      big_endian(out, static_cast<int32_t>(i));
    } else {
      out += 'L';
      big_endian(out, static_cast<int64_t>(i));
    }
  }

  void value(std::string& out) {
    const char c = peek();
    if (c == '{') {
      ++at_;
      out += '{';
      if (peek() == '}') {
        ++at_;
      } else {
        for (;;) {
          const std::string key = string_body();
          length(out, static_cast<int64_t>(key.size()));
          out += key;
          expect(':');
          value(out);
          if (peek() == ',') {
            ++at_;
            continue;
          }
          expect('}');
          break;
        }
      }
      out += '}';
    } else if (c == '[') {
      ++at_;
      std::vector<std::string> items;
      bool numbers = true, ints = true;
      std::vector<Number> nums;
      if (peek() == ']') {
        ++at_;
      } else {
        for (;;) {
          const char d = peek();
          if (d == '{' || d == '[' || d == '"' || d == 't' || d == 'f' || d == 'n') {
            numbers = false;
            std::string item;
            value(item);
            items.push_back(item);
          } else {
            const Number n = number();
            nums.push_back(n);
            ints = ints && n.integer && n.i > INT32_MIN && n.i < INT32_MAX;
            std::string item;
            scalar(item, n);
            items.push_back(item);
          }
          if (peek() == ',') {
            ++at_;
            continue;
          }
          expect(']');
          break;
        }
      }
      numbers = numbers && !items.empty() && nums.size() == items.size();
      out += '[';
      if (numbers) {
        out += '$';
        out += ints ? 'l' : 'd';
        out += '#';
        length(out, static_cast<int64_t>(nums.size()));
        for (const Number& n : nums) {
          if (ints)
            big_endian(out, static_cast<int32_t>(n.i));
          else
            big_endian(out, n.integer ? static_cast<float>(n.i) : n.f);
        }
      } else {
        out += '#';
        length(out, static_cast<int64_t>(items.size()));
        for (const auto& item : items) out += item;
      }
    } else if (c == '"') {
      const std::string v = string_body();
      out += 'S';
      length(out, static_cast<int64_t>(v.size()));
      out += v;
    } else if (s_.substr(at_, 4) == "true") {
      at_ += 4, out += 'T';
    } else if (s_.substr(at_, 5) == "false") {
      at_ += 5, out += 'F';
    } else if (s_.substr(at_, 4) == "null") {
      at_ += 4, out += 'Z';
    } else {
      scalar(out, number());
    }
  }

  static void scalar(std::string& out, const Number& n) {
    if (n.integer) {
      integer(out, n.i);
    } else {
      out += 'd';
      big_endian(out, n.f);
    }
  }

  std::string_view s_;
  size_t at_ = 0;
};

/// `json` as xgboost's UBJSON.
inline std::string ubjson_encode(std::string_view json) { return UbjsonEncoder(json).encode(); }

}  // namespace mlmap::test
