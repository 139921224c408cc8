// tools/cli/feature_reader.hpp — rows of model input from a CSV.
//
// The first record is a header when ANY of its fields is not a number (a
// missing-value token counts as a number).  With a header and a model that
// knows its feature names, columns are matched by name in any order; extra
// columns are ignored and a missing one is an error naming it.  Otherwise
// columns are positional and there must be exactly n_features of them (a
// header is then only skipped).  Every record must have as many fields as
// the header (or the first record).
//
// Errors name the input and the line: "input.csv line 7: 3 fields, expected 4".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "csv.hpp"
#include "mlmap/info.hpp"

namespace mlmap::cli {

class FeatureReader {
 public:
  /// Reads from `csv` (which must outlive this) for a model described by `info`.
  FeatureReader(CsvReader& csv, const ModelInfo& info);

  /// Reads up to `max_rows` rows into `X` (row-major, n_features wide) and
  /// sets `n_rows` (0 at the end of the input).  False with `error` set on a
  /// bad record or, for a model that does not accept missing values, a
  /// missing one.
  bool read(double* X, size_t max_rows, size_t& n_rows, std::string& error);

 private:
  enum class Next { row, end, error };
  Next next_record(std::string& error);
  bool start(std::string& error);
  bool header_columns(std::string& error);
  bool parse_row(double* row, std::string& error) const;
  std::string where() const;
  std::string column_label(size_t feature) const;

  CsvReader& csv_;
  const ModelInfo& info_;
  bool started_ = false;
  bool pending_ = false;     // the first record is data, not yet returned
  bool have_header_ = false;
  size_t n_fields_ = 0;      // fields every record must have
  std::vector<size_t> source_;  // CSV field of each feature
};

}  // namespace mlmap::cli
