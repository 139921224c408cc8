// mlmap serve DIR NAME [--port P] [--workers N] [--host ADDR] [--max-body BYTES]
//             [--max-rows N] [--threads N] [--poll MS] [--warm]
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
  o.name = args.positional()[1];
  if (auto h = args.value("--host")) o.host = *h;
  uint64_t port = o.port, workers = static_cast<uint64_t>(o.workers), max_body = o.max_body, max_rows = o.max_rows;
  uint64_t threads = static_cast<uint64_t>(o.predict_threads), poll = static_cast<uint64_t>(o.poll_ms);
  int rc = exit_usage;
  if (!number_flag(args, "--port", 0, 65535, port, rc) ||
      !number_flag(args, "--workers", 1, static_cast<uint64_t>(server::max_workers), workers, rc) ||
      !number_flag(args, "--max-body", 1, uint64_t{1} << 32, max_body, rc) ||
      !number_flag(args, "--max-rows", 1, uint64_t{1} << 32, max_rows, rc) ||
      !number_flag(args, "--threads", 0, 1024, threads, rc) || !number_flag(args, "--poll", 1, 60000, poll, rc))
    return rc;
  o.port = static_cast<uint16_t>(port);
  o.workers = static_cast<int>(workers);
  o.max_body = static_cast<size_t>(max_body);
  o.max_rows = static_cast<size_t>(max_rows);
  o.predict_threads = static_cast<int>(threads);
  o.poll_ms = static_cast<int>(poll);
  o.warm = args.has("--warm");
  std::string error;
  rc = server::serve(o, error);
  if (rc != 0) return fail(error);
  return exit_ok;
}

}  // namespace

const Command& serve_command() {
  static const Command command{
      "serve",
      "DIR NAME [--port P] [--workers N] [--host ADDR] [--max-body BYTES] [--max-rows N] [--warm]",
      "serve NAME from the store DIR over HTTP (pre-forked workers, hot reload)",
      "Endpoints: GET /health, GET /model, POST /predict[?proba=1] with\n"
      "{\"instances\": [[...], ...]} (rows as arrays, or objects keyed by feature\n"
      "name) or a CSV body (Content-Type: text/csv), answering {\"predictions\": [...]}.\n"
      "Workers share one copy of the mapped model and follow the store: a\n"
      "published version is served within about --poll ms.  Prints the address\n"
      "once listening; SIGTERM or SIGINT stops it after the requests in flight.",
      ArgSpec{{{"--port", "P", "TCP port (default 8080; 0 = any free port, printed)"},
               {"--workers", "N", "worker processes (default 1)"},
               {"--host", "ADDR", "address to bind (default 127.0.0.1)"},
               {"--max-body", "BYTES", "largest request body (default 67108864; larger: 413)"},
               {"--max-rows", "N", "most rows per request (default 100000; more: 413)"},
               {"--threads", "N", "prediction threads per request (default 1; 0 = all cores)"},
               {"--poll", "MS", "how often workers look for a new version (default 100)"},
               {"--warm", "", "workers read every page of the model at start and after each reload"}},
              {"DIR", "NAME"},
              2,
              2},
      run};
  return command;
}

}  // namespace mlmap::cli
