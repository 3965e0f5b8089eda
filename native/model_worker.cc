#include "model_worker.h"

#include <algorithm>
#include <system_error>

#include "usable_cpus.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define PROTON_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define PROTON_CPU_RELAX() asm volatile("yield")
#else
#define PROTON_CPU_RELAX() ((void)0)
#endif

namespace proton {

namespace {
constexpr size_t kMaxHistogram = 4096;
}  // namespace

ModelWorker::ModelWorker(std::string path, WorkerOptions options, std::function<void()> notify)
    : path_(std::move(path)),
      options_(std::move(options)),
      notify_(std::move(notify)),
      queue_(std::max<size_t>(options_.queueCapacity, 1)),
      stats_(std::min<size_t>(static_cast<size_t>(std::max<int64_t>(options_.maxBatchSize, 1)),
                              kMaxHistogram - 1),
             options_.instances) {
  // Batches stop growing at the largest preferred size (Triton's "max preferred").
  const auto& preferred = options_.preferredBatchSizes;
  largestPreferred_ =
      preferred.empty()
          ? options_.maxBatchSize
          : std::min(*std::max_element(preferred.begin(), preferred.end()), options_.maxBatchSize);
  holding_.store(options_.holdUntilQueued > 0, std::memory_order_relaxed);
  // Reserved so that starting a thread can fail only in the thread's creation itself.
  threads_.reserve(static_cast<size_t>(std::max(options_.instances, 1)));
}

ModelWorker::~ModelWorker() {
  RequestStop(true);
  Join();
  FreeDisposed();
  // Jobs left in the queue (none once the instances drained it) or completed and never taken.
  for (Job* job = nullptr; queue_.TryPop(job);) JobPtr{job};
  (void)completed_.TakeAll();
}

void ModelWorker::FreeDisposed() {
  JobChain disposed = disposed_.TakeAll();
  while (JobPtr job = disposed.PopFront()) {
    job->ReleaseWorkerMemory();
    recycled_.Push(std::move(job));
  }
}

void ModelWorker::StartThread(int instance) {
  // Counted before the thread exists so its own decrement can never come first.
  running_.fetch_add(1, std::memory_order_acq_rel);
  try {
    if (instance == options_.failThreadStart) {
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                              "thread creation failed (test hook)");
    }
    // Instance 0 loads the session; the others start after the load and share it.
    threads_.emplace_back(&ModelWorker::InstanceMain, this, instance,
                          instance == 0 ? nullptr : session_);
  } catch (...) {
    running_.fetch_sub(1, std::memory_order_acq_rel);
    throw;
  }
}

void ModelWorker::Start() {
  try {
    StartThread(0);
  } catch (...) {
    // release: Exited() is true at once, as no instance will ever run.
    loadFinished_.store(true, std::memory_order_release);
    throw;
  }
}

void ModelWorker::StartRemainingInstances() {
  if (stopping_.load(std::memory_order_acquire)) return;
  for (int i = 1; i < options_.instances; ++i) StartThread(i);
}

std::shared_ptr<const ModelSession> ModelWorker::LoadSession() {
  std::shared_ptr<const ModelSession> session;
  try {
    if (stopping_.load(std::memory_order_acquire)) {
      // Stopped before the load began (process exit): loading would only delay the exit.
      throw ProtonFailure(ErrorCode::kUnavailable, "the model was shut down before it loaded");
    }
    session = std::make_shared<const ModelSession>(path_, options_.session);
    std::string reason;
    if (options_.maxBatchSize > 0 && !session->CanBatch(&reason)) {
      throw ProtonFailure(ErrorCode::kInvalidArgument,
                          "maxBatchSize is set but the model cannot be batched: " + reason);
    }
    batching_ = options_.maxBatchSize > 0;
    session_ = session;
  } catch (const ProtonFailure& failure) {
    session.reset();
    loadError_ = failure.what();
    loadErrorCode_ = failure.code();
  } catch (const std::exception& error) {
    session.reset();
    loadError_ = error.what();
  }
  // Read here, off the JS thread; the other instances start after the load.
  pollCeiling_ = UsableCpus() >= 2 ? PollWindow::kMax : PollWindow::Duration::zero();
  // release: publishes session_, batching_ and loadError_ to the JS thread.
  loadFinished_.store(true, std::memory_order_release);
  return session;
}

