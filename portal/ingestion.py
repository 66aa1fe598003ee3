"""Writing to the index from the portal: one file now, or the whole archive in the background.

Every write goes through the indexer's own code (indexer.ingest_files
for one file, ``python -m indexer ingest`` for the archive), on an engine
opened for the write and closed after it, so the portal's reading engine
never holds the embedded index's writer lock.

Writes are serialised by an exclusive lock file in the state folder
(``flock``: released by the kernel when its holder dies, even by SIGKILL).
An upload waits a little for it; a full re-ingest hands it to its child
process, so "is a re-ingest running?" is simply "is the lock held?".
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app

from engine import open_engine
from engine.contract import SearchEngine
from indexer import RunReport, ingest_files

LOCK_NAME = "ingest.lock"
STATUS_NAME = "reingest.json"
LOG_NAME = "reingest.log"
#: How long an upload waits for another write to finish before giving up.
LOCK_WAIT_SECONDS = 20.0


class IngestBusy(RuntimeError):
    """Another write (an upload, a correction or a re-ingest) holds the lock."""


def state_dir() -> Path:
    """The portal's work folder (created on first use)."""
    folder = Path(current_app.config["STATE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _try_lock(handle: Any, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


@contextlib.contextmanager
def write_lock(wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the portal's write lock; IngestBusy if it stays taken for ``wait`` seconds."""
    with open(state_dir() / LOCK_NAME, "a") as handle:
        if not _try_lock(handle, wait):
            raise IngestBusy("另一项导入正在进行，请稍后再试。")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_writer() -> SearchEngine:
    opener: Callable[[], SearchEngine] | None = current_app.config.get("INGEST_ENGINE_OPENER")
    return opener() if opener else open_engine(current_app.config.get("INDEX_DIR"))


def ingest_file(file: Path, archive: Path, *, force: bool = False) -> RunReport:
    """Load one archive file (``force``: even if unchanged) exactly as ``python -m indexer ingest`` would."""
    engine = _open_writer()
    try:
        return ingest_files(engine, [(file, archive)], force=force, workers=1)
    finally:
        engine.close()


def remove_source(source_path: str) -> None:
    """Drop every paragraph of one source file and commit."""
    engine = _open_writer()
    try:
        engine.delete_source(source_path)
        engine.commit()
    finally:
        engine.close()


# --------------------------------------------------------------------------- the whole archive


def reingest_command(archive: Path) -> list[str]:
    """``python -m indexer ingest ARCHIVE`` with the portal's index (incremental, no prune)."""
    command = [sys.executable, "-m", "indexer", "ingest", str(archive)]
    if index_dir := current_app.config.get("INDEX_DIR"):
        command += ["--index", str(index_dir)]
    return command


def _write_status(path: Path, status: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def start_reingest(archive: Path, user: str) -> None:
    """Start a background re-ingest of the archive; IngestBusy if a write is under way.

    The child inherits the lock's open file, so the lock is held exactly as
    long as the child lives. Prune is deliberately off: the index may hold
    files ingested from elsewhere with the command line.
    """
    folder = state_dir()
    handle = open(folder / LOCK_NAME, "a")  # noqa: SIM115 - handed to the child, closed below
    try:
        if not _try_lock(handle, 0):
            raise IngestBusy("另一项导入正在进行，请等它完成。")
        status_path = folder / STATUS_NAME
        status = {"started": datetime.now().isoformat(timespec="seconds"), "by": user, "returncode": None}
        with open(folder / LOG_NAME, "wb") as log:
            child = subprocess.Popen(
                reingest_command(archive),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(handle.fileno(),),
                start_new_session=True,  # a restart of this worker does not signal it
                cwd=os.getcwd(),  # same working folder: same stored source paths as an upload
            )
        _write_status(status_path, {**status, "pid": child.pid})

        def reap() -> None:
            # Waiting also keeps the finished child from lingering as a zombie.
            code = child.wait()
            finished = datetime.now().isoformat(timespec="seconds")
            _write_status(status_path, {**status, "pid": child.pid, "returncode": code, "finished": finished})

        threading.Thread(target=reap, name="reingest-reaper", daemon=True).start()
    finally:
        handle.close()  # the child keeps its own copy of the locked file


def reingest_status() -> dict[str, Any]:
    """``running``, when it started and finished, its exit code and the end of its report."""
    folder = state_dir()
    with open(folder / LOCK_NAME, "a") as handle:
        running = not _try_lock(handle, 0)
        if not running:
            fcntl.flock(handle, fcntl.LOCK_UN)
    status: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        status = json.loads((folder / STATUS_NAME).read_text(encoding="utf-8"))
    log = ""
    with contextlib.suppress(OSError):
        log = (folder / LOG_NAME).read_text(encoding="utf-8", errors="replace")[-4000:]
    return {**status, "running": running, "log": log}
