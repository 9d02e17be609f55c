// What the health monitor and the worker pool both work with, built once by the composition
// root (app.cpp) and by the tests: the executor, the configuration, both processor clients,
// the breaker, the clock and the metrics. The stores are not shared: each takes the store
// interfaces it uses (HealthMonitor the RoutingState, WorkerPool the PaymentQueue and Ledger).
#pragma once
#include <boost/asio/any_io_executor.hpp>

#include "breaker.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "processor_client.hpp"

namespace rinha {

struct RouterParts {
  asio::any_io_executor ex;
  const Config& cfg;
  ProcessorClient& def;
  ProcessorClient& fb;
  Breaker& breaker;
  const Clock& clock;
  Metrics& metrics;

  ProcessorClient& client(Processor p) const { return p == Processor::fallback ? fb : def; }
};

}  // namespace rinha
