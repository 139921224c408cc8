#!/usr/bin/python3
"""`mlmap serve`: every endpoint and error case, JSON rows as arrays and as
objects, CSV, probabilities, keep-alive and pipelining, hot reload under
traffic with no failed request, a SIGKILLed worker replaced, graceful
SIGTERM.  Models come from scikit-learn through mlmap.save; servers run
with 2 workers on 127.0.0.1 and a port the kernel picks.

Env: MLMAP_CLI (the mlmap executable), PYTHONPATH with the mlmap package."""

import json
import math
import os
import signal
import socket
import sys
import tempfile
import threading
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

import mlmap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverlib import Server, CHECKS, check, publish  # noqa: E402




def expect_error(srv, status, method, path, body=None, headers=None, contains=(), conn=None):
    st, hdrs, payload = srv.request(method, path, body, headers, conn=conn)
    check(st == status, f"{method} {path}: status {st}, expected {status}: {payload!r}")
    check(isinstance(payload, dict) and isinstance(payload.get("error"), str),
          f"{method} {path}: no {{'error': ...}} body: {payload!r}")
    for c in contains:
        check(c in payload["error"], f"{method} {path}: {c!r} not in {payload['error']!r}")
    return hdrs, payload


def alive(pid):
    """Whether `pid` runs (a zombie waiting to be reaped does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def csv_text(df, header=True):
    return df.to_csv(index=False, header=header)


def raw_exchange(port, data, expect_responses=1, timeout=10):
    """Sends raw bytes, reads until `expect_responses` HTTP responses (by
    Content-Length) arrived or the server closed; returns the raw text."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        buf = b""
        while buf.count(b"HTTP/1.1 ") < expect_responses or not complete(buf, expect_responses):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf.decode(errors="replace")
    finally:
        s.close()


def complete(buf, n):
    """Whether `buf` holds n complete responses."""
    pos = 0
    for _ in range(n):
        head_end = buf.find(b"\r\n\r\n", pos)
        if head_end < 0:
            return False
        head = buf[pos:head_end].decode(errors="replace").lower()
        length = 0
        for line in head.split("\r\n"):
            if line.startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        pos = head_end + 4 + length
        if pos > len(buf):
            return False
    return True


# --- models -------------------------------------------------------------------------

