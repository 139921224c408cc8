// The Open Inference Protocol (KServe v2) routes: see open_inference.hpp.
//
// An inference body is read in two steps over the same buffer: first the
// request's structure (each input's name, shape and datatype, and where its
// "data" lies in the body -- members may come in any order), then each
// input's data straight into the Batch.  Nothing is copied but the cells.
#include "open_inference.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/columns.hpp"
#include "common/json_cells.hpp"
#include "common/json_reader.hpp"
#include "common/text.hpp"
#include "mlmap/json.hpp"
#include "mlmap/version.hpp"

namespace mlmap::server {

namespace {

using tools::JsonReader;
using Kind = JsonReader::Kind;

Reply routed(Reply r, Route route, int model = -1) {
  r.route = route;
  r.model = model;
  return r;
}

bool numeric_datatype(std::string_view t) {
  static const char* const names[] = {"BOOL",   "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
                                      "INT32",  "INT64", "FP16",   "FP32",   "FP64"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return t == n; });
}

struct Tensor {
  std::string name;
  std::vector<uint64_t> shape;
  std::string datatype;
  size_t data_begin = 0, data_end = 0;
  bool has_shape = false, has_datatype = false, has_data = false;
};

struct Request {
  std::optional<std::string> id;
  std::vector<Tensor> inputs;
  std::vector<std::string> outputs;  // empty: all
};

bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

bool read_shape(JsonReader& r, std::vector<uint64_t>& shape, std::string& error) {
  if (r.peek() != Kind::array) return fail(error, "\"shape\" must be an array of whole numbers");
  r.begin_array();
  while (r.next_element()) {
    double d = 0;
    if (r.peek() != Kind::number || !r.read_number(d) || !(d >= 0) || d != static_cast<double>(static_cast<uint64_t>(d)) ||
        d > 9e15)
      return fail(error, r.failed() ? r.error() : "\"shape\" must be an array of whole numbers");
    if (shape.size() == 8) return fail(error, "\"shape\" has more than 8 dimensions");
    shape.push_back(static_cast<uint64_t>(d));
  }
  return !r.failed() || fail(error, r.error());
}

bool read_tensor(JsonReader& r, Tensor& t, std::string& error) {
  if (r.peek() != Kind::object) return fail(error, "each of \"inputs\" must be an object {\"name\", \"shape\", \"datatype\", \"data\"}");
  r.begin_object();
  bool has_name = false;
  std::string_view key;
  while (r.next_member(key)) {
    const std::string k(key);
    auto once = [&](bool& seen) {
      if (seen) return fail(error, "an input has \"" + k + "\" more than once");
      seen = true;
      return true;
    };
    if (k == "name") {
      std::string_view v;
      if (!once(has_name)) return false;
      if (r.peek() != Kind::string || !r.read_string(v)) return fail(error, r.failed() ? r.error() : "an input's \"name\" must be a string");
      t.name = std::string(v);
    } else if (k == "shape") {
      if (!once(t.has_shape) || !read_shape(r, t.shape, error)) return false;
    } else if (k == "datatype") {
      std::string_view v;
      if (!once(t.has_datatype)) return false;
      if (r.peek() != Kind::string || !r.read_string(v)) return fail(error, r.failed() ? r.error() : "an input's \"datatype\" must be a string");
      t.datatype = std::string(v);
    } else if (k == "data") {
      if (!once(t.has_data)) return false;
      t.data_begin = r.offset();
      if (!r.skip()) return fail(error, r.error());
      t.data_end = r.offset();
    } else if (!r.skip()) {
      return fail(error, r.error());
    }
  }
  if (r.failed()) return fail(error, r.error());
  if (!has_name) return fail(error, "an input has no \"name\"");
  const std::string which = "input " + tools::in_quotes(t.name);
  if (!t.has_shape) return fail(error, which + " has no \"shape\"");
  if (!t.has_datatype) return fail(error, which + " has no \"datatype\"");
  if (!t.has_data) return fail(error, which + " has no \"data\" (binary tensor data is not supported)");
  if (t.datatype != "BYTES" && !numeric_datatype(t.datatype))
    return fail(error, which + " has datatype " + tools::in_quotes(t.datatype) +
                           ": expected BOOL, INT8-64, UINT8-64, FP16, FP32, FP64 or BYTES");
  return true;
}

bool read_request(std::string_view body, size_t max_depth, Request& q, std::string& error) {
  JsonReader r(body, max_depth);
  const Kind top = r.peek();
  if (top == Kind::error || top == Kind::end) return fail(error, top == Kind::end ? "malformed JSON: the body is empty" : r.error());
  if (top != Kind::object) return fail(error, "the body must be a JSON object {\"inputs\": [...]}");
  r.begin_object();
  bool seen_inputs = false, seen_outputs = false, seen_id = false;
  std::string_view key;
  while (r.next_member(key)) {
    if (key == "inputs") {
      if (seen_inputs) return fail(error, "the body has \"inputs\" more than once");
      seen_inputs = true;
      if (r.peek() != Kind::array) return fail(error, r.failed() ? r.error() : "\"inputs\" must be an array");
      r.begin_array();
      while (r.next_element()) {
        if (q.inputs.size() == 4096) return fail(error, "more than 4096 inputs");
        q.inputs.emplace_back();
        if (!read_tensor(r, q.inputs.back(), error)) return false;
      }
    } else if (key == "outputs") {
      if (seen_outputs) return fail(error, "the body has \"outputs\" more than once");
      seen_outputs = true;
      if (r.peek() != Kind::array) return fail(error, r.failed() ? r.error() : "\"outputs\" must be an array");
      r.begin_array();
      while (r.next_element()) {
        if (r.peek() != Kind::object) return fail(error, r.failed() ? r.error() : "each of \"outputs\" must be an object {\"name\"}");
        r.begin_object();
        std::string_view k;
        bool named = false;
        while (r.next_member(k)) {
          std::string_view v;
          if (k == "name" && !named) {
            if (r.peek() != Kind::string || !r.read_string(v)) return fail(error, r.failed() ? r.error() : "an output's \"name\" must be a string");
            q.outputs.emplace_back(v);
            named = true;
          } else if (!r.skip()) {
            break;
          }
        }
        if (r.failed()) return fail(error, r.error());
        if (!named) return fail(error, "an output has no \"name\"");
      }
    } else if (key == "id") {
      std::string_view v;
      if (seen_id) return fail(error, "the body has \"id\" more than once");
      seen_id = true;
      if (r.peek() != Kind::string || !r.read_string(v)) return fail(error, r.failed() ? r.error() : "\"id\" must be a string");
      q.id = std::string(v);
    } else if (!r.skip()) {
      break;
    }
  }
  if (r.failed() || !r.finish()) return fail(error, r.error());
  if (!seen_inputs) return fail(error, "the body has no \"inputs\"");
  return true;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string text = "[";
  for (size_t k = 0; k < shape.size(); ++k) text += (k ? ", " : "") + std::to_string(shape[k]);
  return text + "]";
}

// Reads a tensor's data, row-major, calling cell(i) for the i-th scalar with
// the reader on it; at most `count` scalars, exactly.  The data is flat (one
// array of scalars) or nested as the shape says, each array of depth d
// holding shape[d] values: a ragged [[1, 2], [3]] for shape [1, 3] is
// refused, not read as one row.  scalar_depth: the arrays around the scalars
// (the first scalar sets it).
struct DataWalk {
  const std::vector<uint64_t>& shape;
  size_t count;
  const std::string& which;
  std::string& error;
  size_t i = 0;
  size_t scalar_depth = SIZE_MAX;

