"""The JSON API: the same parameters and validation as the pages, JSON out.

- ``GET /api/search``  — ``SearchResult.to_dict()``
- ``GET /api/facets``  — facet counts (and the total) for the same filters, no hits
- ``GET /api/articles/<article_id>`` — metadata and paragraphs in reading order
- ``GET /api/copies/<duplicate_key>?page=N&size=M`` — the copies of a duplicated paragraph, a page at a time
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response, abort, request

from engine import facets as registry
from engine.contract import IndexDocument
from engine.request import check_names
from portal.citation import source_line
from portal.copies import copies_page
from portal.engine_access import get_engine
from portal.parts import join_parts, part_ids
from portal.responses import json_response
from portal.searching import with_like
from portal.urlstate import SearchState, as_lists

bp = Blueprint("api", __name__, url_prefix="/api")

#: Article-level fields of a paragraph (copied onto every paragraph by the indexer): the registry's article facets.
ARTICLE_FIELDS: tuple[str, ...] = (
    "title",
    "source_path",
    *(f.field for f in registry.article_facets()),
    "publish_date",
)


@bp.get("/search")
def search() -> Response:
    """Search with the UI's parameters (q, sort, page, size, collapse, each facet); an unknown name is a 400."""
    engine = get_engine()
    search_request = SearchState(request.args, strict=True).request
    if like := request.args.get("like", "").strip():
        search_request, _source = with_like(engine, search_request, like)  # more like this paragraph
    return json_response(engine.search(search_request).to_dict())


@bp.get("/facets")
def facets() -> Response:
    """Facet counts for the given query and filters."""
    search_request = dataclasses.replace(SearchState(request.args, strict=True).request, page=1, page_size=0)
    result = get_engine().search(search_request)
    return json_response(
        {
            "total": result.total,
            "took_ms": result.took_ms,
            # to_dict(), not dataclasses.asdict: the same three keys without asdict's deep copy (30x slower,
            # most of the endpoint's own time at a few hundred facet values).
            "facets": {name: [c.to_dict() for c in counts] for name, counts in result.facets.items()},
        }
    )


def _paragraph(doc: IndexDocument, parts: list[str]) -> dict[str, Any]:
    return {
        "paragraph_id": doc.paragraph_id,
        "position": doc.position,
        "text": doc.text,
        "section_path": list(doc.section_path),
        "is_heading": doc.is_heading,
        "topics": list(doc.topics),
        "duplicate_key": doc.duplicate_key,
        # The stored parts of a paragraph the indexer split (search hits name them); [] when whole.
        "part_ids": parts,
        "origin": doc.origin,
    }


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    """An article: metadata (with each value's origin where known) and paragraphs in order."""
    docs = get_engine().article(article_id)
    if not docs:
        abort(404, "找不到这篇文章。")
    first = docs[0]
    parts = part_ids(docs)
    metadata = {name: getattr(first, name) for name in ARTICLE_FIELDS}
    return json_response(
        {
            "article_id": article_id,
            **metadata,
            "origins": dict(getattr(first, "origins", None) or {}),
            "source_line": source_line(first),
            # A split paragraph is one entry: its parts' texts joined (portal.parts).
            "paragraphs": [_paragraph(doc, parts.get(doc.paragraph_id, [])) for doc in join_parts(docs)],
        }
    )


@bp.get("/copies/<path:duplicate_key>")
def copies(duplicate_key: str) -> Response:
    """One page (``page``, ``size``: 20) of the paragraphs sharing a duplicate key, with enough to cite and link each."""
    check_names(as_lists(request.args), ("page", "size"))
    docs = get_engine().copies(duplicate_key)
    if not docs:
        abort(404, "找不到这组相同段落。")
    shown = copies_page(docs, as_lists(request.args))
    return json_response(
        {
            "duplicate_key": duplicate_key,
            "total": shown.total,
            "page": shown.page,
            "page_size": shown.page_size,
            "pages": shown.pages,
            "copies": [
                {
                    "paragraph_id": doc.paragraph_id,
                    "article_id": doc.article_id,
                    "part_of": doc.part_of,  # a part of a split paragraph: link to this paragraph instead
                    "origin": doc.origin,
                    "text": doc.text,
                    **{name: getattr(doc, name) for name in ARTICLE_FIELDS},
                    "source_line": source_line(doc),
                }
                for doc in shown.documents
            ],
        }
    )
