// What the health monitor and the worker pool work with, built once by the composition root
// (app.cpp) and by the tests: the executor, the configuration, the store, both processor
// clients, the breaker, the clock and the metrics.
#pragma once
#include <boost/asio/any_io_executor.hpp>

#include "breaker.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "processor_client.hpp"
#include "store.hpp"

namespace rinha {

struct RouterParts {
  asio::any_io_executor ex;
  const Config& cfg;
  Store& store;
  ProcessorClient& def;
  ProcessorClient& fb;
  Breaker& breaker;
  const Clock& clock;
  Metrics& metrics;

  ProcessorClient& client(Processor p) const { return p == Processor::fallback ? fb : def; }
};

}  // namespace rinha