void ModelWorker::InstanceMain(int instance, std::shared_ptr<const ModelSession> session) {
  if (instance == 0) {
    session = LoadSession();
    if (!session) {
      running_.fetch_sub(1, std::memory_order_acq_rel);
      notify_();
      return;
    }
    notify_();
  }
  Serve(instance, *session);
  // Once the JS thread dropped its reference, the last instance to leave frees the session here.
  session.reset();
  // acq_rel: the last instance to leave sees every other instance's completions before notifying.
  if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) notify_();
}

void ModelWorker::Serve(int instance, const ModelSession& session) {
  JobPtr carried;  // a job taken while filling a batch that did not fit it
  std::vector<JobPtr> batch;
  PollWindow pollWindow(pollCeiling_);
  for (;;) {
    JobPtr first = carried ? std::move(carried) : WaitForJob(pollWindow);
    if (!first) return;
    if (DropIfExpired(first)) continue;
    batch.clear();
    batch.push_back(std::move(first));
    if (batching_) carried = FillBatch(batch);
    // Work is left behind: wake a sleeping instance now rather than after this execution, or
    // the others would sleep until this one drained the queue.
    if (carried || queued_.load(std::memory_order_acquire) > 0) WakeForQueuedJob();
    Execute(instance, session, batch);
    FreeDisposed();
  }
}

void ModelWorker::Execute(int instance, const ModelSession& session, std::vector<JobPtr>& batch) {
  JobTimes times;
  times.started = Clock::now();
  session.Run(batch.data(), batch.size(), times);
  times.finished = Clock::now();
  int64_t rows = 0;
  for (const JobPtr& job : batch) rows += job->batchSize;
  stats_.RecordExecution(instance, batching_ ? rows : 1, times);
  for (JobPtr& job : batch) {
    times.enqueued = job->times.enqueued;
    job->times = times;
    if (job->failed) {
      stats_.RecordFailure(times, times.finished);
    } else {
      stats_.RecordSuccess(times);
    }
    completed_.Push(std::move(job));
  }
  // One wake-up for the whole batch: waking the JS thread per job costs a context switch each
  // when both threads share a core.
  notify_();
}

JobPtr ModelWorker::TryTake() {
  if (holding_.load(std::memory_order_relaxed)) {
    if (queued_.load(std::memory_order_acquire) < options_.holdUntilQueued &&
        !stopping_.load(std::memory_order_acquire)) {
      return nullptr;
    }
    holding_.store(false, std::memory_order_relaxed);
  }
  Job* job = nullptr;
  if (!queue_.TryPop(job)) return nullptr;
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return JobPtr(job);
}

JobPtr ModelWorker::WaitForJob(PollWindow& window) {
  if (JobPtr job = TryTake()) return job;
  const Clock::time_point emptySince = Clock::now();
  JobPtr job;
  // One instance polls at a time and the others sleep, so a model never holds more than one core
  // polling. A zero window still polls a few times (under a microsecond): a job pushed while this
  // thread was finishing the last one costs no futex call.
  if (!polling_.exchange(true, std::memory_order_seq_cst)) {
    job = PollForJob(emptySince + window.Current());
    polling_.store(false, std::memory_order_seq_cst);
  }
  if (!job) job = SleepForJob();
  if (job) window.Observe(Clock::now() - emptySince);
  return job;
}

JobPtr ModelWorker::PollForJob(Clock::time_point until) {
  for (unsigned polls = 1;; ++polls) {
    if (JobPtr job = TryTake()) return job;
    if (stopping_.load(std::memory_order_acquire)) return nullptr;
    // The clock is read every few polls: a read costs about as much as a poll.
    if ((polls & 15) == 0 && Clock::now() >= until) return nullptr;
    PROTON_CPU_RELAX();
  }
}

JobPtr ModelWorker::SleepForJob() {
  for (;;) {
    FreeDisposed();
    const uint32_t epoch = wake_.PrepareWait();
    if (JobPtr job = TryTake()) {
      wake_.CancelWait();
      return job;
    }
    if (stopping_.load(std::memory_order_acquire)) {
      wake_.CancelWait();
      if (queued_.load(std::memory_order_acquire) == 0) return nullptr;
      continue;  // drain what is queued
    }
    wake_.Wait(epoch);
    if (JobPtr job = TryTake()) return job;
  }
}

