"""Disjunctive facet counts and the match count, on helper threads beside the ranking.

Each selected facet is counted without its own selection, so it needs an
aggregation of its own; the others share one aggregation of the full query,
which also counts the matches. They run on helper threads while the calling
thread ranks (tantivy releases the GIL). The unselected facets are counted in
one pass, not split across threads: each pass evaluates the whole query again,
and on two cores the split cost more CPU than it saved in waiting
(bench/RESULTS.md, "Stock Elasticsearch as a peer").

Every facet is counted in full except ``source``: an archive has tens of
thousands of files, and listing them all costs more than the rest of the
search. Each index segment lists its top files (as Elasticsearch does per
shard), ``compile.SOURCE_SEGMENT_FACTOR`` times as many as the facet shows;
as a file's paragraphs sit in one segment, the top files and their counts
come out as a full count would give them. Topics are counted per combination (a
``topic_mask`` value), then per topic with the names of the generation's bits
(engine.embedded.generations.TopicBits).

Pairs with engine/elastic/facets.py, which reads the same counts from one
Elasticsearch response.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import tantivy

from engine import backend_rules, plan
from engine import facets as registry
from engine.contract import FACETS, FacetCount, SearchRequest
from engine.embedded.compile import SELECTED, TOTAL, facet_aggregations, filtered, match_count_aggregation
from engine.embedded.generations import TopicBits
from engine.embedded.schema import topic_counts
from engine.tracing import FACET_COUNTS, OnTiming, Timing

Counts = dict[str, dict[str, int]]


def _selected_facets(request: SearchRequest) -> set[str]:
    """Facets the request narrows by, the year facet included when a year range is set."""
    selected = set(request.filters)
    years = registry.year_facet()
    if years is not None and (request.year_from is not None or request.year_to is not None):
        selected.add(years.name)
    return selected


class FacetCounter:
    """Counts facets on a pool of helper threads, started on first use and restarted after a fork."""

    def __init__(self, lock: threading.RLock, on_timing: OnTiming | None = None) -> None:
        self._lock = lock
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pid = 0
        self.on_timing = on_timing

    def helpers(self) -> concurrent.futures.ThreadPoolExecutor:
        """The helper threads (the ranking counts a page's copies on them too).

        A forked child (a gunicorn worker) gets its own pool, as its copy has no threads behind it.
        """
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                workers = os.cpu_count() or 1
                self._pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="facets")
                self._pid = os.getpid()
            return self._pool

    def start_counting(
        self,
        searcher: tantivy.Searcher,
        schema: tantivy.Schema,
        text: plan.Node,
        request: SearchRequest,
        topics: TopicBits,
    ) -> Callable[[], tuple[dict[str, list[FacetCount]], int]]:
        """Start counting the facets and the total; the returned function waits for them.

        ``topics`` names the topic bits of the generation ``searcher`` reads.
        """
        selected = _selected_facets(request)
        unselected = [f for f in FACETS if f not in selected]
        # One aggregation for the unselected facets, which also counts the matches (even with no facet left),
        # and one per selected facet, counted without its own selection.
        jobs = [(unselected, None)] + [([f], f) for f in sorted(selected)]

        def count(facets: list[str], skip: str | None) -> tuple[Counts, int | None]:
            """value → count per facet under every selection but ``skip``'s; the match count when skipping none."""
            began = time.perf_counter()
            narrowed = plan.filters_except(request.filters, request.year_from, request.year_to, skip=skip)
            aggs: dict[str, Any] = {}
            for facet in facets:
                aggs.update(facet_aggregations(facet, request))
            if skip is None:
                aggs.update(match_count_aggregation())
            result = searcher.aggregate(filtered(text, narrowed, schema), aggs)
            found = {
                facet: {
                    str(b["key"]): b["doc_count"]
                    for name in (facet, facet + SELECTED)
                    for b in result.get(name, {}).get("buckets", ())
                }
                for facet in facets
                if facet != "topic"
            }
            if "topic" in facets:
                found["topic"] = topic_counts(result["topic"]["buckets"], topics.names_for)
            if self.on_timing is not None:
                self.on_timing(Timing(FACET_COUNTS, round((time.perf_counter() - began) * 1000, 1)))
            return found, int(result[TOTAL]["value"]) if skip is None else None

        pool = self.helpers()
        pending = [pool.submit(count, *job) for job in jobs]

        def wait_for_facets() -> tuple[dict[str, list[FacetCount]], int]:
            by_facet: Counts = {}
            total = 0
            for job in pending:
                counts, matches = job.result()
                by_facet.update(counts)
                total = matches if matches is not None else total
            return backend_rules.facet_lists(by_facet, request.filters, request.facet_size), total

        return wait_for_facets

    def close(self) -> None:
        """Stop the helper threads (those of this process only)."""
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.shutdown()
            self._pool = None
