// "<APP_NAME>:<random>": names this process in Redis (its heartbeat, the health lease), so
// a restarted instance with the same APP_NAME is told apart from its predecessor.
#pragma once
#include <string>

namespace rinha {

std::string instance_token(int app_name);

}  // namespace rinha
