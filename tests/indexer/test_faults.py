"""Faults during ingest: a kill -9, a failed rebuild, a full disk. Nothing half-written, nothing doubled.

- ``python -m indexer ingest`` killed with SIGKILL after its first commit leaves
  an index that opens at that commit; the rerun completes it without duplicates.
- A ``--rebuild`` that fails (an exception, or SIGKILL) leaves the old index serving.
- A full disk ends the run with one clear line and exit code 2, never a
  traceback: for real on a tiny tmpfs when this machine lets us mount one,
  and always with the writer made to fail with ENOSPC.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import indexer.ingest as ingest_module
from engine.contract import SearchRequest
from engine.embedded import EmbeddedEngine, _native_io_errors
from indexer.cli import main
from indexer.pipeline import discover, parse_file

REPO = Path(__file__).resolve().parents[2]
FILES = 160
PARAGRAPHS_PER_FILE = 10
_WORDS = [
    "职工",
    "工会",
    "帮扶",
    "慰问",
    "协商",
    "工资",
    "合同",
    "厂务",
    "公开",
    "培训",
    "竞赛",
    "安全",
    "生产",
    "女工",
    "维权",
    "调解",
    "宣传",
    "学习",
    "书屋",
    "之家",
]


def _write_archive(root: Path, files: int = FILES) -> Path:
    """``files`` distinct summaries of ten paragraphs each, in two township folders."""
    rng = random.Random(20240601)
    for number in range(files):
        town = "东山镇" if number % 2 else "西山镇"
        folder = root / town
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"{town}工会第{number}号工作总结", ""]
        for paragraph in range(PARAGRAPHS_PER_FILE):
            words = "".join(rng.choice(_WORDS) for _ in range(30))
            lines += [f"第{number}号文件第{paragraph}段：{words}，共计{rng.randint(10, 999)}人次。", ""]
        (folder / f"{number:03d}号总结.txt").write_text("\n".join(lines), encoding="utf-8")
    return root


def _paragraphs_per_source(archive: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path, root in discover([archive]):
        parsed = parse_file(path, root)
        counts[parsed.source.path] = len(parsed.paragraphs)
    return counts


def _expected_paragraphs(archive: Path) -> int:
    return sum(_paragraphs_per_source(archive).values())


def _indexed_per_source(index: Path) -> dict[str, int]:
    engine = EmbeddedEngine(index)
    try:
        return {
            source: engine.search(SearchRequest(filters={"source": (source,)}, page_size=0)).total
            for source in engine.sources()
        }
    finally:
        engine.close()


def _all_paragraph_ids(index: Path) -> list[str]:
    engine = EmbeddedEngine(index)
    try:
        result = engine.search(SearchRequest(query="", page_size=100_000, collapse=False))
        assert result.total == len(result.hits)
        return [hit.paragraph_id for hit in result.hits]
    finally:
        engine.close()


def _documents(index: Path) -> int:
    if not (index / "CURRENT").exists():
        return 0
    engine = EmbeddedEngine(index)
    try:
        return int(engine.stats()["documents"])
    except Exception:
        return 0
    finally:
        engine.close()


def _ingest_command(archive: Path, index: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "indexer", "ingest", str(archive), "--index", str(index), "--workers", "1", *extra]


def _env(commit_every: int) -> dict[str, str]:
    return {**os.environ, "INDEXER_COMMIT_EVERY": str(commit_every), "PYTHONPATH": str(REPO)}


def _kill_after_first_commit(command: list[str], index: Path, baseline: int = 0) -> int:
    """Run ``command``; SIGKILL its process group once the index holds more than ``baseline`` paragraphs."""
    process = subprocess.Popen(
        command, cwd=REPO, env=_env(20), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if _documents(index) > baseline:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the ingest finished before it could be killed; make the archive bigger"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return _documents(index)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated archive (read-only for the tests)."""
    return _write_archive(tmp_path_factory.mktemp("fault-archive"))


@pytest.fixture(scope="module")
def expected(archive: Path) -> int:
    """Paragraphs a complete ingest of the archive holds."""
    return _expected_paragraphs(archive)


# --------------------------------------------------------------------------- kill -9


def test_commit_interval_can_be_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDEXER_COMMIT_EVERY", "20")
    assert ingest_module.commit_every() == 20
    for bad in ("0", "-5", "many", ""):
        monkeypatch.setenv("INDEXER_COMMIT_EVERY", bad)
        assert ingest_module.commit_every() == ingest_module.COMMIT_EVERY


