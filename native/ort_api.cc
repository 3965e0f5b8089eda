#include "ort_api.h"

#include <mutex>
#include <regex>

#include "ort_log.h"

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
    Check(Ort().CreateEnvWithCustomLogger(&OrtLog::Forward, nullptr, OrtLog::Severity(), "proton",
                                          &created),
          "creating the ONNX Runtime environment");
    OrtLog::EnvironmentCreated(created);
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

// This C API has no out-of-memory code: ORT reports a failed allocation in its message.
bool IsOutOfMemory(const std::string& message) {
  return message.find("bad allocation") != std::string::npos ||
         message.find("bad_alloc") != std::string::npos ||
         message.find("Failed to allocate memory") != std::string::npos;
}

ErrorCode CodeOfRunError(OrtErrorCode code, const std::string& message) {
  if (IsOutOfMemory(message)) return ErrorCode::kResourceExhausted;
  switch (code) {
    case ORT_INVALID_ARGUMENT:
    case ORT_FAIL:
    case ORT_RUNTIME_EXCEPTION:  // ORT_ENFORCE in a kernel: a shape or value it cannot take
      return ErrorCode::kInvalidArgument;
    default:
      return ErrorCode::kInternal;
  }
}

std::string CleanOrtMessage(const std::string& raw, size_t limit) {
  // "/onnxruntime_src/x/y.h:560 void ns::F(T, U) [with T = float] " or "C:\a\b.cc:12 "
  static const std::regex location(
      R"((?:[A-Za-z]:)?[/\\][^\s:]*\.(?:cc|cpp|cxx|c|h|hpp|cu):\d+\s+)"
      R"((?:[^()\n]*::[^()\n]*\([^()\n]*\)(?:\s+const)?\s*(?:\[with [^\]]*\]\s*)?)?)");
  static const std::regex spaces(R"(\s+)");
  std::string text = std::regex_replace(raw, location, "");
  text = std::regex_replace(text, spaces, " ");
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

void CheckRun(OrtStatus* status) {
  if (status == nullptr) return;
  std::string raw = Ort().GetErrorMessage(status);
  const ErrorCode code = CodeOfRunError(Ort().GetErrorCode(status), raw);
  Ort().ReleaseStatus(status);
  std::string message = CleanOrtMessage(raw);
  throw ProtonFailure(code, message, std::move(raw));
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
