"""JSON responses with an explicit UTF-8 content type and readable Chinese.

Every JSON body is compact (no spaces) and keeps Chinese as UTF-8 rather than
``\\uXXXX`` escapes. One encoder serves every response: ``json.dumps`` with
options builds a new encoder per call, and its check for circular references
costs a lookup per object for structures that cannot have any (a response is
a tree of fresh dicts and lists; a cycle would still fail, with RecursionError).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` as JSON (Chinese left unescaped), with ``application/json; charset=utf-8``."""
    return Response(_ENCODER.encode(data), status=status, content_type=JSON_CONTENT_TYPE)
