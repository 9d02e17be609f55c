// A clock the test moves by hand.
#pragma once
#include "clock.hpp"

namespace rinha::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'752'582'896'000) : now_(start_ms) {}
  int64_t now_ms() const override { return now_; }
  int64_t steady_us() const override { return now_ * 1000; }
  void advance(int64_t ms) { now_ += ms; }
  void set(int64_t ms) { now_ = ms; }

 private:
  int64_t now_;
};

}  // namespace rinha::testing