  template <class Cell>
  bool walk(JsonReader& r, size_t depth, Cell&& cell) {
    if (r.peek() == Kind::array) {
      r.begin_array();
      uint64_t n = 0;
      while (r.next_element()) {
        if (!walk(r, depth + 1, cell)) return false;
        ++n;
      }
      if (r.failed()) return fail(error, which + ": " + r.error());
      const bool nested = shape.size() > 1 && scalar_depth == shape.size();
      if (nested && n != shape[depth])
        return fail(error, which + ": an array at depth " + std::to_string(depth) + " of \"data\" holds " +
                               std::to_string(n) + " values, but the shape " + shape_text(shape) + " says " +
                               std::to_string(shape[depth]) + " (send the data flat or nested as its shape)");
      return true;
    }
    if (r.peek() == Kind::error) return fail(error, which + ": " + r.error());
    if (scalar_depth == SIZE_MAX) scalar_depth = depth;
    if (depth != scalar_depth || (depth > 1 && depth != shape.size()))
      return fail(error, which + ": \"data\" is not nested as its shape " + shape_text(shape) +
                             " (send it flat or nested as the shape)");
    if (i == count) return fail(error, which + " has more values in \"data\" than its shape holds (" + std::to_string(count) + ")");
    return cell(r, i++);
  }
};

// Whether x (finite) is a value of a tensor of this datatype: BOOL 0 or 1,
// integers whole and in range, FP16 / FP32 in their range.  The message
// says why not ("" when it is).
std::string datatype_refusal(std::string_view datatype, double x) {
  struct Range {
    std::string_view name;
    double lo, end;  // integers in [lo, end): powers of two, exact as doubles
  };
  static constexpr Range integers[] = {
      {"BOOL", 0, 0x1p1},       {"INT8", -0x1p7, 0x1p7},   {"INT16", -0x1p15, 0x1p15}, {"INT32", -0x1p31, 0x1p31},
      {"INT64", -0x1p63, 0x1p63}, {"UINT8", 0, 0x1p8},     {"UINT16", 0, 0x1p16},      {"UINT32", 0, 0x1p32},
      {"UINT64", 0, 0x1p64}};
  for (const Range& t : integers)
    if (datatype == t.name) {
      if (x != std::floor(x) || x < t.lo || x >= t.end)
        return "is not a " + std::string(datatype) + (datatype == "BOOL" ? " (0, 1, true or false)" : " value");
      return "";
    }
  if (datatype == "FP16" && std::fabs(x) > 65504.0) return "is beyond FP16's range (65504)";
  if (datatype == "FP32" && std::fabs(x) > 3.4028234663852886e38) return "is beyond FP32's range";
  return "";
}

class Decoder {
 public:
  Decoder(std::string_view body, const ModelInfo& info, const tools::Limits& limits, tools::Batch& batch)
      : body_(body), info_(info), limits_(limits), b_(batch) {}

