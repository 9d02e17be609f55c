// Real-stack harness (see header).
#include "stack.hpp"

#include <stdlib.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

namespace rinha::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
// One request and its answer on a connected stream (TCP or unix socket); throws on errors.
template <typename Stream, typename Request>
HttpResult round_trip(Stream& stream, const Request& req) {
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  return HttpResult{static_cast<int>(res.result_int()), res.body()};
}
}  // namespace

HttpResult http_request(int port, const std::string& method, const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  HttpResult out;
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "localhost");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    out = round_trip(stream, req);
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

int free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

std::string new_uuid() {
  uuid_t raw;
  uuid_generate_random(raw);
  char text[37];
  uuid_unparse_lower(raw, text);
  return text;
}

Counts parse_counts(const std::string& json, const std::string& key) {
  std::string scope = json;
  if (!key.empty()) {
    const auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return {};
    scope = json.substr(at, json.find('}', at) - at);
  }
  static const std::regex re(R"re("totalRequests"\s*:\s*(\d+)\s*,\s*"totalAmount"\s*:\s*(\d+)(?:\.(\d{1,2}))?)re");
  std::smatch m;
  if (!std::regex_search(scope, m, re)) return {};
  Counts c;
  c.requests = std::stoll(m[1]);
  std::string frac = m[3].matched ? m[3].str() : "0";
  if (frac.size() == 1) frac += "0";
  c.cents = std::stoll(m[2]) * 100 + std::stoll(frac);
  return c;
}

namespace {
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}
}  // namespace

Stack::Stack(const std::map<std::string, std::string>& api_env) {
  char tmpl[] = "/tmp/rinha-it-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  run_dir_ = tmpl;
  nginx_port_ = free_port();
  default_port_ = free_port();
  fallback_port_ = free_port();
  while (fallback_port_ == default_port_ || default_port_ == nginx_port_) default_port_ = free_port();
  env_prefix_ = "env -u PROCESSOR_DEFAULT_URL -u PROCESSOR_FALLBACK_URL RUN_DIR=" + run_dir_ +
                " BUILD_DIR=" RINHA_BUILD_DIR " NGINX_PORT=" + std::to_string(nginx_port_) +
                " SIM_DEFAULT_PORT=" + std::to_string(default_port_) +
                " SIM_FALLBACK_PORT=" + std::to_string(fallback_port_) + " PURGE_TOKEN=123";
  // The tests check the whole ledger against the simulators (ZRANGE): keep its members for
  // the test's life (api_env may set another horizon; the later assignment wins).
  env_prefix_ += " LEDGER_HORIZON=0";
  for (const auto& [k, v] : api_env) env_prefix_ += " " + k + "=" + v;
  const std::string cmd = env_prefix_ + " " RINHA_SOURCE_DIR "/scripts/stack.sh up >" + run_dir_ + "/stack-up.out 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "%s\n", run("cat " + run_dir_ + "/stack-up.out").c_str());
    throw std::runtime_error("stack.sh up failed; logs in " + run_dir_);
  }
  up_ = true;
}

Stack::~Stack() {
  if (!up_) return;
  const std::string cmd = env_prefix_ + " " RINHA_SOURCE_DIR "/scripts/stack.sh down >/dev/null 2>&1";
  std::system(cmd.c_str());
  if (std::getenv("KEEP_RUN_DIR") == nullptr) std::system(("rm -rf " + run_dir_).c_str());
}

HttpResult Stack::post_payment(const std::string& id, const std::string& amount) {
  return http_request(nginx_port_, "POST", "/payments", R"({"correlationId":")" + id + R"(","amount":)" + amount + "}");
}

HttpResult Stack::summary(const std::string& query) {
  return http_request(nginx_port_, "GET", "/payments-summary" + query);
}

HttpResult Stack::admin(int sim_port, const std::string& method, const std::string& target, const std::string& body) {
  return http_request(sim_port, method, target, body, {{"X-Rinha-Token", "123"}});
}

void Stack::set_failure(int sim_port, bool failing) {
  admin(sim_port, "PUT", "/admin/configurations/failure", failing ? R"({"failure":true})" : R"({"failure":false})");
}

void Stack::set_delay(int sim_port, int delay_ms) {
  admin(sim_port, "PUT", "/admin/configurations/delay", R"({"delay":)" + std::to_string(delay_ms) + "}");
}

Counts Stack::sim_counts(int sim_port) { return parse_counts(admin(sim_port, "GET", "/admin/payments-summary").body); }

bool Stack::sim_has(int sim_port, const std::string& id) {
  return http_request(sim_port, "GET", "/payments/" + id).status == 200;
}

std::string Stack::redis(const std::string& args) {
  // REDISCLI_AUTH, not -a: the password stays off the command line.
  return run("REDISCLI_AUTH=\"$(cat " + run_dir_ + "/redis.password)\" redis-cli -s " + run_dir_ + "/redis.sock " + args);
}

std::string Stack::redis_password() const {
  std::ifstream f(run_dir_ + "/redis.password");
  std::string pw;
  std::getline(f, pw);
  return pw;
}

HttpResult Stack::admin_get(int instance, const std::string& target) {
  HttpResult out;
  try {
    asio::io_context io;
    beast::basic_stream<asio::local::stream_protocol> stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.socket().connect(
        asio::local::stream_protocol::endpoint(run_dir_ + "/api" + std::to_string(instance) + "-admin.sock"));
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "admin");
    out = round_trip(stream, req);
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

std::string Stack::colour() {
  // The stream's one entry: its id, the field r, then "r1|<COLOUR>|..." (routing_record.hpp).
  std::string text = redis("XREVRANGE payments:breaker:routing + - COUNT 1");
  const auto at = text.find("r1|");
  if (at == std::string::npos) return "";
  text = text.substr(at + 3);
  return text.substr(0, text.find_first_of("|\n"));
}

bool Stack::wait_settled(long long total, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto s = summary().body;
    const Counts bd = parse_counts(s, "default"), bf = parse_counts(s, "fallback");
    const Counts sd = sim_counts(default_port_), sf = sim_counts(fallback_port_);
    if (bd == sd && bf == sf && bd.requests + bf.requests == total) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace rinha::testing
