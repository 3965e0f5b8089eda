// Access to the ONNX Runtime C API and the error type every ORT status becomes.
#pragma once

#include <onnxruntime_c_api.h>

#include <stdexcept>
#include <string>

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
class ProtonFailure : public std::runtime_error {
 public:
  ProtonFailure(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
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

// The code an ORT error maps to.
ErrorCode CodeOfOrtError(OrtErrorCode code);

}  // namespace proton
