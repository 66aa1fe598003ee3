"""The query plan (engine.plan) as tantivy queries, and the facet aggregations.

Pairs with engine/elastic/bodies.py, which compiles the same plan nodes into
Elasticsearch query DSL: a node is translated by the function of the same
name in both files, so a difference in meaning shows side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import tantivy

from engine import backend_rules, plan
from engine.contract import SearchRequest

#: tantivy refuses aggregations with more buckets than this.
BUCKET_LIMIT = 65_000
#: Files each index segment lists for the ``source`` facet, per file the facet shows. A file's paragraphs
#: are written in one go, so they sit in one segment: the files with the most matches overall are among the
#: most of their own segment, and their counts are whole. The margin covers a file that a segment flush
#: happened to split. (Listing 2,000 per segment cost 3x as much at 1M paragraphs, with the same top 50.)
SOURCE_SEGMENT_FACTOR = 2
#: Up to this many values, a Terms node looks each value up (terms_query).
TERMS_LOOKED_UP = 64
#: Aggregation names of the match count and of the selected files' counts.
TOTAL = "_total"
SELECTED = ":selected"

_Q = tantivy.Query
_OCCUR = tantivy.Occur


def compile_node(node: plan.Node, schema: tantivy.Schema) -> tantivy.Query:
    """Translate a plan node into the equivalent tantivy query."""
    match node:
        case plan.Bool() | plan.Boost() | plan.ConstantScore() | plan.Best() | plan.Scaled():
            return _compound(node, schema)
    return _leaf(node, schema)


def _leaf(node: plan.Node, schema: tantivy.Schema) -> tantivy.Query:
    """Leaves: the nodes that name a field."""
    match node:
        case plan.Phrase(field, tokens, slop):
            return _phrase(schema, field, tokens, slop)
        case plan.AnyTerm(field, tokens):
            return _each_term(schema, field, tokens)
        case plan.Terms(field, values):
            return terms_query(schema, field, backend_rules.typed_values(field, values))
        case plan.Range(field, gte, lte):
            return _Q.range_query(schema, field, tantivy.FieldType.Integer, gte, lte)
        case plan.MatchAll():
            return _Q.all_query()
        case plan.Contains(field, char):
            # Any token holding the character; a word character needs no escaping but gets it anyway.
            return _Q.regex_query(schema, field, ".*" + re.escape(char) + ".*")
    raise TypeError(f"unknown plan node {node!r}")


def terms_query(schema: tantivy.Schema, field: str, values: list[Any]) -> tantivy.Query:
    """The keyword ``field`` equals one of ``values``.

    tantivy's term set query walks the field's whole term dictionary, which
    for duplicate keys holds a term per paragraph; a few values are looked up
    one by one instead (a page's 20 keys in half the time).
    """
    values = list(dict.fromkeys(values))
    if len(values) > TERMS_LOOKED_UP:
        return _Q.term_set_query(schema, field, values)
    return _each_term(schema, field, values)


def _each_term(schema: tantivy.Schema, field: str, values: Iterable[Any]) -> tantivy.Query:
    """Any of ``values`` in ``field``, each a term query of its own (each scores its BM25 where scored)."""
    terms = [_Q.term_query(schema, field, v) for v in dict.fromkeys(values)]
    if len(terms) == 1:
        return terms[0]
    return _Q.boolean_query([(_OCCUR.Should, t) for t in terms])


def _phrase(schema: tantivy.Schema, field: str, tokens: tuple[str, ...], slop: int) -> tantivy.Query:
    if not tokens:
        return _Q.empty_query()
    if len(tokens) == 1:  # tantivy's PhraseQuery needs two terms or more
        return _Q.term_query(schema, field, tokens[0])
    return _Q.phrase_query(schema, field, list(tokens), slop)


def _compound(node: plan.Node, schema: tantivy.Schema) -> tantivy.Query:
    """Nodes made of other nodes."""
    match node:
        case plan.Bool(must, filters, should, must_not):
            return _bool(schema, must, filters, should, must_not)
        case plan.Boost(inner, factor):
            return _Q.boost_query(compile_node(inner, schema), factor)
        case plan.ConstantScore(inner, score):
            return _Q.const_score_query(compile_node(inner, schema), score)
        case plan.Best(nodes):
            return _Q.disjunction_max_query([compile_node(n, schema) for n in nodes], 0.0)
        case plan.Scaled():
            raise TypeError("the quality factor is applied by weight_by_field here (search_plan(quality=False))")
    raise TypeError(f"unknown plan node {node!r}")


def _bool(
    schema: tantivy.Schema,
    must: tuple[plan.Node, ...],
    filters: tuple[plan.Node, ...],
    should: tuple[plan.Node, ...],
    must_not: tuple[plan.Node, ...],
) -> tantivy.Query:
    required = [(_OCCUR.Must, compile_node(n, schema)) for n in must]
    required += [(_OCCUR.Must, zero_score(compile_node(n, schema))) for n in filters]
    excluded = [(_OCCUR.MustNot, compile_node(n, schema)) for n in must_not]
    scores = _summands(should) if required else should
    if required and len(scores) > 1:
        # Each score is added beside the required part on its own, not as one union of them: tantivy looks
        # for a union's clauses across a block of 4,096 documents around each required match, so clauses that
        # are costly per document (phrases) were evaluated nearly everywhere when the matches are sparse.
        query = _Q.boolean_query(required + excluded)
        for node in scores:
            query = _Q.boolean_query([(_OCCUR.Must, query), (_OCCUR.Should, compile_node(node, schema))])
        return query
    clauses = required + [(_OCCUR.Should, compile_node(n, schema)) for n in scores]
    if not clauses:
        # As in Elasticsearch, a bool of only exclusions matches everything else.
        clauses.append((_OCCUR.Must, _Q.all_query()))
    return _Q.boolean_query(clauses + excluded)


def _summands(should: tuple[plan.Node, ...]) -> tuple[plan.Node, ...]:
    """Optional clauses whose scores add up, a bool of nothing but optional clauses opened into its own."""
    out: list[plan.Node] = []
    for node in should:
        if isinstance(node, plan.Bool) and node.should and not (node.must or node.filter or node.must_not):
            out += _summands(node.should)
        else:
            out.append(node)
    return tuple(out)


def zero_score(query: tantivy.Query) -> tantivy.Query:
    """``query`` as a pure condition: it matches as before and adds nothing to the score."""
    return _Q.const_score_query(query, 0.0)


def restricted(query: tantivy.Query, condition: tantivy.Query) -> tantivy.Query:
    """``query`` restricted by ``condition``, scores unchanged."""
    return _Q.boolean_query([(_OCCUR.Must, query), (_OCCUR.Must, zero_score(condition))])


def filtered(text: plan.Node, filters: list[plan.Node], schema: tantivy.Schema) -> tantivy.Query:
    """The text query narrowed by filter nodes (which do not score)."""
    return compile_node(plan.Bool(must=(text,), filter=tuple(filters)), schema)


def facet_aggregations(facet: str, request: SearchRequest) -> dict[str, Any]:
    """The terms aggregations behind one facet (see engine.embedded.facets on ``source``)."""
    field = plan.FACET_FIELDS[facet]
    if facet == "topic":
        # Counted per combination of topics (a topic_mask value, thousands of them), then per topic by
        # schema.topic_counts: numeric keys cost half as much per bucket as the joined names did.
        return {facet: {"terms": {"field": "topic_mask", "size": BUCKET_LIMIT}}}
    if facet != "source":
        return {facet: {"terms": {"field": field, "size": BUCKET_LIMIT}}}
    size = max(1, request.facet_size)
    per_segment = SOURCE_SEGMENT_FACTOR * size
    aggs: dict[str, Any] = {facet: {"terms": {"field": field, "size": size, "segment_size": per_segment}}}
    selected = list(request.filters.get(facet, ()))
    if selected:
        # A selected file is always listed with its count, however far down it ranks.
        aggs[facet + SELECTED] = {"terms": {"field": field, "size": len(selected), "include": selected}}
    return aggs


def match_count_aggregation() -> dict[str, Any]:
    """The aggregation that counts the matches (every paragraph has a position)."""
    return {TOTAL: {"value_count": {"field": "position"}}}
