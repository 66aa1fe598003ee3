"""The embedded backend: a tantivy index in a local folder, no server needed.

Folder layout (``--index DIR``, default ./data/index)::

    DIR/CURRENT              one line: the name of the live generation
    DIR/gen-<time>-<pid>/    a complete tantivy index + ENGINE_VERSION.json

A rebuild writes a new generation beside the live one and replaces CURRENT
atomically (write a temporary file, then rename) only when it has finished,
so a failed or interrupted rebuild leaves the old index serving. Readers
check CURRENT and the generation's meta.json before each request (two
``stat`` calls) and reload when either changed, so a portal process sees the
ingest process's commits and swaps without a restart, and lets go of the old
generation's files at once (no reference cycle holds a searcher). The folder
of a rebuild that was killed is removed by the next writer to start.

Matching, scoring and facets follow the backend-neutral plan tree
(engine.plan), compiled here into tantivy queries; the Elasticsearch backend
compiles the same tree.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import tantivy

from engine import analysis, plan
from engine import documents as stored
from engine import facets as registry
from engine.contract import (
    FACETS,
    EngineUnavailable,
    FacetCount,
    Hit,
    IncompatibleIndex,
    IndexDocument,
    SearchRequest,
    SearchResult,
)
from engine.expansion import NO_EXPANSION, expand
from engine.query import Term, parse_query

#: Bump when the fields below change; an index of another version is refused.
SCHEMA_VERSION = 8  # 2: facet origins; 3: id_prefix (tie-breaks); 4: quality_weight; 5: topic_set; 6: doc_type, org_type; 7: context (headings); 8: part_of, origin (stored)
VERSION_FILE = "ENGINE_VERSION.json"
CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
DEFAULT_INDEX_DIR = Path("data/index")

#: Writer memory is bounded: tantivy flushes a segment when the heap fills.
WRITER_HEAP_BYTES = 128_000_000
#: One indexing thread: the ingest workers already use every core, and a second
#: thread halves the segment size, so merging costs more (bench/RESULTS.md: main
#: process CPU 16.5 → 12.9 s for the 100k archive).
WRITER_THREADS = 1
#: Stored documents are compressed (lz4) in blocks of this size. tantivy's
#: default, 16 KiB, leaves Chinese text at ~1.1x its size; 256 KiB blocks
#: bring it to ~0.85x and cost ~30 µs per stored document loaded.
DOCSTORE_BLOCK_BYTES = 262_144
WHITESPACE = "whitespace_only"
REBUILD_HINT = "python -m indexer ingest --rebuild PATH…"

#: tantivy refuses aggregations with more buckets than this.
_BUCKET_LIMIT = 65_000
_SOURCE_PARTITIONS = 256
#: Top hits fetched by the first scored search; collapsing needs room for many copies.
_FIRST_WINDOW = 4096
#: Stands for the match count while facets are still counting it (a relevance ranking needs no count).
_UNKNOWN_TOTAL = 1 << 62
#: Joins a paragraph's topics into its ``topic_set`` value (never part of a topic name).
_TOPIC_SEPARATOR = "\x1f"
#: Aggregations the unselected facets are split into, counted in parallel (see EmbeddedEngine._facets).
_FACET_SPLIT = 2
#: Relative cost of counting each facet, in ms for 工会 (568,409 matches) at 1M paragraphs (bench/RESULTS.md).
#: A facet missing here (a new one in engine/data/facets.toml) costs 1.
_FACET_COST = {
    "topic": 21,
    "source": 15,
    "org_name": 9,
    "township": 6,
    "year": 4,
    "org_level": 3,
    "period": 2,
    "doc_type": 2,
    "org_type": 2,
}
#: Files listed per index segment for the ``source`` facet.
_SOURCE_SEGMENT_SIZE = 2_000
#: Aggregation names of the match count and of the selected files' counts.
_TOTAL = "_total"
_SELECTED = ":selected"
_INTEGER_FIELDS = registry.integer_fields() | {"position", "source_bucket"}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in stored.KEYWORD_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
    for name in sorted(registry.integer_fields()):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_integer_field("position", indexed=True, fast=True)
    # A paragraph's topics as one value: counting a multi-valued column costs ~4x more (see _facet_aggregations).
    builder.add_text_field("topic_set", fast=True, tokenizer_name="raw", index_option="basic")
    # Cheap per-hit duplicate grouping: fast fields are read in bulk, strings are not.
    builder.add_unsigned_field("collapse_hash", fast=True)
    # tantivy multiplies scores by log2(2 + this), which is how quality weighs in here (see _quality_weight).
    builder.add_float_field("quality_weight", fast=True)
    # Ties in score are broken by paragraph_id; its first 8 bytes, read in bulk, settle nearly all.
    builder.add_unsigned_field("id_prefix", fast=True)
    # Splits sources() into partitions when there are too many files for one aggregation.
    builder.add_integer_field("source_bucket", indexed=True, fast=True)
    for name in stored.ANALYSED_FIELDS:
        builder.add_text_field(name, tokenizer_name=WHITESPACE, index_option="position")
    # Everything a hit or article view shows, as one JSON blob (like Elasticsearch's _source).
    builder.add_bytes_field("stored", stored=True)
    return builder.build()


def _whitespace_analyzer() -> tantivy.TextAnalyzer:
    # Tokens were made by engine.analysis; the engine must only split them apart.
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _collapse_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def _quality_weight(quality: float) -> float:
    """The ``weight_by_field`` value that makes tantivy multiply a score by ``plan.quality_factor``."""
    return 2.0 ** plan.quality_factor(quality) - 2.0


def _id_prefix(paragraph_id: str) -> int:
    """The first 8 bytes of the id as a number: ordering these orders the ids, except among equal prefixes."""
    return int.from_bytes(paragraph_id.encode()[:8].ljust(8, b"\0"), "big")


def _source_bucket(path: str) -> int:
    return zlib.crc32(path.encode()) % _SOURCE_PARTITIONS


def engine_version() -> dict[str, Any]:
    """What decides whether an index on disk can be read by this program."""
    return {"schema_version": SCHEMA_VERSION, "analysis_version": analysis.analysis_version()}


# --------------------------------------------------------------------------- plan → tantivy


def _facet_aggregations(facet: str, request: SearchRequest) -> dict[str, Any]:
    """The terms aggregations behind one facet (see EmbeddedEngine._facets on ``source``)."""
    field = plan.FACET_FIELDS[facet]
    if facet == "topic":
        # Counted over topic combinations (a few hundred), then per topic by _topic_counts.
        return {facet: {"terms": {"field": "topic_set", "size": _BUCKET_LIMIT}}}
    if facet != "source":
        return {facet: {"terms": {"field": field, "size": _BUCKET_LIMIT}}}
    size = max(1, request.facet_size)
    aggs: dict[str, Any] = {facet: {"terms": {"field": field, "size": size, "segment_size": _SOURCE_SEGMENT_SIZE}}}
    selected = list(request.filters.get(facet, ()))
    if selected:
        # A selected file is always listed with its count, however far down it ranks.
        aggs[facet + _SELECTED] = {"terms": {"field": field, "size": len(selected), "include": selected}}
    return aggs


def _balanced_shares(facets: list[str], parts: int) -> list[list[str]]:
    """``facets`` in at most ``parts`` groups of similar cost (costliest first, each to the lightest group).

    The first group is never empty: it also counts the matches.
    """
    shares: list[list[str]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for facet in sorted(facets, key=lambda f: -_FACET_COST.get(f, 1)):
        lightest = loads.index(min(loads))
        shares[lightest].append(facet)
        loads[lightest] += _FACET_COST.get(facet, 1)
    return [share for i, share in enumerate(shares) if i == 0 or share]


def _topic_set(topics: Iterable[str]) -> str:
    return _TOPIC_SEPARATOR.join(sorted(topics))


def _topic_counts(by_set: Mapping[str, int]) -> dict[str, int]:
    """Paragraphs per topic, from paragraphs per combination of topics."""
    counts: dict[str, int] = {}
    for topic_set, count in by_set.items():
        for topic in topic_set.split(_TOPIC_SEPARATOR):
            counts[topic] = counts.get(topic, 0) + count
    return counts


def _decode_stored(blob: bytes) -> dict[str, Any]:
    """The stored fields of one paragraph, from the bytes ``_to_tantivy`` stored."""
    return json.loads(blob)


def _typed_values(field: str, values: Iterable[str]) -> list[Any]:
    if field not in _INTEGER_FIELDS:
        return list(values)
    # A non-numeric year filter value cannot match anything; drop it rather than fail.
    return [int(v) for v in values if str(v).lstrip("-").isdigit()]


def _zero_score(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)


def compile_node(node: plan.Node, schema: tantivy.Schema) -> tantivy.Query:
    """Translate a plan node into the equivalent tantivy query."""
    q = tantivy.Query
    match node:
        case plan.Phrase(field, tokens, slop):
            if not tokens:
                return q.empty_query()
            if len(tokens) == 1:  # tantivy's PhraseQuery needs two terms or more
                return q.term_query(schema, field, tokens[0])
            return q.phrase_query(schema, field, list(tokens), slop)
        case plan.AnyTerm(field, tokens):
            terms = [q.term_query(schema, field, t) for t in dict.fromkeys(tokens)]
            if len(terms) == 1:
                return terms[0]
            return q.boolean_query([(tantivy.Occur.Should, t) for t in terms])
        case plan.Terms(field, values):
            return q.term_set_query(schema, field, _typed_values(field, values))
        case plan.Range(field, gte, lte):
            return q.range_query(schema, field, tantivy.FieldType.Integer, gte, lte)
        case plan.Bool(must, filters, should, must_not):
            clauses = [(tantivy.Occur.Must, compile_node(n, schema)) for n in must]
            clauses += [(tantivy.Occur.Must, _zero_score(compile_node(n, schema))) for n in filters]
            clauses += [(tantivy.Occur.Should, compile_node(n, schema)) for n in should]
            if not clauses:
                # As in Elasticsearch, a bool of only exclusions matches everything else.
                clauses.append((tantivy.Occur.Must, q.all_query()))
            clauses += [(tantivy.Occur.MustNot, compile_node(n, schema)) for n in must_not]
            return q.boolean_query(clauses)
        case plan.Boost(inner, factor):
            return q.boost_query(compile_node(inner, schema), factor)
        case plan.ConstantScore(inner, score):
            return q.const_score_query(compile_node(inner, schema), score)
        case plan.MatchAll():
            return q.all_query()
        case plan.Contains(field, char):
            # Any token holding the character; a word character needs no escaping but gets it anyway.
            return q.regex_query(schema, field, ".*" + re.escape(char) + ".*")
        case plan.Best(nodes):
            return q.disjunction_max_query([compile_node(n, schema) for n in nodes], 0.0)
        case plan.Scaled():
            raise TypeError("the quality factor is applied by weight_by_field here (search_plan(quality=False))")
    raise TypeError(f"unknown plan node {node!r}")


def _and(query: tantivy.Query, condition: tantivy.Query) -> tantivy.Query:
    """``query`` restricted by ``condition``, scores unchanged."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, _zero_score(condition))])


