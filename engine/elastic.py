"""The Elasticsearch backend: the same contract as the embedded engine, on a cluster.

Everything that decides *what* matches is shared with the embedded engine:
engine.analysis produces the ``words`` and ``chars`` tokens in Python (ES only
splits them on whitespace with the built-in ``whitespace`` analyzer),
engine.plan decides the query tree, engine.documents builds stored fields,
hits and facet lists, and engine.highlight marks the text. This module only
translates: plan nodes into query DSL, requests into search bodies, and ES
responses back into contract objects.

The request bodies are built by pure functions (``compile_node``,
``search_body``, ``bulk_actions``, ``index_body``, ``template_body`` …) so
their exact shape is pinned by unit tests without a server
(tests/engine/test_elastic_bodies.py). No user text ever reaches ES query
syntax: there is no ``query_string`` here, only structured queries whose
leaves are pre-analysed tokens.

Index layout: ``alias`` (default ``summaries``) points at one concrete index
``<alias>-<UTC timestamp>``. The first write creates it from mappings/*.json;
a rebuild writes a fresh concrete index and swaps the alias onto it with a
single ``_aliases`` call, so readers never see a half-built index.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import elasticsearch
from elasticsearch import Elasticsearch, helpers

from engine import analysis, plan
from engine import documents as stored
from engine import facets as registry
from engine._es_transport import CircuitBreaker, probe_for, read_client, write_options
from engine.contract import (
    FACETS,
    EngineUnavailable,
    FacetCount,
    IncompatibleIndex,
    IndexDocument,
    SearchRequest,
    SearchResult,
)
from engine.expansion import NO_EXPANSION, Expansion, expand
from engine.query import ParsedQuery, Term, parse_query

log = logging.getLogger(__name__)

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"

#: Bumped whenever mappings.json changes in a way old indices cannot serve.
SCHEMA_VERSION = 5  # 2: paragraphs carry the origins of their facet values; 3: doc_type, org_type; 4: context; 5: part_of, origin

#: Fields mapped as integers: terms on them must carry numbers, not arbitrary strings.
INTEGER_FIELDS = registry.integer_fields() | {"position"}

#: Timeouts, retries and the circuit breaker for a hung node live in engine._es_transport.

#: Bulk: per-document 429 rejections are re-sent by the helper with
#: exponential backoff (1 s, 2 s, 4 s … capped at 30 s).
BULK_CHUNK_SIZE = 500
BULK_CHUNK_BYTES = 10 * 1024 * 1024
BULK_MAX_RETRIES = 5
BULK_INITIAL_BACKOFF_S = 1.0
BULK_MAX_BACKOFF_S = 30.0

#: ES refuses from + size beyond index.max_result_window (settings.json).
MAX_RESULT_WINDOW = 10_000
#: Source files per composite-aggregation page in sources().
SOURCES_PAGE = 1000
#: How long a read may trust the last alias resolution (seconds).
ALIAS_TTL_S = 5.0
#: Page size for reading all paragraphs of an article / duplicate group.
FETCH_PAGE = 1000
#: Cardinality is approximate above this many distinct article ids.
CARDINALITY_PRECISION = 40_000

RELEVANCE_SORT: list[dict[str, Any]] = [{"_score": "desc"}, {"paragraph_id": "asc"}]
YEAR_SORT: list[dict[str, Any]] = [
    {"year": {"order": "desc", "missing": "_last"}},
    {"_score": "desc"},
    {"paragraph_id": "asc"},
]
BROWSE_SORT: list[dict[str, Any]] = [{"year": {"order": "desc", "missing": "_last"}}, {"paragraph_id": "asc"}]

_T = TypeVar("_T")


class DocumentsRejected(RuntimeError):
    """Elasticsearch refused some documents of a source file (after retries).

    ``replace_source`` is all-or-nothing per file: when any paragraph is
    rejected, every paragraph of that file is removed again before this is
    raised, so ``sources()`` no longer lists the file and the next
    incremental ingest retries it instead of trusting a partial copy.
    ``rejected`` holds ``(paragraph_id, reason)`` pairs.
    """

    def __init__(self, source_path: str, rejected: list[tuple[str, str]]) -> None:
        self.source_path = source_path
        self.rejected = rejected
        sample = "; ".join(f"{pid}: {reason}" for pid, reason in rejected[:3])
        super().__init__(f"Elasticsearch rejected {len(rejected)} paragraph(s) of {source_path}: {sample}")


# -- index definition ---------------------------------------------------------


@cache
def _load_json(name: str) -> dict[str, Any]:
    with (MAPPINGS_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def _copy(value: _T) -> _T:
    # The cached JSON must never be mutated by a caller.
    return json.loads(json.dumps(value))


def index_meta() -> dict[str, Any]:
    """What an index records about the code that built it (checked before every use)."""
    return {"schema_version": SCHEMA_VERSION, "analysis_version": analysis.analysis_version()}


def index_body(alias: str | None = None) -> dict[str, Any]:
    """The create-index request: settings.json + mappings.json + version ``_meta``.

    With ``alias`` the index is born behind it (first write: one atomic
    call); a rebuild index is created without it and swapped in later.
    """
    settings = _copy(_load_json("settings.json"))
    mappings = _copy(_load_json("mappings.json"))
    mappings["_meta"] = {**mappings.get("_meta", {}), **index_meta()}
    body: dict[str, Any] = {"settings": settings, "mappings": mappings}
    if alias is not None:
        body["aliases"] = {alias: {}}
    return body


def template_body(alias: str) -> dict[str, Any]:
    """The index template for ``<alias>-*`` (shards/replicas), from template.json.

    ``{alias}`` placeholders are filled in. The priority grows with the
    alias length because ES refuses two templates with overlapping patterns
    at the same priority, and ``a-*`` overlaps ``a-b-*``: the longer, more
    specific alias then wins, as it should.
    """

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{alias}", alias)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    body = fill(_copy(_load_json("template.json")))
    body["priority"] = int(body.get("priority", 0)) + len(alias)
    return body


def template_name(alias: str) -> str:
    """Name of the index template that belongs to ``alias``."""
    return f"{alias}-template"


def concrete_index_name(alias: str, now: datetime | None = None) -> str:
    """A fresh concrete index name ``<alias>-<UTC timestamp to the microsecond>``."""
    now = now or datetime.now(UTC)
    return f"{alias}-{now.astimezone(UTC):%Y%m%d%H%M%S%f}"


# -- query compilation ----------------------------------------------------------


MATCH_NONE: dict[str, Any] = {"match_none": {}}


def _term(field: str, token: str) -> dict[str, Any]:
    return {"term": {field: {"value": token}}}


def _integers(values: Iterable[str]) -> list[int]:
    out: list[int] = []
    for value in values:
        try:
            out.append(int(str(value).strip()))
        except ValueError:
            continue  # "abc" can never equal an integer field: drop it instead of a 400
    return out


def compile_node(node: plan.Node) -> dict[str, Any]:
    """Translate one engine.plan node into Elasticsearch query DSL.

    Tokens are already analysed, so leaves are ``term`` queries or phrases
    analysed with the ``whitespace`` analyzer (which only splits on the
    spaces we put there): ES sees exactly the tokens the embedded engine sees.
    """
    match node:
        case plan.Phrase(field=field, tokens=tokens, slop=slop):
            if not tokens:
                return dict(MATCH_NONE)
            if len(tokens) == 1:
                return _term(field, tokens[0])
            phrase: dict[str, Any] = {"query": " ".join(tokens), "analyzer": "whitespace"}
            if slop:
                phrase["slop"] = slop
            return {"match_phrase": {field: phrase}}
        case plan.AnyTerm(field=field, tokens=tokens):
            unique = list(dict.fromkeys(tokens))
            if not unique:
                return dict(MATCH_NONE)
            if len(unique) == 1:
                return _term(field, unique[0])
            # One term query per token: BM25 summed over the tokens present.
            return {"bool": {"should": [_term(field, t) for t in unique], "minimum_should_match": 1}}
        case plan.Terms(field=field, values=values):
            wanted: list[Any] = _integers(values) if field in INTEGER_FIELDS else list(dict.fromkeys(values))
            if not wanted:
                return dict(MATCH_NONE)
            return {"terms": {field: wanted}}
        case plan.Range(field=field, gte=gte, lte=lte):
            bounds = {k: v for k, v in (("gte", gte), ("lte", lte)) if v is not None}
            return {"range": {field: bounds}} if bounds else {"exists": {"field": field}}
        case plan.Bool(must=must, filter=filter_, should=should, must_not=must_not):
            body: dict[str, Any] = {}
            for key, nodes in (
                ("must", must),
                ("filter", filter_),
                ("should", should),
                ("must_not", must_not),
            ):
                if nodes:
                    body[key] = [compile_node(n) for n in nodes]
            # plan.Bool: without must/filter, one should has to match. ES has
            # the same default, but only outside filter context in old
            # versions; saying it explicitly keeps the meaning everywhere.
            if should and not must and not filter_:
                body["minimum_should_match"] = 1
            return {"bool": body}
        case plan.Boost(node=inner, factor=factor):
            return {"bool": {"must": [compile_node(inner)], "boost": factor}}
        case plan.ConstantScore(node=inner, score=score):
            return {"constant_score": {"filter": compile_node(inner), "boost": score}}
        case plan.MatchAll():
            return {"match_all": {}}
        case plan.Contains(field=field, char=char):
            # Any token holding the character. A query character is a word character (engine.analysis),
            # so it is never one of the wildcard syntax characters (* ? and the backslash).
            return {"wildcard": {field: {"value": f"*{char}*"}}}
        case plan.Best(nodes=nodes):
            return {"dis_max": {"queries": [compile_node(n) for n in nodes], "tie_breaker": 0.0}}
        case plan.Scaled(node=inner, field=field, weight=weight):
            # score × (1 + weight × field): the sum of a constant 1 and the field's factor, multiplied in.
            return {
                "function_score": {
                    "query": compile_node(inner),
                    "functions": [
                        {"weight": 1},
                        {"field_value_factor": {"field": field, "factor": weight, "missing": 0}},
                    ],
                    "score_mode": "sum",
                    "boost_mode": "multiply",
                }
            }
    raise TypeError(f"not a plan node: {node!r}")


def _all_of(nodes: list[plan.Node]) -> dict[str, Any] | None:
    if not nodes:
        return None
    return {"bool": {"filter": [compile_node(n) for n in nodes]}}


def clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Known facets with their non-empty selected values (unknown facet names are ignored)."""
    out: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        values = tuple(dict.fromkeys(v for v in filters.get(facet, ()) if v))
        if values:
            out[facet] = values
    return out


