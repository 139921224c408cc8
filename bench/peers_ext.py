"""Peers that live in another Python environment: LightGBM's predictor and
ONNX Runtime, on the shape sweep's models.  run_benchmarks.py starts this
with the interpreter given by --peer-python or MLMAP_BENCH_PYTHON (a venv
with lightgbm, onnxruntime, onnx, onnxmltools and xgboost: tools/dev.sh
bench uses tools/requirements-current.txt's); without one, or for a peer or
shape it cannot run, the report says so and why.  It needs only numpy to start, and imports nothing of mlmap.

  LightGBM     the XGBoost shapes, converted from XGBoost's JSON into
               LightGBM's model text (same trees: XGBoost's x < t is
               x <= the largest float32 below t; NaN follows default_left;
               the base margin is added to each class's first tree) and
               predicted by lightgbm.Booster.predict.
  ONNX Runtime every shape: XGBoost models through onnxmltools, scikit-learn
               models from the .onnx files sklearn_onnx.py wrote with
               skl2onnx in the environment that trained them (--sklearn-onnx
               names its JSON); an InferenceSession with one thread.

Before timing, each peer's outputs are compared with the stored reference
(the original library's predictions); a peer that differs by more than its
tolerance is reported as a mismatch and not timed (ONNX Runtime sums in
float32, hence its looser tolerance).  Writes one JSON file.

  PYTHON bench/peers_ext.py --manifest build/bench-cache/manifest-full.json --out peers_ext.json \
         [--sklearn-onnx sklearn_onnx.json]
"""

import json
import math
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import ONNX_INPUT, Timer, batch_blocks, parse_args, read_stored  # noqa: E402

TOLERANCE = {"lightgbm": 1e-5, "onnxruntime": 1e-4}
WHY = {"lightgbm": "LightGBM adds the base margin to the first tree's leaves",
       "onnxruntime": "ONNX Runtime's tree ensembles accumulate in float32"}


def log(*a):
    print("[peers-ext]", *a, flush=True)


# ---------------------------------------------------------------------------
# LightGBM from XGBoost's JSON

def _xgb_model(path):
    doc = json.loads(Path(path).read_text())
    learner = doc["learner"]
    base = float(learner["learner_model_param"]["base_score"].strip("[]"))
    objective = learner["objective"]["name"]
    model = learner["gradient_booster"]["model"]
    return objective, base, int(learner["learner_model_param"].get("num_class", "0")), model


def lightgbm_text(path, n_features):
    """XGBoost JSON -> LightGBM model text with the same trees."""
    objective, base, num_class, model = _xgb_model(path)
    K = max(1, num_class)
    if objective in ("binary:logistic",):
        lgb_objective, margin = "binary sigmoid:1", math.log(base / (1 - base))
    elif objective in ("multi:softprob", "multi:softmax"):
        lgb_objective, margin = f"multiclass num_class:{K}", None
    elif objective == "reg:squarederror":
        lgb_objective, margin = "regression", base
    else:
        raise ValueError(f"objective {objective} has no LightGBM equivalent here")
    trees = model["trees"]
    info = model["tree_info"]
    if any(int(c) != i % K for i, c in enumerate(info)):
        raise ValueError("trees are not interleaved by class")
    if margin is None:  # multi:softprob: base_score on every class's margin
        margin = base
    out = ["tree", "version=v4", f"num_class={K}", f"num_tree_per_iteration={K}", "label_index=0",
           f"max_feature_idx={n_features - 1}", f"objective={lgb_objective}",
           "feature_names=" + " ".join(f"f{i}" for i in range(n_features)),
           "feature_infos=" + " ".join("[-1e+300:1e+300]" for _ in range(n_features)), ""]
    for i, t in enumerate(trees):
        left, right = t["left_children"], t["right_children"]
        feat, cond, dleft = t["split_indices"], t["split_conditions"], t["default_left"]
        internal, leaves = {}, {}
        stack = [0]
        while stack:  # preorder, left first: leaves in left-to-right order
            k = stack.pop()
            if left[k] == -1:
                leaves[k] = len(leaves)
            else:
                internal[k] = len(internal)
                stack += [right[k], left[k]]
        def child(c):
            return str(internal[c]) if left[c] != -1 else str(~leaves[c])
        order = sorted(internal, key=internal.get)
        leaf_order = sorted(leaves, key=leaves.get)
        first = i < K  # the first round adds the base margin
        leaf_value = [float(cond[k]) + (margin if first else 0.0) for k in leaf_order]
        thr = [float(np.nextafter(np.float32(cond[k]), np.float32(-np.inf))) for k in order]
        out += [f"Tree={i}", f"num_leaves={len(leaves)}", "num_cat=0"]
        if order:
            out += ["split_feature=" + " ".join(str(feat[k]) for k in order),
                    "split_gain=" + " ".join("0" for _ in order),
                    "threshold=" + " ".join(repr(x) for x in thr),
                    "decision_type=" + " ".join(str(8 | (2 if dleft[k] else 0)) for k in order),
                    "left_child=" + " ".join(child(left[k]) for k in order),
                    "right_child=" + " ".join(child(right[k]) for k in order)]
        out += ["leaf_value=" + " ".join(repr(v) for v in leaf_value), "is_linear=0", "shrinkage=1", "", ""]
    out += ["end of trees", "", "pandas_categorical:null", ""]
    return "\n".join(out)


class LightGBMPeer:
    name = "lightgbm"

    def __init__(self):
        import lightgbm
        self.lgb = lightgbm
        self.version = lightgbm.__version__

    def make(self, e):
        if not e.get("xgb_json"):
            raise ValueError("converted from XGBoost models only")
        b = self.lgb.Booster(model_str=lightgbm_text(e["xgb_json"], e["n_features"]), params={"num_threads": 1})
        return lambda X: b.predict(X, num_threads=1)


