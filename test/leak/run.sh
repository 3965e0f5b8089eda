#!/usr/bin/env bash
# Leak check: builds the addon with AddressSanitizer/LeakSanitizer into build-asan/ and runs a
# load/infer/close workload under it twice, with R and 3R rounds. It fails when
#  - a leaked block was allocated through Proton's addon (a frame in proton_native.node), or
#  - leaks inside ONNX Runtime grow with the number of rounds (ORT has no frame pointers, so a
#    misused ORT object would show up only there: a leak per round means a leak per use).
# V8's own heap pages are reported as leaks under LSan too; they are counted, not blamed.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-30}"
npx cmake-js compile --out build-asan --debug --CDPROTON_SANITIZE=ON >/dev/null
reports="$(mktemp -d)"
export PROTON_NATIVE_ADDON="$PWD/build-asan/Debug/proton_native.node"
export ASAN_OPTIONS="detect_leaks=1:detect_odr_violation=0"

run_workload() { # $1 = rounds; prints the path of the combined report
  LSAN_OPTIONS="log_path=$reports/lsan-$1:exitcode=0" LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
    node --expose-gc dist/test/leak/loop.js "$1" >&2
  cat "$reports"/lsan-"$1".* > "$reports/all-$1" 2>/dev/null || : > "$reports/all-$1"
  echo "$reports/all-$1"
}
count_blocks() { # $1 = report, $2 = pattern
  awk -v RS= -v pattern="$2" '/leak of/ && $0 ~ pattern { n++ } END { print n + 0 }' "$1"
}

small="$(run_workload "$rounds")"
large="$(run_workload "$((rounds * 3))")"
ours="$(count_blocks "$large" 'proton_native\\.node')"
ort_small="$(count_blocks "$small" 'libonnxruntime')"
ort_large="$(count_blocks "$large" 'libonnxruntime')"
v8="$(grep -c 'leak of' "$large" || true)"
echo "leak check: $rounds and $((rounds * 3)) rounds; blocks through the addon: $ours;" \
  "inside ONNX Runtime: $ort_small then $ort_large; all reports: $v8 (the rest are V8's heap pages)"
if [ "$ours" -ne 0 ] || [ "$ort_large" -gt "$ort_small" ]; then
  awk -v RS= '/leak of/ && /(proton_native\.node|libonnxruntime)/' "$large"
  echo "leak check: FAILED (reports in $reports)"
  exit 1
fi
echo "leak check: passed"
