// tools/server/service.hpp — what the server answers, independent of HTTP
// plumbing: one call per request, from method, target, content type and body
// to a status and a JSON body.
//
// v1 (the server's own API):
//   GET  /health            {"status": "ok", "version": V}; serving every
//                           name: {"status": "ok", "models": {NAME: V, ...}}
//   GET  /model             name, version, file (store-relative), probabilities,
//                           and the keys of `mlmap inspect --json`
//   POST /predict[?proba=1] {"instances": [...]} or CSV -> {"predictions": [...]}
//   GET  /models            {"models": [{"name": NAME, "version": V}, ...]}
//   GET  /models/NAME, POST /models/NAME/predict: the same, per name
// The routes without a name need the server to serve one name (`mlmap serve
// DIR NAME`).  The Open Inference Protocol routes (/v2/...) are in
// open_inference.hpp.
//
// Every request takes its model once from Watch::current() and uses that
// model for its whole duration, so a publish (hot reload) never splits a
// request across two versions.  Bad input is a 4xx with {"error": "..."};
// nothing here throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/request_rows.hpp"
#include "mlmap/json.hpp"
#include "mlmap/model.hpp"
#include "mlmap/store.hpp"

namespace mlmap::server {

/// Route labels of the metrics (metrics.hpp keeps the same order).
enum class Route { health, model, predict, models, v2_health, v2_metadata, v2_infer, metrics, other };
constexpr size_t n_routes = 9;

struct Reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string allow;           // the Allow header of a 405
  uint64_t model_version = 0;  // X-Model-Version when non-zero
  unsigned retry_after = 0;    // Retry-After (seconds) when non-zero
  // For the metrics:
  Route route = Route::other;
  int model = -1;              // index of the served model, -1 if none
  size_t rows = 0;             // rows predicted
};

/// A served name and the reader following its current version.
struct Served {
  std::string name;
  std::shared_ptr<Watch> watch;
};

struct ServiceOptions {
  bool single = true;            // one name given: the v1 routes without a name serve it
  tools::Limits limits;
  int predict_threads = 1;       // PredictOptions::n_threads per request
};

class Service {
 public:
  Service(std::vector<Served> models, ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Answers one request.  `body` may be modified.
  Reply handle(std::string_view method, std::string_view target, std::string_view content_type,
               std::string& body) noexcept;

  const std::vector<Served>& models() const noexcept { return models_; }
  /// Serves one more name (a name published after the start).
  void add(Served model);
  /// The index of `name` in models(), or -1.
  int find(std::string_view name) const noexcept;
  /// Whether every served model has a current version (opened, hence
  /// validated at open; the store verified it fully when it was published)
  /// that did not fail this worker's own verify() (--warm).
  bool ready() const;
  /// The same for one model.
  bool ready(size_t index) const;
  /// Records that `version` of model `index` failed verify() here.
  void set_unverified(size_t index, uint64_t version);
  const ServiceOptions& options() const noexcept { return options_; }

  /// {"predictions": [...]} for rows decoded from a v1 body.
  Reply predict(const Model& m, std::string_view query, std::string_view content_type, std::string& body);
  /// The store-relative file of a model ("clf/v000001-<hash>.mlmap").
  std::string relative_file(const Model& m) const;

 private:
  Reply v1(std::string_view method, std::string_view path, std::string_view query, std::string_view content_type,
           std::string& body);
  Reply describe(int index) const;

  std::vector<Served> models_;
  ServiceOptions options_;
  std::vector<uint64_t> unverified_;  // per model: a version that failed verify(), or 0
};

/// A reply {"error": message} with `status`.
Reply error_reply(unsigned status, std::string_view message);
/// A 405 naming the one method `allowed` (the Allow header).
Reply wrong_method(std::string_view allowed, std::string_view path, std::string_view method);
/// 400 for a bad request, 413 over a limit, 503 out of memory, else 500.
unsigned status_for(error_code code);
/// A class index as its label: the string or integer class, else the index.
void write_label(ValueWriter& j, const ClassLabels& classes, int64_t index);

}  // namespace mlmap::server
