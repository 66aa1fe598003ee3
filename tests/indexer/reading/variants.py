"""Generators: one text, written as every file variant the archive holds.

Reusable for end-to-end tests ("every format parses to the same paragraphs"):

    paths = write_variants(text, tmp_path)      # {"gb18030.txt": Path, "docx": Path, …}

Each writer takes the text as lines separated by "\\n" and writes a file a user could
have produced: Word headings in a real "Heading 1" style, a PDF with a CJK font and
wrapped lines, a saved web page with site navigation around the content.
"""

from __future__ import annotations

import codecs
import email.charset
import html
import io
import re
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
SAMPLE_TXT = SAMPLES / "000_ba0ac14e50997098.txt"

#: Lines that are section headings in the sample texts ("一、…").
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
TRADITIONAL_SENTENCE = "本會積極開展職工技能競賽活動，全年共舉辦各類培訓班十二期，參加職工達三千餘人次。"

PDF_FONT = "STSong-Light"  # a CID font every PDF reader knows; nothing to embed


def sample_text() -> str:
    """The UTF-8 sample summary the variants are generated from."""
    return SAMPLE_TXT.read_text(encoding="utf-8")


def non_empty_lines(text: str) -> list[str]:
    """The lines of ``text`` that have any non-whitespace character."""
    return [line for line in text.split("\n") if line.strip()]


def write_encoded(text: str, path: Path, codec: str, *, bom: bool = False, newline: str = "\n") -> Path:
    """Write ``text`` with a given codec, optional BOM and newline convention."""
    data = text.replace("\n", newline).encode(codec)
    if bom:
        data = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[
            codec
        ] + data
    path.write_bytes(data)
    return path


def write_docx(text: str, path: Path, *, title: str | None = "工会工作总结", auto_number: bool = False) -> Path:
    """Write a .docx: "一、" lines in the built-in "Heading 1" style, others as body paragraphs.

    With ``auto_number`` the "一、" is not typed but produced by Word list numbering
    (chineseCounting, "%1、"), the way many authors number their sections.
    """
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    num_id = _add_chinese_numbering(document) if auto_number else None
    for line in text.split("\n"):
        if HEADING.match(line):
            if num_id is None:
                document.add_paragraph(line, style="Heading 1")
            else:
                paragraph = document.add_paragraph(HEADING.sub("", line), style="Heading 1")
                paragraph._p.get_or_add_pPr().append(
                    parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
                )
        else:
            document.add_paragraph(line)
    document.save(str(path))
    return path


def add_list_definition(document: docx.document.Document, list_id: int, levels_xml: str) -> None:
    """Define Word list ``list_id`` (abstract and concrete) with these ``<w:lvl>`` levels in ``document``."""
    numbering = document.part.numbering_part.element
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{list_id}">{levels_xml}</w:abstractNum>')
    # abstractNum elements must precede num elements in numbering.xml.
    first_num = numbering.find(f"{{{numbering.nsmap['w']}}}num")
    if first_num is None:
        numbering.append(abstract)
    else:
        first_num.addprevious(abstract)
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{list_id}"><w:abstractNumId w:val="{list_id}"/></w:num>')
    )


def _add_chinese_numbering(document: docx.document.Document) -> int:
    num_id = 90
    add_list_definition(
        document,
        num_id,
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl>',
    )
    return num_id


def write_pdf(text: str, path: Path, *, title: str = "工会工作总结") -> Path:
    """Write an A4 PDF with the text in STSong-Light, long lines wrapped at the margin."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    width, height = A4
    margin, size, leading = 56, 11, 17
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(title)
    y = height - margin
    pdf.setFont(PDF_FONT, size)
    for paragraph in text.split("\n"):
        for chunk in _wrap(paragraph, width - 2 * margin, size):
            if y < margin:
                pdf.showPage()
                pdf.setFont(PDF_FONT, size)
                y = height - margin
            pdf.drawString(margin, y, chunk)
            y -= leading
    pdf.save()
    return path


def _wrap(paragraph: str, max_width: float, size: int) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    chunks, line = [], ""
    for char in paragraph:
        if line and stringWidth(line + char, PDF_FONT, size) > max_width:
            chunks.append(line)
            line = ""
        line += char
    chunks.append(line)
    return chunks


def write_pdf_without_text(path: Path) -> Path:
    """A PDF with only a drawing on its page, as a scanner's output has only an image."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 200, 300, fill=1)
    pdf.save()
    return path


