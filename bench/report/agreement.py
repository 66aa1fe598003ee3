"""The Agreement section: engine vs substring scan vs FTS5, per size."""

from __future__ import annotations

from typing import Any

from bench.common import load_result
from bench.report.tables import get, sizes_with


def _count_only(alt: dict[str, Any]) -> str:
    """The queries compared by count only (above the agreement cap), or ""."""
    rows = [r for r in alt["rows"] if "count only" in str(r.get("engine_vs_scan", ""))]
    if not rows:
        return ""
    return "; compared by count only, above the agreement cap: " + ", ".join(
        f"`{r['query']}` {r['engine_total']:,} hits"
        + (" (counts equal)" if r.get("agree_scan") else " (COUNTS DIFFER)")
        for r in rows
    )


def _rules(alt: dict[str, Any]) -> str:
    """Which matching rules the figures were measured under, and how much the heading rules were exercised."""
    if not alt.get("matching"):
        # A result from before the scan mirrored headings-as-context: its figures are not comparable.
        return " Measured under the earlier rules (headings were hits, no heading context); not re-run since."
    through = [r for r in alt["rows"] if r.get("scan_through_headings")]
    return (
        f" Rules: {alt['matching']} ({alt.get('headings_context_only', 0):,} headings are context only, never hits;"
        f" {alt.get('headings_searched', 0):,} headings of articles without body paragraphs are searched);"
        f" {len(through)} queries have hits found only through their headings"
        f" ({sum(r['scan_through_headings'] for r in through):,} such hits in all)."
    )


def section_agreement() -> str:
    """Per size: on how many queries the engine, the scan and FTS5 find the same paragraphs."""
    out = []
    for s in sizes_with("search"):
        alt = get(load_result("search", s), "alternatives")
        if not alt:
            continue
        out.append(
            f"- **{s}**: engine and substring scan agree on the exact set of paragraphs for **{alt['agree_scan']}/{alt['queries']}** queries; "
            f"FTS5 agrees for {alt['agree_fts5']}/{alt['queries']} (collapse off, every hit on one page, ids compared"
            + _count_only(alt)
            + ")."
            + _rules(alt)
        )
        for d in alt["disagreements"]:
            out.append(
                f"  - DISAGREEMENT `{d['query']}`: engine {d['engine_total']}, scan {d['scan_count']}; "
                f"only engine {d.get('only_engine_count')}, e.g. {d.get('only_engine')}; only scan {d.get('only_scan_count')}, e.g. {d.get('only_scan')}"
            )
    if not out:
        return "(no search results yet)"
    return (
        "\n".join(out)
        + "\n\nThe scan and FTS5 apply the engine's rules from paragraphs.jsonl (bench/alternatives.py): a term occurs in "
        "the paragraph or in one of the headings above it; an excluded term only in the paragraph itself; headings are "
        "never hits except in an article of headings only. Per-query rows (counts, hits through headings, times, "
        "agreement) are in `bench/results/<size>-search.json`."
    )
