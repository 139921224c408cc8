#!/usr/bin/python3
"""mlmap's benchmark suite against its peers; run by `meson test --benchmark`
(tools/dev.sh bench).

  1. prints the machine (CPU model, CPUs, the kernel mlmap chose);
  2. make_models.py: trains or reuses the cached models (build/bench-cache/);
  3. bench_predict (C++, Google Benchmark): checks mlmap's outputs against the
     peer's for every kernel, then times open, one row and batches for every
     kernel, and the XGBoost C API (on the shape sweep also paired with mlmap,
     in the same moments: single_pair/..., batch_pair/..., read by report.py);
  4. peers.py: sklearn and joblib (and mlmap's Python binding) in Python;
  5. peers_ext.py, with another interpreter (--peer-python or
     MLMAP_BENCH_PYTHON): LightGBM and ONNX Runtime on the shape sweep, the
     scikit-learn shapes' ONNX files first written by sklearn_onnx.py in an
     interpreter that can read their pickles (--sklearn-onnx-python or
     MLMAP_BENCH_SKLEARN_ONNX_PYTHON);
  6. report.py: build/bench-results/results.md and PNG plots; prints the table.

Exit status: 0, or 1 when a step failed, 3 when an output differs from the
peer's (nothing is timed then).  Unmet targets are reported, and fail the run
only with --strict.

  --quick (or MLMAP_BENCH_QUICK=1): a smaller large forest, fewer batch sizes,
  shorter timings; for CI-like checks.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


def log(*a):
    print("[bench]", *a, flush=True)


def run(cmd, env=None, capture=False):
    log("$ " + " ".join(str(c) for c in cmd))
    t0 = time.monotonic()
    if capture:
        p = subprocess.run([str(c) for c in cmd], env=env, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(p.stdout)
    else:
        p = subprocess.run([str(c) for c in cmd], env=env)
    log(f"  ({time.monotonic() - t0:.0f} s, exit {p.returncode})")
    return p


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def mem_gb():
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def loadavg():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def machine(bench_exe, repetitions):
    p = subprocess.run([str(bench_exe), "--mlmap_info"], stdout=subprocess.PIPE, text=True, check=True)
    info = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
    return {
        "cpu_model": cpu_model(), "cpus": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
        "mem_gb": mem_gb(), "active_kernel": info["active_kernel"],
        "available_kernels": info["available_kernels"].split(","),
        "mlmap_version": info.get("mlmap_version"), "xgboost_c_api": info.get("xgboost_c_api") or None,
        "forced_arch": os.environ.get("MLMAP_FORCE_ARCH"),
        "started": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "loadavg_start": loadavg(),
        "repetitions": repetitions,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", required=True, type=Path)
    ap.add_argument("--bench-exe", required=True, type=Path)
    ap.add_argument("--quick", action="store_true",
                    default=os.environ.get("MLMAP_BENCH_QUICK", "").lower() in ("1", "yes", "true", "on"))
    ap.add_argument("--only", nargs="*", help="scenario names (default: all)")
    ap.add_argument("--repetitions", type=int, help="Google Benchmark repetitions (default 5, quick 3)")
    ap.add_argument("--min-time", type=float, help="Google Benchmark min time per repetition, seconds "
                    "(default 0.2, quick 0.05)")
    ap.add_argument("--cache", type=Path, help="model cache (default BUILD/bench-cache)")
    ap.add_argument("--results", type=Path, help="output directory (default BUILD/bench-results)")
    ap.add_argument("--no-sweep", action="store_true", help="skip the open/load-vs-size models")
    ap.add_argument("--no-shapes", action="store_true", help="skip the shape sweep (scenarios.SHAPES)")
    ap.add_argument("--peer-python", default=os.environ.get("MLMAP_BENCH_PYTHON"),
                    help="a Python interpreter with lightgbm / onnxruntime (+ onnx, onnxmltools, xgboost) for the "
                    "LightGBM and ONNX Runtime peers of the shape sweep (default: $MLMAP_BENCH_PYTHON; without "
                    "one they are reported as skipped)")
    ap.add_argument("--sklearn-onnx-python", default=os.environ.get("MLMAP_BENCH_SKLEARN_ONNX_PYTHON"),
                    help="a Python interpreter with skl2onnx and the scikit-learn that trained the models (a venv "
                    "over this interpreter: tools/requirements-sklearn-onnx.txt) to convert the scikit-learn "
                    "shapes to ONNX for ONNX Runtime (default: $MLMAP_BENCH_SKLEARN_ONNX_PYTHON, else "
                    "--peer-python, which must then read the pickles)")
    ap.add_argument("--buildtype", default="?", help="meson's buildtype (for the report)")
    ap.add_argument("--optimization", default="?", help="meson's optimization level (for the report)")
    ap.add_argument("--strict", action="store_true", help="exit 2 when a target is not met")
    ap.add_argument("--cpu-clock", action="store_true",
                    default=os.environ.get("MLMAP_BENCH_CLOCK", "") == "cpu",
                    help="report one-thread timings in the calling thread's CPU time instead of wall time "
                    "(a busy shared machine; default: $MLMAP_BENCH_CLOCK=cpu); 2-thread ratios stay in wall time")
    args = ap.parse_args()

    mode = "quick" if args.quick else "full"
    reps = args.repetitions or (3 if args.quick else 5)
    min_time = args.min_time or (0.05 if args.quick else 0.2)
    cache = (args.cache or args.build_dir / "bench-cache").resolve()
    results = (args.results or args.build_dir / "bench-results").resolve()
    results.mkdir(parents=True, exist_ok=True)
    for f in ("cpp.json", "peers.json", "results.md", "latency.png", "throughput.png", "load_time.png",
              "shapes.png"):
        (results / f).unlink(missing_ok=True)

    m = machine(args.bench_exe, reps)
    m["buildtype"], m["optimization"] = args.buildtype, args.optimization
    m["clock"] = "cpu" if args.cpu_clock else "wall"
    log("=" * 78)
    log(f"machine: {m['cpu_model']} | {m['cpus']} logical CPUs ({m['cpus_usable']} usable) | "
        f"{m['mem_gb']:.0f} GiB | mlmap kernel: {m['active_kernel']} "
        f"(available: {', '.join(m['available_kernels'])})"
        + (f" | MLMAP_FORCE_ARCH={m['forced_arch']}" if m["forced_arch"] else ""))
    if args.optimization not in ("2", "3", "?"):
        log(f"WARNING: built with -O{args.optimization} ({args.buildtype}): timings are not representative")
    log(f"mode: {mode} | load average {m['loadavg_start']} | a noisy {m['cpus']}-CPU machine: "
        "medians over repetitions; differences under ~20% are noise")
    try:
        if float(m["loadavg_start"].split()[0]) >= 1:
            log("WARNING: load average >= 1 at start: another process wants a core, so the 2-thread speed-ups "
                "of this run say nothing about scaling (the report marks them not measurable)")
    except (ValueError, IndexError):
        pass
    log("=" * 78)

    env = dict(os.environ)
    if args.cpu_clock:
        env["MLMAP_BENCH_CLOCK"] = "cpu"
    # 1. models
    cmd = [PY, HERE / "make_models.py", "--cache", cache]
    if args.quick:
        cmd.append("--quick")
    if args.only:
        cmd += ["--only", *args.only]
    if args.no_sweep:
        cmd.append("--no-sweep")
    if args.no_shapes:
        cmd.append("--no-shapes")
    p = run(cmd, env=env, capture=True)
    if p.returncode != 0:
        return 1
    manifest_json = Path(p.stdout.strip().splitlines()[-1])
    shutil.copyfile(manifest_json, results / "manifest.json")
    manifest_txt = manifest_json.with_suffix(".txt")

    # 2. C++: checks, then timings
    cmd = [args.bench_exe, f"--manifest={manifest_txt}",
           f"--benchmark_out={results / 'cpp.json'}", "--benchmark_out_format=json",
           f"--benchmark_repetitions={reps}", "--benchmark_display_aggregates_only=true",
           # repetitions of all benchmarks in random order: a noisy spell hits
           # one repetition of several benchmarks, not every repetition of one
           "--benchmark_enable_random_interleaving=true",
           f"--benchmark_min_time={min_time}"]
    p = run(cmd, env=env)
    if p.returncode == 3:
        log("FAILED: mlmap's outputs differ from the peer's (see the check lines above)")
        return 3
    if p.returncode != 0:
        return 1

    # 3. Python peers (one thread)
    penv = dict(env, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [PY, HERE / "peers.py", "--manifest", manifest_json, "--out", results / "peers.json"]
    if args.only:
        cmd += ["--only", *args.only]
    p = run(cmd, env=penv)
    if p.returncode == 3:
        log("FAILED: outputs differ (see the check lines above)")
        return 3
    if p.returncode != 0:
        return 1

    # 4. peers from another environment (LightGBM, ONNX Runtime)
    for f in ("peers_ext.json", "sklearn_onnx.json"):
        (results / f).unlink(missing_ok=True)
    if args.peer_python:
        only = ["--only", *args.only] if args.only else []
        # the scikit-learn shapes' pickles -> .onnx where they can be read
        p = run([args.sklearn_onnx_python or args.peer_python, HERE / "sklearn_onnx.py", "--manifest", manifest_json,
                 "--out", results / "sklearn_onnx.json", *only], env=penv)
        if p.returncode != 0:
            log(f"sklearn_onnx.py failed (exit {p.returncode}): ONNX Runtime skips the scikit-learn shapes")
        cmd = [args.peer_python, HERE / "peers_ext.py", "--manifest", manifest_json,
               "--out", results / "peers_ext.json", "--sklearn-onnx", results / "sklearn_onnx.json", *only]
        p = run(cmd, env=penv)
        if p.returncode != 0:
            log(f"the LightGBM / ONNX Runtime peers failed (exit {p.returncode}); reported as skipped")
        m["peer_python"] = str(args.peer_python)
    else:
        log("LightGBM and ONNX Runtime peers: skipped (no --peer-python / MLMAP_BENCH_PYTHON)")

    # 5. report
    m["loadavg_end"] = loadavg()
    (results / "machine.json").write_text(json.dumps(m, indent=1))
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, str(HERE))
    import report
    md, oks, files = report.main(results)
    print()
    print(md)
    log(f"results: {results / 'results.md'}; plots: {', '.join(str(results / f) for f in files)}")
    unmet = sum(1 for o in oks if o is False)
    if unmet:
        log(f"{unmet} target(s) not met")
    return 2 if args.strict and unmet else 0


if __name__ == "__main__":
    sys.exit(main())
