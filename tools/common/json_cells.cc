#include "common/json_cells.hpp"

#include <limits>

#include "common/csv.hpp"
#include "common/text.hpp"

namespace mlmap::tools {

using Kind = JsonReader::Kind;

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::object: return "an object";
    case Kind::array: return "an array";
    case Kind::string: return "a string";
    case Kind::number: return "a number";
    case Kind::boolean: return "true or false";
    case Kind::null: return "null";
    case Kind::end: return "nothing";
    case Kind::error: break;
  }
  return "a malformed value";
}

std::string describe_value(JsonReader& r) {
  const Kind kind = r.peek();
  switch (kind) {
    case Kind::string: {
      std::string_view s;
      return r.read_string(s) ? "a string " + in_quotes(s) : "a string";
    }
    case Kind::boolean: {
      bool b = false;
      return r.read_bool(b) ? (b ? "true" : "false") : "a boolean";
    }
    default: (void)r.skip(); return kind_name(kind);
  }
}

CellRead read_number_cell(JsonReader& r, double& value, std::string_view& token, std::string& got) {
  switch (r.peek()) {
    case Kind::number: return r.read_number(value, &token) ? CellRead::ok : CellRead::malformed;
    case Kind::null:
      value = std::numeric_limits<double>::quiet_NaN();
      token = "null";
      return r.read_null() ? CellRead::ok : CellRead::malformed;
    case Kind::string: {
      std::string_view s;
      if (!r.read_string(s)) return CellRead::malformed;
      if (is_missing_token(s)) {
        value = std::numeric_limits<double>::quiet_NaN();
        token = s;
        return CellRead::ok;
      }
      got = "a string " + in_quotes(s);
      return CellRead::wrong_type;
    }
    case Kind::error: return CellRead::malformed;
    default: got = describe_value(r); return r.failed() ? CellRead::malformed : CellRead::wrong_type;
  }
}

CellRead read_string_cell(JsonReader& r, Batch& batch, size_t row, size_t input, std::string& got) {
  switch (r.peek()) {
    case Kind::string: {
      std::string_view s;
      bool in_text = false;
      if (!r.read_string(s, &in_text)) return CellRead::malformed;
      if (in_text)
        batch.set_string(row, input, s);
      else
        batch.set_owned_string(row, input, s);
      return CellRead::ok;
    }
    case Kind::null: return r.read_null() ? CellRead::ok : CellRead::malformed;
    case Kind::error: return CellRead::malformed;
    default: got = describe_value(r); return r.failed() ? CellRead::malformed : CellRead::wrong_type;
  }
}

}  // namespace mlmap::tools
