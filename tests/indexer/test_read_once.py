"""An ingest reads each file from disk once and hashes its bytes once, whatever it finds.

A changed file used to be read and hashed to see that it changed, then read and
hashed again to be parsed; on an archive of large scanned PDFs that doubled the
disk traffic of every re-ingest. The counts here are taken around the real
``open`` and ``hashlib.sha256``, so they hold whichever function does the work.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.contract import SearchRequest
from engine.embedded import EmbeddedEngine
from indexer.ingest import ingest_files
from indexer.pipeline import discover, parse_file

SUMMARY = "东山镇工会{word}工作总结\n\n一、主要做法\n\n全年走访困难职工一百二十户，开展{word}活动十二次。\n"


@dataclass
class Counts:
    """How often one file was opened and how often a hash of its current bytes was computed."""

    target: Path
    digest: str
    reads: int = 0
    hashes: int = 0


def _count(monkeypatch: pytest.MonkeyPatch, target: Path) -> Counts:
    """Count opens of ``target`` and sha256 digests equal to its bytes' from here on."""
    counts = Counts(target.resolve(), hashlib.sha256(target.read_bytes()).hexdigest())
    real_open, real_sha256 = builtins.open, hashlib.sha256

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and Path(os.fspath(file)).resolve() == counts.target:
            counts.reads += 1
        return real_open(file, *args, **kwargs)

    class CountingHash:
        def __init__(self, data: bytes = b"", **kwargs: Any) -> None:
            self._hash = real_sha256(data, **kwargs)

        def update(self, data: bytes) -> None:
            self._hash.update(data)

        def hexdigest(self) -> str:
            digest = self._hash.hexdigest()
            counts.hashes += digest == counts.digest
            return digest

        def digest(self) -> bytes:
            counts.hashes += self._hash.hexdigest() == counts.digest
            return self._hash.digest()

    # pathlib opens through io.open, everything else through builtins.open (the same function).
    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(hashlib, "sha256", CountingHash)
    return counts


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    root.mkdir()
    (root / "东山镇总结.txt").write_text(SUMMARY.format(word="晨光"), encoding="utf-8")
    (root / "西山镇总结.txt").write_text(SUMMARY.format(word="夕照").replace("东山镇", "西山镇"), encoding="utf-8")
    return root


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(tmp_path / "index")
    yield engine
    engine.close()


def _hits(engine: EmbeddedEngine, query: str) -> int:
    return engine.search(SearchRequest(query=query, page_size=0)).total


def test_a_changed_file_is_read_and_hashed_once(archive: Path, engine: EmbeddedEngine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ingest_files(engine, list(discover([archive])), workers=1)
    changed = archive / "东山镇总结.txt"
    changed.write_text(SUMMARY.format(word="晨曦"), encoding="utf-8")
    counts = _count(monkeypatch, changed)
    report = ingest_files(engine, list(discover([archive])), workers=1)
    monkeypatch.undo()
    assert (report.files_read, report.files_unchanged, report.skipped) == (1, 1, [])
    assert (counts.reads, counts.hashes) == (1, 1)
    # And the index holds the new text, not the old: the bytes read once are the ones indexed.
    assert _hits(engine, "晨曦") > 0
    assert _hits(engine, "晨光") == 0
    assert set(engine.sources().values()) >= {counts.digest}


@pytest.mark.parametrize("force", [False, True])
def test_new_unchanged_and_forced_files_are_read_and_hashed_once(  # type: ignore[no-untyped-def]
    archive: Path, engine: EmbeddedEngine, monkeypatch, force: bool
) -> None:
    target = archive / "西山镇总结.txt"
    counts = _count(monkeypatch, target)
    ingest_files(engine, list(discover([archive])), workers=1)  # new
    ingest_files(engine, list(discover([archive])), workers=1, force=force)  # unchanged, or re-read by force
    monkeypatch.undo()
    assert (counts.reads, counts.hashes) == (2, 2)
    assert _hits(engine, "夕照") > 0


def test_parse_file_given_the_bytes_parses_them_without_reading_the_file(archive: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = archive / "东山镇总结.txt"
    from_disk = parse_file(path, archive)
    counts = _count(monkeypatch, path)
    given = parse_file(path, archive, data=path.read_bytes())
    assert counts.reads == 1  # the read_bytes above, none inside parse_file
    monkeypatch.undo()
    assert given == from_disk
