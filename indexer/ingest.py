"""``python -m indexer ingest``: parse files and load them into the configured engine.

Incremental: a file whose sha256 the engine already holds is skipped, a
changed file replaces its paragraphs, ``--prune`` drops files that are gone,
``--rebuild`` writes a fresh index and swaps it in only when complete,
``--force`` re-reads unchanged files too (after a metadata.csv edit). Each
file is read from disk and hashed once: the bytes hashed to see whether it
changed are the bytes parsed.
Whole files are parsed and segmented on worker processes (one per core);
this process only writes to the engine.

Faults: the engine commits every ``COMMIT_EVERY`` paragraphs, always between
two whole source files, so a run killed at any point leaves an index at its
last commit with no half-written file, and the rerun picks up the rest
(unchanged files are skipped by sha256, the others replaced, never doubled).
A full disk or another I/O failure ends the run with one clear line and exit
code 2, never a traceback. The portal ingests through ``ingest_files`` — the
same code with the same guarantees.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import sys
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path

from tqdm import tqdm

from engine import analysis, open_engine, rebuilding
from engine.contract import EngineUnavailable, IncompatibleIndex, IndexDocument, SearchEngine
from indexer.enrichment.writer import word_tags
from indexer.loading import analysed_documents
from indexer.model import Article
from indexer.pipeline import discover, display_path, parse_file
from indexer.reading import UnreadableFile, office, source_bytes
from indexer.report import RunReport, engine_failure
from indexer.splitting.long_paragraphs import logical_paragraph_id

#: Paragraphs between commits: what a crash can cost, and what a reader waits to see.
COMMIT_EVERY = 20_000
#: Environment override of COMMIT_EVERY (the crash tests commit every few paragraphs).
COMMIT_EVERY_ENV = "INDEXER_COMMIT_EVERY"


def commit_every() -> int:
    """Paragraphs between commits: ``$INDEXER_COMMIT_EVERY`` when it is a positive integer, else COMMIT_EVERY."""
    raw = os.environ.get(COMMIT_EVERY_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return COMMIT_EVERY


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class PreparedFile:
    """One file parsed and analysed on a worker, ready for the engine (or the reason it is not)."""

    shown: str
    size: int = 0
    articles: list[Article] = field(default_factory=list)
    fields: list[IndexDocument] = field(default_factory=list)
    skipped: str | None = None
    #: The bytes hash to the sha256 the engine holds: nothing to write.
    unchanged: bool = False


#: One file for a worker: its path, the archive root it was found under, its display path
#: (the engine's key) and the sha256 the engine holds for it (None: not indexed, or re-read by force).
Task = tuple[Path, Path, str, str | None]


def prepare_file(task: Task) -> PreparedFile:
    """Read, parse, enrich and segment one file: everything but writing (runs on a worker).

    The file is read and hashed once, here: bytes that hash to the sha256 the
    engine holds make it unchanged, any others are the bytes parsed.
    """
    path, root, shown, known = task
    try:
        data = source_bytes(path)
        digest = hashlib.sha256(data).hexdigest()
        if digest == known:
            return PreparedFile(shown, unchanged=True)
        parsed = parse_file(path, root, data=data, sha256=digest, shown=shown)
    except UnreadableFile as exc:
        return PreparedFile(shown, skipped=exc.reason)
    except OSError as exc:
        return PreparedFile(shown, skipped=f"cannot read: {exc.strerror or exc}")
    fields = analysed_documents(parsed)
    return PreparedFile(shown, parsed.source.size, parsed.articles, fields)


def warm_up() -> None:
    """Load the dictionaries a parse needs (jieba's words and word tags, the fold table) now.

    Called in the ingest's process before its workers fork, so they share one
    copy instead of each loading its own before its first file.
    """
    analysis.warm_up()
    word_tags()


def prepared_files(tasks: Sequence[Task], workers: int) -> Iterator[PreparedFile]:
    """``prepare_file`` over ``tasks`` in order, on ``workers`` processes.

    Whole files go to the workers: parsing costs more than segmentation, so
    both must run on every core. At most a few files per worker are in
    flight, so memory stays flat however large the archive is.
    """
    if workers <= 1 or len(tasks) < 2:
        yield from map(prepare_file, tasks)
        return
    # "fork": workers only parse and segment; they touch no engine, thread or socket.
    # shared_session: the workers convert .doc/.wps/.rtf in one LibreOffice, not one each. Unchanged
    # files are tasks too (found unchanged on the worker), so an incremental run with such files
    # starts the session's bridge (~0.1 s); LibreOffice itself starts at the first conversion.
    warm_up()  # before the fork: the workers share the dictionaries copy-on-write
    with (
        office.shared_session(task[0] for task in tasks),
        multiprocessing.get_context("fork").Pool(workers) as pool,
    ):
        pending: deque[AsyncResult[PreparedFile]] = deque()
        for task in tasks:
            pending.append(pool.apply_async(prepare_file, (task,)))
            if len(pending) >= workers * 4:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class _Loader:
    """Has files prepared on workers (unchanged ones found there) and writes the changed ones to the engine."""

    def __init__(self, engine: SearchEngine, known: dict[str, str], report: RunReport, bar: tqdm) -> None:
        self.engine = engine
        self.known = known
        self.report = report
        self.bar = bar
        self.seen: set[str] = set()

    def _tasks(self, files: list[tuple[Path, Path]]) -> list[Task]:
        """One task per file, with its display path and the sha256 the engine holds for it."""
        tasks: list[Task] = []
        for path, root in files:
            shown = display_path(path)  # once per file: the engine's key, the report's name, the prune list
            self.seen.add(shown)
            # Compared on the worker, which reads and hashes the file anyway.
            tasks.append((path, root, shown, self.known.get(shown)))
        return tasks

    def load(self, files: list[tuple[Path, Path]], workers: int | None) -> None:
        """Prepare files on ``workers`` processes and replace each changed one in the engine."""
        interval = commit_every()
        since_commit = 0
        for prepared in prepared_files(self._tasks(files), workers or os.cpu_count() or 1):
            self.bar.update()
            if prepared.unchanged:
                self.report.files_unchanged += 1
                continue
            if prepared.skipped is not None:
                self.report.skipped.append((prepared.shown, prepared.skipped))
                continue
            self.engine.replace_source(prepared.shown, prepared.fields)
            self.report.files_read += 1
            self.report.bytes_read += prepared.size
            self.report.add_articles(prepared.articles)
            self.report.paragraphs += len(prepared.fields)
            self._count_parts(prepared.fields)
            since_commit += len(prepared.fields)
            if since_commit >= interval:
                self.engine.commit()
                since_commit = 0
            self._show(Path(prepared.shown).name)

    def _count_parts(self, fields: list[IndexDocument]) -> None:
        """Tell the report about over-long paragraphs that were split into parts."""
        groups = Counter(logical_paragraph_id(f.paragraph_id) for f in fields)
        split = [count for count in groups.values() if count > 1]
        self.report.long_paragraphs += len(split)
        self.report.long_paragraph_parts += sum(split)

    def _show(self, current: str) -> None:
        # tqdm gives files/s and the ETA; paragraphs/s is what the whole pipeline achieves.
        rate = self.report.paragraphs / max(self.report.elapsed, 1e-9)
        self.bar.set_postfix_str(f"{self.report.paragraphs} 段, {rate:.0f} 段/s, {current[-20:]}", refresh=False)


def ingest_files(
    engine: SearchEngine,
    files: Sequence[tuple[Path, Path]],
    *,
    prune: bool = False,
    rebuild: bool = False,
    force: bool = False,
    workers: int | None = None,
) -> RunReport:
    """Load ``files`` (each with the archive root it was found under) into ``engine`` and commit.

    ``force`` re-reads files whose sha256 the engine already holds (a sidecar
    edit changes no file's bytes). ``prune`` drops indexed sources that are not
    among ``files``. ``rebuild`` writes a fresh index, swapped in only if the
    whole run succeeds; on any error the old one keeps serving. Errors propagate.
    """
    report = RunReport()
    if rebuild:
        # A fresh index beside the live one, swapped in only if the block succeeds (engine.rebuilding).
        with rebuilding(engine):
            _load(engine, {}, report, files, workers)
        return report
    indexed = engine.sources()
    loader = _load(engine, {} if force else indexed, report, files, workers)
    if prune:
        for gone in sorted(set(indexed) - loader.seen):
            engine.delete_source(gone)
            report.files_removed += 1
    engine.commit()
    return report


def _load(
    engine: SearchEngine,
    known: dict[str, str],
    report: RunReport,
    files: Sequence[tuple[Path, Path]],
    workers: int | None,
) -> _Loader:
    """Load ``files`` with a progress bar on standard error; returns the loader (it knows what it saw)."""
    with tqdm(total=len(files), unit="file", file=sys.stderr, disable=None, dynamic_ncols=True) as bar:
        loader = _Loader(engine, known, report, bar)
        loader.load(list(files), workers)
    return loader


def _ingest(
    engine: SearchEngine, paths: Sequence[str], prune: bool, rebuild: bool, workers: int | None, force: bool = False
) -> RunReport:
    return ingest_files(engine, list(discover(paths)), prune=prune, rebuild=rebuild, force=force, workers=workers)


def io_failure_message(exc: OSError) -> str:
    """One line for a person about a failed write or read (full disk, permissions, I/O error)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "磁盘已满：索引写入中止，已提交的部分保持可用。请释放空间后重新运行。"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        where = f"（{exc.filename}）" if exc.filename else ""
        return f"没有写入权限{where}：索引写入中止，已提交的部分保持可用。请检查索引目录的权限。"
    return f"读写出错（{exc.strerror or exc}）：索引写入中止，已提交的部分保持可用。"


def run_ingest(
    paths: Sequence[str],
    index_dir: str | None = None,
    prune: bool = False,
    rebuild: bool = False,
    workers: int | None = None,
    force: bool = False,
) -> int:
    """Run an ingest and print its report; returns the exit code (0 ok, 1 nothing read, 2 engine or disk error)."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"找不到：{'、'.join(missing)}", file=sys.stderr)
        return 2
    try:
        engine = open_engine(index_dir)
    except (IncompatibleIndex, EngineUnavailable) as exc:
        print(engine_failure(exc), file=sys.stderr)
        return 2
    try:
        report = _ingest(engine, paths, prune, rebuild, workers, force)
    except (IncompatibleIndex, EngineUnavailable) as exc:
        print(engine_failure(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(io_failure_message(exc), file=sys.stderr)
        return 2
    finally:
        _close_quietly(engine)
    print(report.render(), file=sys.stderr)
    return 0 if report.files_read or report.files_unchanged or not report.skipped else 1


def _close_quietly(engine: SearchEngine) -> None:
    """Close the engine; after a failed write (full disk) closing may fail too, and must not hide why."""
    try:
        engine.close()
    except (OSError, EngineUnavailable) as exc:
        print(f"关闭索引时出错（已忽略）：{exc}", file=sys.stderr)
