"""JSON responses with an explicit UTF-8 content type and readable Chinese."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` as JSON (Chinese left unescaped), with ``application/json; charset=utf-8``."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, content_type=JSON_CONTENT_TYPE)
