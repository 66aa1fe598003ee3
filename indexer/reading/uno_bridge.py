"""A LibreOffice conversion server, run under a Python that has LibreOffice's ``uno`` module.

Not imported by the indexer: :mod:`indexer.reading.office` starts it as
``<python-with-uno> uno_bridge.py <soffice> <profile-dir> <socket-path>``. It listens
on a Unix socket, where any number of processes (an ingest's workers) ask for
conversions, one request per connection, one JSON line each way:

    → {"src": "/tmp/a.wps", "dst": "/tmp/a.docx", "filter": "MS Word 2007 XML", "timeout": 120}
    ← {"started": true}                     (the request's turn has come)
    ← {"ok": true}  or  {"ok": false, "error": "cannot open the file (IOException)"}

    → {"stats": true}
    ← {"ok": true, "starts": 1, "files": 200}

Requests are served one at a time, so LibreOffice — one headless process, started
at the first request — never converts two files at once. A file that takes longer
than its ``timeout`` gets LibreOffice killed (its answer says "timed out"); after a
kill or a crash the next request starts a fresh one. ``starts`` counts the starts.

The first line written on stdout is {"ok": true, "ready": true} once the socket
listens. When stdin closes — the owner finished, or died — it ends LibreOffice and
itself, so no office process outlives the process that started it. Standard library
and ``uno`` only: this file runs outside the project's virtual environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

import uno  # type: ignore[import-not-found]  # LibreOffice's own binding (Debian: python3-uno)
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

CONNECT_TIMEOUT_S = 60.0
#: Seconds a client may take to send its request line (a stuck client must not stall the others).
REQUEST_READ_TIMEOUT_S = 10.0
# uno exceptions that mean the office process is gone, not that the file is bad.
_OFFICE_GONE = ("DisposedException",)


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(office: subprocess.Popen, pipe: str):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except Exception:
            # The wrapper script execs the real office; an early exit means it will never listen.
            if office.poll() is not None and office.returncode != 0:
                raise RuntimeError(f"LibreOffice exited at start (status {office.returncode})") from None
            if time.monotonic() > deadline:
                raise RuntimeError("LibreOffice did not start in time") from None
            time.sleep(0.2)


def _convert(desktop, src: str, dst: str, filter_name: str) -> None:
    load = (_prop("Hidden", True), _prop("ReadOnly", True), _prop("UpdateDocMode", 0), _prop("MacroExecutionMode", 0))
    try:
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, load)
    except Exception as exc:  # IllegalArgumentException, IOException: the file is not a document it knows
        if type(exc).__name__ in _OFFICE_GONE:
            raise
        raise RuntimeError(f"cannot open the file ({type(exc).__name__})") from None
    if document is None:
        raise RuntimeError("cannot open the file")
    try:
        if filter_name == "MS Word 2007 XML" and hasattr(document, "getRedlines"):
            # Tracked changes as the document looks now: deletions gone, insertions kept.
            document.setPropertyValue("RecordChanges", False)
            document.setPropertyValue("ShowChanges", True)
        document.storeToURL(uno.systemPathToFileUrl(dst), (_prop("FilterName", filter_name),))
    finally:
        try:
            document.close(True)
        except Exception:
            with contextlib.suppress(Exception):
                document.dispose()


class Office:
    """One headless LibreOffice, started on first use and again after a crash or a kill."""

    def __init__(self, soffice: str, profile: str, pipe: str) -> None:
        self.soffice, self.profile, self.pipe = soffice, profile, pipe
        self.process: subprocess.Popen | None = None
        self.desktop = None
        self.starts = 0
        self.files = 0
        self._timed_out = threading.Event()

    def _ensure(self):
        if self.desktop is not None and self.process is not None and self.process.poll() is None:
            return self.desktop
        self.stop()
        # A new pipe name per start: a killed office may leave its old one behind.
        pipe = f"{self.pipe}_{self.starts}"
        command = [
            self.soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--nodefault",
            f"-env:UserInstallation={uno.systemPathToFileUrl(self.profile)}",
            f"--accept=pipe,name={pipe};urp;",
        ]
        # A process group of its own: the wrapper script starts soffice.bin, and a kill must reach both.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.starts += 1
        self.desktop = _connect(self.process, pipe)
        return self.desktop

    def convert(self, src: str, dst: str, filter_name: str, timeout: float) -> None:
        """Convert one file; raise RuntimeError with a one-line reason when it cannot be done."""
        desktop = self._ensure()
        self._timed_out.clear()
        watchdog = threading.Timer(timeout, self._kill_for_timeout)
        watchdog.daemon = True
        watchdog.start()
        try:
            _convert(desktop, src, dst, filter_name)
        except Exception as exc:
            if self._timed_out.is_set():
                raise RuntimeError(f"timed out after {timeout:g} s") from None
            if type(exc).__name__ in _OFFICE_GONE or (self.process is not None and self.process.poll() is not None):
                self.stop()
                raise RuntimeError("LibreOffice crashed on this file") from None
            if isinstance(exc, RuntimeError):  # already one line for the user
                raise
            raise RuntimeError(f"cannot convert it ({type(exc).__name__})") from None
        finally:
            watchdog.cancel()
        self.files += 1

    def _kill_for_timeout(self) -> None:
        self._timed_out.set()
        self.stop()

    def stop(self) -> None:
        """End this LibreOffice (the whole process group), if one runs."""
        process, self.process, self.desktop = self.process, None, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        else:  # the wrapper is gone; soffice.bin may not be
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def _send(connection: socket.socket, **fields: object) -> None:
    with contextlib.suppress(OSError):  # the client gave up waiting; the next one may not have
        connection.sendall((json.dumps(fields, ensure_ascii=False) + "\n").encode("utf-8"))


def _read_request(connection: socket.socket) -> dict | None:
    connection.settimeout(REQUEST_READ_TIMEOUT_S)
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = connection.recv(65536)
            if not chunk:
                return None
            data += chunk
        return json.loads(data)
    except (OSError, ValueError):
        return None


def _serve_one(office: Office, connection: socket.socket) -> None:
    request = _read_request(connection)
    if request is None:
        return
    if request.get("stats"):
        _send(connection, ok=True, starts=office.starts, files=office.files)
        return
    _send(connection, started=True)
    try:
        office.convert(request["src"], request["dst"], request["filter"], float(request.get("timeout", 120)))
    except Exception as exc:
        _send(connection, ok=False, error=str(exc) or type(exc).__name__)
    else:
        _send(connection, ok=True)


def main() -> int:
    """Serve conversion requests on the socket until stdin closes."""
    soffice, profile, address = sys.argv[1:4]
    office = Office(soffice, profile, f"indexer{os.getpid()}")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(address)
        server.listen(128)
        sys.stdout.write(json.dumps({"ok": True, "ready": True}) + "\n")
        sys.stdout.flush()
        events = selectors.DefaultSelector()
        events.register(server, selectors.EVENT_READ, "client")
        events.register(sys.stdin.fileno(), selectors.EVENT_READ, "owner")
        while True:
            for key, _ in events.select():
                if key.data == "owner":
                    if not os.read(sys.stdin.fileno(), 4096):
                        return 0  # stdin closed: the owner is done or gone
                    continue
                connection, _ = server.accept()
                with connection:
                    _serve_one(office, connection)
    finally:
        server.close()
        with contextlib.suppress(OSError):
            os.unlink(address)
        office.stop()


if __name__ == "__main__":
    sys.exit(main())
