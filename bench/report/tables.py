"""Helpers every section of bench/RESULTS.md uses: reading results, formatting figures and tables."""

from __future__ import annotations

from typing import Any

from bench.common import load_result

SIZES = ("10k", "100k", "1m")


def get(data: dict[str, Any] | None, *path: str, default: Any = None) -> Any:
    """A value deep in a result dict, or ``default`` when any key on the way is missing."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def fmt(value: Any, unit: str = "") -> str:
    """A figure as the tables show it: thousands separated, two decimals below 100, — for None."""
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return text + unit


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return "\n".join(lines)


def sizes_with(kind: str) -> list[str]:
    """The archive sizes that have a result of ``kind``."""
    return [s for s in SIZES if load_result(kind, s)]


def target_sizes(kind: str) -> list[str]:
    """Targets are about large archives: leave 10k out when a larger size was measured."""
    sizes = sizes_with(kind)
    return [s for s in sizes if s != "10k"] or sizes


def ingest_entry(size: str, workers: str) -> dict[str, Any] | None:
    """The embedded ingest result of one size and worker count (``w1``, ``w2``)."""
    return get(load_result("ingest", size), "embedded", workers)


def per_mb(entry: dict[str, Any], result: dict[str, Any]) -> float | None:
    """CPU-seconds per MB of paragraph text of one ingest entry."""
    cpu, text = entry.get("cpu_s"), result.get("text_mb")
    return round(cpu / text, 2) if cpu and text else None


def segmenter_name(seg: dict[str, Any]) -> str:
    """Which segmenter the engine's word_tokens used in a segment result."""
    kind = get(seg, "breakdown_1proc", "segmenter") or get(seg, "segmenters", "engine_uses") or "jieba"
    return "rjieba" if kind.startswith("builtins") or "rjieba" in kind else "stock jieba"
