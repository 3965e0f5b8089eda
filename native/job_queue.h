// Bounded lock-free queue of job pointers (Vyukov's array queue): the JS thread produces, one or
// more model instances consume. It never blocks; sleeping is WakeSignal's job.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace proton {

template <typename T>
class JobQueue {
 public:
  explicit JobQueue(size_t capacity) {
    size_t size = 2;
    while (size < capacity) size <<= 1;
    mask_ = size - 1;
    cells_ = std::make_unique<Cell[]>(size);
    for (size_t i = 0; i < size; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }

  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  [[nodiscard]] bool TryPush(T value) {
    size_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      // acquire: the consumer that freed this cell has finished reading its value.
      const size_t sequence = cell.sequence.load(std::memory_order_acquire);
      const intptr_t diff = static_cast<intptr_t>(sequence) - static_cast<intptr_t>(pos);
      if (diff == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.value = value;
          // release: publishes the value to the consumer that sees this sequence.
          cell.sequence.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  [[nodiscard]] bool TryPop(T& out) {
    size_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      // acquire: pairs with the producer's release so the value is visible.
      const size_t sequence = cell.sequence.load(std::memory_order_acquire);
      const intptr_t diff = static_cast<intptr_t>(sequence) - static_cast<intptr_t>(pos + 1);
      if (diff == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          out = cell.value;
          // release: the producer may reuse the cell only after the value was read.
          cell.sequence.store(pos + mask_ + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }

 private:
  struct Cell {
    std::atomic<size_t> sequence;
    T value;
  };

  std::unique_ptr<Cell[]> cells_;
  size_t mask_ = 0;
  // Producer and consumer indices on their own cache lines to avoid false sharing.
  alignas(64) std::atomic<size_t> tail_{0};
  alignas(64) std::atomic<size_t> head_{0};
};

}  // namespace proton
