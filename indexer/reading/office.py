"""LibreOffice as a converter: one long-lived session per ingest, a timeout per file.

A cold ``soffice --convert-to`` costs seconds of start-up per file (hours for an
archive of ten thousand .wps files). When LibreOffice's Python binding is available
(Debian: python3-uno), conversions go to a server, :mod:`indexer.reading.uno_bridge`,
that keeps one headless LibreOffice running and converts one file after another,
answering on a Unix socket:

* An ingest opens :func:`shared_session` around its worker pool: one server, whose
  address the workers inherit through ``INDEXER_OFFICE_ADDRESS``, so 200 .wps files
  on eight workers are converted by one LibreOffice, started once. The server takes
  the workers' files one at a time (LibreOffice converts one document at a time).
* Any other process (a single-process run, the portal) starts its own server on its
  first conversion and keeps it for its lifetime.

A file that takes longer than ``OFFICE_TIMEOUT_S`` gets LibreOffice killed and is
reported as timed out; the next file starts a fresh LibreOffice. If the server
itself is gone, a worker falls back to a server of its own. Without the binding, each
file gets a cold ``--convert-to`` run, with a profile kept for the life of the process.

``INDEXER_OFFICE=0`` hides LibreOffice altogether (files that need it are reported
as needing it, or read by antiword); ``INDEXER_OFFICE_SESSION=0`` keeps LibreOffice
but converts every file with a cold start.

Servers die with their owner: the bridge ends LibreOffice when its stdin closes.
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
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from indexer.reading.document import UnreadableFile

log = logging.getLogger(__name__)

#: Seconds one file may take inside a running session.
OFFICE_TIMEOUT_S = 120.0
#: Seconds LibreOffice may take to start (a first start creates its profile).
OFFICE_START_TIMEOUT_S = 90.0
#: Seconds a worker may wait for its turn at a shared session (the other workers' files first).
OFFICE_QUEUE_TIMEOUT_S = 1800.0
#: Environment: set to 0 to hide LibreOffice (as if it were not installed).
OFFICE_ENV = "INDEXER_OFFICE"
#: Environment: a Python interpreter that can ``import uno`` (default: the system's python3).
UNO_PYTHON_ENV = "INDEXER_UNO_PYTHON"
#: Environment: set to 0 to skip the session and convert each file with a cold start.
OFFICE_SESSION_ENV = "INDEXER_OFFICE_SESSION"
#: Environment: the socket of the ingest's shared session (set by :func:`shared_session`).
OFFICE_ADDRESS_ENV = "INDEXER_OFFICE_ADDRESS"
#: Suffixes whose files are converted by LibreOffice (an ingest without them starts none).
CONVERTED_SUFFIXES = frozenset({".doc", ".wps", ".rtf"})

_BRIDGE = Path(__file__).with_name("uno_bridge.py")
# stderr lines LibreOffice prints on every run, which explain nothing about a file.
_NOISE = ("warning: failed to launch javaldx", "javaldx", "fontconfig")
# Seconds on top of a file's timeout before a client stops waiting for the server's answer
# (the server enforces the timeout itself; this only guards against a hung server).
_ANSWER_MARGIN_S = OFFICE_START_TIMEOUT_S + 30.0


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, or None (also when ``INDEXER_OFFICE=0``)."""
    if os.environ.get(OFFICE_ENV, "1").strip() == "0":
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _sessions_enabled() -> bool:
    return os.environ.get(OFFICE_SESSION_ENV, "1").strip() != "0"


def sessions_available() -> bool:
    """Whether conversions can run in a long-lived session: LibreOffice, its uno binding, not switched off."""
    return find_soffice() is not None and _sessions_enabled() and _uno_python() is not None


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


class _ServerGone(Exception):
    """Nothing answers at the session's address any more."""


class _NoAnswer(UnreadableFile):
    """The server took the file but did not answer in time, or ended without answering."""


