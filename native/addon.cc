// Module entry: checks the ONNX Runtime API version and exports the native surface declared in
// ts/native.ts.
#include <napi.h>

#include "addon_data.h"
#include "duration_histogram.h"
#include "entry_guard.h"
#include "memory_release.h"
#include "model_host.h"
#include "ort_log.h"

namespace proton {

Napi::Value MakeError(Napi::Env env, ErrorCode code, const std::string& message,
                      const std::string& detail) {
  auto* addon = env.GetInstanceData<AddonData>();
  Napi::Value detailValue = detail.empty() ? env.Undefined() : Napi::String::New(env, detail);
  if (addon != nullptr && !addon->errorClass.IsEmpty()) {
    return addon->errorClass.New({Napi::String::New(env, ErrorCodeName(code)),
                                  Napi::String::New(env, message), detailValue});
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", ErrorCodeName(code));
  if (!detail.empty()) error.Set("detail", detailValue);
  return error.Value();
}

Napi::Object Init(Napi::Env env, Napi::Object exports);

namespace {

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  auto* addon = info.Env().GetInstanceData<AddonData>();
  addon->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value OrtVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), OrtGetApiBase()->GetVersionString());
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const std::string versionError = InitOrtApi();
  if (!versionError.empty()) throw Napi::Error::New(env, versionError);
  auto* addon = new AddonData();
  env.SetInstanceData(addon);
  addon->modelClass = Napi::Persistent(ModelWrap::DefineClass(env));
  addon->strings = std::make_unique<JsStrings>(env);
  exports.Set("loadModel",
              Napi::Function::New(env, &GuardedCallback<&ModelHost::Load>, "loadModel"));
  exports.Set("shutdown",
              Napi::Function::New(env, &GuardedCallback<&ModelHost::Shutdown>, "shutdown"));
  exports.Set("setErrorClass",
              Napi::Function::New(env, &GuardedCallback<&SetErrorClass>, "setErrorClass"));
  exports.Set("ortVersion", Napi::Function::New(env, &GuardedCallback<&OrtVersion>, "ortVersion"));
  exports.Set("setLogSink",
              Napi::Function::New(env, &GuardedCallback<&OrtLog::SetSink>, "setLogSink"));
  exports.Set("setLogSeverity",
              Napi::Function::New(env, &GuardedCallback<&OrtLog::SetSeverity>, "setLogSeverity"));
  exports.Set("droppedLogRecords",
              Napi::Function::New(env, &GuardedCallback<&OrtLog::Dropped>, "droppedLogRecords"));
  exports.Set("requestGarbageCollection",
              Napi::Function::New(env, &GuardedCallback<&MemoryRelease::RequestGarbageCollection>,
                                  "requestGarbageCollection"));
  exports.Set("trimHeap",
              Napi::Function::New(env, &GuardedCallback<&MemoryRelease::TrimHeap>, "trimHeap"));
  exports.Set("apiVersion", Napi::Number::New(env, ORT_API_VERSION));
  Napi::Array bounds = Napi::Array::New(env, kLatencyBucketBoundsNs.size());
  for (size_t i = 0; i < kLatencyBucketBoundsNs.size(); ++i)
    bounds.Set(static_cast<uint32_t>(i), static_cast<double>(kLatencyBucketBoundsNs[i]));
  exports.Set("latencyBucketBoundsNs", bounds);
  return exports;
}

}  // namespace proton

static Napi::Object InitProton(Napi::Env env, Napi::Object exports) {
  try {
    return proton::Init(env, exports);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& error) {
    // Before setErrorClass there is no ProtonError yet: a plain Error names the cause.
    throw Napi::Error::New(env,
                           std::string("Proton's native addon failed to start: ") + error.what());
  }
}

NODE_API_MODULE(proton_native, InitProton)