bool ModelWorker::IsPreferred(int64_t rows) const {
  const auto& preferred = options_.preferredBatchSizes;
  return std::find(preferred.begin(), preferred.end(), rows) != preferred.end();
}

// Adds compatible queued jobs to `batch`, waiting up to the queue delay for it to fill, as
// Triton's dynamic batcher does. Returns a job that was taken but does not fit, if any.
JobPtr ModelWorker::FillBatch(std::vector<JobPtr>& batch) {
  const Job& first = *batch.front();
  int64_t rows = first.batchSize;
  const Clock::time_point sendBy = first.times.enqueued + options_.maxQueueDelay;
  while (rows < largestPreferred_) {
    JobPtr next = TryTake();
    if (!next) {
      if (IsPreferred(rows) || options_.maxQueueDelay.count() == 0 ||
          stopping_.load(std::memory_order_acquire)) {
        break;
      }
      const auto now = Clock::now();
      if (now >= sendBy) break;
      const uint32_t epoch = wake_.PrepareWait();
      if (queued_.load(std::memory_order_acquire) > 0) {
        wake_.CancelWait();
        continue;
      }
      wake_.Wait(epoch, sendBy - now);
      continue;
    }
    if (DropIfExpired(next)) continue;
    if (!Compatible(first, *next) || rows + next->batchSize > options_.maxBatchSize) return next;
    rows += next->batchSize;
    batch.push_back(std::move(next));
  }
  return nullptr;
}

bool ModelWorker::Compatible(const Job& first, const Job& candidate) const {
  if (first.outputs != candidate.outputs) return false;
  for (size_t i = 0; i < first.inputs.size(); ++i) {
    const auto& a = first.inputs[i].dims;
    const auto& b = candidate.inputs[i].dims;
    if (a.size() != b.size() || !std::equal(a.begin() + 1, a.end(), b.begin() + 1)) return false;
  }
  return true;
}

bool ModelWorker::DropIfExpired(JobPtr& job) {
  if (abandon_.load(std::memory_order_acquire)) {
    job->Fail(ErrorCode::kUnavailable, "the model was shut down before the request ran");
  } else if (job->Cancelled()) {
    job->Fail(ErrorCode::kCancelled, "the request was cancelled before it ran");
  } else if (job->deadline != Clock::time_point::max() && Clock::now() >= job->deadline) {
    job->Fail(ErrorCode::kUnavailable, "the request timed out in queue");
  } else {
    return false;
  }
  const auto now = Clock::now();
  job->times.started = job->times.inputsReady = job->times.inferDone = job->times.finished = now;
  stats_.RecordFailure(job->times, now);
  completed_.Push(std::move(job));
  notify_();
  return true;
}

bool ModelWorker::TryEnqueue(JobPtr& job, bool wake) {
  if (queued_.load(std::memory_order_relaxed) >= options_.queueCapacity) return false;
  job->times.enqueued = Clock::now();
  // Counted before the push so a consumer's decrement never precedes this increment.
  queued_.fetch_add(1, std::memory_order_release);
  if (!queue_.TryPush(job.get())) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  (void)job.release();  // the queue owns it now
  if (wake) WakeForQueuedJob();
  return true;
}

void ModelWorker::WakeForQueuedJob() {
  // Orders the caller's push before reading polling_; a poller clears polling_ before its last
  // check of the queue (SleepForJob's PrepareWait and TryTake), so it either sees the push or this
  // reads false and wakes a sleeper.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // A polling instance takes the job without a futex call; with batching a sleeping instance may
  // be filling a batch the job belongs to, so it is woken regardless.
  if (!batching_ && polling_.load(std::memory_order_seq_cst)) return;
  wake_.NotifyOne();
}

void ModelWorker::RequestStop(bool abandon) {
  if (abandon) abandon_.store(true, std::memory_order_release);
  stopping_.store(true, std::memory_order_release);
  wake_.NotifyAll();
}

bool ModelWorker::Exited() const {
  return loadFinished_.load(std::memory_order_acquire) &&
         running_.load(std::memory_order_acquire) == 0;
}

void ModelWorker::Join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace proton
