"""LibreOffice as a converter: one long-lived session per process, a timeout per file.

A cold ``soffice --convert-to`` costs seconds of start-up per file (hours for an
archive of ten thousand .wps files). When LibreOffice's Python binding is available
(Debian: python3-uno), each process keeps one headless LibreOffice running behind
:mod:`indexer.reading.uno_bridge` and sends it one file after another; a file that
takes longer than ``OFFICE_TIMEOUT_S`` ends the session (LibreOffice is killed) and
the next file starts a fresh one. Without the binding, each file gets a cold
``--convert-to`` run, with a profile kept for the life of the process.

The session dies with its process: the bridge ends LibreOffice when its stdin closes.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from indexer.reading.document import UnreadableFile

log = logging.getLogger(__name__)

#: Seconds one file may take inside a running session.
OFFICE_TIMEOUT_S = 120.0
#: Seconds LibreOffice may take to start (a first start creates its profile).
OFFICE_START_TIMEOUT_S = 90.0
#: Environment: a Python interpreter that can ``import uno`` (default: the system's python3).
UNO_PYTHON_ENV = "INDEXER_UNO_PYTHON"
#: Environment: set to 0 to skip the session and convert each file with a cold start.
OFFICE_SESSION_ENV = "INDEXER_OFFICE_SESSION"

_BRIDGE = Path(__file__).with_name("uno_bridge.py")
# stderr lines LibreOffice prints on every run, which explain nothing about a file.
_NOISE = ("warning: failed to launch javaldx", "javaldx", "fontconfig")


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def _uno_python() -> str | None:
    """A Python interpreter with LibreOffice's ``uno`` module, checked once per process."""
    candidates = [os.environ.get(UNO_PYTHON_ENV, ""), "/usr/bin/python3", "/usr/lib/libreoffice/program/python"]
    for candidate in filter(None, candidates):
        if not os.access(candidate, os.X_OK):
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import uno"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return candidate
    return None


class _Session:
    """One bridge process with its LibreOffice; converts files one at a time."""

    def __init__(self, soffice: str, python: str) -> None:
        self.soffice = soffice
        self._profile = tempfile.TemporaryDirectory(prefix="indexer-office-")
        pipe = f"indexer{os.getpid()}_{time.monotonic_ns()}"
        # A session of its own (process group): a timeout kills the bridge and the office together.
        self._process = subprocess.Popen(
            [python, str(_BRIDGE), soffice, str(Path(self._profile.name) / "profile"), pipe],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
            encoding="utf-8",
        )
        reply = self._read_reply(OFFICE_START_TIMEOUT_S, "LibreOffice did not start")
        if not reply.get("ok"):
            self.close()
            raise UnreadableFile(f"LibreOffice failed to start: {reply.get('error', 'no answer')}")

    def alive(self) -> bool:
        return self._process.poll() is None

    def convert(self, source: Path, target: Path, filter_name: str, timeout: float) -> None:
        request = {"src": str(source), "dst": str(target), "filter": filter_name}
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self.close()
            raise UnreadableFile("LibreOffice session ended unexpectedly") from exc
        reply = self._read_reply(timeout, f"LibreOffice timed out after {timeout:g} s")
        if not reply.get("ok"):
            raise UnreadableFile(f"LibreOffice cannot convert it: {reply.get('error', 'no answer')}")

    def _read_reply(self, timeout: float, timeout_reason: str) -> dict:
        stdout = self._process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        if not ready:
            self.close()
            raise UnreadableFile(timeout_reason)
        line = stdout.readline()
        if not line:
            self.close()
            raise UnreadableFile("LibreOffice crashed on this file")
        return json.loads(line)

    def close(self) -> None:
        """End the bridge and its LibreOffice (closing stdin first lets it end cleanly)."""
        if self._process.poll() is None:
            with contextlib.suppress(OSError):
                assert self._process.stdin is not None
                self._process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(10)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5)
        self._profile.cleanup()


_session: _Session | None = None
_session_pid: int | None = None
#: Files converted by this process's sessions, and sessions started (for the benchmark and tests).
stats = {"files": 0, "sessions": 0, "cold_runs": 0}