  // Returns 0 on success, else the status (error() says why).
  unsigned decode(const std::vector<Tensor>& inputs) {
    const size_t nf = info_.n_features;
    bool by_name = !inputs.empty() && info_.feature_names.size() == nf;
    for (const auto& t : inputs)
      if (by_name && feature_of(t.name) == nf) by_name = false;
    if (by_name) return columns(inputs);
    if (inputs.size() == 1 && inputs[0].shape.size() == 2 && inputs[0].shape[1] == nf) return matrix(inputs[0]);
    return bad(400, "send one input per feature, named after it (" + tools::model_takes(info_) +
                        "), or one input of shape [N, " + std::to_string(nf) + "]");
  }

  const std::string& error() const noexcept { return error_; }

 private:
  // The feature named `name`, or n_features.  Many inputs look names up in
  // a hash index (built once), a few by a linear search.
  size_t feature_of(std::string_view name) {
    const auto& names = info_.feature_names;
    if (lookups_++ < 8) return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    if (index_.empty())
      for (size_t j = 0; j < names.size(); ++j) index_.emplace(names[j], j);
    const auto it = index_.find(name);
    return it == index_.end() ? names.size() : it->second;
  }

  unsigned bad(unsigned status, std::string message) {
    error_ = std::move(message);
    return status;
  }

  unsigned rows(uint64_t n) {
    if (n > tools::row_cap(info_, limits_)) return bad(413, tools::too_many_rows(info_, limits_));
    b_.reserve(n);
    for (uint64_t i = 0; i < n; ++i) b_.add_row();
    return 0;
  }

  // One cell of input `j` from the reader into (row, j).
  bool cell(JsonReader& r, const Tensor& t, size_t row, size_t j) {
    const std::string where = "input " + tools::in_quotes(t.name) + ", row " + std::to_string(row) +
                              (t.shape.size() == 2 && t.shape[1] > 1 ? ", " + tools::feature_label(info_, j) : "");
    if (tools::is_unread_input(info_, j)) return r.skip() || fail(error_, r.error());  // no step reads it
    std::string got;
    if (tools::is_string_input(info_, j)) {
      if (t.datatype != "BYTES") return fail(error_, tools::feature_label(info_, j) + " is a string column: its input must be BYTES, not " + t.datatype);
      switch (tools::read_string_cell(r, b_, row, j, got)) {
        case tools::CellRead::ok: return true;
        case tools::CellRead::malformed: return fail(error_, r.error());
        case tools::CellRead::wrong_type: return fail(error_, where + ": expected a string or null, got " + got);
      }
    }
    if (t.datatype == "BYTES") return fail(error_, tools::feature_label(info_, j) + " is numeric: its input must not be BYTES");
    double x = 0;
    std::string_view token;
    if (r.peek() == Kind::boolean) {
      bool v = false;
      if (!r.read_bool(v)) return fail(error_, r.error());
      x = v ? 1 : 0;
      token = v ? "true" : "false";
    } else {
      switch (tools::read_number_cell(r, x, token, got)) {
        case tools::CellRead::ok: break;
        case tools::CellRead::malformed: return fail(error_, r.error());
        case tools::CellRead::wrong_type: return fail(error_, where + ": expected a number or null, got " + got);
      }
    }
    if (const auto check = tools::check_number(x, info_); check != tools::NumberCheck::ok)
      return fail(error_, tools::number_refusal(check, info_, where, token));
    if (x == x && std::isfinite(x))
      if (const std::string why = datatype_refusal(t.datatype, x); !why.empty())
        return fail(error_, where + ": " + std::string(tools::abbreviated(token, 40)) + " " + why);
    b_.set_number(row, j, x);
    return true;
  }

