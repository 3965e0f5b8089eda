// A sleep/wake primitive for model workers (an event count over a futex): a waiter announces
// itself, re-checks its condition, then sleeps; a notifier makes a system call only when someone
// sleeps, so a busy model costs the JS thread no syscall per request.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace proton {

class WakeSignal {
 public:
  // Announces a waiter; the caller must re-check its condition, then Wait or CancelWait.
  uint32_t PrepareWait() {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    // A wake issued before this point is stale for this wait: the re-check below covers it.
    wakeIssued_.store(false, std::memory_order_seq_cst);
    // Orders the announcement before the caller's re-check (pairs with Notify's fence).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return epoch_.load(std::memory_order_seq_cst);
  }

  void CancelWait() { waiters_.fetch_sub(1, std::memory_order_relaxed); }

  // Sleeps until notified after PrepareWait returned `epoch`, or until `timeout` passes.
  void Wait(uint32_t epoch, std::chrono::nanoseconds timeout = std::chrono::nanoseconds::max());

  // The notifier's change must be visible before it calls these (they begin with a seq_cst fence).
  void NotifyOne();
  void NotifyAll();

 private:
  void Notify(int count);

  std::atomic<uint32_t> epoch_{0};
  std::atomic<uint32_t> waiters_{0};
  // Set by the notifier that issued a wake, cleared when a waiter returns from Wait or prepares to
  // sleep again: until then further NotifyOne calls skip the syscall, since the woken waiter will
  // re-check anyway. A woken consumer that leaves work queued must NotifyOne for the others.
  std::atomic<bool> wakeIssued_{false};
};

}  // namespace proton
