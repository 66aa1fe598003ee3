"""Old binary word-processor files (.doc, .wps) and RTF, through an external converter.

No maintained pure-Python reader exists for these formats, so the text comes from
``antiword`` (Word 97–2003 .doc) or LibreOffice (``soffice --convert-to txt``, which
also reads WPS and RTF) when one is installed. Each runs in its own process group
with a timeout, because a malformed file can make a converter hang.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from indexer.reading.document import Extracted, UnreadableFile, lines_from_text
from indexer.reading.encoding import BinaryContent, decode_text

ANTIWORD_TIMEOUT_S = 60
SOFFICE_TIMEOUT_S = 180  # includes LibreOffice's start-up, seconds on a cold profile


def read_legacy(data: bytes, fmt: str, *, rtf: bool = False) -> Extracted:
    """Convert a .doc/.wps (or, with ``rtf``, an RTF document) to lines of text.

    Raises UnreadableFile("unsupported: install …") when no converter is on PATH.
    """
    antiword = None if rtf else shutil.which("antiword")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    # antiword is fast and exact for Word 97+; LibreOffice reads what it cannot
    # (WPS, Word 6/95, RTF). WPS files go to LibreOffice first for the same reason.
    converters = [c for c in ((soffice, antiword) if fmt == "wps" else (antiword, soffice)) if c]
    if not converters:
        if rtf:
            raise UnreadableFile("unsupported: install LibreOffice to read RTF")
        raise UnreadableFile(f"unsupported: install antiword or LibreOffice to read .{fmt}")
    failure = UnreadableFile(f"cannot convert .{fmt}")
    with tempfile.TemporaryDirectory(prefix="indexer-legacy-") as tmp:
        # The converters want a path; a private copy also keeps odd characters in the
        # original name out of the command line and away from LibreOffice's naming.
        source = Path(tmp) / f"input.{'rtf' if rtf else fmt}"
        source.write_bytes(data)
        for converter in converters:
            try:
                if converter == antiword:
                    output = _antiword(converter, source)
                else:
                    output = _soffice(converter, source, Path(tmp))
            except UnreadableFile as exc:
                failure = exc
                continue
            try:
                text, _ = decode_text(output)
            except BinaryContent as exc:
                raise UnreadableFile(f"converter returned binary output for .{fmt}") from exc
            return Extracted(lines=lines_from_text(text))
    raise failure


def _antiword(antiword: str, source: Path) -> bytes:
    # -m UTF-8.txt: output UTF-8 (default is Latin-1); -w 0: one paragraph per line.
    code, out, err = _run([antiword, "-m", "UTF-8.txt", "-w", "0", str(source)], ANTIWORD_TIMEOUT_S)
    if code != 0:
        raise UnreadableFile(f"antiword failed: {_detail(code, err, source)}")
    return out


def _soffice(soffice: str, source: Path, tmp: Path) -> bytes:
    outdir = tmp / "out"
    command = [
        soffice,
        "--headless",
        "--norestore",
        "--nolockcheck",
        # A private profile: a user's running LibreOffice or a parallel worker would
        # otherwise hold the default profile's lock and the call would do nothing.
        f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
        "--convert-to",
        "txt:Text (encoded):UTF8",
        "--outdir",
        str(outdir),
        str(source),
    ]
    code, _, err = _run(command, SOFFICE_TIMEOUT_S)
    produced = outdir / f"{source.stem}.txt"
    if code != 0 or not produced.exists():
        raise UnreadableFile(f"LibreOffice failed: {_detail(code, err, source)}")
    return produced.read_bytes()


def _run(command: list[str], timeout: float) -> tuple[int, bytes, bytes]:
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # soffice forks soffice.bin: end the whole group we started, not just the parent.
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise UnreadableFile(f"{Path(command[0]).name} timed out after {timeout:g} s") from None
    return process.returncode, out, err


def _detail(code: int, stderr: bytes, source: Path) -> str:
    """Why a converter failed, short enough for a status line and without our temp path."""
    text = stderr.decode("utf-8", errors="replace").replace(str(source), "file")
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if line:
        return line[:120]
    # antiword segfaults on some damaged files instead of reporting them
    return f"crashed (signal {-code})" if code < 0 else f"exit status {code}, no output"
