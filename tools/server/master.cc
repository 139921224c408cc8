// The master process of `mlmap serve` (see server.hpp): checks the store,
// binds, forks the workers and supervises them; stops on SIGTERM, SIGINT or SIGHUP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "metrics.hpp"
#include "mlmap/store.hpp"
#include "server.hpp"
#include "worker.hpp"

namespace mlmap::server {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Listener {
  int fd = -1;
  int family = AF_INET;
  uint16_t port = 0;
};

bool listen_on(const std::string& host, uint16_t port, Listener& l, std::string& error) {
  sockaddr_in a4{};
  sockaddr_in6 a6{};
  const sockaddr* addr = nullptr;
  socklen_t len = 0;
  const std::string h = host == "localhost" ? "127.0.0.1" : host;
  if (::inet_pton(AF_INET, h.c_str(), &a4.sin_addr) == 1) {
    a4.sin_family = AF_INET;
    a4.sin_port = htons(port);
    l.family = AF_INET;
    addr = reinterpret_cast<const sockaddr*>(&a4);
    len = sizeof a4;
  } else if (::inet_pton(AF_INET6, h.c_str(), &a6.sin6_addr) == 1) {
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(port);
    l.family = AF_INET6;
    addr = reinterpret_cast<const sockaddr*>(&a6);
    len = sizeof a6;
  } else {
    error = "--host takes an IPv4 or IPv6 address (or localhost), not '" + host + "'";
    return false;
  }
  l.fd = ::socket(l.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l.fd < 0) {
    error = std::string("cannot create a socket: ") + std::strerror(errno);
    return false;
  }
  const int one = 1;
  (void)::setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const std::string where = (l.family == AF_INET6 ? "[" + h + "]" : h) + ":" + std::to_string(port);
  if (::bind(l.fd, addr, len) != 0) {
    error = "cannot bind " + where + ": " + std::strerror(errno);
    ::close(l.fd);
    return false;
  }
  if (::listen(l.fd, 1024) != 0) {
    error = "cannot listen on " + where + ": " + std::strerror(errno);
    ::close(l.fd);
    return false;
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  if (::getsockname(l.fd, reinterpret_cast<sockaddr*>(&bound), &bound_len) == 0)
    l.port = ntohs(l.family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  return true;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::strsignal(sig);
    return "was killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
  }
  return "stopped (status " + std::to_string(status) + ")";
}

struct Slot {
  pid_t pid = 0;
  Clock::time_point started{};
  Clock::time_point restart_at{};
  int quick_deaths = 0;  // consecutive deaths within a second of starting
};

class Master {
 public:
  Master(const ServerOptions& o, Listener l, std::vector<std::string> names)
      : options_(o), listener_(l), slots_(static_cast<size_t>(o.workers)), names_(std::move(names)),
        metrics_(names_, slots_.size()) {}

  int run(const sigset_t& signals) {
    const Clock::time_point now = Clock::now();
    for (auto& s : slots_) s.restart_at = now;
    bool stopping = false;
    Clock::time_point kill_at{};
    bool killed = false;
    for (;;) {
      reap(stopping);
      if (stopping) {
        if (std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.pid == 0; })) break;
        if (!killed && Clock::now() >= kill_at) {
          for (const auto& s : slots_)
            if (s.pid > 0) {
              log_line("worker " + std::to_string(s.pid) + " did not stop in time: SIGKILL");
              ::kill(s.pid, SIGKILL);
            }
          killed = true;
        }
      } else {
        for (auto& s : slots_)
          if (s.pid == 0 && Clock::now() >= s.restart_at) spawn(s);
      }
      timespec wait{0, 100 * 1000 * 1000};
      siginfo_t info{};
      const int sig = ::sigtimedwait(&signals, &info, &wait);
      const bool stop = sig == SIGTERM || sig == SIGINT || sig == SIGHUP;
      if (stop && !stopping) {
        stopping = true;
        log_line(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP") +
                 ": stopping workers (finishing requests in flight)");
        ::close(listener_.fd);  // the workers close theirs as they stop
        listener_.fd = -1;
        for (const auto& s : slots_)
          if (s.pid > 0) ::kill(s.pid, SIGTERM);
        kill_at = Clock::now() + std::chrono::seconds(options_.drain_seconds + 5);
      } else if (stop && stopping) {
        kill_at = Clock::now();  // a second request to stop: stop now
      }
    }
    log_line("stopped");
    return 0;
  }