  template <class Cell>
  unsigned data(const Tensor& t, size_t count, Cell&& cell_at) {
    JsonReader r(body_.substr(t.data_begin, t.data_end - t.data_begin), limits_.max_json_depth);
    const std::string which = "input " + tools::in_quotes(t.name);
    DataWalk w{t.shape, count, which, error_};
    if (!w.walk(r, 0, cell_at)) return 400;
    if (!r.finish()) return bad(400, which + ": " + r.error());
    if (w.i != count)
      return bad(400, which + " has " + std::to_string(w.i) + " values in \"data\", but its shape holds " + std::to_string(count));
    return 0;
  }

  unsigned matrix(const Tensor& t) {
    const size_t nf = info_.n_features;
    if (tools::has_string_inputs(info_))
      return bad(400, "this model reads string columns: send one input per feature, named after it");
    if (const unsigned st = rows(t.shape[0])) return st;
    return data(t, static_cast<size_t>(t.shape[0]) * nf,
                [&](JsonReader& r, size_t i) { return cell(r, t, i / nf, i % nf); });
  }

  unsigned columns(const std::vector<Tensor>& inputs) {
    const size_t nf = info_.n_features;
    std::vector<const Tensor*> by_feature(nf, nullptr);
    for (const auto& t : inputs) {
      const size_t j = feature_of(t.name);
      if (by_feature[j]) return bad(400, "input " + tools::in_quotes(t.name) + " is given twice");
      if (t.shape.empty() || t.shape.size() > 2 || (t.shape.size() == 2 && t.shape[1] != 1))
        return bad(400, "input " + tools::in_quotes(t.name) + " must have shape [N] or [N, 1] (one feature)");
      by_feature[j] = &t;
    }
    for (size_t j = 0; j < nf; ++j)
      if (!by_feature[j])
        return bad(400, "no input for " + tools::feature_label(info_, j) + " (" + tools::model_takes(info_) + ")");
    const uint64_t n = by_feature[0]->shape[0];
    for (const Tensor* t : by_feature)
      if (t->shape[0] != n)
        return bad(400, "input " + tools::in_quotes(t->name) + " has " + std::to_string(t->shape[0]) + " rows, but input " +
                            tools::in_quotes(by_feature[0]->name) + " has " + std::to_string(n));
    if (const unsigned st = rows(n)) return st;
    for (size_t j = 0; j < nf; ++j) {
      const Tensor& t = *by_feature[j];
      if (const unsigned st = data(t, static_cast<size_t>(n), [&](JsonReader& r, size_t i) { return cell(r, t, i, j); }))
        return st;
    }
    return 0;
  }

