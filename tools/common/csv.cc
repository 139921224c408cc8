#include "common/csv.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace mlmap::tools {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

constexpr size_t buffer_size = size_t{1} << 16;

}  // namespace

// --- numbers -----------------------------------------------------------------

bool is_missing_token(std::string_view field) {
  field = trim(field);
  return field.empty() || field == "NA" || field == "nan" || field == "NaN";
}

bool parse_number(std::string_view field, double& value) {
  std::string_view s = trim(field);
  if (is_missing_token(s)) {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  // std::from_chars takes no '+'; Python's float() does.
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, value, std::chars_format::general);
  if (p != end) return false;
  if (ec == std::errc::result_out_of_range) {
    // 1e999 or 1e-999: strtod gives ±inf or the (sub)normal/zero result, as
    // Python does.  The CLI never sets a locale, so strtod reads '.'.
    std::string copy(s);
    value = std::strtod(copy.c_str(), nullptr);
    return true;
  }
  return ec == std::errc();
}

void format_number(double v, std::string& out) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// --- reading -----------------------------------------------------------------

CsvReader::CsvReader(int fd, bool owns_fd, std::string name)
    : fd_(fd), owns_fd_(owns_fd), name_(std::move(name)), buffer_(fd >= 0 ? buffer_size : 0), data_(buffer_.data()) {}

std::unique_ptr<CsvReader> CsvReader::from_text(std::string_view text, std::string name) {
  std::unique_ptr<CsvReader> r(new CsvReader(-1, false, std::move(name)));
  r->text_ = text;
  r->data_ = text.data();
  return r;
}

CsvReader::~CsvReader() {
  if (owns_fd_) ::close(fd_);
}

std::unique_ptr<CsvReader> CsvReader::open(const std::string& path, std::string& error) {
  if (path == "-") return std::unique_ptr<CsvReader>(new CsvReader(STDIN_FILENO, false, "<stdin>"));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    error = "cannot read '" + path + "': it is a directory";
    return nullptr;
  }
  return std::unique_ptr<CsvReader>(new CsvReader(fd, true, path));
}

bool CsvReader::fill() {
  if (eof_) return false;
  pos_ = 0;
  len_ = 0;
  if (fd_ < 0) {  // text: one "read" of all of it
    eof_ = true;
    len_ = text_.size();
    started_ = true;
    if (len_ >= 3 && std::memcmp(data_, "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
    return pos_ < len_;
  }
  // The first fill reads at least 3 bytes when there are that many, to see a BOM.
  const size_t want = started_ ? 1 : 3;
  while (len_ < want) {
    const ssize_t n = ::read(fd_, buffer_.data() + len_, buffer_.size() - len_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read_errno_ = errno;
    if (n <= 0) {
      eof_ = true;
      break;
    }
    len_ += static_cast<size_t>(n);
  }
  if (!started_) {
    started_ = true;
    if (len_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }
  return pos_ < len_;
}

inline int CsvReader::get() {
  if (pos_ == len_ && !fill()) return EOF;
  return static_cast<unsigned char>(data_[pos_++]);
}

CsvReader::Next CsvReader::next(std::string& error) {
  const auto read_failed = [&] {
    error = "cannot read '" + name_ + "': " + std::strerror(read_errno_);
    return Next::error;
  };
  const auto too_long = [&] {
    error = name_ + " line " + std::to_string(record_line_) + ": record longer than " +
            std::to_string(max_record_bytes >> 20) + " MiB";
    return Next::error;
  };
  for (;;) {
    storage_.clear();
    bounds_.clear();
    fields_.clear();
    record_line_ = newlines_ + 1;
    int c = get();
    if (c == EOF) return read_errno_ ? read_failed() : Next::end;
    bool quoted_any = false;
    for (;;) {  // one field per iteration; `c` is its first character
      const size_t begin = storage_.size();
      while (c == ' ' || c == '\t') c = get();
      if (c == '"') {
        quoted_any = true;
        const size_t quote_line = newlines_ + 1;
        for (;;) {
          c = get();
          if (c == EOF) {
            if (read_errno_) return read_failed();
            error = name_ + " line " + std::to_string(quote_line) + ": unterminated quoted field";
            return Next::error;
          }
          if (c == '"') {
            c = get();
            if (c != '"') break;
          } else if (c == '\n') {
            ++newlines_;
          }
          storage_ += static_cast<char>(c);
          if (storage_.size() > max_record_bytes) return too_long();
        }
        // After the closing quote only blanks may come before the field ends:
        // `"1" 2` is no number (Python's csv reads it as "1 2"), and keeping
        // the 2 would read 12.
        while (c != ',' && c != '\n' && c != EOF) {
          if (!is_blank(static_cast<char>(c))) {
            error = name_ + " line " + std::to_string(newlines_ + 1) + ": text after the closing quote of field " +
                    std::to_string(bounds_.size() + 1) + " (a quote inside a quoted field is written \"\")";
            return Next::error;
          }
          c = get();
        }
      } else {
        while (c != ',' && c != '\n' && c != EOF) {
          storage_ += static_cast<char>(c);
          c = get();
          if (storage_.size() > max_record_bytes) return too_long();
        }
        while (storage_.size() > begin && is_blank(storage_.back())) storage_.pop_back();
      }
      bounds_.push_back({begin, storage_.size()});
      if (c != ',') break;
      c = get();
    }
    if (c == '\n') ++newlines_;
    if (read_errno_) return read_failed();
    if (bounds_.size() == 1 && !quoted_any && storage_.empty()) continue;  // a blank line
    fields_.reserve(bounds_.size());
    for (const auto& b : bounds_) fields_.emplace_back(storage_.data() + b.begin, b.end - b.begin);
    return Next::record;
  }
}

// --- writing -----------------------------------------------------------------

std::string csv_field(std::string_view text) {
  if (text.empty()) return "\"\"";  // an empty line would be skipped as blank
  const bool needs_quotes = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!text.empty() && (is_blank(text.front()) || is_blank(text.back())));
  if (!needs_quotes) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void CsvWriter::separator() {
  if (!row_empty_) out_ += ',';
  row_empty_ = false;
}

void CsvWriter::field(std::string_view text) {
  separator();
  out_ += csv_field(text);
}

void CsvWriter::number(double v) {
  separator();
  format_number(v, out_);
}

void CsvWriter::end_row() {
  out_ += '\n';
  row_empty_ = true;
}

}  // namespace mlmap::tools
