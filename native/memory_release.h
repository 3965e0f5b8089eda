// Giving memory back to the operating system after large requests (ts/server/memory-release.ts
// decides when): a hint that makes V8 collect the request buffers it still holds, and a trim that
// returns the C heap's free pages to the kernel.
#pragma once

#include <napi.h>

namespace proton {

class MemoryRelease {
 public:
  // requestGarbageCollection(): makes V8 start a full (incremental) collection soon.
  static Napi::Value RequestGarbageCollection(const Napi::CallbackInfo& info);
  // trimHeap(): Promise<boolean>, glibc's malloc_trim(0) on a libuv thread-pool thread; true when
  // some memory was returned, false when nothing was (or off glibc).
  static Napi::Value TrimHeap(const Napi::CallbackInfo& info);
};

}  // namespace proton
