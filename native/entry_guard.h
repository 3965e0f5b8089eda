// Every N-API entry point runs its body through Guarded: a C++ exception of any kind becomes a
// thrown ProtonError (the TS layer turns a throw from an async call into a rejection) instead of
// escaping into Node, which would abort the process.
#pragma once

#include <napi.h>

#include <new>
#include <utility>

#include "addon_data.h"

namespace proton {

template <typename Body>
Napi::Value Guarded(Napi::Env env, Body&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;  // already a JS exception (node-addon-api rethrows it into JS)
  } catch (const ProtonFailure& failure) {
    throw Napi::Error(env, MakeError(env, failure.code(), failure.what(), failure.detail()));
  } catch (const std::bad_alloc&) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kResourceExhausted, "out of memory"));
  } catch (const std::exception& error) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kInternal, error.what()));
  } catch (...) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kInternal, "unknown native exception"));
  }
}

// A free function as a guarded N-API callback.
template <Napi::Value (*Function)(const Napi::CallbackInfo&)>
Napi::Value GuardedCallback(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&] { return Function(info); });
}

}  // namespace proton
