#include "service.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <new>
#include <vector>

#include "mlmap/json.hpp"
#include "common/request_rows.hpp"
#include "common/text.hpp"

namespace mlmap::server {

namespace {

constexpr size_t reused_parser_capacity = size_t{1} << 20;

unsigned status_for(error_code code) {
  switch (code) {
    case error_code::invalid_argument:
    case error_code::feature_count_mismatch:
    case error_code::missing_value:
    case error_code::unknown_category: return 400;
    case error_code::limit_exceeded: return 413;
    case error_code::out_of_memory: return 503;
    default: return 500;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

enum class Media { json, csv, other };

// The media type of a Content-Type header ("text/csv; charset=utf-8" -> csv).
// No header at all means JSON, and so do text/plain and curl's default for
// -d (application/x-www-form-urlencoded).
Media media_of(std::string_view content_type) {
  const std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type.empty() || type == "application/json" || type == "text/plain" ||
      type == "application/x-www-form-urlencoded" ||
      (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0))
    return Media::json;
  if (type == "text/csv" || type == "application/csv") return Media::csv;
  return Media::other;
}

// Python's json.dumps writes NaN for float('nan'), which is not JSON.  The
// body is rewritten with null in place of each bare NaN token (outside
// strings) and parsed again.  False if there was none.
bool nan_to_null(std::string_view in, std::string& out) {
  bool replaced = false, in_string = false, escaped = false;
  out.clear();
  out.reserve(in.size() + 64 + simdjson::SIMDJSON_PADDING);
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      out += c;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == 'N' && in.compare(i, 3, "NaN") == 0) {
      const bool starts = i == 0 || !std::isalnum(static_cast<unsigned char>(in[i - 1]));
      const bool ends = i + 3 == in.size() || !std::isalnum(static_cast<unsigned char>(in[i + 3]));
      if (starts && ends) {
        out += "null";
        i += 2;
        replaced = true;
        continue;
      }
    }
    out += c;
  }
  return replaced;
}

// Query "proba=1" (also "proba", "proba=true"); other parameters are errors.
bool parse_query(std::string_view query, bool& proba, std::string& error) {
  proba = false;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string value = eq == std::string_view::npos ? std::string("1") : lower(item.substr(eq + 1));
    if (key != "proba") {
      error = "unknown query parameter '" + tools::abbreviated(key, 40) + "' (POST /predict takes proba=1)";
      return false;
    }
    if (value == "1" || value == "true" || value == "yes")
      proba = true;
    else if (value == "0" || value == "false" || value == "no")
      proba = false;
    else {
      error = "proba takes 1 or 0, not '" + tools::abbreviated(value, 40) + "'";
      return false;
    }
  }
  return true;
}

// Whether POST /predict?proba=1 has an answer for this model.
bool gives_probabilities(const ModelInfo& info) {
  return info.task == Task::classification && info.link_function != LinkFunction::hard;
}

void write_label(JsonWriter& j, const ClassLabels& classes, int64_t index) {
  const bool in_range = index >= 0 && static_cast<size_t>(index) < classes.size();
  if (in_range && classes.kind == ClassLabels::Kind::strings)
    j.string(classes.strings[static_cast<size_t>(index)]);
  else if (in_range && classes.kind == ClassLabels::Kind::integers)
    j.integer(classes.integers[static_cast<size_t>(index)]);
  else
    j.integer(index);
}

}  // namespace

Reply error_reply(unsigned status, std::string_view message) {
  Reply r;
  r.status = status;
  r.body = "{\"error\": " + json_quote(message) + "}\n";
  return r;
}

Service::Service(std::shared_ptr<Watch> watch, ServiceOptions options)
    : watch_(std::move(watch)), options_(std::move(options)) {
  parser_ = std::make_unique<simdjson::dom::parser>(reused_parser_capacity);
  if (parser_->allocate(size_t{64} << 10, options_.max_json_depth) != simdjson::SUCCESS) parser_.reset();
}

Service::~Service() = default;

Model Service::model(uint64_t& version) const { return watch_->current(&version); }

