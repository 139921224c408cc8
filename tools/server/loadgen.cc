// mlmap-loadgen — drives an HTTP server with C concurrent keep-alive clients
// (one thread each, synchronous Boost.Beast) sending one fixed request for T
// seconds, then reports requests/s, latency percentiles and failures.
//
//   mlmap-loadgen --port P [--host 127.0.0.1] [--path /predict] [--method POST]
//                 [--body FILE] [--content-type application/json]
//                 [--connections C] [--duration SECONDS] [--json]
//
// A failure is a request that got no response (connection refused, reset,
// closed mid-request: the client reconnects and goes on) or a response whose
// status is not 200.  The distinct X-Model-Version values seen are reported
// (`mlmap serve` sets it), which shows hot reloads happening under load.
// Exit status: 0 if every request succeeded, 1 if any failed, 2 on bad
// arguments, 3 if clients hung past the deadline.
//
// Targets are meant to be local servers: the default host is 127.0.0.1.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Config {
  std::string host = "127.0.0.1";
  std::string port;
  std::string path = "/predict";
  std::string method = "POST";
  std::string body;
  std::string content_type = "application/json";
  int connections = 4;
  double duration = 10;
  bool json = false;
};

struct Stats {
  uint64_t ok = 0;
  uint64_t failed = 0;
  uint64_t connects = 0;
  std::vector<uint32_t> latency_us;
  std::map<unsigned, uint64_t> statuses;
  std::set<std::string> versions;
  std::string first_error;
  std::atomic<bool> done{false};
};

void note_error(Stats& s, const std::string& what) {
  if (s.first_error.empty()) s.first_error = what;
}

void client(const Config& c, const tcp::resolver::results_type& endpoints, Clock::time_point end, Stats& s) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    http::request<http::string_body> req{http::string_to_verb(c.method), c.path, 11};
    req.set(http::field::host, c.host + ":" + c.port);
    req.set(http::field::user_agent, "mlmap-loadgen");
    if (!c.body.empty() || c.method == "POST") req.set(http::field::content_type, c.content_type);
    req.keep_alive(true);
    req.body() = c.body;
    req.prepare_payload();
    beast::flat_buffer buffer;
    bool connected = false;
    while (Clock::now() < end) {
      beast::error_code ec;
      if (!connected) {
        beast::error_code ignored;
        stream.socket().close(ignored);
        buffer.clear();
        stream.socket().connect(*endpoints.begin(), ec);
        if (ec) {
          ++s.failed;
          note_error(s, "connect: " + ec.message());
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        stream.socket().set_option(tcp::no_delay(true), ignored);
        connected = true;
        ++s.connects;
      }
      const auto t0 = Clock::now();
      http::write(stream, req, ec);
      http::response<http::string_body> res;
      if (!ec) http::read(stream, buffer, res, ec);
      if (ec) {
        ++s.failed;
        note_error(s, "request: " + ec.message());
        connected = false;
        continue;
      }
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
      s.latency_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
      const unsigned status = res.result_int();
      ++s.statuses[status];
      if (status == 200) {
        ++s.ok;
      } else {
        ++s.failed;
        note_error(s, "status " + std::to_string(status) + ": " + res.body().substr(0, 200));
      }
      const auto v = res["X-Model-Version"];
      if (!v.empty()) s.versions.emplace(v.data(), v.size());
      if (!res.keep_alive()) connected = false;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  } catch (const std::exception& e) {
    ++s.failed;
    note_error(s, std::string("client: ") + e.what());
  }
  s.done = true;
}

double percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[i] / 1000.0;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

