#!/usr/bin/python3
"""Turns one run's measurements into results.md and PNG plots.

Inputs (in the results directory): machine.json, manifest.json (a copy of
make_models.py's), cpp.json (bench_predict's Google Benchmark JSON) and
peers.json (peers.py).  Every number in the output comes from these files;
the only constants are the issue's targets (scenarios.py, copied into
manifest.json).

    /usr/bin/python3 bench/report.py build/bench-results    # rebuild the report
"""

import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

KERNEL_ORDER = ["scalar", "sse4_2", "avx2", "avx512bw"]

TARGET_TEXT = {
    "single_us": ("1-row latency p50, C++ ({kernel})", "≤ {v:g} µs"),
    "single_vs_peer": ("1-row latency p50 vs {peer}", "≥ {v:g}×"),
    "batch_vs_peer": ("batch of {batch} rows, 1 thread, vs {peer}", "≥ {v:g}×"),
    "threads_speedup": ("batch of {batch} rows, 2 threads vs 1", "≥ {v:g}×"),
    "open_us": ("Model::open, C++, warm", "< {v:g} µs"),
    "py_load_ms": ("mlmap.load, Python, warm", "< {v:g} ms"),
    "load_vs_joblib": ("mlmap.load vs joblib.load", "≥ {v:g}×"),
}


# ---------------------------------------------------------------------------
# Parsing

def parse_cpp(path, cpu_clock=False):
    """Google Benchmark JSON -> medians over repetitions, keyed by name parts.
    cpu_clock: one-thread rates from the thread's CPU time, single rows from
    p50_cpu_us (run_benchmarks.py --cpu-clock); 2-thread rates stay wall time."""
    doc = json.loads(Path(path).read_text())
    runs = defaultdict(list)
    medians = {}
    for b in doc["benchmarks"]:
        name = re.sub(r"/(manual_time|real_time)$", "", b["run_name"])
        if b.get("error_occurred"):
            medians[name] = {"error": b.get("error_message", "error")}
            continue
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = b
        else:
            runs[name].append(b)
    for name, rs in runs.items():  # a single repetition has no aggregates
        if name not in medians:
            medians[name] = rs[len(rs) // 2]
    out = {"open": {}, "open_xgb": {}, "single": defaultdict(dict), "batch": defaultdict(lambda: defaultdict(dict)),
           "batch_wall": defaultdict(lambda: defaultdict(dict)), "scaling": {}, "single_pair": {}, "batch_pair": {},
           "context": doc.get("context", {})}
    for name, b in medians.items():
        parts = name.split("/")
        if "error" in b:
            continue
        t_us = to_us(b["real_time"], b["time_unit"])
        if parts[0] == "open":
            out["open"][parts[1]] = {"median_us": t_us, "p50_us": b.get("p50_us"), "p99_us": b.get("p99_us")}
        elif parts[0] == "open_xgb":
            out["open_xgb"][parts[1]] = {"median_us": t_us}
        elif parts[0] == "single":
            p50 = b.get("p50_cpu_us") if cpu_clock and b.get("p50_cpu_us") else b.get("p50_us")
            out["single"][parts[1]][parts[2]] = {"p50_us": p50, "p99_us": b.get("p99_us"), "mean_us": t_us}
        elif parts[0] == "batch":
            rate = b.get("items_per_second")
            if cpu_clock and rate and int(parts[4]) == 1 and b.get("cpu_time"):
                rate = rate * b["real_time"] / b["cpu_time"]
            out["batch"][parts[1]][parts[2]][(int(parts[3]), int(parts[4]))] = rate
            out["batch_wall"][parts[1]][parts[2]][(int(parts[3]), int(parts[4]))] = b.get("items_per_second")
        elif parts[0] in ("single_pair", "batch_pair"):
            # mlmap and the XGBoost C API in the same moments (bench_predict.cc,
            # bm_single_pair / bm_batch_pair), in CPU time with --cpu-clock: the
            # median over repetitions of each one's median pair, the worst pair of all
            ratio = "cpu_ratio" if cpu_clock and b.get("cpu_ratio_p50") else "ratio"
            worst = min([r[ratio + "_min"] for r in runs.get(name, []) if r.get(ratio + "_min") is not None]
                        or [b.get(ratio + "_min")])
            out[parts[0]][parts[1]] = {"kernel": parts[2], "p50": b.get(ratio + "_p50"), "min": worst,
                                       **{k: b.get(k) for k in (
                                           "ratio_p50", "ratio_min", "cpu_ratio_p50", "cpu_ratio_min", "pairs",
                                           "p50_us", "p50_cpu_us", "peer_p50_us", "peer_p50_cpu_us")}}
        elif parts[0] == "scaling":  # 1 vs 2 threads in interleaved pairs (bench_predict.cc, bm_scaling)
            out["scaling"][parts[1]] = {"rows": int(parts[3]), **{k: b.get(k) for k in (
                "ratio_p50", "ratio_min", "wall1_p50_us", "wall2_p50_us", "cores2_p50", "cpu_ratio_p50", "pairs",
                "wallp_p50_us", "procs_ratio_p50", "procs_ratio_min", "procs_cpu_ratio_p50",
                "threads_over_procs_p50", "threads_over_procs_min")}}
    return out


def to_us(v, unit):
    return v * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]


# ---------------------------------------------------------------------------
# Formatting

def fmt_us(us):
    if us is None or (isinstance(us, float) and math.isnan(us)):
        return "–"
    if us >= 1e6:
        return f"{us / 1e6:.3g} s"
    if us >= 1e3:
        return f"{us / 1e3:.3g} ms"
    return f"{us:.3g} µs"


def fmt_rate(r):
    if r is None:
        return "–"
    if r >= 1e6:
        return f"{r / 1e6:.3g}M"
    if r >= 1e3:
        return f"{r / 1e3:.3g}k"
    return f"{r:.3g}"


def fmt_ratio(x):
    if x is None or math.isnan(x):
        return "–"
    return f"{x:,.0f}×" if x >= 100 else f"{x:.2g}×" if x < 10 else f"{x:.1f}×"


def fmt_mb(b):
    return "–" if b is None else f"{b / 1e6:,.1f} MB" if b < 1e10 else f"{b / 1e9:.1f} GB"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------

