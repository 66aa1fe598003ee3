"""The article view's model: paragraphs with marks, the outline, and metadata with origins.

An article is rebuilt from its paragraphs (one index document each; see
docs/architecture.md, data model); the outline comes from the section paths the indexer
recorded, so it includes inline sub-headings ("1、…") that are not
paragraphs of their own.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from engine import facets as registry
from engine.contract import IndexDocument
from engine.highlight import highlight
from portal.labels import origin_label
from portal.parts import join_parts

_MARK_OPEN = re.compile(r"<mark>")

#: Article metadata rows, in display order: the registry's article facets, then the publish date.
_META_FIELDS: tuple[tuple[str, str], ...] = (
    *((f.field, f.label) for f in registry.article_facets()),
    ("publish_date", "发布日期"),
)


@dataclass(frozen=True)
class ParagraphView:
    """One paragraph as the article view renders it."""

    doc: IndexDocument
    html: Markup  # escaped text with numbered <mark id="m-N"> around matches
    anchor: str
    heading_level: int  # 0 for body text; 2, 3, 4 for headings by depth
    is_target: bool
    match_count: int


@dataclass(frozen=True)
class OutlineEntry:
    """A section heading in the outline, linking to where the section starts."""

    text: str
    anchor: str
    depth: int


@dataclass(frozen=True)
class MetaRow:
    """One metadata value and where it came from (人工标注/文件路径/标题/正文)."""

    label: str
    value: str
    origin: str


@dataclass
class ArticleView:
    """Everything the article page shows."""

    article_id: str
    title: str
    source_path: str
    paragraphs: list[ParagraphView]
    outline: list[OutlineEntry]
    metadata: list[MetaRow]
    topics: list[str]
    match_total: int
    target: IndexDocument | None = None
    terms: list[str] = field(default_factory=list)


def anchor(paragraph_id: str) -> str:
    """The fragment id of a paragraph: its permalink is ``#p-<paragraph_id>``."""
    return f"p-{paragraph_id}"


def _number_marks(marked: str, counter: itertools.count[int]) -> str:
    # Only engine-produced tags are rewritten: the text around them is already escaped.
    return _MARK_OPEN.sub(lambda _: f'<mark id="m-{next(counter)}">', marked)


#: Closing punctuation the indexer drops from a heading when it names the section (its label).
_CLOSING = "。：:；;，, "


def _label(text: str) -> str:
    """A heading as section paths name it: the same text without closing punctuation."""
    return text.strip().rstrip(_CLOSING)


def _own_path(doc: IndexDocument) -> tuple[str, ...]:
    # A heading's own entry is keyed by its label, as the paths of the paragraphs below it are:
    # keyed by its full text, "一、…下功夫。" and "一、…下功夫" were listed twice.
    labels = tuple(_label(h) for h in doc.section_path)
    return (*labels, _label(doc.text)) if doc.is_heading else labels


def _outline(docs: list[IndexDocument]) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    seen: set[tuple[str, ...]] = set()
    for doc in docs:
        path = _own_path(doc)
        for depth in range(len(path)):
            prefix = path[: depth + 1]
            if prefix not in seen:
                seen.add(prefix)
                shown = doc.text.strip() if doc.is_heading and depth == len(path) - 1 else prefix[-1]
                entries.append(OutlineEntry(shown, anchor(doc.paragraph_id), depth))
    return entries


def _metadata(first: IndexDocument) -> list[MetaRow]:
    origins: dict[str, str] = getattr(first, "origins", None) or {}
    rows = []
    for name, label in _META_FIELDS:
        value = getattr(first, name, None)
        if value in (None, ""):
            continue
        text = f"{value}年" if name == "year" else str(value)
        rows.append(MetaRow(label, text, origin_label(origins.get(name))))
    return rows


def build_article_view(docs: list[IndexDocument], terms: list[str], target_id: str | None) -> ArticleView:
    """The view of an article (``docs`` in reading order, non-empty) with ``terms`` marked.

    The parts of a split paragraph are shown as the one paragraph they are; a
    ``target_id`` naming a part (a search hit) marks that whole paragraph.
    """
    logical = {doc.paragraph_id: doc.part_of for doc in docs if doc.part_of}
    target_id = logical.get(target_id, target_id) if target_id else target_id
    docs = join_parts(docs)
    counter = itertools.count(1)
    paragraphs: list[ParagraphView] = []
    target = None
    for doc in docs:
        marked = highlight(doc.text, terms)
        is_target = doc.paragraph_id == target_id
        if is_target:
            target = doc
        level = min(2 + len(doc.section_path), 4) if doc.is_heading else 0
        paragraphs.append(
            ParagraphView(
                doc=doc,
                html=Markup(_number_marks(marked.html, counter)),  # safe: engine.highlight escaped the text
                anchor=anchor(doc.paragraph_id),
                heading_level=level,
                is_target=is_target,
                match_count=marked.match_count,
            )
        )
    topic_counts = Counter(t for doc in docs if not doc.is_heading for t in doc.topics)
    first = docs[0]
    return ArticleView(
        article_id=first.article_id,
        title=first.title,
        source_path=first.source_path,
        paragraphs=paragraphs,
        outline=_outline(docs),
        metadata=_metadata(first),
        topics=[t for t, _ in topic_counts.most_common()],
        match_total=next(counter) - 1,
        target=target,
        terms=terms,
    )
