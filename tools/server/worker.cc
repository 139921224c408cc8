// A worker process of `mlmap serve` (see server.hpp): one single-threaded
// Boost.Asio event loop accepting on the shared listening socket, one
// Boost.Beast session per connection.
//
// Session states: waiting for a request's first byte (idle between
// keep-alive requests, up to idle_seconds), reading its header (up to
// header_seconds from the first byte), reading its body (body_seconds of
// grace, then at least min_body_rate bytes/s on average), writing the
// response, lingering (after an error reply on a connection with unread
// input: the sending side is shut down and input is discarded for up to 2 s,
// so that the client reads the reply instead of a reset), closed.  A
// connection that runs out of time is closed.
//
// Bounds: a body is limited by --max-body (413, checked against
// Content-Length before any body is read); headers by 16 KiB (431).  Every
// body's bytes are reserved from the worker's budget (max_buffered) before
// they are read -- the whole Content-Length at once, a chunked body as it
// grows -- and released once the request is answered; a request that does
// not fit gets 503 with Retry-After and the connection closes, so the
// worker's buffers never grow beyond the budget.  A connection beyond
// max_connections gets 503 at once.  Request smuggling (RFC 9112 6.1, 6.3):
// a Transfer-Encoding whose last coding is not chunked, one beside a
// Content-Length, or one in an HTTP/1.0 request is refused with 400 and the
// connection closes.
//
// Stopping (SIGTERM, SIGINT, SIGHUP): the acceptor closes, connections waiting for a
// request with nothing received close now, requests in flight finish and get
// `Connection: close`; the loop ends when no connection is left (or after
// drain_seconds).
#include "worker.hpp"

#include <signal.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "mlmap/store.hpp"
#include "mlmap/version.hpp"
#include "service.hpp"

namespace mlmap::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void log_line(const std::string& message) noexcept {
  try {
    const std::string line = "mlmap serve[" + std::to_string(::getpid()) + "]: " + message + "\n";
    size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
  } catch (...) {
  }
}

namespace {

constexpr size_t header_limit = 16 * 1024;
constexpr auto request_timeout = std::chrono::seconds(60);  // to read a body or write a reply
constexpr auto linger_timeout = std::chrono::seconds(2);
constexpr size_t read_chunk = 64 * 1024;  // what Beast reads at once; slack of the body rate rule
constexpr unsigned retry_seconds = 1;     // Retry-After of a 503 for lack of room
constexpr size_t linger_buffer = 64 * 1024;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

class Worker;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Worker& worker) : worker_(worker), stream_(std::move(socket)) {}
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() { read_header(); }
  void drain();

 private:
  enum class State { waiting, reading_header, reading_body, writing, lingering, closed };

  void read_header();
  void read_header_rest();
  void on_header(const beast::error_code& ec);
  bool smuggling(std::string& why) const;
  void read_body();
  void read_body_some();
  void on_body(const beast::error_code& ec);
  bool reserve_for_body();
  void release();
  void busy(const std::string& what);
  void set_in_flight(bool on);
  void handle();
  void send(Reply reply);
  void fail_request(unsigned status, std::string message);
  void too_large();
  void on_write(const beast::error_code& ec);
  void linger();
  void on_linger(const beast::error_code& ec, size_t n);
  void close();

  Worker& worker_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  http::response<http::empty_body> continue_;
  State state_ = State::reading_header;
  unsigned http_version_ = 11;
  bool keep_alive_ = true;
  bool linger_after_ = false;
  size_t lingered_ = 0;
  size_t reserved_ = 0;  // bytes of the worker's budget this connection holds
  bool in_flight_ = false;
  std::chrono::steady_clock::time_point body_start_{};
  std::unique_ptr<char[]> scratch_;
};

class Worker {
 public:
  Worker(int listen_fd, int family, const ServerOptions& options, Store store, std::vector<Served> models,
         Metrics& metrics, size_t slot)
      : options_(options),
        store_(std::move(store)),
        service_(std::move(models), service_options(options)),
        metrics_(metrics),
        slot_(slot),
        acceptor_(io_),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        drain_timer_(io_),
        retry_timer_(io_),
        warm_timer_(io_),
        poll_timer_(io_) {
    beast::error_code ec;
    acceptor_.assign(family == AF_INET6 ? tcp::v6() : tcp::v4(), listen_fd, ec);
    if (ec) assign_error_ = ec.message();
  }

