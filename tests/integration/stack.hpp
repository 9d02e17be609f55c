// Test harness for the real stack: starts scripts/stack.sh on free ports in a private run
// directory, and offers a small HTTP client for the API, the simulators' admin endpoints,
// the instances' admin listeners (/metrics, /health) and an authenticated redis-cli
// helper. Stops everything in its destructor.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace rinha::testing {

struct HttpResult {
  int status = 0;  // 0: no answer
  std::string body;
};

HttpResult http_request(int port, const std::string& method, const std::string& target, const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {});

int free_port();
std::string new_uuid();

// Counts and cents parsed from a summary JSON object {"totalRequests":N,"totalAmount":X}.
struct Counts {
  long long requests = -1;
  long long cents = -1;
  bool operator==(const Counts&) const = default;
};
Counts parse_counts(const std::string& json, const std::string& key = {});

class Stack {
 public:
  // Extra environment for the API instances (e.g. PROCESSOR_TIMEOUT).
  explicit Stack(const std::map<std::string, std::string>& api_env = {});
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  int port() const { return nginx_port_; }
  int default_port() const { return default_port_; }
  int fallback_port() const { return fallback_port_; }
  const std::string& run_dir() const { return run_dir_; }

  HttpResult post_payment(const std::string& id, const std::string& amount = "19.90");
  HttpResult summary(const std::string& query = {});
  // Simulator admin (token 123).
  HttpResult admin(int sim_port, const std::string& method, const std::string& target, const std::string& body = {});
  void set_failure(int sim_port, bool failing);
  void set_delay(int sim_port, int delay_ms);
  Counts sim_counts(int sim_port);
  bool sim_has(int sim_port, const std::string& id);
  // redis-cli against the stack's Redis, authenticated with the stack's password.
  std::string redis(const std::string& args);
  // The colour the health owner published ("GREEN", "YELLOW", "RED"; "" when none).
  std::string colour();
  // The password scripts/stack.sh generated for this stack's Redis (RUN_DIR/redis.password).
  std::string redis_password() const;
  // GET on instance N's admin listener (RUN_DIR/api<N>-admin.sock): /metrics, /health.
  HttpResult admin_get(int instance, const std::string& target);

  // Polls until the backend summary and both simulators agree on `total` payments, or
  // `timeout_ms` passes. Returns whether they agreed.
  bool wait_settled(long long total, int timeout_ms);

 private:
  std::string run_dir_;
  int nginx_port_, default_port_, fallback_port_;
  bool up_ = false;
  std::string env_prefix_;
};

}  // namespace rinha::testing
