#include "service.hpp"

#include <algorithm>
#include <cctype>
#include <new>
#include <optional>
#include <vector>

#include "mlmap/json.hpp"
#include "common/request_rows.hpp"
#include "common/text.hpp"
#include "open_inference.hpp"

namespace mlmap::server {

namespace {

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

// A yes/no query or media-type parameter: 1/true/yes/present or 0/false/no/absent.
std::optional<bool> yes_no(std::string_view value) {
  const std::string v = lower(value);
  if (v == "1" || v == "true" || v == "yes" || v == "present") return true;
  if (v == "0" || v == "false" || v == "no" || v == "absent") return false;
  return std::nullopt;
}

// The header= parameter of a text/csv Content-Type (RFC 4180: "header=present"
// or "header=absent"); detect when there is none.
bool csv_header_of(std::string_view content_type, tools::HeaderMode& mode, std::string& error) {
  size_t semi = content_type.find(';');
  while (semi != std::string_view::npos) {
    content_type.remove_prefix(semi + 1);
    semi = content_type.find(';');
    const std::string_view param = trim(content_type.substr(0, semi));
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos || lower(trim(param.substr(0, eq))) != "header") continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    const auto yes = yes_no(value);
    if (!yes) {
      error = "the Content-Type parameter header takes present or absent, not " + tools::in_quotes(value);
      return false;
    }
    mode = *yes ? tools::HeaderMode::present : tools::HeaderMode::absent;
  }
  return true;
}

// Query "proba=1" (also "proba", "proba=true") and, for CSV bodies,
// "header=1|0" (present/absent; default: detect); other parameters are errors.
bool parse_query(std::string_view query, bool& proba, tools::HeaderMode& header, std::string& error) {
  proba = false;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view("1") : item.substr(eq + 1);
    if (key != "proba" && key != "header") {
      error = "unknown query parameter '" + tools::abbreviated(key, 40) + "' (POST /predict takes proba=1 and header=1|0)";
      return false;
    }
    const auto yes = yes_no(value);
    if (!yes) {
      error = std::string(key) + " takes 1 or 0, not '" + tools::abbreviated(value, 40) + "'";
      return false;
    }
    if (key == "proba")
      proba = *yes;
    else
      header = *yes ? tools::HeaderMode::present : tools::HeaderMode::absent;
  }
  return true;
}

}  // namespace

void write_label(ValueWriter& j, const ClassLabels& classes, int64_t index) {
  const bool in_range = index >= 0 && static_cast<size_t>(index) < classes.size();
  if (in_range && classes.kind == ClassLabels::Kind::strings)
    j.string(classes.strings[static_cast<size_t>(index)]);
  else if (in_range && classes.kind == ClassLabels::Kind::integers)
    j.integer(classes.integers[static_cast<size_t>(index)]);
  else
    j.integer(index);
}

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

Reply error_reply(unsigned status, std::string_view message) {
  Reply r;
  r.status = status;
  r.body = "{\"error\": " + json_quote(message) + "}\n";
  return r;
}

Reply wrong_method(std::string_view allowed, std::string_view path, std::string_view method) {
  Reply r = error_reply(405, std::string(allowed) + " " + tools::abbreviated(path, 80) + " only (not " +
                                 tools::abbreviated(method, 20) + ")");
  r.allow = std::string(allowed);
  return r;
}

Service::Service(std::vector<Served> models, ServiceOptions options)
    : models_(std::move(models)), options_(std::move(options)), unverified_(models_.size(), 0) {}

Service::~Service() = default;

void Service::add(Served model) {
  models_.push_back(std::move(model));
  unverified_.push_back(0);
}

int Service::find(std::string_view name) const noexcept {
  for (size_t i = 0; i < models_.size(); ++i)
    if (models_[i].name == name) return static_cast<int>(i);
  return -1;
}

bool Service::ready(size_t i) const {
  const uint64_t version = models_[i].watch ? models_[i].watch->version() : 0;
  return version != 0 && version != unverified_[i];
}

bool Service::ready() const {
  if (models_.empty()) return false;  // serving a store that holds no name yet
  for (size_t i = 0; i < models_.size(); ++i)
    if (!ready(i)) return false;
  return true;
}

void Service::set_unverified(size_t index, uint64_t version) {
  if (index < unverified_.size()) unverified_[index] = version;
}

std::string Service::relative_file(const Model& m) const {
  // A store keeps NAME/vNNNNNN-HASH.mlmap: the last two components.
  const std::string& path = m.path();
  const size_t last = path.find_last_of('/');
  if (last == std::string::npos || last == 0) return path;
  const size_t before = path.find_last_of('/', last - 1);
  return before == std::string::npos ? path : path.substr(before + 1);
}

