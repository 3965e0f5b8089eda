#include "model_worker.h"

#include <algorithm>

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
// Polls before sleeping: a request that arrives within a few microseconds of the last one then
// costs neither side a futex call. Bounded, so an idle model sleeps almost at once.
constexpr int kSpinIterations = 2000;
constexpr size_t kMaxHistogram = 4096;
}  // namespace

ModelWorker::ModelWorker(std::string path, WorkerOptions options, std::function<void()> notify)
    : path_(std::move(path)),
      options_(std::move(options)),
      notify_(std::move(notify)),
      queue_(std::max<size_t>(options_.queueCapacity, 1)) {
  histogramSize_ = std::min<size_t>(
      static_cast<size_t>(std::max<int64_t>(options_.maxBatchSize, 1)) + 1, kMaxHistogram);
  batchHistogram_ = std::make_unique<std::atomic<uint64_t>[]>(histogramSize_);
  // Batches stop growing at the largest preferred size (Triton's "max preferred").
  const auto& preferred = options_.preferredBatchSizes;
  largestPreferred_ =
      preferred.empty()
          ? options_.maxBatchSize
          : std::min(*std::max_element(preferred.begin(), preferred.end()), options_.maxBatchSize);
  holding_.store(options_.holdUntilQueued > 0, std::memory_order_relaxed);
}

ModelWorker::~ModelWorker() {
  RequestStop(true);
  Join();
  FreeDisposed();
  // Jobs are owned by the JS side once completed; any left here were never handed back.
  for (Job* job = completed_.TakeAll(); job != nullptr;) {
    Job* next = job->next;
    delete job;
    job = next;
  }
}

void ModelWorker::FreeDisposed() {
  for (Job* job = disposed_.TakeAll(); job != nullptr;) {
    Job* next = job->next;
    delete job;
    job = next;
  }
}

void ModelWorker::Start() {
  running_.store(1, std::memory_order_relaxed);
  threads_.emplace_back(&ModelWorker::InstanceMain, this, 0);
}

void ModelWorker::StartRemainingInstances() {
  if (stopping_.load(std::memory_order_acquire)) return;
  for (int i = 1; i < options_.instances; ++i) {
    running_.fetch_add(1, std::memory_order_relaxed);
    threads_.emplace_back(&ModelWorker::InstanceMain, this, i);
  }
}

void ModelWorker::InstanceMain(int instance) {
  if (instance == 0) {
    try {
      auto session = std::make_shared<const ModelSession>(path_, options_.session);
      std::string reason;
      if (options_.maxBatchSize > 0 && !session->CanBatch(&reason)) {
        throw ProtonFailure(ErrorCode::kInvalidArgument,
                            "maxBatchSize is set but the model cannot be batched: " + reason);
      }
      batching_ = options_.maxBatchSize > 0;
      session_ = std::move(session);
    } catch (const ProtonFailure& failure) {
      loadError_ = failure.what();
      loadErrorCode_ = failure.code();
    } catch (const std::exception& error) {
      loadError_ = error.what();
    }
    // release: publishes session_, batching_ and loadError_ to the JS thread.
    loadFinished_.store(true, std::memory_order_release);
    if (!loadError_.empty()) {
      running_.fetch_sub(1, std::memory_order_acq_rel);
      notify_();
      return;
    }
    notify_();
  }
  Serve();
  // acq_rel: the last instance to leave sees every other instance's completions before notifying.
  if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) notify_();
}

void ModelWorker::Serve() {
  Job* carried = nullptr;  // a job taken while filling a batch that did not fit it
  std::vector<Job*> batch;
  for (;;) {
    Job* first = carried != nullptr ? carried : WaitForJob();
    carried = nullptr;
    if (first == nullptr) return;
    if (DropIfExpired(first)) continue;
    batch.clear();
    batch.push_back(first);
    if (batching_) carried = FillBatch(batch);
    session_->Run(batch.data(), batch.size());
    RecordExecution(batch);
    // One wake-up for the whole batch: waking the JS thread per job costs a context switch each
    // when both threads share a core.
    for (Job* job : batch) completed_.Push(job);
    notify_();
    FreeDisposed();
  }
}

