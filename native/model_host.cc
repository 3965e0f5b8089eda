#include "model_host.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "js_stats.h"
#include "js_tensor.h"

namespace proton {

namespace {

int64_t IntOption(const Napi::Object& options, const char* key, int64_t fallback) {
  Napi::Value value = options.Get(key);
  return value.IsNumber() ? value.As<Napi::Number>().Int64Value() : fallback;
}

WorkerOptions ParseOptions(const Napi::Object& options) {
  WorkerOptions parsed;
  parsed.session.intraOpThreads = static_cast<int>(IntOption(options, "intraOpNumThreads", 1));
  parsed.session.interOpThreads = static_cast<int>(IntOption(options, "interOpNumThreads", 1));
  parsed.session.optimization =
      static_cast<GraphOptimizationLevel>(IntOption(options, "graphOptimizationLevel", 99));
  parsed.session.executionMode = static_cast<ExecutionMode>(IntOption(options, "executionMode", 0));
  parsed.queueCapacity = static_cast<size_t>(IntOption(options, "queueCapacity", 1024));
  parsed.maxBatchSize = IntOption(options, "maxBatchSize", 0);
  parsed.maxQueueDelay = std::chrono::microseconds(IntOption(options, "maxQueueDelayUs", 0));
  parsed.instances = static_cast<int>(IntOption(options, "instances", 1));
  parsed.holdUntilQueued = static_cast<size_t>(IntOption(options, "holdUntilQueued", 0));
  parsed.failThreadStart = static_cast<int>(IntOption(options, "testFailThreadStart", -1));
  Napi::Value preferred = options.Get("preferredBatchSizes");
  if (preferred.IsArray()) {
    Napi::Array array = preferred.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) {
      parsed.preferredBatchSizes.push_back(array.Get(i).As<Napi::Number>().Int64Value());
    }
  }
  return parsed;
}

// Beyond this a deadline is no practical limit (31 years), and computing it would overflow.
constexpr double kNoDeadlineMs = 1e12;

double Nanoseconds(Clock::duration d) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

// Last resort when even building an error fails: a plain string rejection, raw N-API only.
void RejectWithText(napi_env env, napi_deferred deferred, const char* text) noexcept {
  napi_value message = nullptr;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) != napi_ok) {
    napi_get_undefined(env, &message);
  }
  napi_reject_deferred(env, deferred, message);
}

// What a loaded model keeps in memory, roughly: its weights, which dominate the file.
int64_t ModelBytes(const std::string& path) {
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(bytes);
}

// Recycled jobs kept for reuse at most: a burst of many thousand requests leaves no more behind.
constexpr size_t kMaxSpareJobs = 1024;

void ReleaseReferences(napi_env env, JsHandles& js) {
  for (void* reference : js.references)
    napi_delete_reference(env, static_cast<napi_ref>(reference));
  js.references.clear();
}

}  // namespace

ModelHost::ModelHost(AddonData* addon, std::string path, WorkerOptions options)
    : addon_(addon), path_(path) {
  worker_ = std::make_unique<ModelWorker>(std::move(path), std::move(options),
                                          [this] { ScheduleWake(); });
}

Napi::Value ModelHost::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* addon = env.GetInstanceData<AddonData>();
  if (addon->exiting) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kUnavailable, "the process is exiting"));
  }
  // The process-wide environment is created here, on the JS thread, not by whichever loader
  // thread comes first: then no thread is ever inside its creation when the process exits.
  (void)OrtEnvironment();
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const Napi::Object options = info[1].As<Napi::Object>();
  std::shared_ptr<ModelHost> host(new ModelHost(addon, path, ParseOptions(options)));
  host->throwOnSettle_ = IntOption(options, "testThrowOnSettle", -1);

  napi_value promise = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &host->loadDeferred_, &promise),
                       Napi::Value());
  // The thread-safe function owns a share of the host until Node finalizes it.
  auto* share = new std::shared_ptr<ModelHost>(host);
  addon->hosts.insert(host.get());  // erased by Finalize
  try {
    host->wakeup_ = Wakeup::New(env, "proton.model", 0, 1, host.get(), &ModelHost::Finalize, share);
  } catch (...) {
    addon->hosts.erase(host.get());
    delete share;
    throw;
  }
  try {
    host->worker_->Start();
  } catch (const std::exception& error) {
    // No thread runs, so no wake-up will come: fail the load here.
    napi_deferred deferred = std::exchange(host->loadDeferred_, nullptr);
    host->FailLoad(env, deferred, ErrorCode::kResourceExhausted,
                   std::string("could not start the model's thread: ") + error.what());
  }
  return Napi::Value(env, promise);
}