class OnnxRuntimePeer:
    name = "onnxruntime"

    def __init__(self, sklearn_onnx):
        import onnxruntime
        self.ort = onnxruntime
        self.version = onnxruntime.__version__
        self.sklearn_onnx = sklearn_onnx  # sklearn_onnx.py's JSON, or None

    def model_bytes(self, e):
        if e.get("xgb_json"):
            import onnxmltools
            import xgboost
            from onnxmltools.convert.common.data_types import FloatTensorType
            est = xgboost.XGBRegressor() if e["kind"] == "regression" else xgboost.XGBClassifier()
            est.load_model(e["xgb_json"])
            inputs = [(ONNX_INPUT, FloatTensorType([None, e["n_features"]]))]
            return onnxmltools.convert_xgboost(est, initial_types=inputs, target_opset=15).SerializeToString()
        # scikit-learn: converted where the pickle can be read (sklearn_onnx.py)
        conv = self.sklearn_onnx
        if conv is None:
            raise ValueError("no .onnx file: bench/sklearn_onnx.py did not run "
                             "(run_benchmarks.py --sklearn-onnx-python)")
        if not conv.get("available"):
            raise ValueError(conv.get("why", "bench/sklearn_onnx.py could not convert"))
        r = conv["shapes"].get(e["name"], {"skipped": "not converted by bench/sklearn_onnx.py"})
        if "onnx" not in r:
            raise ValueError(r["skipped"])
        return Path(r["onnx"]).read_bytes()

    def make(self, e):
        so = self.ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        s = self.ort.InferenceSession(self.model_bytes(e), so, providers=["CPUExecutionProvider"])
        names = [o.name for o in s.get_outputs()]
        want = names[-1] if e["kind"] == "classification" else names[0]  # probabilities / values
        return lambda X: s.run([want], {ONNX_INPUT: X})[0]


def compare(out, ref, tol):
    out = np.asarray(out, np.float64).reshape(len(ref), -1)
    if out.shape[1] != ref.shape[1]:
        if ref.shape[1] == 1 and out.shape[1] == 2:
            out = out[:, 1:]
        elif ref.shape[1] == 2 and out.shape[1] == 1:
            out = np.hstack([1 - out, out])
        else:
            return math.inf, len(ref)
    d = np.abs(out - ref)
    return float(d.max(initial=0.0)), int((d > tol * np.maximum(1.0, np.abs(ref))).sum())


def main():
    args, man = parse_args(__doc__, [("--sklearn-onnx", "sklearn_onnx.py's JSON: the scikit-learn shapes' .onnx")])
    conv = args.sklearn_onnx
    sklearn_onnx = json.loads(conv.read_text()) if conv and conv.exists() else None
    quick = man["quick"]
    budget = 0.3 if quick else 1.0
    record = man["record_batch"]
    res = {"python": sys.executable, "python_version": platform.python_version(),
           "numpy": np.__version__, "tolerance": TOLERANCE, "tolerance_why": WHY, "peers": {}, "shapes": {}}
    if sklearn_onnx:
        res["sklearn_onnx"] = {k: sklearn_onnx.get(k) for k in ("python", "available", "why", "versions")}
    peers = []
    for cls, kw in ((LightGBMPeer, {}), (OnnxRuntimePeer, {"sklearn_onnx": sklearn_onnx})):
        try:
            p = cls(**kw)
            peers.append(p)
            res["peers"][cls.name] = {"available": True, "version": p.version}
        except Exception as ex:  # noqa: BLE001 - any import failure means "not here"
            res["peers"][cls.name] = {"available": False, "why": f"{type(ex).__name__}: {ex}"}
            log(f"{cls.name}: not available ({type(ex).__name__}: {ex})")
    for e in man["scenarios"]:
        if not e.get("shape") or (args.only and e["name"] not in args.only):
            continue
        n = min(e["n_test"], max(record, 2000))
        X, ref = read_stored(e, n)
        out = res["shapes"][e["name"]] = {}
        for p in peers:
            try:
                fn = p.make(e)
            except Exception as ex:  # noqa: BLE001 - a converter's refusal is a result
                out[p.name] = {"skipped": f"{type(ex).__name__}: {str(ex).splitlines()[0][:120]}"}
                log(f"{e['name']} {p.name}: skipped ({out[p.name]['skipped']})")
                continue
            # The reference is the original library's output: its own
            # precision (the shape's tolerance) bounds the check too.
            tol = max(TOLERANCE[p.name], e.get("tolerance", 0.0))
            d, bad = compare(fn(X[:min(n, 5000)]), ref[:min(n, 5000)], tol)
            log(f"check {e['name']}: {p.name} vs {e['peer']}: max|diff|={d:.3g} bad={bad}")
            if bad:
                out[p.name] = {"mismatch": f"max|diff| {d:.3g}, {bad} values beyond {tol:g}"}
                continue
            b = min(record, len(X))
            blocks = [np.ascontiguousarray(x) for x in batch_blocks(X, b, count=4)]
            tb = Timer(budget)(fn, lambda i: blocks[i % 4])
            rows1 = [np.ascontiguousarray(X[i:i + 1]) for i in range(min(len(X), 2048))]
            ts = Timer(budget, min_calls=20)(fn, lambda i: rows1[i % len(rows1)])
            out[p.name] = {"max_diff": d, "batch_rows": b, "batch_rows_per_s": b / float(np.median(tb)),
                           "single_p50_us": float(np.percentile(ts * 1e6, 50))}
            log(f"{e['name']} {p.name}: batch {out[p.name]['batch_rows_per_s']:.0f} rows/s, "
                f"1 row p50 {out[p.name]['single_p50_us']:.1f} us")
    args.out.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