Reply Service::handle(std::string_view method, std::string_view target, std::string_view content_type,
                      std::string& body) noexcept {
  try {
    const size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    const bool get = method == "GET";
    if (path == "/predict") {
      if (method != "POST") {
        Reply r = error_reply(405, "POST /predict only (not " + tools::abbreviated(method, 20) + ")");
        r.allow = "POST";
        return r;
      }
      uint64_t version = 0;
      const Model m = model(version);
      Reply r = predict(m, query, content_type, body);
      r.model_version = version;
      return r;
    }
    if (path == "/health" || path == "/model") {
      if (!get) {
        Reply r = error_reply(405, "GET " + std::string(path) + " only (not " + tools::abbreviated(method, 20) + ")");
        r.allow = "GET";
        return r;
      }
      uint64_t version = 0;
      const Model m = model(version);
      Reply r = path == "/health" ? health(m, version) : describe(m, version);
      r.model_version = version;
      return r;
    }
    return error_reply(404, "no such endpoint '" + tools::abbreviated(path, 80) +
                                "' (there are GET /health, GET /model and POST /predict)");
  } catch (const std::bad_alloc&) {
    return error_reply(503, "out of memory");
  } catch (const std::exception& e) {
    return error_reply(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return error_reply(500, "internal error");
  }
}

Reply Service::health(const Model&, uint64_t version) const {
  Reply r;
  r.body = "{\"status\": \"ok\", \"version\": " + std::to_string(version) + "}\n";
  return r;
}

Reply Service::describe(const Model& m, uint64_t version) const {
  Reply r;
  JsonWriter j(r.body);
  j.begin_object();
  j.member("name", options_.name);
  j.member("version", version);
  j.member("path", m.path());
  j.member("probabilities", gives_probabilities(m.info()));
  write_json_members(j, m.info());  // the keys of `mlmap inspect --json`
  j.end_object();
  r.body += '\n';
  return r;
}

Reply Service::predict(const Model& m, std::string_view query, std::string_view content_type, std::string& body) {
  const ModelInfo& info = m.info();
  bool proba = false;
  std::string error;
  if (!parse_query(query, proba, error)) return error_reply(400, error);
  const bool classifier = info.task == Task::classification;
  if (proba && !classifier)
    return error_reply(400, std::string("proba=1 needs a classifier; this ") + info.estimator + " is a " +
                                task_name(info.task) + " model");
  if (proba && !gives_probabilities(info))
    return error_reply(400, info.estimator + " gives no probabilities (proba=1 is not available)");

  tools::Batch batch(info);
  tools::DecodeError bad;
  const Media media = media_of(content_type);
  if (media == Media::other) {
    Reply r = error_reply(415, "unsupported Content-Type '" + tools::abbreviated(content_type, 60) +
                                   "': send application/json or text/csv");
    return r;
  }
  // The parser (and so the JSON strings the batch points at) must outlive the prediction.
  std::unique_ptr<simdjson::dom::parser> big_parser;
  std::string rewritten;
  if (media == Media::json) {
    simdjson::dom::parser* parser = parser_.get();
    if (!parser || body.size() > reused_parser_capacity) {
      big_parser = std::make_unique<simdjson::dom::parser>(body.size() + 64);
      if (big_parser->allocate(body.size(), options_.max_json_depth) != simdjson::SUCCESS)
        return error_reply(503, "out of memory parsing a " + std::to_string(body.size()) + "-byte body");
      parser = big_parser.get();
    }
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element root;
    auto err = parser->parse(body).get(root);
    if (err != simdjson::SUCCESS && err != simdjson::DEPTH_ERROR && err != simdjson::CAPACITY &&
        nan_to_null(body, rewritten)) {
      if (rewritten.size() > parser->max_capacity()) {
        big_parser = std::make_unique<simdjson::dom::parser>(rewritten.size() + 64);
        if (big_parser->allocate(rewritten.size(), options_.max_json_depth) != simdjson::SUCCESS)
          return error_reply(503, "out of memory parsing a " + std::to_string(rewritten.size()) + "-byte body");
        parser = big_parser.get();
      }
      err = parser->parse(rewritten).get(root);
    }
    if (err == simdjson::DEPTH_ERROR)
      return error_reply(400, "malformed JSON: nested deeper than " + std::to_string(options_.max_json_depth) + " levels");
    if (err != simdjson::SUCCESS) return error_reply(400, std::string("malformed JSON: ") + simdjson::error_message(err));
    if (!tools::decode_json(root, info, options_.limits, batch, bad)) return error_reply(bad.status, bad.message);
  } else {
    if (!tools::decode_csv(body, info, options_.limits, batch, bad)) return error_reply(bad.status, bad.message);
  }

  const size_t n = batch.n_rows();
  const bool labels = classifier && !proba;
  const size_t width = labels ? 1 : m.output_width(Output::value);
  if (width != 0 && n > options_.limits.max_values / width)
    return error_reply(413, std::to_string(n) + " rows of " + std::to_string(width) + " outputs exceed the limit of " +
                                std::to_string(options_.limits.max_values) + " output values per request");
  std::vector<int64_t> classes(labels ? n : 0);
  std::vector<double> values(labels ? 0 : n * width);
  PredictOptions po;
  po.n_threads = options_.predict_threads;
  const Status st = labels ? batch.predict_class(m, classes.data(), options_.predict_threads)
                           : batch.predict(m, values.data(), po);
  if (!st) return error_reply(status_for(st.code()), st.error().describe());

  Reply r;
  r.body.reserve(16 + n * (labels ? 8 : width * 20));
  r.body += "{\"predictions\": ";
  JsonWriter j(r.body, 0);
  j.begin_array();
  for (size_t i = 0; i < n; ++i) {
    if (labels) {
      write_label(j, info.classes, classes[i]);
    } else if (width == 1 && !proba) {
      j.number(values[i]);
    } else {
      j.begin_array();
      for (size_t k = 0; k < width; ++k) j.number(values[i * width + k]);
      j.end_array();
    }
  }
  j.end_array();
  r.body += "}\n";
  return r;
}

}  // namespace mlmap::server
