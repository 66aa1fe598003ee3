"""portal.responses: the search API's body is byte for byte ``json_response(result.to_dict())``."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from flask import Flask

from engine.contract import Hit, SearchEngine, SearchResult
from engine.request import build_request
from portal import responses
from portal.responses import json_response, search_response

#: Query strings covering what shapes a result: filters (selected facet values), collapse off,
#: a literal search, a later page, a sort, an empty query and one that finds nothing.
SEARCHES = [
    {"q": ["送温暖"]},
    {"q": ["职工"], "township": ["鹿苑镇"], "size": ["3"]},
    {"q": ["晨曦计划"], "collapse": ["0"]},
    {"q": ["工会"], "literal": ["1"], "page": ["2"], "size": ["5"]},
    {"q": ["职工"], "sort": ["year"], "year": ["2023"]},
    {"q": [""]},
    {"q": ["没有这个词语的段落"]},
]


def _results(engine: SearchEngine) -> list[SearchResult]:
    return [engine.search(build_request(params)) for params in SEARCHES]


def _old_body(result: SearchResult) -> bytes:
    """What the API sent before search_response: the result's dicts through json.dumps."""
    return json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def test_search_response_is_the_to_dict_json(app: Flask, engine: SearchEngine) -> None:
    for result in _results(engine):
        with app.app_context():
            fast, plain = search_response(result), json_response(result.to_dict())
        assert fast.get_data() == plain.get_data() == _old_body(result)
        assert fast.headers["Content-Type"] == plain.headers["Content-Type"] == "application/json; charset=utf-8"
        assert fast.status_code == 200


def test_the_api_sends_that_body(client: Any, engine: SearchEngine) -> None:
    for params in SEARCHES:
        query = "&".join(f"{name}={value}" for name, values in params.items() for value in values)
        sent = client.get(f"/api/search?{query}").get_data()
        expected = engine.search(build_request(params))
        # Two searches take different times: compare everything else, and the bytes around took_ms.
        expected.took_ms = json.loads(sent)["took_ms"]
        assert sent == _old_body(expected)


def test_an_attribute_besides_the_fields_does_not_leak(engine: SearchEngine) -> None:
    result = engine.search(build_request({"q": ["送温暖"]}))
    search_response(result)  # the types are checked
    result.hits[0].debug_note = "内部"  # type: ignore[attr-defined]
    body = search_response(result).get_data()
    assert b"debug_note" not in body and body == _old_body(result)


def test_a_to_dict_that_differs_from_the_fields_wins(monkeypatch: pytest.MonkeyPatch, engine: SearchEngine) -> None:
    original = Hit.to_dict

    def with_link(self: Hit) -> dict[str, Any]:
        return {**original(self), "url": f"/article/{self.article_id}"}

    monkeypatch.setattr(Hit, "to_dict", with_link)
    monkeypatch.setattr(responses, "_FIELD_COUNTS", {})
    result = engine.search(build_request({"q": ["送温暖"]}))
    body = search_response(result).get_data()
    assert b'"url":"/article/' in body and body == _old_body(result)
    assert responses._FIELD_COUNTS[Hit] == 0


def test_other_objects_still_fail_like_json(engine: SearchEngine) -> None:
    result = engine.search(build_request({"q": ["送温暖"]}))
    broken = dataclasses.replace(result, terms=[object()])
    with pytest.raises(TypeError, match="not JSON serializable"):
        search_response(broken)
