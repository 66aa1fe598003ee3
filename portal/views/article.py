"""The article view (/articles/<article_id>?p=<paragraph_id>&q=…)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from engine.query import parse_query
from engine.request import build_request
from portal.articles import build_article_view
from portal.engine_access import get_engine

bp = Blueprint("article", __name__)


@bp.get("/articles/<article_id>")
def show(article_id: str) -> str:
    """The whole article, outline and metadata, the hit paragraph marked and q's matches highlighted."""
    # The same validator as the search: an over-long q is a 400 here too.
    query = build_request({"q": request.args.getlist("q")}).query
    docs = get_engine().article(article_id)
    if not docs:
        abort(404, "找不到这篇文章，它可能已从索引中移除。")
    view = build_article_view(docs, parse_query(query).positive_terms(), request.args.get("p"))
    return render_template("article.html", view=view, query=query)