 private:
  void spawn(Slot& s) {
    std::fflush(nullptr);
    const pid_t master = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      log_line(std::string("cannot start a worker: fork: ") + std::strerror(errno));
      s.restart_at = Clock::now() + std::chrono::seconds(1);
      return;
    }
    if (pid == 0) {
      // The worker: dies with the master; SIGTERM and SIGINT stay blocked
      // until its event loop handles them.
      (void)::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != master) ::_exit(0);
      sigset_t chld;
      sigemptyset(&chld);
      sigaddset(&chld, SIGCHLD);
      (void)::sigprocmask(SIG_UNBLOCK, &chld, nullptr);
      const int rc = run_worker(listener_.fd, listener_.family, options_, names_, metrics_,
                                static_cast<size_t>(&s - slots_.data()));
      std::fflush(nullptr);
      ::_exit(rc);
    }
    s.pid = pid;
    s.started = Clock::now();
    log_line("worker " + std::to_string(pid) + " started");
  }

  void reap(bool stopping) {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.pid == pid; });
      if (it == slots_.end()) continue;
      Slot& s = *it;
      s.pid = 0;
      metrics_.clear_worker(static_cast<size_t>(it - slots_.begin()));
      if (stopping) {
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
          log_line("worker " + std::to_string(pid) + " " + describe_status(status));
        continue;
      }
      metrics_.worker_restarted();
      const auto now = Clock::now();
      s.quick_deaths = now - s.started < std::chrono::seconds(1) ? s.quick_deaths + 1 : 0;
      const auto delay = s.quick_deaths == 0 ? milliseconds(0) : milliseconds(100 << std::min(s.quick_deaths, 6));
      s.restart_at = now + delay;
      log_line("worker " + std::to_string(pid) + " " + describe_status(status) + "; starting another" +
               (delay.count() ? " in " + std::to_string(delay.count()) + " ms" : std::string()));
    }
  }

  const ServerOptions& options_;
  Listener listener_;
  std::vector<Slot> slots_;
  std::vector<std::string> names_;
  Metrics metrics_;  // shared with the workers (made before they fork)
};

}  // namespace

int serve(const ServerOptions& o, std::string& error) {
  if (o.workers < 1 || o.workers > max_workers) {
    error = "--workers takes 1 to " + std::to_string(max_workers);
    return 2;
  }
  // Fail before forking: the store, the name and its current file.
  auto store = Store::open(o.dir, false);
  if (!store) {
    error = store.error().describe();
    return 2;
  }
  std::vector<std::string> names;
  if (o.name.empty()) {
    auto all = store->names();
    if (!all) {
      error = all.error().describe();
      return 2;
    }
    names = std::move(*all);
    // An empty store is served too: names are picked up as they are
    // published (live, not ready until then).
  } else {
    names.push_back(o.name);
  }
  for (const auto& name : names) {
    auto model = store->load(name);
    if (!model) {
      error = model.error().describe();
      return 2;
    }
  }  // unmapped again: the master holds no model

  // Signals are handled synchronously (sigtimedwait); workers inherit the mask.
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);  // a closed terminal: a graceful stop too, not a sudden death
  sigaddset(&signals, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &signals, &previous) != 0) {
    error = std::string("sigprocmask: ") + std::strerror(errno);
    return 2;
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  (void)::sigaction(SIGPIPE, &ignore, nullptr);

  Listener listener;
  if (!listen_on(o.host, o.port, listener, error)) {
    (void)::sigprocmask(SIG_SETMASK, &previous, nullptr);
    return 2;
  }
  const std::string host = listener.family == AF_INET6 ? "[" + o.host + "]" : o.host;
  std::printf("mlmap serve: listening on http://%s:%u (%d worker%s, master %d)\n", host.c_str(),
              static_cast<unsigned>(listener.port), o.workers, o.workers == 1 ? "" : "s", static_cast<int>(::getpid()));
  std::fflush(stdout);

  Master master(o, listener, std::move(names));
  const int rc = master.run(signals);
  // A stop request that arrives after the loop has ended (a supervisor, or
  // the tests' stop(), repeating SIGTERM while the last request drains) is
  // consumed here: unblocked, it would kill with its default action a
  // process that has already stopped cleanly (exit status -15 instead of 0).
  const timespec no_wait{0, 0};
  while (::sigtimedwait(&signals, nullptr, &no_wait) > 0) {
  }
  (void)::sigprocmask(SIG_SETMASK, &previous, nullptr);
  return rc;
}

}  // namespace mlmap::server
