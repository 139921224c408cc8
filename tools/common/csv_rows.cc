#include "common/csv_rows.hpp"

#include "common/columns.hpp"
#include "common/text.hpp"

namespace mlmap::tools {

CsvRows::CsvRows(CsvReader& csv, const ModelInfo& info, HeaderMode mode) : csv_(csv), info_(info), mode_(mode) {}

std::string CsvRows::where() const { return csv_.name() + " line " + std::to_string(csv_.line()); }

// How messages name the CSV column that feeds `feature`.
std::string CsvRows::column_label(size_t feature) const {
  std::string s = "column " + std::to_string(source_[feature] + 1);
  if (feature < info_.feature_names.size()) s += " (feature " + in_quotes(info_.feature_names[feature]) + ")";
  return s;
}

// Reads the first record and decides what the columns are.
bool CsvRows::start(std::string& error) {
  started_ = true;
  const size_t nf = info_.n_features;
  source_.resize(nf);
  for (size_t j = 0; j < nf; ++j) source_[j] = j;
  switch (csv_.next(error)) {
    case CsvReader::Next::end: return true;
    case CsvReader::Next::error: return false;
    case CsvReader::Next::record: break;
  }
  first_line_ = csv_.line();
  const auto& fields = csv_.fields();
  const bool header = mode_ == HeaderMode::present ||
                      (mode_ == HeaderMode::detect && first_record_is_header(fields, info_));
  decided_ = true;
  header_ = header;
  n_fields_ = fields.size();
  const bool named = info_.feature_names.size() == nf;
  if (has_string_inputs(info_) && !named) {
    error = "this model reads string columns but has no feature names; it cannot be fed CSV";
    return false;
  }
  if (header && named && !is_positional_header(fields, info_)) return match_header(fields, info_, where(), source_, error);
  if (n_fields_ != nf) {
    error = where() + ": " + (header ? "the header has " : "") + plural(n_fields_, "column", "columns") + ", but " +
            model_takes(info_);
    return false;
  }
  pending_ = !header;
  return true;
}

CsvRows::Next CsvRows::next_record(std::string& error) {
  if (pending_) {
    pending_ = false;
    return Next::row;
  }
  switch (csv_.next(error)) {
    case CsvReader::Next::end: return Next::end;
    case CsvReader::Next::error: return Next::error;
    case CsvReader::Next::record: break;
  }
  const size_t n = csv_.fields().size();
  if (n != n_fields_) {
    error = where() + ": " + plural(n, "field", "fields") + ", expected " + std::to_string(n_fields_);
    return Next::error;
  }
  return Next::row;
}

bool CsvRows::parse_row(Batch& batch, std::string& error) const {
  const auto& fields = csv_.fields();
  const size_t r = batch.add_row();
  for (size_t j = 0; j < source_.size(); ++j) {
    const std::string_view f = fields[source_[j]];
    if (is_unread_input(info_, j)) continue;  // whatever it holds: no step reads it
    if (is_string_input(info_, j)) {
      if (!is_missing_token(f)) batch.set_owned_string(r, j, f);
      continue;
    }
    double x = 0;
    if (!parse_number(f, x)) {
      error = where() + ": " + column_label(j) + " is not a number: " + in_quotes(f);
      if (csv_.line() == first_line_ && mode_ == HeaderMode::detect)
        error += " (the first line is read as data: it does not name the model's features)";
      return false;
    }
    if (const NumberCheck check = check_number(x, info_); check != NumberCheck::ok) {
      error = number_refusal(check, info_, where() + ": " + column_label(j), f);
      return false;
    }
    batch.set_number(r, j, x);
  }
  return true;
}

bool CsvRows::read(Batch& batch, size_t max_rows, std::string& error) {
  if (!started_ && !start(error)) return false;
  for (size_t n = 0; n < max_rows; ++n) {
    switch (next_record(error)) {
      case Next::end: return true;
      case Next::error: return false;
      case Next::row: break;
    }
    if (!parse_row(batch, error)) return false;
  }
  return true;
}

bool CsvRows::more(std::string& error) {
  if (!started_ && !start(error)) return false;
  switch (next_record(error)) {
    case Next::end:
    case Next::error: return false;
    case Next::row: break;
  }
  pending_ = true;
  return true;
}

}  // namespace mlmap::tools