def test_ingest_killed_with_sigkill_opens_at_its_last_commit_and_the_rerun_completes(
    archive: Path, expected: int, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    survived = _kill_after_first_commit(_ingest_command(archive, index), index)
    assert 0 < survived < expected
    # Whole files only: a commit happens between two files, never inside one.
    per_file = _paragraphs_per_source(archive)
    committed = _indexed_per_source(index)
    assert committed and all(count == per_file[source] for source, count in committed.items())
    ids = _all_paragraph_ids(index)
    assert len(ids) == len(set(ids)) == survived
    rerun = subprocess.run(_ingest_command(archive, index), cwd=REPO, env=_env(20), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "未变化跳过" in rerun.stderr and "Traceback" not in rerun.stderr
    ids = _all_paragraph_ids(index)
    assert len(ids) == len(set(ids)) == expected
    engine = EmbeddedEngine(index)
    try:
        assert len(engine.sources()) == FILES
    finally:
        engine.close()


# --------------------------------------------------------------------------- failed rebuilds


def _generations(index: Path) -> list[str]:
    return sorted(p.name for p in index.glob("gen-*"))


@pytest.fixture
def built(archive: Path, expected: int, tmp_path: Path) -> Iterator[Path]:
    """A complete index of the archive."""
    index = tmp_path / "index"
    assert main(["ingest", str(archive), "--index", str(index), "--workers", "1"]) == 0
    assert _documents(index) == expected
    yield index


def test_a_rebuild_that_raises_leaves_the_old_index_serving(
    built: Path, archive: Path, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    current, generations = (built / "CURRENT").read_text(), _generations(built)
    reader = EmbeddedEngine(built)  # a portal worker reading throughout
    calls = {"n": 0}
    real_parse = ingest_module.parse_file

    def failing_parse(path: Path, root: Path | None = None, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 30:
            raise RuntimeError("simulated crash in the middle of a rebuild")
        return real_parse(path, root, **kwargs)

    monkeypatch.setattr(ingest_module, "parse_file", failing_parse)
    try:
        with pytest.raises(RuntimeError, match="simulated crash"):
            main(["ingest", str(archive), "--index", str(built), "--rebuild", "--workers", "1"])
        assert (built / "CURRENT").read_text() == current
        assert _generations(built) == generations  # the half-built generation is gone
        assert reader.search(SearchRequest(query="", page_size=0)).total == expected
        assert reader.stats()["documents"] == expected
    finally:
        reader.close()


def test_a_rebuild_killed_with_sigkill_leaves_the_old_index_serving(built: Path, archive: Path, expected: int) -> None:
    current = (built / "CURRENT").read_text()
    process = subprocess.Popen(
        _ingest_command(archive, built, "--rebuild"),
        cwd=REPO,
        env=_env(20),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_generations(built)) < 2 and process.poll() is None:
            time.sleep(0.05)
        time.sleep(1.0)  # well into the rebuild
        assert process.poll() is None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert (built / "CURRENT").read_text() == current
    assert _documents(built) == expected
    ids = _all_paragraph_ids(built)
    assert len(ids) == len(set(ids)) == expected
    # The next rebuild succeeds and clears the orphaned half-built generation.
    assert main(["ingest", str(archive), "--index", str(built), "--rebuild", "--workers", "1"]) == 0
    assert len(_generations(built)) == 1 and _documents(built) == expected


# --------------------------------------------------------------------------- full disk


def test_tantivy_io_errors_become_oserrors_with_their_errno() -> None:
    with pytest.raises(OSError) as caught, _native_io_errors():
        raise ValueError("Internal error: 'No space left on device (os error 28)'")
    assert caught.value.errno == errno.ENOSPC
    with pytest.raises(ValueError, match="schema"), _native_io_errors():
        raise ValueError("a schema problem, not I/O")


def test_a_full_disk_is_reported_clearly_not_as_a_traceback(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def disk_full(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(EmbeddedEngine, "commit", disk_full)
    code = main(["ingest", str(archive), "--index", str(tmp_path / "index"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "磁盘已满：索引写入中止，已提交的部分保持可用。请释放空间后重新运行。" in err
    assert "Traceback" not in err


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs (root only); skipped where mounting is not allowed."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not root'}); the monkeypatch test covers it"
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_real_full_disk_exits_2_with_the_message_and_the_rerun_completes(
    tiny_disk: Path, archive: Path, expected: int
) -> None:
    index = tiny_disk / "index"
    full = subprocess.run(_ingest_command(archive, index), cwd=REPO, env=_env(200), capture_output=True, text=True)
    assert full.returncode == 2, full.stderr
    assert "磁盘已满" in full.stderr and "Traceback" not in full.stderr
    # Space is freed (the tmpfs grows): the rerun completes the index, nothing doubled.
    subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_disk)], check=True)
    again = subprocess.run(_ingest_command(archive, index), cwd=REPO, env=_env(200), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    ids = _all_paragraph_ids(index)
    assert len(ids) == len(set(ids)) == expected
