// Access to the ONNX Runtime C API and the error type every ORT status becomes.
#pragma once

#include <onnxruntime_c_api.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace proton {

// Stable codes that cross into JS as ProtonError.code (see ts/errors.ts).
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kUnavailable,
  kResourceExhausted,
  kCancelled,
  kInternal
};

const char* ErrorCodeName(ErrorCode code);

// A failure with a code, thrown inside native code and turned into a ProtonError at the boundary.
// `detail` is the raw text the message was made from (ONNX Runtime's, with source paths), for logs.
class ProtonFailure : public std::runtime_error {
 public:
  ProtonFailure(ErrorCode code, const std::string& message, std::string detail = {})
      : std::runtime_error(message), code_(code), detail_(std::move(detail)) {}
  ErrorCode code() const { return code_; }
  const std::string& detail() const { return detail_; }

 private:
  ErrorCode code_;
  std::string detail_;
};

// Loads the C API of the version these headers declare. Returns an empty string on success, else
// a sentence that names the fix.
std::string InitOrtApi();

// The C API; valid after InitOrtApi succeeded.
const OrtApi& Ort();

// The process-wide ORT environment, created on first use and kept for the life of the process
// (sessions of every Node environment share it; ORT forbids releasing it while sessions live).
OrtEnv* OrtEnvironment();

// Throws ProtonFailure for a non-null status, releasing it; `context` prefixes the message.
void Check(OrtStatus* status, const char* context = nullptr);

// The code an ORT error at load time maps to.
ErrorCode CodeOfOrtError(OrtErrorCode code);

// For a status returned by Run: failures a kernel reports about the request's tensors become
// INVALID_ARGUMENT, out of memory (found in the message: this C API has no code for it)
// RESOURCE_EXHAUSTED, anything else INTERNAL. The message is
// ONNX Runtime's without source locations, bounded; the raw text goes to the failure's detail.
void CheckRun(OrtStatus* status);

// ONNX Runtime's message without "/path/file.cc:123 function(...)" locations, on one line and at
// most `limit` characters.
std::string CleanOrtMessage(const std::string& raw, size_t limit = 400);

}  // namespace proton
