"""The Elasticsearch backend: the same contract as the embedded engine, on a cluster.

Everything that decides *what* matches is shared with the embedded engine:
engine.analysis produces the ``words`` and ``chars`` tokens in Python (ES only
splits them on whitespace with the built-in ``whitespace`` analyzer),
engine.plan decides the query tree, engine.backend_rules the rules both
backends follow, engine.documents builds stored fields, hits and facet
lists, and engine.highlight marks the text. This package only translates:
plan nodes into query DSL, requests into search bodies, and ES responses
back into contract objects. It pairs file by file with engine/embedded/:

- ``__init__``: the engine (search, read, write, rebuild) ↔ embedded ``__init__``
- ``indices``: mappings, index names, the alias swap ↔ embedded ``schema`` and ``generations``
- ``bodies``: plan → queries and aggregations ↔ embedded ``compile``
- ``ranking``: orders, duplicate collapse ↔ embedded ``ranking``
- ``facets``: disjunctive facet counts ↔ embedded ``facets``
- ``writing``: bulk requests, batched across files in a rebuild (no embedded
  counterpart: tantivy's writer batches by itself)

Timeouts, retries and the circuit breaker for a hung node live in
engine._es_transport.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from elasticsearch import Elasticsearch

from engine import backend_rules, plan
from engine import documents as stored
from engine._es_transport import CircuitBreaker, GuardedCalls, probe_for, read_client, redact, write_options
from engine.contract import EngineUnavailable, IncompatibleIndex, IndexDocument, SearchRequest, SearchResult
from engine.elastic.bodies import (
    DUPLICATE_KEY,
    SOURCES_PAGE,
    compile_node,
    copies_agg_body,
    copies_body,
    count_body,
    search_bodies,
    source_query,
    sources_body,
    stale_query,
)
from engine.elastic.facets import facet_lists
from engine.elastic.indices import SCHEMA_VERSION, Indices, index_meta
from engine.elastic.ranking import hits_of, page_keys
from engine.elastic.writing import BulkWriter, DocumentsRejected
from engine.expansion import FALLBACK_BELOW
from engine.query import Term, parse_query

log = logging.getLogger(__name__)

__all__ = ["SCHEMA_VERSION", "DocumentsRejected", "ElasticsearchEngine"]

#: Page size for reading all paragraphs of an article / duplicate group.
FETCH_PAGE = 1000
#: Cardinality is approximate above this many distinct article ids.
CARDINALITY_PRECISION = 40_000


def _noted(asked: list[Term], term: Term) -> int:
    """A literal count "plenty" for ``term``, noting that the expansion asked for it."""
    asked.append(term)
    return sys.maxsize


class ElasticsearchEngine:
    """The SearchEngine contract on an Elasticsearch 8.x (or 9.x) cluster behind an alias."""

    def __init__(self, url: str, alias: str = "summaries", client: Elasticsearch | None = None) -> None:
        """Connect lazily to ``url`` (or comma-separated node URLs); nothing is sent until the first call.

        ``client`` lets a caller share a configured client (auth, TLS); by
        default one is built with short read timeouts (engine._es_transport).
        Either way a circuit breaker fails calls fast while the node is hung.
        """
        if not alias or alias != alias.lower() or alias.startswith(("_", "-", "+")):
            raise ValueError(f"invalid Elasticsearch alias {alias!r}: lower case, not starting with _ - +")
        self.url = url
        self.alias = alias
        self._owns_client = client is None
        # Reads fail fast on a hung node, writes may take longer (engine._es_transport);
        # every call goes through the breaker.
        self.client: Elasticsearch = client or read_client(url)
        self._write_client = write_options(self.client)
        self._call = GuardedCalls(url, CircuitBreaker(probe_for(self.client)))
        self._indices = Indices(self.client, alias, self._call)
        # Sources written since the last refresh: their older copies may not be
        # searchable yet, so pruning them needs a refresh first (see _prune).
        self._dirty_sources: set[str] = set()
        # Sources this rebuild has written to its fresh index (the only ones it may have to prune).
        self._rebuilt: set[str] = set()
        self._writer = BulkWriter(self._write_client, self._call, self._remove_rejected)

    def _fetch_all(self, index: str, query: dict[str, Any], sort: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every matching document's source, in ``sort`` order (search_after paging)."""
        sort = [*sort, {"paragraph_id": "asc"}]
        out: list[dict[str, Any]] = []
        after: list[Any] | None = None
        while True:
            kwargs: dict[str, Any] = {"index": index, "query": query, "sort": sort, "size": FETCH_PAGE}
            if after is not None:
                kwargs["search_after"] = after
            resp = self._call("search", lambda kw=kwargs: self.client.search(**kw))
            hits = resp["hits"]["hits"]
            out.extend(h["_source"] for h in hits)
            if len(hits) < FETCH_PAGE:
                return out
            after = hits[-1]["sort"]

    # -- reading ----------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a search: matching, filters, disjunctive facets, ranking, collapse; highlight in Python.

        Two round trips, each one ``_msearch`` whose searches the node runs
        side by side: the page with its total, the facet counts and the
        literal counts the expansion asks for; then the sizes of the page's
        duplicate groups. The page is asked for on the likely outcome of the
        counts (no sub-word fallback) and asked again in the rare case the
        counts decide otherwise, so the answer is always the counts' own.
        """
        started = time.perf_counter()
        parsed = parse_query(request.query)
        request = backend_rules.normalised(request)
        target = self._indices.read_target()
        if target is None:
            return backend_rules.empty_result(request, parsed, started)
        asked: list[Term] = []
        expansion = backend_rules.expansion_for(request, parsed, lambda term: _noted(asked, term))
        narrowed = plan.filters_except(request.filters, request.year_from, request.year_to)
        # Only whether a count is below FALLBACK_BELOW matters: the node may stop counting there.
        counting = [
            count_body(compile_node(plan.literal_count_query(t, narrowed)), up_to=FALLBACK_BELOW)
            for t in dict.fromkeys(asked)
        ]
        wanted = plan.search_plan(parsed, request.like_text, request.like_exclude, expansion=expansion)
        bodies = search_bodies(request, wanted)
        *counted, page, facet_counts = self._msearch(target, "search", [*counting, *bodies])
        if counted:
            counts = {t: int(r["hits"]["total"]["value"]) for t, r in zip(dict.fromkeys(asked), counted, strict=True)}
            decided = backend_rules.expansion_for(request, parsed, lambda term: counts[term])
            if decided != expansion:
                expansion = decided
                wanted = plan.search_plan(parsed, request.like_text, request.like_exclude, expansion=expansion)
                bodies = search_bodies(request, wanted)
                page, facet_counts = self._msearch(target, "search", list(bodies))
        sizes = self._group_sizes(target, bodies[0], page) if request.collapse else {}
        hits = hits_of(page["hits"]["hits"], wanted.terms, sizes)
        facets = facet_lists(facet_counts.get("aggregations", {}), request.filters, request.facet_size)
        total = int(page["hits"]["total"]["value"])
        took = backend_rules.took_ms(started)
        return SearchResult(total, took, hits, facets, request.page, request.page_size, wanted.terms, wanted.expanded)

    def _group_sizes(self, target: str, body: dict[str, Any], page: dict[str, Any]) -> dict[str, int]:
        """Paragraphs per duplicate key of the page's hits, under the query that found them (``body``'s)."""
        raw_hits = page["hits"]["hits"]
        if not raw_hits:
            return {}
        keys = page_keys(raw_hits)
        (listed,) = self._msearch(target, "count copies", [copies_body(body["query"], keys)])
        rows = listed["hits"]["hits"]
        if int(listed["hits"]["total"]["value"]) <= len(rows):
            return dict(Counter(row["fields"][DUPLICATE_KEY][0] for row in rows))
        # A group with hundreds of copies: count them by key instead of listing them.
        (counted,) = self._msearch(target, "count copies", [copies_agg_body(body["query"], keys)])
        return {b["key"]: int(b["doc_count"]) for b in counted["aggregations"]["copies"]["buckets"]}

    def _msearch(self, target: str, what: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several searches in one request, run side by side on the node; their responses in order."""
        searches: list[dict[str, Any]] = []
        for body in bodies:
            searches += [{}, body]
        resp = self._call(what, lambda: self.client.msearch(index=target, searches=searches))
        out: list[dict[str, Any]] = []
        for item in resp["responses"]:
            error = item.get("error")
            if error is not None:
                status = int(item.get("status", 500))
                reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                message = f"Elasticsearch at {redact(self.url)} failed ({what}): HTTP {status} {reason}"
                raise EngineUnavailable(message) if status >= 500 or status == 429 else RuntimeError(message)
            out.append(item)
        return out

    def article(self, article_id: str) -> list[IndexDocument]:
        """All paragraphs of one article, in reading order (empty if unknown)."""
        target = self._indices.read_target()
        if target is None or not article_id:
            return []
        query = {"bool": {"filter": [{"term": {"article_id": article_id}}]}}
        rows = self._fetch_all(target, query, [{"position": "asc"}])
        return [stored.document_from_fields(r) for r in rows]

    def copies(self, duplicate_key: str) -> list[IndexDocument]:
        """Every paragraph sharing a duplicate key, ordered by paragraph_id."""
        target = self._indices.read_target()
        if target is None or not duplicate_key:
            return []
        query = {"bool": {"filter": [{"term": {"duplicate_key": duplicate_key}}]}}
        rows = self._fetch_all(target, query, [])
        return [stored.document_from_fields(r) for r in rows]

    def sources(self) -> dict[str, str]:
        """Indexed source files: path → sha256 ("" when its paragraphs disagree, forcing a re-ingest)."""
        target = self._indices.read_target()
        if target is None:
            return {}
        out: dict[str, str] = {}
        after: dict[str, Any] | None = None
        while True:
            body = sources_body(after)
            resp = self._call("list sources", lambda b=body: self.client.search(index=target, **b))
            agg = resp["aggregations"]["sources"]
            for bucket in agg["buckets"]:
                out[bucket["key"]["path"]] = backend_rules.source_hash([b["key"] for b in bucket["sha256"]["buckets"]])
            after = agg.get("after_key")
            if len(agg["buckets"]) < SOURCES_PAGE or after is None:
                return out

    def stats(self) -> dict[str, Any]:
        """Reachability and size; never raises for an unreachable cluster (``reachable`` False)."""
        out: dict[str, Any] = {
            "backend": "elasticsearch",
            "url": redact(self.url),
            "alias": self.alias,
            "reachable": False,
            "documents": 0,
            "articles": 0,
            "size_bytes": 0,
            "rebuilding": self._indices.rebuilding,
            **index_meta(),
        }
        try:
            info = self._call("info", lambda: self.client.info())
            out["reachable"] = True
            out["version"] = info["version"]["number"]
            out["cluster_name"] = info.get("cluster_name")
            health = self._call("health", lambda: self.client.cluster.health())
            out["cluster_status"] = health.get("status")
            out["nodes"] = health.get("number_of_nodes")
            indices = self._indices.live()
            out["indices"] = indices
            if indices:
                out.update(self._sizes())
                out.update(self._compatibility(indices))
        except EngineUnavailable as exc:
            out["error"] = str(exc)
        return out

    def _sizes(self) -> dict[str, Any]:
        """Documents, articles and bytes behind the alias."""
        count = self._call("count", lambda: self.client.count(index=self.alias))
        body = {
            "size": 0,
            "aggs": {
                "articles": {"cardinality": {"field": "article_id", "precision_threshold": CARDINALITY_PRECISION}}
            },
        }
        resp = self._call("count articles", lambda: self.client.search(index=self.alias, **body))
        store = self._call("index stats", lambda: self.client.indices.stats(index=self.alias, metric="store"))
        return {
            "documents": int(count["count"]),
            "articles": int(resp["aggregations"]["articles"]["value"]),
            # Primaries only, comparable with the embedded index folder; replicas on top.
            "size_bytes": int(store["_all"]["primaries"]["store"]["size_in_bytes"]),
            "size_bytes_with_replicas": int(store["_all"]["total"]["store"]["size_in_bytes"]),
        }

    def _compatibility(self, indices: list[str]) -> dict[str, Any]:
        try:
            self._indices.check(indices)
        except IncompatibleIndex as exc:
            return {"compatible": False, "error": str(exc)}
        return {"compatible": True}

    # -- writing ----------------------------------------------------------

    def replace_source(self, source_path: str, documents: Iterable[IndexDocument]) -> None:
        """Index a source file's paragraphs, then drop its paragraphs that are no longer there.

        Live index: indexing first (ids are paragraph_ids, so unchanged
        paragraphs are overwritten in place) and pruning after means searches
        never see the file missing in between. Raises DocumentsRejected
        (after removing the whole file again) when ES refuses any paragraph.

        Rebuild: the fresh index holds only what this rebuild wrote, so a
        file seen for the first time has nothing to prune; its paragraphs
        join the next large bulk request (engine.elastic.writing), and a
        refusal is raised by a later call, at the latest finish_rebuild.
        """
        fields = backend_rules.settled_documents(source_path, documents)
        if self._indices.rebuilding is not None and source_path not in self._rebuilt:
            self._rebuilt.add(source_path)
            self._dirty_sources.add(source_path)
            self._writer.add(self._indices.rebuilding, source_path, fields)
            return
        target = self._indices.write_target()
        # Copies written by this process since the last refresh are invisible
        # to delete_by_query; the ones written just now are kept by id anyway.
        earlier_unrefreshed = source_path in self._dirty_sources
        rejected = self._writer.send_now(target, source_path, fields)
        self._dirty_sources.add(source_path)
        if rejected:
            self._prune(target, source_query(source_path), refresh_first=True)
            raise DocumentsRejected(source_path, [(pid, reason) for _, pid, reason in rejected])
        stale = stale_query(source_path, (f["paragraph_id"] for f in fields))
        self._prune(target, stale, refresh_first=earlier_unrefreshed)

    def _remove_rejected(self, index: str, source_path: str) -> None:
        """Drop every paragraph of a file whose batch lost some of them (per-file all-or-nothing)."""
        self._prune(index, source_query(source_path), refresh_first=True)
        self._rebuilt.discard(source_path)

    def _prune(self, index: str, query: dict[str, Any], *, refresh_first: bool) -> None:
        """delete_by_query, after a refresh when the documents to delete may not be searchable yet.

        delete_by_query only sees refreshed documents, so without that
        refresh a source replaced twice between commits would keep
        paragraphs of its first version. Refreshing only then (not per
        file) keeps a bulk ingest from producing thousands of tiny segments.
        """
        if refresh_first:
            self._refresh(index)
            self._dirty_sources.clear()
        self._call(
            "delete by query",
            lambda: self._write_client.delete_by_query(index=index, query=query, conflicts="proceed", refresh=False),
        )

    def delete_source(self, source_path: str) -> None:
        """Drop every paragraph of one source file (in a rebuild: only if this rebuild wrote it)."""
        if self._indices.rebuilding is not None and source_path not in self._rebuilt:
            return
        target = self._indices.rebuilding or self._indices.read_target()
        if target is None:
            return
        self._writer.flush()
        self._prune(target, source_query(source_path), refresh_first=source_path in self._dirty_sources)
        self._dirty_sources.discard(source_path)
        self._rebuilt.discard(source_path)

    def _refresh(self, index: str) -> None:
        self._call("refresh", lambda: self._write_client.indices.refresh(index=index))

    def commit(self) -> None:
        """Refresh: ES acknowledges writes durably (translog), a refresh makes them searchable.

        Indices run with ``refresh_interval: -1`` (settings.json), so writes
        become visible here and nowhere else, as the contract says: a reader
        never sees half of an ingest run's file replacements. In a rebuild
        nobody reads the fresh index before the swap, and an aborted rebuild
        throws it away, so a commit only reports refused paragraphs early;
        finish_rebuild sends and refreshes everything.
        """
        self._writer.flush()
        if self._indices.rebuilding is not None:
            return
        target = self.alias if self._indices.live() else None
        if target is not None:
            self._refresh(target)
        self._dirty_sources.clear()

    # -- rebuild ------------------------------------------------------------

    def begin_rebuild(self) -> None:
        """Create an empty fresh concrete index; writes go there, reads stay on the alias."""
        self._writer.flush()
        self._indices.begin_rebuild()
        self._dirty_sources.clear()
        self._rebuilt.clear()

    def finish_rebuild(self) -> None:
        """Send what is queued, refresh, swap the alias onto the rebuilt index in one call, delete the old one."""
        new = self._indices.rebuilding
        if new is None:
            raise RuntimeError("no rebuild under way")
        try:
            self._writer.flush()
            self._refresh(new)
            self._indices.settle(new)
        except BaseException:
            # engine.rebuilding only aborts what fails inside its block; a batch refused here
            # must not leave the half-built index as the target of later writes.
            try:
                self.abort_rebuild()
            except EngineUnavailable as exc:  # the first failure is the one to report
                log.warning("could not delete the unfinished rebuild index: %s", exc)
            raise
        self._indices.swap(new)
        self._dirty_sources.clear()
        self._rebuilt.clear()

    def abort_rebuild(self) -> None:
        """Delete the half-built index; the alias never moved (no-op when no rebuild is under way)."""
        self._writer.discard()
        self._dirty_sources.clear()
        self._rebuilt.clear()
        self._indices.abort_rebuild()

    # -- housekeeping --------------------------------------------------------

    def drop(self) -> None:
        """Delete every index behind the alias, a rebuild index and the template (tests, decommissioning)."""
        self._writer.discard()
        self._dirty_sources.clear()
        self._rebuilt.clear()
        self._indices.drop()

    def close(self) -> None:
        """Discard an unfinished rebuild and close the connections (a caller's client is left open)."""
        try:
            self.abort_rebuild()
        except EngineUnavailable as exc:
            log.warning("could not delete the unfinished rebuild index: %s", exc)
        self._writer.close()
        if self._owns_client:
            self.client.close()
