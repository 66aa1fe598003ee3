"""The stock-Elasticsearch peer's index and request bodies (issue 17), as pure functions.

The peer is what a user would set up instead of this project: Elasticsearch
8.12.2 with its stock ``cjk`` analyzer on the text, keyword fields for the
facets, a ``match`` query with operator ``and``, five ``terms``
aggregations, a highlight and 10 hits. Each bench query (bench/queries.txt)
is translated into the nearest thing that configuration can ask:

* plain words → one ``match`` on ``text`` with operator ``and`` (all the
  words' bigrams must be there, in any order and place);
* a quoted phrase → ``match_phrase`` (its bigrams adjacent, in order);
* ``a OR b`` → ``bool.should`` of the two, ``minimum_should_match`` 1;
* ``-a`` → ``bool.must_not`` of a ``match`` (operator and) on ``text``;
* ``township``/``period``/``org_level`` → ``term`` filters, ``year`` →
  a ``term`` or (for ``2015-2020``) a ``range`` filter;
* no words → ``match_all`` under the filters.

What the stock configuration cannot express, and so the peer does not do:
finding a paragraph through the headings above it, Traditional/Simplified
folding, the literal check that rejects bigram-only matches, collapsing
duplicates, disjunctive facet counts (a facet's own filter left out of its
counts), and an exact total past 10,000 hits (ES's default
``track_total_hits``).
"""

from __future__ import annotations

import re
from typing import Any

from bench.queries import BenchQuery

#: The five facets the peer aggregates: the keyword fields paragraphs.jsonl carries.
PEER_FACETS: tuple[str, ...] = ("township", "year", "period", "org_level", "topics")
#: Keyword filters a bench query may carry (besides ``year``).
_TERM_FILTERS: tuple[str, ...] = ("township", "period", "org_level", "org_name", "topics")
PAGE_SIZE = 10
FACET_SIZE = 10


def peer_mapping() -> dict[str, Any]:
    """The peer index: one shard, no replica, ``cjk`` text, keyword facets, integer year."""
    keyword = {"type": "keyword"}
    return {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {
            "properties": {
                "text": {"type": "text", "analyzer": "cjk"},
                "township": keyword,
                "period": keyword,
                "org_level": keyword,
                "org_name": keyword,
                "topics": keyword,
                "year": {"type": "integer"},
                "article_id": keyword,
                "source_path": keyword,
            }
        },
    }


def peer_document(record: dict[str, Any]) -> dict[str, Any]:
    """The peer's source for one paragraphs.jsonl record: the text and the facet fields, nothing derived."""
    return {
        "text": record["text"],
        "township": record.get("township") or None,
        "period": record.get("period") or None,
        "org_level": record.get("org_level") or None,
        "org_name": record.get("org_name") or None,
        "topics": list(record.get("topics") or []),
        "year": record.get("year"),
        "article_id": record.get("article_id"),
        "source_path": record.get("source_path"),
    }


def _text_clause(text: str, phrase: bool) -> dict[str, Any]:
    if phrase:
        return {"match_phrase": {"text": text}}
    return {"match": {"text": {"query": text, "operator": "and"}}}


#: A query token: an optionally negated quoted phrase, or a run of non-blanks.
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


def _groups(q: str) -> tuple[list[list[tuple[str, bool]]], list[tuple[str, bool]]]:
    """The query's required groups (each an OR of terms) and its excluded terms; a term is (text, phrase)."""
    groups: list[list[tuple[str, bool]]] = []
    excluded: list[tuple[str, bool]] = []
    join_next = False
    for match in _TOKEN.finditer(q):
        negated, phrase_text, word = match.groups()
        if word == "OR" and groups:
            join_next = True
            continue
        if word is None:
            term, negated_term = (phrase_text, True), bool(negated)
        elif word.startswith("-") and len(word) > 1:
            term, negated_term = (word[1:], False), True
        else:
            term, negated_term = (word, False), False
        if not term[0]:
            continue
        if negated_term:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return groups, excluded


def _query_clauses(q: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``must`` and ``must_not`` clauses of the words: plain required words share one ``match``."""
    groups, excluded = _groups(q)
    plain = [g[0][0] for g in groups if len(g) == 1 and not g[0][1]]
    must: list[dict[str, Any]] = [_text_clause(" ".join(plain), False)] if plain else []
    for group in groups:
        if len(group) == 1 and not group[0][1]:
            continue
        if len(group) == 1:
            must.append(_text_clause(*group[0]))
        else:
            should = [_text_clause(*term) for term in group]
            must.append({"bool": {"should": should, "minimum_should_match": 1}})
    return must, [_text_clause(*term) for term in excluded]


def _filters(params: dict[str, list[str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in _TERM_FILTERS:
        out += [{"term": {name: value}} for value in params.get(name, [])]
    for value in params.get("year", []):
        low, sep, high = value.partition("-")
        if sep:
            out.append({"range": {"year": {"gte": int(low), "lte": int(high)}}})
        else:
            out.append({"term": {"year": int(low)}})
    return out


def peer_query(query: BenchQuery) -> dict[str, Any]:
    """The ``query`` part of the peer's request for one bench query."""
    must, must_not = _query_clauses(query.q)
    filters = _filters(query.params)
    if not must and not must_not and not filters:
        return {"match_all": {}}
    if len(must) == 1 and not must_not and not filters:
        return must[0]
    body: dict[str, Any] = {}
    if must:
        body["must"] = must
    if must_not:
        body["must_not"] = must_not
    if filters:
        body["filter"] = filters
    if not must:
        body["must"] = [{"match_all": {}}]
    return {"bool": body}


def peer_body(query: BenchQuery) -> dict[str, Any]:
    """The whole peer search body: query, five terms aggregations, highlight on ``text``, 10 hits."""
    return {
        "query": peer_query(query),
        "size": PAGE_SIZE,
        "aggs": {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in PEER_FACETS},
        "highlight": {"fields": {"text": {}}},
    }
