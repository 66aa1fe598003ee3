"""Where a search's time goes: a pyinstrument profile, the ranking trace, and the cold start.

* profile-search — pyinstrument over in-process searches of the query set:
  the share of each stage of ``EmbeddedEngine.search``.
* trace-ranking — the scored ranking windows and facet aggregations of one
  search, reported by the engine's ``on_timing`` hook (engine.tracing).
* coldstart — process start to first answered search, and gunicorn's start.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO, log, save_result
from bench.queries import load_queries
from bench.search import search_index
from bench.serving import GUNICORN_CONF, Gunicorn

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
    "stored fields of ranked hits, also for tie-breaks (Ranking.fields: doc + decode)": "fields",
}


def profile_search(root: Path, label: str, rounds: int = 3) -> dict[str, Any]:
    """pyinstrument over in-process searches of the whole query set: the share of each stage."""
    from pyinstrument import Profiler

    from engine import open_engine
    from engine.request import build_request

    index = search_index(root, label)
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
    engine = EmbeddedEngine(search_index(root, label), on_timing=timings.append)
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
    """Process start to first answered search (median of ``repeats``), and gunicorn's start."""
    index = search_index(root, label)
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