def _ask(address: str, request: dict, answer_timeout: float) -> dict:
    """Send one request to a session server and return its answer.

    Raises _ServerGone when no server listens there, _NoAnswer (an UnreadableFile)
    when it does not answer in time or ends the connection without answering.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(OFFICE_QUEUE_TIMEOUT_S)  # connecting, and waiting for our turn
        try:
            connection.connect(address)
            connection.sendall((json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8"))
        except (FileNotFoundError, ConnectionRefusedError, BrokenPipeError, ConnectionResetError) as exc:
            raise _ServerGone(address) from exc
        with connection.makefile("r", encoding="utf-8") as answers:
            try:
                answer = _answer_line(answers)
                if answer.get("started"):
                    connection.settimeout(answer_timeout)
                    answer = _answer_line(answers)
            except TimeoutError:
                raise _NoAnswer(f"LibreOffice timed out after {request.get('timeout', 0):g} s") from None
            except (ConnectionResetError, ValueError) as exc:
                raise _NoAnswer("LibreOffice session ended unexpectedly") from exc
    return answer


def _answer_line(answers: TextIO) -> dict:
    line = answers.readline()
    if not line:
        raise _NoAnswer("LibreOffice session ended unexpectedly")
    return json.loads(line)


class OfficeServer:
    """A running :mod:`uno_bridge` server (owner side); LibreOffice starts at its first file."""

    def __init__(self, soffice: str, python: str) -> None:
        self.soffice = soffice
        self._directory = tempfile.TemporaryDirectory(prefix="indexer-office-")
        #: The Unix socket clients connect to.
        self.address = str(Path(self._directory.name) / "office.sock")
        # A session of its own (process group): closing kills the bridge and its office together.
        self._process = subprocess.Popen(
            [python, str(_BRIDGE), soffice, str(Path(self._directory.name) / "profile"), self.address],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], OFFICE_START_TIMEOUT_S)
        line = self._process.stdout.readline() if ready else b""
        if not line or not json.loads(line).get("ok"):
            self.close()
            raise UnreadableFile("LibreOffice session did not start")

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self._process.poll() is None

    def convert(self, source: Path, target: Path, filter_name: str, timeout: float) -> None:
        """Have the server convert ``source`` to ``target``; raise UnreadableFile if it cannot."""
        _convert_at(self.address, source, target, filter_name, timeout)

    def stats(self) -> dict[str, int]:
        """LibreOffice starts and files converted by this server so far ({} if it does not answer)."""
        try:
            answer = _ask(self.address, {"stats": True}, 30.0)
        except (_ServerGone, UnreadableFile):
            return {}
        return {"starts": int(answer.get("starts", 0)), "files": int(answer.get("files", 0))}

    def close(self) -> None:
        """End the bridge and its LibreOffice (closing stdin first lets it end cleanly)."""
        if self._process.poll() is None:
            with contextlib.suppress(OSError):
                assert self._process.stdin is not None
                self._process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(15)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5)
        for stream in (self._process.stdin, self._process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self._directory.cleanup()


def _convert_at(address: str, source: Path, target: Path, filter_name: str, timeout: float) -> None:
    request = {"src": str(source), "dst": str(target), "filter": filter_name, "timeout": timeout}
    answer = _ask(address, request, timeout + _ANSWER_MARGIN_S)
    if not answer.get("ok"):
        error = str(answer.get("error", "no answer"))
        if error.startswith("timed out"):
            raise UnreadableFile(f"LibreOffice {error}")
        if error.startswith("LibreOffice"):
            raise UnreadableFile(error)
        raise UnreadableFile(f"LibreOffice cannot convert it: {error}")


_server: OfficeServer | None = None
_server_pid: int | None = None
#: This process's counts: files converted, own servers started, cold runs, shared sessions opened,
#: and LibreOffice starts and files converted inside the shared sessions it owned (for the
#: benchmark and tests: the workers' own counts stay in the workers).
stats = {"files": 0, "sessions": 0, "cold_runs": 0, "shared_sessions": 0, "office_starts": 0, "office_files": 0}


def _own_server(soffice: str) -> OfficeServer | None:
    """This process's own server, started on first use; None when no uno binding exists."""
    global _server, _server_pid
    # A forked worker must not close its parent's server: the pipes are shared.
    if _server is not None and (_server_pid != os.getpid() or not _server.alive() or _server.soffice != soffice):
        if _server_pid == os.getpid():
            _server.close()
        _server = None
    if _server is None:
        python = _uno_python()
        if python is None:
            return None
        _server = OfficeServer(soffice, python)
        _server_pid = os.getpid()
        stats["sessions"] += 1
    return _server


