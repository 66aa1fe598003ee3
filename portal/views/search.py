"""The search page (/): query box, facets, hits, pagination — all in the URL, no JavaScript needed."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from engine.request import build_request
from portal.engine_access import get_engine
from portal.searching import facet_groups, paginate, relaxations
from portal.urlstate import SearchState, as_lists

bp = Blueprint("search", __name__)


@bp.get("/")
def index() -> str:
    """Search (or browse, with filters only); the landing page when nothing is asked."""
    search_request = build_request(as_lists(request.args))  # raises InvalidParameter → 400
    state = SearchState(request.args, url_for("search.index"))
    engine = get_engine()
    result = engine.search(search_request)
    landing = not state.query and not state.has_filters
    return render_template(
        "search.html",
        state=state,
        result=result,
        landing=landing,
        groups=facet_groups(result, state),
        pagination=paginate(result, state),
        relaxations=relaxations(engine, state) if result.total == 0 and state.has_filters else [],
    )