  std::string_view body_;
  const ModelInfo& info_;
  const tools::Limits& limits_;
  tools::Batch& b_;
  std::string error_;
  size_t lookups_ = 0;
  std::unordered_map<std::string_view, size_t> index_;
};

void write_shape(JsonWriter& j, std::initializer_list<int64_t> dims) {
  j.key("shape");
  j.begin_array();
  for (const int64_t d : dims) j.integer(d);
  j.end_array();
}

// The outputs a model gives: "label" and "probabilities" for classifiers
// (the latter when it gives them), "label" (-1 outlier, 1 inlier) and
// "predictions" (the anomaly scores) for outlier detectors, "predictions"
// otherwise.
std::vector<std::string> outputs_of(const ModelInfo& info) {
  if (info.task == Task::outlier_detection) return {"label", "predictions"};
  if (info.task != Task::classification) return {"predictions"};
  if (info.gives_probabilities()) return {"label", "probabilities"};
  return {"label"};
}

Reply metadata(const Service& s, int index, uint64_t version, const Model& m) {
  const ModelInfo& info = m.info();
  Reply r;
  JsonWriter j(r.body);
  j.begin_object();
  j.member("name", s.models()[static_cast<size_t>(index)].name);
  j.key("versions");
  j.begin_array();
  j.string(std::to_string(version));
  j.end_array();
  j.member("platform", "mlmap");
  j.key("inputs");
  j.begin_array();
  if (info.feature_names.size() == info.n_features) {
    for (size_t f = 0; f < info.n_features; ++f) {
      j.begin_object();
      j.member("name", info.feature_names[f]);
      j.member("datatype", tools::is_string_input(info, f) ? "BYTES" : "FP64");
      write_shape(j, {-1});
      j.end_object();
    }
  } else {
    j.begin_object();
    j.member("name", "input-0");
    j.member("datatype", "FP64");
    write_shape(j, {-1, static_cast<int64_t>(info.n_features)});
    j.end_object();
  }
  j.end_array();
  j.key("outputs");
  j.begin_array();
  for (const auto& o : outputs_of(info)) {
    j.begin_object();
    j.member("name", o);
    if (o == "label") {
      j.member("datatype", info.classes.kind == ClassLabels::Kind::strings ? "BYTES" : "INT64");
      if (m.class_width() == 1)
        write_shape(j, {-1});
      else  // a multi-output classifier: one label per output
        write_shape(j, {-1, static_cast<int64_t>(m.class_width())});
    } else {
      j.member("datatype", "FP64");
      const size_t w = m.output_width(Output::value);
      if (w == 1 && o == "predictions")
        write_shape(j, {-1});
      else
        write_shape(j, {-1, static_cast<int64_t>(w)});
    }
    j.end_object();
  }
  j.end_array();
  j.end_object();
  r.body += '\n';
  return r;
}

Reply infer(Service& s, int index, uint64_t version, const Model& m, std::string& body) {
  const ModelInfo& info = m.info();
  const auto& limits = s.options().limits;
  Request q;
  std::string error;
  if (!read_request(body, limits.max_json_depth, q, error)) return error_reply(400, error);
  const auto available = outputs_of(info);
  std::vector<std::string> wanted = q.outputs.empty() ? available : q.outputs;
  for (const auto& o : wanted)
    if (std::find(available.begin(), available.end(), o) == available.end()) {
      std::string names;
      for (const auto& a : available) names += (names.empty() ? "'" : ", '") + a + "'";
      return error_reply(400, "no output " + tools::in_quotes(o) + " (this model gives " + names + ")");
    }
  tools::Batch batch(info);
  Decoder decoder(body, info, limits, batch);
  if (const unsigned st = decoder.decode(q.inputs)) return error_reply(st, decoder.error());
  const size_t n = batch.n_rows();
  const bool want_label = std::find(wanted.begin(), wanted.end(), "label") != wanted.end();
  const bool want_values = std::find(wanted.begin(), wanted.end(), "label") == wanted.end() || wanted.size() > 1;
  const size_t width = m.output_width(Output::value);
  if (want_values && width != 0 && n > limits.max_values / width)
    return error_reply(413, std::to_string(n) + " rows of " + std::to_string(width) + " outputs exceed the limit of " +
                                std::to_string(limits.max_values) + " output values per request");
  const size_t per_row = m.class_width();  // a multi-output classifier: one label per output
  std::vector<int64_t> labels(want_label ? n * per_row : 0);
  std::vector<double> values(want_values ? n * width : 0);
  const int threads = s.options().predict_threads;
  if (want_label) {
    if (const Status st = batch.predict_class(m, labels.data(), threads); !st)
      return error_reply(status_for(st.code()), st.error().describe());
  }
  if (want_values) {
    PredictOptions po;
    po.n_threads = threads;
    if (const Status st = batch.predict(m, values.data(), po); !st)
      return error_reply(status_for(st.code()), st.error().describe());
  }
  Reply r;
  r.rows = n;
  r.body.reserve(128 + n * (want_label ? 12 : 0) + values.size() * 20);
  JsonWriter j(r.body, 0);
  j.begin_object();
  j.member("model_name", s.models()[static_cast<size_t>(index)].name);
  j.member("model_version", std::to_string(version));
  if (q.id) j.member("id", *q.id);
  j.key("outputs");
  j.begin_array();
  for (const auto& o : wanted) {
    j.begin_object();
    j.member("name", o);
    if (o == "label") {
      j.member("datatype", info.classes.kind == ClassLabels::Kind::strings ? "BYTES" : "INT64");
      if (per_row == 1)
        write_shape(j, {static_cast<int64_t>(n)});
      else
        write_shape(j, {static_cast<int64_t>(n), static_cast<int64_t>(per_row)});
      j.key("data");
      j.begin_array();
      for (const int64_t label : labels) write_label(j, info.classes, label);
      j.end_array();
    } else {
      j.member("datatype", "FP64");
      if (width == 1 && o == "predictions")
        write_shape(j, {static_cast<int64_t>(n)});
      else
        write_shape(j, {static_cast<int64_t>(n), static_cast<int64_t>(width)});
      j.key("data");
      j.begin_array();
      for (const double v : values) j.number(v);
      j.end_array();
    }
    j.end_object();
  }
  j.end_array();
  j.end_object();
  r.body += '\n';
  return r;
}

}  // namespace

