// mlmap/json.hpp — JSON-shaped values: a receiver interface (ValueWriter)
// and its text form (JsonWriter: objects, arrays, strings, numbers, booleans,
// null, indented like Python's json.dumps(indent=2)).
//
// What mlmap writes as JSON goes through them: ModelInfo (info.hpp's
// write_json_members, to_json), and the command line's and the server's
// answers.  Python's Model.info() receives the same calls into dicts and
// lists, so there is one serialiser and the text and the objects agree.  The
// caller keeps the nesting balanced (every begin_ has its end_, a key()
// precedes each value inside an object); writers do not check it.
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

/// Receives a tree of JSON values, in document order.
class ValueWriter {
 public:
  virtual ~ValueWriter() = default;

  virtual void begin_object() = 0;
  virtual void end_object() = 0;
  virtual void begin_array() = 0;
  virtual void end_array() = 0;
  /// The key of the next member (inside an object only).
  virtual void key(std::string_view name) = 0;

  virtual void string(std::string_view s) = 0;
  virtual void integer(int64_t v) = 0;
  virtual void uinteger(uint64_t v) = 0;
  virtual void number(double v) = 0;
  virtual void boolean(bool v) = 0;
  virtual void null() = 0;

  /// key(name) and the value, given as its C++ type says: bool, signed or
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
};

/// The values as JSON text.
class JsonWriter final : public ValueWriter {
 public:
  /// Appends to `out`; `indent` 0 writes everything on one line.
  explicit JsonWriter(std::string& out, int indent = 2) : out_(out), indent_(indent) {}

  void begin_object() override;
  void end_object() override;
  void begin_array() override;
  void end_array() override;
  void key(std::string_view name) override;

  void string(std::string_view s) override;
  void integer(int64_t v) override;
  void uinteger(uint64_t v) override;
  /// Shortest round-trip form, always with a '.' or an exponent ("1.0",
  /// "0.1", "1e+16") as Python writes floats; null for NaN and infinities
  /// (JSON has none).
  void number(double v) override;
  void boolean(bool v) override;
  void null() override;

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
