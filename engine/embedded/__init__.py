"""The embedded backend: a tantivy index in a local folder, no server needed.

Matching, scoring and facets follow the backend-neutral plan tree
(engine.plan); the rules both backends share are in engine.backend_rules.
The package pairs file by file with engine/elastic/:

- ``__init__``: the engine (search, read, write, rebuild) ↔ elastic ``__init__``
- ``schema``: the fields a paragraph is indexed as ↔ elastic ``indices`` (mappings)
- ``generations``: where the live index is, the atomic swap ↔ elastic ``indices`` (alias swap)
- ``compile``: plan → queries and aggregations ↔ elastic ``bodies``
- ``ranking``: orders, tie-breaks, duplicate collapse ↔ elastic ``ranking``
- ``facets``: disjunctive facet counts ↔ elastic ``facets``

See engine.embedded.generations for the folder layout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from engine import backend_rules, plan
from engine import documents as stored
from engine.contract import Hit, IndexDocument, SearchRequest, SearchResult
from engine.embedded import ranking
from engine.embedded.compile import BUCKET_LIMIT, compile_node, filtered
from engine.embedded.facets import FacetCounter
from engine.embedded.generations import (
    CURRENT_FILE,
    DEFAULT_INDEX_DIR,
    GENERATION_PREFIX,
    VERSION_FILE,
    Generations,
)
from engine.embedded.generations import native_io_errors as _native_io_errors
from engine.embedded.schema import SCHEMA_VERSION, SOURCE_PARTITIONS, engine_version, stored_fields, to_tantivy
from engine.expansion import FALLBACK_BELOW
from engine.query import Term, parse_query
from engine.tracing import OnTiming

__all__ = [
    "CURRENT_FILE",
    "DEFAULT_INDEX_DIR",
    "GENERATION_PREFIX",
    "SCHEMA_VERSION",
    "VERSION_FILE",
    "EmbeddedEngine",
    "compile_node",
    "engine_version",
]


class EmbeddedEngine:
    """SearchEngine over a local tantivy index folder (see engine.embedded.generations for its layout)."""

    def __init__(self, index_dir: str | Path = DEFAULT_INDEX_DIR, *, on_timing: OnTiming | None = None) -> None:
        """Open (lazily) the index folder ``index_dir``.

        ``on_timing`` receives an engine.tracing.Timing for each scored
        ranking window and each facet aggregation of a search (benchmarks).
        """
        self.index_dir = Path(index_dir)
        self._lock = threading.RLock()
        self._generations = Generations(self.index_dir, self._lock)
        self._facets = FacetCounter(self._lock, on_timing)
        self._on_timing = on_timing

    # -- rebuild -------------------------------------------------------------

    def begin_rebuild(self) -> None:
        """Start an empty fresh generation; reads keep using the live one until finish_rebuild."""
        self._generations.begin_rebuild()

    def finish_rebuild(self) -> None:
        """Commit the fresh generation, point CURRENT at it, then delete older generations."""
        self._generations.finish_rebuild()

    def abort_rebuild(self) -> None:
        """Drop the fresh generation; the live one is untouched."""
        self._generations.abort_rebuild()

    # -- writing -------------------------------------------------------------

    def replace_source(self, source_path: str, documents: Iterable[IndexDocument]) -> None:
        """Drop the paragraphs of one source file and add these (visible after commit)."""
        with self._lock:
            generation = self._generations.writing()
            writer = generation.writer()
            with _native_io_errors():
                writer.delete_documents_by_term("source_path", source_path)
            for fields in backend_rules.settled_documents(source_path, documents):
                # Adding may flush a full in-memory segment to disk.
                with _native_io_errors():
                    writer.add_document(to_tantivy(fields, generation.topics.mask))

    def delete_source(self, source_path: str) -> None:
        """Drop every paragraph of one source file (visible after commit)."""
        with self._lock, _native_io_errors():
            self._generations.writing().writer().delete_documents_by_term("source_path", source_path)

    def commit(self) -> None:
        """Make writes durable and visible (during a rebuild: durable, visible after finish)."""
        with self._lock:
            target = self._generations.building or self._generations.live()
            if target is not None:
                target.commit()

    # -- reading -------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        """Match, filter, count facets, rank, collapse and highlight one page of results."""
        started = time.perf_counter()
        parsed = parse_query(request.query)
        request = backend_rules.normalised(request)
        generation = self._generations.live()
        if generation is None:
            return backend_rules.empty_result(request, parsed, started)
        searcher, schema = generation.searcher(), generation.schema
        filters = plan.filters_except(request.filters, request.year_from, request.year_to)

        def count(node: plan.Node) -> int:
            return int(searcher.search(compile_node(node, schema), limit=1, count=True).count)

        def literal_count(term: Term) -> int:
            # Its paragraphs that hold it as a word are counted first: for a common term they settle it.
            as_word = plan.word_count_query(term, filters)
            at_least = count(as_word) if as_word is not None else 0
            return at_least if at_least >= FALLBACK_BELOW else count(plan.literal_count_query(term, filters))

        expansion = backend_rules.expansion_for(request, parsed, literal_count)
        # The quality multiplier is applied by weight_by_field in the ranking, not by the query.
        wanted = plan.search_plan(parsed, request.like_text, request.like_exclude, quality=False, expansion=expansion)
        query = filtered(wanted.node, filters, schema)
        page = backend_rules.page_of(request)
        by_relevance = wanted.ranked and request.sort != "year"
        # Counting rides on the facet aggregation: it needs no scores, a scored count would.
        # The facets are counted on other cores while this thread runs the first scored search.
        matched = plan.matching(wanted.node)
        counting = self._facets.start_counting(searcher, schema, matched, request, generation.topics)
        scope = compile_node(plan.Bool(filter=tuple(filters)), schema) if filters else None
        matches = ranking.Matches(filtered(matched, filters, schema), scope)

        def read_page(order: ranking.Ranking) -> list[Hit]:
            return ranking.page_hits(
                searcher,
                schema,
                matches,
                order,
                page.start,
                page.size,
                request.collapse,
                wanted.terms,
                self._facets.helpers(),
            )

        hits: list[Hit] = []
        if by_relevance and page.size:
            # A relevance ranking needs no match count: this thread ranks and reads the page while the facets are
            # still being counted (the longer of the two at 100k paragraphs).
            hits = read_page(ranking.Ranking(searcher, [(query, ranking.UNKNOWN_TOTAL)], True, self._on_timing))
        facets, total = counting()
        if not by_relevance and page.size and page.start < total:
            hits = read_page(ranking.Ranking.by_year(searcher, schema, query, total, wanted.ranked, self._on_timing))
        took = backend_rules.took_ms(started)
        return SearchResult(total, took, hits, facets, page.number, page.size, wanted.terms, wanted.expanded)

    def _all(self, field: str, value: str, order_field: str) -> list[IndexDocument]:
        """Every paragraph whose keyword ``field`` is ``value``, ordered by ``order_field``."""
        generation = self._generations.live()
        if generation is None or not value:
            return []
        searcher = generation.searcher()
        condition = tantivy.Query.term_query(generation.schema, field, value)
        count = searcher.search(condition, limit=1, count=True).count
        if not count:
            return []
        hits = searcher.search(condition, limit=count, order_by_field=order_field, order=tantivy.Order.Asc).hits
        return [stored.document_from_fields(stored_fields(searcher, a)) for _, a in hits]

    def article(self, article_id: str) -> list[IndexDocument]:
        """All paragraphs of one article by position (empty if unknown)."""
        return self._all("article_id", article_id, "position")

    def copies(self, duplicate_key: str) -> list[IndexDocument]:
        """Every paragraph with this duplicate key, by paragraph_id."""
        return self._all("duplicate_key", duplicate_key, "paragraph_id")

    def sources(self) -> dict[str, str]:
        """Indexed source files, path → sha256 ("" if its paragraphs disagree); {} before the first ingest."""
        generation = self._generations.live()
        if generation is None:
            return {}
        searcher, schema = generation.searcher(), generation.schema
        agg = {
            "p": {
                "terms": {"field": "source_path", "size": BUCKET_LIMIT // 3},
                "aggs": {"s": {"terms": {"field": "source_sha256", "size": backend_rules.HASHES_PER_SOURCE}}},
            }
        }
        parts = [searcher.aggregate(tantivy.Query.all_query(), agg)]
        if parts[0]["p"]["sum_other_doc_count"]:
            # More files than one aggregation may return: list them partition by partition.
            parts = [
                searcher.aggregate(tantivy.Query.term_query(schema, "source_bucket", bucket), agg)
                for bucket in range(SOURCE_PARTITIONS)
            ]
        return {
            bucket["key"]: backend_rules.source_hash([b["key"] for b in bucket["s"]["buckets"]])
            for part in parts
            for bucket in part["p"]["buckets"]
        }

    def stats(self) -> dict[str, Any]:
        """Documents, articles, bytes on disk and where the live generation is (zeros before any ingest)."""
        building = self._generations.building
        out: dict[str, Any] = {
            "backend": "embedded",
            "path": str(self.index_dir),
            "documents": 0,
            "articles": 0,
            "size_bytes": 0,
            "generation": None,
            "rebuilding": building.name if building else None,
            **engine_version(),
        }
        generation = self._generations.live()
        if generation is None:
            return out
        searcher = generation.searcher()
        everything = tantivy.Query.all_query()
        agg = searcher.aggregate(everything, {"a": {"terms": {"field": "article_id", "size": BUCKET_LIMIT}}})
        articles = len(agg["a"]["buckets"])
        if agg["a"]["sum_other_doc_count"]:
            articles = round(searcher.cardinality(everything, "article_id"))  # estimate beyond the limit
        out.update(
            documents=searcher.num_docs,
            articles=articles,
            size_bytes=generation.size_bytes(),
            generation=generation.name,
        )
        return out

    def close(self) -> None:
        """Release the writer lock and index files; an unfinished rebuild is discarded."""
        with self._lock:
            self._facets.close()
            self._generations.close()
