"""A LibreOffice conversion server, run under a Python that has LibreOffice's ``uno`` module.

Not imported by the indexer: :mod:`indexer.reading.office` starts it as
``<python-with-uno> uno_bridge.py <soffice> <profile-dir> <pipe-name>``. It starts one
headless LibreOffice, connects to it over a named pipe, then converts one file per
request line on stdin, answering one JSON line on stdout each:

    {"src": "/tmp/a.wps", "dst": "/tmp/a.docx", "filter": "MS Word 2007 XML"}
    → {"ok": true}  or  {"ok": false, "error": "cannot load"}

The first line it writes is {"ok": true, "ready": true} once LibreOffice answers (or
an error). When stdin closes — the indexer finished, or died — it ends LibreOffice and
itself, so no office process outlives the process that started it. Standard library
and ``uno`` only: this file runs outside the project's virtual environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]  # LibreOffice's own binding (Debian: python3-uno)
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

CONNECT_TIMEOUT_S = 60.0


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _reply(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _start_office(soffice: str, profile: str, pipe: str) -> subprocess.Popen:
    command = [
        soffice,
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        "--nodefault",
        f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
        f"--accept=pipe,name={pipe};urp;",
    ]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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
            document.dispose()


def main() -> int:
    """Serve conversion requests until stdin closes."""
    soffice, profile, pipe = sys.argv[1:4]
    office = _start_office(soffice, profile, pipe)
    try:
        try:
            desktop = _connect(office, pipe)
        except RuntimeError as exc:
            _reply(ok=False, error=str(exc))
            return 1
        _reply(ok=True, ready=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            try:
                _convert(desktop, request["src"], request["dst"], request["filter"])
            except Exception as exc:
                _reply(ok=False, error=str(exc) or type(exc).__name__)
            else:
                _reply(ok=True)
        with contextlib.suppress(Exception):
            desktop.terminate()
        return 0
    finally:
        if office.poll() is None:
            office.terminate()
            try:
                office.wait(10)
            except subprocess.TimeoutExpired:
                office.kill()
        # The wrapper may leave soffice.bin behind in our process group; we lead it.
        if os.getpgid(0) == os.getpid():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.killpg(0, signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())
