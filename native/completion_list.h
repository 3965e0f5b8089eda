// Finished jobs on their way back to the JS thread: a lock-free stack that any worker pushes to
// and the JS thread empties in one exchange per wake-up. The list owns the jobs in it.
#pragma once

#include <atomic>
#include <utility>

#include "job.h"

namespace proton {

// Jobs taken from a CompletionList, oldest first; frees whatever is not popped.
class JobChain {
 public:
  explicit JobChain(Job* head = nullptr) : head_(head) {}
  JobChain(JobChain&& other) noexcept : head_(std::exchange(other.head_, nullptr)) {}
  JobChain(const JobChain&) = delete;
  JobChain& operator=(const JobChain&) = delete;
  JobChain& operator=(JobChain&&) = delete;
  ~JobChain() {
    while (PopFront()) {
    }
  }

  bool empty() const { return head_ == nullptr; }

  JobPtr PopFront() noexcept {
    Job* job = head_;
    if (job == nullptr) return nullptr;
    head_ = job->next;
    job->next = nullptr;
    return JobPtr(job);
  }

 private:
  Job* head_;
};

class CompletionList {
 public:
  CompletionList() = default;
  CompletionList(const CompletionList&) = delete;
  CompletionList& operator=(const CompletionList&) = delete;
  ~CompletionList() { (void)TakeAll(); }

  // seq_cst: ModelHost relies on a total order between this push and its notify flag.
  void Push(JobPtr owned) noexcept {
    Job* job = owned.release();
    Job* head = head_.load(std::memory_order_relaxed);
    do {
      job->next = head;
    } while (!head_.compare_exchange_weak(head, job, std::memory_order_seq_cst,
                                          std::memory_order_relaxed));
  }

  // Takes every finished job, oldest first.
  JobChain TakeAll() noexcept {
    Job* list = head_.exchange(nullptr, std::memory_order_seq_cst);
    Job* reversed = nullptr;
    while (list != nullptr) {
      Job* next = list->next;
      list->next = reversed;
      reversed = list;
      list = next;
    }
    return JobChain(reversed);
  }

 private:
  std::atomic<Job*> head_{nullptr};
};

}  // namespace proton
