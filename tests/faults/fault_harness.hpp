// Tools for fault tests against the real stack (tests/integration/stack.hpp brings it up):
// a load driver that posts payments concurrently over keep-alive connections and records
// every answer, a verifier that checks each acknowledged payment against both simulators
// and the backend ledger, stack.sh subcommands (restart, pids), a raw-bytes HTTP client
// for hostile input, and a proxy that can make a processor's health endpoint hang or 429.
#pragma once
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "stack.hpp"

namespace rinha::testing {

using Clock = std::chrono::steady_clock;

// FAULTS_LONG=1 (make chaos) lengthens loads and outages.
bool faults_long();
// Scales a duration: short form in `make test`, long form under FAULTS_LONG=1.
std::chrono::milliseconds pick(std::chrono::milliseconds short_form, std::chrono::milliseconds long_form);

int64_t now_epoch_ms();
void sleep_for(std::chrono::milliseconds d);
int64_t since_ms(Clock::time_point t);  // ms elapsed since `t`

struct Outcome;
// The invariants every fault test ends with: something acknowledged; nothing lost or held by
// both processors; every ledger entry present, with the processor's requestedAt; the
// backend's summary equal to the processors'.
void expect_invariants(const Outcome& o);

// One POST /payments and its answer.
struct Sent {
  std::string id;
  int status = 0;          // 0: no answer (connection error or timeout)
  int64_t sent_ms = 0;     // epoch ms when the request was written
  int64_t answered_ms = 0;
};

// Posts payments at `rate_per_s` from `threads` threads, each with one keep-alive
// connection to 127.0.0.1:port (reconnecting after errors), until stop().
class LoadDriver {
 public:
  LoadDriver(int port, int rate_per_s, int threads = 8, std::string amount = "19.90");
  ~LoadDriver();
  void stop();
  std::vector<Sent> results();  // after stop()
  size_t sent_so_far() const { return sent_.load(); }
  size_t acked_so_far() const { return acked_.load(); }
  size_t failed_so_far() const { return failed_.load(); }

 private:
  void run(int index);
  int port_;
  int rate_per_s_;
  int threads_n_;
  std::string amount_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> sent_{0}, acked_{0}, failed_{0};
  std::mutex mu_;
  std::vector<Sent> results_;
  std::vector<std::thread> threads_;
  Clock::time_point start_;
};

// What a fault test measured.
struct Outcome {
  size_t sent = 0;          // POSTs made
  size_t acknowledged = 0;  // answered 2XX
  size_t stored = 0;        // acknowledged and held by exactly one processor
  size_t lost = 0;          // acknowledged and held by no processor
  size_t duplicated = 0;    // acknowledged and held by both processors
  size_t unanswered = 0;    // no answer or 5XX (may or may not have been stored: allowed)
  size_t stored_unacked = 0;  // not acknowledged but stored (allowed: the answer was lost)
  size_t requested_at_mismatch = 0;  // ledger score != processor's requestedAt
  size_t ledger_missing = 0;         // stored by a processor but not in the backend ledger
  bool summary_matches = false;      // backend summary == simulators' admin summaries
  std::string summary;               // backend summary JSON at the end
  std::map<std::string, int64_t> requested_at_ms;  // acknowledged id -> requestedAt in the ledger
  std::set<std::string> lost_ids;                  // the acknowledged ids held by no processor
  std::string to_string() const;
};

// Waits until both queues and processing lists are empty and the backend summary equals
// both simulators' admin summaries; returns the time it took (or -1 on timeout).
int64_t wait_drained(Stack& s, std::chrono::milliseconds timeout);

// Checks every sent payment against both simulators (GET /payments/{id}) and the backend
// ledger (ZRANGE WITHSCORES), and the backend summary against the simulators'.
Outcome verify(Stack& s, const std::vector<Sent>& sent);

// expect_invariants (above) after SIGKILLs of API instances at `kills_ms` (epoch ms), under
// a load of `rate_per_s` over two instances, with the stack's `api_env`. A 202 goes out
// before Redis has the payment, which waits up to INTAKE_WINDOW for its batch (README, "One
// call per intake window"), so a payment answered within that window (+ 500 ms of a slow
// machine's lateness) before a kill, or read up to 100 ms after it, may die with the
// process: at most about one window of the killed instance's share per kill, never charged
// twice. Every other acknowledged payment must be paid once. Returns the figures for report().
std::string expect_invariants_across_kills(const std::vector<Sent>& sent, const Outcome& all,
                                           const std::vector<int64_t>& kills_ms, int rate_per_s,
                                           const std::map<std::string, std::string>& api_env = {});

// The end of most fault tests: stops the load, waits for the drain (up to `timeout`) and
// verifies every payment sent.
struct Settled {
  int64_t drain_ms = -1;  // wait_drained(): -1 on timeout
  std::vector<Sent> sent;
  Outcome o;
};
Settled stop_and_verify(Stack& s, LoadDriver& load, std::chrono::milliseconds timeout);

// Reports one measured outcome: to stdout and to FAULTS_REPORT (default
// <build>/faults-report.txt), one line per test.
void report(const std::string& test, const Outcome& o, const std::string& extra = {});
void report_line(const std::string& line);

// scripts/stack.sh with the stack's environment (e.g. "restart api1").
int stack_sh(Stack& s, const std::string& args, const std::map<std::string, std::string>& api_env = {});
int pid_of(Stack& s, const std::string& service);
bool process_alive(int pid);
// The instance that holds the health lease (rinha_health_owner 1), polled for up to
// `timeout`; 0 if none does.
int health_owner(Stack& s, int instances, std::chrono::milliseconds timeout);
// A metric of one instance (read from its admin socket, RUN_DIR/api<N>-admin.sock).
long long api_metric(Stack& s, int instance, const std::string& name);
// Raw request straight to instance N's API socket (the public routes).
std::string api_request(Stack& s, int instance, const std::string& method, const std::string& target,
                        const std::string& body = {});
// Raw request to instance N's admin socket (/metrics, /health).
std::string admin_request(Stack& s, int instance, const std::string& method, const std::string& target);

// Raw bytes to a TCP port or a unix socket; returns everything read until EOF or timeout.
std::string raw_tcp(int port, const std::string& bytes, std::chrono::milliseconds timeout);
std::string raw_unix(const std::string& path, const std::string& bytes, std::chrono::milliseconds timeout);
// Status codes of every response found in a raw reply ("HTTP/1.1 202 ..." lines).
std::vector<int> statuses(const std::string& raw);

// A processor seen through a proxy whose /payments/service-health can answer normally,
// hang (never answer while in that mode) or answer 429, and whose POST /payments can be
// made to fail after storing (reset_then_500). Everything else is forwarded.
class HealthProxy {
 public:
  // reset_then_500 (payments, not health): the first POST /payments of an id is forwarded
  // (the processor stores it), then the connection is reset unanswered; the second of that
  // id is answered 500 without forwarding; later ones are forwarded.
  enum class Mode { pass, hang, too_many, reset_then_500 };
  explicit HealthProxy(int upstream_port);
  ~HealthProxy();
  int port() const;
  void set_mode(Mode m);
  int health_calls() const;
  // Shortest time between two health calls seen (INT64_MAX with fewer than two).
  int64_t min_gap_ms() const;
  int resets() const;        // reset_then_500: connections reset after forwarding
  int answered_500() const;  // reset_then_500: retries answered 500
  struct State;

 private:
  std::shared_ptr<State> state_;
  std::thread acceptor_;
};

}  // namespace rinha::testing
