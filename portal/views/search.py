"""The search page (/): query box, facets, hits, pagination — all in the URL, no JavaScript needed.

Also the export of a whole result list (/export), with the same parameters.
"""

from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for

from portal.engine_access import get_engine
from portal.export import to_csv, to_docx
from portal.links import paragraph_link
from portal.parts import PAGE_TEXT_MAX, as_wholes, whole_texts
from portal.queryread import describe, reading_notes
from portal.searching import (
    all_hits,
    facet_groups,
    merged_on_page,
    paginate,
    relaxations,
    unfiltered_count,
    with_like,
)
from portal.urlstate import STATE_KEYS, SearchState

bp = Blueprint("search", __name__)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _blank_parameters() -> bool:
    """True when the URL carries a search parameter with no value (``&year=`` from an empty form field)."""
    return any(not value.strip() for key in STATE_KEYS for value in request.args.getlist(key))


@bp.get("/")
def index() -> Response | str:
    """Search (or browse, with filters only); the landing page when nothing is asked."""
    state = SearchState(request.args, url_for("search.index"))
    if _blank_parameters():
        # A form's empty fields would leave &year= in every bookmarked or shared link.
        return redirect(state.canonical(), code=302)
    search_request = state.request  # raises InvalidParameter → 400
    engine = get_engine()
    like = None
    if state.like:
        search_request, like = with_like(engine, search_request, state.like)
    result = engine.search(search_request)
    landing = not state.query and not state.has_filters and like is None
    parsed = state.parsed
    empty_under_filters = result.total == 0 and state.has_filters
    return render_template(
        "search.html",
        state=state,
        result=result,
        landing=landing,
        like=like,
        ranked=bool(parsed.required) or like is not None,
        reading=reading_notes(state.query, parsed) if like is None else [],
        understood=describe(parsed),
        merged=merged_on_page(result),
        groups=facet_groups(result, state),
        pagination=paginate(result, state),
        hidden=unfiltered_count(engine, state) if empty_under_filters else 0,
        relaxations=relaxations(engine, state) if empty_under_filters else [],
        # Copy and basket take a split paragraph whole, though the hit shows one part.
        wholes=whole_texts(engine, result.hits, PAGE_TEXT_MAX),
    )


@bp.get("/saved")
def saved() -> str:
    """Saved searches (kept in the browser by static/js/saved.js), each with its new paragraphs."""
    return render_template("saved.html")


@bp.get("/export")
def export() -> Response:
    """Every hit of a search (up to RESULT_EXPORT_MAX), with source lines, as .docx or .csv."""
    fmt = request.args.get("format", "docx")
    if fmt not in ("docx", "csv"):
        abort(400, f"不支持的导出格式“{fmt[:10]}”，只能是 docx 或 csv。")
    state = SearchState(request.args, url_for("search.index"))
    search_request = state.request  # format is the export's own parameter: the request builder ignores it
    engine = get_engine()
    heading = f"检索「{state.query}」的结果" if state.query else "检索结果"
    if state.like:
        search_request, like = with_like(engine, search_request, state.like)
        heading = f"与「{like.text[:20]}…」相似的段落"
    limit = int(current_app.config["RESULT_EXPORT_MAX"])
    hits, total = all_hits(engine, search_request, limit)
    hits = as_wholes(engine, hits)  # parts of a split paragraph: exported once, whole
    filters = "，".join(chip.label for chip in state.chips())
    subtitle = "；".join(
        p for p in (filters, f"共找到 {total} 段，导出前 {len(hits)} 条" if total > len(hits) else "") if p
    )
    name = f"检索结果-{datetime.now():%Y%m%d-%H%M}"
    if fmt == "docx":
        data = to_docx(hits, title=heading, subtitle=subtitle, link_for=paragraph_link)
        response = send_file(io.BytesIO(data), mimetype=DOCX_MIMETYPE, as_attachment=True, download_name=f"{name}.docx")
    else:
        # BOM: Excel opens UTF-8 CSV as GBK without it.
        data = to_csv(hits, link_for=paragraph_link).encode("utf-8-sig")
        response = send_file(
            io.BytesIO(data), mimetype="text/csv; charset=utf-8", as_attachment=True, download_name=f"{name}.csv"
        )
    response.headers["X-Result-Total"] = str(total)
    response.headers["Cache-Control"] = "no-store"
    return response