# --------------------------------------------------------------------------- one index folder

_OS_ERROR = re.compile(r"os error (\d+)")


@contextlib.contextmanager
def _native_io_errors() -> Iterator[None]:
    """Turn tantivy's I/O failures into the OSError they are.

    tantivy reports a full disk as ``ValueError("… No space left on device
    (os error 28)")``; callers (the ingest command, the portal) handle
    OSError by errno, so the errno is recovered from the message.
    """
    try:
        yield
    except ValueError as exc:
        match = _OS_ERROR.search(str(exc))
        if match is None:
            raise
        code = int(match.group(1))
        raise OSError(code, os.strerror(code) if code else str(exc)) from exc


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _process_alive(pid: int) -> bool:
    """True when a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _set_docstore_blocksize(meta_path: Path, size: int) -> None:
    """Set tantivy's ``docstore_blocksize`` index setting, which tantivy-py does not expose.

    Done on a fresh, empty index, before any writer exists; every segment
    written or merged afterwards reads the setting from meta.json.
    """
    meta = json.loads(meta_path.read_text())
    meta["index_settings"]["docstore_blocksize"] = size
    tmp = meta_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, meta_path)


class _Generation:
    """One complete tantivy index folder, with its writer opened on first write."""

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = path
        self.name = path.name
        schema = _schema()
        if create:
            path.mkdir(parents=True)
            (path / VERSION_FILE).write_text(json.dumps(engine_version(), indent=2) + "\n")
            tantivy.Index(schema, path=str(path))
            _set_docstore_blocksize(path / "meta.json", DOCSTORE_BLOCK_BYTES)
            self.index = tantivy.Index.open(str(path))
        else:
            self._check_version()
            try:
                self.index = tantivy.Index.open(str(path))
            except ValueError as exc:
                raise EngineUnavailable(f"cannot open the index at {path}: {exc}") from exc
        self.index.register_tokenizer(WHITESPACE, _whitespace_analyzer())
        self.schema = self.index.schema
        self._writer: tantivy.IndexWriter | None = None
        self._meta_stamp = _stamp(path / "meta.json")

    def _check_version(self) -> None:
        if not self.path.is_dir():
            raise EngineUnavailable(f"the index folder {self.path} is missing; rebuild it with: {REBUILD_HINT}")
        try:
            found = json.loads((self.path / VERSION_FILE).read_text())
        except (FileNotFoundError, ValueError):
            found = None
        if found != engine_version():
            raise IncompatibleIndex(
                f"The index at {self.path.parent} was built by another version of the search engine "
                f"({found or 'unknown version'}; this program needs {engine_version()}). "
                f"Rebuild it with: {REBUILD_HINT}"
            )

    def searcher(self) -> tantivy.Searcher:
        """A searcher on the latest commit, whichever process made it."""
        stamp = _stamp(self.path / "meta.json")
        # No meta.json: a rebuild just replaced and removed this generation;
        # keep answering from the files already open until the caller switches.
        if stamp is not None and stamp != self._meta_stamp:
            self.index.reload()
            self._meta_stamp = stamp
        return self.index.searcher()

    def writer(self) -> tantivy.IndexWriter:
        """The single writer of this folder (tantivy locks it against other processes)."""
        if self._writer is None:
            try:
                with _native_io_errors():
                    self._writer = self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=WRITER_THREADS)
            except ValueError as exc:
                raise EngineUnavailable(
                    f"the index at {self.path.parent} is being written by another process: {exc}"
                ) from exc
        return self._writer

    def commit(self) -> None:
        """Make this process's writes durable and visible to its own searchers."""
        if self._writer is not None:
            with _native_io_errors():
                self._writer.commit()
            self.index.reload()
            self._meta_stamp = _stamp(self.path / "meta.json")

    def release(self, discard: bool = False) -> None:
        """Close the writer (dropping uncommitted writes when ``discard``), freeing the lock."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        with _native_io_errors():
            if discard:
                writer.rollback()
            # Consumes the writer: waits for merges, then releases the folder lock.
            writer.wait_merging_threads()

    def size_bytes(self) -> int:
        """Bytes on disk of this generation."""
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())


# --------------------------------------------------------------------------- ranking


class _Window:
    """The top ``limit`` matches of one query, ordered as the ranking wants them.

    They are sorted by score and the id prefix at once; paragraphs that tie on
    both (paragraphs of one article) are put in full-id order only when a
    caller reads their ranks, since that needs their stored documents. The
    first ``settled`` ranks are final: the engine returns the best ``limit``
    scores in no defined order among ties, so paragraphs tied with the last
    hit may lie beyond the window.
    """

    def __init__(
        self,
        limit: int,
        hits: list[tuple[float, tantivy.DocAddress]],
        prefixes: list[Any],
    ) -> None:
        self.limit = limit
        keys = [(-score, prefix) for (score, _), prefix in zip(hits, prefixes, strict=True)]
        order = sorted(range(len(hits)), key=keys.__getitem__)
        self.hits = [hits[i] for i in order]
        self._keys = [keys[i] for i in order]
        self._exact_upto = 0 if len(set(keys)) < len(keys) else len(keys)
        self.settled = len(self.hits)
        if len(hits) == limit:
            while self.settled and self.hits[self.settled - 1][0] == self.hits[-1][0]:
                self.settled -= 1

    def ranks(
        self, start: int, stop: int, full_id: Callable[[tantivy.DocAddress], str]
    ) -> list[tuple[float, tantivy.DocAddress]]:
        """Ranks ``start`` to ``stop - 1`` in final order (``stop`` must not exceed ``settled``).

        ``full_id`` is passed in rather than kept: a window holding its ranking
        would be a reference cycle, and a searcher caught in a cycle keeps its
        index files mapped until the garbage collector happens to run.
        """
        keys, i = self._keys, self._exact_upto
        while i < stop:
            j = i + 1
            while j < len(keys) and keys[j] == keys[i]:
                j += 1
            if j - i > 1:
                self.hits[i:j] = sorted(self.hits[i:j], key=lambda hit: full_id(hit[1]))
            i = j
        self._exact_upto = max(i, self._exact_upto)
        return self.hits[start:stop]


class _Ranking:
    """The final order of one search's matches, fetched by rank on demand.

    Relevance: score descending, ties by paragraph_id. Year: year descending
    (paragraphs without a year last), then score, then paragraph_id. Browsing
    (no search words): year descending, then paragraph_id. Year order walks
    one bucket per year, so only the buckets a page touches are searched.

    Score ties are common (copies of a template paragraph score alike). They
    are broken on the ``id_prefix`` fast field, read in bulk; only ids that
    share their first eight bytes need their stored documents. Scored windows
    are cached, so collapsing and paging reuse one search.
    """

    def __init__(self, searcher: tantivy.Searcher, segments: list[tuple[tantivy.Query, int]], by_score: bool) -> None:
        self.searcher = searcher
        self.segments = segments
        self.total = sum(count for _, count in segments)
        self.by_score = by_score
        self._fields: dict[tuple[int, int], dict[str, Any]] = {}
        self._windows: dict[int, _Window] = {}

    def with_total(self, total: int) -> _Ranking:
        """This relevance ranking, its windows kept, bounded by the match count once it is known."""
        ranking = _Ranking(self.searcher, [(query, total) for query, _ in self.segments], self.by_score)
        ranking._windows, ranking._fields = self._windows, self._fields
        return ranking

    @classmethod
    def by_year(
        cls, searcher: tantivy.Searcher, schema: tantivy.Schema, query: tantivy.Query, total: int, by_score: bool
    ) -> _Ranking:
        """Newest year first, one bucket per year; within a year by score, or by paragraph_id when browsing."""
        agg = searcher.aggregate(query, {"y": {"terms": {"field": "year", "size": _BUCKET_LIMIT}}})
        years = sorted(((int(b["key"]), b["doc_count"]) for b in agg["y"]["buckets"]), reverse=True)
        segments = [(_and(query, tantivy.Query.term_query(schema, "year", y)), n) for y, n in years]
        without_year = total - sum(n for _, n in years)
        if without_year > 0:
            no_year = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, tantivy.Query.exists_query("year"))]
            )
            segments.append((no_year, without_year))
        return cls(searcher, segments, by_score)

    def fields(self, address: tantivy.DocAddress) -> dict[str, Any]:
        """Stored fields of a hit (cached: tie-breaking and hit building both need them)."""
        key = (address.segment_ord, address.doc)
        if key not in self._fields:
            self._fields[key] = _decode_stored(self.searcher.doc(address).get_first("stored"))
        return self._fields[key]

    def slice(self, start: int, stop: int) -> list[tuple[float, tantivy.DocAddress]]:
        """(score, address) of the matches ranked ``start`` to ``stop - 1``."""
        out: list[tuple[float, tantivy.DocAddress]] = []
        offset = 0
        for index, (query, count) in enumerate(self.segments):
            lo, hi = max(start - offset, 0), min(stop - offset, count)
            if lo < hi:
                out += self._by_score(index, query, lo, hi) if self.by_score else self._by_id(query, lo, hi)
            offset += count
            if offset >= stop:
                break
        return out

    def _by_id(self, query: tantivy.Query, start: int, stop: int) -> list[tuple[float, tantivy.DocAddress]]:
        hits = self.searcher.search(
            query,
            limit=stop - start,
            offset=start,
            count=False,
            order_by_field="paragraph_id",
            order=tantivy.Order.Asc,
        ).hits
        return [(0.0, address) for _, address in hits]

    def _by_score(
        self, index: int, query: tantivy.Query, start: int, stop: int
    ) -> list[tuple[float, tantivy.DocAddress]]:
        window = self._windows.get(index)
        # A margin past ``stop`` lets a group of tied copies straddling it be settled in one search.
        limit = max(stop + max(stop // 4, 64), 2 * (window.limit if window else 0), _FIRST_WINDOW)
        while window is None or window.settled < stop:
            window = self._window(query, limit)
            if window.settled == len(window.hits):
                break
            limit *= 4
        self._windows[index] = window
        return window.ranks(start, stop, self._paragraph_id)

    def _paragraph_id(self, address: tantivy.DocAddress) -> str:
        return str(self.fields(address)["paragraph_id"])

    def _window(self, query: tantivy.Query, limit: int) -> _Window:
        """One scored search: the top ``limit`` matches with their id prefixes."""
        hits = self.searcher.search(query, limit=limit, count=False, weight_by_field="quality_weight").hits
        prefixes = self.searcher.fast_field_values("id_prefix", [address for _, address in hits])
        return _Window(limit, hits, prefixes)


# --------------------------------------------------------------------------- the engine


class EmbeddedEngine:
    """SearchEngine over a local tantivy index folder (see the module docstring for its layout)."""

    def __init__(self, index_dir: str | Path = DEFAULT_INDEX_DIR) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.RLock()
        self._live: _Generation | None = None
        self._current_stamp: tuple[int, int, int] | None = None
        self._building: _Generation | None = None
        self._helper_pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._helper_pid = 0
        self._swept = False  # stale generations are looked for at the first write

    # -- generations -------------------------------------------------------

    def _read_current(self) -> str | None:
        try:
            name = (self.index_dir / CURRENT_FILE).read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def _live_generation(self) -> _Generation | None:
        """The live generation, reopened if a rebuild elsewhere swapped it; None if no index."""
        with self._lock:
            stamp = _stamp(self.index_dir / CURRENT_FILE)
            if self._live is not None and stamp == self._current_stamp:
                return self._live
            name = self._read_current()
            if name is None:
                return None
            if self._live is None or self._live.name != name:
                generation = _Generation(self.index_dir / name)
                if self._live is not None:
                    self._live.release()
                self._live = generation
            self._current_stamp = stamp
            return self._live

    def _remove_stale_generations(self) -> None:
        """Delete generation folders left by a writer that died (a rebuild killed with -9), once per engine.

        A folder is stale when CURRENT does not name it and the process that
        created it (its name ends in that pid) is gone; a rebuild still running
        in another process keeps its folder, as does this process's own.
        """
        if self._swept:
            return
        self._swept = True
        live = self._read_current()
        for folder in self.index_dir.glob(f"{GENERATION_PREFIX}*"):
            if not folder.is_dir() or folder.name == live:
                continue
            pid = folder.name.rpartition("-")[2]
            if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)

    def _writing(self) -> _Generation:
        with self._lock:
            if self._building is not None:
                return self._building
            self._remove_stale_generations()
            generation = self._live_generation()
            if generation is None:
                # First ingest: start an empty generation and make it live at once,
                # so an interrupted first ingest can be resumed incrementally.
                generation = self._new_generation()
                generation.writer().commit()
                self._publish(generation.name)
                generation = self._live_generation()
                assert generation is not None
            return generation

    def _new_generation(self) -> _Generation:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        name = f"{GENERATION_PREFIX}{stamp}-{time.time_ns() % 1_000_000_000:09d}-{os.getpid()}"
        return _Generation(self.index_dir / name, create=True)

    def _publish(self, name: str) -> None:
        # write-then-rename is atomic: a reader sees the old name or the new one, never half a file.
        tmp = self.index_dir / f"{CURRENT_FILE}.tmp-{os.getpid()}"
        with open(tmp, "w") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.index_dir / CURRENT_FILE)

    def begin_rebuild(self) -> None:
        """Start an empty fresh generation; reads keep using the live one until finish_rebuild."""
        with self._lock:
            if self._building is not None:
                raise RuntimeError("a rebuild is already under way")
            self._remove_stale_generations()
            self._building = self._new_generation()

    def finish_rebuild(self) -> None:
        """Commit the fresh generation, point CURRENT at it, then delete older generations."""
        with self._lock:
            building = self._building
            if building is None:
                raise RuntimeError("no rebuild under way")
            building.writer()  # an empty rebuild still needs one commit to be a valid index
            building.commit()
            building.release()
            self._publish(building.name)
            self._building = None
            if self._live is not None:
                self._live.release()
            self._live, self._current_stamp = None, None
            for old in self.index_dir.glob(f"{GENERATION_PREFIX}*"):
                # Older names only: a rebuild another process started later is not ours to remove.
                if old.is_dir() and old.name < building.name:
                    shutil.rmtree(old, ignore_errors=True)

    def abort_rebuild(self) -> None:
        """Drop the fresh generation; the live one is untouched."""
        with self._lock:
            building, self._building = self._building, None
            if building is not None:
                try:
                    building.release(discard=True)
                finally:
                    # Even when releasing failed (a full disk), the half-built folder must go.
                    shutil.rmtree(building.path, ignore_errors=True)

    # -- writing -------------------------------------------------------------

    def replace_source(self, source_path: str, documents: Iterable[IndexDocument | Mapping[str, Any]]) -> None:
        """Drop the paragraphs of one source file and add these (visible after commit)."""
        with self._lock:
            writer = self._writing().writer()
            with _native_io_errors():
                writer.delete_documents_by_term("source_path", source_path)
            # Settled per source: whether a heading can be a hit depends on its whole article.
            for fields in stored.settle_headings(documents):
                if fields["source_path"] != source_path:
                    raise ValueError(f"{fields['paragraph_id']} belongs to {fields['source_path']}")
                # Adding may flush a full in-memory segment to disk.
                with _native_io_errors():
                    writer.add_document(self._to_tantivy(fields))

    @staticmethod
    def _to_tantivy(fields: Mapping[str, Any]) -> tantivy.Document:
        doc = tantivy.Document()
        for name in stored.KEYWORD_FIELDS:
            values = fields.get(name)
            for value in values if isinstance(values, list) else [values]:
                if value:
                    doc.add_text(name, value)
        if fields.get("topics"):
            doc.add_text("topic_set", _topic_set(fields["topics"]))
        for name in registry.integer_fields():
            if fields.get(name) is not None:
                doc.add_integer(name, int(fields[name]))
        doc.add_integer("position", int(fields["position"]))
        doc.add_unsigned("collapse_hash", _collapse_hash(fields["duplicate_key"]))
        doc.add_unsigned("id_prefix", _id_prefix(fields["paragraph_id"]))
        doc.add_float("quality_weight", _quality_weight(fields.get("quality") or 0.0))
        doc.add_integer("source_bucket", _source_bucket(fields["source_path"]))
        for name in stored.ANALYSED_FIELDS:
            doc.add_text(name, fields[name])
        shown = {k: v for k, v in fields.items() if k not in stored.ANALYSED_FIELDS}
        doc.add_bytes("stored", json.dumps(shown, ensure_ascii=False).encode())
        return doc

    def delete_source(self, source_path: str) -> None:
        """Drop every paragraph of one source file (visible after commit)."""
        with self._lock, _native_io_errors():
            self._writing().writer().delete_documents_by_term("source_path", source_path)

    def commit(self) -> None:
        """Make writes durable and visible (during a rebuild: durable, visible after finish)."""
        with self._lock:
            target = self._building or self._live_generation()
            if target is not None:
                target.commit()

    # -- reading -------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        """Match, filter, count facets, rank, collapse and highlight one page of results."""
        started = time.perf_counter()
        parsed = parse_query(request.query)
        # Unknown facets and empty selections are ignored, as the API may pass anything.
        chosen = {f: tuple(v) for f, v in request.filters.items() if f in FACETS and v}
        request = dataclasses.replace(request, filters=chosen)
        generation = self._live_generation()
        if generation is None:
            # Nothing indexed yet: an empty archive, not an outage (as in Elasticsearch).
            facets = {f: stored.facet_list(f, {}, request.filters.get(f, ()), request.facet_size) for f in FACETS}
            return SearchResult(0, 0.0, [], facets, max(1, request.page), request.page_size, parsed.positive_terms())
        searcher, schema = generation.searcher(), generation.schema
        filters = plan.filters_except(request.filters, request.year_from, request.year_to)
        expansion = NO_EXPANSION
        if not request.literal and not request.like_text:

            def literal_count(term: Term) -> int:
                counted = compile_node(plan.literal_count_query(term, filters), schema)
                return int(searcher.search(counted, limit=1, count=True).count)

            expansion = expand(parsed, literal_count)
        # The quality multiplier is applied by weight_by_field in _Ranking, not by the query.
        wanted = plan.search_plan(parsed, request.like_text, request.like_exclude, quality=False, expansion=expansion)
        text = wanted.node
        query = compile_node(plan.Bool(must=(text,), filter=tuple(filters)), schema)
        page, page_size = max(1, request.page), max(0, request.page_size)
        start = (page - 1) * page_size
        terms = wanted.terms
        browse = not wanted.ranked
        by_relevance = not browse and request.sort != "year"
        # Counting rides on the facet aggregation: it needs no scores, a scored count would.
        # tantivy releases the GIL, so the facets are counted on another core while
        # this thread runs the first scored search of a relevance ranking.
        counting = self._facets(searcher, schema, text, request)
        first = None
        if by_relevance and page_size:
            first = _Ranking(searcher, [(query, _UNKNOWN_TOTAL)], by_score=True)
            first.slice(0, min(start + page_size, _FIRST_WINDOW))
        facets, total = counting()

        hits: list[Hit] = []
        if page_size and start < total:
            if first is not None:
                ranking = first.with_total(total)
            else:
                ranking = _Ranking.by_year(searcher, schema, query, total, by_score=not browse)
            hits = self._page(searcher, schema, query, ranking, start, page_size, request.collapse, terms)
        return SearchResult(
            total=total,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=hits,
            facets=facets,
            page=page,
            page_size=page_size,
            terms=terms,
            expanded=wanted.expanded,
        )

    def _page(
        self,
        searcher: tantivy.Searcher,
        schema: tantivy.Schema,
        query: tantivy.Query,
        ranking: _Ranking,
        start: int,
        size: int,
        collapse: bool,
        terms: list[str],
    ) -> list[Hit]:
        if not collapse:
            ranked = ranking.slice(start, start + size)
            return [stored.make_hit(ranking.fields(a), terms, score) for score, a in ranked]
        # Walk the ranking from the top, keeping the best-ranked copy of each
        # duplicate key, until the page is full. One generous window usually
        # suffices: fetching more hits costs little next to scoring them all.
        wanted, window = start + size, 16 * (start + size)
        while True:
            ranked = ranking.slice(0, min(window, ranking.total))
            keys = searcher.fast_field_values("collapse_hash", [a for _, a in ranked])
            seen: set[int] = set()
            firsts = []
            for hit, key in zip(ranked, keys, strict=True):
                if key not in seen:
                    seen.add(key)
                    firsts.append(hit)
            if len(firsts) >= wanted or window >= ranking.total:
                break
            window *= 4
        chosen = [(score, ranking.fields(a)) for score, a in firsts[start:wanted]]
        copies = self._duplicate_counts(searcher, schema, query, [f["duplicate_key"] for _, f in chosen])
        return [
            stored.make_hit(fields, terms, score, duplicate_count=copies.get(fields["duplicate_key"], 1) - 1)
            for score, fields in chosen
        ]

    @staticmethod
    def _duplicate_counts(
        searcher: tantivy.Searcher, schema: tantivy.Schema, query: tantivy.Query, keys: list[str]
    ) -> dict[str, int]:
        """Matching paragraphs per duplicate key, for the keys on one page."""
        if not keys:
            return {}
        restricted = _and(query, tantivy.Query.term_set_query(schema, "duplicate_key", keys))
        agg = searcher.aggregate(restricted, {"k": {"terms": {"field": "duplicate_key", "size": len(keys)}}})
        return {b["key"]: b["doc_count"] for b in agg["k"]["buckets"]}

    def _facets(
        self, searcher: tantivy.Searcher, schema: tantivy.Schema, text: plan.Node, request: SearchRequest
    ) -> Callable[[], tuple[dict[str, list[FacetCount]], int]]:
        """Start counting the facets and the total on the helper threads; the result waits for them.

        Disjunctive counts: each selected facet is counted without its own
        selection, so it needs an aggregation of its own; the others share the
        full query, split in ``_FACET_SPLIT`` aggregations so that no single
        one outlasts the ranking. All of them run at once. Every facet is counted in full except ``source``: an archive has
        tens of thousands of files, and listing them all costs more than the
        rest of the search. Its top values are gathered per index segment (as
        Elasticsearch does per shard), which is exact while a segment's
        matching files fit in ``_SOURCE_SEGMENT_SIZE``.
        """
        selected = set(request.filters)
        years = registry.year_facet()
        if years is not None and (request.year_from is not None or request.year_to is not None):
            selected.add(years.name)
        unselected = [f for f in FACETS if f not in selected]
        # The first share also counts the matches (see _facet_counts), so it is never empty.
        shares = _balanced_shares(unselected, _FACET_SPLIT)
        jobs = [(share, None, i == 0) for i, share in enumerate(shares)] + [([f], f, False) for f in sorted(selected)]
        pool = self._helper()
        pending = [pool.submit(self._facet_counts, searcher, schema, text, request, *job) for job in jobs]

        def wait_for_facets() -> tuple[dict[str, list[FacetCount]], int]:
            by_facet: dict[str, dict[str, int]] = {}
            total = 0
            for job in pending:
                counts, matches = job.result()
                by_facet.update(counts)
                total = matches if matches is not None else total
            facets = {
                f: stored.facet_list(f, by_facet[f], request.filters.get(f, ()), request.facet_size) for f in FACETS
            }
            return facets, total

        return wait_for_facets

    @staticmethod
    def _facet_counts(
        searcher: tantivy.Searcher,
        schema: tantivy.Schema,
        text: plan.Node,
        request: SearchRequest,
        facets: list[str],
        skip: str | None,
        count_matches: bool,
    ) -> tuple[dict[str, dict[str, int]], int | None]:
        """value → count per facet under every selection but ``skip``'s, and the match count if asked."""
        nodes = plan.filters_except(request.filters, request.year_from, request.year_to, skip=skip)
        query = compile_node(plan.Bool(must=(text,), filter=tuple(nodes)), schema)
        aggs: dict[str, Any] = {}
        for facet in facets:
            aggs.update(_facet_aggregations(facet, request))
        if count_matches:
            aggs[_TOTAL] = {"value_count": {"field": "position"}}
        result = searcher.aggregate(query, aggs)
        found = {
            facet: {
                str(b["key"]): b["doc_count"]
                for name in (facet, facet + _SELECTED)
                for b in result.get(name, {}).get("buckets", ())
            }
            for facet in facets
        }
        if "topic" in found:
            found["topic"] = _topic_counts(found["topic"])
        return found, int(result[_TOTAL]["value"]) if count_matches else None

    def _all(self, field: str, value: str, order_field: str) -> list[IndexDocument]:
        """Every paragraph whose keyword ``field`` is ``value``, ordered by ``order_field``."""
        generation = self._live_generation()
        if generation is None or not value:
            return []
        searcher = generation.searcher()
        condition = tantivy.Query.term_query(generation.schema, field, value)
        count = searcher.search(condition, limit=1, count=True).count
        if not count:
            return []
        hits = searcher.search(condition, limit=count, order_by_field=order_field, order=tantivy.Order.Asc).hits
        return [stored.document_from_fields(_decode_stored(searcher.doc(a).get_first("stored"))) for _, a in hits]

    def article(self, article_id: str) -> list[IndexDocument]:
        """All paragraphs of one article by position (empty if unknown)."""
        return self._all("article_id", article_id, "position")

    def copies(self, duplicate_key: str) -> list[IndexDocument]:
        """Every paragraph with this duplicate key, by paragraph_id."""
        return self._all("duplicate_key", duplicate_key, "paragraph_id")

    def sources(self) -> dict[str, str]:
        """Indexed source files, path → sha256 ("" if its paragraphs disagree); {} before the first ingest."""
        generation = self._live_generation()
        if generation is None:
            return {}
        searcher, schema = generation.searcher(), generation.schema
        agg = {
            "p": {
                "terms": {"field": "source_path", "size": _BUCKET_LIMIT // 3},
                "aggs": {"s": {"terms": {"field": "source_sha256", "size": 2}}},
            }
        }
        parts = [searcher.aggregate(tantivy.Query.all_query(), agg)]
        if parts[0]["p"]["sum_other_doc_count"]:
            # More files than one aggregation may return: list them partition by partition.
            parts = [
                searcher.aggregate(tantivy.Query.term_query(schema, "source_bucket", bucket), agg)
                for bucket in range(_SOURCE_PARTITIONS)
            ]
        out: dict[str, str] = {}
        for part in parts:
            for bucket in part["p"]["buckets"]:
                shas = [b["key"] for b in bucket["s"]["buckets"]]
                # Two hashes for one path mean a half-applied update: "" forces a re-ingest.
                out[bucket["key"]] = shas[0] if len(shas) == 1 else ""
        return out

    def stats(self) -> dict[str, Any]:
        """Documents, articles, bytes on disk and where the live generation is (zeros before any ingest)."""
        out: dict[str, Any] = {
            "backend": "embedded",
            "path": str(self.index_dir),
            "documents": 0,
            "articles": 0,
            "size_bytes": 0,
            "generation": None,
            "rebuilding": self._building.name if self._building else None,
            **engine_version(),
        }
        generation = self._live_generation()
        if generation is None:
            return out
        searcher = generation.searcher()
        everything = tantivy.Query.all_query()
        agg = searcher.aggregate(everything, {"a": {"terms": {"field": "article_id", "size": _BUCKET_LIMIT}}})
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

    def _helper(self) -> concurrent.futures.ThreadPoolExecutor:
        """Threads that count facets beside the ranking.

        Started on first use and restarted in a forked child (a gunicorn
        worker), whose copy of the pool has no threads behind it.
        """
        with self._lock:
            if self._helper_pool is None or self._helper_pid != os.getpid():
                workers = os.cpu_count() or 1
                self._helper_pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="facets")
                self._helper_pid = os.getpid()
            return self._helper_pool

    def close(self) -> None:
        """Release the writer lock and index files; an unfinished rebuild is discarded."""
        with self._lock:
            if self._helper_pool is not None and self._helper_pid == os.getpid():
                self._helper_pool.shutdown()
            self._helper_pool = None
            self.abort_rebuild()
            if self._live is not None:
                self._live.release()
            self._live, self._current_stamp = None, None
