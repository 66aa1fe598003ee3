"""The final order of one search's matches, fetched by rank, and a page of it with copies collapsed.

Relevance: score descending, ties by paragraph_id. Year: year descending
(paragraphs without a year last), then score, then paragraph_id. Browsing
(no search words): year descending, then paragraph_id. Pairs with
engine/elastic/ranking.py, where the same orders are sort clauses and
collapsing is Elasticsearch's ``collapse``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import tantivy

from engine import documents as stored
from engine.contract import Hit
from engine.embedded.compile import BUCKET_LIMIT, restricted, terms_query
from engine.embedded.schema import collapse_hash, stored_fields
from engine.tracing import RANKING_WINDOW, OnTiming, Timing

#: Ranks fetched past those a page asks for, so that a group of tied copies
#: straddling the page's end is usually settled by the same search.
MARGIN = 64
#: The first scored search fetches at least one hit per this many paragraphs of
#: the index. Copies of a template paragraph tie on score and their number grows
#: with the archive; a window that ends inside a tie must be searched again (the
#: whole query), while a larger one only costs handing over more hits.
PARAGRAPHS_PER_WINDOW_HIT = 256
#: A collapsed page of n hits looks for its n duplicate groups among the top
#: ``COLLAPSE_ROOM * n`` matches first (most groups have fewer copies in the top ranks).
COLLAPSE_ROOM = 16
#: Stands for the match count while facets are still counting it (a relevance ranking needs no count).
UNKNOWN_TOTAL = 1 << 62

Ranked = list[tuple[float, tantivy.DocAddress]]
PrefixReader = Callable[[list[tantivy.DocAddress]], list[int]]
IdReader = Callable[[tantivy.DocAddress], str]


@dataclass(frozen=True)
class Matches:
    """What a ranking ranks, as conditions that do not score.

    ``query`` matches the ranked paragraphs (engine.plan.matching); ``scope``
    is what the search's filters alone allow, a superset (None: everything).
    """

    query: tantivy.Query
    scope: tantivy.Query | None


def ranks_needed(hits: int, collapse: bool) -> int:
    """How many top ranks a page ending at rank ``hits`` reads first (more when copies are collapsed)."""
    return COLLAPSE_ROOM * hits if collapse else hits


class Window:
    """The top ``limit`` matches of one query, put in final order as far as a caller reads them.

    tantivy returns them by score; paragraphs that tie on score are put in
    paragraph_id order only when a caller reads their ranks: first by the id's
    first eight bytes (a fast field, read in bulk for the tied hits only), then
    by the full id where those are equal too (stored documents). The first
    ``settled`` ranks are final: the engine returns the best ``limit`` scores in
    no defined order among ties, so paragraphs tied with the last hit may lie
    beyond the window.
    """

    def __init__(self, limit: int, hits: Ranked) -> None:
        self.limit = limit
        self.hits = hits
        self._ordered_upto = 0
        self.settled = len(hits)
        if len(hits) == limit:
            while self.settled and hits[self.settled - 1][0] == hits[-1][0]:
                self.settled -= 1

    def ranks(self, start: int, stop: int, prefixes: PrefixReader, full_id: IdReader) -> Ranked:
        """Ranks ``start`` to ``stop - 1`` in final order (``stop`` must not exceed ``settled``).

        The readers are passed in rather than kept: a window holding its ranking
        would be a reference cycle, and a searcher caught in a cycle keeps its
        index files mapped until the garbage collector happens to run.
        """
        hits, groups, i = self.hits, [], self._ordered_upto
        while i < stop:
            j = i + 1
            while j < len(hits) and hits[j][0] == hits[i][0]:
                j += 1
            if j - i > 1:
                groups.append((i, j))
            i = j
        if groups:
            # One bulk read of the id prefixes of every tied hit up to ``stop``.
            keys = prefixes([address for a, b in groups for _, address in hits[a:b]])
            offset = 0
            for a, b in groups:
                hits[a:b] = _by_paragraph_id(hits[a:b], keys[offset : offset + b - a], full_id)
                offset += b - a
        self._ordered_upto = max(i, self._ordered_upto)
        return hits[start:stop]


def _by_paragraph_id(tied: Ranked, keys: list[int], full_id: IdReader) -> Ranked:
    """Hits of equal score in paragraph_id order, given their id prefixes; full ids only where those are equal."""
    shared = {key for key, n in Counter(keys).items() if n > 1}
    ordered = sorted(
        zip(keys, tied, strict=True),
        key=lambda pair: (pair[0], full_id(pair[1][1]) if pair[0] in shared else ""),
    )
    return [hit for _, hit in ordered]


class Ranking:
    """The final order of one search's matches, fetched by rank on demand.

    Year order walks one bucket per year, so only the buckets a page touches
    are searched. Score ties are common (copies of a template paragraph score
    alike). They are broken on the ``id_prefix`` fast field, read in bulk;
    only ids that share their first eight bytes need their stored documents.
    Scored windows are cached, so collapsing and paging reuse one search.
    """

    def __init__(
        self,
        searcher: tantivy.Searcher,
        segments: list[tuple[tantivy.Query, int]],
        by_score: bool,
        on_timing: OnTiming | None = None,
    ) -> None:
        self.searcher = searcher
        self.segments = segments
        self.total = sum(count for _, count in segments)
        self.by_score = by_score
        self.on_timing = on_timing
        self._fields: dict[tuple[int, int], dict[str, Any]] = {}
        self._windows: dict[int, Window] = {}

    @classmethod
    def by_year(
        cls,
        searcher: tantivy.Searcher,
        schema: tantivy.Schema,
        query: tantivy.Query,
        total: int,
        by_score: bool,
        on_timing: OnTiming | None = None,
    ) -> Ranking:
        """Newest year first, one bucket per year; within a year by score, or by paragraph_id when browsing."""
        agg = searcher.aggregate(query, {"y": {"terms": {"field": "year", "size": BUCKET_LIMIT}}})
        years = sorted(((int(b["key"]), b["doc_count"]) for b in agg["y"]["buckets"]), reverse=True)
        segments = [(restricted(query, tantivy.Query.term_query(schema, "year", y)), n) for y, n in years]
        without_year = total - sum(n for _, n in years)
        if without_year > 0:
            no_year = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, tantivy.Query.exists_query("year"))]
            )
            segments.append((no_year, without_year))
        return cls(searcher, segments, by_score, on_timing)

    def fetched(self) -> list[tantivy.DocAddress]:
        """Every match the scored windows have read so far, in no particular order (none when ranked by id)."""
        return [address for window in self._windows.values() for _, address in window.hits]

    def fields(self, address: tantivy.DocAddress) -> dict[str, Any]:
        """Stored fields of a hit (cached: tie-breaking and hit building both need them)."""
        key = (address.segment_ord, address.doc)
        if key not in self._fields:
            self._fields[key] = stored_fields(self.searcher, address)
        return self._fields[key]

    def slice(self, start: int, stop: int) -> Ranked:
        """(score, address) of the matches ranked ``start`` to ``stop - 1``."""
        out: Ranked = []
        offset = 0
        for index, (query, count) in enumerate(self.segments):
            lo, hi = max(start - offset, 0), min(stop - offset, count)
            if lo < hi:
                out += self._by_score(index, query, lo, hi) if self.by_score else self._by_id(query, lo, hi)
            offset += count
            if offset >= stop:
                break
        return out

    def _by_id(self, query: tantivy.Query, start: int, stop: int) -> Ranked:
        hits = self.searcher.search(
            query,
            limit=stop - start,
            offset=start,
            count=False,
            order_by_field="paragraph_id",
            order=tantivy.Order.Asc,
        ).hits
        return [(0.0, address) for _, address in hits]

    def _by_score(self, index: int, query: tantivy.Query, start: int, stop: int) -> Ranked:
        window = self._windows.get(index)
        limit = max(
            stop + max(stop // 4, MARGIN),
            2 * (window.limit if window else 0),
            self.searcher.num_docs // PARAGRAPHS_PER_WINDOW_HIT,
        )
        while window is None or window.settled < stop:
            window = self._window(query, limit)
            if window.settled == len(window.hits):
                break
            limit *= 4
        self._windows[index] = window
        return window.ranks(start, stop, self._id_prefixes, self._paragraph_id)

    def _id_prefixes(self, addresses: list[tantivy.DocAddress]) -> list[int]:
        return self.searcher.fast_field_values("id_prefix", addresses)

    def _paragraph_id(self, address: tantivy.DocAddress) -> str:
        return str(self.fields(address)["paragraph_id"])

    def _window(self, query: tantivy.Query, limit: int) -> Window:
        """One scored search: the top ``limit`` matches by score."""
        began = time.perf_counter()
        hits = self.searcher.search(query, limit=limit, count=False, weight_by_field="quality_weight").hits
        if self.on_timing is not None:
            self.on_timing(Timing(RANKING_WINDOW, round((time.perf_counter() - began) * 1000, 1), limit))
        return Window(limit, hits)


def page_hits(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    matches: Matches,
    ranking: Ranking,
    start: int,
    size: int,
    collapse: bool,
    terms: list[str],
    helpers: Executor,
) -> list[Hit]:
    """Hits ranked ``start`` to ``start + size - 1``; with ``collapse``, one per duplicate key.

    The copies of the page's hits are counted on a ``helpers`` thread while
    this one reads and highlights the hits (tantivy releases the GIL).
    """
    if not collapse:
        ranked = ranking.slice(start, start + size)
        return [stored.make_hit(ranking.fields(a), terms, score) for score, a in ranked]
    firsts = _first_of_each_group(searcher, ranking, start + size)[start : start + size]
    keys = [ranking.fields(a)["duplicate_key"] for _, a in firsts]
    counting = helpers.submit(duplicate_counts, searcher, schema, matches, keys, ranking.fetched())
    hits = [stored.make_hit(ranking.fields(a), terms, score) for score, a in firsts]
    copies = counting.result()
    for hit in hits:
        hit.duplicate_count = copies.get(hit.duplicate_key, 1) - 1
    return hits


def _first_of_each_group(searcher: tantivy.Searcher, ranking: Ranking, wanted: int) -> Ranked:
    """The best-ranked copy of each duplicate key, from the top, until ``wanted`` of them are found.

    Looking ``COLLAPSE_ROOM`` times deeper than the page usually suffices;
    a query whose top ranks are mostly copies of a few paragraphs looks deeper.
    """
    window = ranks_needed(wanted, collapse=True)
    while True:
        ranked = ranking.slice(0, min(window, ranking.total))
        keys = searcher.fast_field_values("collapse_hash", [a for _, a in ranked])
        seen: set[int] = set()
        firsts = []
        for hit, key in zip(ranked, keys, strict=True):
            if key not in seen:
                seen.add(key)
                firsts.append(hit)
        # Fewer ranks than the window: every match is read (whether or not the total is known yet).
        if len(firsts) >= wanted or len(ranked) < window:
            return firsts
        window *= 4


def duplicate_counts(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    matches: Matches,
    keys: list[str],
    fetched: list[tantivy.DocAddress],
) -> dict[str, int]:
    """Matching paragraphs per duplicate key, for the keys on one page.

    Most groups are counted without evaluating the query again. A group's
    paragraphs that the filters allow are at least its matches; when the
    matches the ranking has already read (``fetched``) hold as many of them,
    every one of them matches. That settles every group of the page for 64
    of the 65 bench queries at 1M paragraphs, at a term lookup's cost instead
    of the query's phrases (bench/RESULTS.md). The other groups are counted
    under the query.

    Counted on the ``collapse_hash`` column, the groups' identity when
    collapsing: a number per paragraph costs less to bucket than the key's text.
    """
    if not keys:
        return {}
    hashes = {key: collapse_hash(key) for key in keys}
    allowed = _count_by_hash(searcher, schema, matches.scope, keys)
    seen = Counter(searcher.fast_field_values("collapse_hash", fetched)) if fetched else Counter()
    counts = {key: allowed[h] for key, h in hashes.items() if h in allowed and seen[h] == allowed[h]}
    rest = [key for key in keys if key not in counts]
    if rest:
        counted = _count_by_hash(searcher, schema, matches.query, rest)
        counts.update({key: counted[hashes[key]] for key in rest if hashes[key] in counted})
    return counts


def _count_by_hash(
    searcher: tantivy.Searcher, schema: tantivy.Schema, query: tantivy.Query | None, keys: list[str]
) -> dict[int, int]:
    """Paragraphs of ``query`` (all when None) per collapse hash, for the paragraphs with these duplicate keys."""
    wanted = terms_query(schema, "duplicate_key", keys)
    narrowed = wanted if query is None else restricted(query, wanted)
    agg = searcher.aggregate(narrowed, {"k": {"terms": {"field": "collapse_hash", "size": len(keys)}}})
    return {int(b["key"]): b["doc_count"] for b in agg["k"]["buckets"]}
