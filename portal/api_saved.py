"""The JSON API of a logged-in user's saved searches (portal.saved_searches), used by static/js/saved.js.

- ``GET    /api/saved``               — the list, each with ``added``: paragraphs new since it was last opened
  (``?counts=0``: without the counts)
- ``POST   /api/saved``               — ``{"name", "search"}``: save a search (201); the same search again renames it
- ``DELETE /api/saved/<id>``          — delete one
- ``POST   /api/saved/<id>/opened``   — mark it opened; returns ``added`` (new since the previous opening)
- ``POST   /api/saved/merge``         — ``{"items": [{"name", "search", "total"}]}``: a browser's list into the account

Every call needs a login (401 otherwise: saved searches without one stay
in the browser); the POSTs and the DELETE need the CSRF token in an
``X-CSRFToken`` header and a same-origin request, like every change in the
portal (portal.csrf, portal.security). Bad input is a 400 whose ``error``
says why. A user only ever sees and changes their own searches: another
user's id is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from flask import Blueprint, Flask, Response, current_app, request

from engine.request import InvalidParameter, build_request
from portal.auth import current_user, login_required
from portal.engine_access import get_engine
from portal.responses import json_response
from portal.saved_searches import (
    MAX_PER_USER,
    SavedSearch,
    SavedSearchError,
    SavedSearchStore,
    clean_name,
    normal_search,
    search_params,
)
from portal.searching import with_like

_STORE = "portal.saved_searches"
#: A browser's saved total is taken as is only within this range (anything else: counted afresh).
_MAX_TOTAL = 10**9

bp = Blueprint("saved_searches", __name__, url_prefix="/api/saved")


def store() -> SavedSearchStore:
    """The app's saved-search store."""
    return cast(SavedSearchStore, current_app.extensions[_STORE])


def current_total(search: str) -> int:
    """Paragraphs the saved ``search`` finds now (the number its search page shows)."""
    engine = get_engine()
    params = search_params(search)
    search_request = build_request(params)
    if like := (params.get("like") or [""])[-1].strip():
        search_request, _source = with_like(engine, search_request, like)
    return engine.search(replace(search_request, page=1, page_size=0, facet_size=1)).total


def _user() -> str:
    user = current_user()
    assert user is not None  # login_required let the request through
    return user


def _bad(reason: str) -> Response:
    return _private(json_response({"error": reason}, 400))


def _private(response: Response) -> Response:
    # One user's list: never kept by a shared cache or shown from the back/forward cache after logout.
    response.headers["Cache-Control"] = "no-store"
    return response


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise SavedSearchError("请求体应为 JSON 对象（Content-Type: application/json）。")
    return data


def _with_count(item: SavedSearch) -> dict[str, Any]:
    """The entry with ``current`` (its total now) and ``added`` (new since last opened); None when it cannot run."""
    try:
        now: int | None = current_total(item.search)
    except InvalidParameter:  # e.g. a more-like-this paragraph gone after a rebuild
        now = None
    added = None if now is None else max(0, now - item.total)
    return {**item.to_dict(), "current": now, "added": added}


@bp.get("")
@login_required
def items() -> Response:
    """The caller's saved searches, most recently saved first, each with its new paragraphs.

    ``?counts=0`` leaves the counts out (no search per entry): the search page only needs the list.
    """
    saved = store().items(_user())
    if request.args.get("counts") == "0":
        return _private(json_response({"items": [item.to_dict() for item in saved]}))
    return _private(json_response({"items": [_with_count(item) for item in saved]}))


@bp.post("")
@login_required
def save() -> Response:
    """Save ``{"name", "search"}`` (the search page's query string); its current total counts as seen."""
    try:
        data = _body()
        name = clean_name(data.get("name"))
        search = normal_search(data.get("search"))
        total = current_total(search)
        item = store().save(_user(), name, search, total)
    except (SavedSearchError, InvalidParameter) as exc:
        return _bad(str(exc))
    return _private(json_response({"item": {**item.to_dict(), "current": total, "added": 0}}, 201))


@bp.delete("/<int:item_id>")
@login_required
def delete(item_id: int) -> Response:
    """Delete one of the caller's saved searches (404 when it is not theirs)."""
    if not store().delete(_user(), item_id):
        return _private(json_response({"error": "找不到这个已保存的检索（可能已被删除）。"}, 404))
    return _private(json_response({"deleted": item_id}))


@bp.post("/<int:item_id>/opened")
@login_required
def opened(item_id: int) -> Response:
    """Mark a saved search opened: its paragraphs now count as seen. Returns how many were new."""
    user = _user()
    item = store().get(user, item_id)
    if item is None:
        return _private(json_response({"error": "找不到这个已保存的检索（可能已被删除）。"}, 404))
    try:
        total = current_total(item.search)
    except InvalidParameter as exc:
        return _bad(str(exc))
    before = store().opened(user, item_id, total) or item
    return _private(
        json_response({"added": max(0, total - before.total), "previous_total": before.total, "total": total})
    )


@bp.post("/merge")
@login_required
def merge() -> Response:
    """Add a browser's saved searches to the account; those the account already has stay as they are.

    Each entry may carry the total the browser last saw, so "new since last
    opened" carries over. Entries that cannot be saved are skipped, with the
    reason (and the entry's index in ``items``), and the rest merged.
    """
    try:
        entries = _body().get("items")
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise SavedSearchError("items 应为检索的列表，每个含 name 与 search。")
        if len(entries) > MAX_PER_USER:
            raise SavedSearchError(f"一次最多并入 {MAX_PER_USER} 个检索，收到 {len(entries)} 个。")
    except SavedSearchError as exc:
        return _bad(str(exc))
    user = _user()
    merged, skipped = 0, []
    for index, entry in enumerate(entries):
        try:
            name = clean_name(entry.get("name"))
            search = normal_search(entry.get("search"))
            seen = entry.get("total")
            valid = isinstance(seen, int) and not isinstance(seen, bool) and 0 <= seen <= _MAX_TOTAL
            store().save(user, name, search, seen if valid else current_total(search), keep_existing=True)
            merged += 1
        except (SavedSearchError, InvalidParameter) as exc:
            skipped.append({"index": index, "name": str(entry.get("name"))[:60], "reason": str(exc)})
    return _private(json_response({"merged": merged, "skipped": skipped}))


def init_app(app: Flask) -> None:
    """The store (in the state folder when there is one) and the API's routes."""
    state = app.config.get("STATE_DIR")
    app.extensions[_STORE] = SavedSearchStore(Path(state) / "saved_searches.sqlite3" if state else None)
    app.register_blueprint(bp)
