// AdmissionGate: max_active slots, max_waiting FIFO waiters, then reject; a freed slot
// passes straight to a waiter.
#include "admission.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

TEST(SimAdmission, AdmitsThenQueuesThenRejects) {
  AdmissionGate gate(2, 1);
  EXPECT_EQ(gate.admission_enter(), Admission::admitted);
  EXPECT_EQ(gate.admission_enter(), Admission::admitted);
  EXPECT_EQ(gate.admission_enter(), Admission::must_wait);
  EXPECT_EQ(gate.admission_enter(), Admission::rejected);
  EXPECT_EQ(gate.active(), 2u);
  EXPECT_EQ(gate.waiting(), 1u);
}

TEST(SimAdmission, FreedSlotGoesToWaiterFirst) {
  AdmissionGate gate(1, 2);
  EXPECT_EQ(gate.admission_enter(), Admission::admitted);
  EXPECT_EQ(gate.admission_enter(), Admission::must_wait);
  EXPECT_TRUE(gate.admission_leave());  // handed to the waiter
  EXPECT_EQ(gate.active(), 1u);
  EXPECT_EQ(gate.waiting(), 0u);
  // A newcomer cannot overtake: the slot is taken.
  EXPECT_EQ(gate.admission_enter(), Admission::must_wait);
  EXPECT_TRUE(gate.admission_leave());
  EXPECT_FALSE(gate.admission_leave());
  EXPECT_EQ(gate.active(), 0u);
  EXPECT_EQ(gate.admission_enter(), Admission::admitted);
}

TEST(SimAdmission, DefaultsOfTheRealProcessor) {
  AdmissionGate gate(800, 500);
  int admitted = 0, waiting = 0, rejected = 0;
  for (int i = 0; i < 1400; ++i) {
    switch (gate.admission_enter()) {
      case Admission::admitted: ++admitted; break;
      case Admission::must_wait: ++waiting; break;
      case Admission::rejected: ++rejected; break;
    }
  }
  EXPECT_EQ(admitted, 800);
  EXPECT_EQ(waiting, 500);
  EXPECT_EQ(rejected, 100);
}

}  // namespace
}  // namespace sim
