"""The Search section: latency in-process, over HTTP and of the alternatives."""

from __future__ import annotations

from typing import Any

from bench.common import load_result
from bench.report.tables import get, sizes_with, table

Row = list[Any]

_NOTE = (
    "Latency in ms over the query set (`bench/queries.txt`). The engine answers a full UI request: first page of 20, "
    "duplicates collapsed, 7 facets counted, hits highlighted. The scan and FTS5 only find the set of matching paragraphs "
    "(no ranking, facets or highlighting), so the comparison flatters them.\n"
)


def section_search() -> str:
    """The latency table, then gunicorn's memory and the slowest queries per size."""
    rows: list[Row] = []
    for s in sizes_with("search"):
        r = load_result("search", s)
        assert r is not None
        ip = r["in_process"]
        rows.append(
            [s, "in-process `engine.search`", ip["p50_ms"], ip["p95_ms"], ip["p99_ms"], "", f"{ip['n']} searches"]
        )
        rows += _http_rows(s, r.get("http") or {})
        rows += _alternative_rows(s, r.get("alternatives") or {})
    out = [_NOTE, table(["size", "how", "p50", "p95", "p99", "req/s", "notes"], rows)]
    for s in sizes_with("search"):
        http = get(load_result("search", s), "http") or {}
        if http.get("worker_rss_mib"):
            out.append(_gunicorn_line(s, http))
    for s in sizes_with("search"):
        r = load_result("search", s)
        assert r is not None
        slow = r["in_process"]["slowest"]
        out.append(
            f"\nSlowest queries in-process at {s}: "
            + "; ".join(f"`{x['query']}` {x['median_ms']} ms ({x['total']:,} hits)" for x in slow)
            + "."
        )
    return "\n".join(out)


def _http_rows(s: str, http: dict[str, Any]) -> list[Row]:
    if "skipped" in http:
        return [[s, "HTTP", http["skipped"], "", "", "", ""]]
    if not http:
        return []
    rows = []
    for label, run in (
        (f"HTTP /api/search, 1 client (gunicorn, {http['workers']} workers)", http["one_client"]),
        ("HTTP /api/search, 8 concurrent clients", http["8_clients"]),
    ):
        rows.append(
            [
                s,
                label,
                run["p50_ms"],
                run["p95_ms"],
                run["p99_ms"],
                run["req_per_s"],
                f"{run['requests']} requests, {len(run['errors'])} errors",
            ]
        )
    return rows


def _alternative_rows(s: str, alt: dict[str, Any]) -> list[Row]:
    if not alt:
        return []
    served = alt["queries"] - alt["fts5_like_fallback_queries"]
    like_note = (
        f'{alt["fts5_like_fallback_queries"]} queries; bare MATCH "职工" returns {alt["fts5_match_2char_rows"]} rows'
    )
    rows = []
    for label, key, note in (
        ("substring scan (Python `in`, folded texts)", "scan", f"folding the corpus first: {alt['scan_prepare_s']} s"),
        (
            "SQLite FTS5 trigram, all queries",
            "fts5",
            f"build {alt['fts5_build_s']} s, {alt['fts5_bytes'] / 1e6:.0f} MB",
        ),
        ("· FTS5, queries served by the trigram index", "fts5_index_served", f"{served} queries"),
        ("· FTS5, queries with a 2-character run (LIKE scan)", "fts5_like_fallback", like_note),
    ):
        latency = alt[key]
        rows.append([s, label, latency["p50_ms"], latency["p95_ms"], latency["p99_ms"], "", note])
    return rows


def _gunicorn_line(s: str, http: dict[str, Any]) -> str:
    anon = http.get("worker_anon_mib")
    shared = f" of which anonymous {min(anon)}–{max(anon)} MiB (the rest is the mmapped index, shared)" if anon else ""
    return (
        f"\ngunicorn at {s}: {http['workers']} workers (deploy/gunicorn.conf.py, 2 × cores + 1), RSS after the runs "
        f"{min(http['worker_rss_mib'])}–{max(http['worker_rss_mib'])} MiB each"
        + shared
        + f"; master {http['master_rss_mib']} MiB; start → first answer {http['start_to_first_answer_s']} s."
    )
