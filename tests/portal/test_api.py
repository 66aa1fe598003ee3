"""The JSON API: same parameters as the pages, documented shapes, UTF-8 JSON."""

from __future__ import annotations

import dataclasses

from flask.testing import FlaskClient

from engine.contract import FACETS, SearchEngine
from engine.request import build_request
from tests.portal.corpus import DUPLICATE_KEY

JSON = "application/json; charset=utf-8"
HIT_KEYS = {
    "paragraph_id",
    "article_id",
    "text",
    "highlighted",
    "fragment",
    "fragment_start",
    "fragment_end",
    "match_count",
    "score",
    "title",
    "section_path",
    "is_heading",
    "topics",
    "org_level",
    "org_name",
    "township",
    "period",
    "year",
    "source_path",
    "duplicate_key",
    "duplicate_count",
    "doc_type",
    "org_type",
}


def test_search_shape(client: FlaskClient) -> None:
    response = client.get("/api/search?q=送温暖")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON
    assert "送温暖" in response.get_data(as_text=True)  # not \u-escaped
    data = response.get_json()
    assert set(data) == {"total", "took_ms", "hits", "facets", "page", "page_size", "terms", "expanded"}
    # The query's own word first, then what the expansion added (also highlighted).
    assert data["terms"][0] == "送温暖" and set(data["expanded"]) <= set(data["terms"])
    assert data["hits"] and set(data["hits"][0]) >= HIT_KEYS
    assert "<mark>送温暖</mark>" in data["hits"][0]["highlighted"]
    assert list(data["facets"]) == list(FACETS)  # every facet of the registry, in its order
    assert {"doc_type", "org_type", "org_level", "township", "org_name", "period", "year", "topic"} <= set(FACETS)
    assert set(data["facets"]["topic"][0]) == {"value", "count", "selected"}


def test_search_takes_the_ui_parameters(client: FlaskClient) -> None:
    everything = client.get("/api/search?q=职工").get_json()
    narrowed = client.get("/api/search?q=职工&township=鹿苑镇&size=3").get_json()
    assert 0 < narrowed["total"] < everything["total"]
    assert len(narrowed["hits"]) == 3 and narrowed["page_size"] == 3
    assert {h["township"] for h in narrowed["hits"]} == {"鹿苑镇"}
    chosen = [f for f in narrowed["facets"]["township"] if f["selected"]]
    assert [f["value"] for f in chosen] == ["鹿苑镇"]


def test_collapse_parameter(client: FlaskClient) -> None:
    collapsed = client.get("/api/search?q=晨曦计划").get_json()
    expanded = client.get("/api/search?q=晨曦计划&collapse=0").get_json()
    assert len(expanded["hits"]) == len(collapsed["hits"]) + 1
    assert [h["duplicate_count"] for h in collapsed["hits"] if h["duplicate_key"] == DUPLICATE_KEY] == [1]


def test_facets_endpoint(client: FlaskClient) -> None:
    response = client.get("/api/facets?q=职工&township=寮步镇")
    assert response.headers["Content-Type"] == JSON
    data = response.get_json()
    assert set(data) == {"total", "took_ms", "facets"}
    assert data["total"] == client.get("/api/search?q=职工&township=寮步镇").get_json()["total"]
    township = {f["value"]: f for f in data["facets"]["township"]}
    assert township["寮步镇"]["selected"] and not township["鹿苑镇"]["selected"]


def test_facets_endpoint_sends_every_field_of_each_count(client: FlaskClient, engine: SearchEngine) -> None:
    params = {"q": ["职工"], "township": ["寮步镇"]}
    sent = client.get("/api/facets?q=职工&township=寮步镇").get_json()["facets"]
    counted = engine.search(dataclasses.replace(build_request(params), page=1, page_size=0)).facets
    assert sent == {name: [dataclasses.asdict(c) for c in counts] for name, counts in counted.items()}


def test_article_endpoint(client: FlaskClient) -> None:
    response = client.get("/api/articles/fixture0000000a")
    assert response.headers["Content-Type"] == JSON
    data = response.get_json()
    assert data["article_id"] == "fixture0000000a"
    assert data["title"] == "测试镇工会2022年工作总结"
    assert data["township"] == "测试镇" and data["year"] == 2022
    assert isinstance(data["origins"], dict)
    assert (
        data["source_line"] == "——测试镇总工会《测试镇工会2022年工作总结》，2022年全年，来源文件：portal-synthetic.txt"
    )
    positions = [p["position"] for p in data["paragraphs"]]
    assert positions == sorted(positions) == list(range(5))
    assert data["paragraphs"][0]["is_heading"] is True


def test_copies_endpoint(client: FlaskClient) -> None:
    data = client.get(f"/api/copies/{DUPLICATE_KEY}").get_json()
    assert data["duplicate_key"] == DUPLICATE_KEY
    assert [c["article_id"] for c in data["copies"]] == ["fixture0000000a", "fixture0000000b"]
    assert {"paragraph_id", "text", "title", "year", "source_line"} <= set(data["copies"][0])


def test_unknown_ids_are_json_404s(client: FlaskClient) -> None:
    for url in ("/api/articles/nope", "/api/copies/nope", "/api/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.headers["Content-Type"] == JSON
        assert "error" in response.get_json()