void ModelHost::ScheduleWake() {
  if (wakeScheduled_.exchange(true, std::memory_order_seq_cst)) return;
  // Fails only while Node tears the function down; Finalize then frees what is left.
  (void)wakeup_.NonBlockingCall();
}

void ModelHost::CallJs(Napi::Env env, Napi::Function, ModelHost* host, void*) {
  if (env == nullptr) return;  // teardown: Finalize cleans up
  try {
    host->OnWake(env);
  } catch (const std::exception&) {
    // Settle catches per job; what remains (a handle scope failing) must still not reach Node.
    env.GetAndClearPendingException();
  }
}

void ModelHost::OnWake(Napi::Env env) {
  wakeScheduled_.store(false, std::memory_order_seq_cst);
  if (state_ == State::kClosed) return;
  Napi::HandleScope scope(env);
  if (state_ == State::kLoading) {
    if (!worker_->LoadFinished()) return;
    FinishLoad(env);
    if (state_ == State::kClosed) return;
  }
  // Read before draining: once every instance has exited, all its completions are in the list.
  const bool exited = worker_->Exited();
  JobChain jobs = worker_->TakeCompleted();
  if (!jobs.empty()) {
    const JsStrings::Values strings = addon_->strings->Get();
    const std::vector<napi_value> outputNames = outputNames_.Get();
    while (JobPtr job = jobs.PopFront()) {
      Napi::HandleScope jobScope(env);  // a wake-up may settle thousands of jobs
      Settle(env, std::move(job), strings, outputNames);
    }
  }
  if (exited) FinishClose(env);
  UpdateRef(env);
}

void ModelHost::FailLoad(Napi::Env env, napi_deferred deferred, ErrorCode code,
                         const std::string& message) {
  state_ = State::kClosed;
  try {
    napi_reject_deferred(env, deferred, MakeError(env, code, message));
  } catch (const std::exception&) {
    env.GetAndClearPendingException();
    RejectWithText(env, deferred, "loading the model failed");
  }
  ReleaseWorker(env);
  wakeup_.Release();
}

void ModelHost::FinishLoad(Napi::Env env) {
  napi_deferred deferred = std::exchange(loadDeferred_, nullptr);
  if (!worker_->loadError().empty()) {
    worker_->Join();
    FailLoad(env, deferred, worker_->loadErrorCode(), worker_->loadError());
    return;
  }
  try {
    worker_->StartRemainingInstances();
    inputs_ = worker_->session().inputs();
    outputs_ = worker_->session().outputs();
    // From here the instance threads own the session: the last one to exit frees it.
    worker_->ReleaseSession();
    std::vector<std::string> names;
    for (const TensorInfo& output : outputs_) names.push_back(output.name);
    outputNames_ = JsStringList(env, names);
    Napi::Object model = addon_->modelClass.New({Napi::External<ModelHost>::New(env, this)});
    state_ = State::kServing;
    // Until close() (or the collection of the JS object) the session lives: let V8 weigh it.
    externalBytes_ = ModelBytes(path_);
    Napi::MemoryManagement::AdjustExternalMemory(env, externalBytes_);
    napi_resolve_deferred(env, deferred, model);
  } catch (const std::exception& error) {
    env.GetAndClearPendingException();
    // Instance 0 has no job yet (the model was never handed out): it exits at once.
    worker_->RequestStop(true);
    worker_->Join();
    const bool threadFailed = dynamic_cast<const std::system_error*>(&error) != nullptr;
    FailLoad(env, deferred, threadFailed ? ErrorCode::kResourceExhausted : ErrorCode::kInternal,
             std::string(threadFailed ? "could not start the model's threads: "
                                      : "finishing the model's load failed: ") +
                 error.what());
  }
}