class Run:
    def __init__(self, results):
        self.dir = Path(results)
        self.machine = json.loads((self.dir / "machine.json").read_text())
        self.manifest = json.loads((self.dir / "manifest.json").read_text())
        self.cpu_clock = self.machine.get("clock") == "cpu"
        self.cpp = parse_cpp(self.dir / "cpp.json", self.cpu_clock)
        peers = json.loads((self.dir / "peers.json").read_text())
        self.peers = {s["name"]: s for s in peers["scenarios"]}
        self.peers_sweep = {s["name"]: s for s in peers["sweep"]}
        self.opens = self.manifest.get("opens", [])
        self.peers.update({s["name"]: s for s in peers.get("opens", [])})
        self.peer_cfg = peers["config"]
        self.auto = self.machine["active_kernel"]
        self.kernels = [k for k in KERNEL_ORDER if k in self.machine["available_kernels"]]
        self.scen = [e for e in self.manifest["scenarios"] if not e.get("shape")]
        self.shapes = [e for e in self.manifest["scenarios"] if e.get("shape")]
        ext = self.dir / "peers_ext.json"
        self.ext = json.loads(ext.read_text()) if ext.exists() else None

    def record_batch(self, e):
        return min(self.manifest["record_batch"], e["n_test"])

    # --- accessors (None when not measured) ---
    def mlmap_single(self, name, kernel=None):
        return self.cpp["single"].get(name, {}).get(kernel or self.auto)

    def peer_label(self, e):
        return "XGBoost C API" if e["peer"] == "xgboost" else "sklearn"

    def peer_single(self, e):
        if e["peer"] == "xgboost":
            return self.cpp["single"].get(e["name"], {}).get("xgboost")
        return self.peers.get(e["name"], {}).get("single", {}).get("sklearn")

    def mlmap_batch(self, name, rows, threads=1, kernel=None):
        return self.cpp["batch"].get(name, {}).get(kernel or self.auto, {}).get((rows, threads))

    def mlmap_batch_wall(self, name, rows, threads=1):
        """Wall-clock rate (thread ratios compare these, whatever the clock)."""
        return self.cpp["batch_wall"].get(name, {}).get(self.auto, {}).get((rows, threads))

    def peer_batch(self, e, rows):
        if e["peer"] == "xgboost":
            return self.cpp["batch"].get(e["name"], {}).get("xgboost", {}).get((rows, 1))
        b = self.peers.get(e["name"], {}).get("batch", {}).get("sklearn", {}).get(str(rows))
        return b and b["rows_per_s"]

    def py(self, e, impl, what, rows=None):
        p = self.peers.get(e["name"], {})
        if what == "single":
            return p.get("single", {}).get(impl)
        b = p.get("batch", {}).get(impl, {}).get(str(rows))
        return b and b["rows_per_s"]

    # --- targets ---
    def evaluate(self, e, metric, v):
        name, batch, peer = e["name"], self.record_batch(e), self.peer_label(e)
        label, goal = TARGET_TEXT[metric]
        label = label.format(kernel=self.auto, peer=peer, batch=f"{batch:,}")
        goal = goal.format(v=v)
        mine = ratio = ratio_s = None
        mine_s = theirs_s = "–"
        ok = None
        if metric == "single_us":
            s = self.mlmap_single(name)
            if s:
                mine, mine_s = s["p50_us"], fmt_us(s["p50_us"])
                ok = mine <= v
        elif metric == "single_vs_peer":
            s, p = self.mlmap_single(name), self.peer_single(e)
            if s:
                mine_s = fmt_us(s["p50_us"])
            if p:
                theirs_s = fmt_us(p["p50_us"])
            if s and p:
                ratio = p["p50_us"] / s["p50_us"]
            ratio, ratio_s = self.judged_ratio(e, "single", ratio)
            ok = None if ratio is None else ratio >= v
        elif metric == "batch_vs_peer":
            m, p = self.mlmap_batch(name, batch), self.peer_batch(e, batch)
            mine_s, theirs_s = fmt_rate(m) + " rows/s", fmt_rate(p) + " rows/s"
            ratio, ratio_s = self.judged_ratio(e, "batch", m / p if m and p else None)
            ok = None if ratio is None else ratio >= v
        elif metric == "threads_speedup":
            m1, m2 = self.mlmap_batch_wall(name, batch, 1), self.mlmap_batch_wall(name, batch, 2)
            mine_s, theirs_s = fmt_rate(m2) + " rows/s (2 thr)", fmt_rate(m1) + " rows/s (1 thr)"
            sc = self.cpp["scaling"].get(name) or {}
            if sc.get("ratio_p50") and sc.get("rows") == batch:  # interleaved runs (bm_scaling), as for the shapes
                ratio, ratio_s = sc["ratio_p50"], self.threads_note(e)
            elif m1 and m2:
                ratio = m2 / m1
            if ratio:
                ok = ratio >= v
                if not ok and self.busy_machine():
                    ok, busy = None, self.busy_machine()
        elif metric == "open_us":
            o = self.cpp["open"].get(name)
            if o:
                mine, mine_s = o["median_us"], fmt_us(o["median_us"])
                ok = mine < v
        elif metric == "py_load_ms":
            p = self.peers.get(name, {}).get("mlmap_load")
            if p:
                mine_s = fmt_us(p["median_ms"] * 1e3)
                ok = p["median_ms"] < v
        elif metric == "load_vs_joblib":
            p = self.peers.get(name, {})
            m, j = p.get("mlmap_load"), p.get("joblib_load")
            if m:
                mine_s = fmt_us(m["median_ms"] * 1e3)
            if j:
                theirs_s = fmt_us(j["median_ms"] * 1e3) + " (joblib.load)"
            if m and j:
                ratio = j["median_ms"] / m["median_ms"]
                ok = ratio >= v
        verdict = "**met**" if ok else "**not met**" if ok is False else "not measured"
        if metric == "threads_speedup" and ok is None and ratio:
            verdict = f"not measurable ({busy})"
        return [e["issue"], name, label, mine_s, theirs_s, ratio_s or (fmt_ratio(ratio) if ratio else "–"), goal,
                verdict], ok

    def judged_ratio(self, e, what, unpaired):
        """The ratio a target judges and its cell: the pair's (same moments) where
        timed, the unpaired one beside it; else the unpaired one."""
        p = self.paired(e, what)
        if not p:
            return unpaired, None
        return p["p50"], self.pair_note(e, what, p["p50"], unpaired)

    # --- sections ---
    def header(self):
        m = self.machine
        lines = [
            f"# mlmap benchmarks ({self.manifest['mode']} mode)",
            "",
            f"**Machine:** {m['cpu_model']} · {m['cpus']} logical CPUs ({m['cpus_usable']} usable) · "
            f"{m['mem_gb']:.0f} GiB · mlmap kernel chosen: **{self.auto}** "
            f"(available: {', '.join(self.kernels)}) · mlmap {m['mlmap_version']} · "
            f"sklearn {self.manifest['versions']['sklearn']} · XGBoost C API {m.get('xgboost_c_api') or 'not built'}"
            f" · build: {m.get('buildtype', '?')}, -O{m.get('optimization', '?')}"
            + (f" · MLMAP_FORCE_ARCH={m['forced_arch']}" if m.get("forced_arch") else ""),
            "",
            f"Run {m['started']} · load average at start {m['loadavg_start']}, at end {m.get('loadavg_end', '?')}. "
            f"Noisy shared {m['cpus']}-CPU machine: medians over "
            f"{m['repetitions']} repetitions (C++) and pooled per-call samples (Python); differences "
            "under ~20% are noise. Every peer predicts on one thread (sklearn n_jobs=1, OMP_NUM_THREADS=1, "
            "XGBoost nthread=1); mlmap uses one thread unless a column says otherwise. Outputs were "
            f"compared with the peer's before timing (|Δ| ≤ {self.manifest['tolerance']:g}·max(1,|ref|), "
            "same labels), for every kernel" + self._tolerance_exceptions() + "."
            + (" **Clock: CPU time** of the timing thread for every one-thread number (--cpu-clock: a busy "
               "shared machine), wall time for the 2-thread ratios." if self.cpu_clock else ""),
        ]
        if m.get("optimization") not in (None, "2", "3"):
            lines += ["", f"**Warning:** mlmap was built with -O{m['optimization']}: its timings are not "
                      "representative; use a release build (`meson setup --buildtype=release`)."]
        if self.cpp["context"].get("library_build_type") == "debug":
            lines += ["", "Google Benchmark says its library was built as DEBUG: that is Debian's "
                      "libbenchmark, not mlmap; the timed loops are inlined from its header into the "
                      "optimised bench_predict."]
        return "\n".join(lines)

    def _tolerance_exceptions(self):
        """'; mlp within 1e-05 (why)' for scenarios checked more loosely."""
        default = self.manifest["tolerance"]
        loose = [e for e in self.manifest["scenarios"] if e.get("tolerance", default) != default]
        return "".join(f"; {e['name']} within {e['tolerance']:g} ({e.get('tolerance_why') or 'see scenarios.py'})"
                       for e in loose)

    def targets(self):
        rows, oks = [], []
        for e in self.scen + self.opens:
            for metric, v, issue in e["targets"]:
                r, ok = self.evaluate(e, metric, v)
                r[0] = issue
                rows.append(r)
                oks.append(ok)
        md = table(["#", "scenario", "measure", "mlmap", "peer", "ratio", "target", "result"], rows)
        return md, oks

    def models(self):
        rows = []
        for e in self.scen:
            peer_file = e["sizes"]["joblib"] if e["peer"] == "sklearn" else e["sizes"]["xgb_json"]
            rows.append([e["name"], e["title"], f"{e.get('n_trees', '–'):,}" if e.get("n_trees") else "–",
                         f"{e['n_nodes']:,}" if e.get("n_nodes") else "–", fmt_mb(e["sizes"]["mlmap"]),
                         fmt_mb(peer_file) + (" (joblib)" if e["peer"] == "sklearn" else " (JSON)"),
                         f"{e['n_train']:,}", f"{e['n_test']:,}" + (" (NaN)" if e.get("has_nan") else ""),
                         f"{e['fit_seconds']:.0f} s"])
        return table(["scenario", "model", "trees", "nodes", "mlmap file", "peer file", "train rows",
                      "test rows", "fit"], rows)

    def latency(self):
        hdr = ["scenario"] + [f"mlmap {k}" + (" (auto)" if k == self.auto else "") for k in self.kernels] + \
              ["mlmap Python", "peer", f"peer / mlmap {self.auto}"]
        rows = []
        for e in self.scen:
            r = [e["name"]]
            for k in self.kernels:
                s = self.mlmap_single(e["name"], k)
                r.append(f"{fmt_us(s['p50_us'])} / {fmt_us(s['p99_us'])}" if s else "–")
            p = self.py(e, "mlmap-python", "single")
            r.append(f"{fmt_us(p['p50_us'])} / {fmt_us(p['p99_us'])}" if p else "–")
            ps, ms = self.peer_single(e), self.mlmap_single(e["name"])
            r.append(f"{self.peer_label(e)}: {fmt_us(ps['p50_us'])} / {fmt_us(ps['p99_us'])}" if ps else "–")
            r.append(fmt_ratio(ps["p50_us"] / ms["p50_us"]) if ps and ms else "–")
            rows.append(r)
        return table(hdr, rows)

    def throughput(self):
        hdr = ["scenario", "rows"] + [f"mlmap {k}" for k in self.kernels] + \
              [f"mlmap {self.auto} 2 thr", "2 thr / 1 thr", "mlmap Python", "peer", f"mlmap {self.auto} / peer"]
        rows = []
        for e in self.scen:
            b = self.record_batch(e)
            r = [e["name"], f"{b:,}"]
            for k in self.kernels:
                r.append(fmt_rate(self.mlmap_batch(e["name"], b, 1, k)))
            m1, m2 = self.mlmap_batch(e["name"], b, 1), self.mlmap_batch(e["name"], b, 2)
            r.append(fmt_rate(m2))
            r.append(fmt_ratio(m2 / m1) if m1 and m2 else "–")
            r.append(fmt_rate(self.py(e, "mlmap-python", "batch", b)))
            p = self.peer_batch(e, b)
            r.append(f"{self.peer_label(e)}: {fmt_rate(p)}" if p else "–")
            r.append(fmt_ratio(m1 / p) if m1 and p else "–")
            rows.append(r)
        return table(hdr, rows)

    def groups(self):
        """Per group of scenarios (scenarios.py `group`): mlmap's ratio to the
        peer over the group's shapes, batch and one row: median, worst, best."""
        by_group = defaultdict(list)
        for e in self.scen:
            if e.get("group"):
                by_group[e["group"]].append(e)
        rows = []
        for g, es in by_group.items():
            batch, single = [], []
            for e in es:
                b = self.record_batch(e)
                m, p = self.mlmap_batch(e["name"], b), self.peer_batch(e, b)
                if m and p:
                    batch.append((m / p, e["name"]))
                s, ps = self.mlmap_single(e["name"]), self.peer_single(e)
                if s and ps:
                    single.append((ps["p50_us"] / s["p50_us"], e["name"]))
            for what, vals in ((f"batch of {self.manifest['record_batch']:,} rows, 1 thread", batch),
                               ("one row, p50", single)):
                if not vals:
                    continue
                vals.sort()
                mid = vals[len(vals) // 2][0] if len(vals) % 2 else (vals[len(vals) // 2 - 1][0] + vals[len(vals) // 2][0]) / 2
                rows.append([g, what, len(vals), fmt_ratio(mid), f"{fmt_ratio(vals[0][0])} ({vals[0][1]})",
                             f"{fmt_ratio(vals[-1][0])} ({vals[-1][1]})"])
        if not rows:
            return None
        return table(["group", "measure", "shapes", "median mlmap / peer", "worst", "best"], rows)

    def loads(self):
        rows = []
        items = []
        for e in self.scen:
            p = self.peers.get(e["name"], {})
            items.append((e["name"], e["sizes"], self.cpp["open"].get(e["name"]), p))
        for s in self.manifest["sweep"]:
            p = self.peers_sweep.get(s["name"], {})
            items.append((f"size sweep ~{s['target_mb']:,} MB: {s['n_trees']} trees of {s['source']}", s["sizes"],
                          self.cpp["open"].get("sweep_" + s["name"]), p))
        for o in self.opens:
            items.append((f"{o['name']}: {o['title']}", o["sizes"], self.cpp["open"].get(o["name"]),
                          self.peers.get(o["name"], {})))
        for name, sizes, o, p in items:
            ml, mf, jl = p.get("mlmap_load"), p.get("mlmap_load_flushed"), p.get("joblib_load")
            rows.append([name, fmt_mb(sizes.get("mlmap")), fmt_mb(sizes.get("joblib")),
                         fmt_us(o["median_us"]) if o else "–",
                         fmt_us(ml["median_ms"] * 1e3) if ml else "–",
                         fmt_us(mf["median_ms"] * 1e3) if mf else "–",
                         fmt_us(jl["median_ms"] * 1e3) if jl else "–",
                         fmt_ratio(jl["median_ms"] / ml["median_ms"]) if ml and jl else "–"])
        xgb = [f"{e['name']}: XGBoosterLoadModel (JSON, {fmt_mb(e['sizes']['xgb_json'])}) "
               f"{fmt_us(self.cpp['open_xgb'][e['name']]['median_us'])}, mlmap Model::open "
               f"{fmt_us(self.cpp['open'][e['name']]['median_us'])}"
               for e in self.scen if e["name"] in self.cpp["open_xgb"] and e["name"] in self.cpp["open"]]
        md = table(["model", "mlmap file", "joblib file", "mlmap open (C++)", "mlmap.load (Python)",
                    "mlmap.load after gc.collect()", "joblib.load", "joblib.load / mlmap.load"], rows)
        if xgb:
            md += "\n\n" + "; ".join(xgb) + "."
        return md

    # --- the shape sweep ---
    PEERS = [("xgboost", "XGBoost C API"), ("sklearn", "scikit-learn"), ("onnxruntime", "ONNX Runtime"),
             ("lightgbm", "LightGBM")]

    def paired(self, e, what):
        """mlmap and its peer timed in the same moments, what = 'single' or
        'batch': the XGBoost shapes' both (bench_predict.cc bm_single_pair /
        bm_batch_pair), the scikit-learn shapes' batch (peers.py batch_pairs;
        their one-row ratio, 100x and more, is not near its target):
        {'p50': the median ratio over pairs, 'min': the worst pair, ...}, or None."""
        if e["peer"] == "xgboost":
            p = self.cpp[what + "_pair"].get(e["name"])
        elif e["peer"] == "sklearn" and what == "batch":
            p = self.peers.get(e["name"], {}).get("batch_pair", {}).get("sklearn")
        else:
            p = None
        return p if p and p.get("p50") else None

    def shape_ratios(self, e, paired=True):
        """{peer: (batch ratio, single ratio)} for one shape; None where not measured.
        The XGBoost peer's from the same moments where paired (unless paired=False:
        the ratio of two benchmarks run seconds apart)."""
        name, b = e["name"], self.record_batch(e)
        m_batch = self.mlmap_batch(name, b)
        m_single = self.mlmap_single(name)
        out = {}
        if e["peer"] in ("xgboost", "sklearn"):
            pb, ps = self.peer_batch(e, b), self.peer_single(e)
            batch = m_batch / pb if m_batch and pb else None
            single = ps["p50_us"] / m_single["p50_us"] if ps and m_single else None
            if paired and self.paired(e, "batch"):
                batch = self.paired(e, "batch")["p50"]
            if paired and self.paired(e, "single"):
                single = self.paired(e, "single")["p50"]
            out[e["peer"]] = (batch, single)
        for peer in ("onnxruntime", "lightgbm"):
            r = ((self.ext or {}).get("shapes", {}).get(name) or {}).get(peer)
            if r and "batch_rows_per_s" in r:
                out[peer] = (m_batch / r["batch_rows_per_s"] if m_batch else None,
                             r["single_p50_us"] / m_single["p50_us"] if m_single else None)
        return out

    def threads_ratio(self, e):
        """2-thread speed-up (median of interleaved pairs where timed so) and its rows."""
        sc = self.cpp["scaling"].get(e["name"])
        if sc and sc.get("ratio_p50"):
            return sc["ratio_p50"], sc["rows"]
        big = min(self.manifest.get("threads_batch", 100_000), e["n_test"])
        m1, m2 = self.mlmap_batch_wall(e["name"], big, 1), self.mlmap_batch_wall(e["name"], big, 2)
        return (m2 / m1 if m1 and m2 else None), big

    def threads_note(self, e):
        tr, big = self.threads_ratio(e)
        if not tr:
            return "–"
        sc = self.cpp["scaling"].get(e["name"]) or {}
        worst = f", worst pair {fmt_ratio(sc['ratio_min'])}" if sc.get("ratio_min") else ""
        # Near 1, time lost to the hand-off or an uneven end; above, the two
        # threads slowed each other (or the machine slowed both).
        cpu = f", CPU {sc['cpu_ratio_p50']:.2f}× one thread's" if sc.get("cpu_ratio_p50") else ""
        # The host's control: two one-thread processes on the halves; 2
        # threads as fast as them lost nothing the host did not take.
        procs = (f"; 2 procs {fmt_ratio(sc['procs_ratio_p50'])}, 2 threads {sc['threads_over_procs_p50']:.2f}× 2 procs'"
                 if sc.get("procs_ratio_p50") and sc.get("threads_over_procs_p50") else "")
        return f"{fmt_ratio(tr)} ({big:,} rows{worst}{cpu}{procs})"

    # 2 threads at least this fraction of two processes' speed: what the host
    # gave two cores, the pool took.
    THREADS_OVER_PROCS_GOAL = 0.95

    def threads_vs_procs(self):
        """(shapes where 2 threads >= THREADS_OVER_PROCS_GOAL x two processes'
        speed, shapes measured, the ones short of it), or None if not measured."""
        pts = [(sc["threads_over_procs_p50"], e["name"]) for e in self.shapes
               if (sc := self.cpp["scaling"].get(e["name"])) and sc.get("threads_over_procs_p50")]
        if not pts:
            return None
        short = sorted((r, n) for r, n in pts if r < self.THREADS_OVER_PROCS_GOAL)
        return len(pts) - len(short), len(pts), short

    def busy_machine(self):
        """Why a 2-thread speed-up measured in this run means nothing, or None.
        With a load average >= 1 at the start something else wants a core; the
        2-thread calls' CPU / wall (< 1.8 cores) says whether they got two; and
        the same run's loop of independent additions (bm_machine_scaling) below
        1.8x on 2 threads says the host gave less than two cores' speed, which
        the guest's CPU clocks do not show (a vCPU the host runs slower, or
        not at all, still counts CPU time here: 2026-12-06, the loop 1.1x
        while mlmap's 2-thread calls ran on 1.99 cores, median)."""
        why = []
        try:
            load = float(str(self.machine.get("loadavg_start", "")).split()[0])
        except (ValueError, IndexError):
            load = None
        if load is not None and load >= 1:
            why.append(f"load average {load:g} at start")
        cores = [sc["cores2_p50"] for sc in self.cpp["scaling"].values() if sc.get("cores2_p50")]
        if cores:
            med = sorted(cores)[len(cores) // 2]
            if med < 1.8:
                why.append(f"2-thread calls ran on {med:.2f} cores (median)")
        machine = self.cpp["scaling"].get("machine") or {}
        if machine.get("ratio_p50") and machine["ratio_p50"] < 1.8:
            why.append(f"the machine's own integer loop ran {fmt_ratio(machine['ratio_p50'])} on 2 threads")
        return "; ".join(why) or None

    def ext_note(self, e, peer):
        """The batch and 1-row ratios against an external peer, or why none."""
        r = ((self.ext or {}).get("shapes", {}).get(e["name"]) or {}).get(peer)
        if not r:
            return "–"
        if "skipped" in r:
            return "skipped"
        if "mismatch" in r:
            return "mismatch"
        batch, single = self.shape_ratios(e).get(peer, (None, None))
        return f"{fmt_ratio(batch)} / {fmt_ratio(single)}"

    def shapes_table(self):
        rows = []
        for e in self.shapes:
            name, b = e["name"], self.record_batch(e)
            m_batch, m_single = self.mlmap_batch(name, b), self.mlmap_single(name)
            r = self.shape_ratios(e).get(e["peer"], (None, None))
            pb, ps = self.peer_batch(e, b), self.peer_single(e)
            u = self.shape_ratios(e, paired=False).get(e["peer"], (None, None))
            rows.append([name, e["title"], f"{e.get('n_trees', 0):,} / {e.get('n_nodes', 0):,}", e.get("layout", "?"),
                         fmt_rate(m_batch), f"{self.peer_label(e)}: {fmt_rate(pb)}",
                         self.pair_note(e, "batch", r[0], u[0]),
                         fmt_us(m_single["p50_us"]) if m_single else "–", fmt_us(ps["p50_us"]) if ps else "–",
                         self.pair_note(e, "single", r[1], u[1]), self.ext_note(e, "onnxruntime"),
                         self.ext_note(e, "lightgbm"), self.threads_note(e)])
        paired = self.any_paired()
        md = table(["shape", "model", "trees / nodes", "mlmap layout", "mlmap batch rows/s", "peer batch rows/s",
                    "batch ratio" + ("¹" if paired else ""), "mlmap 1 row", "peer 1 row",
                    "1-row ratio" + ("¹" if paired else ""), "vs ONNX RT (batch / 1 row)",
                    "vs LightGBM (batch / 1 row)", "2 thr / 1 thr"], rows)
        if paired:
            md += ("\n\n¹ XGBoost shapes, and scikit-learn shapes' batches: paired, same moments (above); "
                   "'unpaired': the ratio of the separate benchmarks, as the other columns give them.")
        return md

    def any_paired(self):
        return any(self.paired(e, w) for e in self.shapes for w in ("single", "batch"))

    def pair_note(self, e, what, ratio, unpaired):
        """A ratio cell: the paired ratio with its worst pair and the unpaired one beside it."""
        p = self.paired(e, what)
        if not p:
            return fmt_ratio(ratio) if ratio else "–"
        return (f"{fmt_ratio(p['p50'])} paired (worst pair {fmt_ratio(p['min'])}"
                + (f"; unpaired {fmt_ratio(unpaired)}" if unpaired else "") + ")")

    def pair_method(self):
        """What a paired ratio is (bench_predict.cc bm_single_pair, bm_batch_pair)."""
        clock = "CPU time per call" if self.cpu_clock else "median wall time per call"
        return ("Paired, same moments (XGBoost shapes; scikit-learn batches below): mlmap and the XGBoost C API "
                "timed in turn in one loop, the order alternating, and the ratio taken per pair, its median over "
                "the pairs given (its minimum: the worst pair). One row: a pair is a block of ~0.6 ms of "
                "consecutive one-row calls of each (more "
                f"mlmap calls than XGBoost calls), the ratio XGBoost's {clock} in its block over mlmap's. Batch: a "
                f"pair is one call of each on the same {self.manifest['record_batch']:,} rows, the ratio of their "
                f"{'CPU' if self.cpu_clock else 'wall'} times. scikit-learn shapes' batches: a pair is one call of "
                "mlmap's Python binding (one thread) and one of scikit-learn on the same rows in one process, the "
                "order alternating. 'Unpaired': the ratio of the separate benchmarks "
                "(single/…, batch/…; scikit-learn's from the Python peer script against mlmap's C++ batch), run "
                "seconds apart, as before; on this VM the host's speed drifts by 30-70% between such moments.")

    def shapes_summary(self):
        """Per peer: shapes, min / geometric mean / worst shape of the batch
        and single-row ratios, and how many meet the target."""
        targets = self.manifest.get("shape_targets", {})
        rows, oks = [], []
        for peer, label in self.PEERS:
            for what, idx, kind in (("batch", 0, "batch"), ("1 row", 1, "single")):
                goal = targets.get(peer, {}).get("batch" if idx == 0 else "single")
                paired = [e for e in self.shapes if e["peer"] == peer and self.paired(e, kind)]
                for unpaired in ((False, True) if paired else (False,)):
                    pts = [(self.shape_ratios(e, paired=not unpaired).get(peer, (None, None))[idx], e["name"])
                           for e in self.shapes]
                    pts = [(r, n) for r, n in pts if r]
                    if not pts:
                        continue
                    lo = min(pts)
                    gm = math.exp(sum(math.log(r) for r, _ in pts) / len(pts))
                    met = sum(r >= goal for r, _ in pts) if goal else None
                    lo_s, measure = fmt_ratio(lo[0]), what
                    if paired and not unpaired:
                        measure += (", paired (same moments" + ("" if len(paired) == len(pts) else
                                                                 f" on {len(paired)} of {len(pts)} shapes") + ")")
                        worst = min((self.paired(e, kind)["min"], e["name"]) for e in paired)
                        lo_s += f" (worst pair {fmt_ratio(worst[0])}, {worst[1]})"
                    if unpaired:
                        # shown so nothing is hidden; the paired row above is judged
                        rows.append([label, what + ", unpaired (separate runs, seconds apart)", len(pts), lo_s,
                                     fmt_ratio(gm), lo[1], f"≥ {goal:g}×" if goal else "–",
                                     "–" if goal is None else f"{met} of {len(pts)} (not judged)"])
                        continue
                    ok = None if goal is None else met == len(pts)
                    oks.append(ok)
                    rows.append([label, measure, len(pts), lo_s, fmt_ratio(gm), lo[1],
                                 f"≥ {goal:g}×" if goal else "–",
                                 "–" if goal is None else f"{met} of {len(pts)}" + (" **met**" if ok else " **not met**")])
        trs = [(self.threads_ratio(e)[0], e["name"]) for e in self.shapes]
        trs = [(r, n) for r, n in trs if r]
        if trs:
            goal = targets.get("threads", 1.8)
            lo = min(trs)
            gm = math.exp(sum(math.log(r) for r, _ in trs) / len(trs))
            met = sum(r >= goal for r, _ in trs)
            busy = self.busy_machine()
            verdict = f"{met} of {len(trs)}" + (" **met**" if met == len(trs) else " **not met**")
            if busy and met < len(trs):
                verdict = f"{met} of {len(trs)}: not measurable ({busy})"
                oks.append(None)
            else:
                oks.append(met == len(trs))
            vp = self.threads_vs_procs()
            if vp:
                good, n, short = vp
                verdict += (f"; 2 threads ≥ {self.THREADS_OVER_PROCS_GOAL:g}× two 1-thread processes on the same halves "
                            f"on {good} of {n}"
                            + (" (short: " + ", ".join(f"{nm} {r:.2f}×" for r, nm in short) + ")" if short else ""))
            rows.append(["mlmap 2 threads", f"batch of ≤ {self.manifest.get('threads_batch', 100_000):,} rows"
                         + ((", interleaved 1-thread / 2-thread / 2-process runs" if vp else
                             ", interleaved 1/2-thread pairs") if self.cpp["scaling"] else ""),
                         len(trs), fmt_ratio(lo[0]), fmt_ratio(gm), lo[1], f"≥ {goal:g}×", verdict])
        md = table(["peer", "measure", "shapes", "min ratio", "geometric mean", "worst shape", "target", "shapes meeting it"],
                   rows)
        machine = self.cpp["scaling"].get("machine")
        if trs and machine and machine.get("ratio_p50"):
            # The same run's ceiling: a loop of independent additions on 1 vs 2
            # threads (bench_predict.cc, bm_machine_scaling).
            md += (f"\n\nThis machine's own 2-thread speed-up in the same run, on a loop of independent integer "
                   f"additions (no memory, interleaved 1/2-thread pairs): median {fmt_ratio(machine['ratio_p50'])}, "
                   f"worst pair {fmt_ratio(machine['ratio_min'])}: what the two vCPUs gave a CPU-bound loop "
                   f"while mlmap's pairs were timed.")
        return md, oks

    def ext_status(self):
        if self.ext is None:
            return ("LightGBM and ONNX Runtime: **skipped** — no interpreter with them was given "
                    "(`--peer-python` / `MLMAP_BENCH_PYTHON`).")
        parts = []
        for peer, label in self.PEERS[2:]:
            p = self.ext["peers"].get(peer, {})
            if p.get("available"):
                # shapes not timed, grouped by why (a skip or a mismatch)
                why = {}
                for n, r in sorted(self.ext["shapes"].items()):
                    if peer in r and "batch_rows_per_s" not in r[peer]:
                        why.setdefault(next(iter(r[peer].values())), []).append(n)
                parts.append(f"{label} {p['version']} (checked within {self.ext['tolerance'][peer]:g}: "
                             f"{self.ext['tolerance_why'][peer]})" +
                             (self.converted_note() if peer == "onnxruntime" else "") +
                             "".join(f"; not timed on {len(ns)} shape(s), {w}: {', '.join(ns)}"
                                     for w, ns in why.items()))
            else:
                parts.append(f"{label}: **skipped** ({p.get('why', 'not available')})")
        return (f"Peers from `{self.ext['python']}` (Python {self.ext['python_version']}, numpy "
                f"{self.ext['numpy']}): " + " · ".join(parts) + ".")

    def converted_note(self):
        """How the scikit-learn shapes reached ONNX Runtime (sklearn_onnx.py)."""
        conv = self.ext.get("sklearn_onnx")
        if not conv or not conv.get("available"):
            return ""
        v = conv["versions"]
        return (f"; the scikit-learn shapes converted by skl2onnx {v['skl2onnx']} (onnx {v['onnx']}) under the "
                f"scikit-learn that trained them, {v['scikit-learn']} (`{conv['python']}`)")

    # --- plots ---
    def plots(self):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        files = []
        colors = {"scalar": "#9e9e9e", "sse4_2": "#64b5f6", "avx2": "#1e88e5", "avx512bw": "#0d47a1",
                  "mlmap Python": "#43a047", "sklearn": "#e53935", "XGBoost C API": "#fb8c00",
                  "2 threads": "#6a1b9a"}

        if not self.scen:  # a run of sweep shapes only (--only)
            return files + self.shape_plot(plt)

        # 1. latency per kernel and peer
        series = [(k, lambda e, k=k: self.mlmap_single(e["name"], k)) for k in self.kernels]
        series += [("mlmap Python", lambda e: self.py(e, "mlmap-python", "single")),
                   ("peer", self.peer_single)]
        fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(self.scen)), 4.8))
        width = 0.8 / len(series)
        for i, (label, get) in enumerate(series):
            xs, p50, p99, cols = [], [], [], []
            for j, e in enumerate(self.scen):
                s = get(e)
                if s:
                    xs.append(j + i * width)
                    p50.append(s["p50_us"])
                    p99.append(s["p99_us"])
                    cols.append(colors[self.peer_label(e)] if label == "peer" else colors[label])
            if xs:
                ax.bar(xs, p50, width, color=cols, label=None if label == "peer" else label)
                ax.scatter(xs, p99, marker="_", color="black", s=60, zorder=3)
        for lab in ("sklearn", "XGBoost C API"):
            ax.bar([0], [0], 0, color=colors[lab], label=lab)
        ax.scatter([], [], marker="_", color="black", label="p99")
        ax.set_yscale("log")
        ax.set_ylabel("one row: p50 latency (µs), log")
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(self.scen))])
        ax.set_xticklabels([e["name"] for e in self.scen])
        ax.set_title(f"Single-row latency, 1 thread ({self.machine['cpu_model']}, {self.manifest['mode']})")
        ax.legend(fontsize=8, ncol=2)
        ax.grid(axis="y", which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(self.dir / "latency.png", dpi=110)
        plt.close(fig)
        files.append("latency.png")

        # 2. throughput vs batch size
        n = len(self.scen)
        cols_n = min(3, n)
        rows_n = math.ceil(n / cols_n)
        fig, axes = plt.subplots(rows_n, cols_n, figsize=(5 * cols_n, 3.8 * rows_n), squeeze=False)
        for ax, e in zip(axes.flat, self.scen):
            sizes = [min(b, e["n_test"]) for b in self.manifest["batch_sizes"]]
            sizes = sorted(set(sizes))

            def line(label, get, **kw):
                pts = [(b, get(b)) for b in sizes]
                pts = [(b, v) for b, v in pts if v]
                if pts:
                    ax.plot(*zip(*pts), marker="o", ms=3, label=label, **kw)
            for k in self.kernels:
                line(f"mlmap {k}", lambda b, k=k: self.mlmap_batch(e["name"], b, 1, k), color=colors[k])
            if 2 in e["threads"]:
                line(f"mlmap {self.auto}, 2 threads", lambda b: self.mlmap_batch(e["name"], b, 2),
                     color=colors["2 threads"], linestyle="--")
            line("mlmap Python", lambda b: self.py(e, "mlmap-python", "batch", b), color=colors["mlmap Python"])
            line(self.peer_label(e), lambda b: self.peer_batch(e, b), color=colors[self.peer_label(e)], lw=2)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(e["name"], fontsize=10)
            ax.set_xlabel("batch size (rows)")
            ax.set_ylabel("rows/s")
            ax.grid(which="both", alpha=0.3)
            ax.legend(fontsize=7)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        fig.suptitle(f"Throughput vs batch size ({self.machine['cpu_model']}, {self.manifest['mode']})")
        fig.tight_layout()
        fig.savefig(self.dir / "throughput.png", dpi=110)
        plt.close(fig)
        files.append("throughput.png")

        # 3. open/load time vs model size
        # x: the model's size as a joblib file (its mlmap file is smaller: see results.md)
        pts = {"mlmap Model::open (C++)": [], "mlmap.load (Python)": [],
               "mlmap.load after gc.collect() (Python)": [], "joblib.load": []}
        for s in self.manifest["sweep"]:
            o = self.cpp["open"].get("sweep_" + s["name"])
            p = self.peers_sweep.get(s["name"], {})
            x = s["sizes"]["joblib"]
            if o:
                pts["mlmap Model::open (C++)"].append((x, o["median_us"] / 1e3))
            if p.get("mlmap_load"):
                pts["mlmap.load (Python)"].append((x, p["mlmap_load"]["median_ms"]))
            if p.get("mlmap_load_flushed"):
                pts["mlmap.load after gc.collect() (Python)"].append((x, p["mlmap_load_flushed"]["median_ms"]))
            if p.get("joblib_load"):
                pts["joblib.load"].append((x, p["joblib_load"]["median_ms"]))
        if any(pts.values()):
            fig, ax = plt.subplots(figsize=(7, 4.5))
            styles = [("#0d47a1", "-"), ("#43a047", "-"), ("#43a047", "--"), ("#e53935", "-")]
            for (label, v), (c, ls) in zip(pts.items(), styles):
                if v:
                    v.sort()
                    ax.plot([x / 1e6 for x, _ in v], [y for _, y in v], marker="o", label=label, color=c,
                            linestyle=ls)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("model size: its joblib file (MB), log")
            ax.set_ylabel("open / load time (ms), log")
            ax.set_title("Open/load time vs model size (warm page cache)")
            ax.grid(which="both", alpha=0.3)
            ax.legend()
            fig.tight_layout()
            fig.savefig(self.dir / "load_time.png", dpi=110)
            plt.close(fig)
            files.append("load_time.png")

        return files + self.shape_plot(plt)

    def shape_plot(self, plt):
        """The shape sweep: batch ratio to each peer against model size and input width."""
        files = []
        if self.shapes:
            fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
            marks = {"xgboost": ("o", "#fb8c00"), "sklearn": ("s", "#e53935"), "onnxruntime": ("^", "#8e24aa"),
                     "lightgbm": ("D", "#43a047")}
            targets = self.manifest.get("shape_targets", {})
            for ax, xkey, xlabel in ((axes[0], "n_nodes", "model size: nodes (log)"),
                                     (axes[1], "n_features", "input width: features (log)")):
                for peer, label in self.PEERS:
                    pts = [(e.get(xkey) or 1, self.shape_ratios(e).get(peer, (None, None))[0]) for e in self.shapes]
                    pts = [(x, r) for x, r in pts if r]
                    if pts:
                        m, c = marks[peer]
                        ax.scatter(*zip(*pts), marker=m, color=c, label=f"vs {label}")
                    goal = targets.get(peer, {}).get("batch")
                    if goal and pts:
                        ax.axhline(goal, color=marks[peer][1], linestyle=":", lw=1)
                ax.axhline(1, color="black", lw=0.8)
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.set_xlabel(xlabel)
                ax.set_ylabel("mlmap rows/s ÷ peer rows/s (batch, 1 thread)")
                ax.grid(which="both", alpha=0.3)
                ax.legend(fontsize=8)
            fig.suptitle(f"Shape sweep: batch of {self.manifest['record_batch']:,} rows "
                         f"({self.machine['cpu_model']}, {self.manifest['mode']}; dotted: targets)")
            fig.tight_layout()
            fig.savefig(self.dir / "shapes.png", dpi=110)
            plt.close(fig)
            files.append("shapes.png")
        return files

    def one_row_method(self):
        """What a '1 row' figure is (bench_predict.cc BlockCpuTimer, peer_common.Timer)."""
        who = ("scikit-learn's from Python, as its users call it; the rest from C++ or their own fastest binding")
        if not self.cpu_clock:
            return f"p50 of single-row calls, wall time ({who})"
        return ("CPU time per one-row call: from C++ (mlmap, XGBoost's C API) the median over blocks of 24 "
                "consecutive one-row calls of the block's mean per call, the CPU clock (a system call here) read "
                "once per block; from Python the p50 of single calls, each read around it; both less what the "
                f"clock reads cost ({who})")

    def markdown(self):
        tmd, oks = self.targets()
        shape_parts = []
        if self.shapes:
            smd, soks = self.shapes_summary()
            oks = oks + [o for o in soks if o is not None]
            shape_parts = [
                f"## Shape sweep ({len(self.shapes)} models; summary per peer)",
                f"Each model against its peer, outputs checked first; batch = {self.manifest['record_batch']:,} rows "
                "on 1 thread, 1 row = " + self.one_row_method() + ". Ratios are mlmap ÷ peer speed: the minimum is "
                "the claim. The kernels were tuned on other shapes (scenarios.TUNING). "
                + (self.pair_method() + " " if self.any_paired() else "") + self.ext_status(),
                smd,
                "### Every shape",
                self.shapes_table(),
            ]
        met = sum(1 for o in oks if o)
        parts = [
            self.header(),
            f"## Targets ({met} of {len(oks)} met)",
            tmd,
            "## Models",
            self.models(),
            "## Single row, one thread: p50 / p99",
            "C++ kernels time each `Model::predict` call of one row with a steady clock; Python columns time "
            "`predict_proba`/`predict` of a 1-row array (sklearn from a joblib file, mlmap through its binding).",
            self.latency(),
            "## Batch throughput, rows/s",
            "At the record batch size; the full curve (1 … {:,} rows) is in throughput.png.".format(
                max(self.manifest["batch_sizes"])),
            self.throughput(),
        ]
        groups = self.groups()
        if groups:
            parts += ["## Groups of shapes",
                      "mlmap's speed-up over the peer across the shapes of each group (the scenarios above "
                      "with that `group` in scenarios.py): a claim holds for the worst, not the median.",
                      groups]
        parts += [
            "## Open / load time (warm page cache, medians)",
            "Python timings exclude imports (sklearn, joblib and mlmap are imported first). "
            "`mlmap.load` runs back to back; the column after it runs `gc.collect()` before each "
            "load, which walks every Python object and so evicts the CPU caches, as in a process "
            "that loads a model once after other work. The size sweep builds forests from the "
            "trained trees (subsets, or copies beyond the trained count).",
            self.loads(),
        ] + shape_parts
        return "\n\n".join(parts) + "\n", oks


def main(results_dir):
    run = Run(results_dir)
    md, oks = run.markdown()
    files = run.plots()
    md += "\n" + "  ".join(f"![{f}]({f})" for f in files) + "\n"
    (run.dir / "results.md").write_text(md)
    return md, oks, files


if __name__ == "__main__":
    md, _, _ = main(sys.argv[1] if len(sys.argv) > 1 else "build/bench-results")
    print(md)
