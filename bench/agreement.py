"""Agreement and the alternatives: the engine against a substring scan and SQLite FTS5.

The same queries answered by a substring scan and by SQLite FTS5 (trigram)
over the same paragraphs (bench/alternatives.py). For each query the engine
(literal, collapse off, one page holding every hit) and the substring scan must
return the same paragraph ids; any difference is printed and recorded, not
hidden, with what decides the heading rules for the paragraphs only one side
found (is it a heading, the headings above it). Each row also counts the hits
that only their headings make (``scan_through_headings``), so the agreement
is seen to cover the heading rules and not only plain text matches.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.alternatives import MATCHING, Filters, Fts5Trigram, SubstringScan, hit_flags, in_guarantee
from bench.common import latency_summary, log, paragraphs_file, read_jsonl, work_dir
from bench.queries import BenchQuery

_T = TypeVar("_T")


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
    """Every query on the engine, the substring scan and FTS5: times, counts and whether the sets agree."""
    from engine import open_engine

    records = list(read_jsonl(paragraphs_file(root, label)))
    scan = SubstringScan(records)
    log(f"search {label}: substring scan ready ({len(records):,} paragraphs folded in {scan.prepare_s:.1f} s); FTS5 …")
    fts_path = work_dir(root, label) / "fts5.sqlite"
    fts = Fts5Trigram(fts_path, records)
    two_char_match = fts.match_count("职工")
    engine = open_engine(index)
    rows = [_compare(engine, scan, fts, records, query, cap) for query in queries]
    engine.close()
    return {
        # The rules the scan and FTS5 mirror (bench/alternatives.py); results without it predate them.
        "matching": MATCHING,
        "paragraphs": len(records),
        "headings_context_only": sum(not hit for hit in hit_flags(records)),
        # Headings of articles with nothing but headings: searched like short paragraphs.
        "headings_searched": sum(r["is_heading"] and hit for r, hit in zip(records, hit_flags(records), strict=True)),
        "scan_prepare_s": round(scan.prepare_s, 2),
        "fts5_build_s": round(fts.build_s, 2),
        "fts5_bytes": fts.size_bytes(),
        "fts5_match_2char_rows": two_char_match,
        **_summary(rows),
        "rows": rows,
    }


def _timed(fn: Callable[[], _T]) -> tuple[_T, float]:
    """``fn()`` and the milliseconds it took."""
    started = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - started) * 1000


def _compare(
    engine: Any, scan: SubstringScan, fts: Fts5Trigram, records: list[dict[str, Any]], query: BenchQuery, cap: int
) -> dict[str, Any]:
    """One query on the three: its row of the agreement table."""
    from engine.query import parse_query
    from engine.request import build_request

    request = build_request(query.params)
    filters = Filters.from_request(request)
    engine.search(request)  # warm
    _, engine_ms = _timed(lambda: engine.search(request))
    # The scan and FTS5 know only the query's own words: the sets are compared on the literal search
    # (expansion adds equivalents on top of it, so the default search returns a superset).
    total, engine_set, big_s = _engine_ids(engine, dataclasses.replace(request, literal=True), cap)
    scan_set, scan_ms = _timed(lambda: scan.search(query.q, filters))
    (fts_set, fallback), fts_ms = _timed(lambda: fts.search(query.q, filters))
    row: dict[str, Any] = {
        "query": query.label,
        "in_guarantee": in_guarantee(parse_query(query.q)),
        "engine_total": total,
        "engine_ms": round(engine_ms, 2),
        "scan_ms": round(scan_ms, 2),
        "fts5_ms": round(fts_ms, 2),
        "fts5_like_fallback": fallback,
        "scan_count": len(scan_set),
        # Hits found only through the headings above them: how much the heading rule is exercised.
        "scan_through_headings": scan.through_headings(query.q, filters),
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
        row.update(_set_agreement(engine_set, scan_set, fts_set, records))
    row["engine_full_page_s"] = round(big_s, 2)
    mark = "ok " if row["agree_scan"] else "DIFF"
    print(
        f"  {mark} {query.label:<40} engine {total:>7} scan {len(scan_set):>7} fts5 {len(fts_set):>7}"
        f"{' (LIKE)' if fallback else ''}  via headings {row['scan_through_headings']:>6}"
        f"  engine {engine_ms:7.1f} ms  scan {scan_ms:8.1f} ms  fts5 {fts_ms:8.1f} ms",
        flush=True,
    )
    return row


def _set_agreement(
    engine_set: set[str], scan_set: set[str], fts_set: set[str], records: list[dict[str, Any]]
) -> dict[str, Any]:
    """Whether the id sets agree, with examples of the paragraphs only one side found."""
    only_engine, only_scan = engine_set - scan_set, scan_set - engine_set
    row: dict[str, Any] = {"agree_scan": not only_engine and not only_scan, "agree_fts5": engine_set == fts_set}
    if not row["agree_scan"]:
        by_id = {r["id"]: r for r in records}
        row["only_engine"] = [_example(by_id.get(i), i) for i in sorted(only_engine)[:3]]
        row["only_scan"] = [_example(by_id.get(i), i) for i in sorted(only_scan)[:3]]
        row["only_engine_count"], row["only_scan_count"] = len(only_engine), len(only_scan)
    if not row["agree_fts5"]:
        row["fts5_only_count"], row["fts5_missing_count"] = len(fts_set - engine_set), len(engine_set - fts_set)
    return row


def _example(record: dict[str, Any] | None, paragraph_id: str) -> dict[str, Any]:
    """A paragraph only one side found, with what decides the heading rules (to explain the difference)."""
    if record is None:
        return {"id": paragraph_id, "text": "(not in paragraphs.jsonl)"}
    return {
        "id": paragraph_id,
        "text": record["text"][:80],
        "is_heading": record.get("is_heading"),
        "section_path": [h[:40] for h in record.get("section_path") or ()],
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Latency of each way, the speed-up over the scan, and the agreement counts."""
    speedups = [r["speedup_vs_scan"] for r in rows if r["speedup_vs_scan"]]
    text_queries = [r for r in rows if r["query"].strip() and not r["query"].startswith(" [")]
    fts_index = [r for r in rows if not r["fts5_like_fallback"]]
    fts_like = [r for r in rows if r["fts5_like_fallback"]]
    return {
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
    }
