"""The article view (/articles/<article_id>?p=<paragraph_id>&q=…), its original file and a text preview."""

from __future__ import annotations

import posixpath

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from portal.articles import build_article_view
from portal.auth import current_user
from portal.engine_access import get_engine
from portal.originals import OriginalUnavailable, file_text, may_download, original_path
from portal.urlstate import HIGHLIGHT_KEYS, SearchState

bp = Blueprint("article", __name__)


@bp.get("/articles/<article_id>")
def show(article_id: str) -> str:
    """The whole article, outline and metadata, the hit paragraph marked and q's matches highlighted.

    Highlighted as in the results: the query's words and, unless ``literal=1``, their expansions.
    """
    # The same request object as the search: an over-long q is a 400 here too.
    asked = SearchState(request.args, only=HIGHLIGHT_KEYS)
    query = asked.request.query
    docs = get_engine().article(article_id)
    if not docs:
        abort(404, "找不到这篇文章，它可能已从索引中移除。")
    view = build_article_view(docs, asked.highlight_terms, request.args.get("p"))
    return render_template(
        "article.html", view=view, query=query, literal=asked.request.literal, may_download=may_download()
    )


@bp.get("/articles/<article_id>/original")
def original(article_id: str) -> Response:
    """The file the article was read from, as it was indexed (logged-in users, or all when allowed)."""
    if not may_download():
        abort(403, "下载原文件需要先登录（管理员可设置 PORTAL_PUBLIC_ORIGINALS=1 向所有人开放）。")
    docs = get_engine().article(article_id)
    if not docs:
        abort(404, "找不到这篇文章，它可能已从索引中移除。")
    try:
        path = original_path(docs[0])
    except OriginalUnavailable as exc:
        abort(404, str(exc))
    current_app.logger.info("original %s downloaded by %s", docs[0].source_path, current_user() or "anonymous")
    response = send_file(path.resolve(), as_attachment=True, download_name=posixpath.basename(docs[0].source_path))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/articles/<article_id>/text")
def preview(article_id: str) -> str:
    """The whole source file's text as the indexer read it: every article in it, headings included."""
    engine = get_engine()
    docs = engine.article(article_id)
    if not docs:
        abort(404, "找不到这篇文章，它可能已从索引中移除。")
    articles = file_text(engine, docs[0].source_path)
    return render_template(
        "preview.html", doc=docs[0], articles=articles, article_id=article_id, may_download=may_download()
    )