def facet_aggregations(request: SearchRequest) -> dict[str, Any]:
    """Disjunctive facets: per facet, counts under every filter except its own.

    Each facet is a ``filter`` agg (the other facets' selections and the year
    range) around a ``terms`` agg on the facet's field, so choosing 镇A still
    lists 镇B with its count (OR within a facet, AND across facets). A second
    ``terms`` with ``include`` fetches the counts of selected values that fall
    outside the top ``facet_size``, so a selection never disappears.
    """
    filters = clean_filters(request.filters)
    size = max(1, int(request.facet_size))
    aggs: dict[str, Any] = {}
    for facet in FACETS:
        field = plan.FACET_FIELDS[facet]
        others = _all_of(plan.filters_except(filters, request.year_from, request.year_to, skip=facet))
        values: dict[str, Any] = {"field": field, "size": size}
        if registry.facet(facet).order == "newest":
            # Years are listed newest first, so the top ``size`` are by key.
            values["order"] = {"_key": "desc"}
        sub: dict[str, Any] = {"values": {"terms": values}}
        selected = filters.get(facet, ())
        include: list[Any] = _integers(selected) if field in INTEGER_FIELDS else list(selected)
        if include:
            sub["selected"] = {"terms": {"field": field, "size": len(include), "include": include}}
        aggs[facet] = {"filter": others or {"match_all": {}}, "aggs": sub}
    return aggs


