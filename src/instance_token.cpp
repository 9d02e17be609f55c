#include "instance_token.hpp"

#include <fmt/format.h>

#include <random>

namespace rinha {

std::string instance_token(int app_name) {
  static const std::string process_part = [] {
    std::random_device rd;
    return fmt::format("{:08x}{:08x}", rd(), rd());
  }();
  return fmt::format("{}:{}", app_name, process_part);
}

}  // namespace rinha
