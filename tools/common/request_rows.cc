#include "common/request_rows.hpp"

#include <simdjson.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "common/columns.hpp"
#include "common/csv.hpp"
#include "common/csv_rows.hpp"
#include "common/text.hpp"

namespace mlmap::tools {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr double missing_number = std::numeric_limits<double>::quiet_NaN();

bool fail(DecodeError& e, unsigned status, std::string message) {
  e.status = status;
  e.message = std::move(message);
  return false;
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
    if (is_string_input(info_, j)) {
      switch (v.type()) {
        case element_type::STRING: {
          std::string_view s;
          if (v.get(s) != simdjson::SUCCESS) break;
          b_.set_string(r, j, s);
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
        ok = v.get(s) == simdjson::SUCCESS && is_missing_token(s);  // "NaN", "nan", "NA", ""
        break;
      }
      default: ok = false;
    }
    if (!ok)
      return fail(e_, 400, "row " + std::to_string(r) + ", " + feature_label(info_, j) +
                               ": expected a number or null, got " + describe(v));
    b_.set_number(r, j, x);
    return true;
  }

  bool array_row(size_t r, const simdjson::dom::array& a) {
    const size_t m = a.size();
    if (m != info_.n_features)
      return fail(e_, 400, "row " + std::to_string(r) + " has " + plural(m, "value", "values") + ", but " + model_takes(info_));
    b_.add_row();
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
    b_.add_row();
    seen_.assign(nf, 0);
    size_t count = 0;
    for (auto field : o) {
      auto it = index_.find(field.key);
      if (it == index_.end())
        return fail(e_, 400, "row " + std::to_string(r) + ": unknown feature " + in_quotes(field.key) + "; " + model_takes(info_));
      const size_t j = it->second;
      if (seen_[j]) return fail(e_, 400, "row " + std::to_string(r) + " names feature " + in_quotes(field.key) + " twice");
      seen_[j] = 1;
      ++count;
      if (!cell(r, j, field.value)) return false;
    }
    if (count != nf) {
      const size_t j = static_cast<size_t>(std::find(seen_.begin(), seen_.end(), 0) - seen_.begin());
      return fail(e_, 400, "row " + std::to_string(r) + " lacks feature " + in_quotes(info_.feature_names[j]) + " (it has " +
                               plural(count, "feature", "features") + "; " + model_takes(info_) + ")");
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

}  // namespace

bool decode_json(const element& root, const ModelInfo& info, const Limits& limits, Batch& b, DecodeError& e) {
  b.clear();
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
  b.reserve(n);
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
  return true;
}

bool decode_csv(std::string_view body, const ModelInfo& info, const Limits& limits, Batch& b, DecodeError& e) {
  b.clear();
  // Read as many rows as both limits allow; one more is over a limit.
  const size_t nf = info.n_features;
  const size_t cap = std::min(limits.max_rows, nf ? limits.max_values / nf : limits.max_rows);
  auto csv = CsvReader::from_text(body, "CSV");
  CsvRows rows(*csv, info);
  std::string error;
  if (!rows.read(b, cap, error)) return fail(e, 400, error);
  if (!rows.more(error)) return error.empty() || fail(e, 400, error);
  const size_t n = b.n_rows() + 1;
  if (n > limits.max_rows)
    return fail(e, 413, "more than " + plural(limits.max_rows, "row", "rows") + " in one request (the limit)");
  return fail(e, 413, values_limit(n, info, limits));
}

}  // namespace mlmap::tools