def search_body(
    request: SearchRequest, parsed: ParsedQuery | None = None, expansion: Expansion = NO_EXPANSION
) -> dict[str, Any]:
    """The complete ``_search`` body for a request (Aleph-style disjunctive faceting).

    * ``query``: the text query only (matching + scoring from engine.plan);
      an empty query browses everything, newest year first.
    * ``post_filter``: every facet filter and the year range, applied to the
      hits after the aggregations have seen the unfiltered text matches.
    * ``aggs``: see ``facet_aggregations``.
    * ``collapse``: one hit per duplicate key; its ``inner_hits`` total (the
      group size, counted under the same query and post_filter) gives
      ``duplicate_count``. Pagination is over groups.

    No ``highlight`` section: marks are made in Python by engine.highlight on
    the stored text, exactly as the embedded engine does, so both backends
    highlight identically and stripping the marks gives the stored text.
    """
    parsed = parsed if parsed is not None else parse_query(request.query)
    page = max(1, int(request.page))
    page_size = max(0, int(request.page_size))
    start = (page - 1) * page_size
    size = page_size
    if start + size > MAX_RESULT_WINDOW:
        # Beyond the window ES answers 400; such a page is empty, but the
        # totals and facets are still wanted.
        start, size = 0, 0

    body: dict[str, Any] = {"track_total_hits": True, "from": start, "size": size}
    wanted = plan.search_plan(parsed, request.like_text, request.like_exclude, expansion=expansion)
    # Even browsing goes through the plan: it leaves out the headings.
    body["query"] = compile_node(wanted.node)
    if not wanted.ranked:
        # Nothing to rank by (empty, or only exclusions): browse newest first.
        body["sort"] = _copy(BROWSE_SORT)
    elif request.sort == "year":
        body["sort"] = _copy(YEAR_SORT)
        # Sorting by a field skips scoring unless asked; hits still report it.
        body["track_scores"] = True
    else:
        body["sort"] = _copy(RELEVANCE_SORT)
    filters = clean_filters(request.filters)
    post_filter = _all_of(plan.filters_except(filters, request.year_from, request.year_to, skip=None))
    if post_filter is not None:
        body["post_filter"] = post_filter
    body["aggs"] = facet_aggregations(request)
    if request.collapse:
        body["collapse"] = {
            "field": "duplicate_key",
            "inner_hits": {"name": "copies", "size": 0},
        }
    return body


