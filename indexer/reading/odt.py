"""OpenDocument text (.odt, and the flat .fodt): paragraphs in reading order, read natively.

An .odt is a zip of XML like a .docx: ``content.xml`` holds the body, ``styles.xml``
the outline numbering of headings. Headings (``text:h``) keep their outline level
and the number the word processor shows (一、 （一）), numbered list items their
label, tables become one line per row (cells joined by "；", closed by "。"),
footnotes come last as "注1：…", and tracked deletions stay deleted.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from lxml import etree

from indexer.reading.document import Extracted, RawLine, UnreadableFile
from indexer.reading.docx_numbering import format_number
from indexer.reading.pdf_layout import TABLE_CELL_SEPARATOR, TABLE_ROW_END

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
MAX_XML_BYTES = 50 * 1024 * 1024
# Never resolve entities or fetch DTDs: the file is untrusted.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_SKIPPED = frozenset({f"{TEXT}tracked-changes", f"{TEXT}note", f"{TEXT}bookmark-ref", f"{OFFICE}annotation"})
# ODF num-format values → the formats indexer.reading.docx_numbering knows.
_FORMATS = {
    "1": "decimal",
    "一, 二, 三, ...": "chineseCounting",
    "壹, 贰, 叁, ...": "chineseLegalSimplified",
    "a": "lowerLetter",
    "A": "upperLetter",
    "i": "lowerRoman",
    "I": "upperRoman",
    "①, ②, ③, ...": "decimalEnclosedCircle",
}


def read_odt(data: bytes) -> Extracted:
    """Read an .odt package (or a flat .fodt document) into lines."""
    if data.startswith(b"PK"):
        content, styles, meta = _package_parts(data)
    else:
        content = styles = _parse(data)  # flat ODF: one document holds everything
        meta = content
    body = content.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise UnreadableFile("corrupt .odt: no text body")
    reader = _Reader(_outline_formats(styles), _list_formats(content) | _list_formats(styles))
    lines = list(reader.blocks(body))
    lines.extend(RawLine(f"注{n}：{note}") for n, note in enumerate(reader.notes, 1))
    title_el = meta.find(f".//{_DC_TITLE}") if meta is not None else None
    title = (title_el.text or "").strip() or None if title_el is not None else None
    return Extracted(lines=lines, title=title)


def _package_parts(data: bytes) -> tuple[Any, Any, Any]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("corrupt .odt: not a zip archive") from exc
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        if "content.xml" not in names:
            raise UnreadableFile("corrupt .odt: no content.xml")
        if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read("META-INF/manifest.xml"):
            raise UnreadableFile("password-protected .odt")

        def part(name: str) -> Any | None:
            if name not in names:
                return None
            if names[name].file_size > MAX_XML_BYTES:
                raise UnreadableFile(f"too large: {name} expands beyond 50 MB")
            return _parse(archive.read(name))

        return part("content.xml"), part("styles.xml"), part("meta.xml")


def _parse(blob: bytes) -> Any:
    try:
        return etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile("corrupt .odt: malformed XML") from exc


def _level_format(level_style: Any) -> tuple[str, str, str]:
    fmt = level_style.get(f"{STYLE}num-format", "")
    return (
        _FORMATS.get(fmt, "" if not fmt else "decimal"),
        level_style.get(f"{STYLE}num-prefix", ""),
        level_style.get(f"{STYLE}num-suffix", ""),
    )


def _outline_formats(styles: Any | None) -> dict[int, tuple[str, str, str]]:
    """Heading numbering by outline level: (format, prefix, suffix)."""
    out: dict[int, tuple[str, str, str]] = {}
    if styles is None:
        return out
    for level_style in styles.iter(f"{TEXT}outline-level-style"):
        out[int(level_style.get(f"{TEXT}level", "1"))] = _level_format(level_style)
    return out


def _list_formats(root: Any | None) -> dict[tuple[str, int], tuple[str, str, str]]:
    """Numbered list styles: (style name, level) → (format, prefix, suffix)."""
    out: dict[tuple[str, int], tuple[str, str, str]] = {}
    if root is None:
        return out
    for list_style in root.iter(f"{TEXT}list-style"):
        name = list_style.get(f"{STYLE}name", "")
        for level_style in list_style.iterchildren(f"{TEXT}list-level-style-number"):
            out[(name, int(level_style.get(f"{TEXT}level", "1")))] = _level_format(level_style)
    return out


class _Reader:
    """Walks the body; holds the heading counters and the footnotes met so far."""

    def __init__(self, outline: dict[int, tuple[str, str, str]], lists: dict[tuple[str, int], tuple[str, str, str]]):
        self._outline = outline
        self._lists = lists
        self._counters: dict[int, int] = {}
        self.notes: list[str] = []

    def blocks(self, container: Any, list_style: str = "", depth: int = 0) -> Iterator[RawLine]:
        counter = 0
        for child in container:
            tag = child.tag
            if tag == f"{TEXT}p":
                yield from self._lines(self._text(child))
            elif tag == f"{TEXT}h":
                yield from self._heading(child)
            elif tag == f"{TABLE}table":
                yield from self._rows(child)
            elif tag == f"{TEXT}list":
                yield from self.blocks(child, child.get(f"{TEXT}style-name", list_style), depth + 1)
            elif tag in (f"{TEXT}list-item", f"{TEXT}list-header"):
                counter += 1
                fmt = self._lists.get((list_style, depth))
                label = _label(counter, fmt) if fmt and tag == f"{TEXT}list-item" else ""
                lines = list(self.blocks(child, list_style, depth))
                if lines and label and not lines[0].text.startswith(label):
                    lines[0] = RawLine(label + lines[0].text, lines[0].heading_level)
                yield from lines
            elif tag in _SKIPPED or not isinstance(tag, str):
                continue
            elif tag in (f"{TEXT}section", f"{TABLE}table-header-rows", f"{TEXT}soft-page-break"):
                yield from self.blocks(child, list_style, depth)

    def _heading(self, element: Any) -> Iterator[RawLine]:
        level = int(element.get(f"{TEXT}outline-level", "1") or 1)
        self._counters[level] = self._counters.get(level, 0) + 1
        for deeper in [k for k in self._counters if k > level]:
            del self._counters[deeper]
        text = self._text(element)
        fmt = self._outline.get(level)
        if element.get(f"{TEXT}is-list-header") != "true" and fmt and fmt[0]:
            text = _label(self._counters[level], fmt) + text
        for line in text.split("\n"):
            yield RawLine(line, level)

    def _rows(self, table: Any) -> Iterator[RawLine]:
        for row in table.iter(f"{TABLE}table-row"):
            cells = []
            for cell in row.iterchildren(f"{TABLE}table-cell"):
                text = "".join(line.text.strip() for line in self.blocks(cell) if line.text.strip())
                if text:
                    cells.append(text)
            if cells:
                yield RawLine(TABLE_CELL_SEPARATOR.join(cells).rstrip(TABLE_ROW_END) + TABLE_ROW_END)

    def _text(self, element: Any) -> str:
        parts: list[str] = [element.text or ""]
        for child in element:
            tag = child.tag
            if tag == f"{TEXT}s":
                parts.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
            elif tag == f"{TEXT}tab":
                parts.append("\t")
            elif tag == f"{TEXT}line-break":
                parts.append("\n")
            elif tag == f"{TEXT}note":
                body = child.find(f"{TEXT}note-body")
                if body is not None:
                    note = "".join(line.text for line in self.blocks(body)).strip()
                    if note:
                        self.notes.append(note)
            elif tag in _SKIPPED or not isinstance(tag, str):
                pass
            else:
                parts.append(self._text(child))
            parts.append(child.tail or "")
        return "".join(parts)

    @staticmethod
    def _lines(text: str) -> Iterator[RawLine]:
        for line in text.split("\n"):
            yield RawLine(line)


def _label(number: int, fmt: tuple[str, str, str]) -> str:
    kind, prefix, suffix = fmt
    return f"{prefix}{format_number(number, kind)}{suffix}"
