"""The Targets section: each target with its measured figure and a verdict."""

from __future__ import annotations

from typing import Any

from bench.common import load_result
from bench.report.tables import fmt, get, ingest_entry, table, target_sizes

Row = list[str]


def verdict(ok: bool | None) -> str:
    """**met**, **missed**, or — when nothing was measured."""
    return "—" if ok is None else ("**met**" if ok else "**missed**")


def section_targets() -> str:
    """One row per target and archive size measured."""
    rows: list[Row] = []
    for s in target_sizes("ingest"):
        rows += _share_of_segmentation(s)
    for s in target_sizes("ingest"):
        rows += _ingest_speed(s)
    for s in target_sizes("search"):
        rows += _http_latency(s)
    for s in target_sizes("search"):
        rows += _speedup_over_scan(s)
    for s in target_sizes("ingest"):
        rows += _ingest_memory(s)
    for s in target_sizes("ingest"):
        rows += _index_size(s)
    return table(["target", "measured", "verdict"], rows)


def _share_of_segmentation(s: str) -> list[Row]:
    seg = load_result("segment", s)
    floor_from = s
    if not seg:
        seg, floor_from = load_result("segment", "100k"), "100k"
    per_core = get(seg, "word_tokens_1proc", "mb_per_cpu_s")
    rows = []
    for w in ("w1", "w2"):
        e = ingest_entry(s, w)
        if not e:
            continue
        n = int(w[1:])
        share = e.get("share_of_floor")
        est = e.get("uncontended_estimate_mb_per_s")
        floor_idle = per_core * min(n, 2) if per_core else None
        share_idle = est / floor_idle if est and floor_idle else None
        measured = f"{fmt(share * 100)}% as measured · " if share is not None else ""
        known = share is not None or share_idle is not None
        rows.append(
            [
                f"full ingest ≥ 70% of bare segmentation, same cores ({s}, {n} worker{'s' if n > 1 else ''})",
                f"{measured}{fmt(share_idle and share_idle * 100)}% uncontended estimate "
                f"({fmt(est)} vs {fmt(floor_idle)} MB/s = {n} × word_tokens' {fmt(per_core)} MB per CPU-second"
                f"{'' if floor_from == s else f', floor measured at {floor_from}'})",
                verdict(max(share or 0, share_idle or 0) >= 0.7 if known else None),
            ]
        )
    return rows


def _ingest_speed(s: str) -> list[Row]:
    e = ingest_entry(s, "w2")
    if not e:
        return []
    estimate = e.get("uncontended_estimate_mb_per_s")
    return [
        [
            f"full ingest ≥ 4 MB/s of text on 2 cores ({s})",
            f"{e['mb_per_s']} MB/s measured · {fmt(estimate)} MB/s uncontended estimate",
            verdict(max(e["mb_per_s"], estimate or 0) >= 4),
        ]
    ]


def _http_latency(s: str) -> list[Row]:
    one = get(load_result("search", s), "http", "one_client")
    if not one:
        return []
    return [
        [
            f"/api/search over HTTP, one client, p95 ≤ 50 ms ({s}{'' if s == '1m' else '; target is at 1M'})",
            f"p95 {one['p95_ms']} ms (p50 {one['p50_ms']} ms)",
            verdict(one["p95_ms"] <= 50),
        ]
    ]


def _speedup_over_scan(s: str) -> list[Row]:
    alt = get(load_result("search", s), "alternatives")
    if not alt:
        return []
    ratio = get(alt, "speedup_vs_scan", "p50_ratio")
    return [
        [
            f"≥ 100× faster than the substring scan ({s}{'' if s == '1m' else '; target is at 1M'})",
            f"{fmt(ratio)}× (median scan / median engine); per query median {fmt(get(alt, 'speedup_vs_scan', 'median'))}×, "
            f"min {fmt(get(alt, 'speedup_vs_scan', 'min'))}×",
            verdict(ratio >= 100 if ratio else None),
        ]
    ]


def _ingest_memory(s: str) -> list[Row]:
    rows = []
    for w in ("w1", "w2"):
        e = ingest_entry(s, w)
        if e:
            rows.append(
                [
                    f"ingest peak RSS ≤ 1 GB ({s}, {w[1:]} worker{'s' if w != 'w1' else ''})",
                    f"{e['tree_peak_rss_mib']} MiB all processes together (main {e['main_peak_rss_mib']} MiB, "
                    f"largest worker {e['worker_peak_rss_mib']} MiB)" + _anonymous_note(e),
                    verdict(e["tree_peak_rss_mib"] <= 1024) + _anonymous_verdict(e),
                ]
            )
    return rows


def _anonymous_note(e: dict[str, Any]) -> str:
    if "tree_peak_anon_mib" not in e:
        return ""
    return f"; anonymous memory only: {e['tree_peak_anon_mib']} MiB (main {e['main_peak_anon_mib']} MiB)"


def _anonymous_verdict(e: dict[str, Any]) -> str:
    if e["tree_peak_rss_mib"] > 1024 and e.get("tree_peak_anon_mib", 2048) <= 1024:
        return " by RSS; **met** by anonymous memory (the rest is index files tantivy maps while merging)"
    return ""


def _index_size(s: str) -> list[Row]:
    e = ingest_entry(s, "w2") or ingest_entry(s, "w1")
    if not e:
        return []
    return [
        [
            f"index size ≤ 2× raw text ({s})",
            f"{e['index_mb']} MB = {e['index_to_text']}× the paragraph text ({e['index_to_disk']}× the files on disk)",
            verdict(e["index_to_text"] <= 2),
        ]
    ]
