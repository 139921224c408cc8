// mlmap/json.hpp — a small JSON writer (objects, arrays, strings, numbers,
// booleans, null), indented like Python's json.dumps(indent=2).
//
// What mlmap writes as JSON goes through it: to_json(ModelInfo) (info.hpp),
// and the command line's and the server's answers.  The caller keeps the
// nesting balanced (every begin_ has its end_, a key() precedes each value
// inside an object); the writer does not check it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mlmap {

/// `s` as a JSON string literal, quotes included.  Escapes '"', '\\' and
/// control characters; valid UTF-8 passes through; each byte of an invalid
/// UTF-8 sequence becomes U+FFFD, so the output is always valid JSON.
std::string json_quote(std::string_view s);

class JsonWriter {
 public:
  /// Appends to `out`; `indent` 0 writes everything on one line.
  explicit JsonWriter(std::string& out, int indent = 2) : out_(out), indent_(indent) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  /// The key of the next member (inside an object only).
  void key(std::string_view name);

  void string(std::string_view s);
  void integer(int64_t v);
  void uinteger(uint64_t v);
  /// Shortest round-trip form, always with a '.' or an exponent ("1.0",
  /// "0.1", "1e+16") as Python writes floats; null for NaN and infinities
  /// (JSON has none).
  void number(double v);
  void boolean(bool v);
  void null();

  /// key(name) and the value, written as its C++ type says: bool, signed or
  /// unsigned integer, floating point, or string.
  template <class T>
  void member(std::string_view name, const T& value) {
    key(name);
    if constexpr (std::is_same_v<T, bool>)
      boolean(value);
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
      integer(value);
    else if constexpr (std::is_integral_v<T>)
      uinteger(value);
    else if constexpr (std::is_floating_point_v<T>)
      number(value);
    else
      string(value);
  }

 private:
  void before_value();
  void close(char bracket);
  void newline();

  struct Level {
    bool empty = true;
  };
  std::string& out_;
  int indent_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace mlmap
