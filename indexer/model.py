"""The data that flows through the indexer: files → articles → paragraphs.

Plain dataclasses, serialised one object per line as JSONL between ``parse``
and the loaders. The data model is described in docs/architecture.md ("Data model").
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Origin = Literal["sidecar", "path", "title", "text"]
#: How a paragraph's text was obtained: typed in the file ("text"), or recognised from a scanned page ("ocr").
TextOrigin = Literal["text", "ocr"]

#: Article facets that are copied onto each of its paragraphs.
ARTICLE_FACETS = ("org_level", "org_name", "township", "period", "year", "publish_date", "doc_type", "org_type")


@dataclass(frozen=True)
class SourceFile:
    """One file of the archive, as it was read."""

    path: str
    sha256: str
    format: str
    encoding: str | None
    size: int
    modified: str  # ISO 8601, UTC


@dataclass
class Article:
    """One summary. A file may hold several; ``article_id`` is stable across re-ingest."""

    article_id: str
    title: str
    source_path: str
    source_sha256: str
    position: int
    org_level: str = "未知"
    org_name: str = ""
    township: str = ""
    period: str = "未知"
    year: int | None = None
    publish_date: str | None = None
    doc_type: str = "其他"
    org_type: str = "其他"
    #: The year the page's title claims; kept apart because template titles are often wrong.
    year_label: int | None = None
    topics: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    duplicate_key: str = ""
    origins: dict[str, Origin] = field(default_factory=dict)
    kind: Literal["article"] = "article"


@dataclass
class Paragraph:
    """One paragraph (or heading) of an article, with the article's facets copied in."""

    paragraph_id: str
    article_id: str
    position: int
    text: str
    section_path: list[str] = field(default_factory=list)
    is_heading: bool = False
    topics: list[str] = field(default_factory=list)
    quality: float = 0.0
    #: Set on every part of an over-long paragraph that was split (indexer.splitting.long_paragraphs):
    #: the id of the first part, shared by all, so the parts can be shown as one paragraph.
    part_of: str = ""
    #: "ocr" when the paragraph was recognised from a scanned page (indexer.reading.ocr), so it may hold
    #: recognition errors; "text" otherwise. Not to be confused with an article's facet ``origins``.
    origin: TextOrigin = "text"
    duplicate_key: str = ""
    title: str = ""
    source_path: str = ""
    source_sha256: str = ""
    org_level: str = "未知"
    org_name: str = ""
    township: str = ""
    period: str = "未知"
    year: int | None = None
    publish_date: str | None = None
    doc_type: str = "其他"
    org_type: str = "其他"
    kind: Literal["paragraph"] = "paragraph"


Record = Article | Paragraph


def to_json_line(record: Record) -> str:
    """Serialise one record as a JSONL line (no trailing newline)."""
    return json.dumps(dataclasses.asdict(record), ensure_ascii=False)


def from_json(obj: dict[str, Any]) -> Record:
    """Rebuild an Article or Paragraph from a decoded JSONL object."""
    kind = obj.get("kind")
    if kind == "article":
        return Article(**obj)
    if kind == "paragraph":
        return Paragraph(**obj)
    raise ValueError(f"unknown record kind: {kind!r}")