int usage(const std::string& message) {
  std::fprintf(stderr,
               "mlmap-loadgen: %s\nusage: mlmap-loadgen --port P [--host H] [--path /predict] [--method POST] "
               "[--body FILE] [--content-type T] [--connections C] [--duration S] [--json]\n",
               message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Config c;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--json") {
        c.json = true;
        continue;
      }
      if (i + 1 >= argc) return usage("missing value after " + a);
      const std::string v = argv[++i];
      if (a == "--host") c.host = v;
      else if (a == "--port") c.port = v;
      else if (a == "--path") c.path = v;
      else if (a == "--method") c.method = v;
      else if (a == "--content-type") c.content_type = v;
      else if (a == "--connections") c.connections = std::atoi(v.c_str());
      else if (a == "--duration") c.duration = std::atof(v.c_str());
      else if (a == "--body") {
        std::ifstream f(v, std::ios::binary);
        if (!f) return usage("cannot read '" + v + "'");
        std::ostringstream ss;
        ss << f.rdbuf();
        c.body = ss.str();
      } else {
        return usage("unknown flag '" + a + "'");
      }
    }
    if (c.port.empty()) return usage("--port is required");
    if (c.connections < 1 || c.connections > 4096) return usage("--connections takes 1 to 4096");
    if (!(c.duration > 0 && c.duration <= 86400)) return usage("--duration takes seconds > 0");
    if (http::string_to_verb(c.method) == http::verb::unknown) return usage("unknown method '" + c.method + "'");

    asio::io_context io;
    tcp::resolver resolver(io);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(c.host, c.port, ec);
    if (ec || endpoints.empty()) return usage("cannot resolve " + c.host + ":" + c.port + ": " + ec.message());

    std::vector<Stats> stats(static_cast<size_t>(c.connections));
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    const auto end = start + std::chrono::microseconds(static_cast<int64_t>(c.duration * 1e6));
    for (auto& s : stats) threads.emplace_back(client, std::cref(c), std::cref(endpoints), end, std::ref(s));
    // Clients finish the request in flight at the deadline; give them 30 s.
    const auto hard_end = end + std::chrono::seconds(30);
    while (!std::all_of(stats.begin(), stats.end(), [](const Stats& s) { return s.done.load(); })) {
      if (Clock::now() > hard_end) {
        std::fprintf(stderr, "mlmap-loadgen: clients still waiting for responses 30 s after the end\n");
        std::fflush(nullptr);
        std::_Exit(3);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    uint64_t ok = 0, failed = 0, connects = 0;
    std::vector<uint32_t> lat;
    std::map<unsigned, uint64_t> statuses;
    std::set<std::string> versions;
    std::string first_error;
    for (auto& s : stats) {
      ok += s.ok;
      failed += s.failed;
      connects += s.connects;
      lat.insert(lat.end(), s.latency_us.begin(), s.latency_us.end());
      for (auto& [k, v] : s.statuses) statuses[k] += v;
      versions.insert(s.versions.begin(), s.versions.end());
      if (first_error.empty()) first_error = s.first_error;
    }
    std::sort(lat.begin(), lat.end());
    const uint64_t total = ok + failed;
    const double rps = static_cast<double>(lat.size()) / elapsed;
    std::string vlist;
    for (const auto& v : versions) vlist += (vlist.empty() ? "" : ", ") + json_string(v);
    std::string slist;
    for (const auto& [k, v] : statuses) slist += (slist.empty() ? "" : ", ") + json_string(std::to_string(k)) + ": " + std::to_string(v);
    if (c.json) {
      std::printf(
          "{\"connections\": %d, \"duration_s\": %.3f, \"requests\": %llu, \"ok\": %llu, \"failed\": %llu, "
          "\"connects\": %llu, \"rps\": %.1f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
          "\"statuses\": {%s}, \"versions_seen\": [%s], \"first_error\": %s}\n",
          c.connections, elapsed, static_cast<unsigned long long>(total), static_cast<unsigned long long>(ok),
          static_cast<unsigned long long>(failed), static_cast<unsigned long long>(connects), rps, percentile(lat, 0.5),
          percentile(lat, 0.9), percentile(lat, 0.99), lat.empty() ? 0.0 : lat.back() / 1000.0, slist.c_str(),
          vlist.c_str(), json_string(first_error).c_str());
    } else {
      std::printf("%d connections, %.2f s: %llu requests, %llu failed, %.0f req/s\n", c.connections, elapsed,
                  static_cast<unsigned long long>(total), static_cast<unsigned long long>(failed), rps);
      std::printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", percentile(lat, 0.5), percentile(lat, 0.9),
                  percentile(lat, 0.99), lat.empty() ? 0.0 : lat.back() / 1000.0);
      std::printf("model versions seen: %zu; connections opened: %llu\n", versions.size(),
                  static_cast<unsigned long long>(connects));
      if (!first_error.empty()) std::printf("first failure: %s\n", first_error.c_str());
    }
    return failed == 0 && total > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mlmap-loadgen: %s\n", e.what());
    return 2;
  }
}
