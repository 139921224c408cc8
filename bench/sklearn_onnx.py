"""Converts the shape sweep's scikit-learn models to ONNX (skl2onnx) for the
ONNX Runtime peer of peers_ext.py, in an environment that can unpickle them.

The models are joblib pickles of the scikit-learn that trained them
(make_models.py runs in Debian's Python: 1.2.1), and later releases cannot
read them (tree node arrays gained a field, modules moved).  So this runs in
a venv over that same interpreter that sees its system packages and adds
skl2onnx and onnx (tools/requirements-sklearn-onnx.txt; `tools/dev.sh bench`
makes it), and refuses any scikit-learn other than the one that wrote the
pickles.  The .onnx file it writes next to each joblib file is portable:
peers_ext.py times it with ONNX Runtime in its own interpreter, after checking
its outputs against the stored reference like every peer's.  A file written
by the same converter versions from the same pickle is reused.  Writes one JSON file: the
converter's versions and, per shape, the .onnx file or why there is none.

  PYTHON bench/sklearn_onnx.py --manifest build/bench-cache/manifest-full.json --out sklearn_onnx.json
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import ONNX_INPUT, parse_args  # noqa: E402


def log(*a):
    print("[sklearn-onnx]", *a, flush=True)


def converter():
    """(versions, the conversion function) or raises ImportError."""
    import importlib.metadata
    import joblib
    import onnx
    import skl2onnx
    import sklearn
    from skl2onnx.common.data_types import FloatTensorType

    def convert(e):
        est = joblib.load(e["joblib"])
        # zipmap off: probabilities as one float tensor, as mlmap returns them
        options = {id(est): {"zipmap": False}} if e["kind"] == "classification" else None
        return skl2onnx.convert_sklearn(est, initial_types=[(ONNX_INPUT, FloatTensorType([None, e["n_features"]]))],
                                        options=options).SerializeToString()

    versions = {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__, "onnx": onnx.__version__,
                "protobuf": importlib.metadata.version("protobuf")}
    return versions, convert


def main():
    args, man = parse_args(__doc__)
    res = {"python": sys.executable, "python_version": platform.python_version(), "shapes": {}}
    why = None
    try:
        versions, convert = converter()
    except ImportError as ex:
        why = f"{sys.executable} cannot convert: {type(ex).__name__}: {ex}"
    else:
        res["versions"] = versions
        wrote = man["versions"]["sklearn"]
        if versions["scikit-learn"] != wrote:
            why = (f"scikit-learn {versions['scikit-learn']} cannot read the pickles of {wrote} "
                   "(tools/requirements-sklearn-onnx.txt)")
    res["available"] = why is None
    if why:
        res["why"] = why
        log(why)
    for e in man["scenarios"] if not why else ():
        if not e.get("shape") or not e.get("joblib") or (args.only and e["name"] not in args.only):
            continue
        onx, stamp = Path(e["dir"]) / "model.onnx", Path(e["dir"]) / "model.onnx.json"
        st = Path(e["joblib"]).stat()
        made_from = dict(versions, joblib=[st.st_size, st.st_mtime_ns])  # a retrained pickle: convert again
        if onx.exists() and stamp.exists() and json.loads(stamp.read_text()) == made_from:
            res["shapes"][e["name"]] = {"onnx": str(onx), "reused": True}
            continue
        t0 = time.monotonic()
        try:
            blob = convert(e)
        except Exception as ex:  # noqa: BLE001 - a converter's refusal is a result
            res["shapes"][e["name"]] = {"skipped": f"skl2onnx: {type(ex).__name__}: {str(ex).splitlines()[0][:120]}"}
            log(f"{e['name']}: {res['shapes'][e['name']]['skipped']}")
            continue
        tmp = onx.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(blob)
        tmp.replace(onx)
        stamp.write_text(json.dumps(made_from))
        res["shapes"][e["name"]] = {"onnx": str(onx), "seconds": time.monotonic() - t0}
        log(f"{e['name']}: {onx} ({len(blob):,} bytes, {time.monotonic() - t0:.1f} s)")
    args.out.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
