"""Disk after a rebuild (issue 16, point 5): readers let go of old generations, stale ones are removed.

A reader switches to the new generation at its next request and must stop
mapping the old one's files then: a deleted file stays on disk as long as a
process maps it. A rebuild killed with -9 leaves a half-built generation;
the next writer to start removes it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.contract import SearchRequest
from engine.embedded import GENERATION_PREFIX, EmbeddedEngine
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[2]


def _ingest(index: Path, *extra: str) -> None:
    command = [sys.executable, "-m", "indexer", "ingest", str(SAMPLES), "--index", str(index), *extra]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)


def _deleted_but_mapped(index: Path) -> set[str]:
    """Files of ``index`` this process still maps although they were deleted."""
    with open("/proc/self/maps") as maps:
        return {line.split()[-2] for line in maps if str(index) in line and line.rstrip().endswith("(deleted)")}


def _generations(index: Path) -> list[str]:
    return sorted(p.name for p in index.glob(f"{GENERATION_PREFIX}*"))


def test_a_reader_releases_the_old_generation_after_a_rebuild(tmp_path: Path) -> None:
    index = tmp_path / "index"
    _ingest(index)
    reader = EmbeddedEngine(index)
    try:
        for _ in range(3):
            for query in ("工会", "困难职工", ""):  # relevance, and browsing
                assert reader.search(SearchRequest(query=query)).total > 0
            _ingest(index, "--rebuild")  # another process, as `python -m indexer ingest --rebuild`
            assert reader.search(SearchRequest(query="工会")).total > 0  # the switch happens here
            assert _deleted_but_mapped(index) == set()
        assert len(_generations(index)) == 1
    finally:
        reader.close()


def test_a_killed_rebuild_leaves_a_folder_that_the_next_writer_removes(tmp_path: Path) -> None:
    index = tmp_path / "index"
    _ingest(index)
    live = _generations(index)
    killed = (
        "import os, signal, sys\n"
        "from engine.embedded import EmbeddedEngine\n"
        "engine = EmbeddedEngine(sys.argv[1])\n"
        "engine.begin_rebuild()\n"
        "engine.commit()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", killed, str(index)], cwd=ROOT, capture_output=True)
    assert done.returncode == -9
    assert len(_generations(index)) == 2  # the partial generation is left behind

    # A rebuild under way in a live process keeps its folder.
    running = EmbeddedEngine(index)
    running.begin_rebuild()
    try:
        _ingest(index)  # the next writer to start (an incremental ingest)
        remaining = _generations(index)
        assert live[0] in remaining and len(remaining) == 2  # the killed one is gone, the running one kept
    finally:
        running.abort_rebuild()
        running.close()
    assert _generations(index) == live
