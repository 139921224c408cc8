#!/usr/bin/env bash
# mlmap developer entry point; the README's two commands are
#   tools/dev.sh demo    install what is missing, build, run the demo
#   tools/dev.sh test    install what is missing, build, run the whole test suite
# and further:
#   tools/dev.sh build   install what is missing and build only
#   tools/dev.sh bench   build and run the benchmarks (meson test --benchmark)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${MLMAP_BUILD_DIR:-$ROOT/build}"
PY=/usr/bin/python3   # Debian's interpreter: sees python3-sklearn & co.

# Debian 12 packages the build, the tests, the demo and the benchmarks need.
PACKAGES=(
  meson ninja-build pkg-config cmake g++
  libflatbuffers-dev flatbuffers-compiler libxsimd-dev libboost-dev libxxhash-dev
  doctest-dev libbenchmark-dev pybind11-dev
  python3 python3-dev python3-numpy python3-sklearn python3-pandas python3-joblib
  python3-matplotlib
)

log() { printf '[dev.sh] %s\n' "$*" >&2; }

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" "$ROOT"
  fi
  ninja -C "$BUILD"
}

# Prints "N passed, M failed" from meson's own results, and fails if M > 0.
summarize() {
  "$PY" - "$1" <<'PYEOF'
import json, sys
passed = failed = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL", "SKIP"):
        passed += r != "SKIP"
    else:
        failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
PYEOF
}

cmd_test() {
  ensure_packages
  build
  local rc=0
  meson test -C "$BUILD" --print-errorlogs --num-processes 2 || rc=$?
  summarize "$BUILD/meson-logs/testlog.json" || rc=1
  return $rc
}

cmd_demo() {
  ensure_packages
  build
  PYTHONPATH="$BUILD/tools/python" MLMAP_CLI="$BUILD/tools/mlmap" "$PY" "$ROOT/tools/demo.py" "$@"
}

cmd_bench() {
  ensure_packages
  build
  meson test -C "$BUILD" --benchmark --logbase benchlog --print-errorlogs --num-processes 1 "$@"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  build) ensure_packages; build ;;
  *) echo "usage: tools/dev.sh demo|test|bench|build" >&2; exit 1 ;;
esac
