// XGBoost's UBJSON as JSON text (see ubjson.hpp).  The grammar is that of
// xgboost's UBJReader / UBJWriter (src/common/json.cc, the same in 1.7.4,
// 2.1.4 and 3.2.0): big-endian numbers; strings and keys as a length (xgboost
// writes 'L' int64) and bytes; arrays either '[' values ']', counted
// '[#L n' values, or typed '[$T#L n' with n raw values of type T; objects
// '{' (key value)* '}'.  Integer lengths of any UBJSON integer type are
// accepted, as the UBJSON specification allows.
#include "importers/ubjson.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "importers/json_text.hpp"
#include "importers/xgboost_model.hpp"

namespace mlmap::importers {

namespace {

constexpr std::string_view source = "XGBoost UBJSON";

bool is_int_marker(char c) { return c == 'i' || c == 'U' || c == 'I' || c == 'l' || c == 'L'; }

/// Size in bytes of a typed array's element type; 0 for a type xgboost does
/// not write in typed arrays.
size_t element_size(char type) {
  switch (type) {
    case 'i': case 'U': return 1;
    case 'I': return 2;
    case 'l': case 'd': return 4;
    case 'L': case 'D': return 8;
    default: return 0;
  }
}

std::string marker_text(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  static const char hex[] = "0123456789abcdef";
  return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

class Transcoder {
 public:
  Transcoder(std::string_view in, size_t max_depth, size_t max_text, std::string& out)
      : in_(in), max_depth_(max_depth), max_text_(max_text), out_(out) {}

  Status document() {
    MLMAP_TRY(value(0));
    if (at_ != in_.size())
      return fail("the document ends here, but " + unum(in_.size() - at_) + " more bytes follow");
    return {};
  }

 private:
  Error fail(const std::string& message) const { return malformed(source, "at byte " + unum(at_) + ": " + message); }

  Status need(size_t n, const char* what) const {
    if (in_.size() - at_ < n)
      return fail("truncated: " + std::string(what) + " needs " + unum(n) + " bytes, " + unum(in_.size() - at_) +
                  " left");
    return {};
  }

  Status room() const {
    if (out_.size() > max_text_)
      return fail("the model's JSON text would exceed " + unum(max_text_) + " bytes (the JSON parser's limit)");
    return {};
  }

  /// A big-endian value of `n` bytes, as unsigned.
  uint64_t raw(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(in_[at_ + i]);
    at_ += n;
    return v;
  }

  /// An integer of UBJSON type `type` (already consumed); the bytes are there.
  int64_t integer(char type) {
    switch (type) {
      case 'i': return static_cast<int8_t>(raw(1));
      case 'U': return static_cast<int64_t>(raw(1));
      case 'C': return static_cast<int8_t>(raw(1));  // xgboost reads a char
      case 'I': return static_cast<int16_t>(raw(2));
      case 'l': return static_cast<int32_t>(raw(4));
      default: return static_cast<int64_t>(raw(8));  // 'L'
    }
  }

  /// A length or count: an integer marker and a non-negative value.
  Status length(const char* what, uint64_t& n) {
    MLMAP_TRY(need(1, what));
    const char type = in_[at_];
    if (!is_int_marker(type)) return fail(std::string(what) + ": expected an integer type, found " + marker_text(type));
    ++at_;
    MLMAP_TRY(need(element_size(type), what));
    const int64_t v = integer(type);
    if (v < 0) return fail(std::string(what) + " is negative (" + std::to_string(v) + ")");
    n = static_cast<uint64_t>(v);
    return {};
  }

  void put_int(int64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }

  /// A float32 or float64 as its shortest round-trip decimal; NaN and the
  /// infinities as xgboost's JSON literals.
  template <class F>
  void put_real(F v) {
    if (std::isnan(v)) {
      out_ += "NaN";
    } else if (std::isinf(v)) {
      out_ += v > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[40];
      const auto r = std::to_chars(buf, buf + sizeof buf, v);
      out_.append(buf, r.ptr);
    }
  }

  /// One scalar of type `type` whose bytes are there.
  void put_scalar(char type) {
    switch (type) {
      case 'd': {
        const auto bits = static_cast<uint32_t>(raw(4));
        float f;
        std::memcpy(&f, &bits, 4);
        put_real(f);
        break;
      }
      case 'D': {
        const uint64_t bits = raw(8);
        double d;
        std::memcpy(&d, &bits, 8);
        put_real(d);
        break;
      }
      default: put_int(integer(type));
    }
  }

  /// A string's bytes as a JSON string (UTF-8 is left to the JSON parser).
  Status string(const char* what) {
    uint64_t n = 0;
    MLMAP_TRY(length(what, n));
    MLMAP_TRY(need(n, what));
    const std::string_view s = in_.substr(at_, static_cast<size_t>(n));
    at_ += static_cast<size_t>(n);
    out_ += '"';
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (u < 0x20) {
        static const char hex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += hex[u >> 4];
        out_ += hex[u & 15];
      } else {
        out_ += c;
      }
    }
    out_ += '"';
    return room();
  }

  Status value(size_t depth) {
    MLMAP_TRY(need(1, "a value"));
    const char type = in_[at_++];
    switch (type) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case 'Z': out_ += "null"; return {};
      case 'T': out_ += "true"; return {};
      case 'F': out_ += "false"; return {};
      case 'S': return string("a string");
      case 'C':
        MLMAP_TRY(need(1, "a char"));
        put_scalar(type);
        return room();
      case 'i': case 'U': case 'I': case 'l': case 'L': case 'd': case 'D':
        MLMAP_TRY(need(element_size(type), "a number"));
        put_scalar(type);
        return room();
      case 'H': --at_; return fail("a high-precision number ('H'), which xgboost does not write");
      case 'N': --at_; return fail("a no-op ('N'), which xgboost does not write");
      default:
        --at_;
        return fail("expected a UBJSON value, found " + marker_text(type));
    }
  }

