"""Word 2007+ files (.docx, and the .docm/.dotx variants): paragraphs in reading order.

The package is opened the way python-docx opens it (indexer.reading.docx_package),
reading only the parts used here; the body is walked at the XML level because
python-docx's high-level API skips content controls (w:sdt), text boxes and
tracked insertions, all of which hold text in real-world summaries copied from
templates.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from indexer.reading.document import Extracted, RawLine, UnreadableFile
from indexer.reading.docx_numbering import Numbering, definitions_from_xml
from indexer.reading.docx_package import MissingPart, WordParts, cached_by_content, find_parts, parse_part
from indexer.reading.pdf_layout import TABLE_CELL_SEPARATOR, TABLE_ROW_END

MAX_XML_PART_BYTES = 50 * 1024 * 1024  # one XML part, uncompressed (zip-bomb guard)
MAX_PACKAGE_BYTES = 1024 * 1024 * 1024  # whole package, uncompressed
MAX_PACKAGE_ENTRIES = 10_000  # a real document has dozens of parts, a few thousand with many images
#: Deflate cannot shrink real Word XML much beyond 100:1; zip bombs reach 1000:1.
MAX_COMPRESSION_RATIO = 200
#: Parts smaller than this are never suspicious, whatever their ratio.
RATIO_CHECK_FROM_BYTES = 1024 * 1024

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_VAL = f"{W}val"
_P, _R, _T, _TAB, _PTAB, _BR, _CR = (f"{W}{t}" for t in ("p", "r", "t", "tab", "ptab", "br", "cr"))
_PPR, _RPR = f"{W}pPr", f"{W}rPr"
_TXBX = f"{W}txbxContent"
_TBL, _TR, _TC = f"{W}tbl", f"{W}tr", f"{W}tc"
_ALTERNATE = f"{MC}AlternateContent"
_BLOCK_CONTAINERS = frozenset(
    f"{W}{t}" for t in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag")
)
# Subtrees that never contribute visible text of this paragraph.
_SKIP = frozenset({_PPR, _RPR, f"{W}del", f"{W}moveFrom", f"{W}instrText", f"{W}delText", f"{W}sectPr"})
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_NAMES = frozenset({"title", "标题"})


@dataclass(frozen=True)
class _StyleInfo:
    heading_level: int | None = None
    num_id: str | None = None
    ilvl: int | None = None


def read_docx(data: bytes, fmt: str = "docx") -> Extracted:
    """Read a .docx: body paragraphs, table cells (row by row) and text boxes, in order.

    ``fmt`` (docx, docm, dotx) only words the error messages.
    """
    with _open_package(data, fmt) as archive:
        try:
            parts = find_parts(archive)
        except MissingPart:
            # A relationship points at a part the zip lacks (some generators leave these);
            # Word opens such files, so read the standard part names directly.
            parts = _plain_parts(archive)
    if parts.document is None:
        raise UnreadableFile(f"corrupt .{fmt}: not a Word document package")
    # Every part is parsed before the body is looked for: a malformed part refuses the
    # file whatever else is wrong with it, as when python-docx parsed them all on opening.
    title = _title(parts.core)
    document = parse_part(parts.document)
    styles, default_style = _styles_of(parts.styles) if parts.styles is not None else ({}, None)
    definitions = definitions_from_xml(parts.numbering) if parts.numbering is not None else None
    body = document.find(f"{W}body")
    if body is None:
        raise UnreadableFile(f"corrupt .{fmt}: document has no body")
    numbering = Numbering(definitions, {sid: info.num_id for sid, info in styles.items() if info.num_id})
    walker = _BodyWalker(styles, default_style, numbering)
    lines = list(walker.lines(body))
    lines.extend(_footnotes(data, walker))
    return Extracted(lines=lines, title=title)


def _footnotes(data: bytes, walker: _BodyWalker) -> list[RawLine]:
    """Footnotes, for the end of the document: "注1：…" (separators and empty notes skipped)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/footnotes.xml" not in archive.namelist():
            return []
        root = parse_part(archive.read("word/footnotes.xml"))
    notes: list[str] = []
    for note in root.iterchildren(f"{W}footnote"):
        if note.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = "".join(line.text for line in walker.lines(note)).strip()
        if text:
            notes.append(text)
    return [RawLine(f"注{number}：{text}") for number, text in enumerate(notes, 1)]


