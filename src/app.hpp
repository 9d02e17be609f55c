// Wires one API instance together: Redis store, processor clients, breaker, health
// monitor, workers, handlers and the HTTP server, on one single-threaded io_context.
// SIGTERM/SIGINT: stop accepting, let payments in flight settle (bounded), exit.
#pragma once
#include "config.hpp"

namespace rinha {

// Runs until a stop signal; returns the process exit code.
int run_app(const Config& cfg);

}  // namespace rinha
