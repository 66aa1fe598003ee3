"""Every copy of a duplicated paragraph (/copies/<key>?page=N): the no-JavaScript side of "另有 N 处相同段落"."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from engine.highlight import highlight
from portal.copies import copies_page
from portal.engine_access import get_engine
from portal.paging import pager
from portal.parts import PAGE_TEXT_MAX, whole_texts
from portal.urlstate import HIGHLIGHT_KEYS, SearchState, as_lists

bp = Blueprint("copies", __name__)


@bp.get("/copies/<path:duplicate_key>")
def copies(duplicate_key: str) -> str:
    """All paragraphs sharing ``duplicate_key``, a page at a time, each linking to its article."""
    # The search's q and literal only: page and size here page through the copies.
    asked = SearchState(request.args, only=HIGHLIGHT_KEYS)
    query = asked.request.query
    literal = "1" if asked.request.literal else None
    engine = get_engine()
    documents = engine.copies(duplicate_key)
    if not documents:
        abort(404, "找不到这组相同段落，索引可能已更新。")
    shown = copies_page(documents, as_lists(request.args))  # a bad page or size is a 400

    def page_url(number: int) -> str:
        size = shown.page_size if "size" in request.args else None
        return url_for(
            "copies.copies",
            duplicate_key=duplicate_key,
            q=query or None,
            literal=literal,
            page=number if number > 1 else None,
            size=size,
        )

    marked = [highlight(doc.text, asked.highlight_terms).html for doc in shown.documents]
    return render_template(
        "copies.html",
        shown=shown,
        documents=list(zip(shown.documents, marked, strict=True)),
        pagination=pager(shown.page, shown.pages, page_url),
        query=query,
        literal=literal,
        # Copy and basket take a split paragraph whole, though a copy may be one of its parts.
        wholes=whole_texts(engine, shown.documents, PAGE_TEXT_MAX),
    )
