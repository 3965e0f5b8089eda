#include "wake_signal.h"

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>
#else
#include <thread>
#endif

namespace proton {

void WakeSignal::Wait(uint32_t epoch, std::chrono::nanoseconds timeout) {
#if defined(__linux__)
  timespec relative{};
  timespec* relative_ptr = nullptr;
  if (timeout != std::chrono::nanoseconds::max()) {
    const auto ns = timeout.count() > 0 ? timeout.count() : 0;
    relative.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    relative.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    relative_ptr = &relative;
  }
  // Returns at once if the epoch already moved (a notification raced with us).
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&epoch_), FUTEX_WAIT_PRIVATE, epoch, relative_ptr,
          nullptr, 0);
#else
  // Portable fallback: C++20 atomic wait has no timeout, so sleep in short slices when one is set.
  if (timeout == std::chrono::nanoseconds::max()) {
    epoch_.wait(epoch, std::memory_order_seq_cst);
  } else {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (epoch_.load(std::memory_order_seq_cst) == epoch &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
#endif
  // This waiter has consumed any wake in flight and will re-check its condition: the next
  // NotifyOne must reach another sleeper instead of assuming this one still will.
  wakeIssued_.store(false, std::memory_order_seq_cst);
  waiters_.fetch_sub(1, std::memory_order_relaxed);
}

void WakeSignal::NotifyOne() {
  // Orders the caller's queue push before reading waiters_ (pairs with PrepareWait's fence).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (waiters_.load(std::memory_order_seq_cst) == 0) return;
  if (wakeIssued_.exchange(true, std::memory_order_seq_cst)) return;
  Notify(1);
}

void WakeSignal::NotifyAll() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (waiters_.load(std::memory_order_seq_cst) == 0) return;
  wakeIssued_.store(true, std::memory_order_seq_cst);
  Notify(INT32_MAX);
}

void WakeSignal::Notify(int count) {
  // A waiter between PrepareWait and the futex call sees the new epoch and does not sleep.
  epoch_.fetch_add(1, std::memory_order_seq_cst);
#if defined(__linux__)
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&epoch_), FUTEX_WAKE_PRIVATE, count, nullptr,
          nullptr, 0);
#else
  if (count == 1) {
    epoch_.notify_one();
  } else {
    epoch_.notify_all();
  }
#endif
}

}  // namespace proton
