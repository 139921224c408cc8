// tools/server/server.hpp — `mlmap serve`: a pre-forked HTTP/1.1 prediction
// server over a model store.
//
// Processes: the master opens the store, checks that NAME (or, without a
// name, every name the store holds) has a current version that opens, maps
// the shared metrics counters (metrics.hpp), binds and listens, then forks
// `workers` worker
// processes that all accept on that one socket.  The master restarts a
// worker that dies (with a growing delay if workers keep dying at start) and
// on SIGTERM or SIGINT stops: it closes its copy of the socket and sends
// SIGTERM to every worker; each worker stops accepting, closes idle
// keep-alive connections, finishes the requests in flight (up to
// drain_seconds) and exits; the master then exits 0.  A worker whose master
// dies gets SIGTERM (PR_SET_PDEATHSIG).
//
// Serving every name, workers also look for names published since the
// start, about once a second.  Each worker follows each served name with Store::watch (hot reload: a new version is
// picked up within about poll_ms; a request uses the model it got from
// Watch::current() for its whole duration).  All workers map the same store
// file, so the model's pages are in memory once, however many workers there
// are.  Workers run one single-threaded Boost.Asio event loop each (HTTP/1.1
// with keep-alive and pipelining, Boost.Beast); predictions run on the loop,
// so a worker handles one request at a time: parallelism is the number of
// workers.
//
// Standard output gets one line once the socket listens:
//   mlmap serve: listening on http://HOST:PORT (N workers, master PID)
// and standard error one line per worker start, death and readiness.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mlmap::server {

struct ServerOptions {
  std::string dir;                         // the store
  std::string name;                        // the model's name in it; "": every name in the store
  std::string host = "127.0.0.1";          // address to bind (IPv4 or IPv6 literal)
  uint16_t port = 8080;                    // 0: any free port (printed)
  int workers = 1;
  size_t max_body = size_t{64} << 20;      // bytes; a larger body gets 413
  size_t max_rows = 100000;                // rows per request; more get 413
  int predict_threads = 1;                 // threads per request (0 = every core)
  int poll_ms = 100;                       // how often workers look for a new version
  bool warm = false;                       // workers read every page at start and after reloads (verify())
  int drain_seconds = 10;                  // how long a stopping worker lets requests finish
  int idle_seconds = 60;                   // keep-alive connections idle longer are closed
  // Bounds against slow or hostile clients (per worker; see `mlmap serve --help`).
  size_t max_buffered = size_t{256} << 20; // request body bytes buffered across connections; beyond: 503
  int max_connections = 1000;              // open connections; beyond: 503 and close
  int header_seconds = 10;                 // to finish a request header once its first byte arrived
  int body_seconds = 10;                   // grace for a body before min_body_rate applies
  size_t min_body_rate = 64 * 1024;        // bytes/s a body must average (after body_seconds)
};

/// Runs the server until SIGTERM/SIGINT.  Returns the process exit status:
/// 0 after a clean stop, 2 (with `error` set) if it could not start.
/// Never returns in worker processes (they _exit).
int serve(const ServerOptions& options, std::string& error);

/// Limits of the options (checked by serve()).
constexpr int max_workers = 256;

}  // namespace mlmap::server
