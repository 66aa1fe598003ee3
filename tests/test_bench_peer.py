"""The stock-Elasticsearch peer's request bodies: each bench query's nearest stock equivalent, exactly."""

from __future__ import annotations

from typing import Any

import pytest

from bench.peer_bodies import PEER_FACETS, peer_body, peer_document, peer_mapping, peer_query
from bench.queries import BenchQuery, load_queries


def _match(text: str) -> dict[str, Any]:
    return {"match": {"text": {"query": text, "operator": "and"}}}


@pytest.mark.parametrize(
    ("q", "filters", "expected"),
    [
        ("送温暖", "", _match("送温暖")),
        ("劳动争议 调解", "", _match("劳动争议 调解")),
        ('"元旦、春节"', "", {"match_phrase": {"text": "元旦、春节"}}),
        (
            "职工书屋 OR 职工之家",
            "",
            {"bool": {"should": [_match("职工书屋"), _match("职工之家")], "minimum_should_match": 1}},
        ),
        ("帮扶 -春节", "", {"bool": {"must": [_match("帮扶")], "must_not": [_match("春节")]}}),
        (
            "劳动竞赛 技能 -安全",
            "",
            {"bool": {"must": [_match("劳动竞赛 技能")], "must_not": [_match("安全")]}},
        ),
        (
            '困难职工 "帮扶" -"春节"',
            "",
            {
                "bool": {
                    "must": [_match("困难职工"), {"match_phrase": {"text": "帮扶"}}],
                    "must_not": [{"match_phrase": {"text": "春节"}}],
                }
            },
        ),
        (
            "职工",
            "township=洪丰乡&year=2015-2020",
            {
                "bool": {
                    "must": [_match("职工")],
                    "filter": [{"term": {"township": "洪丰乡"}}, {"range": {"year": {"gte": 2015, "lte": 2020}}}],
                }
            },
        ),
        (
            "工会 职工",
            "year=2023&period=上半年",
            {
                "bool": {
                    "must": [_match("工会 职工")],
                    "filter": [{"term": {"period": "上半年"}}, {"term": {"year": 2023}}],
                }
            },
        ),
        ("", "township=凤湖镇", {"bool": {"must": [{"match_all": {}}], "filter": [{"term": {"township": "凤湖镇"}}]}}),
        ("", "", {"match_all": {}}),
    ],
)
def test_peer_query_translation(q: str, filters: str, expected: dict[str, Any]) -> None:
    assert peer_query(BenchQuery(q, filters)) == expected


def test_peer_body_has_five_aggregations_highlight_and_ten_hits() -> None:
    body = peer_body(BenchQuery("职工", ""))
    assert body == {
        "query": _match("职工"),
        "size": 10,
        "aggs": {
            "township": {"terms": {"field": "township", "size": 10}},
            "year": {"terms": {"field": "year", "size": 10}},
            "period": {"terms": {"field": "period", "size": 10}},
            "org_level": {"terms": {"field": "org_level", "size": 10}},
            "topics": {"terms": {"field": "topics", "size": 10}},
        },
        "highlight": {"fields": {"text": {}}},
    }


def test_every_bench_query_translates_and_facets_are_keywords() -> None:
    properties = peer_mapping()["mappings"]["properties"]
    assert properties["text"] == {"type": "text", "analyzer": "cjk"}
    assert all(properties[name]["type"] in ("keyword", "integer") for name in PEER_FACETS)
    for query in load_queries():
        assert peer_body(query)["query"]  # no bench query is left without a stock equivalent


def test_peer_document_keeps_text_and_facets_and_drops_empty_values() -> None:
    record = {
        "id": "a-0001",
        "article_id": "a",
        "text": "送温暖",
        "township": "",
        "year": 2019,
        "period": "全年",
        "org_level": "企业厂矿",
        "org_name": "",
        "topics": ["帮扶"],
        "source_path": "x.txt",
    }
    assert peer_document(record) == {
        "text": "送温暖",
        "township": None,
        "period": "全年",
        "org_level": "企业厂矿",
        "org_name": None,
        "topics": ["帮扶"],
        "year": 2019,
        "article_id": "a",
        "source_path": "x.txt",
    }
