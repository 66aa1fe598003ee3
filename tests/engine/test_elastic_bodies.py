"""Pin the exact request bodies the Elasticsearch backend sends, without any server.

Everything here goes through the pure body builders of engine.elastic: no
client, no fake server, no canned responses. The behaviour of those bodies
on a real node is checked by the shared contract suite
(tests/engine/test_contract.py, ``elasticsearch`` parameter).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine import analysis, plan
from engine.contract import IndexDocument, SearchRequest
from engine.documents import index_fields
from engine.elastic.bodies import (
    compile_node,
    search_body,
    sources_body,
    stale_query,
)
from engine.elastic.indices import (
    concrete_index_name,
    index_body,
    index_meta,
    swap_actions,
    template_body,
)
from engine.elastic.writing import bulk_line
from engine.query import parse_query

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def load(name: str) -> dict[str, Any]:
    return json.loads((MAPPINGS / name).read_text(encoding="utf-8"))


def query_for(text: str) -> dict[str, Any]:
    return compile_node(plan.text_query(parse_query(text)))


def term(field: str, value: str) -> dict[str, Any]:
    return {"term": {field: {"value": value}}}


#: Every text query leaves out the headings that introduce paragraphs (they are context, never hits).
NOT_A_HEADING = {"terms": {"quality_band": ["heading"]}}


def own_or_context(own: dict[str, Any]) -> dict[str, Any]:
    """A term found in the paragraph's own chars or in the chars of the headings above it."""
    context = json.loads(json.dumps(own).replace('"chars"', '"context"'))
    return {"bool": {"should": [own, context], "minimum_should_match": 1}}


