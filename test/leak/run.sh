#!/usr/bin/env bash
# Leak check: builds the addon with AddressSanitizer/LeakSanitizer into build-asan/ and runs a
# load/infer/close workload under it twice, with R and 3R rounds. It fails when
#  - a leaked block was allocated through Proton's addon (a frame in proton_native.node), or
#  - leaks inside ONNX Runtime grow with the number of rounds (ORT has no frame pointers, so a
#    misused ORT object would show up only there). A leak per use adds at least one object per
#    round; ORT's own lazily created globals (a few objects, whatever the rounds) do not.
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
count_objects() { # $1 = report, $2 = pattern: leaked objects in the reports matching it
  awk -v RS= -v pattern="$2" '/leak of/ && $0 ~ pattern {
    match($0, /in [0-9]+ object/); n += substr($0, RSTART + 3, RLENGTH - 10) } END { print n + 0 }' "$1"
}

small="$(run_workload "$rounds")"
large="$(run_workload "$((rounds * 3))")"
ours="$(count_objects "$large" 'proton_native\\.node')"
ort_small="$(count_objects "$small" 'libonnxruntime')"
ort_large="$(count_objects "$large" 'libonnxruntime')"
echo "leak check: $rounds and $((rounds * 3)) rounds; objects leaked through the addon: $ours;" \
  "inside ONNX Runtime: $ort_small then $ort_large"
if [ "$ours" -ne 0 ] || [ "$((ort_large - ort_small))" -ge "$rounds" ]; then
  awk -v RS= '/leak of/ && /(proton_native\.node|libonnxruntime)/' "$large"
  echo "leak check: FAILED (reports in $reports)"
  exit 1
fi
echo "leak check: passed"