Reply Service::handle(std::string_view method, std::string_view target, std::string_view content_type,
                      std::string& body) noexcept {
  try {
    const size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    if (path == "/v2" || path.rfind("/v2/", 0) == 0) return open_inference(*this, method, path, body);
    return v1(method, path, query, content_type, body);
  } catch (const std::bad_alloc&) {
    return error_reply(503, "out of memory");
  } catch (const std::exception& e) {
    return error_reply(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return error_reply(500, "internal error");
  }
}

Reply Service::v1(std::string_view method, std::string_view path, std::string_view query, std::string_view content_type,
                  std::string& body) {
  // Which model and what for: /predict, /model (the one name), /models/NAME[/predict].
  int index = -1;
  bool predicting = false;
  Route route = Route::other;
  if (path == "/health") {
    if (method != "GET") return wrong_method("GET", path, method);
    Reply r;
    r.route = Route::health;
    if (options_.single) {
      uint64_t version = 0;
      (void)models_[0].watch->current(&version);
      r.body = "{\"status\": \"ok\", \"version\": " + std::to_string(version) + "}\n";
      r.model_version = version;
      return r;
    }
    JsonWriter j(r.body);
    j.begin_object();
    j.member("status", "ok");
    j.key("models");
    j.begin_object();
    for (const auto& s : models_) j.member(s.name, s.watch->version());
    j.end_object();
    j.end_object();
    r.body += '\n';
    return r;
  }
  if (path == "/models") {
    if (method != "GET") return wrong_method("GET", path, method);
    Reply r;
    r.route = Route::models;
    JsonWriter j(r.body);
    j.begin_object();
    j.key("models");
    j.begin_array();
    for (const auto& s : models_) {
      j.begin_object();
      j.member("name", s.name);
      j.member("version", s.watch->version());
      j.end_object();
    }
    j.end_array();
    j.end_object();
    r.body += '\n';
    return r;
  }
  if (path == "/predict" || path == "/model") {
    predicting = path == "/predict";
    if (!options_.single)
      return error_reply(404, "this server serves every model of its store: use " +
                                  std::string(predicting ? "POST /models/NAME/predict" : "GET /models/NAME") +
                                  " (GET /models lists them)");
    index = 0;
  } else if (path.rfind("/models/", 0) == 0) {
    std::string_view rest = path.substr(8);
    const size_t slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
      if (rest.substr(slash) != "/predict")
        return error_reply(404, "no such endpoint '" + tools::abbreviated(path, 80) + "'");
      predicting = true;
    }
    index = find(name);
    if (index < 0) {
      Reply r = error_reply(404, "no model named " + tools::in_quotes(name) + " is served (GET /models lists them)");
      r.route = predicting ? Route::predict : Route::model;
      return r;
    }
  } else {
    return error_reply(404, "no such endpoint '" + tools::abbreviated(path, 80) +
                                "' (there are GET /health, GET /model, POST /predict, GET /models, GET /models/NAME, "
                                "POST /models/NAME/predict, the /v2 routes and GET /metrics)");
  }
  route = predicting ? Route::predict : Route::model;
  if (predicting && method != "POST") {
    Reply r = wrong_method("POST", path, method);
    r.route = route;
    r.model = index;
    return r;
  }
  if (!predicting && method != "GET") {
    Reply r = wrong_method("GET", path, method);
    r.route = route;
    r.model = index;
    return r;
  }
  Reply r;
  uint64_t version = 0;
  if (predicting) {
    const Model m = models_[static_cast<size_t>(index)].watch->current(&version);
    r = predict(m, query, content_type, body);
  } else {
    r = describe(index);
    version = r.model_version;
  }
  r.route = route;
  r.model = index;
  r.model_version = version;
  return r;
}

Reply Service::describe(int index) const {
  uint64_t version = 0;
  const Served& s = models_[static_cast<size_t>(index)];
  const Model m = s.watch->current(&version);
  Reply r;
  r.model_version = version;
  JsonWriter j(r.body);
  j.begin_object();
  j.member("name", s.name);
  j.member("version", version);
  j.member("path", relative_file(m));  // relative to the store: the server's directories are not the client's business
  j.member("probabilities", m.info().gives_probabilities());
  write_json_members(j, m.info());  // the keys of `mlmap inspect --json`
  j.end_object();
  r.body += '\n';
  return r;
}

Reply Service::predict(const Model& m, std::string_view query, std::string_view content_type, std::string& body) {
  const ModelInfo& info = m.info();
  bool proba = false;
  tools::HeaderMode header = tools::HeaderMode::detect;
  std::string error;
  if (!csv_header_of(content_type, header, error) || !parse_query(query, proba, header, error))
    return error_reply(400, error);
  const bool classifier = info.task == Task::classification;
  if (proba && !classifier)
    return error_reply(400, std::string("proba=1 needs a classifier; this ") + info.estimator + " is a " +
                                task_name(info.task) + " model");
  if (proba && !info.gives_probabilities())
    return error_reply(400, info.estimator + " gives no probabilities (proba=1 is not available)");

  tools::Batch batch(info);
  tools::DecodeError bad;
  const Media media = media_of(content_type);
  if (media == Media::other) {
    Reply r = error_reply(415, "unsupported Content-Type '" + tools::abbreviated(content_type, 60) +
                                   "': send application/json or text/csv");
    return r;
  }
  if (media == Media::json) {
    if (!tools::decode_json(body, info, options_.limits, batch, bad)) return error_reply(bad.status, bad.message);
  } else {
    if (!tools::decode_csv(body, info, options_.limits, header, batch, bad)) return error_reply(bad.status, bad.message);
  }

  const size_t n = batch.n_rows();
  const bool labels = info.gives_labels() && !proba;
  const size_t width = labels ? m.class_width() : m.output_width(Output::value);
  if (width != 0 && n > options_.limits.max_values / width)
    return error_reply(413, std::to_string(n) + " rows of " + std::to_string(width) + " outputs exceed the limit of " +
                                std::to_string(options_.limits.max_values) + " output values per request");
  const size_t per_row = m.class_width();  // a multi-output classifier: one label per output
  std::vector<int64_t> classes(labels ? n * per_row : 0);
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
    if (labels && per_row == 1) {
      write_label(j, info.classes, classes[i]);
    } else if (labels) {
      j.begin_array();
      for (size_t k = 0; k < per_row; ++k) write_label(j, info.classes, classes[i * per_row + k]);
      j.end_array();
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
  r.rows = n;
  return r;
}

}  // namespace mlmap::server
