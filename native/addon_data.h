// Per-environment state of the addon (one per Node environment, worker threads included).
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <unordered_set>

#include "js_tensor.h"
#include "ort_api.h"

namespace proton {

class ModelHost;

struct AddonData {
  Napi::FunctionReference errorClass;  // ProtonError from ts/errors.ts, set by setErrorClass()
  Napi::FunctionReference modelClass;  // the native Model constructor
  std::unique_ptr<JsStrings> strings;  // property keys and type names, created once
  // Every model of this environment whose thread-safe function is not yet finalized, loading
  // ones included, so shutdown() can stop their threads. JS thread only.
  std::unordered_set<ModelHost*> hosts;
  bool exiting = false;  // shutdown() ran: the process is ending, nothing new may start
};

// A ProtonError instance (or a plain Error with `code` before setErrorClass ran); a non-empty
// `detail` becomes its `detail` property (raw text for logs, not for clients).
Napi::Value MakeError(Napi::Env env, ErrorCode code, const std::string& message,
                      const std::string& detail = {});

}  // namespace proton
