// Hostile input, through nginx and directly against an API socket: malformed and truncated
// JSON, wrong types, missing and extra fields, bad UUIDs and amounts, oversized bodies,
// slow-drip headers, pipelining, chunked bodies, HTTP/1.0, bad summary queries. Each gets a
// clear 4XX or is served correctly; no process crashes; nothing invalid is ever enqueued
// or forwarded (every rejected payment's id is absent from both simulators).
#include <gtest/gtest.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <set>
#include <thread>

#include "fault_harness.hpp"

namespace rinha::testing {
namespace {

using namespace std::chrono_literals;

struct Target {
  std::string name;
  std::function<std::string(const std::string&, std::chrono::milliseconds)> send;
};

std::string post(const std::string& body, const std::string& extra_headers = {}) {
  return "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
}

std::string get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"; }

std::string payment(const std::string& id, const std::string& amount) {
  return R"({"correlationId":")" + id + R"(","amount":)" + amount + "}";
}

class HostileInput : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = std::make_unique<Stack>(std::map<std::string, std::string>{{"HTTP_IDLE_TIMEOUT", "2s"}});
    Stack& s = *stack_;
    targets_ = {
        {"nginx", [&s](const std::string& b, std::chrono::milliseconds t) { return raw_tcp(s.port(), b, t); }},
        {"api1.sock",
         [&s](const std::string& b, std::chrono::milliseconds t) { return raw_unix(s.run_dir() + "/api1.sock", b, t); }},
    };
    for (const char* svc : {"nginx", "api1", "api2", "redis", "sim-default", "sim-fallback"}) pids_[svc] = pid_of(s, svc);
  }

  // Sends `raw`, expects exactly one response whose status satisfies `ok`; returns it.
  int expect_one(const Target& t, const std::string& what, const std::string& raw, const std::function<bool(int)>& ok) {
    const auto reply = t.send(raw, 3s);
    const auto st = statuses(reply);
    EXPECT_EQ(st.size(), 1u) << t.name << " " << what << ": " << reply.substr(0, 200);
    const int status = st.empty() ? 0 : st[0];
    EXPECT_TRUE(ok(status)) << t.name << " " << what << ": status " << status << " " << reply.substr(0, 300);
    ++cases_;
    return status;
  }

  void expect_rejected(const Target& t, const std::string& what, const std::string& raw, int status,
                       const std::string& id = {}) {
    const int got = expect_one(t, what, raw, [&](int s) { return status == 0 ? (s >= 400 && s < 500) : s == status; });
    if (got >= 400 && got < 500 && !id.empty()) rejected_ids_.insert(id);
  }

  void expect_accepted(const Target& t, const std::string& what, const std::string& raw, const std::string& id) {
    expect_one(t, what, raw, [](int s) { return s == 202; });
    accepted_ids_.insert(id);
  }

  std::unique_ptr<Stack> stack_;
  std::vector<Target> targets_;
  std::map<std::string, int> pids_;
  std::set<std::string> accepted_ids_, rejected_ids_;
  int cases_ = 0;
};

