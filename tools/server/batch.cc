#include "batch.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "csv.hpp"     // parse_number, is_missing_token (tools/cli)
#include "report.hpp"  // abbreviated (tools/cli)

namespace mlmap::server {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr double missing_number = std::numeric_limits<double>::quiet_NaN();

bool fail(DecodeError& e, unsigned status, std::string message) {
  e.status = status;
  e.message = std::move(message);
  return false;
}

std::string in_quotes(std::string_view s) { return "'" + cli::abbreviated(s, 60) + "'"; }

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool is_string_input(const ModelInfo& info, size_t j) { return j < info.string_inputs.size() && info.string_inputs[j]; }

std::string feature_label(const ModelInfo& info, size_t j) {
  std::string s = "feature " + std::to_string(j);
  if (j < info.feature_names.size()) s += " (" + in_quotes(info.feature_names[j]) + ")";
  return s;
}

// "'a', 'b', 'c'" (the first 10, then "and N more").
std::string name_list(const ModelInfo& info) {
  std::string s;
  const size_t shown = std::min<size_t>(info.feature_names.size(), 10);
  for (size_t k = 0; k < shown; ++k) s += (k ? ", " : "") + in_quotes(info.feature_names[k]);
  if (info.feature_names.size() > shown) s += " and " + std::to_string(info.feature_names.size() - shown) + " more";
  return s;
}

std::string takes(const ModelInfo& info) {
  std::string s = "the model takes " + plural(info.n_features, "feature", "features");
  if (!info.feature_names.empty()) s += ": " + name_list(info);
  return s;
}

// What a JSON value is, for messages: "a string 'abc'", "true", "an array".
std::string describe(const element& v) {
  switch (v.type()) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::STRING: {
      std::string_view s;
      if (v.get(s) == simdjson::SUCCESS) return "a string " + in_quotes(s);
      return "a string";
    }
    case element_type::BOOL: {
      bool b = false;
      if (v.get(b) == simdjson::SUCCESS) return b ? "true" : "false";
      return "a boolean";
    }
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

void init(Batch& b, const ModelInfo& info) {
  b = Batch();
  b.use_table = has_string_inputs(info);
  if (b.use_table) {
    b.numeric.resize(info.n_features);
    b.strings.resize(info.n_features);
    b.missing.resize(info.n_features);
  }
}

// Appends row `r` filled with missing values; cells are then set one by one.
void add_row(Batch& b, const ModelInfo& info) {
  const size_t nf = info.n_features;
  if (!b.use_table) {
    b.matrix.resize(b.matrix.size() + nf, missing_number);
    return;
  }
  for (size_t j = 0; j < nf; ++j) {
    if (is_string_input(info, j)) {
      b.strings[j].emplace_back();
      b.missing[j].push_back(1);
    } else {
      b.numeric[j].push_back(missing_number);
    }
  }
}

void set_number(Batch& b, const ModelInfo& info, size_t r, size_t j, double x) {
  if (b.use_table)
    b.numeric[j][r] = x;
  else
    b.matrix[r * info.n_features + j] = x;
}

void set_string(Batch& b, size_t r, size_t j, std::string_view s) {
  b.strings[j][r] = s;
  b.missing[j][r] = 0;
}

bool too_many_values(size_t rows, size_t width, const Limits& limits) {
  return width != 0 && rows > limits.max_values / width;
}

std::string values_limit(size_t rows, const ModelInfo& info, const Limits& limits) {
  return plural(rows, "row", "rows") + " of " + plural(info.n_features, "feature", "features") +
         " exceed the limit of " + std::to_string(limits.max_values) + " input values per request";
}

// --- JSON ----------------------------------------------------------------------

class JsonDecoder {
 public:
  JsonDecoder(const ModelInfo& info, Batch& b, DecodeError& e) : info_(info), b_(b), e_(e) {}

  bool cell(size_t r, size_t j, const element& v) {
    if (b_.use_table && is_string_input(info_, j)) {
      switch (v.type()) {
        case element_type::STRING: {
          std::string_view s;
          if (v.get(s) != simdjson::SUCCESS) break;
          set_string(b_, r, j, s);
          return true;
        }
        case element_type::NULL_VALUE: return true;  // missing
        default: break;
      }
      return fail(e_, 400, "row " + std::to_string(r) + ", " + feature_label(info_, j) +
                               " is a string column: expected a string or null, got " + describe(v));
    }
    double x = missing_number;
    bool ok = true;
    switch (v.type()) {
      case element_type::INT64: {
        int64_t i = 0;
        ok = v.get(i) == simdjson::SUCCESS;
        x = static_cast<double>(i);
        break;
      }
      case element_type::UINT64: {
        uint64_t u = 0;
        ok = v.get(u) == simdjson::SUCCESS;
        x = static_cast<double>(u);
        break;
      }
      case element_type::DOUBLE: ok = v.get(x) == simdjson::SUCCESS; break;
      case element_type::NULL_VALUE: break;  // missing
      case element_type::STRING: {
        std::string_view s;
        ok = v.get(s) == simdjson::SUCCESS && cli::is_missing_token(s);  // "NaN", "nan", "NA", ""
        break;
      }
      default: ok = false;
    }
    if (!ok)
      return fail(e_, 400, "row " + std::to_string(r) + ", " + feature_label(info_, j) +
                               ": expected a number or null, got " + describe(v));
    set_number(b_, info_, r, j, x);
    return true;
  }

  bool array_row(size_t r, const simdjson::dom::array& a) {
    const size_t m = a.size();
    if (m != info_.n_features)
      return fail(e_, 400, "row " + std::to_string(r) + " has " + plural(m, "value", "values") + ", but " + takes(info_));
    add_row(b_, info_);
    size_t j = 0;
    for (element v : a)
      if (!cell(r, j++, v)) return false;
    return true;
  }

  bool object_row(size_t r, const simdjson::dom::object& o) {
    const size_t nf = info_.n_features;
    if (info_.feature_names.size() != nf)
      return fail(e_, 400, "row " + std::to_string(r) + " is an object, but this model has no feature names: send rows as arrays of " +
                               plural(nf, "value", "values"));
    if (index_.empty())
      for (size_t j = 0; j < nf; ++j) index_.emplace(info_.feature_names[j], j);
    add_row(b_, info_);
    seen_.assign(nf, 0);
    size_t count = 0;
    for (auto field : o) {
      auto it = index_.find(field.key);
      if (it == index_.end())
        return fail(e_, 400, "row " + std::to_string(r) + ": unknown feature " + in_quotes(field.key) + "; " + takes(info_));
      const size_t j = it->second;
      if (seen_[j]) return fail(e_, 400, "row " + std::to_string(r) + " names feature " + in_quotes(field.key) + " twice");
      seen_[j] = 1;
      ++count;
      if (!cell(r, j, field.value)) return false;
    }
    if (count != nf) {
      const size_t j = static_cast<size_t>(std::find(seen_.begin(), seen_.end(), 0) - seen_.begin());
      return fail(e_, 400, "row " + std::to_string(r) + " lacks feature " + in_quotes(info_.feature_names[j]) + " (it has " +
                               plural(count, "feature", "features") + "; " + takes(info_) + ")");
    }
    return true;
  }

 private:
  const ModelInfo& info_;
  Batch& b_;
  DecodeError& e_;
  std::unordered_map<std::string_view, size_t> index_;
  std::vector<char> seen_;
};

// --- CSV -----------------------------------------------------------------------

bool looks_like_header(const std::vector<std::string_view>& fields) {
  double v = 0;
  for (auto f : fields)
    if (!cli::parse_number(f, v)) return true;
  return false;
}

}  // namespace

bool has_string_inputs(const ModelInfo& info) {
  return std::any_of(info.string_inputs.begin(), info.string_inputs.end(), [](bool s) { return s; });
}

bool decode_json(const element& root, const ModelInfo& info, const Limits& limits, Batch& b, DecodeError& e) {
  init(b, info);
  simdjson::dom::object top;
  if (root.get(top) != simdjson::SUCCESS)
    return fail(e, 400, "the body must be a JSON object {\"instances\": [...]}, not " + describe(root));
  element instances;
  if (top["instances"].get(instances) != simdjson::SUCCESS)
    return fail(e, 400, "the body has no \"instances\" member: expected {\"instances\": [row, ...]}");
  simdjson::dom::array rows;
  if (instances.get(rows) != simdjson::SUCCESS)
    return fail(e, 400, "\"instances\" must be an array of rows, not " + describe(instances));
  const size_t n = rows.size();
  if (n > limits.max_rows)
    return fail(e, 413, plural(n, "row", "rows") + " in one request; the limit is " + std::to_string(limits.max_rows));
  if (too_many_values(n, info.n_features, limits)) return fail(e, 413, values_limit(n, info, limits));
  if (!b.use_table) b.matrix.reserve(n * info.n_features);
  JsonDecoder decoder(info, b, e);
  size_t r = 0;
  for (element row : rows) {
    bool ok = false;
    switch (row.type()) {
      case element_type::ARRAY: {
        simdjson::dom::array a;
        ok = row.get(a) == simdjson::SUCCESS && decoder.array_row(r, a);
        break;
      }
      case element_type::OBJECT: {
        simdjson::dom::object o;
        ok = row.get(o) == simdjson::SUCCESS && decoder.object_row(r, o);
        break;
      }
      default:
        return fail(e, 400, "row " + std::to_string(r) + " must be an array of the model's inputs or an object keyed by " +
                                "feature name, not " + describe(row));
    }
    if (!ok) return false;
    ++r;
  }
  b.n_rows = r;
  return true;
}

bool decode_csv(std::string_view body, const ModelInfo& info, const Limits& limits, Batch& b, DecodeError& e) {
  init(b, info);
  const size_t nf = info.n_features;
  auto reader = cli::CsvReader::from_text(body, "CSV");
  auto& csv = *reader;
  std::string error;
  switch (csv.next(error)) {
    case cli::CsvReader::Next::end: return true;  // no rows
    case cli::CsvReader::Next::error: return fail(e, 400, error);
    case cli::CsvReader::Next::record: break;
  }
  const auto where = [&] { return "CSV line " + std::to_string(csv.line()); };
  // The first record: a header (always, for models with string inputs) or data.
  const bool header = b.use_table || looks_like_header(csv.fields());
  std::vector<size_t> source(nf);
  for (size_t j = 0; j < nf; ++j) source[j] = j;
  size_t n_fields = csv.fields().size();
  if (header && info.feature_names.size() == nf && nf > 0) {
    std::unordered_map<std::string_view, size_t> column, count;
    for (size_t i = 0; i < n_fields; ++i) {
      column.emplace(csv.fields()[i], i);
      ++count[csv.fields()[i]];
    }
    std::vector<std::string> lacking;
    for (size_t j = 0; j < nf; ++j) {
      auto it = column.find(info.feature_names[j]);
      if (it == column.end()) {
        lacking.push_back(info.feature_names[j]);
        continue;
      }
      if (count[info.feature_names[j]] > 1)
        return fail(e, 400, where() + ": the header has column " + in_quotes(info.feature_names[j]) + " more than once");
      source[j] = it->second;
    }
    if (!lacking.empty()) {
      std::string list;
      const size_t shown = std::min<size_t>(lacking.size(), 5);
      for (size_t k = 0; k < shown; ++k) list += (k ? ", " : "") + in_quotes(lacking[k]);
      if (lacking.size() > shown) list += " and " + std::to_string(lacking.size() - shown) + " more";
      return fail(e, 400, where() + ": the header lacks the model's feature " + (lacking.size() == 1 ? "column " : "columns ") +
                              list);
    }
  } else if (b.use_table) {
    return fail(e, 400, "this model reads string columns but has no feature names; it cannot be fed CSV");
  } else if (n_fields != nf) {
    return fail(e, 400, where() + ": " + (header ? "the header has " : "") + plural(n_fields, "column", "columns") +
                            ", but " + takes(info));
  }
  bool pending = !header;  // the first record is data
  size_t r = 0;
  for (;;) {
    if (pending) {
      pending = false;
    } else {
      const auto next = csv.next(error);
      if (next == cli::CsvReader::Next::end) break;
      if (next == cli::CsvReader::Next::error) return fail(e, 400, error);
      const size_t n = csv.fields().size();
      if (n != n_fields)
        return fail(e, 400, where() + ": " + plural(n, "field", "fields") + ", expected " + std::to_string(n_fields));
    }
    if (r >= limits.max_rows)
      return fail(e, 413, "more than " + plural(limits.max_rows, "row", "rows") + " in one request (the limit)");
    if (too_many_values(r + 1, nf, limits)) return fail(e, 413, values_limit(r + 1, info, limits));
    add_row(b, info);
    const auto& fields = csv.fields();
    for (size_t j = 0; j < nf; ++j) {
      const std::string_view f = fields[source[j]];
      if (b.use_table && is_string_input(info, j)) {
        if (cli::is_missing_token(f)) continue;
        b.text.emplace_back(f);
        set_string(b, r, j, b.text.back());
        continue;
      }
      double x = 0;
      if (!cli::parse_number(f, x))
        return fail(e, 400, where() + ": column " + std::to_string(source[j] + 1) + " (" + feature_label(info, j) +
                                ") is not a number: " + in_quotes(f));
      set_number(b, info, r, j, x);
    }
    ++r;
  }
  b.n_rows = r;
  return true;
}

bool Batch::make_table(const ModelInfo& info, Table& table, std::string& error) {
  const size_t nf = info.n_features;
  if (info.feature_names.size() != nf) {
    error = "this model reads string columns but has no feature names";
    return false;
  }
  missing_flags_.clear();
  for (size_t j = 0; j < nf; ++j) {
    Status st;
    if (is_string_input(info, j)) {
      auto flags = std::make_unique<bool[]>(n_rows == 0 ? 1 : n_rows);
      for (size_t r = 0; r < n_rows; ++r) flags[r] = missing[j][r] != 0;
      st = table.add_strings(info.feature_names[j], strings[j].data(), flags.get());
      missing_flags_.push_back(std::move(flags));
    } else {
      st = table.add_numeric(info.feature_names[j], numeric[j].data());
    }
    if (!st) {
      error = st.error().describe();
      return false;
    }
  }
  return true;
}

}  // namespace mlmap::server
