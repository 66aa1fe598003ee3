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
#: The field that groups copies of one paragraph, and how many copies of a page's groups are listed by key.
DUPLICATE_KEY = "duplicate_key"
COPIES_LISTED = 300
#: The ``filter`` agg holding the facets that only the other facets' selections narrow.
NARROWED = "narrowed"


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


def _facet_terms(facet: str, size: int) -> dict[str, Any]:
    """The ``terms`` aggregation listing one facet's top ``size`` values."""
    values: dict[str, Any] = {"field": plan.FACET_FIELDS[facet], "size": size}
    if registry.facet(facet).order == "newest":
        # Years are listed newest first, so the top ``size`` are by key.
        values["order"] = {"_key": "desc"}
    return {"terms": values}


def facet_aggregations(request: SearchRequest) -> dict[str, Any]:
    """Disjunctive facets: per facet, counts under every filter except its own, in one pass.

    A facet nothing narrows (no value of it is selected, and for the year
    facet no year range) counts under all the filters, which are the same
    for every such facet: their ``terms`` aggs share one ``filter`` agg
    named NARROWED (or, without any filter, sit at the top). A facet that
    is narrowed gets a ``filter`` agg of the other facets' selections, so
    choosing 镇A still lists 镇B with its count (OR within a facet, AND
    across facets), and a second ``terms`` with ``include`` fetches the
    counts of selected values outside the top ``facet_size``, so a
    selection never disappears. engine.elastic.facets reads both layouts.
    """
    filters = backend_rules.clean_filters(request.filters)
    size = max(1, int(request.facet_size))
    every = plan.filters_except(filters, request.year_from, request.year_to, skip=None)
    aggs: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    for facet in FACETS:
        others = plan.filters_except(filters, request.year_from, request.year_to, skip=facet)
        if others == every:
            shared[facet] = _facet_terms(facet, size)
            continue
        field = plan.FACET_FIELDS[facet]
        sub: dict[str, Any] = {"values": _facet_terms(facet, size)}
        include = backend_rules.typed_values(field, filters.get(facet, ()))
        if include:
            sub["selected"] = {"terms": {"field": field, "size": len(include), "include": include}}
        aggs[facet] = {"filter": all_of(others) or {"match_all": {}}, "aggs": sub}
    if shared and every:
        aggs[NARROWED] = {"filter": all_of(every), "aggs": shared}
    else:
        aggs.update(shared)
    return aggs


def _with_filters(query: dict[str, Any], filters: list[plan.Node]) -> dict[str, Any]:
    """``query`` narrowed by ``filters``, which do not score (the scores stay those of ``query``)."""
    if not filters:
        return query
    clauses = [compile_node(n) for n in filters]
    inner = query.get("bool")
    if isinstance(inner, dict) and "filter" in inner:
        # The plan's text query is a bool with a filter list already: one more level would only cost.
        return {"bool": {**inner, "filter": [*inner["filter"], *clauses]}}
    return {"bool": {"must": [query], "filter": clauses}}


def search_bodies(request: SearchRequest, wanted: plan.QueryPlan) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two ``_search`` bodies of a result page, sent together in one ``_msearch``.

    The first ranks the page and counts the total:

    * ``query``: the text query (matching + scoring from engine.plan) with
      every facet filter and the year range as non-scoring filters; an empty
      query browses everything, newest year first.
    * ``collapse``: one hit per duplicate key; pagination is over groups.
      The copies of the page's hits are counted afterwards (``copies_body``).

    The second counts the facets: the text query alone without its scoring
    clauses (engine.plan.matching), no hits, ``facet_aggregations``. The
    node runs the two side by side; with no hits the second may be answered
    from the shard request cache, which holds until the next commit's
    refresh (turning the page costs no second count).

    No ``highlight`` section: marks are made in Python by engine.highlight on
    the stored text, exactly as the embedded engine does, so both backends
    highlight identically and stripping the marks gives the stored text.
    """
    page = backend_rules.page_of(request)
    start, size = page.start, page.size
    if start + size > MAX_RESULT_WINDOW:
        # Beyond the window ES answers 400; such a page is empty, but the
        # totals and facets are still wanted.
        start, size = 0, 0
    # Even browsing goes through the plan: it leaves out the headings.
    text = compile_node(wanted.node)
    filters = backend_rules.clean_filters(request.filters)
    narrowed = plan.filters_except(filters, request.year_from, request.year_to)
    hits: dict[str, Any] = {"track_total_hits": True, "from": start, "size": size}
    hits["query"] = _with_filters(text, narrowed)
    hits.update(sort_clause(wanted.ranked, request.sort))
    if request.collapse:
        hits["collapse"] = collapse_clause()
    matched = compile_node(plan.matching(wanted.node))
    facets = {"size": 0, "track_total_hits": False, "query": matched, "aggs": facet_aggregations(request)}
    return hits, facets


def _plan(request: SearchRequest, parsed: ParsedQuery | None, expansion: Expansion) -> plan.QueryPlan:
    parsed = parsed if parsed is not None else parse_query(request.query)
    return plan.search_plan(parsed, request.like_text, request.like_exclude, expansion=expansion)


def search_body(
    request: SearchRequest, parsed: ParsedQuery | None = None, expansion: Expansion = NO_EXPANSION
) -> dict[str, Any]:
    """The body that ranks a result page and counts its total (see ``search_bodies``)."""
    return search_bodies(request, _plan(request, parsed, expansion))[0]


def facets_body(
    request: SearchRequest, parsed: ParsedQuery | None = None, expansion: Expansion = NO_EXPANSION
) -> dict[str, Any]:
    """The body that counts a result page's facets (see ``search_bodies``)."""
    return search_bodies(request, _plan(request, parsed, expansion))[1]


def copies_body(query: Mapping[str, Any], keys: Iterable[str], limit: int | None = None) -> dict[str, Any]:
    """The paragraphs under ``query`` that share one of the page's duplicate ``keys``, by their keys only.

    A page's groups hold a few dozen paragraphs in all, so listing their keys
    from doc values (no ``_source``, no scores, index order) and counting them
    here costs less than a ``terms`` agg, which maps the field's global
    ordinals (tens of thousands of keys) for a handful of documents. When more
    than ``limit`` (COPIES_LISTED) paragraphs match, ``copies_agg_body`` counts them instead.
    """
    return {
        "size": limit if limit is not None else COPIES_LISTED,
        "track_total_hits": True,
        "_source": False,
        "stored_fields": "_none_",
        "docvalue_fields": [DUPLICATE_KEY],
        "sort": ["_doc"],
        "query": _keys_under(query, keys),
    }


def copies_agg_body(query: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """How many paragraphs under ``query`` share each of the page's duplicate ``keys`` (one ``terms`` agg)."""
    wanted = list(dict.fromkeys(keys))
    return {
        "size": 0,
        "track_total_hits": False,
        "query": _keys_under(query, wanted),
        "aggs": {"copies": {"terms": {"field": DUPLICATE_KEY, "size": max(1, len(wanted))}}},
    }


def _keys_under(query: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {"bool": {"filter": [query, {"terms": {DUPLICATE_KEY: list(dict.fromkeys(keys))}}]}}


def count_body(query: Mapping[str, Any], up_to: int | None = None) -> dict[str, Any]:
    """How many paragraphs ``query`` finds (no hits; cacheable, unlike the ``_count`` API).

    With ``up_to``, the node stops counting there and answers ``up_to`` for any larger count.
    """
    return {"size": 0, "track_total_hits": True if up_to is None else up_to, "query": dict(query)}


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
