"""Chinese labels for the names the engine uses (facet labels come from the facet registry)."""

from __future__ import annotations

import posixpath

from engine import facets as registry

#: facet name → Chinese label, as declared in engine/data/facets.toml.
FACET_LABELS: dict[str, str] = registry.labels()

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
    declared = registry.get(facet)
    kind = declared.kind if declared else "keyword"
    if kind == "file":
        return posixpath.basename(value) or value
    if kind == "year":
        return f"{value}年" if value.isdigit() else value.replace("-", "–") + " 年"
    return value


def known(facet: str, value: object) -> bool:
    """True when ``value`` tells the reader something (not the facet's "unknown" value, not empty)."""
    declared = registry.get(facet)
    return not (declared.is_unknown(value) if declared else value in (None, ""))


def origin_label(origin: str | None) -> str:
    """The Chinese name of a metadata origin ("" when unknown)."""
    return ORIGIN_LABELS.get(origin or "", "")
