"""The basket (素材篮): the page (driven by localStorage in the browser) and its export."""

from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from portal.engine_access import get_engine
from portal.export import to_docx, to_txt
from portal.links import paragraph_link
from portal.paragraphs import fetch_paragraphs
from portal.security import is_same_origin

bp = Blueprint("basket", __name__)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/basket")
def page() -> str:
    """The basket page; its list is rendered by static/js/basket.js from localStorage."""
    return render_template("basket.html")


@bp.post("/basket/export")
def export() -> Response:
    """Export the posted paragraph ids as .docx or .txt, with texts fetched from the engine."""
    if not is_same_origin(request):
        abort(403)
    fmt = request.form.get("format", "docx")
    if fmt not in ("docx", "txt"):
        abort(400, f"不支持的导出格式“{fmt[:10]}”，只能是 docx 或 txt。")
    ids = list(dict.fromkeys(i.strip() for i in request.form.getlist("p") if i.strip()))
    limit = current_app.config["BASKET_MAX_ITEMS"]
    if not ids:
        abort(400, "素材篮是空的：请先在检索结果或文章中加入段落。")
    if len(ids) > limit:
        abort(400, f"一次最多导出 {limit} 段，收到 {len(ids)} 段。")
    paragraphs, missing = fetch_paragraphs(get_engine(), ids)
    if not paragraphs:
        abort(400, "素材篮中的段落已不在索引中（索引可能已重建），请重新加入。")
    if missing:
        current_app.logger.info("basket export: %d paragraph(s) no longer indexed", len(missing))
    name = f"素材篮-{datetime.now():%Y%m%d-%H%M}"
    if fmt == "docx":
        response = send_file(
            io.BytesIO(to_docx(paragraphs, link_for=paragraph_link)),
            mimetype=DOCX_MIMETYPE,
            as_attachment=True,
            download_name=f"{name}.docx",
        )
    else:
        response = send_file(
            io.BytesIO(
                to_txt(paragraphs, link_for=paragraph_link).encode("utf-8-sig")
            ),  # BOM: Notepad on older Windows guesses GBK without it
            mimetype="text/plain; charset=utf-8",
            as_attachment=True,
            download_name=f"{name}.txt",
        )
    response.headers["X-Basket-Missing"] = str(len(missing))
    response.headers["Cache-Control"] = "no-store"
    return response
