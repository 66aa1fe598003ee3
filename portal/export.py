"""Basket exports: a Word document or plain text, each paragraph followed by its source line."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from engine.contract import IndexDocument
from portal.citation import source_line

EXPORT_TITLE = "素材篮摘录"
#: Fonts Chinese Word users have; python-docx's default (Calibri) has no CJK glyphs.
BODY_FONT = "宋体"
LATIN_FONT = "Times New Roman"


#: Characters XML 1.0 cannot hold at all (lxml refuses them): C0 controls but tab/newlines, and U+FFFE/FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters a Word file cannot contain (the rest, markup included, stays literal)."""
    return _NOT_XML.sub("", text)


def _set_fonts(style: Any, east_asian: str) -> None:
    """Latin and Chinese fonts of a style."""
    style.font.name = LATIN_FONT  # creates w:rPr/w:rFonts
    # Word picks the font for Chinese text from w:eastAsia, which python-docx does not expose.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), east_asian)


def to_docx(paragraphs: Sequence[IndexDocument], now: datetime | None = None) -> bytes:
    """A .docx with a heading, then each paragraph and, under it, its source line."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal, BODY_FONT)
    normal.paragraph_format.line_spacing = 1.5

    heading = document.add_heading(EXPORT_TITLE, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    stamp = (now or datetime.now()).strftime("%Y年%m月%d日 %H:%M")
    note = document.add_paragraph(f"共 {len(paragraphs)} 段 · 导出于 {stamp}")
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for doc in paragraphs:
        # python-docx writes text nodes, so "<script>" is stored as literal text, never as markup.
        body = document.add_paragraph(xml_safe(doc.text))
        body.paragraph_format.first_line_indent = Pt(24)  # two characters, as Chinese prose is set
        cite = document.add_paragraph()
        cite.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        cite.paragraph_format.space_after = Pt(12)
        run = cite.add_run(xml_safe(source_line(doc)))
        run.font.size = Pt(10.5)
        run.font.color.rgb = RGBColor(0x59, 0x5F, 0x6A)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_txt(paragraphs: Sequence[IndexDocument]) -> str:
    """Plain text: each paragraph, its source line, then a blank line (CRLF: the files go to Windows users)."""
    blocks = [f"{doc.text}\r\n{source_line(doc)}" for doc in paragraphs]
    return "\r\n\r\n".join(blocks) + "\r\n"