def make_models(tmp):
    rng = np.random.default_rng(7)
    cols = ["sepal_len", "sepal_wid", "petal_len", "petal_wid"]
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=cols)
    y = np.where(X.sepal_len + 0.5 * X.petal_len > 0, "setosa", "virginica")
    # 5 fully grown trees: votes out of 5, never a tie, so swapping the labels
    # swaps every prediction.
    clf1 = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    y2 = np.where(y == "setosa", "virginica", "setosa")
    clf2 = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y2)
    mlmap.save(clf1, f"{tmp}/clf1.mlmap")
    mlmap.save(clf2, f"{tmp}/clf2.mlmap")

    Y = np.column_stack([X.sepal_len * 2 + X.sepal_wid, X.petal_len - X.petal_wid])
    reg2 = RandomForestRegressor(n_estimators=4, max_depth=6, random_state=0).fit(X, Y)
    mlmap.save(reg2, f"{tmp}/reg2.mlmap")

    Xm = X.copy()
    Xm.iloc[::7, 2] = np.nan  # HistGradientBoosting learns where NaN goes
    hgb = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(Xm, X.sepal_len * 3)
    mlmap.save(hgb, f"{tmp}/hgb.mlmap")

    cities = np.array(["Lyon", "Berlin", "Oslo"])
    Xc = pd.DataFrame({"city": cities[rng.integers(0, 3, 300)], "age": rng.integers(18, 80, 300).astype(float),
                       "size": rng.normal(size=300)})
    yc = (Xc.city == "Lyon").astype(int) + (Xc.age > 50).astype(int)  # classes 0, 1, 2
    pipe = Pipeline([
        ("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="error"), ["city"])], remainder="passthrough")),
        ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
    ]).fit(Xc, yc)
    mlmap.save(pipe, f"{tmp}/city.mlmap")
    return dict(X=X, clf1=clf1, clf2=clf2, reg2=reg2, Y=Y, hgb=hgb, Xm=Xm, Xc=Xc, pipe=pipe)


# --- the classifier server: endpoints, formats, errors --------------------------------

def test_endpoints(srv, m):
    X, clf1 = m["X"], m["clf1"]
    st, hdrs, body = srv.request("GET", "/health")
    check(st == 200 and body == {"status": "ok", "version": 1}, f"/health: {st} {body}")
    check(hdrs.get("x-model-version") == "1", f"/health header: {hdrs}")
    check(hdrs.get("content-type") == "application/json", f"content type {hdrs}")

    st, _, info = srv.request("GET", "/model")
    check(st == 200, f"/model {st}")
    check(info["version"] == 1 and len(info["content_hash"]) == 32, f"/model {info}")
    check(info["estimator"] == "sklearn.ensemble.RandomForestClassifier", info["estimator"])
    check(info["task"] == "classification" and info["n_features"] == 4 and info["n_outputs"] == 2, f"/model {info}")
    check(info["feature_names"] == list(X.columns), info["feature_names"])
    check(info["classes"] == ["setosa", "virginica"], info["classes"])
    check(info["string_columns"] == [] and info["name"] == "clf", f"/model {info}")

    rows = X.iloc[:60]
    want = list(clf1.predict(rows))
    st, hdrs, body = srv.request("POST", "/predict", {"instances": rows.values.tolist()})
    check(st == 200 and body["predictions"] == want, f"arrays: {st} {body}")
    check(hdrs.get("x-model-version") == "1", f"predict header {hdrs}")

    # Objects, keys in another order per row.
    objs = [dict(reversed(list(r.items()))) for r in rows.to_dict("records")]
    st, _, body = srv.request("POST", "/predict", {"instances": objs})
    check(st == 200 and body["predictions"] == want, f"objects: {st} {body}")

    st, _, body = srv.request("POST", "/predict?proba=1", {"instances": rows.values.tolist()})
    check(st == 200, f"proba {st} {body}")
    got = np.array(body["predictions"])
    check(got.shape == (60, 2) and np.allclose(got, clf1.predict_proba(rows), atol=1e-9), "proba values")
    st, _, body = srv.request("POST", "/predict?proba=0", {"instances": rows.values.tolist()})
    check(st == 200 and body["predictions"] == want, "proba=0 gives labels")

    # CSV: header in another order with an extra column; no header; charset parameter.
    shuffled = rows[["petal_wid", "sepal_len", "petal_len", "sepal_wid"]].assign(extra=1.5)
    st, _, body = srv.request("POST", "/predict", csv_text(shuffled), {"Content-Type": "text/csv"})
    check(st == 200 and body["predictions"] == want, f"CSV with header: {st} {body}")
    st, _, body = srv.request("POST", "/predict", csv_text(rows, header=False), {"Content-Type": "text/csv; charset=utf-8"})
    check(st == 200 and body["predictions"] == want, f"CSV without header: {st} {body}")
    st, _, body = srv.request("POST", "/predict?proba=1", csv_text(rows), {"Content-Type": "text/csv"})
    check(st == 200 and np.allclose(body["predictions"], clf1.predict_proba(rows), atol=1e-9), "CSV proba")
    st, _, body = srv.request("POST", "/predict", "", {"Content-Type": "text/csv"})
    check(st == 200 and body == {"predictions": []}, f"empty CSV: {body}")
    # The header decision: detected (0..n-1 is pandas' header), or forced by
    # the query (header=1|0) or the media type (RFC 4180 header=present|absent).
    plain = csv_text(rows, header=False)
    numbered = csv_text(rows.set_axis(range(4), axis=1))
    check(numbered.startswith("0,1,2,3\n"), "pandas writes 0..n-1")
    for path, text, ctype, n in [("/predict", numbered, "text/csv", 60),
                                 ("/predict?header=0", numbered, "text/csv", 61),
                                 ("/predict?header=1", csv_text(rows), "text/csv", 60),
                                 ("/predict", csv_text(rows), "text/csv; header=present", 60),
                                 ("/predict", numbered, "text/csv; header=absent", 61),
                                 ("/predict?header=0", plain, "text/csv", 60)]:
        st, _, body = srv.request("POST", path, text, {"Content-Type": ctype})
        check(st == 200 and len(body["predictions"]) == n, f"{path} {ctype}: {st} {len(body.get('predictions', []))} rows")
    # A header forced on a line of numbers does not name the features.
    expect_error(srv, 400, "POST", "/predict?header=1", plain, {"Content-Type": "text/csv"},
                 contains=["CSV line 1: the header lacks"])
    expect_error(srv, 400, "POST", "/predict?header=maybe", plain, {"Content-Type": "text/csv"}, contains=["header takes"])
    expect_error(srv, 400, "POST", "/predict", plain, {"Content-Type": "text/csv; header=perhaps"},
                 contains=["header takes present or absent"])
    st, _, body = srv.request("POST", "/predict", {"instances": []})
    check(st == 200 and body == {"predictions": []}, f"no rows: {body}")
    # curl -d sends application/x-www-form-urlencoded: read as JSON.
    st, _, body = srv.request("POST", "/predict", json.dumps({"instances": rows.values.tolist()[:3]}),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    check(st == 200 and body["predictions"] == want[:3], f"form-encoded JSON: {st} {body}")


def test_errors(srv, m, max_body, max_rows):
    X = m["X"]
    workers_before = srv.workers()
    row = X.iloc[0].tolist()
    expect_error(srv, 400, "POST", "/predict", '{"instances": [[1, 2, 3, 4]', contains=["malformed JSON"])
    expect_error(srv, 400, "POST", "/predict", "{" * 10 + "}" * 10, contains=["malformed JSON"])
    expect_error(srv, 400, "POST", "/predict", '{"instances": ' + "[" * 100000 + "]" * 100000 + "}",
                 contains=["nested deeper"])
    expect_error(srv, 400, "POST", "/predict", b"\xff\xfe{}", {"Content-Type": "application/json"},
                 contains=["malformed JSON"])
    expect_error(srv, 400, "POST", "/predict", {"rows": [row]}, contains=['"instances"'])
    expect_error(srv, 400, "POST", "/predict", {"instances": {"a": 1}}, contains=["array of rows"])
    expect_error(srv, 400, "POST", "/predict", {"instances": [row, 5]}, contains=["row 1"])
    expect_error(srv, 400, "POST", "/predict", {"instances": [row, row[:3]]},
                 contains=["row 1 has 3 values", "takes 4 features", "'petal_wid'"])
    expect_error(srv, 400, "POST", "/predict", {"instances": [row + [1.0]]}, contains=["has more than 4 values", "4 features"])
    obj = dict(zip(X.columns, row))
    expect_error(srv, 400, "POST", "/predict", {"instances": [{**obj, "colour": 1}]},
                 contains=["unknown feature 'colour'", "'sepal_len'"])
    del obj["petal_len"]
    expect_error(srv, 400, "POST", "/predict", {"instances": [obj]}, contains=["lacks feature 'petal_len'"])
    expect_error(srv, 400, "POST", "/predict", {"instances": [[row[0], "abc", row[2], row[3]]]},
                 contains=["feature 1 ('sepal_wid')", "expected a number", "'abc'"])
    expect_error(srv, 400, "POST", "/predict", {"instances": [[True, 1, 2, 3]]}, contains=["expected a number"])
    # Missing values: null, "NaN" and Python's bare NaN all mean missing; a
    # random forest cannot take them.
    for cell in ("null", '"NaN"', "NaN"):
        expect_error(srv, 400, "POST", "/predict", '{"instances": [[1, 2, ' + cell + ', 4]]}',
                     {"Content-Type": "application/json"},
                     contains=["row 0, feature 2 ('petal_len') is missing", "does not accept missing values"])
    # Infinities: one rule for JSON and CSV (refused, naming the cell).
    for cell in ("1e999", "-Infinity", "Infinity"):
        expect_error(srv, 400, "POST", "/predict", '{"instances": [[1, 2, ' + cell + ', 4]]}',
                     {"Content-Type": "application/json"},
                     contains=[f"row 0, feature 2 ('petal_len') is infinite ('{cell}')", "finite numbers"])
    for cell in ("1e999", "inf", "-Infinity"):
        expect_error(srv, 400, "POST", "/predict", f"1,2,{cell},4\n", {"Content-Type": "text/csv"},
                     contains=[f"CSV line 1: column 3 (feature 'petal_len') is infinite ('{cell}')"])
    # A member named twice is refused, not silently resolved.
    expect_error(srv, 400, "POST", "/predict", '{"instances": [[1, 2, 3, 4]], "instances": [[5, 6, 7, 8]]}',
                 {"Content-Type": "application/json"}, contains=['"instances" more than once'])
    # No row is dropped: a first CSV line that is not the model's header is data.
    expect_error(srv, 400, "POST", "/predict", "1,2,3,4x\n5,6,7,8\n", {"Content-Type": "text/csv"},
                 contains=["CSV line 1: column 4 (feature 'petal_wid') is not a number: '4x'"])
    expect_error(srv, 400, "POST", "/predict", "a,b\n1,2\n", {"Content-Type": "text/csv"},
                 contains=["CSV line 1: 2 columns", "'sepal_len'"])
    expect_error(srv, 400, "POST", "/predict", "sepal_len,b\n1,2\n", {"Content-Type": "text/csv"},
                 contains=["header lacks", "'sepal_wid'"])
    expect_error(srv, 400, "POST", "/predict", "1,2,3\n4,5,6\n", {"Content-Type": "text/csv"},
                 contains=["line 1", "3 columns", "takes 4 features"])
    expect_error(srv, 400, "POST", "/predict", csv_text(X.iloc[:2]) + "1,2,3,oops\n", {"Content-Type": "text/csv"},
                 contains=["line 4", "not a number", "'oops'"])
    expect_error(srv, 400, "POST", "/predict", csv_text(X.iloc[:2]) + "1,2,3\n", {"Content-Type": "text/csv"},
                 contains=["line 4", "3 fields, expected 4"])
    expect_error(srv, 400, "POST", "/predict", '1,2,"3,4\n', {"Content-Type": "text/csv"},
                 contains=["unterminated quoted field"])
    expect_error(srv, 415, "POST", "/predict", "<x/>", {"Content-Type": "application/xml"}, contains=["text/csv"])
    expect_error(srv, 400, "POST", "/predict?probability=1", {"instances": [row]}, contains=["unknown query parameter"])
    expect_error(srv, 400, "POST", "/predict?proba=maybe", {"instances": [row]}, contains=["proba takes"])

    # Limits: rows per request and body size.
    expect_error(srv, 413, "POST", "/predict", {"instances": [row] * (max_rows + 1)},
                 contains=[f"the limit is {max_rows}"])
    expect_error(srv, 413, "POST", "/predict", csv_text(pd.concat([X] * 2).iloc[: max_rows + 1]),
                 {"Content-Type": "text/csv"}, contains=["more than"])
    big = json.dumps({"instances": [row] * 30000})
    check(len(big) > max_body, "test body is over the limit")
    expect_error(srv, 413, "POST", "/predict", big, {"Content-Type": "application/json"}, contains=["over the limit"])

    # Paths and methods.
    hdrs, _ = expect_error(srv, 405, "GET", "/predict", contains=["POST /predict"])
    check(hdrs.get("allow") == "POST", f"Allow header {hdrs}")
    hdrs, _ = expect_error(srv, 405, "POST", "/health", "{}", contains=["GET /health"])
    check(hdrs.get("allow") == "GET", f"Allow header {hdrs}")
    expect_error(srv, 405, "DELETE", "/model")
    expect_error(srv, 404, "GET", "/", contains=["no such endpoint"])
    expect_error(srv, 404, "POST", "/v1/models/clf:predict", {"instances": [row]}, contains=["no such endpoint"])

    # Malformed HTTP: a 400 with a JSON body, then the connection closes.
    text = raw_exchange(srv.port, b"GARBAGE\x01 / HTTP/1.1\r\n\r\n")
    check(text.startswith("HTTP/1.1 400") and '"error"' in text, f"malformed request line: {text[:200]!r}")
    text = raw_exchange(srv.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    check(text.startswith("HTTP/1.1 431"), f"huge header: {text[:200]!r}")
    # A Content-Length over the limit is refused before the body is sent.
    text = raw_exchange(srv.port, b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (max_body + 1))
    check(text.startswith("HTTP/1.1 413"), f"Content-Length over the limit: {text[:200]!r}")

    # No worker went down on any of that.
    check(srv.workers() == workers_before, f"workers changed: {workers_before} -> {srv.workers()}")
    st, _, _ = srv.request("GET", "/health")
    check(st == 200, "healthy after the errors")


def test_keep_alive(srv, m):
    X, clf1 = m["X"], m["clf1"]
    conn = srv.connection()
    rows = X.iloc[:5]
    want = list(clf1.predict(rows))
    sock = None
    local = None
    for i in range(300):
        if i % 3 == 2:
            st, hdrs, body = srv.request("GET", "/health", conn=conn)
            check(st == 200 and body["status"] == "ok", f"health #{i}")
        else:
            st, hdrs, body = srv.request("POST", "/predict", {"instances": rows.values.tolist()}, conn=conn)
            check(st == 200 and body["predictions"] == want, f"predict #{i}: {st} {body}")
        check(hdrs.get("connection", "keep-alive").lower() != "close", f"server closed keep-alive: {hdrs}")
        if sock is None:
            sock, local = conn.sock, conn.sock.getsockname()
        check(conn.sock is sock and conn.sock.getsockname() == local, f"request {i} used a new connection")
    # An error reply keeps the connection open too (only HTTP-level errors close it).
    expect_error(srv, 400, "POST", "/predict", {"instances": [[1]]}, conn=conn)
    st, _, _ = srv.request("GET", "/health", conn=conn)
    check(st == 200 and conn.sock is sock, "keep-alive after a 400")
    conn.close()

    # Pipelining: three requests in one write, three responses in order.
    body = json.dumps({"instances": rows.values.tolist()[:1]}).encode()
    req = (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
           % (len(body), body))
    health = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    text = raw_exchange(srv.port, req + health + req, expect_responses=3)
    parts = text.split("HTTP/1.1 ")[1:]
    check(len(parts) == 3 and all(p.startswith("200") for p in parts), f"pipelined: {text!r}")
    check(want[0] in parts[0] and '"status": "ok"' in parts[1] and want[0] in parts[2], f"pipelined order: {text!r}")

    # Expect: 100-continue.
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body))
    first = s.recv(1000)
    check(first.startswith(b"HTTP/1.1 100"), f"100 Continue: {first!r}")
    s.sendall(body)
    resp = b""
    while not complete(resp, 1):
        chunk = s.recv(65536)
        if not chunk:
            break
        resp += chunk
    s.close()
    check(resp.startswith(b"HTTP/1.1 200") and want[0].encode() in resp, f"after 100 Continue: {resp!r}")


def test_hot_reload(srv, m, store, tmp):
    X, clf1, clf2 = m["X"], m["clf1"], m["clf2"]
    rows = X.iloc[:20]
    want = {"1": list(clf1.predict(rows)), "2": list(clf2.predict(rows))}
    check(want["1"] != want["2"], "the two versions answer differently")
    payload = {"instances": rows.values.tolist()}
    stop = threading.Event()
    results = []  # (thread, time, status, version, predictions) or (thread, time, exception)
    lock = threading.Lock()

    def client(k):
        conn = srv.connection(timeout=10)
        while not stop.is_set():
            try:
                st, hdrs, body = srv.request("POST", "/predict", payload, conn=conn)
                item = (k, time.time(), st, hdrs.get("x-model-version"), body)
            except Exception as e:  # a failed request: recorded, then asserted on
                item = (k, time.time(), "exception", repr(e), None)
                conn.close()
                conn = srv.connection(timeout=10)
            with lock:
                results.append(item)
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    t_publish = time.time()
    publish(store, "clf", f"{tmp}/clf2.mlmap")
    t_published = time.time()
    # Wait until every client sees version 2.
    deadline = t_published + 5
    switched = None
    while time.time() < deadline:
        with lock:
            last = {}
            for item in results:
                last[item[0]] = item
        if len(last) == 4 and all(it[3] == "2" for it in last.values()):
            switched = time.time()
            break
        time.sleep(0.01)
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(15)

    failures = [r for r in results if r[2] != 200]
    check(not failures, f"{len(failures)} requests failed during the reload, e.g. {failures[:3]}")
    wrong = [r for r in results if r[4]["predictions"] != want.get(r[3])]
    check(not wrong, f"answers not those of the version they name: {wrong[:2]}")
    check(switched is not None, "clients still on version 1 five seconds after the publish")
    lag = switched - t_published
    print(f"hot reload: {len(results)} requests during it, 0 failed; every client on version 2 "
          f"{lag * 1000:.0f} ms after publish returned (publish took {(t_published - t_publish) * 1000:.0f} ms)")
    check(lag < 1.5, f"reload took {lag:.2f} s")
    st, _, body = srv.request("GET", "/health")
    check(st == 200 and body["version"] == 2, f"/health after reload: {body}")
    st, _, info = srv.request("GET", "/model")
    check(info["version"] == 2, f"/model after reload: {info}")
    return len(results)


def test_worker_restart(srv, m):
    before = srv.workers()
    check(len(before) == 2, f"2 workers: {before}")
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.time() + 5
    while time.time() < deadline:
        now = srv.workers()
        if victim not in now and len(now) == 2:
            break
        time.sleep(0.02)
    now = srv.workers()
    check(victim not in now and len(now) == 2, f"killed worker {victim} not replaced: {before} -> {now}")
    srv.wait_ready(3)  # the two first workers and the replacement
    check(any(f"worker {victim} was killed by signal 9" in line for line in srv.log), "the master logs the death")
    rows = m["X"].iloc[:3].values.tolist()
    for _ in range(20):  # new connections: both workers answer
        st, _, body = srv.request("POST", "/predict", {"instances": rows})
        check(st == 200 and len(body["predictions"]) == 3, f"after restart: {st} {body}")


def test_graceful_stop(srv, m):
    X, clf2 = m["X"], m["clf2"]
    rows = X.iloc[:10]
    body = json.dumps({"instances": rows.values.tolist()}).encode()
    # A request in flight: headers and half of the body sent before SIGTERM.
    inflight = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    inflight.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                     % len(body) + body[: len(body) // 2])
    # An idle keep-alive connection.
    idle = srv.connection(timeout=10)
    st, _, _ = srv.request("GET", "/health", conn=idle)
    check(st == 200, "idle connection's first request")
    time.sleep(0.2)
    t0 = time.time()
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    # No new connections once stopping...
    refused = False
    try:
        c = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
        c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        refused = c.recv(100) == b""
        c.close()
    except OSError:
        refused = True
    check(refused, "a new connection was served after SIGTERM")
    # ... the idle one is closed ...
    idle.sock.settimeout(5)
    check(idle.sock.recv(100) == b"", "the idle keep-alive connection was not closed")
    idle.close()
    check(srv.proc.poll() is None, "the master waits for the request in flight")
    # ... and the one in flight completes.
    inflight.sendall(body[len(body) // 2:])
    resp = b""
    while True:
        chunk = inflight.recv(65536)
        if not chunk:
            break
        resp += chunk
    inflight.close()
    text = resp.decode()
    check(text.startswith("HTTP/1.1 200"), f"in-flight request: {text[:300]!r}")
    check("Connection: close" in text, "the last response says Connection: close")
    preds = json.loads(text.split("\r\n\r\n", 1)[1])["predictions"]
    check(preds == list(clf2.predict(rows)), "in-flight answer")
    rc = srv.stop(timeout=10)
    check(rc == 0, f"exit status {rc} after SIGTERM")
    print(f"graceful stop: exit 0, {time.time() - t0:.2f} s after SIGTERM (0.5 s of it waiting on the test)")


# --- the other models -------------------------------------------------------------------

def test_regressors(store, m):
    X = m["X"]
    rows = X.iloc[:30]
    with Server(store, "reg2") as srv:
        st, _, body = srv.request("POST", "/predict", {"instances": rows.values.tolist()})
        got = np.array(body["predictions"])
        check(st == 200 and got.shape == (30, 2) and np.allclose(got, m["reg2"].predict(rows), rtol=1e-12),
              f"2-output regressor: {st}")
        st, _, info = srv.request("GET", "/model")
        check(info["task"] == "regression" and info["classes"] is None and info["n_outputs"] == 2, f"/model {info}")
        expect_error(srv, 400, "POST", "/predict?proba=1", {"instances": rows.values.tolist()},
                     contains=["needs a classifier"])
        # SIGHUP (a closed terminal) stops as gracefully as SIGTERM: exit 0, said in the log.
        check(srv.stop(sig=signal.SIGHUP) == 0, "reg2 server exit status after SIGHUP")
        check(any("received SIGHUP" in line for line in srv.log), f"SIGHUP not logged: {srv.log[-3:]}")
    with Server(store, "hgb") as srv:
        Xm = m["Xm"].iloc[:30]
        want = m["hgb"].predict(Xm)
        cells = [[None if isinstance(v, float) and math.isnan(v) else v for v in r] for r in Xm.values.tolist()]
        check(any(None in r for r in cells), "rows with missing values")
        st, _, body = srv.request("POST", "/predict", {"instances": cells})
        check(st == 200 and all(isinstance(v, float) for v in body["predictions"]), f"hgb: {st} {body}")
        check(np.allclose(body["predictions"], want, rtol=1e-9), "hgb values with null = missing")
        st, _, body = srv.request("POST", "/predict", csv_text(Xm), {"Content-Type": "text/csv"})
        check(st == 200 and np.allclose(body["predictions"], want, rtol=1e-9), "hgb CSV with empty cells")
        # A master killed outright takes its workers with it (PR_SET_PDEATHSIG).
        workers = srv.workers()
        check(len(workers) == 2, f"workers {workers}")
        os.kill(srv.pid, signal.SIGKILL)
        srv.proc.wait(5)
        deadline = time.time() + 10
        while time.time() < deadline and any(alive(p) for p in workers):
            time.sleep(0.02)
        check(not any(alive(p) for p in workers), "workers outlived their master")


def test_string_columns(store, m):
    Xc, pipe = m["Xc"], m["pipe"]
    rows = Xc.iloc[:40]
    want = [int(v) for v in pipe.predict(rows)]
    with Server(store, "city") as srv:
        st, _, info = srv.request("GET", "/model")
        check(info["string_columns"] == ["city"] and info["classes"] == [0, 1, 2], f"/model {info}")
        check(info["feature_names"] == ["city", "age", "size"], f"/model {info}")
        st, _, body = srv.request("POST", "/predict", {"instances": rows.to_dict("records")})
        check(st == 200 and body["predictions"] == want, f"objects with strings: {st} {body}")
        st, _, body = srv.request("POST", "/predict", {"instances": rows.values.tolist()})
        check(st == 200 and body["predictions"] == want, f"arrays with strings: {st} {body}")
        st, _, body = srv.request("POST", "/predict?proba=1", {"instances": rows.to_dict("records")})
        check(st == 200 and np.allclose(body["predictions"], pipe.predict_proba(rows), atol=1e-9), "proba")
        st, _, body = srv.request("POST", "/predict", csv_text(rows[["size", "city", "age"]]),
                                  {"Content-Type": "text/csv"})
        check(st == 200 and body["predictions"] == want, f"CSV with strings: {st} {body}")
        bad = rows.iloc[:3].to_dict("records")
        bad[2]["city"] = "Paris"
        expect_error(srv, 400, "POST", "/predict", {"instances": bad},
                     contains=["unknown_category", "row 2", "'Paris'"])
        bad[2]["city"] = 7
        expect_error(srv, 400, "POST", "/predict", {"instances": bad},
                     contains=["row 2, feature 0 ('city')", "expected a string"])
        expect_error(srv, 400, "POST", "/predict", {"instances": [{"city": "Lyon", "age": 30}]},
                     contains=["lacks feature 'size'"])
        expect_error(srv, 400, "POST", "/predict", "city,age\nLyon,3\n", {"Content-Type": "text/csv"},
                     contains=["header lacks", "'size'"])
        check(srv.stop(signal.SIGINT) == 0, "city server exit status after SIGINT")


def main():
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="mlmap-serve-") as tmp:
        m = make_models(tmp)
        store = f"{tmp}/store"
        for name, f in [("clf", "clf1"), ("reg2", "reg2"), ("hgb", "hgb"), ("city", "city")]:
            publish(store, name, f"{tmp}/{f}.mlmap")
        print(f"models ready in {time.time() - t0:.1f} s")

        max_body, max_rows = 1 << 20, 500
        with Server(store, "clf", workers=2, extra=["--max-body", str(max_body), "--max-rows", str(max_rows)]) as srv:
            test_endpoints(srv, m)
            test_errors(srv, m, max_body, max_rows)
            test_keep_alive(srv, m)
            test_hot_reload(srv, m, store, tmp)
            test_worker_restart(srv, m)
            test_graceful_stop(srv, m)
        test_regressors(store, m)
        test_string_columns(store, m)
    print(f"{CHECKS[0]} checks passed in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
