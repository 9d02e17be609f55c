// AdmissionGate counters. A slot freed while someone waits is handed over directly, so
// a newcomer can never overtake a waiter.
#include "admission.hpp"

namespace sim {

Admission AdmissionGate::admission_enter() {
  if (active_ < max_active_ && waiting_ == 0) {
    ++active_;
    return Admission::admitted;
  }
  if (waiting_ < max_waiting_) {
    ++waiting_;
    return Admission::must_wait;
  }
  return Admission::rejected;
}

bool AdmissionGate::admission_leave() {
  if (waiting_ > 0) {
    --waiting_;  // the slot stays active, now owned by the oldest waiter
    return true;
  }
  if (active_ > 0) --active_;
  return false;
}

}  // namespace sim
