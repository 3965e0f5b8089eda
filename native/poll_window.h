// How long a model thread polls its empty queue before it sleeps, adapted to the gaps it sees
// between jobs, like Linux's cpuidle-haltpoll governor: a gap the window just missed grows it, a
// gap longer than any window worth polling shrinks it, so a caller that submits again right after
// each result finds the thread awake, while an idle or lightly used model does not poll at all.
//
// Measured on 2 shared vCPUs (bench:micro, tiny model; REST/gRPC with wrk -c64 / h2load): against
// no polling, 1 call in flight 65 -> 30..38 µs a call and 16 in flight 160k -> 210..226k calls/s,
// server throughput unchanged. A 25 µs ceiling missed the gaps (a sleeping JS thread's wake-up
// alone is ~30 µs there); 100 µs cost REST throughput; a fixed 50 µs poll halved 16 in flight.
// On one CPU (taskset -c 0) the poll only delays the JS thread: 28 against 13 µs a call.
#pragma once

#include <algorithm>
#include <chrono>

namespace proton {

class PollWindow {
 public:
  using Duration = std::chrono::nanoseconds;

  // Gaps longer than this are not worth polling for: a sleep and a wake-up cost less.
  static constexpr Duration kMax = std::chrono::microseconds(50);
  // The first window after one that was too short.
  static constexpr Duration kGrowStart = std::chrono::microseconds(5);

  // `ceiling` is kMax, or zero where polling cannot pay (see usable_cpus.h).
  explicit PollWindow(Duration ceiling = kMax) : ceiling_(ceiling) {}

  Duration Current() const { return window_; }

  // Reports the gap between the queue running empty and the next job taken.
  void Observe(Duration gap) {
    if (gap <= window_) return;  // the poll covered it
    if (gap <= ceiling_) {
      window_ = std::min(std::max(window_ * 2, kGrowStart), ceiling_);
    } else {
      window_ /= 2;
      if (window_ < kGrowStart) window_ = Duration::zero();
    }
  }

 private:
  Duration ceiling_;
  Duration window_{Duration::zero()};
};

}  // namespace proton
