#!/usr/bin/env bash
# mlmap developer entry point; the README's two commands are
#   tools/dev.sh demo    install what is missing, build, run the demo
#   tools/dev.sh test    install what is missing, build, run the whole test suite
# and further:
#   tools/dev.sh build   install what is missing and build only
#   tools/dev.sh venvs   create (once per requirements file) the version matrix's
#                        venvs, build the wheel (pip wheel .) and install it into
#                        each; prints each venv's path
#   tools/dev.sh bench   build, make the peers' venvs if missing (current,
#                        sklearn-onnx) and run the benchmarks (meson test --benchmark)
#   tools/dev.sh fuzz [RUNS]  clang + libFuzzer + ASan/UBSan: each fuzz target
#                        RUNS executions (default 10 million); counts in build-fuzz/
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${MLMAP_BUILD_DIR:-$ROOT/build}"
PY=/usr/bin/python3   # Debian's interpreter: sees python3-sklearn & co.

# Debian 12 packages the build, the tests, the demo and the benchmarks need.
PACKAGES=(
  meson ninja-build pkg-config cmake g++ ccache
  libflatbuffers-dev flatbuffers-compiler libxsimd-dev libboost-dev libxxhash-dev libicu-dev libsimdjson-dev libhdf5-dev libzip-dev
  doctest-dev libbenchmark-dev pybind11-dev libxgboost-dev
  python3 python3-dev python3-venv python3-numpy python3-sklearn python3-pandas python3-joblib
  python3-matplotlib python3-xgboost python3-threadpoolctl python3-torch python3-dask python3-distributed python3-h5py
)

# Each line carries the time of day: a CI log shows where its 30 minutes went.
log() { printf '[dev.sh %s] %s\n' "$(date +%T)" "$*" >&2; }

# The version matrix: environment A is Debian's $PY with the build tree on
# PYTHONPATH; each name here is a venv of $PY with the pinned releases of
# tools/requirements-NAME.txt (B current, C compat) and the mlmap wheel
# installed.  tests/matrix runs the suites in them.
VENV_ROOT="$BUILD/venvs"
VENVS=(current compat)

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
  local start=$SECONDS
  ninja -C "$BUILD"
  log "build: $BUILD up to date in $((SECONDS - start)) s"
}

