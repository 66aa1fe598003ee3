"""Reading stage of the indexer: the bytes of one file → a RawDocument of text lines.

Faithful, not clean: lines come out as the file holds them (blank lines, indentation,
page furniture of PDFs included); cleaning and splitting happen downstream.

    >>> doc = read_source(Path("总结/2023年上半年工会工作总结.docx"))  # doctest: +SKIP
    >>> [line.text for line in doc.lines if line.heading_level is not None]  # doctest: +SKIP

The reader is chosen by :func:`content_format`, the one place that decides what a
file is (the portal's upload admission asks it too): a PDF, Word or OLE signature wins
over the name, and a ".doc" that is really HTML, MHTML or plain text is read as what it
is. ``SourceFile.format`` still names the (normalised) suffix. Every failure is an
:class:`UnreadableFile` with a one-line ``reason``; unexpected errors inside a reader
are wrapped the same way.
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
from indexer.reading.sniff import Content, is_encrypted_ooxml, is_odt_package, is_word_zip, sniff
from indexer.reading.text import read_text

__all__ = [
    "FORMAT_SUFFIXES",
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "NotADocument",
    "PasswordProtected",
    "RawDocument",
    "RawLine",
    "UnreadableFile",
    "content_format",
    "decode_text",
    "format_of",
    "read_source",
    "source_bytes",
]

log = logging.getLogger(__name__)

#: What content_format answers, each with the suffixes a file of that format may carry
#: (the usual one first). .doc, .wps and .rtf need antiword or LibreOffice at run time;
#: without them they fail with a hint.
FORMAT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "txt": (".txt", ".text", ".md", ".markdown"),
    "docx": (".docx", ".docm", ".dotx"),
    "pdf": (".pdf",),
    "html": (".html", ".htm", ".xhtml", ".shtml"),
    "mhtml": (".mht", ".mhtml"),
    "doc": (".doc", ".wps"),
    "rtf": (".rtf",),
    "odt": (".odt", ".fodt"),
}
#: Lower-case suffixes (with the dot) that read_source accepts.
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(suffix for group in FORMAT_SUFFIXES.values() for suffix in group)
# Spelling variants of one format share a format name.
_FORMAT_ALIASES = {"text": "txt", "markdown": "md", "htm": "html", "xhtml": "html", "shtml": "html", "mht": "mhtml"}
_DOCX_FORMATS = frozenset({"docx", "docm", "dotx"})
# Markup is read as markup only under these names ("" is no name: bytes judged alone).
# A .txt or .md that happens to start with a tag stays text, as its author saved it.
_MARKUP_NAMES = frozenset({"", "html", "mhtml", "doc", "wps"})
# Bytes without a signature are what these names say (flat ODF and web pages carry
# none; a .docx without one is a damaged package, and its reader says so);
# under any other name they are text.
_UNSIGNED = {
    "docx": "docx",
    "docm": "docx",
    "dotx": "docx",
    "html": "html",
    "mhtml": "html",
    "odt": "odt",
    "fodt": "odt",
}

#: Files above this size are refused rather than loaded into memory.
MAX_FILE_BYTES = 256 * 1024 * 1024


class NotADocument(UnreadableFile):
    """The bytes are a zip archive that holds no Word or OpenDocument text."""


class PasswordProtected(UnreadableFile):
    """The bytes are an encrypted Word file: nothing can be read without its password."""


def format_of(path: Path) -> str:
    """The normalised format name of ``path`` (suffix without dot, lower case, aliased).

    Raises UnreadableFile("unknown format .xyz") for suffixes outside SUPPORTED_SUFFIXES.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(f"unknown format {suffix}" if suffix else "unknown format (no file extension)")
    name = suffix[1:]
    return _FORMAT_ALIASES.get(name, name)


