"""The portal under gunicorn, as deployed, on a loopback port: the HTTP side of the search benchmark.

gunicorn with deploy/gunicorn.conf.py on a free loopback port (INDEX_DIR in
its environment), ``GET /api/search`` with the parameters of
bench/queries.txt: one keep-alive client, then 8 concurrent clients;
bounded request counts, the server is stopped (by its pid) at the end.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO, descendants, latency_summary, mib, proc_status
from bench.queries import BenchQuery

GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with the project's config on a loopback port; stopped by its own pid."""

    def __init__(self, index: Path) -> None:
        self.port = free_port()
        self.index = index
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = index.parent / "gunicorn.log"

    def start(self, timeout: float = 60.0) -> float:
        """Start gunicorn and wait until it answers a search; the seconds that took."""
        env = dict(os.environ, INDEX_DIR=str(self.index), PYTHONPATH=str(REPO))
        env.pop("ES_URL", None)
        env.pop("WEB_CONCURRENCY", None)
        env.update(HOST="127.0.0.1", PORT=str(self.port))
        # The deployment's own config decides workers, app and bind (from HOST/PORT).
        cmd = [PYTHON, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
        started = time.perf_counter()
        with self.log_path.open("wb") as log_handle:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log_handle, stderr=subprocess.STDOUT)
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                status, _ = self.get("/api/search?" + urllib.parse.urlencode({"q": "送温暖"}))
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def get(self, path: str) -> tuple[int, bytes]:
        """One GET on a fresh connection: status and body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def workers(self) -> list[dict[str, float]]:
        """Memory of each worker (the master's descendants), MiB."""
        if self.proc is None:
            return []
        out = []
        for pid in descendants(self.proc.pid):
            status = proc_status(pid)
            out.append(
                {
                    "pid": pid,
                    "rss_mib": mib(status.get("VmRSS", 0)),
                    "peak_rss_mib": mib(status.get("VmHWM", 0)),
                    # Anonymous memory is the worker's own; file-backed pages are the mmapped index,
                    # shared with every other worker through the page cache.
                    "anon_mib": mib(status.get("RssAnon", 0)),
                    "file_mib": mib(status.get("RssFile", 0)),
                }
            )
        return out

    def master_rss(self) -> float:
        """Resident memory of the master, MiB."""
        return mib(proc_status(self.proc.pid).get("VmRSS", 0)) if self.proc else 0.0

    def stop(self) -> None:
        """SIGTERM to the master it started; SIGKILL after 30 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _client(port: int, paths: list[str], latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for path in paths:
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {path[:60]}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{type(exc).__name__} {path[:60]}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()


def http_bench(
    index: Path, queries: list[BenchQuery], one_client: int, concurrent: int, clients: int = 8
) -> dict[str, Any]:
    """Latency and throughput of ``GET /api/search`` with one client, then ``clients`` at once; worker memory."""
    if not GUNICORN_CONF.exists():
        return {"skipped": f"{GUNICORN_CONF.relative_to(REPO)} not found (portal deployment not written yet)"}
    paths = ["/api/search?" + urllib.parse.urlencode(q.params, doseq=True) for q in queries]
    server = Gunicorn(index)
    try:
        first_answer_s = server.start()
        # warm every worker: each answers the whole set once (bounded)
        warm = _Run([paths] * 4)
        warm.go(server.port)
        one = _Run([[paths[i % len(paths)] for i in range(one_client)]])
        one.go(server.port)
        per_client = concurrent // clients
        many = _Run([[paths[(c * 7 + i) % len(paths)] for i in range(per_client)] for c in range(clients)])
        many.go(server.port)
        workers = server.workers()
        master = server.master_rss()
    finally:
        server.stop()
    return {
        "gunicorn_conf": str(GUNICORN_CONF.relative_to(REPO)),
        "workers": len(workers),
        "worker_rss_mib": [w["rss_mib"] for w in workers],
        "worker_peak_rss_mib": [w["peak_rss_mib"] for w in workers],
        "worker_anon_mib": [w["anon_mib"] for w in workers],
        "worker_file_mib": [w["file_mib"] for w in workers],
        "master_rss_mib": master,
        "start_to_first_answer_s": round(first_answer_s, 2),
        "one_client": one.summary(),
        f"{clients}_clients": many.summary(),
        "warm_errors": warm.errors[:5],
    }


class _Run:
    """Clients sending their request paths at once (one client: in this thread), with latencies and errors."""

    def __init__(self, batches: list[list[str]]) -> None:
        self.batches = batches
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.seconds = 0.0

    def go(self, port: int) -> None:
        """Send every batch, each on its own keep-alive connection, and wait for all of them."""
        started = time.perf_counter()
        if len(self.batches) == 1:
            _client(port, self.batches[0], self.latencies, self.errors)
        else:
            threads = [
                threading.Thread(target=_client, args=(port, batch, self.latencies, self.errors))
                for batch in self.batches
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.seconds = time.perf_counter() - started

    def summary(self) -> dict[str, Any]:
        """Latency percentiles, requests answered, the first errors and requests per second."""
        return {
            **latency_summary(self.latencies),
            "requests": len(self.latencies),
            "errors": self.errors[:5],
            "req_per_s": round(len(self.latencies) / self.seconds, 1),
        }