  int run() {
    if (!assign_error_.empty()) {
      log_line("cannot use the listening socket: " + assign_error_);
      return 2;
    }
    for (const auto& m : service_.models()) seen_.push_back(Seen{0, 0, {}, metrics_.model_index(m.name)});
    signals_.async_wait([this](const beast::error_code& ec, int) {
      if (!ec) start_drain();
    });
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    (void)::pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
    if (options_.warm) warm();
    poll();
    std::string versions;
    for (const auto& m : service_.models())
      versions += (versions.empty() ? "" : ", ") + (options_.name.empty() ? m.name + " " : "") +
                  std::to_string(m.watch->version());
    log_line("worker ready (version " + versions + ")");
    accept();
    schedule_poll();
    for (;;) {
      try {
        io_.run();
        break;
      } catch (const std::exception& e) {
        log_line(std::string("internal error (continuing): ") + e.what());
      } catch (...) {
        log_line("internal error (continuing)");
      }
    }
    return 0;
  }

  Service& service() noexcept { return service_; }
  Metrics& metrics() noexcept { return metrics_; }
  /// The metrics' index of the service's model `index` (-1: none).
  int metrics_index(int index) const noexcept {
    return index >= 0 && static_cast<size_t>(index) < seen_.size() ? seen_[static_cast<size_t>(index)].metrics : -1;
  }
  size_t slot() const noexcept { return slot_; }
  const ServerOptions& options() const noexcept { return options_; }
  bool draining() const noexcept { return draining_; }

  /// Takes `n` bytes of the budget of buffered request bytes; false if
  /// they do not fit.
  bool reserve(size_t n) noexcept {
    if (n > options_.max_buffered - buffered_) return false;
    buffered_ += n;
    metrics_.set_buffered(slot_, buffered_);
    return true;
  }
  void release(size_t n) noexcept {
    buffered_ -= std::min(n, buffered_);
    metrics_.set_buffered(slot_, buffered_);
  }

  void remove(Session* s) noexcept {
    sessions_.erase(s);
    if (draining_ && sessions_.empty()) drain_timer_.cancel();
  }

 private:
  static ServiceOptions service_options(const ServerOptions& o) {
    ServiceOptions so;
    so.single = !o.name.empty();
    so.limits.max_rows = o.max_rows;
    so.predict_threads = o.predict_threads;
    return so;
  }

