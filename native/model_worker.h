// The threads that own a model: they load its session, take jobs from its queue, form batches,
// run them and hand finished jobs back. Knows nothing of JS; `notify` tells the JS side to look.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "completion_list.h"
#include "inference_stats.h"
#include "job.h"
#include "job_queue.h"
#include "model_session.h"
#include "poll_window.h"
#include "wake_signal.h"

namespace proton {

struct WorkerOptions {
  SessionOptions session;
  size_t queueCapacity = 1024;
  int64_t maxBatchSize = 0;  // 0: no dynamic batching
  std::vector<int64_t> preferredBatchSizes;
  std::chrono::microseconds maxQueueDelay{0};
  int instances = 1;
  size_t holdUntilQueued = 0;  // test hook, see ts/model-types.ts
  int failThreadStart = -1;    // test hook: creating this instance's thread fails
};

class ModelWorker {
 public:
  // `notify` is called from worker threads when finished jobs or a lifecycle event await the JS
  // thread; it must be cheap and must not block.
  ModelWorker(std::string path, WorkerOptions options, std::function<void()> notify);
  ~ModelWorker();

  ModelWorker(const ModelWorker&) = delete;
  ModelWorker& operator=(const ModelWorker&) = delete;

  // Starts the first instance, which loads the session and then notifies. Throws
  // std::system_error when the thread cannot be created (nothing was started then).
  void Start();

  // After the load notification: true once the first instance has finished loading (or failed).
  bool LoadFinished() const { return loadFinished_.load(std::memory_order_acquire); }
  // The load error, empty on success. Valid once LoadFinished().
  const std::string& loadError() const { return loadError_; }
  ErrorCode loadErrorCode() const { return loadErrorCode_; }
  // JS thread, after a successful load and before ReleaseSession().
  const ModelSession& session() const { return *session_; }
  const WorkerOptions& options() const { return options_; }
  bool batching() const { return batching_; }

  // JS thread, after a successful load: starts the other instances. Throws std::system_error
  // when one cannot be created; the caller then stops the worker.
  void StartRemainingInstances();

  // JS thread, after StartRemainingInstances: drops the worker's own reference, so the session is
  // freed by the last instance thread to exit (off the JS thread, as soon as the model stops).
  void ReleaseSession() { session_.reset(); }

  // JS thread only. Takes ownership on success; false (job untouched) when the queue is full.
  // With `wake` false a sleeping instance is not woken: the caller promises a Wake() soon.
  [[nodiscard]] bool TryEnqueue(JobPtr& job, bool wake = true);

  // Wakes a sleeping instance for jobs enqueued without a wake. Any thread.
  void Wake() { WakeForQueuedJob(); }

  // Stops taking new work; workers finish what is queued (or, with `abandon`, fail it unrun as
  // UNAVAILABLE) and then exit. Any thread; idempotent.
  void RequestStop(bool abandon);

  // True once every instance thread has left its loop (they may still be joining).
  bool Exited() const;

  // JS thread: joins every thread (returns at once once Exited()).
  void Join();

  // JS thread: every finished job, oldest first.
  JobChain TakeCompleted() { return completed_.TakeAll(); }

  // JS thread: hands a settled job back. A worker frees its outputs, so ORT's output memory is
  // released on the thread that allocated it, and returns the job itself (TakeRecycled), so what
  // the JS thread allocated is reused or freed there: a free into another thread's malloc arena
  // takes that arena's lock, which the two threads then contended for on every request.
  void Dispose(JobPtr job) noexcept { disposed_.Push(std::move(job)); }

  // JS thread: the disposed jobs the workers have released, for reuse after ResetForReuse.
  JobChain TakeRecycled() { return recycled_.TakeAll(); }

  StatsSnapshot Stats() const { return stats_.Snapshot(); }
  size_t Queued() const { return queued_.load(std::memory_order_relaxed); }

 private:
  void StartThread(int instance);
  void InstanceMain(int instance, std::shared_ptr<const ModelSession> session);
  std::shared_ptr<const ModelSession> LoadSession();
  void Serve(int instance, const ModelSession& session);
  void Execute(int instance, const ModelSession& session, std::vector<JobPtr>& batch);
  // The next job: polls the empty queue for the thread's current window (each instance adapts its
  // own), then sleeps. Null once stopping with nothing queued.
  JobPtr WaitForJob(PollWindow& window);
  // A job taken before `until`, or null (the window passed, or stopping began).
  JobPtr PollForJob(Clock::time_point until);
  // Sleeps until a job can be taken; null once stopping with nothing queued.
  JobPtr SleepForJob();
  JobPtr TryTake();
  // Wakes a sleeping instance for a job just queued, unless a polling instance will take it.
  void WakeForQueuedJob();
  JobPtr FillBatch(std::vector<JobPtr>& batch);
  bool DropIfExpired(JobPtr& job);
  bool Compatible(const Job& first, const Job& candidate) const;
  bool IsPreferred(int64_t rows) const;
  void FreeDisposed();

  const std::string path_;
  const WorkerOptions options_;
  const std::function<void()> notify_;

  // Written by instance 0 before loadFinished_; then read and reset by the JS thread only. Each
  // instance thread holds its own reference while it serves.
  std::shared_ptr<const ModelSession> session_;
  std::string loadError_;
  ErrorCode loadErrorCode_ = ErrorCode::kInternal;
  bool batching_ = false;
  int64_t largestPreferred_ = 0;
  std::atomic<bool> loadFinished_{false};

  JobQueue<Job*> queue_;
  // Jobs pushed and not yet popped; the capacity check and the test hold read it.
  std::atomic<size_t> queued_{0};
  // Cleared once the test hold is satisfied, so the hot path reads one relaxed bool.
  std::atomic<bool> holding_{false};
  WakeSignal wake_;
  std::atomic<bool> stopping_{false};
  // How long an instance may poll its empty queue: zero with fewer than two usable CPUs.
  PollWindow::Duration pollCeiling_{PollWindow::kMax};
  // True while an instance polls the empty queue (WaitForJob): at most one does.
  std::atomic<bool> polling_{false};
  std::atomic<bool> abandon_{false};

  CompletionList completed_;
  CompletionList disposed_;           // settled jobs waiting for a worker to release their outputs
  CompletionList recycled_;           // released jobs on their way back to the JS thread
  std::vector<std::thread> threads_;  // JS thread only
  // Instance threads that have not left their loop; counted just before a thread is created and
  // uncounted if creation fails, so a failed start never makes Exited() wait forever.
  std::atomic<int> running_{0};

  InferenceStats stats_;
};

}  // namespace proton
