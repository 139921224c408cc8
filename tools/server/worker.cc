// A worker process of `mlmap serve` (see server.hpp): one single-threaded
// Boost.Asio event loop accepting on the shared listening socket, one
// Boost.Beast session per connection.
//
// Session states: reading a request header (idle between keep-alive
// requests), reading its body, writing the response, lingering (after an
// error reply on a connection with unread input: the sending side is shut
// down and input is discarded for up to 2 s, so that the client reads the
// reply instead of a reset), closed.  A request's body is limited by
// --max-body (413, checked against Content-Length before any body is read);
// headers by 16 KiB (431).  Idle connections close after idle_seconds.
//
// Stopping (SIGTERM/SIGINT): the acceptor closes, connections waiting for a
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
  enum class State { reading_header, reading_body, writing, lingering, closed };

  void read_header();
  void on_header(const beast::error_code& ec);
  void read_body();
  void on_body(const beast::error_code& ec);
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
  std::unique_ptr<char[]> scratch_;
};

class Worker {
 public:
  Worker(int listen_fd, int family, const ServerOptions& options, std::shared_ptr<Watch> watch)
      : options_(options),
        service_(watch, service_options(options)),
        watch_(std::move(watch)),
        acceptor_(io_),
        signals_(io_, SIGTERM, SIGINT),
        drain_timer_(io_),
        retry_timer_(io_),
        warm_timer_(io_) {
    beast::error_code ec;
    acceptor_.assign(family == AF_INET6 ? tcp::v6() : tcp::v4(), listen_fd, ec);
    if (ec) assign_error_ = ec.message();
  }

  int run() {
    if (!assign_error_.empty()) {
      log_line("cannot use the listening socket: " + assign_error_);
      return 2;
    }
    signals_.async_wait([this](const beast::error_code& ec, int) {
      if (!ec) start_drain();
    });
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    (void)::pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
    uint64_t version = 0;
    (void)service_.model(version);
    if (options_.warm) warm();
    log_line("worker ready (version " + std::to_string(version) + ")");
    accept();
    if (options_.warm) schedule_warm();
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
  const ServerOptions& options() const noexcept { return options_; }
  bool draining() const noexcept { return draining_; }

  void remove(Session* s) noexcept {
    sessions_.erase(s);
    if (draining_ && sessions_.empty()) drain_timer_.cancel();
  }

 private:
  static ServiceOptions service_options(const ServerOptions& o) {
    ServiceOptions so;
    so.name = o.name;
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

  // Reads every page of the current version through its mapping (verify()
  // reads the whole file), so that requests find it in memory.
  void warm() {
    uint64_t version = 0;
    const Model m = service_.model(version);
    if (version == warmed_) return;
    const auto t0 = std::chrono::steady_clock::now();
    const Status st = m.verify();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    warmed_ = version;
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.3f", s);
    if (st)
      log_line("warmed version " + std::to_string(version) + " (" + std::to_string(m.info().file_size) + " bytes) in " +
               secs + " s");
    else
      log_line("version " + std::to_string(version) + " failed verification: " + st.error().describe());
  }

  void schedule_warm() {
    warm_timer_.expires_after(std::chrono::milliseconds(options_.poll_ms));
    warm_timer_.async_wait([this](const beast::error_code& ec) {
      if (ec || draining_) return;
      warm();
      schedule_warm();
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
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  const ServerOptions& options_;
  Service service_;
  std::shared_ptr<Watch> watch_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer drain_timer_;
  asio::steady_timer retry_timer_;
  asio::steady_timer warm_timer_;
  std::string assign_error_;
  bool draining_ = false;
  uint64_t warmed_ = 0;
};

Session::~Session() { worker_.remove(this); }

void Session::drain() {
  // Only a connection waiting for its next request with nothing received
  // is closed now; anything in flight finishes first.
  if (state_ != State::reading_header || (parser_ && parser_->got_some()) || buffer_.size() > 0) return;
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
  state_ = State::reading_header;
  stream_.expires_after(std::chrono::seconds(worker_.options().idle_seconds));
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](const beast::error_code& ec, size_t) { self->on_header(ec); });
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
  if (const auto len = parser_->content_length(); len && *len > worker_.options().max_body) return too_large();
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
  stream_.expires_after(request_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](const beast::error_code& ec, size_t) { self->on_body(ec); });
}

void Session::on_body(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return too_large();
  if (ec) {
    if (is_http_parse_error(ec)) return fail_request(400, "malformed HTTP request: " + ec.message());
    return close();
  }
  handle();
}

void Session::handle() {
  auto& req = parser_->get();
  keep_alive_ = req.keep_alive();
  Reply reply = worker_.service().handle(sv(req.method_string()), sv(req.target()), sv(req[http::field::content_type]),
                                         req.body());
  parser_.reset();  // frees the request body
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
  send(error_reply(status, message));
}

void Session::too_large() {
  fail_request(413, "request body over the limit of " + std::to_string(worker_.options().max_body) + " bytes");
}

void Session::on_write(const beast::error_code& ec) {
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

int run_worker(int listen_fd, int family, const ServerOptions& options) noexcept {
  try {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    (void)::sigaction(SIGPIPE, &ignore, nullptr);
    auto store = Store::open(options.dir, false);
    if (!store) {
      log_line("cannot open the store: " + store.error().describe());
      return 2;
    }
    auto watch = store->watch(options.name, options.poll_ms);
    if (!watch) {
      log_line("cannot follow '" + options.name + "': " + watch.error().describe());
      return 2;
    }
    Worker worker(listen_fd, family, options, std::move(*watch));
    return worker.run();
  } catch (const std::exception& e) {
    log_line(std::string("worker failed: ") + e.what());
  } catch (...) {
    log_line("worker failed");
  }
  return 2;
}

}  // namespace mlmap::server
