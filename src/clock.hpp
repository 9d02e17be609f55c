// Wall-clock time in UTC milliseconds behind an interface, so tests can drive time.
#pragma once
#include <chrono>
#include <cstdint>

namespace rinha {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace rinha
