// tools/common/json_reader.hpp — a streaming (pull) JSON reader over a
// buffer: the caller reads one value at a time, straight into its own
// structures (a request's rows go into a Batch as they are read), and the
// reader itself holds only its position, a nesting count and two scratch
// strings for text with escapes.
//
// Why not a DOM or simdjson On-Demand: simdjson's first stage writes a
// 4-byte index entry per structural character before any value is read --
// 4x the body for {"instances": [[0,0,0,...]]} -- and its DOM took 13x (a
// 64 MiB body peaked at 876 MB).  Here peak memory is the body plus what the
// caller keeps.
//
// Grammar: RFC 8259, strictly -- no comments, no trailing commas, no leading
// zeros or '+', strings must be valid UTF-8 without raw control characters,
// \u escapes must pair their surrogates -- plus the bare tokens NaN, Infinity
// and -Infinity that Python's json.dumps writes for float('nan') and
// float('inf'), read as numbers.  Nesting deeper than `max_depth` is an
// error.  After an error every call returns false (or Kind::error) and
// error() says what was found where.
//
//   JsonReader r(body, 32);
//   if (!r.begin_object()) ...
//   std::string_view key;
//   while (r.next_member(key)) { if (key == "x") r.read_number(x); else r.skip(); }
//   if (r.failed() || !r.finish()) ... r.error()
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlmap::tools {

class JsonReader {
 public:
  enum class Kind { object, array, string, number, boolean, null, end, error };

  /// Reads `text` (which must outlive the reader and every view it returns).
  explicit JsonReader(std::string_view text, size_t max_depth = 64) : text_(text), max_depth_(max_depth) {}

  /// The kind of the next value (after whitespace), without consuming it;
  /// Kind::end at the end of the text.  A character that starts no value is
  /// an error.
  Kind peek();

  /// Consumes '['; then `while (next_element()) <read one value>` reads the
  /// elements: false at the closing ']' (consumed) or on an error.
  bool begin_array();
  bool next_element();
  /// Consumes '{'; then `while (next_member(key)) <read the value>`.  `key`
  /// stays valid until the next next_member().
  bool begin_object();
  bool next_member(std::string_view& key);

  /// A number (or NaN / Infinity / -Infinity).  A decimal beyond the double
  /// range reads as +-infinity or 0, as Python's float() reads it.  `token`,
  /// if given, gets the number's text.
  bool read_number(double& value, std::string_view* token = nullptr);
  /// A string, unescaped.  The view stays valid until the next string value
  /// is read, or for as long as the text when `in_text` comes back true (the
  /// string had no escapes and points into the text).
  bool read_string(std::string_view& value, bool* in_text = nullptr);
  bool read_bool(bool& value);
  bool read_null();
  /// Skips one value of any kind.
  bool skip();
  /// True if only whitespace is left after the value read last.
  bool finish();

  bool failed() const noexcept { return failed_; }
  /// "malformed JSON at byte 17: expected ',' or ']' after an array element, found 'x'".
  const std::string& error() const noexcept { return error_; }
  /// Bytes consumed so far.
  size_t offset() const noexcept { return pos_; }

 private:
  bool fail(const std::string& what);
  bool fail_expected(const char* expected);
  void skip_space() noexcept;
  bool open(char c);
  bool literal(std::string_view word);
  bool string_into(std::string_view& out, std::string& scratch, bool* in_text);
  bool number_token(std::string_view& token);
  bool plain_decimal(double& value, std::string_view* token);

  std::string_view text_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  size_t max_depth_;
  bool just_opened_ = false;  // right after '[' or '{': no ',' before the first item
  bool failed_ = false;
  std::string error_;
  std::string key_scratch_;
  std::string value_scratch_;
};

}  // namespace mlmap::tools
