"""The source line that follows a copied or exported paragraph: ——《标题》，单位，年份."""

from __future__ import annotations

import posixpath
from typing import Protocol

from portal.labels import known


class Citable(Protocol):
    """What a source line needs; both IndexDocument and Hit have it."""

    title: str
    org_name: str
    township: str
    year: int | None
    period: str
    source_path: str


def source_line(item: Citable) -> str:
    """``——《标题》，单位，年份`` with the parts the document has (never empty: the title falls back to the file name)."""
    title = item.title or posixpath.basename(item.source_path) or "无标题"
    parts = [f"《{title}》"]
    unit = item.org_name or item.township
    if unit:
        parts.append(unit)
    if item.year is not None:
        # 上半年/下半年/全年 narrow the year; 其他 (a non-standard period) and 未知 say nothing worth copying.
        period = item.period if known("period", item.period) and item.period != "其他" else ""
        parts.append(f"{item.year}年{period}")
    return "——" + "，".join(parts)