Job* ModelWorker::TryTake() {
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
  return job;
}

Job* ModelWorker::WaitForJob() {
  for (;;) {
    for (int i = 0; i < kSpinIterations; ++i) {
      if (Job* job = TryTake()) return job;
      if (stopping_.load(std::memory_order_acquire) &&
          queued_.load(std::memory_order_acquire) == 0) {
        return nullptr;
      }
      PROTON_CPU_RELAX();
    }
    FreeDisposed();
    const uint32_t epoch = wake_.PrepareWait();
    if (Job* job = TryTake()) {
      wake_.CancelWait();
      return job;
    }
    if (stopping_.load(std::memory_order_acquire)) {
      wake_.CancelWait();
      continue;  // drain what is queued, then the spin loop returns null
    }
    wake_.Wait(epoch);
  }
}

bool ModelWorker::IsPreferred(int64_t rows) const {
  const auto& preferred = options_.preferredBatchSizes;
  return std::find(preferred.begin(), preferred.end(), rows) != preferred.end();
}

// Adds compatible queued jobs to `batch`, waiting up to the queue delay for it to fill, as
// Triton's dynamic batcher does. Returns a job that was taken but does not fit, if any.
Job* ModelWorker::FillBatch(std::vector<Job*>& batch) {
  const Job& first = *batch.front();
  int64_t rows = first.batchSize;
  const Clock::time_point sendBy = first.enqueued + options_.maxQueueDelay;
  while (rows < largestPreferred_) {
    Job* next = TryTake();
    if (next == nullptr) {
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
    batch.push_back(next);
    rows += next->batchSize;
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

bool ModelWorker::DropIfExpired(Job* job) {
  if (abandon_.load(std::memory_order_acquire)) {
    job->Fail(ErrorCode::kUnavailable, "the model was shut down before the request ran");
  } else if (job->Cancelled()) {
    job->Fail(ErrorCode::kCancelled, "the request was cancelled before it ran");
  } else if (job->deadline != Clock::time_point::max() && Clock::now() >= job->deadline) {
    job->Fail(ErrorCode::kUnavailable, "the request timed out in queue");
  } else {
    return false;
  }
  Complete(job);
  return true;
}

void ModelWorker::RecordExecution(const std::vector<Job*>& batch) {
  int64_t rows = 0;
  for (const Job* job : batch) rows += job->batchSize;
  if (!batching_) rows = 1;
  executions_.fetch_add(1, std::memory_order_relaxed);
  inferences_.fetch_add(batching_ ? static_cast<uint64_t>(rows) : 1, std::memory_order_relaxed);
  const size_t bucket = std::min<size_t>(static_cast<size_t>(rows), histogramSize_ - 1);
  batchHistogram_[bucket].fetch_add(1, std::memory_order_relaxed);
}

void ModelWorker::Complete(Job* job) {
  completed_.Push(job);
  notify_();
}

bool ModelWorker::TryEnqueue(Job* job) {
  if (queued_.load(std::memory_order_relaxed) >= options_.queueCapacity) return false;
  job->enqueued = Clock::now();
  // Counted before the push so a consumer's decrement never precedes this increment.
  queued_.fetch_add(1, std::memory_order_release);
  if (!queue_.TryPush(job)) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  wake_.NotifyOne();
  return true;
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

WorkerStats ModelWorker::Stats() const {
  WorkerStats stats;
  stats.executions = executions_.load(std::memory_order_relaxed);
  stats.inferences = inferences_.load(std::memory_order_relaxed);
  stats.batchSizes.resize(histogramSize_);
  for (size_t i = 0; i < histogramSize_; ++i)
    stats.batchSizes[i] = batchHistogram_[i].load(std::memory_order_relaxed);
  return stats;
}

}  // namespace proton