  Status nested(size_t depth) const {
    if (depth > max_depth_) return fail("nesting deeper than " + unum(max_depth_) + " levels");
    return {};
  }

  Status object(size_t depth) {
    MLMAP_TRY(nested(depth));
    out_ += '{';
    for (size_t i = 0;; ++i) {
      MLMAP_TRY(need(1, "an object key or '}'"));
      if (in_[at_] == '}') {
        ++at_;
        break;
      }
      if (i) out_ += ',';
      MLMAP_TRY(string("an object key"));
      out_ += ':';
      MLMAP_TRY(value(depth));
    }
    out_ += '}';
    return {};
  }

  Status array(size_t depth) {
    MLMAP_TRY(nested(depth));
    MLMAP_TRY(need(1, "an array"));
    out_ += '[';
    if (in_[at_] == '$') {  // typed: '$' type '#' count, then raw values
      ++at_;
      MLMAP_TRY(need(2, "a typed array header"));
      const char type = in_[at_];
      const size_t size = element_size(type);
      if (size == 0) return fail("a typed array of " + marker_text(type) + " (expected one of d D i U I l L)");
      ++at_;
      if (in_[at_] != '#') return fail("a typed array without a count: expected '#', found " + marker_text(in_[at_]));
      ++at_;
      uint64_t n = 0;
      MLMAP_TRY(length("a typed array's count", n));
      if (n > (in_.size() - at_) / size)
        return fail("truncated: a typed array of " + unum(n) + " values of " + unum(size) + " bytes, " +
                    unum(in_.size() - at_) + " bytes left");
      for (uint64_t i = 0; i < n; ++i) {
        if (i) out_ += ',';
        put_scalar(type);
        if ((i & 4095) == 0) MLMAP_TRY(room());
      }
    } else if (in_[at_] == '#') {  // counted: '#' count, then n values
      ++at_;
      uint64_t n = 0;
      MLMAP_TRY(length("an array's count", n));
      if (n > in_.size() - at_)  // every value takes at least a byte
        return fail("truncated: an array of " + unum(n) + " values, " + unum(in_.size() - at_) + " bytes left");
      for (uint64_t i = 0; i < n; ++i) {
        if (i) out_ += ',';
        MLMAP_TRY(value(depth));
      }
    } else {
      for (size_t i = 0;; ++i) {
        MLMAP_TRY(need(1, "an array value or ']'"));
        if (in_[at_] == ']') {
          ++at_;
          break;
        }
        if (i) out_ += ',';
        MLMAP_TRY(value(depth));
      }
    }
    out_ += ']';
    return room();
  }