TEST_F(HostileInput, EveryClassIsRejectedOrServedAndNothingInvalidIsForwarded) {
  Stack& s = *stack_;
  for (const auto& t : targets_) {
    // -- JSON bodies: the API's own validation, exact 400 --
    const auto bad_json = [&](const std::string& what, const std::function<std::string(const std::string&)>& body) {
      const std::string id = new_uuid();
      expect_rejected(t, what, post(body(id)), 400, id);
    };
    bad_json("empty body", [](const std::string&) { return std::string(); });
    bad_json("open brace", [](const std::string&) { return std::string("{"); });
    bad_json("truncated", [](const std::string& id) { return payment(id, "19.90").substr(0, 55); });
    bad_json("truncated number", [](const std::string& id) { auto b = payment(id, "19.90"); return b.substr(0, b.size() - 1); });
    bad_json("malformed extra field", [](const std::string& id) { return R"({"correlationId":")" + id + R"(","amount":19.90,"x":tru})"; });
    bad_json("trailing comma", [](const std::string& id) { return R"({"correlationId":")" + id + R"(","amount":19.90,})"; });
    bad_json("trailing garbage", [](const std::string& id) { return payment(id, "19.90") + "x"; });
    bad_json("two objects", [](const std::string& id) { return payment(id, "19.90") + payment(id, "19.90"); });
    bad_json("single quotes", [](const std::string& id) { return "{'correlationId':'" + id + "','amount':19.90}"; });
    bad_json("invalid utf8", [](const std::string& id) { return R"({"correlationId":")" + id + "\",\"amount\":19.90,\"x\":\"\xff\xfe\"}"; });
    bad_json("deep nesting", [](const std::string& id) {
      return R"({"correlationId":")" + id + R"(","amount":19.90,"x":)" + std::string(200, '[') + std::string(200, ']') + "}";
    });
    bad_json("array", [](const std::string& id) { return "[\"" + id + "\",19.90]"; });
    bad_json("string", [](const std::string& id) { return "\"" + id + "\""; });
    bad_json("null", [](const std::string&) { return std::string("null"); });
    bad_json("amount string", [](const std::string& id) { return payment(id, "\"19.90\""); });
    bad_json("amount bool", [](const std::string& id) { return payment(id, "true"); });
    bad_json("amount null", [](const std::string& id) { return payment(id, "null"); });
    bad_json("amount array", [](const std::string& id) { return payment(id, "[19.90]"); });
    bad_json("amount object", [](const std::string& id) { return payment(id, "{\"v\":19.90}"); });
    bad_json("id number", [](const std::string&) { return std::string(R"({"correlationId":12345,"amount":19.90})"); });
    bad_json("id null", [](const std::string&) { return std::string(R"({"correlationId":null,"amount":19.90})"); });
    bad_json("missing amount", [](const std::string& id) { return R"({"correlationId":")" + id + R"("})"; });
    bad_json("missing id", [](const std::string&) { return std::string(R"({"amount":19.90})"); });
    bad_json("empty object", [](const std::string&) { return std::string("{}"); });
    bad_json("duplicate amount", [](const std::string& id) { return R"({"correlationId":")" + id + R"(","amount":1,"amount":2})"; });
    bad_json("duplicate id", [](const std::string& id) { return R"({"correlationId":")" + id + R"(","correlationId":")" + id + R"(","amount":1})"; });
    for (const char* bad_id : {"not-a-uuid", "", "4a7901b8-7d26-4d0d-b4d8-6ac1e3cd9d6", "4a7901b8-7d26-4d0d-b4d8-6ac1e3cd9d6az",
                               "za7901b8-7d26-4d0d-b4d8-6ac1e3cd9d6a", "4a7901b87d264d0db4d86ac1e3cd9d6a0000",
                               "{4a7901b8-7d26-4d0d-b4d8-6ac1e3cd9d6a}", "4a7901b8_7d26_4d0d_b4d8_6ac1e3cd9d6a"}) {
      expect_rejected(t, std::string("uuid ") + bad_id, post(payment(bad_id, "19.90")), 400);
    }
    for (const char* amount : {"0", "0.00", "-0", "-19.90", "-0.01", "NaN", "nan", "Infinity", "-Infinity", "1e400",
                               "1e12", "1000000000.01", "99999999999999999999999", "19.999", "0.001", "19.901",
                               "1.9999e1", "019.90", ".5", "5.", "1e", "0x10", "+19.90", "19,90"}) {
      const std::string id = new_uuid();
      expect_rejected(t, std::string("amount ") + amount, post(payment(id, amount)), 400, id);
    }
    // -- valid variants: served correctly --
    for (const auto& [what, make] : std::vector<std::pair<std::string, std::function<std::string(const std::string&)>>>{
             {"extra fields", [](const std::string& id) { return R"({"x":{"y":[1,2.5e3,null,true,"s"]},"correlationId":")" + id + R"(","amount":19.90,"z":"\u00e9"})"; }},
             {"whitespace", [](const std::string& id) { return " {\n\t\"correlationId\" : \"" + id + "\" ,\r\n \"amount\" : 19.90 } \n"; }},
             {"exponent", [](const std::string& id) { return payment(id, "1.99e1"); }},
             {"integer", [](const std::string& id) { return payment(id, "20"); }},
             {"max amount", [](const std::string& id) { return payment(id, "1000000000.00"); }},
             {"one cent", [](const std::string& id) { return payment(id, "0.01"); }},
         }) {
      const std::string id = new_uuid();
      expect_accepted(t, what, post(make(id)), id);
    }
    {  // upper-case UUID: accepted, stored under its canonical lower-case form
      std::string id = new_uuid();
      std::string upper = id;
      for (auto& c : upper) c = static_cast<char>(std::toupper(c));
      expect_accepted(t, "upper-case uuid", post(payment(upper, "19.90")), id);
    }
    // -- HTTP framing --
    {
      const std::string id = new_uuid();
      const std::string body = payment(id, "19.90");
      char len[16];
      std::snprintf(len, sizeof len, "%zx", body.size() - 10);
      const std::string chunked = "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                                  std::string(len) + "\r\n" + body.substr(0, body.size() - 10) + "\r\na\r\n" +
                                  body.substr(body.size() - 10) + "\r\n0\r\n\r\n";
      expect_accepted(t, "chunked body", chunked, id);
    }
    {
      const std::string id = new_uuid();
      const std::string body = payment(id, "19.90");
      expect_accepted(t, "HTTP/1.0", "POST /payments HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " +
                                         std::to_string(body.size()) + "\r\n\r\n" + body, id);
    }
    {  // two requests in one write, answered in order
      const std::string a = new_uuid(), b = new_uuid();
      const std::string pa = payment(a, "19.90"), pb = payment(b, "19.90");
      const std::string raw = "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(pa.size()) +
                              "\r\n\r\n" + pa + "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                              std::to_string(pb.size()) + "\r\nConnection: close\r\n\r\n" + pb;
      const auto st = statuses(t.send(raw, 3s));
      EXPECT_EQ(st, (std::vector<int>{202, 202})) << t.name << " pipelined";
      accepted_ids_.insert(a);
      accepted_ids_.insert(b);
      ++cases_;
    }
    {  // a body shorter than its Content-Length, then the client stops sending
      const std::string id = new_uuid();
      const std::string body = payment(id, "19.90");
      const std::string raw = "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size() + 50) +
                              "\r\nConnection: close\r\n\r\n" + body;
      const auto st = statuses(t.send(raw, 2500ms));  // the server times the body out (or nginx does)
      for (int x : st) EXPECT_FALSE(x >= 200 && x < 300) << t.name << " short body answered " << x;
      rejected_ids_.insert(id);
      ++cases_;
    }
    expect_rejected(t, "huge body", post(payment(new_uuid(), "19.90") + std::string(20000, ' ')), 413);
    expect_rejected(t, "huge declared length",
                    "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n{", 413);
    expect_rejected(t, "huge header", "GET /payments-summary HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70000, 'a') +
                                          "\r\nConnection: close\r\n\r\n", 0);
    expect_rejected(t, "garbage request line", "HELLO THERE\r\n\r\n", 400);
    expect_rejected(t, "bad content-length", "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400);
    expect_rejected(t, "bad chunk", "POST /payments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400);
    expect_rejected(t, "GET /payments", get("/payments"), 405);
    expect_rejected(t, "unknown route", get("/nope"), 404);
    // -- summary queries --
    for (const char* q : {"?from=garbage", "?from=", "?to=", "?from", "?from=2025-13-01T00:00:00Z", "?from=2025-02-30T00:00:00Z",
                          "?from=2025-07-15T25:00:00Z", "?to=2025-07-15T12:34:56+01:00", "?from=2025-07-15T12:34:56.000Z&to=2025-07-14T00:00:00Z",
                          "?from=%zz", "?from=2025-07-15T12:34:56.0000000000Z", "?from=1752582896000"}) {
      expect_rejected(t, std::string("summary ") + q, get(std::string("/payments-summary") + q), 400);
    }
    for (const char* q : {"", "?from=2025-07-15T12:34:56.000Z", "?from=2025-07-15T12:34:56Z&to=2100-01-01T00:00:00.000Z",
                          "?from=2025-07-15T12%3A34%3A56.000Z", "?unknown=1&to=2100-01-01T00:00:00Z"}) {
      expect_one(t, std::string("summary ") + q, get(std::string("/payments-summary") + q), [](int x) { return x == 200; });
    }
  }

  // -- slow drip: one byte every 150 ms. The API closes it after HTTP_IDLE_TIMEOUT (2 s);
  // meanwhile other clients are served normally. --
  {
    std::atomic<bool> closed_early{false};
    std::thread drip([&] {
      const std::string id = new_uuid();
      const std::string raw = post(payment(id, "19.90"));
      boost::asio::io_context io;
      boost::asio::local::stream_protocol::socket sock(io);
      sock.connect(boost::asio::local::stream_protocol::endpoint(s.run_dir() + "/api1.sock"));
      for (char c : raw.substr(0, 40)) {
        boost::system::error_code ec;
        boost::asio::write(sock, boost::asio::buffer(&c, 1), ec);
        if (ec) {
          closed_early = true;
          break;
        }
        std::this_thread::sleep_for(150ms);
      }
      rejected_ids_.insert(id);
    });
    std::this_thread::sleep_for(500ms);
    const std::string id = new_uuid();
    expect_accepted(targets_[1], "served during slow drip", post(payment(id, "19.90")), id);
    drip.join();
    EXPECT_TRUE(closed_early.load()) << "a 6 s slow-drip request outlived HTTP_IDLE_TIMEOUT=2s";
  }

  // -- nothing crashed, only the valid payments were forwarded --
  for (const auto& [svc, pid] : pids_) EXPECT_TRUE(process_alive(pid) && pid_of(s, svc) == pid) << svc << " died or restarted";
  ASSERT_GE(wait_drained(s, 20s), 0);
  const long long stored = s.sim_counts(s.default_port()).requests + s.sim_counts(s.fallback_port()).requests;
  size_t forwarded_rejects = 0;
  for (const auto& id : rejected_ids_) forwarded_rejects += s.sim_has(s.default_port(), id) + s.sim_has(s.fallback_port(), id);
  size_t missing_accepts = 0;
  for (const auto& id : accepted_ids_) missing_accepts += (s.sim_has(s.default_port(), id) + s.sim_has(s.fallback_port(), id)) != 1;
  report_line(std::string("FAULT hostile_input") + (faults_long() ? " [long]" : " [short]") + ": cases=" + std::to_string(cases_) +
              " (both nginx and api1.sock) valid_accepted=" + std::to_string(accepted_ids_.size()) +
              " stored=" + std::to_string(stored) + " rejected_ids_checked=" + std::to_string(rejected_ids_.size()) +
              " rejected_but_forwarded=" + std::to_string(forwarded_rejects) + " accepted_not_stored_once=" +
              std::to_string(missing_accepts) + " crashes=0");
  EXPECT_EQ(stored, static_cast<long long>(accepted_ids_.size()));
  EXPECT_EQ(forwarded_rejects, 0u);
  EXPECT_EQ(missing_accepts, 0u);
  EXPECT_EQ(s.redis("LLEN payments:dead"), "0\n");
}

}  // namespace
}  // namespace rinha::testing
