"""Search figures: latency in-process and over HTTP, throughput with 8 clients, the alternatives, cold start.

* in-process — ``engine.open_engine(index).search(build_request(params))``
  for every query of bench/queries.txt, one warm-up pass then ``rounds``
  timed passes: what a portal worker spends per request (first page of 20,
  duplicates collapsed, all facets counted, hits highlighted).
* HTTP — gunicorn with deploy/gunicorn.conf.py on a free loopback port
  (INDEX_DIR in its environment), ``GET /api/search`` with the same
  parameters: one keep-alive client, then 8 concurrent clients; bounded
  request counts, the server is stopped (by its pid) at the end.
* alternatives — the same queries answered by a substring scan and by
  SQLite FTS5 (trigram) over the same paragraphs (bench/alternatives.py).
* agreement — for each query the engine (collapse off, one page holding
  every hit) and the substring scan must return the same paragraph ids;
  any difference is printed and recorded, not hidden.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.alternatives import Filters, Fts5Trigram, SubstringScan, in_guarantee
from bench.common import (
    PYTHON,
    REPO,
    index_dir,
    latency_summary,
    load_result,
    log,
    mib,
    paragraphs_file,
    proc_status,
    read_jsonl,
    save_result,
    work_dir,
)

QUERIES = Path(__file__).parent / "queries.txt"
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"


@dataclasses.dataclass(frozen=True)
class BenchQuery:
    q: str
    filters: str  # query-string form, "" for none

    @property
    def params(self) -> dict[str, list[str]]:
        params = urllib.parse.parse_qs(self.filters, keep_blank_values=False)
        return {"q": [self.q], **params}

    @property
    def label(self) -> str:
        return self.q + (f" [{self.filters}]" if self.filters else "")


def load_queries(path: Path = QUERIES) -> list[BenchQuery]:
    out: list[BenchQuery] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        q, _, filters = line.partition("\t")
        out.append(BenchQuery(q.strip(), filters.strip()))
    return out


def _search_index(root: Path, label: str) -> Path:
    for workers in (2, 1):
        candidate = index_dir(root, label, workers)
        if (candidate / "CURRENT").exists():
            return candidate
    raise SystemExit(f"no index for {label} under {work_dir(root, label)}: run `python -m bench ingest --size {label}`")


_PARTS = {
    ".store": "stored documents (the JSON blob per paragraph, compressed)",
    ".idx": "postings (doc ids, term frequencies)",
    ".pos": "positions (words and chars views)",
    ".term": "term dictionaries",
    ".fast": "fast fields (columns for facets, sorting, collapse)",
    ".fieldnorm": "field norms",
}


def index_composition(index: Path) -> dict[str, Any]:
    """Bytes on disk of the live generation by tantivy file type."""
    live = index / (index / "CURRENT").read_text().strip()
    sizes: dict[str, int] = {}
    for f in live.iterdir():
        if f.is_file():
            key = f.suffix if f.suffix in _PARTS else "other"
            sizes[key] = sizes.get(key, 0) + f.stat().st_size
    total = sum(sizes.values())
    return {
        "total_bytes": total,
        "parts": {
            key: {"what": _PARTS.get(key, "metadata"), "bytes": size, "share": round(size / total, 3)}
            for key, size in sorted(sizes.items(), key=lambda kv: -kv[1])
        },
    }


# --------------------------------------------------------------------------- in-process


def in_process(index: Path, queries: list[BenchQuery], rounds: int) -> dict[str, Any]:
    from engine import open_engine
    from engine.request import build_request

    engine = open_engine(index)
    requests = [build_request(q.params) for q in queries]
    for request in requests:  # warm-up: jieba, OS page cache, tantivy readers
        engine.search(request)
    per_query: list[list[float]] = [[] for _ in queries]
    totals: list[int] = [0] * len(queries)
    for _ in range(rounds):
        for i, request in enumerate(requests):
            started = time.perf_counter()
            result = engine.search(request)
            per_query[i].append((time.perf_counter() - started) * 1000)
            totals[i] = result.total
    all_ms = [ms for values in per_query for ms in values]
    medians = [statistics.median(values) for values in per_query]
    slowest = sorted(range(len(queries)), key=lambda i: -medians[i])[:5]
    engine.close()
    return {
        "rounds": rounds,
        **latency_summary(all_ms),
        "slowest": [
            {"query": queries[i].label, "median_ms": round(medians[i], 2), "total": totals[i]} for i in slowest
        ],
        "per_query_median_ms": {queries[i].label: round(medians[i], 2) for i in range(len(queries))},
        "per_query_total": {queries[i].label: totals[i] for i in range(len(queries))},
    }


# --------------------------------------------------------------------------- agreement and alternatives


def _engine_ids(engine: Any, request: Any, cap: int) -> tuple[int, set[str] | None, float]:
    """(total, every matching paragraph id or None above ``cap``, seconds of the big request)."""
    total = engine.search(dataclasses.replace(request, page_size=1, collapse=False)).total
    if total == 0:
        return 0, set(), 0.0
    if total > cap:
        return total, None, 0.0
    started = time.perf_counter()
    result = engine.search(dataclasses.replace(request, page=1, page_size=total, collapse=False))
    seconds = time.perf_counter() - started
    return total, {hit.paragraph_id for hit in result.hits}, seconds


def alternatives(root: Path, label: str, index: Path, queries: list[BenchQuery], cap: int) -> dict[str, Any]:
    from engine import open_engine
    from engine.query import parse_query
    from engine.request import build_request

    records = list(read_jsonl(paragraphs_file(root, label)))
    scan = SubstringScan(records)
    log(f"search {label}: substring scan ready ({len(records):,} paragraphs folded in {scan.prepare_s:.1f} s); FTS5 …")
    fts_path = work_dir(root, label) / "fts5.sqlite"
    fts = Fts5Trigram(fts_path, records)
    two_char_match = fts.match_count("职工")
    engine = open_engine(index)
    rows: list[dict[str, Any]] = []
    for query in queries:
        request = build_request(query.params)
        filters = Filters.from_request(request)
        engine.search(request)  # warm
        started = time.perf_counter()
        engine.search(request)
        engine_ms = (time.perf_counter() - started) * 1000
        total, engine_set, big_s = _engine_ids(engine, request, cap)

        started = time.perf_counter()
        scan_set = scan.search(query.q, filters)
        scan_ms = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        fts_set, fallback = fts.search(query.q, filters)
        fts_ms = (time.perf_counter() - started) * 1000

        row: dict[str, Any] = {
            "query": query.label,
            "in_guarantee": in_guarantee(parse_query(query.q)),
            "engine_total": total,
            "engine_ms": round(engine_ms, 2),
            "scan_ms": round(scan_ms, 2),
            "fts5_ms": round(fts_ms, 2),
            "fts5_like_fallback": fallback,
            "scan_count": len(scan_set),
            "fts5_count": len(fts_set),
            "speedup_vs_scan": round(scan_ms / engine_ms, 1) if engine_ms else None,
        }
        if engine_set is None:
            row["engine_vs_scan"] = "count only (above cap)" + (
                "" if total == len(scan_set) else f": {total} vs {len(scan_set)}"
            )
            row["agree_scan"] = total == len(scan_set)
            row["agree_fts5"] = total == len(fts_set)
        else:
            only_engine, only_scan = engine_set - scan_set, scan_set - engine_set
            row["agree_scan"] = not only_engine and not only_scan
            row["agree_fts5"] = engine_set == fts_set
            if not row["agree_scan"]:
                by_id = {r["id"]: r["text"] for r in records}
                row["only_engine"] = [{"id": i, "text": by_id.get(i, "")[:80]} for i in sorted(only_engine)[:3]]
                row["only_scan"] = [{"id": i, "text": by_id.get(i, "")[:80]} for i in sorted(only_scan)[:3]]
                row["only_engine_count"], row["only_scan_count"] = len(only_engine), len(only_scan)
            if not row["agree_fts5"]:
                row["fts5_only_count"], row["fts5_missing_count"] = len(fts_set - engine_set), len(engine_set - fts_set)
        row["engine_full_page_s"] = round(big_s, 2)
        mark = "ok " if row["agree_scan"] else "DIFF"
        print(
            f"  {mark} {query.label:<40} engine {total:>7} scan {len(scan_set):>7} fts5 {len(fts_set):>7}"
            f"{' (LIKE)' if fallback else ''}  engine {engine_ms:7.1f} ms  scan {scan_ms:8.1f} ms  fts5 {fts_ms:8.1f} ms",
            flush=True,
        )
        rows.append(row)
    engine.close()
    speedups = [r["speedup_vs_scan"] for r in rows if r["speedup_vs_scan"]]
    text_queries = [r for r in rows if r["query"].strip() and not r["query"].startswith(" [")]
    fts_index = [r for r in rows if not r["fts5_like_fallback"]]
    fts_like = [r for r in rows if r["fts5_like_fallback"]]
    return {
        "paragraphs": len(records),
        "scan_prepare_s": round(scan.prepare_s, 2),
        "fts5_build_s": round(fts.build_s, 2),
        "fts5_bytes": fts.size_bytes(),
        "fts5_match_2char_rows": two_char_match,
        "engine": latency_summary([r["engine_ms"] for r in rows]),
        "scan": latency_summary([r["scan_ms"] for r in rows]),
        "fts5": latency_summary([r["fts5_ms"] for r in rows]),
        "fts5_index_served": latency_summary([r["fts5_ms"] for r in fts_index]),
        "fts5_like_fallback": latency_summary([r["fts5_ms"] for r in fts_like]),
        "fts5_like_fallback_queries": len(fts_like),
        "speedup_vs_scan": {
            "min": min(speedups) if speedups else None,
            "median": round(statistics.median(speedups), 1) if speedups else None,
            "p50_ratio": round(
                statistics.median([r["scan_ms"] for r in rows]) / statistics.median([r["engine_ms"] for r in rows]), 1
            ),
        },
        "agree_scan": sum(r["agree_scan"] for r in rows),
        "agree_fts5": sum(r["agree_fts5"] for r in rows),
        "queries": len(rows),
        "text_queries": len(text_queries),
        "disagreements": [r for r in rows if not r["agree_scan"]],
        "rows": rows,
    }


# --------------------------------------------------------------------------- HTTP (gunicorn)


def free_port() -> int:
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
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def workers(self) -> list[dict[str, float]]:
        from bench.common import descendants

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
        return mib(proc_status(self.proc.pid).get("VmRSS", 0)) if self.proc else 0.0

    def stop(self) -> None:
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
    if not GUNICORN_CONF.exists():
        return {"skipped": f"{GUNICORN_CONF.relative_to(REPO)} not found (portal deployment not written yet)"}
    paths = ["/api/search?" + urllib.parse.urlencode(q.params, doseq=True) for q in queries]
    server = Gunicorn(index)
    try:
        first_answer_s = server.start()
        # warm every worker: each answers the whole set once (bounded)
        warm_lat: list[float] = []
        warm_err: list[str] = []
        threads = [threading.Thread(target=_client, args=(server.port, paths, warm_lat, warm_err)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        one: list[float] = []
        one_err: list[str] = []
        sequence = [paths[i % len(paths)] for i in range(one_client)]
        started = time.perf_counter()
        _client(server.port, sequence, one, one_err)
        one_s = time.perf_counter() - started
        many: list[float] = []
        many_err: list[str] = []
        per_client = concurrent // clients
        batches = [[paths[(c * 7 + i) % len(paths)] for i in range(per_client)] for c in range(clients)]
        threads = [threading.Thread(target=_client, args=(server.port, batch, many, many_err)) for batch in batches]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        many_s = time.perf_counter() - started
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
        "one_client": {
            **latency_summary(one),
            "requests": len(one),
            "errors": one_err[:5],
            "req_per_s": round(len(one) / one_s, 1),
        },
        f"{clients}_clients": {
            **latency_summary(many),
            "requests": len(many),
            "errors": many_err[:5],
            "req_per_s": round(len(many) / many_s, 1),
        },
        "warm_errors": warm_err[:5],
    }


# --------------------------------------------------------------------------- the search benchmark


def bench_search(
    root: Path,
    label: str,
    rounds: int = 3,
    http_requests: int = 300,
    concurrent_requests: int = 400,
    skip_http: bool = False,
    skip_alternatives: bool = False,
    agreement_cap: int = 100_000,
) -> dict[str, Any]:
    index = _search_index(root, label)
    queries = load_queries()
    previous = load_result("search", label) or {}
    log(f"search {label}: {len(queries)} queries in-process against {index} …")
    result: dict[str, Any] = {
        "index": str(index),
        "queries": len(queries),
        "index_composition": index_composition(index),
    }
    result["in_process"] = in_process(index, queries, rounds)
    log(
        f"search {label}: in-process p50 {result['in_process']['p50_ms']} ms, p95 {result['in_process']['p95_ms']} ms, "
        f"p99 {result['in_process']['p99_ms']} ms"
    )
    if skip_alternatives:
        result["alternatives"] = previous.get("alternatives")
    else:
        result["alternatives"] = alternatives(root, label, index, queries, agreement_cap)
        alt = result["alternatives"]
        log(
            f"search {label}: engine/scan agreement {alt['agree_scan']}/{alt['queries']}, "
            f"fts5 {alt['agree_fts5']}/{alt['queries']}; scan p50 {alt['scan']['p50_ms']} ms"
        )
    if skip_http:
        result["http"] = previous.get("http")
    else:
        log(f"search {label}: HTTP via gunicorn …")
        try:
            result["http"] = http_bench(index, queries, http_requests, concurrent_requests)
        except RuntimeError as exc:
            result["http"] = {"skipped": str(exc)}
        log(
            f"search {label}: HTTP {json.dumps({k: v for k, v in result['http'].items() if 'client' in k or k == 'skipped'}, ensure_ascii=False)[:400]}"
        )
    save_result("search", label, result)
    return result


# --------------------------------------------------------------------------- what dominates a search

_SEARCH_STAGES = {
    "query parsing and plan (jieba on the query)": ("parse_query", "text_query", "filters_except", "compile_node"),
    # Facets are counted on helper threads, which the profiler does not sample: this is the wait for them.
    "facet counts: waiting for the helper threads (FacetCounter)": ("start_counting", "wait_for_facets"),
    "result page: rank, collapse, fetch, highlight (page_hits)": ("page_hits",),
}
#: Calls counted wherever they happen (they overlap the stages above).
_SEARCH_CALLS = {
    "tantivy Searcher.search (matching, counting, top-k)": "search",
    "tantivy Searcher.aggregate (facets, year buckets, duplicate counts)": "aggregate",
    "stored document fetch (Searcher.doc)": "doc",
    "highlight (engine.highlight.highlight)": "highlight",
    "stored fields of ranked hits, also for tie-breaks (Ranking.fields: doc + json.loads)": "fields",
}


def profile_search(root: Path, label: str, rounds: int = 3) -> dict[str, Any]:
    """pyinstrument over in-process searches of the whole query set: the share of each stage."""
    from pyinstrument import Profiler

    from engine import open_engine
    from engine.request import build_request

    index = _search_index(root, label)
    engine = open_engine(index)
    requests = [build_request(q.params) for q in load_queries()]
    for request in requests:
        engine.search(request)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(rounds):
        for request in requests:
            engine.search(request)
    profiler.stop()
    engine.close()
    session = profiler.last_session
    root_frame = session.root_frame() if session else None
    totals: dict[str, float] = {}

    def walk(frame: Any, inside: frozenset[str]) -> None:
        name = (frame.function or "").rsplit(".", 1)[-1]  # C functions come as "Class.method"
        now = inside
        for stage, names in _SEARCH_STAGES.items():
            if name in names and stage not in inside:
                totals[stage] = totals.get(stage, 0.0) + frame.time
                now = now | {stage}
        builtin = "built-in" in (frame.file_path or "")
        for call, fname in _SEARCH_CALLS.items():
            if name == fname and (builtin or fname in ("highlight", "fields")) and call not in inside:
                totals[call] = totals.get(call, 0.0) + frame.time
                now = now | {call}
        for child in frame.children:
            walk(child, now)

    if root_frame is not None:
        walk(root_frame, frozenset())
    total = root_frame.time if root_frame is not None else 0.0
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (Path(__file__).parent / "results").mkdir(exist_ok=True)
    (Path(__file__).parent / "results" / f"{label}-search-profile.txt").write_text(text, encoding="utf-8")
    result = {
        "searches": rounds * len(requests),
        "profiled_s": round(total, 3),
        "per_search_ms": round(total * 1000 / (rounds * len(requests)), 2) if requests else None,
        "stages": {k: {"s": round(v, 3), "share": round(v / total, 3)} for k, v in totals.items() if total},
    }
    save_result("search-profile", label, result)
    log(f"search profile {label}: {json.dumps(result['stages'], ensure_ascii=False)}")
    return result


# --------------------------------------------------------------------------- the ranking/collapse loop

TRACE_QUERIES = ("民主管理", "工会经费", "安全生产", "职工书屋", "建会", "工会", "职工之家 建设")


def trace_ranking(root: Path, label: str, queries: tuple[str, ...] = TRACE_QUERIES) -> dict[str, Any]:
    """How many scored tantivy searches one search runs to rank and collapse a page, and what they cost.

    The embedded engine reports each scored ranking window and each facet
    aggregation to its ``on_timing`` callback (engine.tracing).
    """
    from engine.embedded import EmbeddedEngine
    from engine.request import build_request
    from engine.tracing import FACET_COUNTS, RANKING_WINDOW, Timing

    timings: list[Timing] = []  # appended to from the facet threads too: list.append is thread-safe
    engine = EmbeddedEngine(_search_index(root, label), on_timing=timings.append)
    rows = []
    try:
        for q in queries:
            request = build_request({"q": [q]})
            engine.search(request)  # warm
            timings.clear()
            began = time.perf_counter()
            result = engine.search(request)
            total_ms = (time.perf_counter() - began) * 1000
            windows = [t for t in timings if t.stage == RANKING_WINDOW]
            rows.append(
                {
                    "query": q,
                    "hits": result.total,
                    "search_ms": round(total_ms, 1),
                    "ranking_windows": [t.limit for t in windows],
                    "ranking_ms": round(sum(t.ms for t in windows), 1),
                    "facet_aggregations_ms": [t.ms for t in timings if t.stage == FACET_COUNTS],
                }
            )
    finally:
        engine.close()
    result = {"rows": rows}
    save_result("search-trace", label, result)
    for row in rows:
        log(f"trace {label}: {row}")
    return result


# --------------------------------------------------------------------------- cold start

_COLD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from engine import open_engine
from engine.request import build_request
t1 = time.perf_counter()
engine = open_engine(sys.argv[1])
t2 = time.perf_counter()
result = engine.search(build_request({"q": ["送温暖"]}))
t3 = time.perf_counter()
engine.search(build_request({"q": ["工资集体协商"]}))
t4 = time.perf_counter()
status = open("/proc/self/status").read()
rss = {l.split(":")[0]: int(l.split()[1]) for l in status.splitlines() if l.startswith(("VmRSS", "VmHWM"))}
print(json.dumps({"import_s": t1 - t0, "open_s": t2 - t1, "first_search_s": t3 - t2, "second_search_s": t4 - t3,
                  "total": result.total, "rss_kib": rss["VmRSS"], "hwm_kib": rss["VmHWM"]}), flush=True)
"""