# -- writing ------------------------------------------------------------------


def bulk_actions(index: str, items: Iterable[IndexDocument | Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Bulk ``index`` actions for documents (or dicts from engine.documents.index_fields).

    ``_id`` is the paragraph_id, so re-ingesting a file overwrites its
    paragraphs in place instead of duplicating them.
    """
    for item in items:
        fields = stored.ensure_analyzed(item)
        yield {"_op_type": "index", "_index": index, "_id": fields["paragraph_id"], "_source": fields}


def source_query(source_path: str) -> dict[str, Any]:
    """Every paragraph of one source file."""
    return {"bool": {"filter": [{"term": {"source_path": source_path}}]}}


def stale_query(source_path: str, keep_ids: Iterable[str]) -> dict[str, Any]:
    """Paragraphs of one source file other than ``keep_ids`` (left over from an older version)."""
    query = source_query(source_path)
    ids = list(dict.fromkeys(keep_ids))
    if ids:
        query["bool"]["must_not"] = [{"ids": {"values": ids}}]
    return query


def sources_body(after: Mapping[str, Any] | None = None, page: int = SOURCES_PAGE) -> dict[str, Any]:
    """One page of a composite aggregation: source path → its sha256 values."""
    composite: dict[str, Any] = {"size": page, "sources": [{"path": {"terms": {"field": "source_path"}}}]}
    if after:
        composite["after"] = dict(after)
    return {
        "size": 0,
        "aggs": {
            "sources": {
                "composite": composite,
                # Two, not one: a file whose paragraphs disagree on the hash was
                # half-replaced, and must look changed to the incremental ingest.
                "aggs": {"sha256": {"terms": {"field": "source_sha256", "size": 2}}},
            }
        },
    }


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url


# -- the engine ---------------------------------------------------------------


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
        # every call goes through the breaker in _call.
        self.client: Elasticsearch = client or read_client(url)
        self._write_client = write_options(self.client)
        self._breaker = CircuitBreaker(probe_for(self.client))
        self._rebuild_index: str | None = None
        self._checked_index: str | None = None
        self._resolved: tuple[float, list[str]] | None = None
        # Sources written since the last refresh: their older copies may not be
        # searchable yet, so pruning them needs a refresh first (see _prune).
        self._dirty_sources: set[str] = set()

    # -- plumbing ---------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], _T]) -> _T:
        """Run one client call, turning transport and server failures into EngineUnavailable."""
        try:
            return self._breaker.call(fn)
        except elasticsearch.UnsupportedProductError as exc:
            raise EngineUnavailable(f"{_redact(self.url)} is not an Elasticsearch server ({what}): {exc}") from exc
        except elasticsearch.TransportError as exc:
            # Connection refused/reset, timeouts, TLS and serialisation trouble.
            raise EngineUnavailable(
                f"Elasticsearch at {_redact(self.url)} is unreachable ({what}): {type(exc).__name__}: {exc}"
            ) from exc
        except elasticsearch.ApiError as exc:
            if exc.meta.status in (401, 403):
                raise EngineUnavailable(
                    f"Elasticsearch at {_redact(self.url)} refused access ({what}): HTTP {exc.meta.status}"
                ) from exc
            if exc.meta.status >= 500 or exc.meta.status == 429:
                status = exc.meta.status
                raise EngineUnavailable(
                    f"Elasticsearch at {_redact(self.url)} failed ({what}): HTTP {status} {exc.message}"
                ) from exc
            raise

    def _live_indices(self, *, cached: bool = False) -> list[str]:
        """Concrete indices behind the alias ([] when nothing was ever indexed).

        A concrete index named like the alias itself (created by hand) counts
        too. Reads may use a resolution up to ALIAS_TTL_S old (it only decides
        the compatibility check; the search itself names the alias), which
        saves a round trip per portal request; "nothing indexed" is never
        cached, so the first ingest shows up at once.
        """
        now = time.monotonic()
        if cached and self._resolved is not None and now - self._resolved[0] < ALIAS_TTL_S:
            return self._resolved[1]

        def get() -> list[str]:
            resp = self.client.options(ignore_status=404).indices.get_alias(name=self.alias)
            if resp.meta.status == 404:
                exists = self.client.options(ignore_status=404).indices.exists(index=self.alias)
                return [self.alias] if exists else []
            return sorted(resp.body)

        indices = self._call("resolve alias", get)
        self._resolved = (now, indices) if indices else None
        return indices

    def _check(self, indices: list[str]) -> None:
        """Refuse an index built by another schema or analysis (tokens would not match)."""
        key = ",".join(indices)
        if not indices or key == self._checked_index:
            return
        resp = self._call("read mapping", lambda: self.client.indices.get_mapping(index=key))
        expected = index_meta()
        for name, body in resp.body.items():
            meta = body.get("mappings", {}).get("_meta", {}) or {}
            found = {k: meta.get(k) for k in expected}
            if found != expected:
                raise IncompatibleIndex(
                    f"Elasticsearch index {name} (alias {self.alias}) was built with {found}, "
                    f"this code needs {expected}; rebuild it: python -m indexer ingest --rebuild …"
                )
        self._checked_index = key

    def _read_target(self) -> str | None:
        """The alias to read from, or None when nothing was ever indexed."""
        indices = self._live_indices(cached=True)
        if not indices:
            return None
        try:
            self._check(indices)
        except elasticsearch.NotFoundError:
            # A rebuild elsewhere swapped the alias and deleted the index we
            # remembered: resolve again.
            indices = self._live_indices()
            if not indices:
                return None
            self._check(indices)
        return self.alias

    def _install_template(self) -> None:
        body = template_body(self.alias)
        self._call(
            "put index template",
            lambda: self.client.indices.put_index_template(name=template_name(self.alias), **body),
        )

    def _create_index(self, *, behind_alias: bool) -> str:
        self._install_template()
        name = concrete_index_name(self.alias)
        body = index_body(self.alias if behind_alias else None)
        self._call("create index", lambda: self.client.indices.create(index=name, **body))
        log.info("created Elasticsearch index %s%s", name, f" behind alias {self.alias}" if behind_alias else "")
        return name

    def _write_target(self) -> str:
        """Where writes go: the rebuild index, else the alias (created on first write)."""
        if self._rebuild_index is not None:
            return self._rebuild_index
        indices = self._live_indices()
        if not indices:
            self._create_index(behind_alias=True)
            indices = self._live_indices()
        self._check(indices)
        return self.alias

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
        """Run a search: matching, filters, disjunctive facets, ranking, collapse; highlight in Python."""
        started = time.perf_counter()
        parsed = parse_query(request.query)
        page = max(1, int(request.page))
        page_size = max(0, int(request.page_size))
        filters = clean_filters(request.filters)
        target = self._read_target()
        if target is None:
            # Nothing indexed yet: an empty archive, not an outage.
            terms = plan.search_plan(parsed, request.like_text, request.like_exclude).terms
            facets = {f: stored.facet_list(f, {}, filters.get(f, ()), request.facet_size) for f in FACETS}
            return SearchResult(0, _ms(started), [], facets, page, page_size, terms)

        expansion = NO_EXPANSION
        if not request.literal and not request.like_text:
            narrowed = plan.filters_except(filters, request.year_from, request.year_to)

            def literal_count(term: Term) -> int:
                query = compile_node(plan.literal_count_query(term, narrowed))
                found = self._call("count", lambda: self.client.count(index=target, query=query))
                return int(found["count"])

            expansion = expand(parsed, literal_count)
        wanted = plan.search_plan(parsed, request.like_text, request.like_exclude, expansion=expansion)
        terms = wanted.terms
        body = search_body(request, parsed, expansion)
        resp = self._call("search", lambda: self.client.search(index=target, **body))
        hits = []
        for raw in resp["hits"]["hits"]:
            copies = 0
            if request.collapse:
                group = raw.get("inner_hits", {}).get("copies", {}).get("hits", {}).get("total", {})
                copies = max(0, int(group.get("value", 1)) - 1)
            score = raw.get("_score")
            hits.append(stored.make_hit(raw["_source"], terms, score or 0.0, copies))
        facets = self._facets(resp.get("aggregations", {}), filters, request.facet_size)
        total = int(resp["hits"]["total"]["value"])
        return SearchResult(total, _ms(started), hits, facets, page, page_size, terms, wanted.expanded)

    @staticmethod
    def _facets(
        aggs: Mapping[str, Any], filters: Mapping[str, tuple[str, ...]], size: int
    ) -> dict[str, list[FacetCount]]:
        out: dict[str, list[FacetCount]] = {}
        for facet in FACETS:
            agg = aggs.get(facet, {})
            counts: dict[str, int] = {}
            for part in ("values", "selected"):
                for bucket in agg.get(part, {}).get("buckets", []):
                    counts[_bucket_key(bucket)] = int(bucket["doc_count"])
            out[facet] = stored.facet_list(facet, counts, filters.get(facet, ()), size)
        return out

    def article(self, article_id: str) -> list[IndexDocument]:
        """All paragraphs of one article, in reading order (empty if unknown)."""
        target = self._read_target()
        if target is None or not article_id:
            return []
        query = {"bool": {"filter": [{"term": {"article_id": article_id}}]}}
        rows = self._fetch_all(target, query, [{"position": "asc"}])
        return [stored.document_from_fields(r) for r in rows]

    def copies(self, duplicate_key: str) -> list[IndexDocument]:
        """Every paragraph sharing a duplicate key, ordered by paragraph_id."""
        target = self._read_target()
        if target is None or not duplicate_key:
            return []
        query = {"bool": {"filter": [{"term": {"duplicate_key": duplicate_key}}]}}
        rows = self._fetch_all(target, query, [])
        return [stored.document_from_fields(r) for r in rows]

    def sources(self) -> dict[str, str]:
        """Indexed source files: path → sha256 ("" when its paragraphs disagree, forcing a re-ingest)."""
        target = self._read_target()
        if target is None:
            return {}
        out: dict[str, str] = {}
        after: dict[str, Any] | None = None
        while True:
            body = sources_body(after)
            resp = self._call("list sources", lambda b=body: self.client.search(index=target, **b))
            agg = resp["aggregations"]["sources"]
            for bucket in agg["buckets"]:
                shas = [b["key"] for b in bucket["sha256"]["buckets"]]
                out[bucket["key"]["path"]] = shas[0] if len(shas) == 1 else ""
            after = agg.get("after_key")
            if len(agg["buckets"]) < SOURCES_PAGE or after is None:
                return out

    def stats(self) -> dict[str, Any]:
        """Reachability and size; never raises for an unreachable cluster (``reachable`` False)."""
        out: dict[str, Any] = {
            "backend": "elasticsearch",
            "url": _redact(self.url),
            "alias": self.alias,
            "reachable": False,
            "documents": 0,
            "articles": 0,
            "size_bytes": 0,
            "rebuilding": self._rebuild_index,
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
            indices = self._live_indices()
            out["indices"] = indices
            if not indices:
                return out
            count = self._call("count", lambda: self.client.count(index=self.alias))
            out["documents"] = int(count["count"])
            body = {
                "size": 0,
                "aggs": {
                    "articles": {"cardinality": {"field": "article_id", "precision_threshold": CARDINALITY_PRECISION}}
                },
            }
            resp = self._call("count articles", lambda: self.client.search(index=self.alias, **body))
            out["articles"] = int(resp["aggregations"]["articles"]["value"])
            store = self._call("index stats", lambda: self.client.indices.stats(index=self.alias, metric="store"))
            # Primaries only, comparable with the embedded index folder; replicas on top.
            out["size_bytes"] = int(store["_all"]["primaries"]["store"]["size_in_bytes"])
            out["size_bytes_with_replicas"] = int(store["_all"]["total"]["store"]["size_in_bytes"])
            try:
                self._check(indices)
                out["compatible"] = True
            except IncompatibleIndex as exc:
                out["compatible"] = False
                out["error"] = str(exc)
        except EngineUnavailable as exc:
            out["error"] = str(exc)
        return out

    # -- writing ----------------------------------------------------------

    def replace_source(self, source_path: str, documents: Iterable[IndexDocument | Mapping[str, Any]]) -> None:
        """Index a source file's paragraphs, then drop its paragraphs that are no longer there.

        Indexing first (ids are paragraph_ids, so unchanged paragraphs are
        overwritten in place) and pruning after means searches never see the
        file missing in between. Raises DocumentsRejected (after removing the
        whole file again) when ES refuses any paragraph.
        """
        # Settled per source: whether a heading can be a hit depends on its whole article.
        fields = stored.settle_headings(documents)
        for f in fields:
            if f["source_path"] != source_path:
                # Pruning is by source_path: a stray paragraph would never be cleaned up.
                raise ValueError(f"{f['paragraph_id']} belongs to {f['source_path']}, not {source_path}")
        target = self._write_target()
        # Copies written by this process since the last refresh are invisible
        # to delete_by_query; the ones written just now are kept by id anyway.
        earlier_unrefreshed = source_path in self._dirty_sources
        rejected = self._bulk(target, fields)
        self._dirty_sources.add(source_path)
        if rejected:
            self._prune(target, source_query(source_path), refresh_first=True)
            raise DocumentsRejected(source_path, rejected)
        stale = stale_query(source_path, (f["paragraph_id"] for f in fields))
        self._prune(target, stale, refresh_first=earlier_unrefreshed)

    def _bulk(self, index: str, fields: list[dict[str, Any]]) -> list[tuple[str, str]]:
        """Send the documents with the bulk helper; return the rejected ones (id, reason)."""
        if not fields:
            return []

        def run() -> list[tuple[str, str]]:
            rejected: list[tuple[str, str]] = []
            for ok, item in helpers.streaming_bulk(
                self._write_client,
                bulk_actions(index, fields),
                chunk_size=BULK_CHUNK_SIZE,
                max_chunk_bytes=BULK_CHUNK_BYTES,
                max_retries=BULK_MAX_RETRIES,
                initial_backoff=BULK_INITIAL_BACKOFF_S,
                max_backoff=BULK_MAX_BACKOFF_S,
                raise_on_error=False,
                yield_ok=False,
            ):
                if not ok:
                    result = next(iter(item.values()), {})
                    error = result.get("error", {})
                    reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                    rejected.append((str(result.get("_id", "?")), f"HTTP {result.get('status')}: {reason}"))
            return rejected

        return self._call("bulk index", run)

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
        """Drop every paragraph of one source file."""
        if self._rebuild_index is not None:
            target: str | None = self._rebuild_index
        else:
            target = self._read_target()
        if target is None:
            return
        self._prune(target, source_query(source_path), refresh_first=source_path in self._dirty_sources)
        self._dirty_sources.discard(source_path)

    def _refresh(self, index: str) -> None:
        self._call("refresh", lambda: self._write_client.indices.refresh(index=index))

    def commit(self) -> None:
        """Refresh: ES acknowledges writes durably (translog), a refresh makes them searchable.

        Indices run with ``refresh_interval: -1`` (settings.json), so writes
        become visible here and nowhere else, as the contract says: a reader
        never sees half of an ingest run's file replacements.
        """
        target = self._rebuild_index or (self.alias if self._live_indices() else None)
        if target is not None:
            self._refresh(target)
        self._dirty_sources.clear()

    # -- rebuild ------------------------------------------------------------

    def begin_rebuild(self) -> None:
        """Create an empty fresh concrete index; writes go there, reads stay on the alias."""
        if self._rebuild_index is not None:
            raise RuntimeError(f"a rebuild into {self._rebuild_index} is already under way")
        self._rebuild_index = self._create_index(behind_alias=False)
        self._dirty_sources.clear()

    def finish_rebuild(self) -> None:
        """Swap the alias onto the rebuilt index in one ``_aliases`` call, then delete the old index."""
        new = self._rebuild_index
        if new is None:
            raise RuntimeError("no rebuild under way")
        self._refresh(new)
        old = [i for i in self._live_indices() if i != new]
        actions = swap_actions(self.alias, new, old)
        self._call("swap alias", lambda: self.client.indices.update_aliases(actions=actions))
        self._rebuild_index = None
        self._checked_index = None
        self._resolved = None
        self._dirty_sources.clear()
        # Older indices of ours that no alias points at are left over from a
        # crashed rebuild. Only older names: a rebuild that another process
        # started later is not ours to remove (as in the embedded engine).
        leftovers = [n for n in self._own_indices() if n < new and n not in old]
        # The alias already serves the new index; failing to delete an old one
        # only costs disk, so it is logged rather than raised.
        for name in [*old, *leftovers]:
            if name == self.alias:
                continue  # removed by the remove_index action itself
            try:
                self._call(
                    "delete old index",
                    lambda n=name: self.client.options(ignore_status=404).indices.delete(index=n),
                )
            except (EngineUnavailable, elasticsearch.ApiError) as exc:
                log.warning("could not delete old index %s: %s", name, exc)

    def _own_indices(self) -> list[str]:
        """Concrete indices named ``<alias>-<20-digit timestamp>`` (ours, not another alias's)."""
        pattern = re.compile(re.escape(self.alias) + r"-\d{20}")

        def get() -> list[str]:
            resp = self.client.indices.get_alias(index=f"{self.alias}-*", expand_wildcards="open,closed")
            return sorted(name for name in resp.body if pattern.fullmatch(name))

        try:
            return self._call("list indices", get)
        except elasticsearch.ApiError as exc:
            log.warning("could not list leftover indices of %s: %s", self.alias, exc)
            return []

    def abort_rebuild(self) -> None:
        """Delete the half-built index; the alias never moved (no-op when no rebuild is under way)."""
        new, self._rebuild_index = self._rebuild_index, None
        self._dirty_sources.clear()
        if new is not None:
            self._call(
                "delete rebuild index",
                lambda: self.client.options(ignore_status=404).indices.delete(index=new),
            )

    # -- housekeeping --------------------------------------------------------

    def drop(self) -> None:
        """Delete every index behind the alias, a rebuild index and the template (tests, decommissioning)."""
        self.abort_rebuild()
        for name in self._live_indices():
            self._call("delete index", lambda n=name: self.client.options(ignore_status=404).indices.delete(index=n))
        self._call(
            "delete template",
            lambda: self.client.options(ignore_status=404).indices.delete_index_template(
                name=template_name(self.alias)
            ),
        )
        self._checked_index = None
        self._resolved = None

    def close(self) -> None:
        """Discard an unfinished rebuild and close the connections (a caller's client is left open)."""
        try:
            self.abort_rebuild()
        except EngineUnavailable as exc:
            log.warning("could not delete the unfinished rebuild index: %s", exc)
        if self._owns_client:
            self.client.close()


def swap_actions(alias: str, new: str, old: Iterable[str]) -> list[dict[str, Any]]:
    """The single ``_aliases`` request that moves ``alias`` from ``old`` to ``new`` atomically.

    A concrete index that squats the alias name itself (made by hand) is
    removed in the same call, since an alias cannot share an index's name.
    """
    actions: list[dict[str, Any]] = []
    for name in old:
        if name == alias:
            actions.append({"remove_index": {"index": name}})
        else:
            actions.append({"remove": {"index": name, "alias": alias}})
    actions.append({"add": {"index": new, "alias": alias}})
    return actions


def _bucket_key(bucket: Mapping[str, Any]) -> str:
    key = bucket.get("key_as_string", bucket["key"])
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return str(key)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 2)