# A venv per requirements file, cached under the build directory and keyed by
# the file's hash (and the interpreter's version and the venv options after
# NAME): made once on a fresh machine, reused after; $VENV_ROOT/NAME links to
# the one in use.
ensure_venv() {
  local name="$1" req="$ROOT/tools/requirements-$1.txt"
  shift
  local key
  key=$( { cat "$req"; "$PY" -c 'import sys; print(sys.version)'; [ $# -eq 0 ] || echo "$*"; } | sha256sum | cut -c1-16)
  local dir="$VENV_ROOT/$name-$key"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    mkdir -p "$VENV_ROOT"
    log "venv $name: creating $dir from tools/requirements-$name.txt"
    local start=$SECONDS
    "$PY" -m venv "$@" "$dir"
    if ! "$dir/bin/pip" install --disable-pip-version-check -r "$req" >"$dir.log" 2>&1; then
      grep -v '^WARNING: Location' "$dir.log" | tail -20 >&2
      log "venv $name: pip install failed (log: $dir.log)"
      return 1
    fi
    touch "$dir/.complete"
    log "venv $name: installed in $((SECONDS - start)) s"
  fi
  local old
  for old in "$VENV_ROOT/$name"-*; do
    [ "$old" = "$dir" ] || [ "$old" = "$dir.log" ] || rm -rf "$old"
  done
  ln -sfn "$(basename "$dir")" "$VENV_ROOT/$name"
}

# The wheel, built as `pip wheel .` builds it (meson-python, -Dpython_package)
# by the first venv's pip without build isolation (its requirements hold the
# build requirements) in a kept build directory, so a rebuild is incremental;
# then installed into every venv, replacing the previous one.
#
# The wheel's build directory is a sibling of $BUILD, not inside it: at the
# same depth its compile commands are the main build's byte for byte (../lib/...
# rather than ../../lib/...), so ccache (meson uses it when installed) serves
# the library's objects from the main build instead of compiling them again.
install_wheel() {
  local builder="$VENV_ROOT/${VENVS[0]}"
  local wheels="$BUILD/wheel" wheel_build="$BUILD-wheel"
  rm -rf "$wheels" "$BUILD/wheel-build"  # the directory's place before ccache
  local start=$SECONDS
  log "wheel: pip wheel . (build directory $wheel_build)"
  if ! (cd "$ROOT" && "$builder/bin/pip" wheel . --no-build-isolation --no-deps --disable-pip-version-check \
        -w "$wheels" --config-settings=build-dir="$wheel_build" --config-settings=compile-args=-j2) \
        >"$BUILD/wheel.log" 2>&1; then
    tail -30 "$BUILD/wheel.log" >&2
    log "wheel: build failed (log: $BUILD/wheel.log)"
    return 1
  fi
  local wheel name
  wheel=$(ls "$wheels"/mlmap-*.whl)
  for name in "${VENVS[@]}"; do
    "$VENV_ROOT/$name/bin/pip" install --disable-pip-version-check --no-deps --force-reinstall --quiet "$wheel" \
      2> >(grep -v '^WARNING: Location' >&2)
  done
  log "wheel: built and installed in $((SECONDS - start)) s"
}

cmd_venvs() {
  local name
  for name in "${VENVS[@]}"; do ensure_venv "$name"; done
  install_wheel
  for name in "${VENVS[@]}"; do
    printf '%-8s %s  (%s)\n' "$name" "$(readlink -f "$VENV_ROOT/$name")" \
      "$("$VENV_ROOT/$name/bin/python" -c 'import importlib.metadata as m
names = ("scikit-learn", "numpy", "pandas", "xgboost-cpu", "torch", "lightgbm", "keras", "onnxruntime")
out = []
for n in names:
    try: out.append(f"{n} {m.version(n)}")
    except m.PackageNotFoundError: pass
print(", ".join(out))')"
  done
}

# Prints "N passed, M failed" from meson's own results (every test log
# given), and fails if M > 0.  Each failed test's name and the end of its
# output come just before that line: a CI log is often read from its tail.
summarize() {
  "$PY" - "$@" <<'PYEOF'
import json, sys
passed = failed = 0
failures = []
for path in sys.argv[1:]:
  for line in open(path):
    line = line.strip()
    if not line:
        continue
    t = json.loads(line)
    r = t["result"]
    if r in ("OK", "EXPECTEDFAIL", "SKIP"):
        passed += r != "SKIP"
    else:
        failed += 1
        failures.append((path, t))
for path, t in failures:
  tail = [l for l in (t.get("stdout") or "").splitlines() if l.strip()][-12:]
  print(f"FAILED: {t['name']} ({t['result']}, {t['duration']:.1f} s; log {path.replace('.json', '.txt')}):")
  print("\n".join("    " + l for l in tail))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
PYEOF
}

# A sanitizer build: configured once, only the test programs built.  -O1
# with line tables only (-g1: stack traces keep file:line) compiles in about
# half the time of -O2 -g; the tests, the CLI, the server and the binding at
# -O0 in half that again (driver_code_options, meson.build); the AVX-512
# kernels, its longest compilation, only where this CPU could run them.  The
# ASan build is still CI's longest phase (9 of its 30 minutes on a 2-vCPU
# Zen 3 before those two, 2026-12-07; the SIMD kernels skip UBSan's pointer
# checks for it: lib/src/kernels/meson.build).
sanitizer_build() {
  local dir="$1" sanitizers="$2"; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    # The main build's library says whether this CPU runs its AVX-512
    # kernels (the one CPU check: lib/src/kernels/dispatch.cc).
    local avx512
    avx512=$(PYTHONPATH="$BUILD/tools/python" "$PY" -c \
      "import mlmap; print(str('avx512bw' in mlmap.available_kernels()).lower())")
    meson setup "$dir" "$ROOT" -Dbuildtype=custom -Doptimization=1 -Ddebug=false -Db_sanitize="$sanitizers" \
      -Db_lundef=false -Dc_args=-g1 -Dcpp_args="-g1 -fno-sanitize-recover=undefined" -Davx512_kernels=$avx512 >/dev/null
  fi
  # No ccache: nothing else compiles with these flags, and its objects would
  # only push the main build's out of the cache.
  local start=$SECONDS
  CCACHE_DISABLE=1 ninja -C "$dir" "$@"
  log "build: $dir up to date in $((SECONDS - start)) s"
}

cmd_test() {
  ensure_packages
  # Tests write models (one of ~4.7 GB) to $TMPDIR: a full disk shows up here first.
  log "free space: $(df -h --output=avail "$ROOT" | tail -1 | tr -d ' ') in $ROOT, $(df -h --output=avail "${TMPDIR:-/tmp}" | tail -1 | tr -d ' ') in ${TMPDIR:-/tmp}"
  build
  cmd_venvs
  local rc=0 logs=("$BUILD/meson-logs/testlog.json")
  # Every suite, the version matrix's (suite matrix) included: required here,
  # so a missing venv fails instead of skipping.
  log "tests: every suite of $BUILD"
  MLMAP_MATRIX_REQUIRED=1 meson test -C "$BUILD" --print-errorlogs --num-processes 2 || rc=$?
  # MLMAP_SANITIZE=0 skips the sanitizer passes (CI runs them).
  if [ "${MLMAP_SANITIZE:-1}" != 0 ]; then
    log "AddressSanitizer + UndefinedBehaviorSanitizer: unit, CLI, parity, Python, fuzz-replay suites"
    sanitizer_build "$ROOT/build-asan" address,undefined test-programs
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 meson test -C "$ROOT/build-asan" --no-rebuild --print-errorlogs \
      --num-processes 2 --suite unit --suite cli --suite parity --suite python --suite fuzz-replay || rc=$?
    logs+=("$ROOT/build-asan/meson-logs/testlog.json")
    log "ThreadSanitizer: the concurrency tests"
    sanitizer_build "$ROOT/build-tsan" thread tests/unit/concurrency_tests tests/stress/store_stress
    meson test -C "$ROOT/build-tsan" --no-rebuild --print-errorlogs --num-processes 1 --suite concurrency || rc=$?
    logs+=("$ROOT/build-tsan/meson-logs/testlog.json")
  fi
  log "tests: done"
  summarize "${logs[@]}" || rc=1
  return $rc
}

cmd_demo() {
  ensure_packages
  build
  PYTHONPATH="$BUILD/tools/python" MLMAP_CLI="$BUILD/tools/mlmap" "$PY" "$ROOT/tools/demo.py" "$@"
}

# tools/dev.sh bench [--quick] [meson test options]: --quick (or MLMAP_BENCH_QUICK=1)
# benchmarks a smaller large forest with shorter timings.  Results: $BUILD/bench-results/.
# The shape sweep's LightGBM and ONNX Runtime peers run in the current venv
# (MLMAP_BENCH_PYTHON overrides it), the scikit-learn models converted to ONNX in a
# venv over $PY that reads their pickles (MLMAP_BENCH_SKLEARN_ONNX_PYTHON overrides
# it); a venv that cannot be made leaves those peers reported as skipped.
ensure_bench_venvs() {
  if [ -z "${MLMAP_BENCH_PYTHON:-}" ]; then
    if ensure_venv current; then
      export MLMAP_BENCH_PYTHON="$VENV_ROOT/current/bin/python"
    else
      log "bench: no current venv: LightGBM and ONNX Runtime are reported as skipped"
    fi
  fi
  if [ -z "${MLMAP_BENCH_SKLEARN_ONNX_PYTHON:-}" ]; then
    if ensure_venv sklearn-onnx --system-site-packages; then
      export MLMAP_BENCH_SKLEARN_ONNX_PYTHON="$VENV_ROOT/sklearn-onnx/bin/python"
    else
      log "bench: no sklearn-onnx venv: ONNX Runtime skips the scikit-learn shapes"
    fi
  fi
}

cmd_bench() {
  local args=()
  for a in "$@"; do
    if [ "$a" = --quick ]; then export MLMAP_BENCH_QUICK=1; else args+=("$a"); fi
  done
  # The peers: the XGBoost C API and Python package, threadpoolctl (one thread for sklearn).
  PACKAGES+=(libxgboost-dev python3-xgboost python3-threadpoolctl)
  ensure_packages
  build
  ensure_bench_venvs
  meson test -C "$BUILD" --benchmark --logbase benchlog --print-errorlogs --num-processes 1 "${args[@]}"
}

# Each fuzz target under libFuzzer for RUNS executions, seeded from real
# models; a crash stops with its reproducer in build-fuzz/.
cmd_fuzz() {
  local runs="${1:-10000000}"
  PACKAGES+=(clang-14 libclang-rt-14-dev)
  ensure_packages
  local dir="$ROOT/build-fuzz"
  if [ ! -f "$dir/build.ninja" ]; then
    CC=clang-14 CXX=clang++-14 meson setup "$dir" "$ROOT" -Dfuzzing=true -Db_sanitize=address,undefined \
      -Db_lundef=false -Dbuildtype=debugoptimized -Dcpp_args=-fno-sanitize-recover=all
  fi
  ninja -C "$dir"
  local log="$dir/fuzz-results.txt"
  : > "$log"
  for fuzzer in "$dir"/tests/fuzz/fuzz_*; do
    [ -x "$fuzzer" ] || continue
    local name; name=$(basename "$fuzzer" | sed 's/^fuzz_//')
    local corpus="$dir/corpus/$name"
    mkdir -p "$corpus"
    "$dir/tests/fuzz/replay_$name" --write-seeds "$corpus" >/dev/null
    log "fuzzing $name for $runs runs"
    (cd "$dir" && ASAN_OPTIONS=detect_leaks=1 "$fuzzer" -runs="$runs" -max_len=65536 -print_final_stats=1 \
      "$corpus" "$ROOT/tests/fuzz/regressions/$name" 2>&1 | tail -20) | tee -a "$log" | grep -E "stat::number_of_executed_units|Done|ERROR" || true
  done
  log "results: $log"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  build) ensure_packages; build ;;
  venvs) ensure_packages; cmd_venvs ;;
  *) echo "usage: tools/dev.sh demo|test|bench|build|fuzz|venvs" >&2; exit 1 ;;
esac