napi_value ModelHost::SettledValue(Napi::Env env, Job& job, const JsStrings::Values& strings,
                                   const std::vector<napi_value>& outputNames) {
  if (settled_++ == throwOnSettle_)
    throw std::runtime_error("settling this job failed (test hook)");
  napi_value outputs = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_object(env, &outputs), nullptr);
  for (size_t k = 0; k < job.outputs.size(); ++k) {
    napi_value tensor = OutputToJs(env, strings, job.results[k]);
    NAPI_THROW_IF_FAILED(env, napi_set_property(env, outputs, outputNames[job.outputs[k]], tensor),
                         nullptr);
  }
  if (!job.wantTiming) return outputs;
  // {outputs, timing}, for Model.inferWithTiming; only callers that ask pay for it.
  const JobTimes& t = job.times;
  const std::pair<napi_value, double> phases[] = {
      {strings.queueNs, Nanoseconds(t.started - t.enqueued)},
      {strings.computeInputNs, Nanoseconds(t.inputsReady - t.started)},
      {strings.computeInferNs, Nanoseconds(t.inferDone - t.inputsReady)},
      {strings.computeOutputNs, Nanoseconds(t.finished - t.inferDone)},
  };
  napi_value timing = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_object(env, &timing), nullptr);
  for (const auto& [key, ns] : phases) {
    napi_value value = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_create_double(env, ns, &value), nullptr);
    NAPI_THROW_IF_FAILED(env, napi_set_property(env, timing, key, value), nullptr);
  }
  napi_value result = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_object(env, &result), nullptr);
  NAPI_THROW_IF_FAILED(env, napi_set_property(env, result, strings.outputs, outputs), nullptr);
  NAPI_THROW_IF_FAILED(env, napi_set_property(env, result, strings.timing, timing), nullptr);
  return result;
}

void ModelHost::Settle(Napi::Env env, JobPtr job, const JsStrings::Values& strings,
                       const std::vector<napi_value>& outputNames) noexcept {
  --pending_;
  ReleaseReferences(env, job->js);
  auto deferred = static_cast<napi_deferred>(job->js.deferred);
  try {
    if (job->failed) {
      napi_reject_deferred(env, deferred,
                           MakeError(env, job->errorCode, job->errorMessage, job->errorDetail));
    } else {
      napi_resolve_deferred(env, deferred, SettledValue(env, *job, strings, outputNames));
    }
  } catch (const std::exception& error) {
    // Building the value failed (out of memory, a pending JS exception): still settle once.
    env.GetAndClearPendingException();
    try {
      napi_reject_deferred(env, deferred,
                           MakeError(env, ErrorCode::kInternal,
                                     std::string("returning the outputs failed: ") + error.what()));
    } catch (const std::exception&) {
      env.GetAndClearPendingException();
      RejectWithText(env, deferred, "returning the outputs failed");
    }
  }
  // A worker frees ORT's output memory on its own thread and hands the job back for reuse.
  worker_->Dispose(std::move(job));
}

void ModelHost::FinishClose(Napi::Env env) {
  worker_->Join();
  ReleaseWorker(env);
  state_ = State::kClosed;
  for (napi_deferred deferred : closeDeferreds_)
    napi_resolve_deferred(env, deferred, env.Undefined());
  closeDeferreds_.clear();
  wakeup_.Release();
}

void ModelHost::ReleaseWorker(Napi::Env env) {
  if (!worker_) return;
  finalStats_ = worker_->Stats();
  worker_.reset();
  std::vector<JobPtr>().swap(spareJobs_);
  inputs_ = {};
  outputs_ = {};
  outputNames_ = JsStringList();
  if (externalBytes_ != 0) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -externalBytes_);
    externalBytes_ = 0;
  }
}

