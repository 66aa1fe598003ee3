"""``python -m indexer ingest``: parse files and load them into the configured engine.

Incremental: a file whose sha256 the engine already holds is skipped, a
changed file replaces its paragraphs, ``--prune`` drops files that are gone,
``--rebuild`` writes a fresh index and swaps it in only when complete,
``--force`` re-reads unchanged files too (after a metadata.csv edit).
Parsing runs here while jieba segments earlier files on the other cores.

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
import itertools
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from tqdm import tqdm

from engine import open_engine
from engine.contract import EngineUnavailable, IncompatibleIndex, IndexDocument, SearchEngine
from engine.documents import analyze_documents
from indexer.loading import index_documents
from indexer.pipeline import discover, display_path, parse_file
from indexer.reading import UnreadableFile
from indexer.report import RunReport

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


class _Loader:
    """Walks the files, parses the changed ones and feeds their paragraphs to the engine."""

    def __init__(self, engine: SearchEngine, known: dict[str, str], report: RunReport, bar: tqdm) -> None:
        self.engine = engine
        self.known = known
        self.report = report
        self.bar = bar
        self.seen: set[str] = set()

    def documents(self, files: list[tuple[Path, Path]]) -> Iterator[IndexDocument]:
        """Paragraphs of every new or changed file, in file order."""
        for path, root in files:
            self._show(path.name)
            shown = display_path(path)
            self.seen.add(shown)
            try:
                if self.known.get(shown) == file_sha256(path):
                    self.report.files_unchanged += 1
                    continue
                parsed = parse_file(path, root)
            except UnreadableFile as exc:
                self.report.skipped.append((shown, exc.reason))
            except OSError as exc:
                self.report.skipped.append((shown, f"cannot read: {exc.strerror or exc}"))
            else:
                self.report.files_read += 1
                self.report.bytes_read += parsed.source.size
                self.report.add_articles(parsed.articles)
                yield from index_documents(parsed)
            finally:
                self.bar.update()

    def load(self, files: list[tuple[Path, Path]], workers: int | None) -> None:
        """Segment on ``workers`` processes and replace each changed source in the engine."""
        interval = commit_every()
        since_commit = 0
        analyzed = analyze_documents(self.documents(files), workers)
        for source_path, group in itertools.groupby(analyzed, key=lambda fields: fields["source_path"]):
            fields = list(group)
            self.engine.replace_source(source_path, fields)
            self.report.paragraphs += len(fields)
            since_commit += len(fields)
            if since_commit >= interval:
                self.engine.commit()
                since_commit = 0
            self._show(Path(source_path).name)

    def _show(self, current: str) -> None:
        # tqdm gives files/s and the ETA; paragraphs/s is what segmentation costs.
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
    indexed = {} if rebuild else engine.sources()
    known = {} if force else indexed
    if rebuild:
        engine.begin_rebuild()
    try:
        with tqdm(total=len(files), unit="file", file=sys.stderr, disable=None, dynamic_ncols=True) as bar:
            loader = _Loader(engine, known, report, bar)
            loader.load(list(files), workers)
        if prune and not rebuild:
            for gone in sorted(set(indexed) - loader.seen):
                engine.delete_source(gone)
                report.files_removed += 1
        if rebuild:
            engine.finish_rebuild()
        else:
            engine.commit()
    except BaseException:
        if rebuild:
            engine.abort_rebuild()
        raise
    return report


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
        print(f"无法打开索引：{exc}", file=sys.stderr)
        return 2
    try:
        report = _ingest(engine, paths, prune, rebuild, workers, force)
    except IncompatibleIndex as exc:
        print(f"索引版本不兼容：{exc}", file=sys.stderr)
        return 2
    except EngineUnavailable as exc:
        print(f"检索引擎不可用：{exc}", file=sys.stderr)
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
