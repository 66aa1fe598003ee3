"""PDF files: paragraphs rebuilt from the positions of the characters, pages in order.

pdfminer.six parses the file and reports every character with its box and font
(no layout analysis of its own: its text boxes split numbered paragraphs after
their first line and its text output puts spaces around every run of digits).
indexer.reading.pdf_layout joins the characters into lines and paragraphs by
geometry and drops page furniture. Pages that are scans (an image with no text,
or only a typed stamp) are read by OCR (indexer.reading.ocr) when it is on; their
lines carry ``origin="ocr"``. Footnotes come last, as "注1：…".

pdfminer rather than pdfplumber or pypdfium2: it is already a dependency, gives
the same per-character boxes and fonts pdfplumber wraps (pdfplumber is built on
it), and pypdfium2's text API would add a native library for no gain in Chinese.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTImage, LTLine, LTPage, LTRect
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.psexceptions import PSException
from pdfminer.utils import decode_text

from indexer.reading import pdf_layout as layout
from indexer.reading.document import Extracted, RawLine, UnreadableFile

# pdfminer writes "(cid:123)" for glyphs it cannot map to Unicode (subset CJK fonts
# without a ToUnicode map); a text layer made of those is not text.
_CID = re.compile(r"\(cid:\d+\)")
_MAX_CID_SHARE = 0.3
#: A page with an image and fewer visible characters than this (after running headers and
#: page numbers are gone) is a scan, perhaps with a typed stamp: its text is the image's.
_STAMP_CHARS = 20


def read_pdf(data: bytes) -> Extracted:
    """Read the text layer of a PDF; raise UnreadableFile when there is none."""
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        scanned: list[int] = []
        lines = list(_lines(document, data, scanned))
        title = _info_title(document)
    except PDFPasswordIncorrect as exc:
        raise UnreadableFile("password-protected PDF") from exc
    except PDFEncryptionError as exc:
        raise UnreadableFile("encrypted PDF (unsupported encryption)") from exc
    except (PDFSyntaxError, PSException) as exc:
        raise UnreadableFile("corrupt .pdf: cannot parse") from exc
    text = "".join(line.text for line in lines)
    visible = re.sub(r"\s+", "", text)
    if not visible:
        from indexer.reading import ocr

        if scanned and ocr.why_not() is None:
            raise UnreadableFile("scanned PDF: OCR recognised no text")
        if scanned:
            raise UnreadableFile(f"no text layer (scanned PDF?); {ocr.why_not()}")
        raise UnreadableFile("no text layer (scanned PDF?)")
    cid_chars = sum(len(match) for match in _CID.findall(visible))
    if cid_chars > _MAX_CID_SHARE * len(visible):
        raise UnreadableFile("text layer cannot be decoded (fonts without Unicode map)")
    return Extracted(lines=lines, title=title)


def _lines(document: PDFDocument, data: bytes, scanned: list[int]) -> Iterator[RawLine]:
    """The document's paragraphs as lines: page furniture gone, footnotes at the end, scans OCR'd.

    The numbers of the pages found to be scans are appended to ``scanned``.
    """
    pages = list(_pages(document))
    body_size = layout.body_font_size(g for page in pages for g in page.glyphs)
    read = [layout.read_page(p.glyphs, p.segments, p.width, p.height) for p in pages]
    layout.remove_furniture(read)
    for page in read:
        layout.split_footnotes(page, body_size)
    scanned.extend(
        index
        for index, (page, text) in enumerate(zip(pages, read, strict=True))
        if page.has_image and _visible_chars(text) < _STAMP_CHARS
    )
    recognised = _recognise(data, scanned) if scanned else {}
    texts = [page for index, page in enumerate(read) if index not in recognised]
    body = layout.paragraphs(texts, body_size)
    if recognised and not any(_visible_chars(page) for page in texts):
        body = []  # only a stamp was typed over the scans: the scans are the text
    for paragraph in body:
        yield RawLine(paragraph)
    for index in sorted(recognised):
        for paragraph in recognised[index]:
            yield RawLine(paragraph, origin="ocr")
    notes = [note for page in read for note in page.footnotes]
    for number, note in enumerate(notes, 1):
        yield RawLine(f"注{number}：{note}")


def _visible_chars(page: layout.PageText) -> int:
    return sum(len(re.sub(r"\s+", "", line.text)) for line in page.lines)


@dataclass
class _Page:
    glyphs: list[layout.Glyph] = field(default_factory=list)
    segments: list[layout.Segment] = field(default_factory=list)
    has_image: bool = False
    width: float = 595.0
    height: float = 842.0


def _pages(document: PDFDocument) -> Iterator[_Page]:
    resources = PDFResourceManager(caching=True)
    # No layout analysis: this module groups the characters itself, by their positions.
    device = PDFPageAggregator(resources, laparams=None)
    interpreter = PDFPageInterpreter(resources, device)
    for page in PDFPage.create_pages(document):
        interpreter.process_page(page)
        result: LTPage = device.get_result()
        out = _Page(width=result.width, height=result.height)
        _collect(result, out)
        yield out


def _collect(container: Any, out: _Page) -> None:
    for item in container:
        if isinstance(item, LTChar):
            if item.upright:
                text = item.get_text()
                font = (item.fontname or "").lower()
                bold = any(word in font for word in ("bold", "heavy", "black", "hei"))
                out.glyphs.append(layout.Glyph(text, item.x0, item.y0, item.x1, item.y1, item.size, bold))
        elif isinstance(item, LTImage):
            # A scan fills most of the page; a logo or a stamp's picture does not.
            if item.width * item.height > 0.25 * out.width * out.height:
                out.has_image = True
        elif isinstance(item, (LTLine, LTRect)):
            out.segments.append(layout.Segment(item.x0, item.y0, item.x1, item.y1))
        elif isinstance(item, LTContainer):
            _collect(item, out)


def _recognise(data: bytes, pages: list[int]) -> dict[int, list[str]]:
    """OCR the given pages when OCR is on and an engine is installed; {} otherwise."""
    from indexer.reading import ocr

    if not ocr.enabled():
        return {}
    return ocr.recognise_pdf_pages(data, pages)


def _info_title(document: PDFDocument) -> str | None:
    """/Title of the document information dictionary (often the source file name)."""
    for info in document.info:
        title = info.get("Title")
        if hasattr(title, "resolve"):
            title = title.resolve()
        if isinstance(title, bytes):
            title = decode_text(title)
        if isinstance(title, str) and title.strip():
            return title.strip()
    return None
