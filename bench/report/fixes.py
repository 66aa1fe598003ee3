"""The fixes block: figures before the performance fixes beside today's."""

from __future__ import annotations

from typing import Any

from bench.common import load_result
from bench.report.tables import SIZES, fmt, get, per_mb, table


def section_fixes() -> str:
    """Baseline (``<size>-<kind>-baseline.json``: figures before the performance fixes) beside today's."""
    rows: list[list[str]] = []

    def row(size: str, what: str, before: Any, after: Any, commits: tuple[Any, Any]) -> None:
        if before is not None or after is not None:
            rows.append([size, what, fmt(before), fmt(after), f"{commits[0]} → {commits[1]}"])

    for s in SIZES[1:]:
        old, new = load_result("ingest-baseline", s), load_result("ingest", s)
        if old and new:
            o, n, commits = old["embedded"].get("w2", {}), new["embedded"].get("w2", {}), (old["commit"], new["commit"])
            row(s, "full ingest, 2 workers: MB/s of paragraph text", o.get("mb_per_s"), n.get("mb_per_s"), commits)
            row(s, "… CPU-seconds per MB, all processes", per_mb(o, old), per_mb(n, new), commits)
            row(s, "… main-process CPU-seconds", o.get("main_cpu_s"), n.get("main_cpu_s"), commits)
            row(s, "… peak RSS, all processes (MiB)", o.get("tree_peak_rss_mib"), n.get("tree_peak_rss_mib"), commits)
            row(s, "… index ÷ paragraph text", o.get("index_to_text"), n.get("index_to_text"), commits)
        old, new = load_result("parse-baseline", s), load_result("parse", s)
        if old and new:
            row(
                s,
                "parse (read+clean+split+enrich), MB per CPU-second",
                get(old, "mb_per_cpu_s"),
                get(new, "mb_per_cpu_s"),
                (old["commit"], new["commit"]),
            )
        old, new = load_result("search-baseline", s), load_result("search", s)
        if old and new:
            commits = (old["commit"], new["commit"])
            for label, path in (("in-process", ("in_process",)), ("HTTP, one client", ("http", "one_client"))):
                for q in ("p50_ms", "p95_ms"):
                    row(s, f"search {label}, {q[:-3]} (ms)", get(old, *path, q), get(new, *path, q), commits)
            row(
                s,
                "search HTTP, 8 clients (requests/s)",
                get(old, "http", "8_clients", "req_per_s"),
                get(new, "http", "8_clients", "req_per_s"),
                commits,
            )
            row(
                s,
                "faster than the substring scan (median ÷ median)",
                get(old, "alternatives", "speedup_vs_scan", "p50_ratio"),
                get(new, "alternatives", "speedup_vs_scan", "p50_ratio"),
                commits,
            )
    if not rows:
        return "(no baseline results: bench/results/*-baseline.json)"
    return table(["size", "figure", "before", "after", "commits"], rows)
