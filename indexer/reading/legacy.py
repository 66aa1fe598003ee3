"""Old binary word-processor files (.doc, .wps) and RTF, through external converters.

No maintained pure-Python reader exists for these formats. LibreOffice comes first
when installed: it converts the file to .docx in a long-lived session
(indexer.reading.office), and the .docx reader then keeps what plain text loses —
Word's automatic numbering (一、（一）1.), heading styles, tables row by row,
footnotes — while tracked deletions stay deleted. ``antiword`` is the fallback for
Word 97–2003 files (fast and exact for the text, but without numbering or tables).
Each converter runs with a timeout, because a malformed file can make one hang.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from indexer.reading import office
from indexer.reading.document import Extracted, UnreadableFile, lines_from_text
from indexer.reading.docx import read_docx
from indexer.reading.encoding import BinaryContent, decode_text
from indexer.reading.rtf_lists import literal_list_numbers

ANTIWORD_TIMEOUT_S = 60
_DOCX_FILTER = "MS Word 2007 XML"


def read_legacy(data: bytes, fmt: str, *, rtf: bool = False) -> Extracted:
    """Read a .doc/.wps (or, with ``rtf``, an RTF document): LibreOffice first, then antiword.

    Raises UnreadableFile("unsupported: install …") when no converter is on PATH, and
    otherwise the most telling converter's one-line reason.
    """
    antiword = None if rtf else shutil.which("antiword")
    soffice = office.find_soffice()
    if soffice is None and antiword is None:
        if rtf:
            raise UnreadableFile("unsupported: install LibreOffice to read RTF")
        raise UnreadableFile(f"unsupported: install antiword or LibreOffice to read .{fmt}")
    failures: dict[str, UnreadableFile] = {}
    with tempfile.TemporaryDirectory(prefix="indexer-legacy-") as tmp:
        # The converters want a path; a private copy also keeps odd characters in the
        # original name out of the command line and away from LibreOffice's naming.
        source = Path(tmp) / f"input.{'rtf' if rtf else fmt}"
        # RTF: the numbers as the author saw them, not as LibreOffice re-renders them.
        source.write_bytes(literal_list_numbers(data) if rtf else data)
        if soffice is not None:
            try:
                converted = office.convert(source, "docx", _DOCX_FILTER)
                return _from_docx(converted.read_bytes(), fmt)
            except UnreadableFile as exc:
                failures["LibreOffice"] = exc
        if antiword is not None:
            try:
                return _from_text(_antiword(antiword, source), fmt)
            except UnreadableFile as exc:
                failures["antiword"] = exc
    raise _most_telling(failures, fmt)


def _from_docx(data: bytes, fmt: str) -> Extracted:
    extracted = read_docx(data, "docx")
    if not any(line.text.strip() for line in extracted.lines):
        raise UnreadableFile(f"no text in this .{fmt}")
    # The converted package's title is LibreOffice's, not the author's, when it has none.
    return extracted


def _from_text(output: bytes, fmt: str) -> Extracted:
    try:
        text, _ = decode_text(output)
    except BinaryContent as exc:
        raise UnreadableFile(f"converter returned binary output for .{fmt}") from exc
    return Extracted(lines=lines_from_text(text))


def _most_telling(failures: dict[str, UnreadableFile], fmt: str) -> UnreadableFile:
    """antiword names the cause of a bad Word file ("… is not a Word Document", encrypted);
    LibreOffice only says it cannot open it, so antiword's reason wins when it ran."""
    if "antiword" in failures:
        return failures["antiword"]
    if "LibreOffice" in failures:
        return failures["LibreOffice"]
    return UnreadableFile(f"cannot convert .{fmt}")


def _antiword(antiword: str, source: Path) -> bytes:
    # -m UTF-8.txt: output UTF-8 (default is Latin-1); -w 0: one paragraph per line.
    code, out, err = office.run_tool(
        [antiword, "-m", "UTF-8.txt", "-w", "0", str(source)], ANTIWORD_TIMEOUT_S, "antiword"
    )
    if code != 0:
        raise UnreadableFile(f"antiword failed: {office.tool_detail(code, err, source)}")
    return out
