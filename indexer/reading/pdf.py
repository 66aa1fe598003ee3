"""PDF files: the text layer as pdfminer.six lays it out, line by line, pages in order.

A PDF has no paragraphs, only positioned lines; pdfminer groups lines into text
boxes, and an empty RawLine between boxes passes that grouping on as a hint. Hard
wraps inside a paragraph are left for the cleaner to repair.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTContainer, LTPage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.psexceptions import PSException
from pdfminer.utils import decode_text

from indexer.reading.document import Extracted, RawLine, UnreadableFile

# pdfminer writes "(cid:123)" for glyphs it cannot map to Unicode (subset CJK fonts
# without a ToUnicode map); a text layer made of those is not text.
_CID = re.compile(r"\(cid:\d+\)")
_MAX_CID_SHARE = 0.3


def read_pdf(data: bytes) -> Extracted:
    """Read the text layer of a PDF; raise UnreadableFile when there is none."""
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        lines = list(_lines(document))
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
        raise UnreadableFile("no text layer (scanned PDF?)")
    cid_chars = sum(len(match) for match in _CID.findall(visible))
    if cid_chars > _MAX_CID_SHARE * len(visible):
        raise UnreadableFile("text layer cannot be decoded (fonts without Unicode map)")
    return Extracted(lines=lines, title=title)


def _lines(document: PDFDocument) -> Iterator[RawLine]:
    resources = PDFResourceManager(caching=True)
    # all_texts: text inside Form XObjects (figures) is analysed too; converters often
    # put whole pages in one.
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    first_box = True
    for page in PDFPage.create_pages(document):
        interpreter.process_page(page)
        layout: LTPage = device.get_result()
        for box in _text_boxes(layout):
            if not first_box:
                yield RawLine("")
            first_box = False
            for line in box:
                yield RawLine(line)


def _text_boxes(container: Any) -> Iterator[list[str]]:
    """Each text box of the layout as its list of line strings, in pdfminer's order."""
    for item in container:
        if isinstance(item, LTTextBox):
            lines = [_line_text(line) for line in item if isinstance(line, LTTextLine)]
            if lines:
                yield lines
        elif isinstance(item, LTTextLine):
            yield [_line_text(item)]
        elif isinstance(item, LTContainer):
            yield from _text_boxes(item)


def _line_text(line: LTTextLine) -> str:
    # get_text() ends every line with "\n"; a RawLine never contains one.
    return line.get_text().rstrip("\n").replace("\n", " ")


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
