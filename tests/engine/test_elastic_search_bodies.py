"""The search request bodies of the Elasticsearch backend: the page, its facets and its copies, pinned exactly.

Split from test_elastic_bodies.py (which pins the index definition, the
bulk lines and the query translation; its helpers are shared).
"""

from __future__ import annotations

from engine.contract import FACETS, SearchRequest
from engine.elastic.bodies import (
    NARROWED,
    copies_agg_body,
    copies_body,
    count_body,
    facet_aggregations,
    facets_body,
    search_body,
)
from engine.elastic.ranking import BROWSE_SORT, RELEVANCE_SORT, YEAR_SORT
from tests.engine.test_elastic_bodies import NOT_A_HEADING, query_for

# -- search bodies --------------------------------------------------------------


def test_relevance_search_body_with_disjunctive_facets() -> None:
    request = SearchRequest(
        query="工会",
        filters={"township": ("甲镇", "乙镇"), "topic": ("文体活动",), "bogus": ("x",), "period": ()},
        year_from=2020,
        page=2,
        page_size=10,
        facet_size=5,
    )
    body = search_body(request)
    township = {"terms": {"township": ["甲镇", "乙镇"]}}
    topic = {"terms": {"topics": ["文体活动"]}}
    years = {"range": {"year": {"gte": 2020}}}
    # The filters join the text query's own (non-scoring) filters: the scores are the text query's.
    text = query_for("工会")
    assert body["query"] == {"bool": {**text["bool"], "filter": [*text["bool"]["filter"], township, topic, years]}}
    assert body["sort"] == [{"_score": "desc"}, {"paragraph_id": "asc"}] == RELEVANCE_SORT
    assert body["from"] == 10 and body["size"] == 10
    assert body["track_total_hits"] is True
    assert "track_scores" not in body
    # No inner_hits: the page's group sizes are one terms agg afterwards (copies_body).
    assert body["collapse"] == {"field": "duplicate_key"}
    assert "highlight" not in body  # highlighting happens in Python (engine.highlight)
    assert set(body) == {"track_total_hits", "from", "size", "query", "sort", "collapse"}

    facets = facets_body(request)
    # The facets count the same matches without the scoring clauses (plan.matching).
    matched = {"bool": {key: value for key, value in text["bool"].items() if key != "should"}}
    assert facets["query"] == matched and facets["size"] == 0 and facets["track_total_hits"] is False
    aggs = facets["aggs"]
    # The narrowed facets have their own filter agg; the others share one under every filter.
    assert set(aggs) == {"township", "topic", "year", NARROWED}
    assert aggs["township"] == {
        # Its own selection left out, so 丙镇 still shows a count.
        "filter": {"bool": {"filter": [topic, years]}},
        "aggs": {
            "values": {"terms": {"field": "township", "size": 5}},
            "selected": {"terms": {"field": "township", "size": 2, "include": ["甲镇", "乙镇"]}},
        },
    }
    assert aggs["topic"] == {
        "filter": {"bool": {"filter": [township, years]}},
        "aggs": {
            "values": {"terms": {"field": "topics", "size": 5}},
            "selected": {"terms": {"field": "topics", "size": 1, "include": ["文体活动"]}},
        },
    }
    assert aggs["year"] == {
        "filter": {"bool": {"filter": [township, topic]}},
        "aggs": {"values": {"terms": {"field": "year", "size": 5, "order": {"_key": "desc"}}}},
    }
    assert aggs[NARROWED]["filter"] == {"bool": {"filter": [township, topic, years]}}
    assert set(aggs[NARROWED]["aggs"]) == set(FACETS) - {"township", "topic", "year"}
    assert aggs[NARROWED]["aggs"]["org_level"] == {"terms": {"field": "org_level", "size": 5}}
    assert aggs[NARROWED]["aggs"]["source"] == {"terms": {"field": "source_path", "size": 5}}


def test_facets_without_filters_are_plain_terms_aggs() -> None:
    aggs = facet_aggregations(SearchRequest(query="工会", facet_size=7))
    assert set(aggs) == set(FACETS)
    assert aggs["township"] == {"terms": {"field": "township", "size": 7}}
    assert aggs["year"] == {"terms": {"field": "year", "size": 7, "order": {"_key": "desc"}}}


def test_year_facet_selection_uses_integers() -> None:
    aggs = facet_aggregations(SearchRequest(filters={"year": ("2023", "20xx")}, facet_size=3))
    assert aggs["year"]["filter"] == {"match_all": {}}
    assert aggs["year"]["aggs"]["selected"] == {"terms": {"field": "year", "size": 1, "include": [2023]}}
    assert aggs[NARROWED]["filter"] == {"bool": {"filter": [{"terms": {"year": [2023]}}]}}
    assert aggs[NARROWED]["aggs"]["township"] == {"terms": {"field": "township", "size": 3}}


def test_page_copies_are_listed_by_key_under_the_page_query() -> None:
    query = query_for("工会")
    under = {"bool": {"filter": [query, {"terms": {"duplicate_key": ["k1", "k2"]}}]}}
    # Keys from doc values, no source, no scores: counted in Python.
    assert copies_body(query, ["k1", "k2", "k1"], limit=50) == {
        "size": 50,
        "track_total_hits": True,
        "_source": False,
        "stored_fields": "_none_",
        "docvalue_fields": ["duplicate_key"],
        "sort": ["_doc"],
        "query": under,
    }
    # More copies than that: one terms agg counts them.
    assert copies_agg_body(query, ["k1", "k2", "k1"]) == {
        "size": 0,
        "track_total_hits": False,
        "query": under,
        "aggs": {"copies": {"terms": {"field": "duplicate_key", "size": 2}}},
    }
    assert count_body(query) == {"size": 0, "track_total_hits": True, "query": query}
    # The fallback's literal counts only need to know whether there are 50: the node stops counting there.
    assert count_body(query, up_to=50) == {"size": 0, "track_total_hits": 50, "query": query}


def test_year_sort_body() -> None:
    body = search_body(SearchRequest(query="工会", sort="year"))
    assert (
        body["sort"]
        == [
            {"year": {"order": "desc", "missing": "_last"}},
            {"_score": "desc"},
            {"paragraph_id": "asc"},
        ]
        == YEAR_SORT
    )
    assert body["track_scores"] is True
    assert body["from"] == 0 and body["size"] == 20


def test_empty_query_browses_newest_first() -> None:
    for query in ("", "   ", '""'):
        body = search_body(SearchRequest(query=query, sort="relevance"))
        # Everything but the headings that introduce paragraphs.
        assert body["query"] == {"bool": {"filter": [{"match_all": {}}], "must_not": [NOT_A_HEADING]}}
        assert body["sort"] == [{"year": {"order": "desc", "missing": "_last"}}, {"paragraph_id": "asc"}]
        assert body["sort"] == BROWSE_SORT
    # Only exclusions: nothing to rank by, so browse too, but without the excluded.
    body = search_body(SearchRequest(query="-职工", sort="relevance"))
    assert body["query"] == query_for("-职工")
    assert body["sort"] == BROWSE_SORT


def test_no_collapse_and_pages_beyond_the_result_window() -> None:
    body = search_body(SearchRequest(query="工会", collapse=False, page=600, page_size=20))
    assert "collapse" not in body
    # from + size > 10 000 would be a 400; such a page is empty but facets still count.
    assert body["from"] == 0 and body["size"] == 0
    assert search_body(SearchRequest(page=0, page_size=0))["from"] == 0
