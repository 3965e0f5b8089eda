// The JS side of one loaded model: the thread-safe function the workers wake, the promises of
// accepted jobs, and the lifecycle (State). JS thread only, except ScheduleWake.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <vector>

#include "addon_data.h"
#include "entry_guard.h"
#include "model_worker.h"

namespace proton {

class ModelHost : public std::enable_shared_from_this<ModelHost> {
 public:
  // loadModel(path, options) -> Promise<native Model>
  static Napi::Value Load(const Napi::CallbackInfo& info);
  // shutdown(): the process is exiting (its 'exit' event). Stops every model of this environment,
  // failing queued jobs unrun, and joins their threads, so that no thread is inside ONNX Runtime
  // when exit() runs the static destructors. Blocks for the loads and executions in progress.
  static Napi::Value Shutdown(const Napi::CallbackInfo& info);

  Napi::Value Infer(const Napi::CallbackInfo& info);
  // Wakes the model's threads for jobs queued with a deferred wake; nothing to wake once closed.
  void Wake() {
    if (worker_) worker_->Wake();
  }
  Napi::Value Close(Napi::Env env);
  Napi::Value Stats(Napi::Env env) const;
  Napi::Value Metadata(Napi::Env env) const;

  // The JS model object was garbage-collected without close(): stop once the queue drains.
  void Abandon();

 private:
  static void CallJs(Napi::Env env, Napi::Function, ModelHost* host, void*);
  using Wakeup = Napi::TypedThreadSafeFunction<ModelHost, void, &ModelHost::CallJs>;

  ModelHost(AddonData* addon, std::string path, WorkerOptions options);

  static void Finalize(Napi::Env env, std::shared_ptr<ModelHost>* self, ModelHost*);

  // Worker threads: asks the JS thread to look at the worker, at most one pending call.
  void ScheduleWake();
  void OnWake(Napi::Env env);
  void FinishLoad(Napi::Env env);
  void FailLoad(Napi::Env env, napi_deferred deferred, ErrorCode code, const std::string& message);
  // Settles one job's promise exactly once, whatever fails while building its value.
  void Settle(Napi::Env env, JobPtr job, const JsStrings::Values& strings,
              const std::vector<napi_value>& outputNames) noexcept;
  napi_value SettledValue(Napi::Env env, Job& job, const JsStrings::Values& strings,
                          const std::vector<napi_value>& outputNames);
  void FinishClose(Napi::Env env);
  // After the threads are joined: frees the worker (queues, statistics, what is left of the
  // session), keeping only the final statistics.
  void ReleaseWorker(Napi::Env env);
  void UpdateRef(Napi::Env env);
  // A job for the next request: a recycled one when the workers have returned any, else a new one.
  JobPtr NewJob();
  void ThrowIfClosed(Napi::Env env) const;

  enum class State {
    kLoading,  // the first instance is loading the session; no JS model object yet
    kServing,  // accepting jobs
    kClosing,  // close() called or the JS object collected: finishing accepted jobs
    kClosed,   // threads joined, worker freed, thread-safe function released (or finalized)
  };

  AddonData* const addon_;
  const std::string path_;
  std::unique_ptr<ModelWorker> worker_;  // null once closed: close() frees the session at once
  // Copied from the session at load, so the JS thread never touches the session after it.
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
  StatsSnapshot finalStats_;   // the statistics at close, answered by stats() from then on
  int64_t externalBytes_ = 0;  // reported to V8 while the JS model object may hold a session
  Wakeup wakeup_;
  // seq_cst with CompletionList: a worker either sees false here or its job is taken by OnWake.
  std::atomic<bool> wakeScheduled_{false};

  napi_deferred loadDeferred_ = nullptr;
  std::vector<napi_deferred> closeDeferreds_;
  State state_ = State::kLoading;
  bool referenced_ = true;         // whether the thread-safe function keeps the event loop alive
  size_t pending_ = 0;             // accepted jobs whose promises are not yet settled
  std::vector<JobPtr> spareJobs_;  // recycled jobs for the next requests (NewJob)
  JsStringList outputNames_;       // property keys of the outputs, created once
  int64_t throwOnSettle_ = -1;     // test hook: settling the job with this index throws
  int64_t settled_ = 0;            // jobs settled so far (for the hook)
};

// The JS class wrapping a ModelHost; its methods are declared in ts/native.ts.
class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit ModelWrap(const Napi::CallbackInfo& info);
  ~ModelWrap() override;

 private:
  Napi::Value Infer(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&] { return host_->Infer(info); });
  }
  Napi::Value Wake(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&] {
      host_->Wake();
      return info.Env().Undefined();
    });
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&] { return host_->Close(info.Env()); });
  }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&] { return host_->Stats(info.Env()); });
  }
  Napi::Value Metadata(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&] { return host_->Metadata(info.Env()); });
  }

  std::shared_ptr<ModelHost> host_;
};

}  // namespace proton
