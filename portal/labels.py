"""Chinese labels for the names the engine uses."""

from __future__ import annotations

import posixpath

FACET_LABELS: dict[str, str] = {
    "org_level": "单位层级",
    "township": "乡镇",
    "org_name": "单位",
    "period": "时段",
    "year": "年份",
    "topic": "主题",
    "source": "来源文件",
}

#: Where a metadata value came from (IndexDocument.origins), in the reader's words.
ORIGIN_LABELS: dict[str, str] = {
    "sidecar": "人工标注",
    "path": "文件路径",
    "title": "标题",
    "text": "正文",
}

SORT_LABELS: dict[str, str] = {"relevance": "相关度", "year": "年份"}


def facet_label(facet: str) -> str:
    """The Chinese name of a facet (the raw name if unknown)."""
    return FACET_LABELS.get(facet, facet)


def value_label(facet: str, value: str) -> str:
    """How a facet value reads in the UI: file names without folders, years with 年, ranges with a dash."""
    if facet == "source":
        return posixpath.basename(value) or value
    if facet == "year":
        return f"{value}年" if value.isdigit() else value.replace("-", "–") + " 年"
    return value


def origin_label(origin: str | None) -> str:
    """The Chinese name of a metadata origin ("" when unknown)."""
    return ORIGIN_LABELS.get(origin or "", "")
