"""Facet counts read back from an Elasticsearch search response.

The aggregations are asked for by engine.elastic.bodies.facet_aggregations: a
facet narrowed by its own selection has a ``filter`` agg of its own holding
``values`` and ``selected``; the others are plain ``terms`` aggs, at the top
or inside the shared NARROWED ``filter`` agg.
Pairs with engine/embedded/facets.py, which counts the same facets with
tantivy aggregations on helper threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine import backend_rules
from engine.contract import FACETS, FacetCount
from engine.elastic.bodies import NARROWED


def bucket_key(bucket: Mapping[str, Any]) -> str:
    """A bucket's value as the facet lists show it (years as ``2023``, not ``2023.0``)."""
    key = bucket.get("key_as_string", bucket["key"])
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return str(key)


def facet_lists(
    aggs: Mapping[str, Any], filters: Mapping[str, tuple[str, ...]], size: int
) -> dict[str, list[FacetCount]]:
    """Every facet's value list from the response's aggregations (top values and selected ones)."""
    counts: dict[str, dict[str, int]] = {}
    shared = aggs.get(NARROWED, aggs)
    for facet in FACETS:
        agg = aggs.get(facet) or shared.get(facet) or {}
        parts = [agg] if "buckets" in agg else [agg.get(part, {}) for part in ("values", "selected")]
        counts[facet] = {
            bucket_key(bucket): int(bucket["doc_count"]) for part in parts for bucket in part.get("buckets", [])
        }
    return backend_rules.facet_lists(counts, filters, size)