Reply open_inference(Service& s, std::string_view method, std::string_view path, std::string& body) {
  std::string_view rest = path.substr(3);  // after "/v2"
  if (rest.empty() || rest == "/") {
    if (method != "GET") return routed(wrong_method("GET", path, method), Route::v2_metadata);
    Reply r;
    r.body = "{\"name\": \"mlmap\", \"version\": \"" MLMAP_VERSION "\", \"extensions\": []}\n";
    return routed(std::move(r), Route::v2_metadata);
  }
  if (rest == "/health/live" || rest == "/health/ready") {
    if (method != "GET") return routed(wrong_method("GET", path, method), Route::v2_health);
    Reply r;
    if (rest == "/health/live") {
      r.body = "{\"live\": true}\n";
    } else {
      const bool ready = s.ready();
      r.status = ready ? 200 : 400;  // the protocol: 200 is true, a 4xx false
      r.body = ready ? "{\"ready\": true}\n" : "{\"ready\": false}\n";
    }
    return routed(std::move(r), Route::v2_health);
  }
  if (rest.rfind("/models/", 0) != 0)
    return routed(error_reply(404, "no such endpoint '" + tools::abbreviated(path, 80) +
                                       "' (the v2 routes are /v2, /v2/health/live, /v2/health/ready, "
                                       "/v2/models/NAME[/versions/V][/ready|/infer])"),
                  Route::other);
  rest.remove_prefix(8);
  const size_t slash = rest.find('/');
  const std::string_view name = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  std::string_view asked_version;
  if (rest.rfind("/versions/", 0) == 0) {
    rest.remove_prefix(10);
    const size_t s2 = rest.find('/');
    asked_version = rest.substr(0, s2);
    rest = s2 == std::string_view::npos ? std::string_view() : rest.substr(s2);
  }
  const Route route = rest == "/infer" ? Route::v2_infer : rest.empty() || rest == "/ready" ? Route::v2_metadata : Route::other;
  if (route == Route::other)
    return routed(error_reply(404, "no such endpoint '" + tools::abbreviated(path, 80) + "'"), Route::other);
  const int index = s.find(name);
  if (index < 0)
    return routed(error_reply(404, "no model named " + tools::in_quotes(name) + " is served (GET /models lists them)"), route);
  if (method != (route == Route::v2_infer ? "POST" : "GET"))
    return routed(wrong_method(route == Route::v2_infer ? "POST" : "GET", path, method), route, index);
  uint64_t version = 0;
  const Model m = s.models()[static_cast<size_t>(index)].watch->current(&version);
  if (!asked_version.empty() && asked_version != std::to_string(version))
    return routed(error_reply(404, "version " + tools::in_quotes(asked_version) + " of " + tools::in_quotes(name) +
                                       " is not served (the current version is " + std::to_string(version) + ")"),
                  route, index);
  Reply r;
  if (rest == "/ready") {
    const bool ready = s.ready(static_cast<size_t>(index));
    r.status = ready ? 200 : 400;
    r.body = "{\"name\": " + json_quote(s.models()[static_cast<size_t>(index)].name) +
             ", \"ready\": " + (ready ? "true" : "false") + "}\n";
  } else if (route == Route::v2_infer) {
    r = infer(s, index, version, m, body);
  } else {
    r = metadata(s, index, version, m);
  }
  r.model_version = version;
  return routed(std::move(r), route, index);
}

}  // namespace mlmap::server