def ranked(*scores: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``should`` of a text query: the BM25 clauses, summed, × (1 + QUALITY_WEIGHT × quality).

    (engine.plan multiplies by the quality factor with a function_score on
    the paragraph's quality field.)
    """
    relevance = scores[0] if len(scores) == 1 else {"bool": {"should": list(scores), "minimum_should_match": 1}}
    return [
        {
            "function_score": {
                "query": relevance,
                "functions": [
                    {"weight": 1},
                    {"field_value_factor": {"field": "quality", "factor": plan.QUALITY_WEIGHT, "missing": 0}},
                ],
                "score_mode": "sum",
                "boost_mode": "multiply",
            }
        }
    ]


def sloppy(first: str, second: str) -> dict[str, Any]:
    """Two words within PROXIMITY_SLOP of each other in this order."""
    return {"match_phrase": {"words": {"query": f"{first} {second}", "analyzer": "whitespace", "slop": 3}}}


def words_score(text: str) -> dict[str, Any]:
    """The BM25 clause on jieba words; the words themselves come from the user dictionary."""
    words = list(dict.fromkeys(analysis.word_tokens(text)))
    if len(words) == 1:
        return term("words", words[0])
    return {"bool": {"should": [term("words", w) for w in words], "minimum_should_match": 1}}


# -- index definition -----------------------------------------------------------


def test_mappings_use_only_builtin_whitespace_analysis() -> None:
    mappings = load("mappings.json")
    props = mappings["properties"]
    for field in ("words", "chars", "context"):
        assert props[field]["type"] == "text"
        assert props[field]["analyzer"] == "whitespace"
        assert props[field]["search_analyzer"] == "whitespace"
        assert props[field]["index_options"] == "positions"
    assert props["chars"]["norms"] is False  # matching only, never scored by length
    assert "analysis" not in json.dumps(load("settings.json"))
    assert mappings["dynamic"] == "strict"
    # The analysed views are rebuilt from the text, never read back.
    assert mappings["_source"] == {"excludes": ["words", "chars", "context"]}


def test_mappings_field_types() -> None:
    props = load("mappings.json")["properties"]
    keywords = [
        "paragraph_id",
        "article_id",
        "source_path",
        "source_sha256",
        "topics",
        "quality_band",
        "duplicate_key",
        "org_level",
        "org_name",
        "township",
        "period",
        "publish_date",
    ]
    for field in keywords:
        assert props[field] == {"type": "keyword"}, field
    assert props["year"] == {"type": "integer"}
    assert props["position"] == {"type": "integer"}
    assert props["quality"] == {"type": "float"}
    assert props["is_heading"] == {"type": "boolean"}
    assert props["text"] == {"type": "text", "index": False}
    assert props["title"] == {"type": "text", "index": False}
    assert props["section_path"] == {"type": "keyword", "index": False, "doc_values": False}


def test_mappings_cover_exactly_the_indexed_fields() -> None:
    doc = IndexDocument(
        paragraph_id="a#1", article_id="a", position=1, text="工会", title="t", source_path="p", source_sha256="s"
    )
    assert set(index_fields(doc)) == set(load("mappings.json")["properties"])


def test_index_body_for_first_write() -> None:
    body = index_body("summaries")
    assert body["settings"] == load("settings.json")
    expected_mappings = load("mappings.json")
    expected_mappings["_meta"] = index_meta()
    assert body["mappings"] == expected_mappings
    assert body["aliases"] == {"summaries": {}}
    assert index_meta() == {"schema_version": 5, "analysis_version": analysis.analysis_version()}


def test_index_body_for_rebuild_has_no_alias() -> None:
    body = index_body(None)
    assert "aliases" not in body
    # Writes become visible at commit() (an explicit refresh) and never before.
    assert body["settings"]["index"]["refresh_interval"] == "-1"
    # The cached file contents are not mutated by building a body.
    body["settings"]["index"]["refresh_interval"] = "5s"
    assert index_body("x")["settings"]["index"]["refresh_interval"] == "-1"


def test_template_body() -> None:
    assert template_body("summaries") == {
        "index_patterns": ["summaries-*"],
        "priority": 200 + len("summaries"),
        "template": {"settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-2"}}},
        "_meta": {
            "description": "Topology of the union-summaries indices behind alias summaries; "
            "schema lives in settings.json/mappings.json",
            "managed_by": "engine.elastic",
        },
    }
    # Overlapping patterns (a-* vs a-b-*) must not share a priority: ES refuses that.
    assert template_body("a-b")["priority"] != template_body("a")["priority"]


def test_concrete_index_name_is_alias_plus_utc_timestamp() -> None:
    when = datetime(2024, 3, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert concrete_index_name("summaries", when) == "summaries-20240305060708000009"


def test_swap_is_one_atomic_aliases_call() -> None:
    assert swap_actions("summaries", "summaries-2", ["summaries-1"]) == [
        {"remove": {"index": "summaries-1", "alias": "summaries"}},
        {"add": {"index": "summaries-2", "alias": "summaries"}},
    ]
    # A hand-made index squatting the alias name is removed in the same call.
    assert swap_actions("summaries", "summaries-2", ["summaries"]) == [
        {"remove_index": {"index": "summaries"}},
        {"add": {"index": "summaries-2", "alias": "summaries"}},
    ]
    assert swap_actions("summaries", "summaries-2", []) == [{"add": {"index": "summaries-2", "alias": "summaries"}}]


# -- bulk -----------------------------------------------------------------------


def test_bulk_action_for_a_document() -> None:
    doc = IndexDocument(
        paragraph_id="art1#3",
        article_id="art1",
        position=3,
        text="全体教职工，２０２３年",
        title="某镇工会2023年工作总结",
        source_path="镇/总结.docx",
        source_sha256="abc",
        section_path=("一、主要工作",),
        topics=("困难帮扶与送温暖",),
        quality=0.8,
        township="某镇",
        period="全年",
        year=2023,
        origins={"township": "path"},
    )
    action, source, _ = bulk_line(index_fields(doc)).split(b"\n")
    # The index is named in the request's path, not on every line.
    assert json.loads(action) == {"index": {"_id": "art1#3"}}
    assert json.loads(source) == {
        "paragraph_id": "art1#3",
        "article_id": "art1",
        "position": 3,
        "text": "全体教职工，２０２３年",
        "title": "某镇工会2023年工作总结",
        "source_path": "镇/总结.docx",
        "source_sha256": "abc",
        "section_path": ["一、主要工作"],
        "is_heading": False,
        "topics": ["困难帮扶与送温暖"],
        "quality": 0.8,
        "quality_band": "high",
        "duplicate_key": "art1#3",  # no key given: its own group
        "part_of": None,  # a whole paragraph, not a part of a split one
        "origin": "text",
        "doc_type": "其他",  # the registry's unknown value, the IndexDocument default
        "org_type": "其他",
        "org_level": "未知",
        "org_name": None,
        "township": "某镇",
        "period": "全年",
        "year": 2023,
        "publish_date": None,
        "origins": {"township": "path"},
        "words": " ".join(analysis.word_tokens(doc.text)),
        # Folded (full-width digits → ASCII), bigrams per run, runs split by ‖.
        "chars": "全体 体教 教职 职工 \u2016 20 02 23 3年",
        # The headings above the paragraph, as chars: it is found through them.
        "context": "一 \u2016 主要 要工 工作",
    }


def test_bulk_passes_pre_analysed_dicts_through() -> None:
    fields = {"paragraph_id": "x#0", "words": "a", "chars": "b", "context": "c", "text": "t"}
    action, source, _ = bulk_line(fields).split(b"\n")
    assert json.loads(action) == {"index": {"_id": "x#0"}}
    assert json.loads(source) == fields


# -- queries --------------------------------------------------------------------


def test_and_query() -> None:
    assert query_for("工会 职工") == {
        "bool": {
            "filter": [own_or_context(term("chars", "工会")), own_or_context(term("chars", "职工"))],
            # Near each other in either order: the query words' BM25 counts PROXIMITY_WEIGHT more.
            "should": ranked(
                term("words", "工会"),
                term("words", "职工"),
                {
                    "bool": {
                        "must": [
                            {
                                "bool": {
                                    "must": [
                                        {
                                            "bool": {
                                                "should": [term("words", "工会"), term("words", "职工")],
                                                "minimum_should_match": 1,
                                            }
                                        }
                                    ],
                                    "filter": [
                                        {
                                            "bool": {
                                                "should": [sloppy("工会", "职工"), sloppy("职工", "工会")],
                                                "minimum_should_match": 1,
                                            }
                                        }
                                    ],
                                }
                            }
                        ],
                        "boost": plan.PROXIMITY_WEIGHT,
                    }
                },
            ),
            "must_not": [NOT_A_HEADING],
        }
    }


def test_phrase_query_matches_bigrams_in_order() -> None:
    assert query_for('"集体协商"') == {
        "bool": {
            "filter": [
                own_or_context({"match_phrase": {"chars": {"query": "集体 体协 协商", "analyzer": "whitespace"}}})
            ],
            "should": ranked(words_score("集体协商")),
            "must_not": [NOT_A_HEADING],
        }
    }


def test_exclusion_is_must_not() -> None:
    assert query_for("工会 -职工") == {
        "bool": {
            "filter": [own_or_context(term("chars", "工会"))],
            "should": ranked(term("words", "工会")),
            # Only the paragraph's own text is looked at for an excluded word.
            "must_not": [term("chars", "职工"), NOT_A_HEADING],
        }
    }


def test_only_exclusions_match_everything_else() -> None:
    assert query_for("-职工") == {
        "bool": {"filter": [{"match_all": {}}], "must_not": [term("chars", "职工"), NOT_A_HEADING]}
    }


def test_or_query_needs_one_alternative() -> None:
    warm = {"match_phrase": {"chars": {"query": "送温 温暖", "analyzer": "whitespace"}}}
    # Either term, in the paragraph or its headings: one flat list of alternatives (plan.matching).
    alternatives = [*own_or_context(warm)["bool"]["should"], *own_or_context(term("chars", "帮扶"))["bool"]["should"]]
    assert query_for("送温暖 OR 帮扶") == {
        "bool": {
            "filter": [{"bool": {"should": alternatives, "minimum_should_match": 1}}],
            "should": ranked(words_score("送温暖"), term("words", "帮扶")),
            "must_not": [NOT_A_HEADING],
        }
    }


def test_single_character_term() -> None:
    assert query_for("会") == {
        "bool": {
            "filter": [
                {
                    "bool": {
                        # Every token holding 会: the lone character and each bigram with it.
                        "should": [
                            {"wildcard": {"chars": {"value": "*会*"}}},
                            {"wildcard": {"context": {"value": "*会*"}}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            ],
            "should": ranked(term("words", "会")),
            "must_not": [NOT_A_HEADING],
        }
    }


def test_user_syntax_never_reaches_es_syntax() -> None:
    body = json.dumps(query_for('title:工会 AND (职工* OR "x')) + json.dumps(search_body(SearchRequest("a:b*")))
    assert "query_string" not in body
    assert "simple_query_string" not in body


def test_compile_leaves() -> None:
    assert compile_node(plan.Terms("year", ("2023", "x", "2021"))) == {"terms": {"year": [2023, 2021]}}
    assert compile_node(plan.Terms("year", ("x",))) == {"match_none": {}}
    assert compile_node(plan.Terms("township", ("甲镇", "甲镇", "乙镇"))) == {"terms": {"township": ["甲镇", "乙镇"]}}
    assert compile_node(plan.Range("year", 2020, None)) == {"range": {"year": {"gte": 2020}}}
    assert compile_node(plan.Range("year", 2020, 2022)) == {"range": {"year": {"gte": 2020, "lte": 2022}}}
    assert compile_node(plan.Phrase("chars", ("工会",))) == term("chars", "工会")
    assert compile_node(plan.AnyTerm("words", ("工会", "工会"))) == term("words", "工会")
    assert compile_node(plan.MatchAll()) == {"match_all": {}}
    assert compile_node(plan.Bool()) == {"bool": {}}
    assert compile_node(plan.Bool(should=(), must_not=(plan.MatchAll(),))) == {
        "bool": {"must_not": [{"match_all": {}}]}
    }
    assert compile_node(plan.ConstantScore(plan.MatchAll(), 0.5)) == {
        "constant_score": {"filter": {"match_all": {}}, "boost": 0.5}
    }
    with pytest.raises(TypeError):
        compile_node("工会")  # type: ignore[arg-type]


# -- maintenance bodies -----------------------------------------------------------


def test_stale_paragraphs_query() -> None:
    assert stale_query("a/b.txt", ["a#1", "a#2", "a#1"]) == {
        "bool": {
            "filter": [{"term": {"source_path": "a/b.txt"}}],
            "must_not": [{"ids": {"values": ["a#1", "a#2"]}}],
        }
    }
    assert stale_query("a/b.txt", []) == {"bool": {"filter": [{"term": {"source_path": "a/b.txt"}}]}}


def test_sources_body_pages_with_composite() -> None:
    assert sources_body({"path": "m.txt"}, page=100) == {
        "size": 0,
        "aggs": {
            "sources": {
                "composite": {
                    "size": 100,
                    "sources": [{"path": {"terms": {"field": "source_path"}}}],
                    "after": {"path": "m.txt"},
                },
                "aggs": {"sha256": {"terms": {"field": "source_sha256", "size": 2}}},
            }
        },
    }
    assert "after" not in sources_body()["aggs"]["sources"]["composite"]
