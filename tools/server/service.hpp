// tools/server/service.hpp — what the server answers, independent of HTTP
// plumbing: one call per request, from method, target, content type and body
// to a status and a JSON body.
//
//   GET  /health            {"status": "ok", "version": V}
//   GET  /model             name, version, path, probabilities, and the keys of
//                           `mlmap inspect --json` (mlmap::to_json)
//   POST /predict[?proba=1] {"instances": [...]} or CSV -> {"predictions": [...]}
//
// Every request takes the model once from Watch::current() and uses that
// model for its whole duration, so a publish (hot reload) never splits a
// request across two versions.  Bad input is a 4xx with {"error": "..."};
// nothing here throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/request_rows.hpp"
#include "mlmap/model.hpp"
#include "mlmap/store.hpp"

namespace mlmap::server {

struct Reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string allow;           // the Allow header of a 405
  uint64_t model_version = 0;  // X-Model-Version when non-zero
};

struct ServiceOptions {
  std::string name;              // the model's name in the store
  tools::Limits limits;
  int predict_threads = 1;       // PredictOptions::n_threads per request
};

class Service {
 public:
  Service(std::shared_ptr<Watch> watch, ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Answers one request.  `body` may be modified (padded for the JSON parser).
  Reply handle(std::string_view method, std::string_view target, std::string_view content_type,
               std::string& body) noexcept;

  /// The model a request would use now, and its store version.
  Model model(uint64_t& version) const;

 private:
  Reply health(const Model& m, uint64_t version) const;
  Reply describe(const Model& m, uint64_t version) const;
  Reply predict(const Model& m, std::string_view query, std::string_view content_type, std::string& body);

  std::shared_ptr<Watch> watch_;
  ServiceOptions options_;
};

/// A reply {"error": message} with `status`.
Reply error_reply(unsigned status, std::string_view message);

}  // namespace mlmap::server