  void accept() {
    acceptor_.async_accept([this](const beast::error_code& ec, tcp::socket socket) {
      if (draining_ || ec == asio::error::operation_aborted) return;
      if (ec) {  // e.g. out of file descriptors: try again shortly
        log_line("accept: " + ec.message());
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        retry_timer_.async_wait([this](const beast::error_code& e) {
          if (!e && !draining_) accept();
        });
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (sessions_.size() >= static_cast<size_t>(options_.max_connections)) {
        refuse(socket);
        accept();
        return;
      }
      try {
        auto session = std::make_shared<Session>(std::move(socket), *this);
        sessions_.emplace(session.get(), session);
        session->start();
      } catch (const std::exception& e) {
        log_line(std::string("cannot start a connection: ") + e.what());
      }
      accept();
    });
  }

  // Beyond max_connections: a short 503 written at once (a fresh socket
  // takes ~200 bytes without blocking), then closed; counted as a request.
  void refuse(tcp::socket& socket) {
    metrics_.request(Route::other, -1, 0, 503, 0, 0);
    static const std::string reply =
        "HTTP/1.1 503 Service Unavailable\r\nServer: mlmap/" MLMAP_VERSION
        "\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 54\r\n\r\n"
        "{\"error\": \"too many connections: try again shortly\"}\n";
    beast::error_code ec;
    socket.non_blocking(true, ec);
    (void)socket.send(asio::buffer(reply), 0, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
  }

  // Reads every page of the current version through its mapping (verify()
  // reads the whole file), so that requests find it in memory.
  void warm() {
    for (size_t i = 0; i < service_.models().size(); ++i) {
      uint64_t version = 0;
      const Model m = service_.models()[i].watch->current(&version);
      if (version == seen_[i].warmed) continue;
      const auto t0 = std::chrono::steady_clock::now();
      const Status st = m.verify();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      seen_[i].warmed = version;
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.3f", s);
      const std::string what = (options_.name.empty() ? service_.models()[i].name + " " : "") + "version " + std::to_string(version);
      if (st)
        log_line("warmed " + what + " (" + std::to_string(m.info().file_size) + " bytes) in " + secs + " s");
      else {
        log_line(what + " failed verification: " + st.error().describe());
        service_.set_unverified(i, version);  // not ready while it is current
      }
    }
  }

  // Every poll_ms: the versions and reload errors of each model into the
  // metrics (a version change is a reload), and warming if asked.  Serving
  // every name, also about once a second: names published since the start.
  void poll() {
    if (options_.name.empty() && ++polls_ * static_cast<uint64_t>(options_.poll_ms) >= 1000) {
      polls_ = 0;
      discover();
    }
    for (size_t i = 0; i < service_.models().size(); ++i) {
      const auto& w = *service_.models()[i].watch;
      const uint64_t version = w.version();
      Seen& seen = seen_[i];
      const size_t mi = static_cast<size_t>(seen.metrics);  // out of range (-1): ignored by Metrics
      if (seen.version != 0 && version != seen.version) metrics_.reloaded(mi);
      seen.version = version;
      metrics_.set_version(mi, version);
      std::string error = w.last_error();
      if (!error.empty() && error != seen.error) metrics_.reload_failed(mi);
      seen.error = std::move(error);
    }
    if (options_.warm) warm();
  }

  // Follows the names of the store that are not served yet (a name whose
  // current version does not open yet is tried again next time).
  void discover() {
    auto names = store_.names();
    if (!names) return;
    for (const auto& name : *names) {
      if (service_.find(name) >= 0) continue;
      auto watch = store_.watch(name, options_.poll_ms);
      if (!watch || (*watch)->version() == 0) continue;
      service_.add(Served{name, std::move(*watch)});
      seen_.push_back(Seen{0, 0, {}, metrics_.model_index(name)});
      log_line("serving '" + name + "' (version " + std::to_string(service_.models().back().watch->version()) + ")");
    }
  }

  void schedule_poll() {
    poll_timer_.expires_after(std::chrono::milliseconds(options_.poll_ms));
    poll_timer_.async_wait([this](const beast::error_code& ec) {
      if (ec || draining_) return;
      poll();
      schedule_poll();
    });
  }

  void start_drain() {
    if (draining_) return;
    draining_ = true;
    log_line("stopping: " + std::to_string(sessions_.size()) + " open connection(s)");
    beast::error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
    warm_timer_.cancel();
    poll_timer_.cancel();
    std::vector<std::shared_ptr<Session>> live;
    for (auto& [ptr, weak] : sessions_)
      if (auto s = weak.lock()) live.push_back(std::move(s));
    for (auto& s : live) s->drain();
    if (sessions_.empty()) return;
    drain_timer_.expires_after(std::chrono::seconds(options_.drain_seconds));
    drain_timer_.async_wait([this](const beast::error_code& e) {
      if (e) return;
      log_line("requests still running after " + std::to_string(options_.drain_seconds) + " s: closing " +
               std::to_string(sessions_.size()) + " connection(s)");
      io_.stop();
    });
  }

  // Destroyed last to first: the io_context (and with it any sessions still
  // held by pending handlers) goes before the session registry.
  struct Seen {
    uint64_t version = 0;  // last seen by poll()
    uint64_t warmed = 0;   // last verified by warm()
    std::string error;     // last reload error seen
    int metrics = -1;      // the model's index in the metrics
  };

  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  const ServerOptions& options_;
  Store store_;
  Service service_;
  Metrics& metrics_;
  size_t slot_;
  std::vector<Seen> seen_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer drain_timer_;
  asio::steady_timer retry_timer_;
  asio::steady_timer warm_timer_;
  asio::steady_timer poll_timer_;
  uint64_t polls_ = 0;
  std::string assign_error_;
  bool draining_ = false;
  size_t buffered_ = 0;  // bytes reserved by sessions (reserve / release)
};

Session::~Session() {
  release();
  set_in_flight(false);
  worker_.remove(this);
}

void Session::drain() {
  // Only a connection waiting for its next request with nothing received
  // is closed now; anything in flight finishes first.
  if (state_ != State::waiting || buffer_.size() > 0) return;
  beast::error_code ec;
  if (stream_.socket().available(ec) > 0 && !ec) return;
  stream_.cancel();
}

void Session::read_header() {
  if (worker_.draining() && buffer_.size() == 0) {
    close();
    return;
  }
  parser_.emplace();
  parser_->header_limit(header_limit);
  parser_->body_limit(worker_.options().max_body);
  if (buffer_.size() > 0) return read_header_rest();  // pipelined: already here
  beast::error_code ec;
  if (stream_.socket().available(ec) > 0 && !ec) return read_header_rest();  // arrived: no idle wait
  // Idle until the first byte, then header_seconds for the whole header.
  state_ = State::waiting;
  stream_.expires_after(std::chrono::seconds(worker_.options().idle_seconds));
  stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](const beast::error_code& ec, size_t n) {
    self->buffer_.commit(n);
    if (ec) return self->close();  // end of stream, idle timeout, cancelled while draining
    self->read_header_rest();
  });
}

