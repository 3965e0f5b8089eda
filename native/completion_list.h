// Finished jobs on their way back to the JS thread: a lock-free stack that any worker pushes to
// and the JS thread empties in one exchange per wake-up.
#pragma once

#include <atomic>

#include "job.h"

namespace proton {

class CompletionList {
 public:
  // seq_cst: ModelHost relies on a total order between this push and its notify flag.
  void Push(Job* job) {
    Job* head = head_.load(std::memory_order_relaxed);
    do {
      job->next = head;
    } while (!head_.compare_exchange_weak(head, job, std::memory_order_seq_cst,
                                          std::memory_order_relaxed));
  }

  // Takes every finished job, oldest first.
  Job* TakeAll() {
    Job* list = head_.exchange(nullptr, std::memory_order_seq_cst);
    Job* reversed = nullptr;
    while (list != nullptr) {
      Job* next = list->next;
      list->next = reversed;
      reversed = list;
      list = next;
    }
    return reversed;
  }

 private:
  std::atomic<Job*> head_{nullptr};
};

}  // namespace proton
