"""The stock-Elasticsearch peer's request bodies: each bench query's nearest stock equivalent, exactly."""

from __future__ import annotations

from typing import Any

import pytest

from bench.peer import ingest_ratios
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


def test_ingest_ratios_set_the_loader_against_a_plain_bulk_of_the_same_documents() -> None:
    def load(mb_per_s: float, mb_per_cpu_s: float) -> dict[str, float]:
        return {"mb_per_s": mb_per_s, "mb_per_cpu_s": mb_per_cpu_s}

    ingest = {
        "peer": load(4.0, 3.0),
        "ours_es": load(2.0, 1.5),
        "ours_es_analysed": load(3.0, 2.0),
        "plain_es": load(2.0, 1.6),
    }
    ratios = ingest_ratios(ingest, None)
    assert ratios["ours_es_over_peer_mb_per_s"] == 0.5
    # The yardstick of the loader itself is the plain bulk, not the peer.
    assert ratios["loader_over_plain_mb_per_s"] == 1.5
    assert ratios["loader_over_plain_mb_per_cpu_s"] == 1.25
    assert "loader_over_plain_mb_per_s" not in ingest_ratios({"peer": ingest["peer"]}, None)
