// Raw JSON text before the parser sees it: the structure check and the
// number tokens (see json_text.hpp).
#include "importers/json_text.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <new>
#include <string>
#include <system_error>

#include "importers/xgboost_model.hpp"

namespace mlmap::importers {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

Error failed(const std::string& message) { return malformed("XGBoost JSON", message); }

}  // namespace

std::string_view trim(std::string_view t) noexcept {
  while (!t.empty() && is_ws(t.back())) t.remove_suffix(1);
  while (!t.empty() && is_ws(t.front())) t.remove_prefix(1);
  return t;
}

bool number_syntax(std::string_view t, bool& integer) noexcept {
  size_t i = 0;
  const size_t n = t.size();
  if (i < n && t[i] == '-') ++i;
  if (i >= n) return false;
  if (t[i] == '0') {
    ++i;
  } else if (t[i] >= '1' && t[i] <= '9') {
    while (i < n && is_digit(t[i])) ++i;
  } else {
    return false;
  }
  integer = true;
  if (i < n && t[i] == '.') {
    const size_t d = ++i;
    while (i < n && is_digit(t[i])) ++i;
    if (i == d) return false;
    integer = false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    const size_t d = i;
    while (i < n && is_digit(t[i])) ++i;
    if (i == d) return false;
    integer = false;
  }
  return i == n;
}

namespace {

/// For a valid number token whose value is outside float32's range: whether
/// it is tiny (|v| < 1) rather than huge.  Decimal exponent of the leading
/// nonzero digit, computed without converting.
bool out_of_range_is_tiny(std::string_view t) {
  size_t i = t.size() && t[0] == '-' ? 1 : 0;
  size_t int_digits = 0;
  for (size_t j = i; j < t.size() && is_digit(t[j]); ++j) ++int_digits;
  long long lead = std::numeric_limits<long long>::min();
  long long k = static_cast<long long>(int_digits) - 1;
  for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
    if (t[i] == '.') continue;
    if (t[i] != '0' && lead == std::numeric_limits<long long>::min()) lead = k;
    --k;
  }
  long long exp = 0;
  if (i < t.size()) {
    ++i;
    bool neg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    for (; i < t.size(); ++i) exp = std::min<long long>(exp * 10 + (t[i] - '0'), 1000000000LL);
    if (neg) exp = -exp;
  }
  if (lead == std::numeric_limits<long long>::min()) return true;  // all zeros (cannot be out of range)
  return lead + exp < 0;
}

}  // namespace

bool parse_float_token(std::string_view t, float& out) noexcept {
  constexpr float inf = std::numeric_limits<float>::infinity();
  if (t == "NaN") {
    out = std::numeric_limits<float>::quiet_NaN();
    return true;
  }
  if (t == "Infinity") {
    out = inf;
    return true;
  }
  if (t == "-Infinity") {
    out = -inf;
    return true;
  }
  bool integer = false;
  if (!number_syntax(t, integer)) return false;
  float v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    const bool negative = t[0] == '-';
    v = out_of_range_is_tiny(t) ? (negative ? -0.0f : 0.0f) : (negative ? -inf : inf);
  } else if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
    return false;
  }
  out = v;
  return true;
}

bool parse_int_token(std::string_view t, long long& out) noexcept {
  bool integer = false;
  if (!number_syntax(t, integer) || !integer) return false;
  long long v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return false;
  out = v;
  return true;
}

Status check_json_structure(std::string_view s, size_t max_depth) noexcept try {
  size_t depth = 0;
  std::string stack;  // the open brackets: at most max_depth bytes
  bool root_done = false;
  const size_t n = s.size();
  size_t i = 0;
  while (i < n && is_ws(s[i])) ++i;
  if (i == n) return failed("the input is empty");
  if (s[i] != '{') return failed("the input is not a JSON object (byte " + unum(i) + " is " + quote_text(s.substr(i, 1)) + ")");
  for (; i < n; ++i) {
    const char c = s[i];
    if (root_done) {
      if (!is_ws(c)) return failed("unexpected text after the JSON object at byte " + unum(i));
      continue;
    }
    switch (c) {
      case '"': {
        const size_t start = i++;
        for (;; ++i) {
          if (i >= n) return failed("the input ends inside a string that starts at byte " + unum(start) + " (truncated?)");
          const auto d = static_cast<unsigned char>(s[i]);
          if (d == '"') break;
          if (d == '\\') {
            ++i;  // the escaped byte; the loop's check catches the end
            continue;
          }
          if (d < 0x20) return failed("control character in a string at byte " + unum(i));
        }
        break;
      }
      case '{':
      case '[':
        if (depth >= max_depth)
          return failed("JSON nesting deeper than " + unum(max_depth) + " levels at byte " + unum(i));
        stack.push_back(c);
        ++depth;
        break;
      case '}':
      case ']':
        if (depth == 0 || stack.back() != (c == '}' ? '{' : '['))
          return failed("unbalanced " + quote_text(std::string_view(&s[i], 1)) + " at byte " + unum(i));
        stack.pop_back();
        if (--depth == 0) root_done = true;
        break;
      default:
        break;
    }
  }
  if (depth != 0) return failed("the input ends inside " + unum(depth) + " unclosed objects or arrays (truncated?)");
  return {};
} catch (const std::bad_alloc&) {
  return Error(error_code::out_of_memory, "out of memory checking the JSON text");
}

}  // namespace mlmap::importers