void Session::read_header_rest() {
  state_ = State::reading_header;
  stream_.expires_after(std::chrono::seconds(worker_.options().header_seconds));
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](const beast::error_code& ec, size_t) { self->on_header(ec); });
}

bool Session::smuggling(std::string& why) const {
  const auto& req = parser_->get();
  if (req.count(http::field::transfer_encoding) == 0) return false;
  if (req.version() < 11)
    why = "Transfer-Encoding in an HTTP/1.0 request";
  else if (req.count(http::field::content_length) != 0)
    why = "both Content-Length and Transfer-Encoding";
  else if (!parser_->chunked())
    why = "a Transfer-Encoding whose last coding is not chunked";
  else
    return false;
  return true;
}

void Session::set_in_flight(bool on) {
  if (on == in_flight_) return;
  in_flight_ = on;
  worker_.metrics().add_in_flight(worker_.slot(), on ? 1 : -1);
}

void Session::on_header(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return too_large();
  if (ec == http::error::header_limit) return fail_request(431, "request header over " + std::to_string(header_limit) + " bytes");
  if (ec) {
    if (is_http_parse_error(ec)) return fail_request(400, "malformed HTTP request: " + ec.message());
    return close();  // end of stream, timeout, reset, cancelled while draining
  }
  auto& req = parser_->get();
  http_version_ = req.version();
  set_in_flight(true);
  if (std::string why; smuggling(why)) return fail_request(400, "ambiguous request framing (RFC 9112 6.3): " + why);
  if (const auto len = parser_->content_length(); len && *len > worker_.options().max_body) return too_large();
  if (!reserve_for_body()) return;
  if (beast::iequals(req[http::field::expect], "100-continue")) {
    continue_ = http::response<http::empty_body>(http::status::continue_, http_version_);
    state_ = State::writing;
    stream_.expires_after(request_timeout);
    http::async_write(stream_, continue_, [self = shared_from_this()](const beast::error_code& e, size_t) {
      if (e) return self->close();
      self->read_body();
    });
    return;
  }
  read_body();
}

void Session::read_body() {
  state_ = State::reading_body;
  body_start_ = std::chrono::steady_clock::now();
  read_body_some();
}

// One read of the body at a time: each must end before the time by which
// the bytes so far plus one more read would be too slow (body_seconds of
// grace, then min_body_rate on average).
void Session::read_body_some() {
  if (parser_->is_done()) return handle();
  const auto& o = worker_.options();
  const double allowed = static_cast<double>(parser_->get().body().size() + read_chunk) / static_cast<double>(o.min_body_rate);
  stream_.expires_at(body_start_ + std::chrono::seconds(o.body_seconds) +
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(allowed)));
  http::async_read_some(stream_, buffer_, *parser_,
                        [self = shared_from_this()](const beast::error_code& ec, size_t) { self->on_body(ec); });
}

void Session::on_body(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return too_large();
  if (ec) {
    if (is_http_parse_error(ec)) return fail_request(400, "malformed HTTP request: " + ec.message());
    return close();  // end of stream, too slow (the stream closed itself), reset
  }
  if (!reserve_for_body()) return;
  read_body_some();
}

// A body with a Content-Length reserves all of it before it is read; a
// chunked one reserves as it grows (doubling, up to max_body).  False after
// answering 503.
bool Session::reserve_for_body() {
  const auto& o = worker_.options();
  const auto len = parser_->content_length();
  const size_t have = parser_->get().body().size();
  if (!len && !parser_->chunked()) return true;  // no body
  size_t want = len ? static_cast<size_t>(*len) : std::min(o.max_body, std::max(have + read_chunk, 2 * reserved_));
  if (want <= reserved_) return true;
  if (!worker_.reserve(want - reserved_)) {
    busy("the server is buffering too many request bodies (limit " + std::to_string(o.max_buffered) +
         " bytes per worker): try again shortly");
    return false;
  }
  reserved_ = want;
  return true;
}

void Session::release() {
  worker_.release(reserved_);
  reserved_ = 0;
}

void Session::busy(const std::string& what) {
  keep_alive_ = false;
  linger_after_ = true;
  parser_.reset();
  release();
  Reply r = error_reply(503, what);
  r.retry_after = retry_seconds;
  worker_.metrics().request(Route::other, -1, 0, 503, 0, 0);
  send(std::move(r));
}

