// tools/common/csv_rows.hpp — rows of model input from CSV (`mlmap predict`'s
// input file and the server's text/csv bodies).
//
// The first record is a header when the caller says so (HeaderMode::present)
// or, by default, when first_record_is_header() finds it names the model's
// features or is 0..n-1 (columns.hpp); otherwise it is the first row of
// data.  A header that names the features maps columns by name, in any order
// (match_header; extra columns are ignored); a header 0..n-1, or any header
// of a model without feature names, is skipped and columns are positional:
// there must be exactly n_features of them.  A model that reads string
// columns needs its feature names.  Every record must have as many fields as
// the first.  Numeric cells are parsed as Python's float() does, and empty
// fields, NA and nan are missing; string cells are taken as they are,
// missing when they are one of those tokens.  Every number passes
// check_number() (columns.hpp): a missing value into a model that
// refuses_missing(), or an infinity, is an error naming the line and column.
// Each record of data is one row: a bad cell is an error, never a dropped row.
//
// Errors name the input and the line: "input.csv line 7: 3 fields, expected 4".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/batch.hpp"
#include "common/columns.hpp"
#include "common/csv.hpp"
#include "mlmap/info.hpp"

namespace mlmap::tools {

class CsvRows {
 public:
  /// Reads from `csv` for a model described by `info` (both must outlive this).
  CsvRows(CsvReader& csv, const ModelInfo& info, HeaderMode mode = HeaderMode::detect);

  /// Appends up to `max_rows` rows to `batch`; fewer only at the end of the
  /// input.  False with `error` set on a bad record.
  bool read(Batch& batch, size_t max_rows, std::string& error);

  /// Whether another row follows (it is read, and its field count checked,
  /// but not parsed: read() returns it next).  False at the end, or with
  /// `error` set.
  bool more(std::string& error);

  /// Once the first record was read: whether it was a header, and whether
  /// that was guessed (HeaderMode::detect) rather than said by the caller.
  bool decided() const noexcept { return decided_; }
  bool has_header() const noexcept { return header_; }
  bool guessed() const noexcept { return mode_ == HeaderMode::detect; }
  /// The line of the first record.
  size_t first_line() const noexcept { return first_line_; }

 private:
  enum class Next { row, end, error };
  Next next_record(std::string& error);
  bool start(std::string& error);
  bool parse_row(Batch& batch, std::string& error) const;
  std::string where() const;
  std::string column_label(size_t feature) const;

  CsvReader& csv_;
  const ModelInfo& info_;
  const HeaderMode mode_;
  bool started_ = false;
  bool decided_ = false;
  bool header_ = false;
  bool pending_ = false;     // a record read but not yet returned
  size_t n_fields_ = 0;      // fields every record must have
  size_t first_line_ = 0;    // the line of the first record
  std::vector<size_t> source_;  // CSV field of each feature
};

}  // namespace mlmap::tools