  std::string_view in_;
  size_t at_ = 0;
  size_t max_depth_, max_text_;
  std::string& out_;
};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

}  // namespace

XgbFileKind xgboost_file_kind(std::string_view b) noexcept {
  // JSON has a blank, '"' or '}' after the first '{'; UBJSON a key's length type.
  if (b.size() >= 2 && b[0] == '{' && is_int_marker(b[1])) return XgbFileKind::ubjson;
  if (starts_with(b, "binf") || starts_with(b, "bs64") || starts_with(b, "CONFIG-offset:")) return XgbFileKind::other;
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x80 && b[1] >= 2 && b[1] <= 5) return XgbFileKind::other;
  if (starts_with(b, "\x1f\x8b") || starts_with(b, "BZh") || starts_with(b, "\xfd" "7zXZ") ||
      starts_with(b, "PK\x03\x04") || starts_with(b, "\x28\xb5\x2f\xfd") || starts_with(b, "MLMAP\r\n\x1a"))
    return XgbFileKind::other;
  return XgbFileKind::json;
}

std::string describe_other_file(std::string_view b) {
  const std::string save = "save the model with booster.save_model('model.json') or ('model.ubj')";
  if (starts_with(b, "binf") || starts_with(b, "bs64"))
    return "this is XGBoost's old binary model format (save_model to a name not ending in .json or .ubj, "
           "xgboost < 2.1), which mlmap does not read: load it in xgboost and " + save;
  if (starts_with(b, "CONFIG-offset:"))
    return "this is an XGBoost memory snapshot (Booster.__getstate__ / save_raw('deprecated')), which mlmap does "
           "not read: " + save;
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x80)
    return "this is a Python pickle (pickle.dump or joblib.dump), which mlmap will not read: unpickling runs "
           "arbitrary code; " + save + ", or call mlmap.save(model, path) in Python";
  if (starts_with(b, "\x1f\x8b") || starts_with(b, "BZh") || starts_with(b, "\xfd" "7zXZ") ||
      starts_with(b, "\x28\xb5\x2f\xfd"))
    return "this is a compressed file (gzip, bzip2, xz or zstd; joblib.dump(..., compress=...) writes these): "
           "decompress it if it holds an XGBoost JSON or UBJSON model; mlmap does not unpickle";
  if (starts_with(b, "PK\x03\x04")) return "this is a zip archive, not an XGBoost JSON or UBJSON model";
  if (starts_with(b, "MLMAP\r\n\x1a")) return "this is already an mlmap file: open it with mlmap load / predict";
  return "this is neither XGBoost JSON nor UBJSON";
}

Status ubjson_to_json(std::string_view bytes, size_t max_depth, size_t max_text_bytes, std::string& json) noexcept try {
  json.clear();
  // Most of a model is typed arrays of float32 and int32: about 3 bytes of
  // text per byte.  Reserved up to 64 MiB only: garbage is refused early,
  // before a large reservation would be needed.
  json.reserve(std::min({max_text_bytes, bytes.size() * 3, size_t{64} << 20}));
  // The reader recurses once per level: whatever the caller allows, at most
  // max_recursion levels (an XGBoost model nests about 8 deep).
  constexpr size_t max_recursion = 512;
  return Transcoder(bytes, std::min(max_depth, max_recursion), max_text_bytes, json).document();
} catch (const std::bad_alloc&) {
  json = std::string();
  return Error(error_code::out_of_memory, "out of memory re-encoding an XGBoost UBJSON model");
}

}  // namespace mlmap::importers