void ModelHost::ThrowIfClosed(Napi::Env env) const {
  if (state_ == State::kClosed) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kUnavailable, "the model is closed"));
  }
}

void ModelHost::UpdateRef(Napi::Env env) {
  if (state_ == State::kClosed) return;
  // Keep the process alive while work is owed to JS; an idle model must not hold it open.
  const bool needed = pending_ > 0 || !closeDeferreds_.empty();
  if (needed && !referenced_) {
    wakeup_.Ref(env);
    referenced_ = true;
  } else if (!needed && referenced_) {
    wakeup_.Unref(env);
    referenced_ = false;
  }
}

Napi::Value ModelHost::Infer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (addon_->exiting) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kUnavailable, "the process is exiting"));
  }
  if (state_ != State::kServing) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kUnavailable, "the model is closed"));
  }
  const WorkerOptions& options = worker_->options();
  if (worker_->Queued() >= options.queueCapacity) {
    throw Napi::Error(
        env, MakeError(env, ErrorCode::kResourceExhausted,
                       "the model's queue is full (" + std::to_string(options.queueCapacity) +
                           " requests); retry later"));
  }
  JobPtr job = NewJob();
  // Release borrowed references if anything below throws before the job is queued.
  struct ReferenceGuard {
    napi_env env;
    Job* job;
    ~ReferenceGuard() {
      if (job != nullptr) ReleaseReferences(env, job->js);
    }
  } guard{env, job.get()};

  // info[0]: input data in model order, info[1]: their dims. One reference to the data array
  // (made by the TS layer for this call only) keeps every borrowed buffer alive.
  Napi::Array datas = info[0].As<Napi::Array>();
  Napi::Array dims = info[1].As<Napi::Array>();
  job->inputs.reserve(inputs_.size());
  for (uint32_t i = 0; i < inputs_.size(); ++i) {
    job->inputs.push_back(ReadInputTensor(env, datas.Get(i), dims.Get(i), inputs_[i]));
  }
  napi_ref dataReference = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, datas, 1, &dataReference), Napi::Value());
  job->js.references.push_back(dataReference);
  if (info[2].IsArray()) {
    Napi::Array outputs = info[2].As<Napi::Array>();
    for (uint32_t k = 0; k < outputs.Length(); ++k) {
      job->outputs.push_back(outputs.Get(k).As<Napi::Number>().Uint32Value());
    }
  } else {
    for (size_t k = 0; k < outputs_.size(); ++k) job->outputs.push_back(k);
  }
  if (worker_->batching() && !job->inputs.empty() && !job->inputs[0].dims.empty()) {
    job->batchSize = job->inputs[0].dims[0];
  }
  const double timeoutMs = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : 0;
  // Absurd timeouts mean "no practical deadline" instead of overflowing the clock.
  if (timeoutMs > 0 && timeoutMs < kNoDeadlineMs) {
    job->deadline =
        Clock::now() + std::chrono::microseconds(static_cast<int64_t>(timeoutMs * 1000));
  }
  if (info[4].IsTypedArray()) {
    Napi::Int32Array flag = info[4].As<Napi::Int32Array>();
    job->cancelFlag = flag.Data();
    napi_ref reference = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_create_reference(env, flag, 1, &reference), Napi::Value());
    job->js.references.push_back(reference);
  }
  job->wantTiming = info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value();
  const bool deferWake = info[6].IsBoolean() && info[6].As<Napi::Boolean>().Value();

  napi_value promise = nullptr;
  napi_deferred deferred = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &deferred, &promise), Napi::Value());
  job->js.deferred = deferred;
  if (!worker_->TryEnqueue(job, !deferWake)) {
    // Unreachable while the JS thread is the only producer (capacity was checked above).
    napi_reject_deferred(
        env, deferred, MakeError(env, ErrorCode::kResourceExhausted, "the model's queue is full"));
    return Napi::Value(env, promise);
  }
  guard.job = nullptr;  // the worker owns the job until it comes back through the completion list
  ++pending_;
  UpdateRef(env);
  return Napi::Value(env, promise);
}

