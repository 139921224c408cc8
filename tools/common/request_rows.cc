#include "common/request_rows.hpp"

#include <algorithm>
#include <unordered_map>

#include "common/columns.hpp"
#include "common/csv.hpp"
#include "common/csv_rows.hpp"
#include "common/json_cells.hpp"
#include "common/json_reader.hpp"
#include "common/text.hpp"

namespace mlmap::tools {

namespace {

using Kind = JsonReader::Kind;

bool fail(DecodeError& e, unsigned status, std::string message) {
  e.status = status;
  e.message = std::move(message);
  return false;
}

std::string values_limit(size_t rows, const ModelInfo& info, const Limits& limits) {
  return plural(rows, "row", "rows") + " of " + plural(info.n_features, "feature", "features") +
         " exceed the limit of " + std::to_string(limits.max_values) + " input values per request";
}

// --- JSON ----------------------------------------------------------------------

class JsonRows {
 public:
  JsonRows(JsonReader& r, const ModelInfo& info, Batch& b, DecodeError& e)
      : r_(r), info_(info), b_(b), e_(e), strings_(has_string_inputs(info)) {}

  bool malformed() { return fail(e_, 400, r_.error()); }

  std::string where(size_t row, size_t j) const { return "row " + std::to_string(row) + ", " + feature_label(info_, j); }

  bool cell(size_t row, size_t j) {
    if (is_unread_input(info_, j)) return r_.skip() || malformed();  // whatever it holds: no step reads it
    std::string got;
    if (strings_ && is_string_input(info_, j)) {
      switch (read_string_cell(r_, b_, row, j, got)) {
        case CellRead::ok: return true;
        case CellRead::malformed: return malformed();
        case CellRead::wrong_type:
          return fail(e_, 400, where(row, j) + " is a string column: expected a string or null, got " + got);
      }
    }
    double x = 0;
    std::string_view token;
    switch (read_number_cell(r_, x, token, got)) {
      case CellRead::ok: break;
      case CellRead::malformed: return malformed();
      case CellRead::wrong_type: return fail(e_, 400, where(row, j) + ": expected a number or null, got " + got);
    }
    if (const NumberCheck check = check_number(x, info_); check != NumberCheck::ok)
      return fail(e_, 400, number_refusal(check, info_, where(row, j), token));
    b_.set_number(row, j, x);
    return true;
  }

  // The width is checked as values arrive: a row longer than the model's
  // inputs is refused at its first extra value.
  bool array_row(size_t row) {
    const size_t nf = info_.n_features;
    if (!r_.begin_array()) return malformed();
    b_.add_row();
    size_t j = 0;
    while (r_.next_element()) {
      if (j == nf)
        return fail(e_, 400, "row " + std::to_string(row) + " has more than " + plural(nf, "value", "values") + ", but " +
                                 model_takes(info_));
      if (!cell(row, j++)) return false;
    }
    if (r_.failed()) return malformed();
    if (j != nf)
      return fail(e_, 400, "row " + std::to_string(row) + " has " + plural(j, "value", "values") + ", but " + model_takes(info_));
    return true;
  }

  bool object_row(size_t row) {
    const size_t nf = info_.n_features;
    if (info_.feature_names.size() != nf)
      return fail(e_, 400, "row " + std::to_string(row) + " is an object, but this model has no feature names: send rows as arrays of " +
                               plural(nf, "value", "values"));
    if (index_.empty())
      for (size_t j = 0; j < nf; ++j) index_.emplace(info_.feature_names[j], j);
    if (!r_.begin_object()) return malformed();
    b_.add_row();
    seen_.assign(nf, 0);
    size_t count = 0;
    std::string_view key;
    while (r_.next_member(key)) {
      auto it = index_.find(key);
      if (it == index_.end())
        return fail(e_, 400, "row " + std::to_string(row) + ": unknown feature " + in_quotes(key) + "; " + model_takes(info_));
      const size_t j = it->second;
      if (seen_[j]) return fail(e_, 400, "row " + std::to_string(row) + " names feature " + in_quotes(key) + " twice");
      seen_[j] = 1;
      ++count;
      if (!cell(row, j)) return false;
    }
    if (r_.failed()) return malformed();
    if (count != nf) {
      const size_t j = static_cast<size_t>(std::find(seen_.begin(), seen_.end(), 0) - seen_.begin());
      return fail(e_, 400, "row " + std::to_string(row) + " lacks feature " + in_quotes(info_.feature_names[j]) + " (it has " +
                               plural(count, "feature", "features") + "; " + model_takes(info_) + ")");
    }
    return true;
  }