void Session::handle() {
  auto& req = parser_->get();
  keep_alive_ = req.keep_alive();
  const auto t0 = std::chrono::steady_clock::now();
  Reply reply;
  const std::string_view target = sv(req.target());
  if (target == "/metrics" || target.rfind("/metrics?", 0) == 0) {
    if (req.method() != http::verb::get) {
      reply = wrong_method("GET", "/metrics", sv(req.method_string()));
    } else {
      reply.body = worker_.metrics().render();
      reply.content_type = Metrics::content_type;
    }
    reply.route = Route::metrics;
  } else {
    reply = worker_.service().handle(sv(req.method_string()), target, sv(req[http::field::content_type]), req.body());
  }
  parser_.reset();  // frees the request body
  release();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  worker_.metrics().request(reply.route, worker_.metrics_index(reply.model), reply.model_version, reply.status, seconds,
                            reply.rows);
  send(std::move(reply));
}

void Session::send(Reply reply) {
  res_ = http::response<http::string_body>();
  res_.version(http_version_);
  res_.result(reply.status);
  res_.set(http::field::server, "mlmap/" MLMAP_VERSION);
  res_.set(http::field::content_type, reply.content_type);
  if (!reply.allow.empty()) res_.set(http::field::allow, reply.allow);
  if (reply.model_version) res_.set("X-Model-Version", std::to_string(reply.model_version));
  if (reply.retry_after) res_.set(http::field::retry_after, std::to_string(reply.retry_after));
  res_.keep_alive(keep_alive_ && !linger_after_ && !worker_.draining());
  res_.body() = std::move(reply.body);
  res_.prepare_payload();
  state_ = State::writing;
  stream_.expires_after(request_timeout);
  http::async_write(stream_, res_, [self = shared_from_this()](const beast::error_code& ec, size_t) { self->on_write(ec); });
}

void Session::fail_request(unsigned status, std::string message) {
  keep_alive_ = false;
  linger_after_ = true;
  parser_.reset();
  release();
  worker_.metrics().request(Route::other, -1, 0, status, 0, 0);
  send(error_reply(status, message));
}

void Session::too_large() {
  fail_request(413, "request body over the limit of " + std::to_string(worker_.options().max_body) + " bytes");
}

void Session::on_write(const beast::error_code& ec) {
  set_in_flight(false);
  const bool keep = res_.keep_alive();
  res_ = http::response<http::string_body>();  // frees the reply
  if (ec) return close();
  if (linger_after_) return linger();
  if (!keep || worker_.draining()) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return close();
  }
  read_header();
}

void Session::linger() {
  state_ = State::lingering;
  buffer_.consume(buffer_.size());
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (!scratch_) scratch_ = std::make_unique<char[]>(linger_buffer);
  stream_.expires_after(linger_timeout);
  stream_.async_read_some(asio::buffer(scratch_.get(), linger_buffer),
                          [self = shared_from_this()](const beast::error_code& e, size_t n) { self->on_linger(e, n); });
}

void Session::on_linger(const beast::error_code& ec, size_t n) {
  lingered_ += n;
  if (ec || lingered_ > worker_.options().max_body + (size_t{16} << 20)) return close();
  stream_.async_read_some(asio::buffer(scratch_.get(), linger_buffer),
                          [self = shared_from_this()](const beast::error_code& e, size_t m) { self->on_linger(e, m); });
}

void Session::close() {
  state_ = State::closed;
  stream_.close();
}

}  // namespace

int run_worker(int listen_fd, int family, const ServerOptions& options, const std::vector<std::string>& names,
               Metrics& metrics, size_t slot) noexcept {
  try {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    (void)::sigaction(SIGPIPE, &ignore, nullptr);
    auto store = Store::open(options.dir, false);
    if (!store) {
      log_line("cannot open the store: " + store.error().describe());
      return 2;
    }
    std::vector<Served> models;
    for (const auto& name : names) {
      auto watch = store->watch(name, options.poll_ms);
      if (!watch) {
        log_line("cannot follow '" + name + "': " + watch.error().describe());
        return 2;
      }
      models.push_back(Served{name, std::move(*watch)});
    }
    Worker worker(listen_fd, family, options, std::move(*store), std::move(models), metrics, slot);
    return worker.run();
  } catch (const std::exception& e) {
    log_line(std::string("worker failed: ") + e.what());
  } catch (...) {
    log_line("worker failed");
  }
  return 2;
}

}  // namespace mlmap::server
