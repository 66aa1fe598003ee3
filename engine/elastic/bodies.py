"""The query plan (engine.plan) as Elasticsearch request bodies.

Pairs with engine/embedded/compile.py: a plan node is translated by the
function of the same name in both files. The bodies are built by pure
functions, so their exact shape is pinned by unit tests without a server
(tests/engine/test_elastic_bodies.py). No user text ever reaches ES query
syntax: there is no ``query_string`` here, only structured queries whose
leaves are pre-analysed tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine import backend_rules, plan
from engine import facets as registry
from engine.contract import FACETS, SearchRequest
from engine.elastic.ranking import collapse_clause, sort_clause
from engine.expansion import NO_EXPANSION, Expansion
from engine.query import ParsedQuery, parse_query

#: ES refuses from + size beyond index.max_result_window (settings.json).
MAX_RESULT_WINDOW = 10_000
#: Source files per composite-aggregation page in sources().
SOURCES_PAGE = 1000

MATCH_NONE: dict[str, Any] = {"match_none": {}}


def _term(field: str, token: str) -> dict[str, Any]:
    return {"term": {field: {"value": token}}}


def compile_node(node: plan.Node) -> dict[str, Any]:
    """Translate one engine.plan node into Elasticsearch query DSL.

    Tokens are already analysed, so leaves are ``term`` queries or phrases
    analysed with the ``whitespace`` analyzer (which only splits on the
    spaces we put there): ES sees exactly the tokens the embedded engine sees.
    """
    match node:
        case plan.Bool() | plan.Boost() | plan.ConstantScore() | plan.Best() | plan.Scaled():
            return _compound(node)
    return _leaf(node)


def _leaf(node: plan.Node) -> dict[str, Any]:
    """Leaves: the nodes that name a field."""
    match node:
        case plan.Phrase(field=field, tokens=tokens, slop=slop):
            return _phrase(field, tokens, slop)
        case plan.AnyTerm(field=field, tokens=tokens):
            unique = list(dict.fromkeys(tokens))
            if not unique:
                return dict(MATCH_NONE)
            if len(unique) == 1:
                return _term(field, unique[0])
            # One term query per token: BM25 summed over the tokens present.
            return {"bool": {"should": [_term(field, t) for t in unique], "minimum_should_match": 1}}
        case plan.Terms(field=field, values=values):
            wanted = backend_rules.typed_values(field, values)
            return {"terms": {field: wanted}} if wanted else dict(MATCH_NONE)
        case plan.Range(field=field, gte=gte, lte=lte):
            bounds = {k: v for k, v in (("gte", gte), ("lte", lte)) if v is not None}
            return {"range": {field: bounds}} if bounds else {"exists": {"field": field}}
        case plan.MatchAll():
            return {"match_all": {}}
        case plan.Contains(field=field, char=char):
            # Any token holding the character. A query character is a word character (engine.analysis),
            # so it is never one of the wildcard syntax characters (* ? and the backslash).
            return {"wildcard": {field: {"value": f"*{char}*"}}}
    raise TypeError(f"not a plan node: {node!r}")


def _phrase(field: str, tokens: tuple[str, ...], slop: int) -> dict[str, Any]:
    if not tokens:
        return dict(MATCH_NONE)
    if len(tokens) == 1:
        return _term(field, tokens[0])
    phrase: dict[str, Any] = {"query": " ".join(tokens), "analyzer": "whitespace"}
    if slop:
        phrase["slop"] = slop
    return {"match_phrase": {field: phrase}}


def _compound(node: plan.Node) -> dict[str, Any]:
    """Nodes made of other nodes."""
    match node:
        case plan.Bool(must=must, filter=filter_, should=should, must_not=must_not):
            return _bool(must, filter_, should, must_not)
        case plan.Boost(node=inner, factor=factor):
            return {"bool": {"must": [compile_node(inner)], "boost": factor}}
        case plan.ConstantScore(node=inner, score=score):
            return {"constant_score": {"filter": compile_node(inner), "boost": score}}
        case plan.Best(nodes=nodes):
            return {"dis_max": {"queries": [compile_node(n) for n in nodes], "tie_breaker": 0.0}}
        case plan.Scaled(node=inner, field=field, weight=weight):
            # score × (1 + weight × field): the sum of a constant 1 and the field's factor, multiplied in.
            return {
                "function_score": {
                    "query": compile_node(inner),
                    "functions": [
                        {"weight": 1},
                        {"field_value_factor": {"field": field, "factor": weight, "missing": 0}},
                    ],
                    "score_mode": "sum",
                    "boost_mode": "multiply",
                }
            }
    raise TypeError(f"not a plan node: {node!r}")


def _bool(
    must: tuple[plan.Node, ...],
    filter_: tuple[plan.Node, ...],
    should: tuple[plan.Node, ...],
    must_not: tuple[plan.Node, ...],
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, nodes in (("must", must), ("filter", filter_), ("should", should), ("must_not", must_not)):
        if nodes:
            body[key] = [compile_node(n) for n in nodes]
    # plan.Bool: without must/filter, one should has to match. ES has
    # the same default, but only outside filter context in old
    # versions; saying it explicitly keeps the meaning everywhere.
    if should and not must and not filter_:
        body["minimum_should_match"] = 1
    return {"bool": body}


def all_of(nodes: list[plan.Node]) -> dict[str, Any] | None:
    """A filter-only bool of ``nodes`` (None when there are none)."""
    if not nodes:
        return None
    return {"bool": {"filter": [compile_node(n) for n in nodes]}}


def facet_aggregations(request: SearchRequest) -> dict[str, Any]:
    """Disjunctive facets: per facet, counts under every filter except its own.

    Each facet is a ``filter`` agg (the other facets' selections and the year
    range) around a ``terms`` agg on the facet's field, so choosing 镇A still
    lists 镇B with its count (OR within a facet, AND across facets). A second
    ``terms`` with ``include`` fetches the counts of selected values that fall
    outside the top ``facet_size``, so a selection never disappears.
    """
    filters = backend_rules.clean_filters(request.filters)
    size = max(1, int(request.facet_size))
    aggs: dict[str, Any] = {}
    for facet in FACETS:
        field = plan.FACET_FIELDS[facet]
        others = all_of(plan.filters_except(filters, request.year_from, request.year_to, skip=facet))
        values: dict[str, Any] = {"field": field, "size": size}
        if registry.facet(facet).order == "newest":
            # Years are listed newest first, so the top ``size`` are by key.
            values["order"] = {"_key": "desc"}
        sub: dict[str, Any] = {"values": {"terms": values}}
        include = backend_rules.typed_values(field, filters.get(facet, ()))
        if include:
            sub["selected"] = {"terms": {"field": field, "size": len(include), "include": include}}
        aggs[facet] = {"filter": others or {"match_all": {}}, "aggs": sub}
    return aggs


def search_body(
    request: SearchRequest, parsed: ParsedQuery | None = None, expansion: Expansion = NO_EXPANSION
) -> dict[str, Any]:
    """The complete ``_search`` body for a request (Aleph-style disjunctive faceting).

    * ``query``: the text query only (matching + scoring from engine.plan);
      an empty query browses everything, newest year first.
    * ``post_filter``: every facet filter and the year range, applied to the
      hits after the aggregations have seen the unfiltered text matches.
    * ``aggs``: see ``facet_aggregations``.
    * ``collapse``: one hit per duplicate key; its ``inner_hits`` total (the
      group size, counted under the same query and post_filter) gives
      ``duplicate_count``. Pagination is over groups.

    No ``highlight`` section: marks are made in Python by engine.highlight on
    the stored text, exactly as the embedded engine does, so both backends
    highlight identically and stripping the marks gives the stored text.
    """
    parsed = parsed if parsed is not None else parse_query(request.query)
    page = backend_rules.page_of(request)
    start, size = page.start, page.size
    if start + size > MAX_RESULT_WINDOW:
        # Beyond the window ES answers 400; such a page is empty, but the
        # totals and facets are still wanted.
        start, size = 0, 0

    body: dict[str, Any] = {"track_total_hits": True, "from": start, "size": size}
    wanted = plan.search_plan(parsed, request.like_text, request.like_exclude, expansion=expansion)
    # Even browsing goes through the plan: it leaves out the headings.
    body["query"] = compile_node(wanted.node)
    body.update(sort_clause(wanted.ranked, request.sort))
    filters = backend_rules.clean_filters(request.filters)
    post_filter = all_of(plan.filters_except(filters, request.year_from, request.year_to, skip=None))
    if post_filter is not None:
        body["post_filter"] = post_filter
    body["aggs"] = facet_aggregations(request)
    if request.collapse:
        body["collapse"] = collapse_clause()
    return body


def source_query(source_path: str) -> dict[str, Any]:
    """Every paragraph of one source file."""
    return {"bool": {"filter": [{"term": {"source_path": source_path}}]}}


def stale_query(source_path: str, keep_ids: Iterable[str]) -> dict[str, Any]:
    """Paragraphs of one source file other than ``keep_ids`` (left over from an older version)."""
    query = source_query(source_path)
    ids = list(dict.fromkeys(keep_ids))
    if ids:
        query["bool"]["must_not"] = [{"ids": {"values": ids}}]
    return query


def sources_body(after: Mapping[str, Any] | None = None, page: int = SOURCES_PAGE) -> dict[str, Any]:
    """One page of a composite aggregation: source path → its sha256 values."""
    composite: dict[str, Any] = {"size": page, "sources": [{"path": {"terms": {"field": "source_path"}}}]}
    if after:
        composite["after"] = dict(after)
    return {
        "size": 0,
        "aggs": {
            "sources": {
                "composite": composite,
                # More than one hash means a half-replaced file (engine.backend_rules.source_hash).
                "aggs": {"sha256": {"terms": {"field": "source_sha256", "size": backend_rules.HASHES_PER_SOURCE}}},
            }
        },
    }