def content_format(data: bytes, suffix_format: str = "") -> str:
    """The format ``data`` is read as, a key of FORMAT_SUFFIXES: its signature's, else its name's.

    ``suffix_format`` is the name's format as :func:`format_of` gives it, or ""
    to judge the bytes alone (an upload, whose name may lie). Signatures that
    cannot occur in text win over the name; HTML and MHTML only under a web
    page's or a Word name, or none; bytes with no signature are what the name
    says, else text.
    Raises NotADocument for a zip that is no document, PasswordProtected for an
    encrypted Word file, UnreadableFile for a .pdf without a PDF header.
    """
    content = sniff(data)
    if content is Content.PDF:
        return "pdf"
    if content is Content.ZIP:
        return _zip_format(data, suffix_format)
    if content is Content.OLE:
        if is_encrypted_ooxml(data):
            raise PasswordProtected("password-protected Word file")
        return "doc"
    if content is Content.RTF:
        return "rtf"
    if content in (Content.MHTML, Content.HTML) and suffix_format in _MARKUP_NAMES:
        return content.value
    if suffix_format == "pdf":
        raise UnreadableFile("corrupt .pdf: no PDF header")
    # txt, md, rtf without an RTF header, and .doc/.wps that are neither OLE nor HTML
    # (some "Word" files from template sites are plain text).
    return _UNSIGNED.get(suffix_format, "txt")


def _zip_format(data: bytes, suffix_format: str) -> str:
    """A zip archive: OpenDocument or Word by its contents, or by a name that says so."""
    if suffix_format == "odt" or is_odt_package(data):
        return "odt"
    # A .docx whose package is damaged is still read as one: its reader tells what is wrong.
    if suffix_format in _DOCX_FORMATS or is_word_zip(data):
        return "docx"
    named = f"this .{suffix_format}" if suffix_format else "this file"
    raise NotADocument(f"unsupported: {named} is a zip archive, not a Word document")


def source_bytes(path: Path) -> bytes:
    """The bytes of ``path``; UnreadableFile when its format is unknown, it is too large or cannot be opened."""
    format_of(path)  # a file no reader takes is not read at all
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(f"too large ({size // 2**20} MB, limit {MAX_FILE_BYTES // 2**20} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot open file: {exc.strerror or type(exc).__name__}") from exc


def read_source(path: Path, data: bytes | None = None, sha256: str | None = None) -> RawDocument:
    """Read one file into a RawDocument; raise UnreadableFile with a short reason if impossible.

    ``data`` (and its ``sha256``) are the file's bytes when the caller has read them
    already (an ingest reads and hashes a file to see whether it changed): the file
    is then not read or hashed again, only its modification time is looked up.
    """
    path = Path(path)
    fmt = format_of(path)
    data = source_bytes(path) if data is None else data
    try:
        modified = path.stat().st_mtime
    except OSError as exc:
        raise UnreadableFile(f"cannot open file: {exc.strerror or type(exc).__name__}") from exc
    if not data:
        raise UnreadableFile("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"too large ({len(data) // 2**20} MB, limit {MAX_FILE_BYTES // 2**20} MB)")
    extracted = _extract(data, fmt)
    source = SourceFile(
        path=str(path),
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        format=fmt,
        encoding=extracted.encoding,
        size=len(data),
        modified=datetime.fromtimestamp(modified, tz=UTC).isoformat(timespec="seconds"),
    )
    return RawDocument(source=source, lines=extracted.lines, title=extracted.title, publish_date=extracted.publish_date)


def _extract(data: bytes, fmt: str) -> Extracted:
    try:
        return _reader(data, content_format(data, fmt), fmt)()
    except UnreadableFile:
        raise
    except Exception as exc:  # a reader bug or a library choking on a malformed file
        log.debug("reader failed on a .%s file", fmt, exc_info=True)
        raise UnreadableFile(f"corrupt or unsupported .{fmt} ({type(exc).__name__})") from exc


def _reader(data: bytes, kind: str, fmt: str) -> Callable[[], Extracted]:
    """The reader of format ``kind`` for ``data``; ``fmt`` (the name's) words its messages."""
    if kind == "docx":
        return lambda: read_docx(data, fmt if fmt in _DOCX_FORMATS else "docx")
    if kind == "doc":
        # The converters are handed a file of this suffix: the name's when it is a Word one.
        return lambda: read_legacy(data, fmt if fmt in ("doc", "wps") else "doc")
    if kind == "rtf":
        return lambda: read_legacy(data, fmt, rtf=True)
    if kind == "txt":
        return lambda: read_text(data, fmt)
    read = {"pdf": read_pdf, "odt": read_odt, "mhtml": read_mhtml, "html": read_html}[kind]
    return lambda: read(data)