def close_session() -> None:
    """End this process's own LibreOffice session, if one runs (also done at exit)."""
    global _server
    if _server is not None and _server_pid == os.getpid():
        _server.close()
    _server = None


atexit.register(close_session)


@contextlib.contextmanager
def shared_session(paths: Iterable[Path]) -> Iterator[OfficeServer | None]:
    """One LibreOffice session for every process started inside this block (an ingest's workers).

    Starts a server when ``paths`` include files LibreOffice converts and a uno
    binding exists, and publishes its address in ``INDEXER_OFFICE_ADDRESS`` for the
    workers to inherit; yields it, or None when there is nothing to share (no such
    files, no LibreOffice, no binding: the workers then do as they would alone).
    """
    soffice = find_soffice()
    wanted = any(Path(path).suffix.lower() in CONVERTED_SUFFIXES for path in paths)
    if not wanted or soffice is None or not _sessions_enabled() or os.environ.get(OFFICE_ADDRESS_ENV):
        yield None  # nothing to convert, or already inside a shared session
        return
    python = _uno_python()
    if python is None:
        yield None
        return
    try:
        server = OfficeServer(soffice, python)
    except UnreadableFile as exc:
        log.warning("no shared LibreOffice session: %s", exc.reason)
        yield None
        return
    stats["shared_sessions"] += 1
    os.environ[OFFICE_ADDRESS_ENV] = server.address
    try:
        yield server
    finally:
        os.environ.pop(OFFICE_ADDRESS_ENV, None)
        counts = server.stats()
        stats["office_starts"] += counts.get("starts", 0)
        stats["office_files"] += counts.get("files", 0)
        log.info(
            "LibreOffice session of this run: %d file(s), started %d time(s)",
            counts.get("files", 0),
            counts.get("starts", 0),
        )
        server.close()


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
    if not _convert_in_session(soffice, source, target, filter_name, timeout):
        _cold_convert(soffice, source, target, filter_name, timeout)
    if not target.exists() or target.stat().st_size == 0:
        raise UnreadableFile("LibreOffice produced no output")
    stats["files"] += 1
    return target


def _convert_in_session(soffice: str, source: Path, target: Path, filter_name: str, timeout: float) -> bool:
    """Convert through the shared session or this process's own; False when there is none."""
    if not _sessions_enabled():
        return False
    shared = os.environ.get(OFFICE_ADDRESS_ENV)
    if shared:
        try:
            _convert_at(shared, source, target, filter_name, timeout)
            return True
        except _ServerGone:
            # The ingest's session is gone (its owner died?): carry on with one of our own.
            log.warning("the shared LibreOffice session is gone; this process starts its own")
            os.environ.pop(OFFICE_ADDRESS_ENV, None)
    server = _own_server(soffice)
    if server is None:
        return False
    try:
        server.convert(source, target, filter_name, timeout)
    except _ServerGone:
        close_session()
        raise UnreadableFile("LibreOffice session ended unexpectedly") from None
    except _NoAnswer:
        close_session()  # hung or dead: the next file gets a fresh server
        raise
    return True


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
