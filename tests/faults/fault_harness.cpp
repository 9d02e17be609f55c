// Fault-test tools (see header).
#include "fault_harness.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config.hpp"

namespace rinha::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

bool faults_long() {
  const char* v = std::getenv("FAULTS_LONG");
  return v && *v && std::string(v) != "0";
}

std::chrono::milliseconds pick(std::chrono::milliseconds short_form, std::chrono::milliseconds long_form) {
  return faults_long() ? long_form : short_form;
}

int64_t now_epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- LoadDriver ----

LoadDriver::LoadDriver(int port, int rate_per_s, int threads, std::string amount)
    : port_(port), rate_per_s_(rate_per_s), threads_n_(threads), amount_(std::move(amount)), start_(Clock::now()) {
  for (int i = 0; i < threads_n_; ++i) threads_.emplace_back([this, i] { run(i); });
}

LoadDriver::~LoadDriver() { stop(); }

void LoadDriver::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::vector<Sent> LoadDriver::results() {
  std::lock_guard lock(mu_);
  return results_;
}

void LoadDriver::run(int index) {
  asio::io_context io;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buf;
  const auto interval = std::chrono::microseconds(1'000'000LL * threads_n_ / std::max(1, rate_per_s_));
  auto next = start_ + interval * index / threads_n_;
  std::vector<Sent> mine;
  while (!stop_) {
    std::this_thread::sleep_until(next);
    next += interval;
    if (next < Clock::now() - std::chrono::seconds(1)) next = Clock::now();  // do not burst after a stall
    Sent s;
    s.id = new_uuid();
    s.sent_ms = now_epoch_ms();
    ++sent_;
    try {
      if (!stream) {
        stream = std::make_unique<beast::tcp_stream>(io);
        stream->expires_after(std::chrono::seconds(2));
        stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_)));
        buf.clear();
      }
      http::request<http::string_body> req{http::verb::post, "/payments", 11};
      req.set(http::field::host, "localhost");
      req.set(http::field::content_type, "application/json");
      req.body() = R"({"correlationId":")" + s.id + R"(","amount":)" + amount_ + "}";
      req.prepare_payload();
      stream->expires_after(std::chrono::milliseconds(1500));  // the official test's timeout
      http::write(*stream, req);
      http::response<http::string_body> res;
      http::read(*stream, buf, res);
      s.status = res.result_int();
      if (!res.keep_alive()) stream.reset();
    } catch (const std::exception&) {
      s.status = 0;
      stream.reset();
    }
    s.answered_ms = now_epoch_ms();
    if (s.status >= 200 && s.status < 300) {
      ++acked_;
    } else {
      ++failed_;
    }
    mine.push_back(std::move(s));
  }
  std::lock_guard lock(mu_);
  results_.insert(results_.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
}

// ---- verification ----

std::string Outcome::to_string() const {
  std::ostringstream o;
  o << "sent=" << sent << " acknowledged=" << acknowledged << " stored=" << stored << " lost=" << lost
    << " duplicated=" << duplicated << " unanswered_or_5xx=" << unanswered << " stored_unacked=" << stored_unacked
    << " requestedAt_mismatch=" << requested_at_mismatch << " ledger_missing=" << ledger_missing
    << " summary_matches=" << (summary_matches ? "yes" : "no");
  return o.str();
}