#: Site furniture around the content; none of it may reach the RawDocument.
HTML_NAV = ["网站首页", "工会动态", "政策法规", "联系我们"]
HTML_FOOTER = "版权所有：某某县总工会 备案号：苏ICP备00000000号"
HTML_SIDEBAR = ["相关文章：乡镇工会上半年工作总结", "相关文章：企业工会年度工作总结"]


def html_page(text: str, *, charset: str = "utf-8", title: str = "镇工会上半年工作总结") -> str:
    """A saved page: nav menu, sidebar, share bar and footer around ``<div class="content">``.

    "一、" lines become ``<h2>``; other lines ``<p>``; blank lines are dropped, as a page
    has no blank paragraphs.
    """
    body = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        tag = "h2" if HEADING.match(line) else "p"
        body.append(f"      <{tag}>{html.escape(line)}</{tag}>")
    nav = "".join(f'<li><a href="/{n}">{html.escape(item)}</a></li>' for n, item in enumerate(HTML_NAV))
    sidebar = "".join(f"<li>{html.escape(item)}</li>" for item in HTML_SIDEBAR)
    paragraphs = "\n".join(body)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta http-equiv="Content-Type" content="text/html; charset={charset}">
  <meta name="PubDate" content="2004-07-15 09:30">
  <title>{html.escape(title)}_某某县总工会</title>
  <style>.content p {{ text-indent: 2em; }}</style>
  <script>var _hmt = _hmt || []; document.write("统计代码");</script>
</head>
<body>
  <div id="top"><ul class="nav">{nav}</ul></div>
  <div class="main-wrap">
    <div class="sidebar"><h3>相关文章</h3><ul>{sidebar}</ul></div>
    <div class="content">
{paragraphs}
    </div>
    <div class="bdsharebuttonbox"><a class="bds_weixin">分享到微信</a></div>
  </div>
  <div class="footer">{html.escape(HTML_FOOTER)}</div>
</body>
</html>
"""


def write_html(text: str, path: Path, *, codec: str = "utf-8", charset: str | None = None) -> Path:
    """Write :func:`html_page` in ``codec``, declaring ``charset`` (default: the codec)."""
    path.write_bytes(html_page(text, charset=charset or codec).encode(codec))
    return path


def write_mhtml(text: str, path: Path, *, codec: str = "gb18030", charset: str = "gb2312") -> Path:
    """A web archive (.mht) as browsers and Word write it: the page quoted-printable encoded."""
    archive = MIMEMultipart("related")
    part_charset = email.charset.Charset(codec)
    part_charset.body_encoding = email.charset.QP
    page = MIMEText("", "html")
    page.set_payload(html_page(text, charset=charset).encode(codec), part_charset)
    page.replace_header("Content-Type", f'text/html; charset="{charset}"')
    page["Content-Location"] = "file:///C:/summary.htm"
    archive.attach(page)
    path.write_bytes(archive.as_bytes())
    return path


def write_variants(text: str, directory: Path) -> dict[str, Path]:
    """Write ``text`` in every format and encoding variant; keys name the variant.

    Keys: utf8.txt, gb18030.txt, utf16-bom.txt, utf16le-nobom.txt, crlf.txt, docx,
    docx-autonumber, pdf, html, html-gbk, mhtml. Not included: Big5 (it cannot encode
    simplified text: use :func:`write_encoded` with :data:`TRADITIONAL_SENTENCE`) and
    .doc (reading it needs antiword: use ``tests.indexer.reading.word97.write_doc``).
    """
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "utf8.txt": write_encoded(text, directory / "utf8.txt", "utf-8"),
        "gb18030.txt": write_encoded(text, directory / "gb18030.txt", "gb18030"),
        "utf16-bom.txt": write_encoded(text, directory / "utf16-bom.txt", "utf-16-le", bom=True),
        "utf16le-nobom.txt": write_encoded(text, directory / "utf16le-nobom.txt", "utf-16-le"),
        "crlf.txt": write_encoded(text, directory / "crlf.txt", "utf-8", newline="\r\n"),
        "docx": write_docx(text, directory / "summary.docx"),
        "docx-autonumber": write_docx(text, directory / "summary-autonumber.docx", auto_number=True),
        "pdf": write_pdf(text, directory / "summary.pdf"),
        "html": write_html(text, directory / "summary.html"),
        "html-gbk": write_html(text, directory / "summary-gbk.htm", codec="gb18030", charset="gb2312"),
        "mhtml": write_mhtml(text, directory / "summary.mht"),
    }


def io_bytes_of_docx(document: docx.document.Document) -> bytes:
    """Serialise a python-docx document to bytes (for tests that tamper with the zip)."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
