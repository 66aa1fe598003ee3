"""The stored form of a paragraph, and the hit and facet shapes built from it.

Both backends index the same flat field dict (``index_fields``): keyword
fields for filters and facets, ``year`` as an integer, and the two analysed
views ``words`` and ``chars`` as space-separated tokens that each engine
splits on whitespace and nothing else, so both hold identical tokens.
Turning stored fields back into an ``IndexDocument``, a ``Hit`` or a facet
value list also lives here, so results look the same whichever engine
answered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from engine import analysis, plan
from engine import facets as registry
from engine.contract import FacetCount, Hit, IndexDocument, TokenViews
from engine.highlight import highlight

#: Keyword fields: matched whole, never analysed. The facets' own fields come from the
#: registry (engine/data/facets.toml); ``topics`` is multi-valued.
KEYWORD_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            "paragraph_id",
            "article_id",
            "source_path",
            "source_sha256",
            "duplicate_key",
            "quality_band",
            *registry.keyword_fields(),
        )
    )
)
#: Single-valued text facets of an article (org_level, township, …), stored as None when empty.
_ARTICLE_TEXT_FACETS: tuple[str, ...] = tuple(
    f.field for f in registry.all_facets() if f.kind == "keyword" and not f.multi
)
#: The analysed views; engines split them on whitespace only. ``context`` holds the chars of the
#: headings above a paragraph (its section path), so a paragraph is found through its headings.
ANALYSED_FIELDS: tuple[str, ...] = ("words", "chars", plan.CONTEXT_FIELD)
#: Between two headings of a section path in the ``context`` view: never produced by a query, so no
#: phrase runs from one heading into the next.
CONTEXT_BREAK = "\u2016\u2016"

#: The keys of ``stored_fields`` that are a paragraph's own, in the order the embedded index stores their
#: values (a list: engine.embedded.schema): those most often alike from one paragraph to the next first, so
#: that the doc store's lz4 keeps them as one repeat.
PARAGRAPH_KEYS: tuple[str, ...] = (
    "paragraph_id",
    "duplicate_key",
    "quality_band",
    "part_of",
    "origin",
    "article_id",
    "section_path",
    "topics",
    "is_heading",
    "text",
    "position",
    "quality",
)
#: The keys of ``stored_fields`` that every paragraph copies from its article. The embedded index stores
#: them once per article where it can (see ``settle_headings``). ``title`` comes first: never a list or dict.
ARTICLE_KEYS: tuple[str, ...] = (
    "title",
    "source_path",
    "source_sha256",
    *_ARTICLE_TEXT_FACETS,
    "year",
    "publish_date",
    "origins",
)
#: Every key of ``stored_fields``; a key added there must be added to one of the two lists above.
STORED_KEYS: tuple[str, ...] = PARAGRAPH_KEYS + ARTICLE_KEYS


class IndexFields(dict[str, Any]):
    """A paragraph's index fields, knowing where its article's values were written before it.

    ``article_head`` is how many paragraphs earlier in the same
    ``replace_source`` batch the first paragraph of its article is, when
    every paragraph of the article there has the same ``ARTICLE_KEYS``
    values; otherwise None. It is an attribute, not a key: engines that
    index the dict (Elasticsearch) never see it.
    """

    article_head: int | None = None


#: Longest word token indexed (Elasticsearch's whitespace tokenizer splits longer ones).
MAX_WORD_LENGTH = 255


def stored_fields(doc: IndexDocument) -> dict[str, Any]:
    """The document as a flat dict of plain JSON values (without the analysed views).

    Empty facet strings become ``None`` so no engine invents an empty facet
    value. A paragraph without a duplicate key is its own duplicate group:
    its key is its ``paragraph_id``, so collapsing never merges unrelated
    paragraphs and every hit has a key to ask ``copies()`` about.
    """
    return {
        "paragraph_id": doc.paragraph_id,
        "article_id": doc.article_id,
        "position": doc.position,
        "text": doc.text,
        "title": doc.title,
        "source_path": doc.source_path,
        "source_sha256": doc.source_sha256,
        "section_path": list(doc.section_path),
        "is_heading": doc.is_heading,
        "topics": list(doc.topics),
        "quality": doc.quality,
        "quality_band": plan.quality_band(doc.quality, doc.is_heading),
        "duplicate_key": doc.duplicate_key or doc.paragraph_id,
        "part_of": doc.part_of or None,
        "origin": doc.origin or "text",
        **{name: getattr(doc, name) or None for name in _ARTICLE_TEXT_FACETS},
        "year": doc.year,
        "publish_date": doc.publish_date,
        "origins": dict(doc.origins),
    }


#: Paragraph texts whose views are remembered. An archive repeats many paragraphs (the same headings and
#: stock sentences in every year's summary, one summary saved twice): about a quarter of the text at 100k is
#: analysed again within the last few thousand paragraphs. ~1.5 KB an entry: at most ~12 MB.
TEXT_VIEWS_CACHED = 8192
#: Section paths whose ``context`` view is remembered: consecutive paragraphs share their headings.
CONTEXT_VIEWS_CACHED = 1024


def token_views(doc: IndexDocument) -> TokenViews:
    """The ``words``, ``chars`` and ``context`` views of a paragraph (the segmentation an index needs)."""
    words, chars = _text_views(doc.text)
    section_path = tuple(doc.section_path)
    return TokenViews(
        words=words, chars=chars, context=_context_view(section_path), text=doc.text, section_path=section_path
    )


@lru_cache(maxsize=TEXT_VIEWS_CACHED)
def _text_views(text: str) -> tuple[str, str]:
    """The ``words`` and ``chars`` views of one text, joined (a repeated text is segmented once)."""
    # Overlong "words" (a URL or base64 blob in a saved web page) are dropped:
    # Elasticsearch's whitespace tokenizer would cut them at 255 characters and
    # tantivy would not, and matching never depends on words anyway (chars does).
    words, chars = analysis.token_views(text)
    if words and max(map(len, words)) > MAX_WORD_LENGTH:
        words = [w for w in words if len(w) <= MAX_WORD_LENGTH]
    return " ".join(words), " ".join(chars)


@lru_cache(maxsize=CONTEXT_VIEWS_CACHED)
def _context_view(section_path: tuple[str, ...]) -> str:
    return " ".join(context_tokens(section_path))


def _current_views(doc: IndexDocument) -> TokenViews | None:
    """The views the document carries, if they were made from its present text and headings."""
    views = doc.views
    if views is None or views.text != doc.text or views.section_path != tuple(doc.section_path):
        return None
    return views


def analysed(doc: IndexDocument) -> IndexDocument:
    """The document carrying its token views, so that the engine does not segment it again."""
    if _current_views(doc) is not None:
        return doc
    return dataclasses.replace(doc, views=token_views(doc))


def index_fields(doc: IndexDocument) -> dict[str, Any]:
    """Stored fields plus the analysed ``words``, ``chars`` and ``context`` views: what an engine indexes."""
    fields = stored_fields(doc)
    views = _current_views(doc) or token_views(doc)
    fields["words"] = views.words
    fields["chars"] = views.chars
    fields[plan.CONTEXT_FIELD] = views.context
    return fields


def context_tokens(section_path: Iterable[str]) -> list[str]:
    """The ``context`` view: the chars of each heading above a paragraph, headings kept apart."""
    tokens: list[str] = []
    for heading in section_path:
        chars = analysis.char_tokens(heading)
        if chars:
            if tokens:
                tokens.append(CONTEXT_BREAK)
            tokens += chars
    return tokens


def settle_headings(documents: Iterable[IndexDocument]) -> list[IndexFields]:
    """Index fields for one source file's paragraphs, headings settled per article.

    A heading is context for the paragraphs below it and is never a hit
    (quality band "heading"), except in an article that has nothing but
    headings: there each heading is all there is to find, so it is searched
    like any other short paragraph (band "low"). Each paragraph also learns
    where its article's first paragraph is (``IndexFields.article_head``).
    """
    fields = [IndexFields(index_fields(doc)) for doc in documents]
    with_body = {f["article_id"] for f in fields if not f.get("is_heading")}
    for f in fields:
        if f.get("is_heading") and f["article_id"] not in with_body:
            f["quality_band"] = "low"
    _link_articles(fields)
    return fields


def _link_articles(fields: list[IndexFields]) -> None:
    """Point the later paragraphs of each article at its first (``IndexFields.article_head``).

    Only in an article whose paragraphs all have the same article values, so
    that its first paragraph is the one paragraph of the batch that holds them.
    """
    by_article: dict[str, list[int]] = {}
    for i, f in enumerate(fields):
        by_article.setdefault(f["article_id"], []).append(i)
    for first, *later in by_article.values():
        head = fields[first]
        if all(fields[i][key] == head[key] for i in later for key in ARTICLE_KEYS):
            for i in later:
                fields[i].article_head = i - first


def document_from_fields(fields: Mapping[str, Any]) -> IndexDocument:
    """Rebuild the ``IndexDocument`` from stored fields (the inverse of ``stored_fields``)."""
    return IndexDocument(
        paragraph_id=fields["paragraph_id"],
        article_id=fields["article_id"],
        position=int(fields["position"]),
        text=fields["text"],
        title=fields.get("title") or "",
        source_path=fields["source_path"],
        source_sha256=fields.get("source_sha256") or "",
        section_path=tuple(fields.get("section_path") or ()),
        is_heading=bool(fields.get("is_heading")),
        topics=tuple(fields.get("topics") or ()),
        quality=float(fields.get("quality") or 0.0),
        duplicate_key=fields.get("duplicate_key") or "",
        part_of=fields.get("part_of") or "",
        origin=fields.get("origin") or "text",
        **{name: fields.get(name) or "" for name in _ARTICLE_TEXT_FACETS},
        year=fields.get("year"),
        publish_date=fields.get("publish_date"),
        origins=dict(fields.get("origins") or {}),
    )


def make_hit(
    fields: Mapping[str, Any],
    terms: Iterable[str],
    score: float,
    duplicate_count: int = 0,
    fragment_size: int = 160,
) -> Hit:
    """A result-list entry from stored fields, highlighted for ``terms``."""
    marked = highlight(fields["text"], terms, fragment_size)
    return Hit(
        paragraph_id=fields["paragraph_id"],
        article_id=fields["article_id"],
        text=fields["text"],
        highlighted=marked.html,
        fragment=marked.fragment_html,
        fragment_start=marked.fragment_start,
        fragment_end=marked.fragment_end,
        match_count=marked.match_count,
        score=float(score),
        title=fields.get("title") or "",
        section_path=list(fields.get("section_path") or ()),
        is_heading=bool(fields.get("is_heading")),
        topics=list(fields.get("topics") or ()),
        **{name: fields.get(name) or "" for name in _ARTICLE_TEXT_FACETS},
        year=fields.get("year"),
        source_path=fields["source_path"],
        duplicate_key=fields.get("duplicate_key") or "",
        duplicate_count=duplicate_count,
        publish_date=fields.get("publish_date"),
        part_of=fields.get("part_of") or "",
        origin=fields.get("origin") or "text",
    )


def facet_list(facet: str, counts: Mapping[str, int], selected: Iterable[str], size: int) -> list[FacetCount]:
    """One facet's values as the UI lists them, identical for every backend.

    Order: as the registry says (count descending then value; years newest
    first; a closed vocabulary in its declared order). The first ``size``
    values are kept; selected values are always listed, with a count of 0
    when nothing matches them, so the user can see and undo them.
    """
    chosen = set(selected)
    declared = registry.get(facet)
    # Which values make the cut: the most frequent (years: the newest); then the display order.
    if declared is not None and declared.order == "newest":
        ranked = declared.display_order(counts, counts)
    else:
        ranked = sorted(counts, key=lambda v: (-counts[v], v))
    kept = ranked[:size] + [v for v in ranked[size:] if v in chosen]
    shown = declared.display_order(kept, counts) if declared is not None else kept
    shown += sorted(chosen.difference(counts))
    return [FacetCount(value, counts.get(value, 0), value in chosen) for value in shown]