def bench_coldstart(root: Path, label: str, repeats: int = 3) -> dict[str, Any]:
    index = _search_index(root, label)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("ES_URL", None)
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        out = subprocess.run(
            [PYTHON, "-c", _COLD, str(index)], cwd=REPO, env=env, capture_output=True, text=True, check=True
        )
        wall = time.perf_counter() - started
        data = json.loads(out.stdout.strip().splitlines()[-1])
        data["process_start_to_first_answer_s"] = wall - data["second_search_s"]
        runs.append(data)
    med = {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0] if key not in ("total",)}
    result: dict[str, Any] = {
        "index": str(index),
        "repeats": repeats,
        "python_exe": sys.executable,
        "median": {
            "process_start_to_first_answer_s": med["process_start_to_first_answer_s"],
            "imports_s": med["import_s"],
            "open_index_s": med["open_s"],
            "first_search_s (loads jieba)": med["first_search_s"],
            "second_search_s": med["second_search_s"],
            "rss_mib": round(med["rss_kib"] / 1024, 1),
            "peak_rss_mib": round(med["hwm_kib"] / 1024, 1),
        },
    }
    if GUNICORN_CONF.exists():
        server = Gunicorn(index)
        try:
            result["gunicorn_start_to_first_answer_s"] = round(server.start(), 2)
            result["gunicorn_workers_after_first_answer"] = server.workers()
            result["gunicorn_master_rss_mib"] = server.master_rss()
        except RuntimeError as exc:
            result["gunicorn"] = {"skipped": str(exc)}
        finally:
            server.stop()
    else:
        result["gunicorn"] = {"skipped": "deploy/gunicorn.conf.py not found"}
    log(f"coldstart {label}: {json.dumps(result['median'], ensure_ascii=False)}")
    save_result("coldstart", label, result)
    return result
