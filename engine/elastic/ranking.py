"""The orders of a result list, and a page of hits with copies collapsed, in Elasticsearch terms.

Relevance: score descending, ties by paragraph_id. Year: year descending
(paragraphs without a year last), then score, then paragraph_id. Browsing
(no search words): year descending, then paragraph_id. Pairs with
engine/embedded/ranking.py, which produces the same orders from tantivy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from engine import documents as stored
from engine.contract import Hit, Sort

RELEVANCE_SORT: list[dict[str, Any]] = [{"_score": "desc"}, {"paragraph_id": "asc"}]
YEAR_SORT: list[dict[str, Any]] = [
    {"year": {"order": "desc", "missing": "_last"}},
    {"_score": "desc"},
    {"paragraph_id": "asc"},
]
BROWSE_SORT: list[dict[str, Any]] = [{"year": {"order": "desc", "missing": "_last"}}, {"paragraph_id": "asc"}]


def _copy(sort: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The module-level sorts must never be mutated through a request body.
    return json.loads(json.dumps(sort))


def sort_clause(ranked: bool, sort: Sort) -> dict[str, Any]:
    """The ``sort`` (and ``track_scores``) part of a search body."""
    if not ranked:
        # Nothing to rank by (empty, or only exclusions): browse newest first.
        return {"sort": _copy(BROWSE_SORT)}
    if sort == "year":
        # Sorting by a field skips scoring unless asked; hits still report it.
        return {"sort": _copy(YEAR_SORT), "track_scores": True}
    return {"sort": _copy(RELEVANCE_SORT)}


def collapse_clause() -> dict[str, Any]:
    """One hit per duplicate key.

    The groups' sizes are not asked for here: ``inner_hits`` would run the
    whole query again once per hit on the page. engine.elastic.bodies.copies_body
    counts them for all the page's keys in one ``terms`` agg instead.
    """
    return {"field": "duplicate_key"}


def page_keys(raw_hits: Iterable[Mapping[str, Any]]) -> list[str]:
    """The duplicate keys of a page of collapsed hits (the groups whose sizes are wanted)."""
    return [raw["_source"]["duplicate_key"] for raw in raw_hits if raw["_source"].get("duplicate_key")]


def hits_of(raw_hits: Iterable[Mapping[str, Any]], terms: list[str], group_sizes: Mapping[str, int]) -> list[Hit]:
    """The result list of a search response (``hits.hits``), highlighted for ``terms``.

    ``group_sizes`` maps a duplicate key to its paragraphs under the query
    (empty without collapse): a hit has that many minus one copies.
    """
    hits = []
    for raw in raw_hits:
        source = raw["_source"]
        copies = max(0, group_sizes.get(source.get("duplicate_key") or "", 1) - 1)
        hits.append(stored.make_hit(source, terms, raw.get("_score") or 0.0, copies))
    return hits
