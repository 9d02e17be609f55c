// payment-sim: a stand-in for one of the challenge's payment processors. Prints
// "listening port=N" on stdout once bound; logs events on stderr; exits on SIGTERM/SIGINT.
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>

#include "options.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  const sim::OptionsResult parsed = sim::options_parse(argc, argv);
  if (parsed.help) {
    std::fputs(sim::options_usage(), stdout);
    return 0;
  }
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "payment-sim: %s\n%s", parsed.error.c_str(), sim::options_usage());
    return 2;
  }
  try {
    sim::SimServer server(parsed.options);
    boost::asio::signal_set signals(server.context(), SIGINT, SIGTERM);
    signals.async_wait([&server](const boost::system::error_code& ec, int) {
      if (!ec) server.stop();
    });
    std::printf("listening port=%u\n", static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "payment-sim: start-up failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