  bool rows(const Limits& limits) {
    const Kind kind = r_.peek();
    if (kind == Kind::error) return malformed();
    if (kind != Kind::array) return fail(e_, 400, std::string("\"instances\" must be an array of rows, not ") + kind_name(kind));
    if (!r_.begin_array()) return malformed();
    const size_t cap = row_cap(info_, limits);
    size_t row = 0;
    while (r_.next_element()) {
      if (row == cap) return fail(e_, 413, too_many_rows(info_, limits));
      switch (r_.peek()) {
        case Kind::array:
          if (!array_row(row)) return false;
          break;
        case Kind::object:
          if (!object_row(row)) return false;
          break;
        case Kind::error: return malformed();
        default:
          return fail(e_, 400, "row " + std::to_string(row) + " must be an array of the model's inputs or an object keyed by " +
                                   "feature name, not " + describe_value(r_));
      }
      ++row;
    }
    return !r_.failed() || malformed();
  }

 private:
  JsonReader& r_;
  const ModelInfo& info_;
  Batch& b_;
  DecodeError& e_;
  std::unordered_map<std::string_view, size_t> index_;
  std::vector<char> seen_;
  bool strings_;  // whether any input is a string column (most models: none)
};

}  // namespace

size_t row_cap(const ModelInfo& info, const Limits& limits) {
  const size_t nf = info.n_features;
  return std::min(limits.max_rows, nf ? limits.max_values / nf : limits.max_rows);
}

std::string too_many_rows(const ModelInfo& info, const Limits& limits) {
  const size_t cap = row_cap(info, limits);
  if (cap == limits.max_rows)
    return "more than " + plural(cap, "row", "rows") + " in one request; the limit is " + std::to_string(cap);
  return "more than " + values_limit(cap, info, limits);
}

bool decode_json(std::string_view body, const ModelInfo& info, const Limits& limits, Batch& b, DecodeError& e) {
  b.clear();
  JsonReader r(body, limits.max_json_depth);
  const Kind top = r.peek();
  if (top == Kind::error || top == Kind::end)
    return fail(e, 400, top == Kind::end ? "malformed JSON: the body is empty" : r.error());
  if (top != Kind::object)
    return fail(e, 400, std::string("the body must be a JSON object {\"instances\": [...]}, not ") + describe_value(r));
  JsonRows rows(r, info, b, e);
  bool seen = false;
  std::string_view key;
  r.begin_object();
  while (r.next_member(key)) {
    if (key != "instances") {
      if (!r.skip()) break;
      continue;
    }
    if (seen) return fail(e, 400, "the body has \"instances\" more than once");
    seen = true;
    if (!rows.rows(limits)) return false;
  }
  if (r.failed() || !r.finish()) return fail(e, 400, r.error());
  if (!seen) return fail(e, 400, "the body has no \"instances\" member: expected {\"instances\": [row, ...]}");
  return true;
}

bool decode_csv(std::string_view body, const ModelInfo& info, const Limits& limits, HeaderMode header, Batch& b,
                DecodeError& e) {
  b.clear();
  // Read as many rows as both limits allow; one more is over a limit.
  const size_t cap = row_cap(info, limits);
  auto csv = CsvReader::from_text(body, "CSV");
  CsvRows rows(*csv, info, header);
  std::string error;
  if (!rows.read(b, cap, error)) return fail(e, 400, error);
  if (!rows.more(error)) return error.empty() || fail(e, 400, error);
  return fail(e, 413, too_many_rows(info, limits));
}

}  // namespace mlmap::tools
