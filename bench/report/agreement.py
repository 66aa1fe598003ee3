"""The Agreement section: engine vs substring scan vs FTS5, per size."""

from __future__ import annotations

from bench.common import load_result
from bench.report.tables import get, sizes_with


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
            + (
                "; compared by count only, above the agreement cap: "
                + ", ".join(
                    f"`{r['query']}` {r['engine_total']:,} hits"
                    + (" (counts equal)" if r.get("agree_scan") else " (COUNTS DIFFER)")
                    for r in alt["rows"]
                    if "count only" in str(r.get("engine_vs_scan", ""))
                )
                if any("count only" in str(r.get("engine_vs_scan", "")) for r in alt["rows"])
                else ""
            )
            + ")."
        )
        for d in alt["disagreements"]:
            out.append(
                f"  - DISAGREEMENT `{d['query']}`: engine {d['engine_total']}, scan {d['scan_count']}; "
                f"only engine {d.get('only_engine_count')}, e.g. {d.get('only_engine')}; only scan {d.get('only_scan_count')}, e.g. {d.get('only_scan')}"
            )
    if not out:
        return "(no search results yet)"
    return "\n".join(out) + "\n\nPer-query rows (counts, times, agreement) are in `bench/results/<size>-search.json`."
