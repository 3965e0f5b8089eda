#include "ort_log.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "ort_api.h"

namespace proton {

namespace {

constexpr size_t kMaxBufferedRecords = 1024;

struct LogRecord {
  int severity;
  std::string category, logid, codeLocation, message;
};

void DeliverRecords(Napi::Env env, Napi::Function sink, void*, void*);
using LogCall = Napi::TypedThreadSafeFunction<void, void, &DeliverRecords>;

// Heap-allocated and never freed: ORT threads may log during process exit, after static
// destructors would have run.
struct SinkState {
  std::mutex mutex;
  std::deque<LogRecord> records;  // guarded by mutex; at most kMaxBufferedRecords
  std::optional<LogCall> call;    // guarded by mutex; empty when no sink is set
  uint64_t generation = 0;        // guarded by mutex; identifies the current `call`
  bool callPending = false;       // guarded by mutex; a drain is scheduled on the JS thread
  std::atomic<uint64_t> dropped{0};
  std::atomic<int> severity{ORT_LOGGING_LEVEL_WARNING};
  std::atomic<OrtEnv*> env{nullptr};
};

SinkState& State() {
  static SinkState* state = new SinkState();
  return *state;
}

void DeliverRecords(Napi::Env env, Napi::Function sink, void*, void*) {
  SinkState& state = State();
  std::deque<LogRecord> records;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    records.swap(state.records);
    state.callPending = false;
  }
  if (env == nullptr) return;  // teardown: nothing can be delivered
  for (const LogRecord& record : records) {
    Napi::HandleScope scope(env);
    try {
      sink.Call({Napi::Number::New(env, record.severity), Napi::String::New(env, record.category),
                 Napi::String::New(env, record.logid), Napi::String::New(env, record.codeLocation),
                 Napi::String::New(env, record.message)});
    } catch (const std::exception&) {
      // A throwing sink loses its record, never the process.
      state.dropped.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void FinalizeCall(Napi::Env, uint64_t* generation, void*) {
  SinkState& state = State();
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.generation == *generation) {
      state.call.reset();
      state.callPending = false;
    }
  }
  delete generation;
}

// Caller holds state.mutex.
void ScheduleDelivery(SinkState& state) {
  if (state.callPending || !state.call || state.records.empty()) return;
  state.callPending = state.call->NonBlockingCall() == napi_ok;
}

}  // namespace

void ORT_API_CALL OrtLog::Forward(void*, OrtLoggingLevel severity, const char* category,
                                  const char* logid, const char* codeLocation,
                                  const char* message) {
  SinkState& state = State();
  try {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (!state.call || state.records.size() >= kMaxBufferedRecords) {
      state.dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    state.records.push_back({static_cast<int>(severity), category ? category : "",
                             logid ? logid : "", codeLocation ? codeLocation : "",
                             message ? message : ""});
    ScheduleDelivery(state);
  } catch (...) {
    state.dropped.fetch_add(1, std::memory_order_relaxed);  // out of memory: never throw into ORT
  }
}

OrtLoggingLevel OrtLog::Severity() {
  return static_cast<OrtLoggingLevel>(State().severity.load(std::memory_order_relaxed));
}

void OrtLog::EnvironmentCreated(OrtEnv* env) {
  SinkState& state = State();
  state.env.store(env, std::memory_order_release);
  // A severity set while the environment was being created. Failing here would only keep the
  // level it was created with, so the status is released rather than thrown.
  if (OrtStatus* status = Ort().UpdateEnvWithCustomLogLevel(env, Severity())) {
    Ort().ReleaseStatus(status);
  }
}

Napi::Value OrtLog::SetSink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SinkState& state = State();
  std::optional<LogCall> created;
  auto* generation = new uint64_t(0);
  if (info[0].IsFunction()) {
    {
      std::lock_guard<std::mutex> lock(state.mutex);
      *generation = ++state.generation;
    }
    created = LogCall::New(env, info[0].As<Napi::Function>(), "proton.ortLog", 0, 1, nullptr,
                           &FinalizeCall, generation);
    created->Unref(env);  // a log sink never keeps the process alive
  } else {
    delete generation;
  }
  std::lock_guard<std::mutex> lock(state.mutex);
  if (!created) ++state.generation;  // the old function's finalizer must not clear a new one
  if (state.call) (void)state.call->Release();
  state.call = created;
  state.callPending = false;
  ScheduleDelivery(state);
  return env.Undefined();
}

Napi::Value OrtLog::SetSeverity(const Napi::CallbackInfo& info) {
  const int level = info[0].As<Napi::Number>().Int32Value();
  SinkState& state = State();
  state.severity.store(level, std::memory_order_relaxed);
  if (OrtEnv* env = state.env.load(std::memory_order_acquire)) {
    Check(Ort().UpdateEnvWithCustomLogLevel(env, static_cast<OrtLoggingLevel>(level)),
          "setting the ONNX Runtime log level");
  }
  return info.Env().Undefined();
}

Napi::Value OrtLog::Dropped(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(),
                           static_cast<double>(State().dropped.load(std::memory_order_relaxed)));
}

}  // namespace proton
