"""Reading stage of the indexer: the bytes of one file → a RawDocument of text lines.

Faithful, not clean: lines come out as the file holds them (blank lines, indentation,
page furniture of PDFs included); cleaning and splitting happen downstream.

    >>> doc = read_source(Path("总结/2023年上半年工会工作总结.docx"))  # doctest: +SKIP
    >>> [line.text for line in doc.lines if line.heading_level is not None]  # doctest: +SKIP

The reader is chosen from the file's suffix and, where they disagree, from its
content: a PDF, Word or OLE signature wins over the name, and a ".doc" that is really
HTML, MHTML or plain text is read as what it is. ``SourceFile.format`` still names
the (normalised) suffix. Every failure is an :class:`UnreadableFile` with a one-line
``reason``; unexpected errors inside a reader are wrapped the same way.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from indexer.model import SourceFile
from indexer.reading.document import Extracted, RawDocument, RawLine, UnreadableFile
from indexer.reading.docx import read_docx
from indexer.reading.encoding import decode_text
from indexer.reading.html import read_html
from indexer.reading.legacy import read_legacy
from indexer.reading.mhtml import read_mhtml
from indexer.reading.odt import read_odt
from indexer.reading.pdf import read_pdf
from indexer.reading.sniff import Content, is_encrypted_ooxml, is_word_zip, sniff
from indexer.reading.text import read_text

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "RawDocument",
    "RawLine",
    "UnreadableFile",
    "decode_text",
    "format_of",
    "read_source",
]

log = logging.getLogger(__name__)

#: Lower-case suffixes (with the dot) that read_source accepts. .doc, .wps and .rtf
#: need antiword or LibreOffice at run time; without them they fail with a hint.
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".docx",
        ".docm",
        ".dotx",
        ".pdf",
        ".html",
        ".htm",
        ".xhtml",
        ".shtml",
        ".mht",
        ".mhtml",
        ".doc",
        ".wps",
        ".rtf",
        ".odt",
        ".fodt",
    }
)
# Spelling variants of one format share a format name.
_FORMAT_ALIASES = {"text": "txt", "markdown": "md", "htm": "html", "xhtml": "html", "shtml": "html", "mht": "mhtml"}
_DOCX_FORMATS = frozenset({"docx", "docm", "dotx"})
# An OpenDocument package stores its media type first, uncompressed (ODF 1.2, 3.3).
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"

#: Files above this size are refused rather than loaded into memory.
MAX_FILE_BYTES = 256 * 1024 * 1024


def format_of(path: Path) -> str:
    """The normalised format name of ``path`` (suffix without dot, lower case, aliased).

    Raises UnreadableFile("unknown format .xyz") for suffixes outside SUPPORTED_SUFFIXES.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(f"unknown format {suffix}" if suffix else "unknown format (no file extension)")
    name = suffix[1:]
    return _FORMAT_ALIASES.get(name, name)


def read_source(path: Path) -> RawDocument:
    """Read one file into a RawDocument; raise UnreadableFile with a short reason if impossible."""
    path = Path(path)
    fmt = format_of(path)
    try:
        stat = path.stat()
        if stat.st_size > MAX_FILE_BYTES:
            raise UnreadableFile(f"too large ({stat.st_size // 2**20} MB, limit {MAX_FILE_BYTES // 2**20} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot open file: {exc.strerror or type(exc).__name__}") from exc
    if not data:
        raise UnreadableFile("empty file")
    extracted = _extract(data, fmt)
    source = SourceFile(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        encoding=extracted.encoding,
        size=len(data),
        modified=datetime.fromtimestamp(stat.st_mtime, tz=UTC).isoformat(timespec="seconds"),
    )
    return RawDocument(source=source, lines=extracted.lines, title=extracted.title, publish_date=extracted.publish_date)


def _extract(data: bytes, fmt: str) -> Extracted:
    reader = _choose_reader(data, fmt)
    try:
        return reader()
    except UnreadableFile:
        raise
    except Exception as exc:  # a reader bug or a library choking on a malformed file
        log.debug("reader failed on a .%s file", fmt, exc_info=True)
        raise UnreadableFile(f"corrupt or unsupported .{fmt} ({type(exc).__name__})") from exc


def _choose_reader(data: bytes, fmt: str) -> Callable[[], Extracted]:
    """Content signatures first (they do not lie), then the suffix."""
    content = sniff(data)
    if content is Content.PDF:
        return lambda: read_pdf(data)
    if content is Content.ZIP:
        if fmt == "odt" or _ODT_MIMETYPE in data[:100]:
            return lambda: read_odt(data)
        if fmt in _DOCX_FORMATS or is_word_zip(data):
            return lambda: read_docx(data, fmt if fmt in _DOCX_FORMATS else "docx")
        return _fail(f"unsupported: this .{fmt} is a zip archive, not a Word document")
    if content is Content.OLE:
        if is_encrypted_ooxml(data):
            return _fail("password-protected Word file")
        return lambda: read_legacy(data, fmt if fmt in ("doc", "wps") else "doc")
    if content is Content.RTF:
        return lambda: read_legacy(data, fmt, rtf=True)
    if content is Content.MHTML and fmt in ("html", "mhtml", "doc", "wps"):
        return lambda: read_mhtml(data)
    if content is Content.HTML and fmt in ("html", "mhtml", "doc", "wps"):
        return lambda: read_html(data)
    if fmt in _DOCX_FORMATS:
        return lambda: read_docx(data, fmt)  # fails with "corrupt .docx: not a zip archive"
    if fmt == "pdf":
        return _fail("corrupt .pdf: no PDF header")
    if fmt in ("html", "mhtml"):
        return lambda: read_html(data)
    if fmt in ("odt", "fodt"):
        return lambda: read_odt(data)
    # txt, md, rtf without an RTF header, and .doc/.wps that are neither OLE nor HTML
    # (some "Word" files from template sites are plain text).
    return lambda: read_text(data, fmt)


def _fail(reason: str) -> Callable[[], Extracted]:
    def fail() -> Extracted:
        raise UnreadableFile(reason)

    return fail
