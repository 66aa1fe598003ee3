"""Search figures: latency in-process and over HTTP, throughput with 8 clients, the alternatives.

* in-process — ``engine.open_engine(index).search(build_request(params))``
  for every query of bench/queries.txt, one warm-up pass then ``rounds``
  timed passes: what a portal worker spends per request (first page of 20,
  duplicates collapsed, all facets counted, hits highlighted).
* HTTP — the portal under gunicorn (bench/serving.py).
* alternatives and agreement — a substring scan and SQLite FTS5 over the
  same paragraphs (bench/agreement.py).

Profiles, the ranking trace and the cold start are in bench/search_profile.py.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import index_dir, latency_summary, load_result, log, save_result, work_dir
from bench.queries import BenchQuery, load_queries


def search_index(root: Path, label: str) -> Path:
    """The index the search benchmarks read: the 2-worker ingest's, else the 1-worker one's."""
    for workers in (2, 1):
        candidate = index_dir(root, label, workers)
        if (candidate / "CURRENT").exists():
            return candidate
    raise SystemExit(f"no index for {label} under {work_dir(root, label)}: run `python -m bench ingest --size {label}`")


_PARTS = {
    ".store": "stored documents (a GB18030 list of values per paragraph, lz4-compressed)",
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
    """Latency of every query in this process, after one warm-up pass."""
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
    """In-process latency, then the alternatives and HTTP (each skippable: the previous figures are kept)."""
    from bench.agreement import alternatives
    from bench.serving import http_bench

    index = search_index(root, label)
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