JobPtr ModelHost::NewJob() {
  if (spareJobs_.empty()) {
    JobChain recycled = worker_->TakeRecycled();
    while (JobPtr job = recycled.PopFront()) {
      // Beyond the cap a job is freed here, on the JS thread that allocated it.
      if (spareJobs_.size() < kMaxSpareJobs) spareJobs_.push_back(std::move(job));
    }
  }
  if (spareJobs_.empty()) return std::make_unique<Job>();
  JobPtr job = std::move(spareJobs_.back());
  spareJobs_.pop_back();
  job->ResetForReuse();
  return job;
}

Napi::Value ModelHost::Close(Napi::Env env) {
  napi_value promise = nullptr;
  napi_deferred deferred = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &deferred, &promise), Napi::Value());
  if (state_ == State::kClosed) {
    napi_resolve_deferred(env, deferred, env.Undefined());
    return Napi::Value(env, promise);
  }
  closeDeferreds_.push_back(deferred);
  state_ = State::kClosing;
  worker_->RequestStop(false);
  UpdateRef(env);
  return Napi::Value(env, promise);
}

void ModelHost::Abandon() {
  if (state_ != State::kServing) return;
  state_ = State::kClosing;
  worker_->RequestStop(false);
}

Napi::Value ModelHost::Stats(Napi::Env env) const {
  // After close the worker is gone; its final figures stay readable (metrics, tests).
  const StatsSnapshot stats = worker_ ? worker_->Stats() : finalStats_;
  return StatsToJs(env, stats, pending_);
}

Napi::Value ModelHost::Metadata(Napi::Env env) const {
  ThrowIfClosed(env);
  return MetadataToJs(env, inputs_, outputs_);
}

void ModelHost::Finalize(Napi::Env env, std::shared_ptr<ModelHost>* share, ModelHost* host) {
  host->state_ = State::kClosed;
  host->addon_->hosts.erase(host);
  if (host->worker_) {
    // At environment teardown the workers may still run: fail their queue unrun, wait for them.
    host->worker_->RequestStop(true);
    host->worker_->Join();
    JobChain jobs = host->worker_->TakeCompleted();
    while (JobPtr job = jobs.PopFront()) ReleaseReferences(env, job->js);
  }
  delete share;
}

Napi::Value ModelHost::Shutdown(const Napi::CallbackInfo& info) {
  auto* addon = info.Env().GetInstanceData<AddonData>();
  addon->exiting = true;
  // Every model stops first, then all are awaited: the waits overlap.
  for (ModelHost* host : addon->hosts) {
    if (host->worker_) host->worker_->RequestStop(true);
  }
  for (ModelHost* host : addon->hosts) {
    if (host->worker_) host->worker_->Join();
  }
  return info.Env().Undefined();
}

Napi::Function ModelWrap::DefineClass(Napi::Env env) {
  return ObjectWrap<ModelWrap>::DefineClass(env, "NativeModel",
                                            {
                                                InstanceMethod<&ModelWrap::Infer>("infer"),
                                                InstanceMethod<&ModelWrap::Wake>("wake"),
                                                InstanceMethod<&ModelWrap::Close>("close"),
                                                InstanceMethod<&ModelWrap::Stats>("stats"),
                                                InstanceMethod<&ModelWrap::Metadata>("metadata"),
                                            });
}

ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : ObjectWrap<ModelWrap>(info) {
  if (!info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "NativeModel is created by loadModel(), not with new");
  }
  host_ = info[0].As<Napi::External<ModelHost>>().Data()->shared_from_this();
}

ModelWrap::~ModelWrap() {
  // No N-API calls here: at teardown Node may already have finalized the thread-safe function.
  if (host_) host_->Abandon();
}

}  // namespace proton
