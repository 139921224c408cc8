// tools/common/csv_rows.hpp — rows of model input from CSV (`mlmap predict`'s
// input file and the server's text/csv bodies).
//
// The first record is a header when first_record_is_header() says so
// (columns.hpp).  With a header and a model that knows its feature names,
// columns are matched by name in any order (match_header; extra columns are
// ignored); otherwise columns are positional and there must be exactly
// n_features of them (a header is then only skipped).  A model that reads
// string columns needs its feature names and a header.  Every record must
// have as many fields as the first.  Numeric cells are parsed as Python's
// float() does, and empty fields, NA and nan are missing; string cells are
// taken as they are, missing when they are one of those tokens.  A missing
// value into a model that refuses_missing() is an error naming the line.
//
// Errors name the input and the line: "input.csv line 7: 3 fields, expected 4".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/batch.hpp"
#include "common/csv.hpp"
#include "mlmap/info.hpp"

namespace mlmap::tools {

class CsvRows {
 public:
  /// Reads from `csv` for a model described by `info` (both must outlive this).
  CsvRows(CsvReader& csv, const ModelInfo& info);

  /// Appends up to `max_rows` rows to `batch`; fewer only at the end of the
  /// input.  False with `error` set on a bad record.
  bool read(Batch& batch, size_t max_rows, std::string& error);

  /// Whether another row follows (it is read, and its field count checked,
  /// but not parsed: read() returns it next).  False at the end, or with
  /// `error` set.
  bool more(std::string& error);

 private:
  enum class Next { row, end, error };
  Next next_record(std::string& error);
  bool start(std::string& error);
  bool parse_row(Batch& batch, std::string& error) const;
  std::string where() const;
  std::string column_label(size_t feature) const;

  CsvReader& csv_;
  const ModelInfo& info_;
  const bool refuse_missing_;
  bool started_ = false;
  bool pending_ = false;     // a record read but not yet returned
  size_t n_fields_ = 0;      // fields every record must have
  std::vector<size_t> source_;  // CSV field of each feature
};

}  // namespace mlmap::tools
