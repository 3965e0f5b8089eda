// ONNX Runtime's own log, routed to a JS callback instead of stderr. The environment is created
// with Forward as its logging function; records go into a bounded buffer that one thread-safe
// function call at a time drains on the JS thread. Until a sink is set, records are dropped
// (counted), so ONNX Runtime never prints to stderr. One sink per process: the last set wins.
#pragma once

#include <napi.h>
#include <onnxruntime_c_api.h>

namespace proton {

class OrtLog {
 public:
  // ORT's logging function; any thread, never blocks on JS.
  static void ORT_API_CALL Forward(void* param, OrtLoggingLevel severity, const char* category,
                                   const char* logid, const char* codeLocation,
                                   const char* message);
  // The minimum severity the environment logs (default WARNING).
  static OrtLoggingLevel Severity();
  // Called once the process-wide environment exists, so later severity changes reach it.
  static void EnvironmentCreated(OrtEnv* env);

  // setLogSink(fn | null): fn(severity, category, logid, codeLocation, message).
  static Napi::Value SetSink(const Napi::CallbackInfo& info);
  // setLogSeverity(0..4): 0 verbose, 1 info, 2 warning, 3 error, 4 fatal.
  static Napi::Value SetSeverity(const Napi::CallbackInfo& info);
  // droppedLogRecords(): records dropped because no sink was set or the buffer was full.
  static Napi::Value Dropped(const Napi::CallbackInfo& info);
};

}  // namespace proton
