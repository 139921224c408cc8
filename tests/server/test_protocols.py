#!/usr/bin/python3
"""`mlmap serve DIR` (every name of a store): the per-name v1 routes, the Open
Inference Protocol (KServe v2) routes, readiness, and the Prometheus metrics
summed over workers (no lost increment under concurrent requests; reloads
counted; a dead worker counted).  Answers are compared with scikit-learn's.

Env: MLMAP_CLI, PYTHONPATH with the mlmap package."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

import mlmap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverlib import CLI, Server, CHECKS, check, publish  # noqa: E402




def expect_error(srv, status, method, path, body=None, contains=()):
    st, _, payload = srv.request(method, path, body)
    check(st == status, f"{method} {path}: {st}, expected {status}: {payload!r}")
    check(isinstance(payload, dict) and set(payload) == {"error"} and isinstance(payload["error"], str),
          f"{method} {path}: not {{'error': str}}: {payload!r}")
    for c in contains:
        check(c in payload["error"], f"{method} {path}: {c!r} not in {payload['error']!r}")
    return payload["error"]


def metrics(srv):
    """{(name, frozenset(labels)): value} from GET /metrics."""
    st, hdrs, text = srv.request("GET", "/metrics")
    check(st == 200 and hdrs["content-type"].startswith("text/plain; version=0.0.4"), f"/metrics: {st} {hdrs}")
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value = line.rsplit(" ", 1)
        if "{" in head:
            name, labels = head[:-1].split("{", 1)
            pairs = frozenset(tuple(p.split("=", 1)) for p in labels.split(",")) if labels else frozenset()
            pairs = frozenset((k, v.strip('"')) for k, v in pairs)
        else:
            name, pairs = head, frozenset()
        out[(name, pairs)] = float(value)
    return out


def total(m, name, **labels):
    want = set(labels.items())
    return sum(v for (n, ls), v in m.items() if n == name and want <= set(ls))


def make_models(tmp):
    rng = np.random.default_rng(11)
    cols = ["sepal_len", "sepal_wid", "petal_len", "petal_wid"]
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=cols)
    y = np.where(X.sepal_len + 0.5 * X.petal_len > 0, "setosa", "virginica")
    clf = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    Y = np.column_stack([X.sepal_len * 2 + X.sepal_wid, X.petal_len - X.petal_wid])
    reg2 = RandomForestRegressor(n_estimators=4, max_depth=6, random_state=0).fit(X, Y)
    cities = np.array(["Lyon", "Berlin", "Oslo"])
    Xc = pd.DataFrame({"city": cities[rng.integers(0, 3, 300)], "age": rng.integers(18, 80, 300).astype(float),
                       "size": rng.normal(size=300)})
    yc = (Xc.city == "Lyon").astype(int) + (Xc.age > 50).astype(int)
    city = Pipeline([
        ("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="error"), ["city"])], remainder="passthrough")),
        ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
    ]).fit(Xc, yc)
    clf2 = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, np.where(y == "setosa", "virginica", "setosa"))
    for name, model in [("clf", clf), ("reg2", reg2), ("city", city), ("clf2", clf2)]:
        mlmap.save(model, f"{tmp}/{name}.mlmap")
    return dict(X=X, cols=cols, clf=clf, reg2=reg2, Xc=Xc, city=city, clf2=clf2)


def test_v1_names(srv, m):
    st, _, payload = srv.request("GET", "/models")
    check(st == 200 and [x["name"] for x in payload["models"]] == ["city", "clf", "reg2"], f"/models: {payload}")
    st, _, payload = srv.request("GET", "/health")
    check(st == 200 and payload == {"status": "ok", "models": {"city": 1, "clf": 1, "reg2": 1}}, f"/health: {payload}")
    X = m["X"].iloc[:20]
    st, hdrs, payload = srv.request("POST", "/models/clf/predict", {"instances": X.values.tolist()})
    check(st == 200 and payload["predictions"] == list(m["clf"].predict(X)), f"/models/clf/predict: {payload}")
    check(hdrs.get("x-model-version") == "1", f"X-Model-Version: {hdrs}")
    st, _, payload = srv.request("POST", "/models/reg2/predict", {"instances": X.values.tolist()})
    check(st == 200 and np.allclose(payload["predictions"], m["reg2"].predict(X)), "/models/reg2/predict")
    st, _, payload = srv.request("GET", "/models/clf")
    check(st == 200 and payload["name"] == "clf" and payload["path"].startswith("clf/v000001-") and
          payload["path"].endswith(".mlmap"), f"GET /models/clf path: {payload.get('path')!r}")
    expect_error(srv, 404, "POST", "/predict", {"instances": [[1, 2, 3, 4]]}, ["/models/NAME/predict"])
    expect_error(srv, 404, "GET", "/models/nope", contains=["'nope'"])
    expect_error(srv, 405, "GET", "/models/clf/predict")
    long_name = "x" * 10000
    msg = expect_error(srv, 404, "POST", f"/models/{long_name}/predict", {"instances": []})
    check(len(msg) < 300, f"a 10 KB name is echoed back in full ({len(msg)} chars)")
    msg = expect_error(srv, 404, "GET", f"/v2/models/{long_name}")
    check(len(msg) < 300, f"v2: a 10 KB name is echoed back in full ({len(msg)} chars)")


def infer(srv, name, inputs, outputs=None, version=None, **extra):
    body = {"inputs": inputs, **extra}
    if outputs is not None:
        body["outputs"] = [{"name": o} for o in outputs]
    path = f"/v2/models/{name}" + (f"/versions/{version}" if version else "") + "/infer"
    return srv.request("POST", path, body)


def test_v2(srv, m):
    st, _, payload = srv.request("GET", "/v2")
    check(st == 200 and payload["name"] == "mlmap" and payload["extensions"] == [], f"/v2: {payload}")
    st, _, payload = srv.request("GET", "/v2/health/live")
    check(st == 200 and payload == {"live": True}, f"live: {payload}")
    st, _, payload = srv.request("GET", "/v2/health/ready")
    check(st == 200 and payload == {"ready": True}, f"ready: {payload}")
    st, _, payload = srv.request("GET", "/v2/models/clf/ready")
    check(st == 200 and payload == {"name": "clf", "ready": True}, f"model ready: {payload}")
    st, _, meta = srv.request("GET", "/v2/models/clf")
    check(st == 200 and meta["name"] == "clf" and meta["versions"] == ["1"] and
          [i["name"] for i in meta["inputs"]] == m["cols"] and
          [(o["name"], o["datatype"]) for o in meta["outputs"]] == [("label", "BYTES"), ("probabilities", "FP64")],
          f"model metadata: {meta}")
    st, _, meta = srv.request("GET", "/v2/models/city/versions/1")
    check(st == 200 and [(i["name"], i["datatype"]) for i in meta["inputs"]] ==
          [("city", "BYTES"), ("age", "FP64"), ("size", "FP64")], f"city metadata: {meta}")

    X = m["X"].iloc[:7]
    labels = list(m["clf"].predict(X))
    proba = m["clf"].predict_proba(X)
    # One [N, 4] tensor, nested and flat.
    for data in (X.values.tolist(), X.values.ravel().tolist()):
        st, _, r = infer(srv, "clf", [{"name": "input-0", "shape": [7, 4], "datatype": "FP32", "data": data}], id="r1")
        check(st == 200 and r["model_name"] == "clf" and r["model_version"] == "1" and r["id"] == "r1", f"infer: {r}")
        out = {o["name"]: o for o in r["outputs"]}
        check(out["label"]["data"] == labels and out["label"]["shape"] == [7] and out["label"]["datatype"] == "BYTES",
              f"labels: {out['label']}")
        check(out["probabilities"]["shape"] == [7, 2] and np.allclose(np.reshape(out["probabilities"]["data"], (7, 2)), proba),
              "probabilities")
    # One tensor per feature, members in any order, shapes [N] and [N, 1].
    per = [{"data": X[c].tolist(), "datatype": "FP64", "name": c, "shape": [7] if k % 2 else [7, 1]}
           for k, c in enumerate(reversed(m["cols"]))]
    st, _, r = infer(srv, "clf", per, outputs=["label"], version=1)
    check(st == 200 and [o["name"] for o in r["outputs"]] == ["label"] and r["outputs"][0]["data"] == labels,
          f"per-feature inputs: {r}")
    # Strings as BYTES; integer classes as INT64.
    Xc = m["Xc"].iloc[:9]
    inputs = [{"name": "city", "shape": [9], "datatype": "BYTES", "data": Xc.city.tolist()},
              {"name": "age", "shape": [9], "datatype": "INT64", "data": Xc.age.astype(int).tolist()},
              {"name": "size", "shape": [9], "datatype": "FP64", "data": Xc["size"].tolist()}]
    st, _, r = infer(srv, "city", inputs)
    out = {o["name"]: o for o in r.get("outputs", [])} if st == 200 else {}
    check(st == 200 and out["label"]["datatype"] == "INT64" and out["label"]["data"] == m["city"].predict(Xc).tolist(),
          f"city: {st} {r}")
    # Regressor with 2 outputs.
    st, _, r = infer(srv, "reg2", [{"name": "x", "shape": [7, 4], "datatype": "FP64", "data": X.values.tolist()}])
    check(st == 200 and r["outputs"][0]["name"] == "predictions" and r["outputs"][0]["shape"] == [7, 2] and
          np.allclose(np.reshape(r["outputs"][0]["data"], (7, 2)), m["reg2"].predict(X)), f"reg2: {r}")

    # Errors: {"error": "..."}.
    t = {"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}
    expect_error(srv, 404, "POST", "/v2/models/nope/infer", {"inputs": [t]}, ["'nope'"])
    expect_error(srv, 404, "POST", "/v2/models/clf/versions/2/infer", {"inputs": [t]}, ["current version is 1"])
    expect_error(srv, 405, "GET", "/v2/models/clf/infer")
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, shape=[2, 4])]}, ["shape holds 8"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, data=[1, 2, 3, 4, 5])]}, ["more values"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, datatype="BYTES")]}, ["numeric"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, datatype="FP128")]}, ["FP128"])
    # Values the datatype cannot hold, and data nested otherwise than its shape.
    for datatype, bad, why in [("INT8", 300, "not a INT8"), ("UINT8", -3, "not a UINT8"), ("INT64", 3.5, "not a INT64"),
                               ("BOOL", 2, "not a BOOL"), ("FP16", 70000, "FP16's range"), ("FP32", 1e39, "FP32's range")]:
        expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, datatype=datatype, data=[1, 0, bad, 1])]},
                     [f"{bad} ", why])
    for datatype, data in [("BOOL", [True, False, 1, 0]), ("INT8", [-128, 127, 0, 1]), ("UINT64", [0, 2 ** 63, 1, 1])]:
        st, _, r = infer(srv, "clf", [dict(t, datatype=datatype, data=data)])
        check(st == 200 and r["outputs"][0]["data"] == list(m["clf"].predict(pd.DataFrame([data], columns=m["cols"]).astype(float))),
              f"{datatype} {data}: {st} {r}")
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, data=[[1, 2], [3, 4]])]}, ["holds 2 values", "says 4"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, data=[1, 2, [3], 4])]}, ["not nested as its shape"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, data=[[[1, 2, 3, 4]]])]}, ["not nested as its shape"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, data=[1, 2, None, 4])]}, ["missing"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [dict(t, shape=[1, 3])]}, ["one input per feature"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": [t], "outputs": [{"name": "nope"}]}, ["no output 'nope'"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"inputs": per[:3]}, ["no input for feature"])
    expect_error(srv, 400, "POST", "/v2/models/clf/infer", {"nothing": 1}, ["no \"inputs\""])
    st, _, p = srv.request("POST", "/v2/models/clf/infer", body='{"inputs": [], "inputs": []}',
                           headers={"Content-Type": "application/json"})
    check(st == 400 and "more than once" in p["error"], f"duplicate inputs: {st} {p}")
    expect_error(srv, 413, "POST", "/v2/models/clf/infer",
                 {"inputs": [dict(t, shape=[10 ** 9, 4], data=[])]}, ["limit"])


def test_metrics(srv, m, store, tmp):
    """Concurrent requests over both workers: every one counted exactly once."""
    before = metrics(srv)
    X = m["X"].iloc[:3].values.tolist()
    n_threads, per_thread = 8, 40
    errors = []

    def client(k):
        conn = srv.connection()
        try:
            for i in range(per_thread):
                if (k + i) % 2:
                    st, _, _ = srv.request("POST", "/models/clf/predict", {"instances": X}, conn=conn)
                else:
                    st, _, _ = infer(srv, "clf", [{"name": "x", "shape": [3, 4], "datatype": "FP64", "data": X}])
                if st != 200:
                    errors.append(st)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, f"metrics load: failed requests {errors[:5]}")
    after = metrics(srv)
    n = n_threads * per_thread

    def delta(name, **labels):
        return total(after, name, **labels) - total(before, name, **labels)

    got = delta("mlmap_requests_total", model="clf", status="200", route="predict") + \
        delta("mlmap_requests_total", model="clf", status="200", route="v2_infer")
    check(got == n, f"requests counted {got}, sent {n}")
    check(delta("mlmap_request_duration_seconds_count", model="clf") == n, "histogram count")
    check(delta("mlmap_rows_predicted_total", model="clf") == 3 * n, "rows predicted")
    inf = total(after, "mlmap_request_duration_seconds_bucket", model="clf", route="predict", le="+Inf")
    check(inf == total(after, "mlmap_request_duration_seconds_count", model="clf", route="predict"), "+Inf bucket = count")
    check(total(after, "mlmap_model_version", model="clf") == 1, "model version gauge")
    check(total(after, "mlmap_in_flight_requests") == 1, "in flight: only the /metrics request itself")
    check(total(after, "mlmap_buffered_bytes") == 0, "buffered bytes: none (GET /metrics has no body)")

    # A reload is counted by each worker, and the version gauge follows.
    publish(store, "clf", f"{tmp}/clf2.mlmap")
    deadline = time.time() + 10
    while time.time() < deadline:
        now = metrics(srv)
        if total(now, "mlmap_reloads_total", model="clf") >= srv.n_workers and total(now, "mlmap_model_version", model="clf") == 2:
            break
        time.sleep(0.1)
    check(total(now, "mlmap_reloads_total", model="clf") == srv.n_workers, f"reloads: {total(now, 'mlmap_reloads_total', model='clf')}")
    check(total(now, "mlmap_reload_failures_total") == 0, "reload failures")
    st, _, r = infer(srv, "clf", [{"name": "x", "shape": [3, 4], "datatype": "FP64", "data": X}], outputs=["label"])
    check(st == 200 and r["model_version"] == "2" and r["outputs"][0]["data"] == list(m["clf2"].predict(m["X"].iloc[:3])),
          f"after the reload: {r}")

    # A killed worker is replaced and counted; its gauges go back to 0.
    victim = srv.workers()[0]
    os.kill(victim, signal.SIGKILL)
    srv.wait_ready(srv.n_workers + 1)
    now = metrics(srv)
    check(total(now, "mlmap_worker_restarts_total") == 1, "worker restarts")


def test_discovery(srv, m, store, tmp):
    """A name published while `mlmap serve DIR` runs is served within ~1 s,
    by every worker, under its own name in the metrics."""
    publish(store, "late", f"{tmp}/clf.mlmap")
    X = m["X"].iloc[:5]
    deadline = time.time() + 15
    while time.time() < deadline:
        if sum("serving 'late'" in line for line in srv.log) >= srv.n_workers:
            break
        time.sleep(0.1)
    check(sum("serving 'late'" in line for line in srv.log) >= srv.n_workers, f"'late' not picked up: {srv.log[-5:]}")
    for _ in range(6):  # over both workers
        st, _, payload = srv.request("POST", "/models/late/predict", {"instances": X.values.tolist()})
        check(st == 200 and payload["predictions"] == list(m["clf"].predict(X)), f"late: {st} {payload}")
    st, _, r = infer(srv, "late", [{"name": "x", "shape": [5, 4], "datatype": "FP64", "data": X.values.tolist()}],
                     outputs=["label"])
    check(st == 200 and r["outputs"][0]["data"] == list(m["clf"].predict(X)), f"late v2: {r}")
    now = metrics(srv)
    check(total(now, "mlmap_requests_total", model="late", route="predict", status="200") == 6, "late in the metrics")
    check(total(now, "mlmap_model_version", model="late") == 1, "late's version gauge")
    st, _, payload = srv.request("GET", "/v2/health/ready")
    check(st == 200, f"ready with late: {payload}")


def test_empty_store(tmp, m):
    """`mlmap serve DIR` on a store that holds no name yet: live, not ready,
    and the first name published is served within ~1 s."""
    store = f"{tmp}/empty-store"
    mlmap.Store(store)  # made, and empty
    with Server(store, None, workers=1) as srv:
        st, _, payload = srv.request("GET", "/v2/health/live")
        check(st == 200 and payload == {"live": True}, f"empty store: live {st} {payload}")
        st, _, payload = srv.request("GET", "/v2/health/ready")
        check(st == 400 and payload == {"ready": False}, f"empty store: ready {st} {payload}")
        st, _, payload = srv.request("GET", "/models")
        check(st == 200 and payload["models"] == [], f"empty store: /models {st} {payload}")
        publish(store, "first", f"{tmp}/clf.mlmap")
        deadline = time.time() + 15
        while time.time() < deadline and not any("serving 'first'" in line for line in srv.log):
            time.sleep(0.1)
        X = m["X"].iloc[:5]
        st, _, payload = srv.request("POST", "/models/first/predict", {"instances": X.values.tolist()})
        check(st == 200 and payload["predictions"] == list(m["clf"].predict(X)), f"first: {st} {payload}")
        st, _, payload = srv.request("GET", "/v2/health/ready")
        check(st == 200, f"ready once a name is served: {st} {payload}")


def test_single(store, m):
    """`mlmap serve DIR NAME` as before: the v1 routes without a name, plus v2."""
    out = subprocess.run([CLI, "serve", store, "n" * 10000, "--port", "0"], capture_output=True, text=True, timeout=20)
    check(out.returncode == 2 and 0 < len(out.stderr) < 400, f"a 10 KB name: exit {out.returncode}, {len(out.stderr)} chars")
    with Server(store, "reg2", workers=1) as srv:
        st, _, payload = srv.request("GET", "/health")
        check(st == 200 and payload == {"status": "ok", "version": 1}, f"single /health: {payload}")
        X = m["X"].iloc[:4]
        st, _, payload = srv.request("POST", "/predict", {"instances": X.values.tolist()})
        check(st == 200 and np.allclose(payload["predictions"], m["reg2"].predict(X)), "single /predict")
        st, _, payload = srv.request("GET", "/model")
        check(st == 200 and not payload["path"].startswith("/") and payload["path"].startswith("reg2/"), f"single /model: {payload['path']}")
        st, _, r = infer(srv, "reg2", [{"name": "x", "shape": [4, 4], "datatype": "FP64", "data": X.values.tolist()}])
        check(st == 200 and np.allclose(np.reshape(r["outputs"][0]["data"], (4, 2)), m["reg2"].predict(X)), "single v2")
        expect_error(srv, 404, "GET", "/v2/models/clf", contains=["'clf'"])


def test_not_ready(tmp):
    """A current version that fails the worker's verify() (--warm): live, not
    ready (the file was damaged in the store after it was published)."""
    store = f"{tmp}/damaged"
    publish(store, "clf", f"{tmp}/clf.mlmap")
    path = [os.path.join(store, "clf", f) for f in os.listdir(os.path.join(store, "clf")) if f.endswith(".mlmap")][0]
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        f.seek(-9, os.SEEK_END)
        byte = f.read(1)
        f.seek(-9, os.SEEK_END)
        f.write(bytes([byte[0] ^ 0x55]))
    with Server(store, None, workers=1, extra=["--warm"]) as srv:
        check(any("failed verification" in line for line in srv.log), f"no verification failure logged: {srv.log}")
        st, _, payload = srv.request("GET", "/v2/health/live")
        check(st == 200 and payload == {"live": True}, f"damaged: live {st} {payload}")
        st, _, payload = srv.request("GET", "/v2/health/ready")
        check(st == 400 and payload == {"ready": False}, f"damaged: ready {st} {payload}")
        st, _, payload = srv.request("GET", "/v2/models/clf/ready")
        check(st == 400 and payload == {"name": "clf", "ready": False}, f"damaged: model ready {st} {payload}")


def test_multi_output(tmp, m):
    """A multi-output classifier: one label per output, v1 rows of labels,
    v2 a [N, m] label tensor."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier
    X = m["X"]
    Y = np.column_stack([np.where(X.sepal_len > 0, "hi", "lo"), np.digitize(X.petal_len, [-0.5, 0.5]).astype(str)])
    multi = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    mlmap.save(multi, f"{tmp}/multi.mlmap")
    store = f"{tmp}/multi-store"
    publish(store, "multi", f"{tmp}/multi.mlmap")
    with Server(store, None, workers=1) as srv:
        rows = X.iloc[:6]
        want = multi.predict(rows).tolist()
        st, _, payload = srv.request("POST", "/models/multi/predict", {"instances": rows.values.tolist()})
        check(st == 200 and payload["predictions"] == want, f"multi-output v1: {st} {payload}")
        st, _, meta = srv.request("GET", "/v2/models/multi")
        check(st == 200 and meta["outputs"][0] == {"name": "label", "datatype": "BYTES", "shape": [-1, 2]},
              f"multi-output metadata: {meta}")
        st, _, r = infer(srv, "multi", [{"name": "x", "shape": [6, 4], "datatype": "FP64", "data": rows.values.tolist()}],
                         outputs=["label"])
        out = r["outputs"][0] if st == 200 else {}
        check(st == 200 and out["shape"] == [6, 2] and out["data"] == [v for row in want for v in row],
              f"multi-output v2: {st} {r}")


