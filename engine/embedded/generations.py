"""The index folder: complete index generations, and the atomic swap from one to the next.

Folder layout (``--index DIR``, default ./data/index)::

    DIR/CURRENT              one line: the name of the live generation
    DIR/gen-<time>-<pid>/    a complete tantivy index + ENGINE_VERSION.json
                             + TOPICS.json (the topic of each topic_mask bit)

A rebuild writes a new generation beside the live one and replaces CURRENT
atomically (write a temporary file, then rename) only when it has finished,
so a failed or interrupted rebuild leaves the old index serving. Readers
check CURRENT and the generation's meta.json before each request (two
``stat`` calls) and reload when either changed, so a portal process sees the
ingest process's commits and swaps without a restart, and lets go of the old
generation's files at once (no reference cycle holds a searcher). The folder
of a rebuild that was killed is removed by the next writer to start.

Topic names are open (any the indexer's taxonomy has), so each generation
numbers its own in TOPICS.json (``TopicBits``): a new name gets the next bit,
and the file is replaced, atomically, before the commit that makes documents
using that bit visible. Bits are never renumbered within a generation, so a
reader whose names are older than its searcher only lacks some: it reads the
file again when a count has a bit it does not know.

Pairs with engine/elastic/indices.py: concrete indices behind an alias, and
the alias swap.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import tantivy

from engine.contract import EngineUnavailable, IncompatibleIndex
from engine.embedded.schema import TOPIC_BITS, WHITESPACE, build_schema, engine_version, whitespace_analyzer

VERSION_FILE = "ENGINE_VERSION.json"
TOPICS_FILE = "TOPICS.json"
CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
DEFAULT_INDEX_DIR = Path("data/index")
REBUILD_HINT = "python -m indexer ingest --rebuild PATH…"

#: Writer memory is bounded: tantivy flushes a segment when the heap fills.
WRITER_HEAP_BYTES = 128_000_000
#: One indexing thread: the ingest workers already keep every core busy, and a
#: second thread halves the size of each flushed segment, so there are twice as
#: many segments to merge and the main process spends more CPU than it saves.
WRITER_THREADS = 1
#: Stored documents are compressed (lz4) in blocks of this size. tantivy's
#: default, 16 KiB, leaves Chinese text at ~1.1x its size; 256 KiB blocks
#: bring it to ~0.85x and cost ~30 µs per stored document loaded.
DOCSTORE_BLOCK_BYTES = 262_144
#: A searcher is replaced after this many uses. tantivy gives every searcher, per index segment,
#: a cache of 100 decompressed doc-store blocks (DOCSTORE_BLOCK_BYTES each: 25 MiB a segment,
#: ~175 MiB per process at one million paragraphs), which tantivy-py gives no way to size;
#: in a large archive searches share few blocks, so the cache saves less than the ~1 ms a reload costs.
SEARCHER_USES = 4
#: ...unless the whole doc store, decompressed, fits in this many bytes: then the searcher is kept
#: and every stored document is read from memory after its first use (at 100k paragraphs: 15 MiB
#: of doc store, +15 MiB per process, 0.82x the CPU of a search; bench/RESULTS.md, issue 17).
DOCSTORE_CACHE_BUDGET = 48 * 2**20
#: Decompressed bytes per doc-store byte on disk, rounded up (measured ~1.0 for GB18030 values in lz4).
DECOMPRESSED_PER_STORED = 1.5

_OS_ERROR = re.compile(r"os error (\d+)")


@contextlib.contextmanager
def native_io_errors() -> Iterator[None]:
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


class TooManyTopics(EngineUnavailable):
    """A generation would need more than TOPIC_BITS topic names (a bit each in its ``topic_mask`` column)."""


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` durably: readers see the old file or the new one, never a part."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    # The rename itself must reach the disk before tantivy's commit does.
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class TopicBits:
    """The topic name of each ``topic_mask`` bit in one generation, kept in its TOPICS.json.

    Bit i is ``names[i]``. The writer (which holds the engine lock and the
    folder's tantivy lock) gives a name it has not seen the next bit; such
    names stay pending until ``save``, which the commit calls first. Readers
    load the file when the generation is opened and again whenever a count
    holds a bit they do not know. A lock keeps a reader's reload from
    dropping the pending names of a writer in the same process.
    """

    def __init__(self, folder: Path) -> None:
        self._file = folder / TOPICS_FILE
        self._names: tuple[str, ...] = ()
        self._bit: dict[str, int] = {}
        self._saved = 0  # names[:saved] are in the file
        self._loaded = False
        self._lock = threading.Lock()

    def _read(self) -> None:
        """Take the names from the file (none if it does not exist: no paragraph with topics yet)."""
        try:
            names = tuple(json.loads(self._file.read_text(encoding="utf-8"))["names"])
        except FileNotFoundError:
            names = ()
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineUnavailable(f"cannot read {self._file}: {exc}; rebuild the index with: {REBUILD_HINT}") from exc
        self._names, self._saved, self._loaded = names, len(names), True
        self._bit = {name: bit for bit, name in enumerate(names)}

    def reload(self) -> None:
        """Read the file again, unless this process has names waiting for its own commit (only it writes then)."""
        with self._lock:
            if self._saved == len(self._names):
                self._read()

    def mask(self, topics: Iterable[str]) -> int:
        """``topics`` as ``topic_mask`` bits, new names getting the next bits (pending until ``save``)."""
        mask = 0
        for topic in topics:
            bit = self._bit.get(topic)
            if bit is None:
                bit = self._assign(topic)
            mask |= 1 << bit
        return mask

    def _assign(self, topic: str) -> int:
        with self._lock:
            if not self._loaded:
                self._read()
            if topic in self._bit:
                return self._bit[topic]
            if len(self._names) >= TOPIC_BITS:
                raise TooManyTopics(
                    f"the embedded index counts at most {TOPIC_BITS} distinct topics (one bit each in its "
                    f"topic_mask column); {self._file.parent} already has {TOPIC_BITS}, so the topic {topic!r} "
                    f"cannot be added. Use fewer topic names, or the Elasticsearch backend."
                )
            self._bit[topic] = len(self._names)
            self._names += (topic,)
            return self._bit[topic]

    def save(self) -> None:
        """Write the pending names to the file (before the commit that makes their documents visible)."""
        with self._lock:
            if self._saved == len(self._names):
                return
            text = json.dumps({"names": list(self._names)}, ensure_ascii=False, indent=1) + "\n"
            _write_atomically(self._file, text)
            self._saved = len(self._names)

    def drop_pending(self) -> None:
        """Forget names never saved: the documents that used them were discarded with the writer."""
        with self._lock:
            for name in self._names[self._saved :]:
                del self._bit[name]
            self._names = self._names[: self._saved]

    def names_for(self, bits: int) -> Sequence[str]:
        """The topic names by bit, covering every bit set in ``bits``; the file is read again if some are new.

        A searcher can be newer than the names (tantivy reloads on its own after a
        commit); the file was written before that commit, so one reload is enough.
        """
        names = self._names
        if not self._loaded or bits >> len(names):
            self.reload()
            names = self._names
            if bits >> len(names):
                raise EngineUnavailable(
                    f"{self._file} names {len(names)} topics, but the index uses topic bit {bits.bit_length() - 1}; "
                    f"rebuild the index with: {REBUILD_HINT}"
                )
        return names


class Generation:
    """One complete tantivy index folder, with its writer opened on first write."""

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = path
        self.name = path.name
        schema = build_schema()
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
        self.index.register_tokenizer(WHITESPACE, whitespace_analyzer())
        self.schema = self.index.schema
        self.topics = TopicBits(path)
        # Read now, while the folder surely exists: a rebuild may remove it while this process still reads it.
        self.topics.reload()
        self._writer: tantivy.IndexWriter | None = None
        self._meta_stamp = _stamp(path / "meta.json")
        self._uses = 0
        self._store_cached_whole = self._store_fits_cache()

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
        """A searcher on the latest commit, whichever process made it; a fresh one every SEARCHER_USES calls.

        The same one is kept when the whole doc store fits DOCSTORE_CACHE_BUDGET (``_store_fits_cache``).
        """
        stamp = _stamp(self.path / "meta.json")
        # No meta.json: a rebuild just replaced and removed this generation;
        # keep answering from the files already open until the caller switches.
        if stamp is not None and stamp != self._meta_stamp:
            self.index.reload()
            self._meta_stamp = stamp
            self._uses = 0
            self._store_cached_whole = self._store_fits_cache()
        elif stamp is not None and self._uses >= SEARCHER_USES and not self._store_cached_whole:
            # Only to let go of the doc-store caches: if the folder vanished meanwhile, keep the one we have.
            with contextlib.suppress(ValueError, OSError):
                self.index.reload()
            self._uses = 0
        self._uses += 1
        return self.index.searcher()

    def _store_fits_cache(self) -> bool:
        """Whether the doc store, decompressed, fits DOCSTORE_CACHE_BUDGET (a small archive keeps its searcher)."""
        try:
            stored = sum(f.stat().st_size for f in self.path.glob("*.store"))
        except OSError:  # a rebuild removed the folder meanwhile: keep replacing searchers
            return False
        return stored * DECOMPRESSED_PER_STORED <= DOCSTORE_CACHE_BUDGET

    def writer(self) -> tantivy.IndexWriter:
        """The single writer of this folder (tantivy locks it against other processes)."""
        if self._writer is None:
            try:
                with native_io_errors():
                    self._writer = self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=WRITER_THREADS)
            except ValueError as exc:
                raise EngineUnavailable(
                    f"the index at {self.path.parent} is being written by another process: {exc}"
                ) from exc
            # Holding the folder's lock now: the file may have gained names from the previous writer.
            self.topics.reload()
        return self._writer

    def commit(self) -> None:
        """Make this process's writes durable and visible to its own searchers."""
        if self._writer is not None:
            # Names first: a reader must never see a document whose topic bit the file lacks.
            self.topics.save()
            with native_io_errors():
                self._writer.commit()
            self.index.reload()
            self._meta_stamp = _stamp(self.path / "meta.json")

    def release(self, discard: bool = False) -> None:
        """Close the writer (dropping uncommitted writes when ``discard``), freeing the lock."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        # Uncommitted documents are gone with the writer, committed or discarded; so are the names only they used.
        self.topics.drop_pending()
        with native_io_errors():
            if discard:
                writer.rollback()
            # Consumes the writer: waits for merges, then releases the folder lock.
            writer.wait_merging_threads()

    def size_bytes(self) -> int:
        """Bytes on disk of this generation."""
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())


class Generations:
    """The generations of one index folder: the live one readers use, and a rebuild under way."""

    def __init__(self, index_dir: Path, lock: threading.RLock) -> None:
        self.index_dir = index_dir
        self._lock = lock
        self._live: Generation | None = None
        self._current_stamp: tuple[int, int, int] | None = None
        self.building: Generation | None = None
        self._swept = False  # stale generations are looked for at the first write

    def _read_current(self) -> str | None:
        try:
            name = (self.index_dir / CURRENT_FILE).read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def live(self) -> Generation | None:
        """The live generation, reopened if a rebuild elsewhere swapped it; None if no index."""
        with self._lock:
            stamp = _stamp(self.index_dir / CURRENT_FILE)
            if self._live is not None and stamp == self._current_stamp:
                return self._live
            name = self._read_current()
            if name is None:
                return None
            if self._live is None or self._live.name != name:
                generation = Generation(self.index_dir / name)
                if self._live is not None:
                    self._live.release()
                self._live = generation
            self._current_stamp = stamp
            return self._live

    def _remove_stale(self) -> None:
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

    def writing(self) -> Generation:
        """Where writes go: the rebuild under way, else the live generation (created on the first write)."""
        with self._lock:
            if self.building is not None:
                return self.building
            self._remove_stale()
            generation = self.live()
            if generation is None:
                # First ingest: start an empty generation and make it live at once,
                # so an interrupted first ingest can be resumed incrementally.
                generation = self._new()
                generation.writer().commit()
                self._publish(generation.name)
                generation = self.live()
                assert generation is not None
            return generation

    def _new(self) -> Generation:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        name = f"{GENERATION_PREFIX}{stamp}-{time.time_ns() % 1_000_000_000:09d}-{os.getpid()}"
        return Generation(self.index_dir / name, create=True)

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
            if self.building is not None:
                raise RuntimeError("a rebuild is already under way")
            self._remove_stale()
            self.building = self._new()

    def finish_rebuild(self) -> None:
        """Commit the fresh generation, point CURRENT at it, then delete older generations."""
        with self._lock:
            building = self.building
            if building is None:
                raise RuntimeError("no rebuild under way")
            building.writer()  # an empty rebuild still needs one commit to be a valid index
            building.commit()
            building.release()
            self._publish(building.name)
            self.building = None
            self._forget_live()
            for old in self.index_dir.glob(f"{GENERATION_PREFIX}*"):
                # Older names only: a rebuild another process started later is not ours to remove.
                if old.is_dir() and old.name < building.name:
                    shutil.rmtree(old, ignore_errors=True)

    def abort_rebuild(self) -> None:
        """Drop the fresh generation; the live one is untouched."""
        with self._lock:
            building, self.building = self.building, None
            if building is not None:
                try:
                    building.release(discard=True)
                finally:
                    # Even when releasing failed (a full disk), the half-built folder must go.
                    shutil.rmtree(building.path, ignore_errors=True)

    def _forget_live(self) -> None:
        if self._live is not None:
            self._live.release()
        self._live, self._current_stamp = None, None

    def close(self) -> None:
        """Discard an unfinished rebuild and release the live generation's writer and files."""
        with self._lock:
            self.abort_rebuild()
            self._forget_live()
