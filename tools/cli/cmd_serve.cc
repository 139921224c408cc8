// mlmap serve DIR [NAME] [--port P] [--workers N] [--host ADDR] [--max-body BYTES]
//             [--max-rows N] [--threads N] [--poll MS] [--warm] [--max-buffered BYTES]
//             [--max-connections N] [--header-timeout S] [--body-timeout S] [--min-body-rate BYTES]
//
// The server itself lives in tools/server (see server.hpp); this file only
// reads the arguments.

#include <charconv>
#include <optional>
#include <string>

#include "commands.hpp"
#include "report.hpp"
#include "server.hpp"

namespace mlmap::cli {

namespace {

std::optional<uint64_t> parse_u64(const std::string& text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

// A flag with a whole-number value in [lo, hi]; false after a usage error.
bool number_flag(const Args& args, std::string_view flag, uint64_t lo, uint64_t hi, uint64_t& out, int& rc) {
  const auto text = args.value(flag);
  if (!text) return true;
  const auto v = parse_u64(*text);
  if (!v || *v < lo || *v > hi) {
    rc = usage_error(serve_command(), std::string(flag) + " takes a whole number from " + std::to_string(lo) + " to " +
                                          std::to_string(hi) + ", not '" + printable(*text) + "'");
    return false;
  }
  out = *v;
  return true;
}

int run(const Args& args) {
  server::ServerOptions o;
  o.dir = args.positional()[0];
  o.name = args.positional_or(1, "");  // none: every name in the store
  if (auto h = args.value("--host")) o.host = *h;
  uint64_t port = o.port, workers = static_cast<uint64_t>(o.workers), max_body = o.max_body, max_rows = o.max_rows;
  uint64_t threads = static_cast<uint64_t>(o.predict_threads), poll = static_cast<uint64_t>(o.poll_ms);
  uint64_t max_buffered = o.max_buffered, max_connections = static_cast<uint64_t>(o.max_connections);
  uint64_t header_seconds = static_cast<uint64_t>(o.header_seconds), body_seconds = static_cast<uint64_t>(o.body_seconds);
  uint64_t min_body_rate = o.min_body_rate;
  int rc = exit_usage;
  if (!number_flag(args, "--port", 0, 65535, port, rc) ||
      !number_flag(args, "--workers", 1, static_cast<uint64_t>(server::max_workers), workers, rc) ||
      !number_flag(args, "--max-body", 1, uint64_t{1} << 32, max_body, rc) ||
      !number_flag(args, "--max-rows", 1, uint64_t{1} << 32, max_rows, rc) ||
      !number_flag(args, "--threads", 0, 1024, threads, rc) || !number_flag(args, "--poll", 1, 60000, poll, rc) ||
      !number_flag(args, "--max-buffered", 1, uint64_t{1} << 40, max_buffered, rc) ||
      !number_flag(args, "--max-connections", 1, 1000000, max_connections, rc) ||
      !number_flag(args, "--header-timeout", 1, 3600, header_seconds, rc) ||
      !number_flag(args, "--body-timeout", 1, 3600, body_seconds, rc) ||
      !number_flag(args, "--min-body-rate", 1, uint64_t{1} << 40, min_body_rate, rc))
    return rc;
  if (max_buffered < max_body)
    return usage_error(serve_command(), "--max-buffered (" + std::to_string(max_buffered) +
                                            ") must be at least --max-body (" + std::to_string(max_body) + ")");
  o.port = static_cast<uint16_t>(port);
  o.workers = static_cast<int>(workers);
  o.max_body = static_cast<size_t>(max_body);
  o.max_rows = static_cast<size_t>(max_rows);
  o.predict_threads = static_cast<int>(threads);
  o.poll_ms = static_cast<int>(poll);
  o.warm = args.has("--warm");
  o.max_buffered = static_cast<size_t>(max_buffered);
  o.max_connections = static_cast<int>(max_connections);
  o.header_seconds = static_cast<int>(header_seconds);
  o.body_seconds = static_cast<int>(body_seconds);
  o.min_body_rate = static_cast<size_t>(min_body_rate);
  std::string error;
  rc = server::serve(o, error);
  if (rc != 0) return fail(error);
  return exit_ok;
}

}  // namespace

const Command& serve_command() {
  static const Command command{
      "serve",
      "DIR [NAME]",
      "serve NAME (or every name) from the store DIR over HTTP (pre-forked workers, hot reload)",
      "Endpoints (v1): GET /health, GET /model, POST /predict[?proba=1][&header=1|0]\n"
      "with {\"instances\": [[...], ...]} (rows as arrays, or objects keyed by feature\n"
      "name) or a CSV body (Content-Type: text/csv), answering {\"predictions\": [...]};\n"
      "per name: GET /models, GET /models/NAME, POST /models/NAME/predict.\n"
      "Open Inference Protocol (KServe v2): GET /v2/health/live, /v2/health/ready,\n"
      "/v2/models/NAME[/versions/V][/ready], POST /v2/models/NAME[/versions/V]/infer.\n"
      "Prometheus metrics (summed over workers): GET /metrics.\n"
      "Without NAME every name in the store is served, at /models/NAME and\n"
      "/v2/models/NAME (a name published later within about a second, also into\n"
      "an empty store, not ready until then; the v1 routes without a name need\n"
      "NAME).  Workers share one copy of each mapped version and follow the\n"
      "store: a published version is served within about --poll ms.  Limits are\n"
      "per worker: a request beyond --max-buffered or\n"
      "--max-connections gets 503 with Retry-After; a header not finished within\n"
      "--header-timeout, or a body slower than --min-body-rate after --body-timeout,\n"
      "closes the connection.  Prints the address once listening; SIGTERM,\n"
      "SIGINT or SIGHUP stops it after the requests in flight.",
      ArgSpec{{{"--port", "P", "TCP port (default 8080; 0 = any free port, printed)"},
               {"--workers", "N", "worker processes (default 1)"},
               {"--host", "ADDR", "address to bind (default 127.0.0.1)"},
               {"--max-body", "BYTES", "largest request body (default 67108864; larger: 413)"},
               {"--max-rows", "N", "most rows per request (default 100000; more: 413)"},
               {"--threads", "N", "prediction threads per request (default 1; 0 = all cores)"},
               {"--poll", "MS", "how often workers look for a new version (default 100)"},
               {"--warm", "", "workers read every page of the model at start and after each reload"},
               {"--max-buffered", "BYTES", "request body bytes a worker buffers across connections (default 268435456; beyond: 503)"},
               {"--max-connections", "N", "open connections per worker (default 1000; beyond: 503 and close)"},
               {"--header-timeout", "S", "seconds to finish a request header after its first byte (default 10)"},
               {"--body-timeout", "S", "seconds of grace for a body before --min-body-rate applies (default 10)"},
               {"--min-body-rate", "BYTES", "bytes/s a body must average after the grace (default 65536)"}},
              {"DIR", "NAME"},
              1,
              2},
      run};
  return command;
}

}  // namespace mlmap::cli
