#include "ort_api.h"

#include <mutex>

namespace proton {

namespace {
const OrtApi* g_api = nullptr;
}  // namespace

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case ErrorCode::kNotFound:
      return "NOT_FOUND";
    case ErrorCode::kUnavailable:
      return "UNAVAILABLE";
    case ErrorCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case ErrorCode::kCancelled:
      return "CANCELLED";
    case ErrorCode::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

std::string InitOrtApi() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    const OrtApiBase* base = OrtGetApiBase();
    g_api = base->GetApi(ORT_API_VERSION);
    if (g_api == nullptr) {
      error = std::string("The ONNX Runtime library loaded (version ") + base->GetVersionString() +
              ") does not provide C API version " + std::to_string(ORT_API_VERSION) +
              ", which Proton was built against: install a newer onnxruntime-node, or set ORT_ROOT "
              "to a newer ONNX Runtime release and rebuild with `npm run build`.";
    }
  });
  return error;
}

const OrtApi& Ort() { return *g_api; }

OrtEnv* OrtEnvironment() {
  static OrtEnv* env = [] {
    OrtEnv* created = nullptr;
    Check(Ort().CreateEnv(ORT_LOGGING_LEVEL_ERROR, "proton", &created),
          "creating the ONNX Runtime environment");
    return created;
  }();
  return env;
}

ErrorCode CodeOfOrtError(OrtErrorCode code) {
  switch (code) {
    case ORT_NO_SUCHFILE:
      return ErrorCode::kNotFound;
    case ORT_INVALID_ARGUMENT:
    case ORT_INVALID_PROTOBUF:
    case ORT_INVALID_GRAPH:
    case ORT_NOT_IMPLEMENTED:
      return ErrorCode::kInvalidArgument;
    default:
      return ErrorCode::kInternal;
  }
}

void Check(OrtStatus* status, const char* context) {
  if (status == nullptr) return;
  const ErrorCode code = CodeOfOrtError(Ort().GetErrorCode(status));
  std::string message = Ort().GetErrorMessage(status);
  Ort().ReleaseStatus(status);
  if (context != nullptr) message = std::string(context) + ": " + message;
  throw ProtonFailure(code, message);
}

}  // namespace proton
