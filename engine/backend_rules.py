"""The rules both search backends follow, written once.

The embedded (tantivy) and Elasticsearch backends translate one query plan
(engine.plan) into two query languages. Everything that is not translation
is decided here, so the two cannot drift apart: which filter values count,
how a year value becomes a number, how a page is clamped, what an index with
nothing in it answers, when a source file counts as changed, which
paragraphs one ``replace_source`` call may carry, when the query is widened
by its equivalents, and what an index records about the code that built it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from engine import analysis, plan
from engine import documents as stored
from engine import facets as registry
from engine.contract import FACETS, FacetCount, IndexDocument, SearchRequest, SearchResult
from engine.expansion import NO_EXPANSION, Expansion, expand
from engine.query import ParsedQuery, Term

#: Fields indexed as integers: a filter value for them must be a number to match anything.
INTEGER_FIELDS: frozenset[str] = frozenset(registry.integer_fields() | {"position"})

#: Hashes looked at per source file by ``sources()``: two are enough to tell "one" from "several".
HASHES_PER_SOURCE = 2


def clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Known facets with their selected values, empty and repeated values dropped, in facet order.

    The API may pass anything: an unknown facet name or an empty selection
    narrows nothing, and a value chosen twice counts once.
    """
    out: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        values = tuple(dict.fromkeys(v for v in filters.get(facet, ()) if v))
        if values:
            out[facet] = values
    return out


def integer_values(values: Iterable[Any]) -> list[int]:
    """The values that are whole numbers (surrounding spaces allowed), as integers; others are dropped.

    A non-numeric year can never equal an integer field, so it matches
    nothing instead of failing the search.
    """
    out: list[int] = []
    for value in values:
        try:
            out.append(int(str(value).strip()))
        except ValueError:
            continue
    return out


def typed_values(field: str, values: Iterable[str]) -> list[Any]:
    """Filter values as the index holds them: integers for integer fields, strings otherwise."""
    return integer_values(values) if field in INTEGER_FIELDS else list(dict.fromkeys(values))


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of results: its number (from 1), its size (0 asks for counts only) and its first rank."""

    number: int
    size: int

    @property
    def start(self) -> int:
        """The rank of the page's first hit (0-based)."""
        return (self.number - 1) * self.size


def page_of(request: SearchRequest) -> Page:
    """The request's page, clamped: page numbers start at 1, sizes at 0."""
    return Page(max(1, int(request.page)), max(0, int(request.page_size)))


def normalised(request: SearchRequest) -> SearchRequest:
    """The request with its filters cleaned (``clean_filters``) and its page clamped (``page_of``)."""
    page = page_of(request)
    return dataclasses.replace(request, filters=clean_filters(request.filters), page=page.number, page_size=page.size)


def took_ms(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` value), as results report them."""
    return round((time.perf_counter() - started) * 1000.0, 2)


def facet_lists(
    counts: Mapping[str, Mapping[str, int]], filters: Mapping[str, tuple[str, ...]], size: int
) -> dict[str, list[FacetCount]]:
    """Every facet's value list, from value → count per facet (a facet without counts lists its selection)."""
    return {f: stored.facet_list(f, counts.get(f, {}), filters.get(f, ()), size) for f in FACETS}


def empty_result(request: SearchRequest, parsed: ParsedQuery, started: float) -> SearchResult:
    """The answer of an index with nothing in it yet: an empty archive, not an outage.

    The selected facet values are still listed (with count 0) so the user can
    see and undo them, and the terms are those the search would highlight.
    """
    page = page_of(request)
    terms = plan.search_plan(parsed, request.like_text, request.like_exclude).terms
    facets = facet_lists({}, clean_filters(request.filters), request.facet_size)
    return SearchResult(0, took_ms(started), [], facets, page.number, page.size, terms)


def expansion_for(request: SearchRequest, parsed: ParsedQuery, literal_count: Callable[[Term], int]) -> Expansion:
    """What the query is widened by: nothing when literal or more-like-this, else engine.expansion's choice.

    ``literal_count`` answers how many paragraphs a term alone finds under
    the request's filters (the sub-word fallback depends on it), or any
    number from engine.expansion.FALLBACK_BELOW up once there are that many.
    """
    if request.literal or request.like_text:
        return NO_EXPANSION
    return expand(parsed, literal_count)


def source_hash(hashes: Sequence[str]) -> str:
    """The sha256 ``sources()`` reports for a file whose paragraphs carry ``hashes``.

    Two hashes for one path mean a half-applied update: "" makes the file
    look changed, so the next incremental ingest reads it again.
    """
    return hashes[0] if len(hashes) == 1 else ""


def settled_documents(source_path: str, documents: Iterable[IndexDocument]) -> list[dict[str, Any]]:
    """Index fields for the paragraphs of one ``replace_source`` call, headings settled per article.

    Every paragraph must belong to ``source_path``: replacing and pruning go
    by source path, so a stray paragraph would never be cleaned up.
    """
    fields = stored.settle_headings(documents)
    for f in fields:
        if f["source_path"] != source_path:
            raise ValueError(f"{f['paragraph_id']} belongs to {f['source_path']}, not {source_path}")
    return fields


def version_stamp(schema_version: int) -> dict[str, Any]:
    """What an index records about the code that built it; an index with another stamp is refused."""
    return {"schema_version": schema_version, "analysis_version": analysis.analysis_version()}
