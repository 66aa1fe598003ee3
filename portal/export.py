"""Exports of paragraphs with their source lines: a Word document in the 公文 look, plain text, CSV.

The Word file is set the way staff's own drafts are (GB/T 9704 公文格式):
A4, margins 37/35/28/26 mm, the title in 宋体 二号 bold, the body in 仿宋
三号 at a fixed 28 pt line, first lines indented two characters. Each
paragraph is followed by its source line and, when the portal's address is
known, a link back to the paragraph in the portal.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from portal.citation import Citable, source_line

EXPORT_TITLE = "素材篮摘录"
#: Body font of Chinese official documents; Windows ships it as 仿宋 (older systems: 仿宋_GB2312).
BODY_FONT = "仿宋"
#: Title font: 方正小标宋 is not on every machine, 宋体 is.
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
SOURCE_SIZE = Pt(12)  # 小四
LINE_PITCH = Pt(28)
A4_WIDTH, A4_HEIGHT = Mm(210), Mm(297)
#: GB/T 9704 margins: top, bottom, left (binding side), right.
MARGINS = (Mm(37), Mm(35), Mm(28), Mm(26))
SOURCE_COLOUR = RGBColor(0x40, 0x40, 0x40)
LINK_COLOUR = RGBColor(0x1F, 0x4E, 0x9A)

#: Characters XML 1.0 cannot hold at all (lxml refuses them): C0 controls but tab/newlines, and U+FFFE/FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: A spreadsheet cell starting with one of these is run as a formula by Excel.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Exportable(Citable, Protocol):
    """A paragraph to export: its text and what its source line needs (IndexDocument and Hit both fit)."""

    paragraph_id: str
    article_id: str
    text: str


#: Builds the absolute portal address of one paragraph, or None when unknown.
LinkFor = Callable[[Exportable], str | None]


def xml_safe(text: str) -> str:
    """``text`` without the characters a Word file cannot contain (the rest, markup included, stays literal)."""
    return _NOT_XML.sub("", text)


def _set_fonts(target: Any, east_asian: str, size: Pt | None = None) -> None:
    """Latin and Chinese fonts of a style or run."""
    target.font.name = LATIN_FONT  # creates w:rPr/w:rFonts
    if size is not None:
        target.font.size = size
    # Word picks the font for Chinese text from w:eastAsia, which python-docx does not expose.
    element = target.element if hasattr(target, "element") else target._element
    element.rPr.rFonts.set(qn("w:eastAsia"), east_asian)


def _page_setup(document: Any) -> None:
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = MARGINS


def _add_hyperlink(paragraph: Any, url: str, text: str) -> None:
    """A clickable link run (python-docx has no API for hyperlinks, so the XML is built here)."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    props.append(fonts)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), str(LINK_COLOUR))
    props.append(colour)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(int(SOURCE_SIZE.pt * 2)))
    props.append(size)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = xml_safe(text)
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def to_docx(
    paragraphs: Sequence[Exportable],
    now: datetime | None = None,
    *,
    title: str = EXPORT_TITLE,
    subtitle: str = "",
    link_for: LinkFor | None = None,
) -> bytes:
    """A .docx in the 公文 look: a title, then each paragraph with its source line (and link) under it."""
    document = Document()
    _page_setup(document)
    normal = document.styles["Normal"]
    _set_fonts(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_PITCH
    normal.paragraph_format.space_after = Pt(0)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_after = Pt(14)
    heading.paragraph_format.line_spacing = Pt(36)
    run = heading.add_run(xml_safe(title))
    _set_fonts(run, TITLE_FONT, TITLE_SIZE)
    run.bold = True
    stamp = (now or datetime.now()).strftime("%Y年%m月%d日 %H:%M")
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.paragraph_format.space_after = Pt(14)
    note_run = note.add_run(
        xml_safe(" · ".join(p for p in (subtitle, f"共 {len(paragraphs)} 段", f"导出于 {stamp}") if p))
    )
    _set_fonts(note_run, BODY_FONT, SOURCE_SIZE)

    for doc in paragraphs:
        # python-docx writes text nodes, so "<script>" is stored as literal text, never as markup.
        body = document.add_paragraph(xml_safe(doc.text))
        body.paragraph_format.first_line_indent = BODY_SIZE * 2  # two characters, as Chinese prose is set
        cite = document.add_paragraph()
        cite.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        cite.paragraph_format.space_after = Pt(14)
        cite_run = cite.add_run(xml_safe(source_line(doc)))
        _set_fonts(cite_run, BODY_FONT, SOURCE_SIZE)
        cite_run.font.color.rgb = SOURCE_COLOUR
        url = link_for(doc) if link_for else None
        if url:
            cite.add_run(" ")
            _add_hyperlink(cite, url, "在门户中查看")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_txt(paragraphs: Sequence[Exportable], link_for: LinkFor | None = None) -> str:
    """Plain text: each paragraph, its source line (and link), then a blank line (CRLF: for Windows users)."""
    blocks = []
    for doc in paragraphs:
        url = link_for(doc) if link_for else None
        blocks.append(f"{doc.text}\r\n{source_line(doc)}" + (f"\r\n{url}" if url else ""))
    return "\r\n\r\n".join(blocks) + "\r\n"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading = + - @ would run as a formula when the file is opened in Excel.
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "index"),
    ("段落", "text"),
    ("出处", "source"),
    ("标题", "title"),
    ("单位", "org_name"),
    ("乡镇", "township"),
    ("单位层级", "org_level"),
    ("年份", "year"),
    ("时段", "period"),
    ("发布日期", "publish_date"),
    ("来源文件", "file"),
    ("链接", "link"),
)


def to_csv(paragraphs: Sequence[Exportable], link_for: LinkFor | None = None) -> str:
    """CSV (UTF-8 with BOM added by the caller, for Excel): one row per paragraph with every source field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for label, _ in CSV_COLUMNS])
    for index, doc in enumerate(paragraphs, 1):
        values = {
            "index": index,
            "source": source_line(doc),
            "file": posixpath.basename(doc.source_path),
            "link": (link_for(doc) if link_for else None) or "",
        }
        writer.writerow([_cell(values[key] if key in values else getattr(doc, key, "")) for _, key in CSV_COLUMNS])
    return out.getvalue()
