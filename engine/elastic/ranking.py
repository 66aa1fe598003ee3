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
    """One hit per duplicate key; the group's size comes back as the ``copies`` inner hits' total."""
    return {"field": "duplicate_key", "inner_hits": {"name": "copies", "size": 0}}


def hits_of(raw_hits: Iterable[Mapping[str, Any]], terms: list[str], collapse: bool) -> list[Hit]:
    """The result list of a search response (``hits.hits``), highlighted for ``terms``."""
    hits = []
    for raw in raw_hits:
        copies = 0
        if collapse:
            group = raw.get("inner_hits", {}).get("copies", {}).get("hits", {}).get("total", {})
            copies = max(0, int(group.get("value", 1)) - 1)
        hits.append(stored.make_hit(raw["_source"], terms, raw.get("_score") or 0.0, copies))
    return hits
