"""/healthz: is the engine reachable, and how big is the index (for load balancers and monitoring)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from engine.contract import EngineUnavailable, IncompatibleIndex
from portal.engine_access import get_engine
from portal.responses import json_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 with engine.stats() when the engine answers; 503 with the reason when it does not."""
    try:
        stats = get_engine().stats()
    except IncompatibleIndex as exc:
        current_app.logger.error("healthz: incompatible index: %s", exc)
        return json_response({"status": "unavailable", "error": "索引版本不兼容，需要重建"}, 503)
    except EngineUnavailable as exc:
        current_app.logger.error("healthz: engine unavailable: %s", exc)
        return json_response({"status": "unavailable", "error": "检索引擎不可用"}, 503)
    # Elasticsearch's stats() reports an unreachable cluster instead of raising: a load
    # balancer must still see 503, or it keeps sending users to a portal that cannot search.
    if stats.get("reachable") is False:
        current_app.logger.error("healthz: engine unreachable: %s", stats.get("error"))
        return json_response({"status": "unavailable", "error": "检索引擎不可用"}, 503)
    if stats.get("compatible") is False:
        current_app.logger.error("healthz: incompatible index: %s", stats.get("error"))
        return json_response({"status": "unavailable", "error": "索引版本不兼容，需要重建"}, 503)
    response = json_response({"status": "ok", "engine": stats})
    response.headers["Cache-Control"] = "no-store"
    return response
