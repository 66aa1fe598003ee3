"""portal.responses: the API's JSON is compact UTF-8 with readable Chinese, and /api/search sends the result's to_dict()."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from engine.contract import SearchEngine
from engine.request import build_request
from portal.responses import json_response

#: Query strings covering what shapes a result: filters, collapse off, a literal search, a later page,
#: a sort, an empty query and one that finds nothing.
SEARCHES = [
    {"q": ["送温暖"]},
    {"q": ["职工"], "township": ["鹿苑镇"], "size": ["3"]},
    {"q": ["晨曦计划"], "collapse": ["0"]},
    {"q": ["工会"], "literal": ["1"], "page": ["2"], "size": ["5"]},
    {"q": ["职工"], "sort": ["year"], "year": ["2023"]},
    {"q": [""]},
    {"q": ["没有这个词语的段落"]},
]


def test_json_is_compact_utf8_with_readable_chinese(app: Flask) -> None:
    with app.app_context():
        response = json_response({"乡镇": ["鹿苑镇"], "n": 1}, status=201)
    assert response.get_data() == '{"乡镇":["鹿苑镇"],"n":1}'.encode()
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.status_code == 201


def test_the_api_sends_the_results_to_dict(client: Any, engine: SearchEngine) -> None:
    for params in SEARCHES:
        query = "&".join(f"{name}={value}" for name, values in params.items() for value in values)
        sent = client.get(f"/api/search?{query}").get_data()
        expected = engine.search(build_request(params))
        # Two searches take different times: compare everything else.
        expected.took_ms = json.loads(sent)["took_ms"]
        assert sent == json.dumps(expected.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
