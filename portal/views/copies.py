"""Every copy of a duplicated paragraph (/copies/<key>): the no-JavaScript side of "另有 N 处相同段落"."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from engine.highlight import highlight
from engine.query import parse_query
from engine.request import build_request
from portal.engine_access import get_engine

bp = Blueprint("copies", __name__)


@bp.get("/copies/<path:duplicate_key>")
def copies(duplicate_key: str) -> str:
    """All paragraphs sharing ``duplicate_key``, each linking to its article."""
    query = build_request({"q": request.args.getlist("q")}).query
    documents = get_engine().copies(duplicate_key)
    if not documents:
        abort(404, "找不到这组相同段落，索引可能已更新。")
    terms = parse_query(query).positive_terms()
    marked = [highlight(doc.text, terms).html for doc in documents]
    return render_template("copies.html", documents=list(zip(documents, marked, strict=True)), query=query)
