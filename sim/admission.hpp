// Admission control for POST /payments: at most max_active requests are processed
// (including their configured delay) at once, up to max_waiting more wait for a slot in
// FIFO order, and anything beyond is rejected at once (429). Pure counting: the server
// owns the waiters and wakes the oldest when admission_leave() hands it a slot.
#pragma once

#include <cstddef>

namespace sim {

enum class Admission { admitted, must_wait, rejected };

class AdmissionGate {
 public:
  AdmissionGate(size_t max_active, size_t max_waiting)
      : max_active_(max_active), max_waiting_(max_waiting) {}

  Admission admission_enter();
  // Releases an active slot. Returns true if the slot passed to the oldest waiter (which
  // the caller must now wake); false if it simply became free.
  bool admission_leave();

  size_t active() const { return active_; }
  size_t waiting() const { return waiting_; }

 private:
  size_t max_active_;
  size_t max_waiting_;
  size_t active_ = 0;
  size_t waiting_ = 0;
};

}  // namespace sim