def _plain_parts(archive: zipfile.ZipFile) -> WordParts:
    """The document, styles, numbering and core properties under their usual part names."""
    names = set(archive.namelist())

    def part(name: str) -> bytes | None:
        return archive.read(name) if name in names else None

    return WordParts(
        part("word/document.xml"), part("word/styles.xml"), part("word/numbering.xml"), part("docProps/core.xml")
    )


def _title(core: bytes | None) -> str | None:
    """The document title from the core properties, if it has a non-blank one."""
    title = parse_part(core).find(_DC_TITLE) if core is not None else None
    return ((title.text or "").strip() or None) if title is not None else None


def _open_package(data: bytes, fmt: str) -> zipfile.ZipFile:
    """The open zip archive, once its declared sizes show it is no zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"corrupt .{fmt}: not a zip archive") from exc
    try:
        _check_sizes(archive.infolist(), fmt)
    except UnreadableFile:
        archive.close()
        raise
    return archive


def _check_sizes(infos: list[zipfile.ZipInfo], fmt: str) -> None:
    # zipfile never inflates past the declared size (a part whose real data is
    # longer fails its CRC check), so the declared sizes bound memory.
    if len(infos) > MAX_PACKAGE_ENTRIES:
        raise UnreadableFile(f"too many parts: .{fmt} holds {len(infos)} files (limit {MAX_PACKAGE_ENTRIES})")
    for info in infos:
        if info.filename.endswith(".xml") and info.file_size > MAX_XML_PART_BYTES:
            mb = info.file_size // (1024 * 1024)
            raise UnreadableFile(f"too large: {info.filename} expands to {mb} MB (limit 50 MB)")
        if info.file_size >= RATIO_CHECK_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise UnreadableFile(
                f"suspicious compression: {info.filename} expands {info.file_size // max(info.compress_size, 1)}×"
                f" (limit {MAX_COMPRESSION_RATIO}×), a zip bomb?"
            )
    if sum(info.file_size for info in infos) > MAX_PACKAGE_BYTES:
        raise UnreadableFile(f"too large: .{fmt} expands to over 1 GB")


def _on(element: Any | None) -> bool:
    """A WordprocessingML on/off property: present and not explicitly switched off."""
    return element is not None and element.get(_VAL, "true") not in ("0", "false", "off")


@cached_by_content
def _styles_of(blob: bytes) -> tuple[Mapping[str, _StyleInfo], str | None]:
    """The styles of a styles.xml part (read-only: the result is shared)."""
    styles, default_style = _read_styles(parse_part(blob))
    return MappingProxyType(styles), default_style


def _read_styles(root: Any) -> tuple[dict[str, _StyleInfo], str | None]:
    """Heading level and list numbering of each paragraph style, through ``basedOn``."""
    raw: dict[str, tuple[str, str | None, Any]] = {}
    default_style: str | None = None
    for style in root.iterchildren(f"{W}style"):
        if style.get(f"{W}type") != "paragraph" or style.get(f"{W}styleId") is None:
            continue
        style_id = style.get(f"{W}styleId")
        name_el, based_el = style.find(f"{W}name"), style.find(f"{W}basedOn")
        name = name_el.get(_VAL, "") if name_el is not None else ""
        raw[style_id] = (name, based_el.get(_VAL) if based_el is not None else None, style.find(_PPR))
        if style.get(f"{W}default") in ("1", "true", "on"):
            default_style = style_id

    resolved: dict[str, _StyleInfo] = {}

    def resolve(style_id: str, depth: int = 0) -> _StyleInfo:
        if style_id in resolved:
            return resolved[style_id]
        if style_id not in raw or depth > 20:  # missing or cyclic basedOn chain
            return _StyleInfo()
        name, based_on, ppr = raw[style_id]
        parent = resolve(based_on, depth + 1) if based_on else _StyleInfo()
        level, num_id, ilvl = parent.heading_level, parent.num_id, parent.ilvl
        outline = _outline_level(ppr)
        match = _HEADING_NAME.match(name.strip())
        if match:
            level = int(match.group(1))
        elif name.strip().lower() in _TITLE_NAMES:
            level = 0
        elif outline is not None:
            level = outline
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        if num_pr is not None:
            num_id, ilvl = _num_pr(num_pr, num_id, ilvl)
        resolved[style_id] = info = _StyleInfo(level, num_id, ilvl)
        return info

    for style_id in raw:
        resolve(style_id)
    return resolved, default_style


def _outline_level(ppr: Any | None) -> int | None:
    """``w:outlineLvl`` 0–8 is heading level 1–9; 9 means body text."""
    element = ppr.find(f"{W}outlineLvl") if ppr is not None else None
    if element is None:
        return None
    try:
        value = int(element.get(_VAL, "9"))
    except ValueError:
        return None
    return value + 1 if 0 <= value < 9 else None


def _num_pr(num_pr: Any, num_id: str | None, ilvl: int | None) -> tuple[str | None, int | None]:
    id_el, lvl_el = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
    if id_el is not None:
        num_id = id_el.get(_VAL)
    if lvl_el is not None:
        with contextlib.suppress(ValueError):  # a malformed level keeps the style's
            ilvl = int(lvl_el.get(_VAL, "0"))
    return num_id, ilvl


class _BodyWalker:
    """Turns body XML into RawLines; holds the per-document style and numbering state."""

    def __init__(self, styles: Mapping[str, _StyleInfo], default_style: str | None, numbering: Numbering):
        self._styles = styles
        self._default_style = default_style
        self._numbering = numbering

    def lines(self, container: Any) -> Iterator[RawLine]:
        for block in self._paragraphs(container):
            if block.tag == _TBL:
                yield from self._table_rows(block)
            else:
                yield from self._paragraph_lines(block)

    def _paragraphs(self, container: Any) -> Iterator[Any]:
        """Paragraphs and tables (kept whole) in reading order."""
        for child in container:
            tag = child.tag
            if tag in (_P, _TBL):
                yield child
            elif tag in _BLOCK_CONTAINERS:
                yield from self._paragraphs(child)
            elif tag == _ALTERNATE and len(child):
                yield from self._paragraphs(child[0])  # mc:Choice; Fallback repeats it

    def _table_rows(self, table: Any) -> Iterator[RawLine]:
        """One line per row: its cells' text joined by "；", closed by "。".

        A row written as one sentence is never taken for a heading, never opens a
        section for the text after the table, and is not glued to the next row.
        """
        # Direct rows only: a nested table's rows are read within their cell.
        for row in table.iterchildren(_TR):
            cells = []
            for cell in row.iterchildren(_TC):
                text = "".join(line.text.strip() for line in self.lines(cell) if line.text.strip())
                if text:
                    cells.append(text)
            if cells:
                yield RawLine(TABLE_CELL_SEPARATOR.join(cells).rstrip(TABLE_ROW_END) + TABLE_ROW_END)

    def _paragraph_lines(self, paragraph: Any) -> Iterator[RawLine]:
        parts: list[str] = []
        text_boxes: list[Any] = []
        self._collect(paragraph, parts, text_boxes)
        level, label = self._style_and_number(paragraph.find(_PPR))
        for line in (label + "".join(parts)).split("\n"):
            yield RawLine(line, level)
        for box in text_boxes:
            yield from self.lines(box)

    def _collect(self, element: Any, parts: list[str], text_boxes: list[Any]) -> None:
        for child in element:
            tag = child.tag
            if tag == _T or tag == f"{M}t":
                parts.append(child.text or "")
            elif tag in (_TAB, _PTAB):
                parts.append("\t")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == f"{W}noBreakHyphen":
                parts.append("-")
            elif tag in _SKIP or not isinstance(tag, str):  # comments/PIs have non-str tags
                continue
            elif tag == _TXBX:
                text_boxes.append(child)  # its paragraphs follow this one as lines of their own
            elif tag == _ALTERNATE:
                if len(child):
                    self._collect(child[0], parts, text_boxes)
            elif tag == _R:
                rpr = child.find(_RPR)
                if rpr is None or not _on(rpr.find(f"{W}vanish")):  # hidden text is not shown
                    self._collect(child, parts, text_boxes)
            else:
                self._collect(child, parts, text_boxes)

    def _style_and_number(self, ppr: Any | None) -> tuple[int | None, str]:
        style_el = ppr.find(f"{W}pStyle") if ppr is not None else None
        style_id = style_el.get(_VAL) if style_el is not None else self._default_style
        style = self._styles.get(style_id or "", _StyleInfo())
        level = style.heading_level
        direct_outline = _outline_level(ppr)
        if direct_outline is not None:
            level = direct_outline
        num_id, ilvl = style.num_id, style.ilvl
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        if num_pr is not None:
            num_id, ilvl = _num_pr(num_pr, num_id, ilvl)
        if not num_id or num_id == "0":  # numId 0 switches numbering off
            return level, ""
        if ilvl is None:
            ilvl = self._numbering.level_for_style(num_id, style_id or "") or 0
        return level, self._numbering.label(num_id, ilvl)
