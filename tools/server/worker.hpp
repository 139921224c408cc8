// tools/server/worker.hpp — one worker process of `mlmap serve` (see server.hpp).
#pragma once

#include <string>
#include <vector>

#include "metrics.hpp"
#include "server.hpp"

namespace mlmap::server {

/// Serves `names` of the store on the listening socket `listen_fd` (of
/// address family `family`) until SIGTERM/SIGINT; returns the exit status.
/// Counts into the shared `metrics` as worker `slot`.  Expects SIGTERM and
/// SIGINT blocked on entry (it unblocks them once it handles them).
int run_worker(int listen_fd, int family, const ServerOptions& options, const std::vector<std::string>& names,
               Metrics& metrics, size_t slot) noexcept;

/// "mlmap serve[PID]: message" on stderr, one line.
void log_line(const std::string& message) noexcept;

}  // namespace mlmap::server
