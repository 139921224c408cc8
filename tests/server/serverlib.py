"""Helpers for the `mlmap serve` tests: start a server on a free port, find
its workers, send requests, stop it.  Servers listen on 127.0.0.1 only."""

import http.client
import json
import os
import signal
import subprocess
import threading
import time

CLI = os.environ["MLMAP_CLI"]

CHECKS = [0]  # checks passed, for the tests' summaries


def check(cond, what):
    """A test assertion that counts itself (CHECKS[0])."""
    CHECKS[0] += 1
    if not cond:
        raise AssertionError(what)


def publish(store, name, path):
    """`mlmap store publish STORE NAME PATH`, which must succeed."""
    out = subprocess.run([CLI, "store", "publish", store, name, path], capture_output=True, text=True)
    check(out.returncode == 0, f"publish failed: {out.stderr}")


def children(pid):
    """PIDs of the processes whose parent is `pid`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(entry))
    return sorted(out)


def pss_kib(pid):
    """Proportional set size of `pid` in KiB (/proc/PID/smaps_rollup)."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError(f"no Pss line for {pid}")


class Server:
    def __init__(self, store, name, workers=2, extra=(), timeout=20):
        # name None: `mlmap serve DIR` serves every name of the store.
        names = [] if name is None else [name]
        self.args = [CLI, "serve", store, *names, "--port", "0", "--workers", str(workers), *extra]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.log = []
        self._stderr = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr.start()
        line = self.proc.stdout.readline()
        if "listening on http://" not in line:
            self.proc.wait(5)
            raise RuntimeError(f"server did not start: {line!r}; stderr: {''.join(self.log)}")
        self.port = int(line.split("http://", 1)[1].split()[0].rsplit(":", 1)[1])
        self.pid = self.proc.pid
        self.n_workers = workers
        self.wait_ready(workers, timeout)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.log.append(line)

    def ready_count(self):
        return sum("worker ready" in line for line in list(self.log))

    def wait_ready(self, n, timeout=20):
        deadline = time.time() + timeout
        while self.ready_count() < n:
            if time.time() > deadline:
                raise AssertionError(f"only {self.ready_count()} of {n} workers ready; log: {''.join(self.log)}")
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}; log: {''.join(self.log)}")
            time.sleep(0.02)

    def workers(self):
        return children(self.pid)

    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        """(status, headers dict with lower-case names, parsed JSON or text)."""
        own = conn is None
        c = self.connection() if own else conn
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = {"Content-Type": "application/json", **(headers or {})}
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read().decode()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            try:
                payload = json.loads(data)
            except ValueError:
                payload = data
            return r.status, hdrs, payload
        finally:
            if own:
                c.close()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"server did not stop within {timeout} s; log: {''.join(self.log)}")
        self._stderr.join(5)
        return rc

    def kill(self):
        """Hard stop of the master and its workers (cleanup after a failure)."""
        workers = self.workers() if self.proc.poll() is None else []
        for p in [self.pid, *workers]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.kill()
        self._stderr.join(5)
        if os.environ.get("MLMAP_SERVER_LOG"):  # debugging: the server's stderr
            print("".join(self.log), end="")
