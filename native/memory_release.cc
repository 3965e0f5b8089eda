#include "memory_release.h"

#include <cstdint>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace proton {

namespace {

// V8 starts incremental marking once the external memory reported to it passes its limit, and
// that limit lies at most 64 MiB (V8's kExternalAllocationSoftLimit) above the current amount:
// a report this large always crosses it.
constexpr int64_t kGcHintBytes = int64_t{128} << 20;

#if defined(__GLIBC__)
// Trims off the JS thread: returning a few hundred MB of pages takes 10 to 30 ms.
class TrimWorker : public Napi::AsyncWorker {
 public:
  explicit TrimWorker(Napi::Env env)
      : Napi::AsyncWorker(env, "proton:trimHeap"), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  // Thread pool. malloc_trim(0) locks and trims every arena in turn (the threads' arenas too,
  // unlike the automatic trim of free(), which only shrinks the top of the main heap).
  void Execute() override { released_ = malloc_trim(0) != 0; }
  void OnOK() override { deferred_.Resolve(Napi::Boolean::New(Env(), released_)); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bool released_ = false;  // written by Execute, read by OnOK after it
};
#endif

}  // namespace

Napi::Value MemoryRelease::RequestGarbageCollection(const Napi::CallbackInfo& info) {
  // N-API has no call that asks for a collection; a transient external-memory report, withdrawn
  // at once, is V8's own trigger for one. Nothing stays reported.
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), kGcHintBytes);
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -kGcHintBytes);
  return info.Env().Undefined();
}

Napi::Value MemoryRelease::TrimHeap(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  auto* worker = new TrimWorker(info.Env());
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // deletes itself once settled
  return promise;
#else
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(info.Env());
  deferred.Resolve(Napi::Boolean::New(info.Env(), false));
  return deferred.Promise();
#endif
}

}  // namespace proton