def test_detector_and_hard_classifier(tmp, m):
    """An outlier detector answers -1 / 1 as its predict (and the CLI) does,
    v2 its label and its anomaly scores; a classifier without probabilities
    (LinearSVC) its labels, and no proba=1."""
    from sklearn.ensemble import IsolationForest
    from sklearn.svm import LinearSVC
    X = m["X"]
    iso = IsolationForest(n_estimators=10, random_state=0).fit(X)
    svc = LinearSVC(random_state=0).fit(X, np.where(X.sepal_len > 0, "hi", "lo"))
    store = f"{tmp}/detector-store"
    for name, model in [("iso", iso), ("svc", svc)]:
        mlmap.save(model, f"{tmp}/{name}.mlmap")
        publish(store, name, f"{tmp}/{name}.mlmap")
    rows = pd.concat([X.iloc[:6], X.iloc[:2] * 40])  # inliers and far outliers
    with Server(store, None, workers=1) as srv:
        want = iso.predict(rows).tolist()
        check(set(want) == {-1, 1}, f"the rows hold no outlier or no inlier: {want}")
        st, _, payload = srv.request("POST", "/models/iso/predict", {"instances": rows.values.tolist()})
        check(st == 200 and payload["predictions"] == want, f"detector v1: {st} {payload}")
        st, _, meta = srv.request("GET", "/v2/models/iso")
        check(st == 200 and [(o["name"], o["datatype"]) for o in meta["outputs"]] ==
              [("label", "INT64"), ("predictions", "FP64")], f"detector metadata: {meta}")
        st, _, r = infer(srv, "iso", [{"name": "x", "shape": list(rows.shape), "datatype": "FP64",
                                       "data": rows.values.tolist()}])
        out = {o["name"]: o["data"] for o in r.get("outputs", [])}
        check(st == 200 and out.get("label") == want and np.allclose(out["predictions"], iso.score_samples(rows)),
              f"detector v2: {st} {r}")
        expect_error(srv, 400, "POST", "/models/iso/predict?proba=1", {"instances": [[1, 2, 3, 4]]},
                     contains=["needs a classifier"])
        st, _, payload = srv.request("POST", "/models/svc/predict", {"instances": rows.values.tolist()})
        check(st == 200 and payload["predictions"] == svc.predict(rows).tolist(), f"LinearSVC v1: {st} {payload}")
        expect_error(srv, 400, "POST", "/models/svc/predict?proba=1", {"instances": [[1, 2, 3, 4]]},
                     contains=["gives no probabilities"])


def main():
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="mlmap-proto-") as tmp:
        m = make_models(tmp)
        store = f"{tmp}/store"
        for name in ["clf", "reg2", "city"]:
            publish(store, name, f"{tmp}/{name}.mlmap")
        with Server(store, None, workers=2) as srv:
            test_v1_names(srv, m)
            test_v2(srv, m)
            test_metrics(srv, m, store, tmp)
            test_discovery(srv, m, store, tmp)
        test_single(store, m)
        test_empty_store(tmp, m)
        test_not_ready(tmp)
        test_multi_output(tmp, m)
        test_detector_and_hard_classifier(tmp, m)
    print(f"{CHECKS[0]} checks passed in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