def _current_session(soffice: str) -> _Session | None:
    """This process's running session, started on first use; None when no uno binding exists."""
    global _session, _session_pid
    if os.environ.get(OFFICE_SESSION_ENV, "1") == "0":
        return None
    # A forked worker must not talk to its parent's bridge: the pipes are shared.
    if _session is not None and (_session_pid != os.getpid() or not _session.alive() or _session.soffice != soffice):
        if _session_pid == os.getpid():
            _session.close()
        _session = None
    if _session is None:
        python = _uno_python()
        if python is None:
            return None
        _session = _Session(soffice, python)
        _session_pid = os.getpid()
        stats["sessions"] += 1
    return _session


def close_session() -> None:
    """End this process's LibreOffice session, if one runs (also done at exit)."""
    global _session
    if _session is not None and _session_pid == os.getpid():
        _session.close()
    _session = None


atexit.register(close_session)


def convert(source: Path, target_suffix: str, filter_name: str, *, timeout: float | None = None) -> Path:
    """Convert ``source`` with LibreOffice; the converted file (next to ``source``) is returned.

    Raises UnreadableFile with one line saying why (not installed, cannot open the
    file, timed out).
    """
    soffice = find_soffice()
    if soffice is None:
        raise UnreadableFile("LibreOffice is not installed")
    timeout = OFFICE_TIMEOUT_S if timeout is None else timeout
    target = source.with_name(f"{source.stem}.converted.{target_suffix}")
    session = _current_session(soffice)
    if session is not None:
        session.convert(source, target, filter_name, timeout)
    else:
        _cold_convert(soffice, source, target, filter_name, timeout)
    if not target.exists() or target.stat().st_size == 0:
        raise UnreadableFile("LibreOffice produced no output")
    stats["files"] += 1
    return target


@functools.cache
def _cold_profile() -> str:
    # One profile per process: the second and later cold starts skip creating it.
    return tempfile.mkdtemp(prefix="indexer-office-profile-")


def _cold_convert(soffice: str, source: Path, target: Path, filter_name: str, timeout: float) -> None:
    outdir = Path(tempfile.mkdtemp(prefix="out-", dir=source.parent))
    command = [
        soffice,
        "--headless",
        "--norestore",
        "--nolockcheck",
        # A private profile: a user's running LibreOffice or a parallel worker would
        # otherwise hold the default profile's lock and the call would do nothing.
        f"-env:UserInstallation={Path(_cold_profile()).as_uri()}",
        "--convert-to",
        f"{target.suffix[1:]}:{filter_name}",
        "--outdir",
        str(outdir),
        str(source),
    ]
    stats["cold_runs"] += 1
    code, _, err = run_tool(command, timeout, "LibreOffice")
    produced = outdir / f"{source.stem}{target.suffix}"
    if not produced.exists():
        raise UnreadableFile(f"LibreOffice cannot convert it: {tool_detail(code, err, source)}")
    produced.replace(target)


def run_tool(command: list[str], timeout: float, name: str) -> tuple[int, bytes, bytes]:
    """Run a converter in its own process group; kill the whole group after ``timeout`` seconds."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise UnreadableFile(f"{name} cannot run: {exc.strerror or type(exc).__name__}") from exc
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # soffice forks soffice.bin: end the whole group we started, not just the parent.
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise UnreadableFile(f"{name} timed out after {timeout:g} s") from None
    return process.returncode, out, err


def tool_detail(code: int, stderr: bytes, source: Path) -> str:
    """Why a converter failed, in one line, without our temp path or start-up noise."""
    text = stderr.decode("utf-8", errors="replace").replace(str(source), "file")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.lower().startswith(_NOISE)]
    if meaningful:
        return meaningful[0][:120]
    # antiword segfaults on some damaged files instead of reporting them
    if code < 0:
        return f"crashed (signal {-code})"
    return f"exit status {code}, no output" if code else "no output"


if __name__ == "__main__":  # pragma: no cover - a manual check: python -m indexer.reading.office FILE
    print(convert(Path(sys.argv[1]), "docx", "MS Word 2007 XML"))
