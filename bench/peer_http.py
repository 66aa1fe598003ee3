"""The portal over HTTP beside stock Elasticsearch: latency in the alternation, and throughput with 8 clients.

The issue's yardstick is ``/api/search`` over HTTP against the peer over
HTTP, so the embedded index is also served as deployed (bench/serving.py's
gunicorn with deploy/gunicorn.conf.py) and joins the alternation of
bench/peer.py as the system ``ours_http``. Throughput then runs ``CLIENTS``
threads per system, each its own keep-alive connection, the peer and ours
taking turns; both sides are driven from this one Python process, so the
client overhead is alike.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from bench.common import latency_summary
from bench.queries import BenchQuery

CLIENTS = 8

#: A function answering query ``i`` with its total; one per client thread (each holds its own connection).
Searcher = Callable[[int], int]


def http_searcher(port: int, queries: list[BenchQuery]) -> Searcher:
    """``GET /api/search`` on a keep-alive loopback connection; reconnects once after a dropped one."""
    paths = ["/api/search?" + urllib.parse.urlencode(q.params, doseq=True) for q in queries]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def search(i: int) -> int:
        nonlocal conn
        for attempt in (1, 2):
            try:
                conn.request("GET", paths[i])
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"/api/search answered {response.status} for {paths[i][:80]}")
                return int(json.loads(body)["total"])
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    return search


def throughput(make_searcher: Callable[[], Searcher], n_queries: int, requests: int) -> dict[str, Any]:
    """``CLIENTS`` threads sending ``requests`` searches in all, each client its own rotation of the queries."""
    per_client = max(1, requests // CLIENTS)
    latencies: list[float] = []
    errors: list[str] = []
    searchers = [make_searcher() for _ in range(CLIENTS)]

    def client(c: int) -> None:
        search = searchers[c]
        for k in range(per_client):
            started = time.perf_counter()
            try:
                search((c * 7 + k) % n_queries)
            except Exception as exc:  # a failed request is counted, not fatal: the figure says how many
                errors.append(f"{type(exc).__name__}: {str(exc)[:80]}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return {
        **latency_summary(latencies),
        "clients": CLIENTS,
        "req_per_s": round(len(latencies) / seconds, 1),
        "errors": errors[:5],
        "error_count": len(errors),
    }


def throughput_side_by_side(
    systems: dict[str, Callable[[], Searcher]], n_queries: int, requests: int, rounds: int = 2
) -> dict[str, Any]:
    """Each system's throughput ``rounds`` times, taking turns; the best run of each (others only slow one down)."""
    names = list(systems)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            runs[name].append(throughput(systems[name], n_queries, requests))
    best = {name: max(values, key=lambda x: x["req_per_s"]) for name, values in runs.items()}
    return {"rounds": rounds, "requests": requests, **best}