namespace {

// Every instance's queue, processing list and held set (any number of instances).
bool queues_empty(Stack& s) {
  return s.redis("EVAL 'local n = 0 "
                 "for _, k in ipairs(redis.call(\"KEYS\", \"payments:queue:*\")) do n = n + redis.call(\"LLEN\", k) end "
                 "for _, k in ipairs(redis.call(\"KEYS\", \"payments:processing:*\")) do n = n + redis.call(\"HLEN\", k) end "
                 "for _, k in ipairs(redis.call(\"KEYS\", \"payments:held:*\")) do n = n + redis.call(\"ZCARD\", k) end "
                 "return n' 0") == "0\n";
}

bool summaries_agree(Stack& s, std::string* backend = nullptr) {
  const auto sum = s.summary().body;
  if (backend) *backend = sum;
  const Counts bd = parse_counts(sum, "default"), bf = parse_counts(sum, "fallback");
  return bd.requests >= 0 && bd == s.sim_counts(s.default_port()) && bf == s.sim_counts(s.fallback_port());
}

// "<id>:<cents>" -> score, from ZRANGE ... WITHSCORES output (alternating lines).
std::map<std::string, int64_t> ledger(Stack& s, const char* processor) {
  std::map<std::string, int64_t> out;
  std::istringstream in(s.redis(std::string("ZRANGE payments:ledger:") + processor + " 0 -1 WITHSCORES"));
  std::string member, score;
  while (std::getline(in, member) && std::getline(in, score)) {
    const auto colon = member.rfind(':');
    if (colon == std::string::npos) continue;
    out[member.substr(0, colon)] = std::stoll(score);
  }
  return out;
}

// requestedAt of `id` stored on the simulator at `port`, or -1 if absent.
int64_t sim_requested_at(int port, const std::string& id) {
  const auto r = http_request(port, "GET", "/payments/" + id);
  if (r.status != 200) return -1;
  static const std::regex re(R"re("requestedAt"\s*:\s*"([^"]+)")re");
  std::smatch m;
  if (!std::regex_search(r.body, m, re)) return -2;
  // YYYY-MM-DDTHH:MM:SS.mmmZ -> epoch ms (UTC)
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(m[1].str().c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) < 6) {
    return -2;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(::timegm(&tm)) * 1000 + ms;
}

// What holds even where a kill may lose payments: none charged twice, each stored one with
// its pinned requestedAt and in the ledger, the summary the processors'.
void expect_books_hold(const Outcome& o) {
  EXPECT_EQ(o.duplicated, 0u) << o.to_string();
  EXPECT_EQ(o.requested_at_mismatch, 0u) << o.to_string();
  EXPECT_EQ(o.ledger_missing, 0u) << o.to_string();
  EXPECT_TRUE(o.summary_matches) << o.summary;
}

}  // namespace

void sleep_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

int64_t since_ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

void expect_invariants(const Outcome& o) {
  EXPECT_GT(o.acknowledged, 0u);
  EXPECT_EQ(o.lost, 0u) << o.to_string();
  expect_books_hold(o);
}

std::string expect_invariants_across_kills(const std::vector<Sent>& sent, const Outcome& all,
                                           const std::vector<int64_t>& kills_ms, int rate_per_s,
                                           const std::map<std::string, std::string>& api_env) {
  const Config cfg = load_config([&api_env](const char* name) -> const char* {
    auto it = api_env.find(name);
    return it == api_env.end() ? nullptr : it->second.c_str();
  });
  const int64_t window_ms = effective_intake_window_ms(cfg);
  const int64_t before_ms = window_ms + 500, after_ms = 100;  // a slow machine's lateness; a 202 read after the kill
  // `all` (verify() of every payment) names the lost ones: each must lie near a kill.
  size_t acked_near = 0, lost_near = 0, lost_elsewhere = 0;
  for (const auto& x : sent) {
    if (x.status < 200 || x.status >= 300) continue;
    const bool near = std::any_of(kills_ms.begin(), kills_ms.end(), [&](int64_t k) {
      return x.answered_ms >= k - before_ms && x.answered_ms <= k + after_ms;
    });
    const bool lost = all.lost_ids.count(x.id) > 0;
    acked_near += near ? 1 : 0;
    lost_near += near && lost ? 1 : 0;
    lost_elsewhere += !near && lost ? 1 : 0;
  }
  EXPECT_GT(all.acknowledged, acked_near) << all.to_string();  // some were answered far from a kill
  EXPECT_EQ(lost_elsewhere, 0u) << all.to_string();
  expect_books_hold(all);
  // A kill loses at most what the killed instance answered in one window and the write
  // after it: about half the load for window + 100 ms, plus 2 (0 when there is no window).
  const size_t per_kill = window_ms == 0 ? 0 : static_cast<size_t>(rate_per_s / 2 * (window_ms + 100) / 1000 + 2);
  EXPECT_LE(lost_near, per_kill * kills_ms.size()) << all.to_string();
  return "acked_near_a_kill=" + std::to_string(acked_near) + " lost_there=" + std::to_string(lost_near) +
         " (at most " + std::to_string(per_kill * kills_ms.size()) + ")";
}

int64_t wait_drained(Stack& s, std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  int agreeing = 0;
  while (Clock::now() - start < timeout) {
    if (queues_empty(s) && summaries_agree(s)) {
      if (++agreeing >= 2) {  // twice in a row, 100 ms apart: nothing was still landing
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count() - 100;
      }
    } else {
      agreeing = 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

Settled stop_and_verify(Stack& s, LoadDriver& load, std::chrono::milliseconds timeout) {
  load.stop();
  Settled out;
  out.drain_ms = wait_drained(s, timeout);
  out.sent = load.results();
  out.o = verify(s, out.sent);
  return out;
}

Outcome verify(Stack& s, const std::vector<Sent>& sent) {
  Outcome o;
  o.sent = sent.size();
  const auto ledger_default = ledger(s, "default");
  const auto ledger_fallback = ledger(s, "fallback");
  struct Row {
    const Sent* sent;
    int64_t at_default = -1, at_fallback = -1;
  };
  std::vector<Row> rows;
  rows.reserve(sent.size());
  for (const auto& x : sent) rows.push_back({&x});
  // Two GETs per payment, spread over a few threads.
  std::vector<std::thread> pool;
  std::atomic<size_t> next{0};
  for (int t = 0; t < 8; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < rows.size(); i = next++) {
        rows[i].at_default = sim_requested_at(s.default_port(), rows[i].sent->id);
        rows[i].at_fallback = sim_requested_at(s.fallback_port(), rows[i].sent->id);
      }
    });
  }
  for (auto& t : pool) t.join();
  for (const auto& r : rows) {
    const bool acked = r.sent->status >= 200 && r.sent->status < 300;
    const bool on_d = r.at_default >= 0, on_f = r.at_fallback >= 0;
    if (acked) {
      ++o.acknowledged;
      if (on_d && on_f) ++o.duplicated;
      else if (on_d || on_f) ++o.stored;
      else {
        ++o.lost;
        o.lost_ids.insert(r.sent->id);
      }
    } else {
      if (r.sent->status == 0 || r.sent->status >= 500) ++o.unanswered;
      if (on_d || on_f) ++o.stored_unacked;
    }
    for (auto [on, at, led] : {std::tuple{on_d, r.at_default, &ledger_default}, std::tuple{on_f, r.at_fallback, &ledger_fallback}}) {
      if (!on) continue;
      const auto it = led->find(r.sent->id);
      if (it == led->end()) ++o.ledger_missing;
      else if (it->second != at) ++o.requested_at_mismatch;
      if (acked && it != led->end()) o.requested_at_ms[r.sent->id] = it->second;
    }
  }
  o.summary_matches = summaries_agree(s, &o.summary);
  return o;
}

void report_line(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  const char* path = std::getenv("FAULTS_REPORT");
  std::ofstream out(path && *path ? path : RINHA_BUILD_DIR "/faults-report.txt", std::ios::app);
  out << line << "\n";
}

void report(const std::string& test, const Outcome& o, const std::string& extra) {
  report_line("FAULT " + test + (faults_long() ? " [long]" : " [short]") + ": " + o.to_string() +
              (extra.empty() ? "" : " " + extra));
}

// ---- stack control ----

int stack_sh(Stack& s, const std::string& args, const std::map<std::string, std::string>& api_env) {
  std::string cmd = "env -u PROCESSOR_DEFAULT_URL -u PROCESSOR_FALLBACK_URL RUN_DIR=" + s.run_dir() +
                    " BUILD_DIR=" RINHA_BUILD_DIR " NGINX_PORT=" + std::to_string(s.port()) +
                    " SIM_DEFAULT_PORT=" + std::to_string(s.default_port()) +
                    " SIM_FALLBACK_PORT=" + std::to_string(s.fallback_port()) + " PURGE_TOKEN=123 LEDGER_HORIZON=0";
  for (const auto& [k, v] : api_env) cmd += " " + k + "=" + v;
  cmd += " " RINHA_SOURCE_DIR "/scripts/stack.sh " + args + " >>" + s.run_dir() + "/stack-faults.out 2>&1";
  return std::system(cmd.c_str());
}

int pid_of(Stack& s, const std::string& service) {
  std::ifstream in(s.run_dir() + "/" + service + ".pid");
  int pid = 0;
  in >> pid;
  return pid;
}

bool process_alive(int pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || line.size() < close + 3 || line[close + 2] != 'Z';
}

std::string api_request(Stack& s, int instance, const std::string& method, const std::string& target,
                        const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: api\r\nConnection: close\r\n";
  if (!body.empty()) req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  return raw_unix(s.run_dir() + "/api" + std::to_string(instance) + ".sock", req, std::chrono::seconds(5));
}

int health_owner(Stack& s, int instances, std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  while (Clock::now() - start < timeout) {
    for (int i = 1; i <= instances; ++i) {
      if (api_metric(s, i, "rinha_health_owner") == 1) return i;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

std::string admin_request(Stack& s, int instance, const std::string& method, const std::string& target) {
  const std::string req = method + " " + target + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n";
  return raw_unix(s.run_dir() + "/api" + std::to_string(instance) + "-admin.sock", req, std::chrono::seconds(5));
}

long long api_metric(Stack& s, int instance, const std::string& name) {
  const auto text = admin_request(s, instance, "GET", "/metrics");
  const std::string key = "\n" + name + " ";
  const auto at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

// ---- raw client ----

namespace {
template <typename Socket>
std::string exchange_raw(Socket& sock, const std::string& bytes, std::chrono::milliseconds timeout) {
  // Blocking socket with receive/send timeouts: simple and enough for tests.
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  boost::system::error_code ec;
  asio::write(sock, asio::buffer(bytes), ec);
  std::string out;
  char buf[8192];
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const ssize_t n = ::recv(sock.native_handle(), buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}
}  // namespace

std::string raw_tcp(int port, const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context io;
  asio::ip::tcp::socket sock(io);
  boost::system::error_code ec;
  sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)), ec);
  if (ec) return {};
  return exchange_raw(sock, bytes, timeout);
}

std::string raw_unix(const std::string& path, const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context io;
  asio::local::stream_protocol::socket sock(io);
  boost::system::error_code ec;
  sock.connect(asio::local::stream_protocol::endpoint(path), ec);
  if (ec) return {};
  return exchange_raw(sock, bytes, timeout);
}

std::vector<int> statuses(const std::string& raw) {
  std::vector<int> out;
  static const std::regex re(R"(HTTP/1\.[01] (\d{3}) )");
  for (std::sregex_iterator it(raw.begin(), raw.end(), re), end; it != end; ++it) out.push_back(std::stoi((*it)[1]));
  return out;
}

// ---- HealthProxy ----

struct HealthProxy::State {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io};
  int upstream_port = 0;
  std::atomic<Mode> mode{Mode::pass};
  std::atomic<int> health_calls{0};
  std::mutex mu;
  std::vector<int64_t> call_ms;  // epoch ms of every health call
  std::map<std::string, int> payment_seen;  // reset_then_500: POST /payments per correlationId
  std::atomic<int> resets{0}, answered_500{0};
  std::atomic<bool> stopping{false};
};

namespace {
void serve_proxy_connection(std::shared_ptr<HealthProxy::State> st, asio::ip::tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    boost::system::error_code ec;
    stream.expires_after(std::chrono::seconds(120));
    http::read(stream, buf, req, ec);
    if (ec || st->stopping) return;
    http::response<http::string_body> res;
    const bool health = req.target() == "/payments/service-health";
    if (health) {
      ++st->health_calls;
      std::lock_guard<std::mutex> lock(st->mu);
      st->call_ms.push_back(now_epoch_ms());
    }
    if (health && st->mode == HealthProxy::Mode::hang) {
      while (st->mode == HealthProxy::Mode::hang && !st->stopping) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return;  // the caller gave up long ago: drop the connection
    }
    bool answer_500 = false;
    if (!health && st->mode == HealthProxy::Mode::reset_then_500 && req.method() == http::verb::post) {
      const std::string& body = req.body();
      const auto at = body.find("\"correlationId\"");
      const auto quote = at == std::string::npos ? at : body.find('"', body.find(':', at) + 1);
      const std::string id = quote == std::string::npos ? std::string{} : body.substr(quote + 1, 36);
      int seen = 0;
      {
        std::lock_guard<std::mutex> lock(st->mu);
        seen = ++st->payment_seen[id];
      }
      answer_500 = seen == 2;
      if (seen == 1) {  // stored upstream, then the caller is hung up on
        http_request(st->upstream_port, "POST", std::string(req.target()), body, {});
        ++st->resets;
        const ::linger hard{1, 0};
        ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        stream.socket().close(ec);
        return;
      }
    }
    if (answer_500) {  // the retry of a payment stored and hung up on: not forwarded
      ++st->answered_500;
      res.result(http::status::internal_server_error);
      res.body() = R"({"message":"failure"})";
    } else if (health && st->mode == HealthProxy::Mode::too_many) {
      res.result(http::status::too_many_requests);
      res.body() = R"({"message":"too many requests"})";
    } else {
      std::map<std::string, std::string> headers;
      const auto up = http_request(st->upstream_port, std::string(req.method_string()), std::string(req.target()),
                                   req.body(), headers);
      if (up.status == 0) return;
      res.result(static_cast<unsigned>(up.status));
      res.body() = up.body;
    }
    res.version(11);
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(stream, res, ec);
    if (ec || !req.keep_alive()) return;
  }
}
}  // namespace

HealthProxy::HealthProxy(int upstream_port) : state_(std::make_shared<State>()) {
  state_->upstream_port = upstream_port;
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(ep.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(ep);
  state_->acceptor.listen();
  acceptor_ = std::thread([st = state_] {
    for (;;) {
      boost::system::error_code ec;
      asio::ip::tcp::socket sock(st->io);
      st->acceptor.accept(sock, ec);
      if (st->stopping) return;
      if (ec) continue;
      std::thread(serve_proxy_connection, st, std::move(sock)).detach();
    }
  });
}

HealthProxy::~HealthProxy() {
  state_->stopping = true;
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
}

int HealthProxy::port() const { return state_->acceptor.local_endpoint().port(); }
void HealthProxy::set_mode(Mode m) { state_->mode = m; }
int HealthProxy::health_calls() const { return state_->health_calls; }
int HealthProxy::resets() const { return state_->resets; }
int HealthProxy::answered_500() const { return state_->answered_500; }

int64_t HealthProxy::min_gap_ms() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  int64_t gap = INT64_MAX;
  for (size_t i = 1; i < state_->call_ms.size(); ++i) gap = std::min(gap, state_->call_ms[i] - state_->call_ms[i - 1]);
  return gap;
}

}  // namespace rinha::testing
