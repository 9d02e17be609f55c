// Wall-clock time in UTC milliseconds behind an interface, so tests can drive time.
#pragma once
#include <chrono>
#include <cstdint>

namespace rinha {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ms() const = 0;
  // Monotonic microseconds, for measuring round trips (not a time of day).
  virtual int64_t steady_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace rinha
