// tools/common/csv.hpp — streaming CSV reading and writing (the CLI's input
// and output, the server's CSV bodies).
//
// Reading: comma-separated records, "\n" or "\r\n" line ends, fields
// optionally in double quotes ("" is a quote inside them; quoted fields may
// span lines).  Unquoted fields are trimmed of spaces and tabs.  Blank lines
// are skipped, and a UTF-8 byte-order mark at the start is dropped.  Memory
// is one buffer plus the current record.
//
// Numbers: parse_number() reads a field as Python's float() reads a decimal
// string (std::from_chars, correctly rounded); the field is "missing" (NaN)
// when it is empty, "NA", or any spelling of "nan".  format_number() prints
// the shortest text that reads back to the same double (std::to_chars).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlmap::tools {

/// Missing-value tokens (the field is NaN): "", "NA", "nan", "NaN" (and, as
/// std::from_chars reads them, "NAN", "-nan" ...).
bool is_missing_token(std::string_view field);

/// Parses a number ("1.5", "-2e-3", "+7", "inf"); missing tokens give NaN.
/// Returns false if `field` is not a number.  Surrounding spaces are ignored.
bool parse_number(std::string_view field, double& value);

/// Appends the shortest round-trip form of `v` ("0.1", "1e-05", "3").
void format_number(double v, std::string& out);

class CsvReader {
 public:
  /// Opens `path` for reading; "-" is standard input.  On failure returns
  /// null and sets `error` ("cannot open 'x.csv': No such file or directory").
  static std::unique_ptr<CsvReader> open(const std::string& path, std::string& error);
  /// Reads `text` (which must outlive the reader) instead of a file; `name`
  /// names it in messages.
  static std::unique_ptr<CsvReader> from_text(std::string_view text, std::string name);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  enum class Next { record, end, error };
  /// Reads the next non-blank record.  `error` is set with Next::error (an
  /// unreadable file, an unterminated quote, an over-long record).
  Next next(std::string& error);

  /// Fields of the current record: valid until the next call to next().
  const std::vector<std::string_view>& fields() const noexcept { return fields_; }
  /// Line (1-based) on which the current record starts.
  size_t line() const noexcept { return record_line_; }
  /// How messages name the input: the path, or "<stdin>".
  const std::string& name() const noexcept { return name_; }

  /// Longest record accepted, in bytes.
  static constexpr size_t max_record_bytes = size_t{256} << 20;

 private:
  CsvReader(int fd, bool owns_fd, std::string name);
  int get();
  bool fill();

  int fd_;  // -1: reading text_
  bool owns_fd_;
  std::string name_;
  std::vector<char> buffer_;
  std::string_view text_;
  const char* data_ = nullptr;  // buffer_ or text_
  size_t pos_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
  bool started_ = false;
  int read_errno_ = 0;
  size_t newlines_ = 0;  // '\n' consumed so far
  size_t record_line_ = 0;
  std::string storage_;
  struct Bounds {
    size_t begin, end;
  };
  std::vector<Bounds> bounds_;
  std::vector<std::string_view> fields_;
};

/// Builds CSV text: fields are quoted only when they need it.
class CsvWriter {
 public:
  explicit CsvWriter(std::string& out) : out_(out) {}
  void field(std::string_view text);  // as csv_field()
  void number(double v);
  void end_row();

 private:
  void separator();
  std::string& out_;
  bool row_empty_ = true;
};

/// `text` as one CSV field, quoted when needed (and when empty: a row of one
/// empty field would otherwise be a blank line).
std::string csv_field(std::string_view text);

}  // namespace mlmap::tools
