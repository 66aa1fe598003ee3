"""Word-like documents written by the real LibreOffice, from a summary written here.

The summary is kept as blocks (title, numbered headings, body paragraphs, a table, a
footnote). From it come the plain .txt a user would save, and a flat ODF text
document (.fodt) laid out like an office's Word file — 仿宋 16 pt, first-line indents
of two characters, bold typed headings or styled headings numbered by the word
processor, a running header and a "— N —" page footer. LibreOffice then writes that
document as .docx, .doc, .odt, .rtf, .html and .pdf, the way staff's files are made:

    paths = office_variants(tmp_path)       # {"txt": …, "docx": …, "pdf": …, …}

Needs LibreOffice (``soffice``) on PATH; callers skip without it.
"""

from __future__ import annotations

import html
import subprocess
from dataclasses import dataclass
from pathlib import Path

from indexer.reading.office import find_soffice

TITLE = "鹿苑镇总工会2022年工作总结"
HEADER = "鹿苑镇总工会文件"
#: Table rows as the readers write them: cells joined by "；", the row closed by "。".
ROW_SEPARATOR, ROW_END = "；", "。"


@dataclass(frozen=True)
class Block:
    """One block of the summary: kind is title, h1, h2, p, table or note (a footnote in the last p)."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


BLOCKS: tuple[Block, ...] = (
    Block("title", TITLE),
    Block(
        "p",
        "2022年，鹿苑镇总工会在镇党委和县总工会的坚强领导下，紧紧围绕全镇中心工作，团结动员全镇3200余名职工"
        "建功立业，各项工作取得了新的进展。现将全年工作总结如下：",
    ),
    Block("h1", "一、坚持维权服务，职工幸福感不断提升"),
    Block("h2", "（一）扎实开展“送温暖”活动"),
    Block(
        "p",
        "春节前夕，镇总工会走访慰问困难职工86户，发放慰问金12.6万元，其中为23户因病致困职工每户"
        "送去“暖心包”和2000元救助金。对建档的41户困难职工实行动态管理，做到精准帮扶、应帮尽帮。",
    ),
    Block(
        "p",
        "夏季高温期间，在全镇15个重点工地设立“工会爱心驿站”，发放防暑降温物品价值3.8万元，惠及一线职工1560人次。",
    ),
    Block("h2", "（二）深化工资集体协商"),
    Block(
        "p",
        "全镇已建会企业工资集体协商建制率达到95.3%，签订区域性行业性集体合同7份，覆盖企业126家、"
        "职工2870人。开展“要约行动月”活动，指导28家企业完成第3轮协商，一线职工工资平均增长6.5%。",
    ),
    Block(
        "table",
        rows=(
            ("项目", "户数", "金额（万元）"),
            ("春节送温暖", "86", "12.6"),
            ("金秋助学", "19", "3.8"),
            ("医疗救助", "23", "4.6"),
        ),
    ),
    Block(
        "p",
        "上表为2022年各项帮扶资金的发放情况，全部资金均已按时拨付到户，群众满意率达到98%以上。",
    ),
    Block("h1", "二、加强自身建设，基层组织活力不断增强"),
    Block("h2", "（一）推进职工之家建设"),
    Block(
        "p",
        "新建标准化职工之家5个、职工书屋3个，镇总工会被评为市级模范职工之家。全年新发展会员418名，"
        "其中农民工会员276名，会员总数达到3612名。",
    ),
    Block(
        "p",
        "1.加强工会干部培训。举办基层工会主席培训班2期，培训工会干部120人次，组织12名专职工会干部"
        "参加县总工会业务轮训，履职能力明显提高。",
    ),
    Block(
        "p",
        "2.规范工会经费管理。严格执行《基层工会经费收支管理办法》，全年收缴经费86.4万元，经审会审计"
        "3次，未发现违规使用情况。",
    ),
    Block("h2", "（二）丰富职工文化生活"),
    Block(
        "p",
        "举办第6届职工运动会，设置拔河、跳绳等8个项目，参赛职工达到650人；开展“书香鹿苑”读书月活动，"
        "征集读书心得230篇，评选优秀作品30篇。",
    ),
    Block("note", "数据截至2022年12月20日，以县总工会统计口径为准。"),
    Block("h1", "三、2023年工作打算"),
    Block(
        "p",
        "2023年，镇总工会将继续聚焦主责主业，力争新建会企业15家，发展会员500名，困难职工帮扶覆盖率"
        "保持100%，推动全镇工会工作再上新台阶。",
    ),
    Block(
        "p",
        "一是抓好思想引领，用好职工书屋和网上工会阵地；二是抓好维权服务，深化“工会驿站”建设；"
        "三是抓好自身建设，提升基层工会规范化水平。",
    ),
)


def table_row(cells: tuple[str, ...]) -> str:
    """A table row as the readers write it."""
    return ROW_SEPARATOR.join(cells) + ROW_END


def summary_txt() -> str:
    """The summary as the plain text a user would save: one paragraph a line, the footnote last."""
    lines: list[str] = []
    notes: list[str] = []
    for block in BLOCKS:
        if block.kind == "table":
            lines.extend(table_row(row) for row in block.rows)
        elif block.kind == "note":
            notes.append(block.text)
        else:
            lines.append(block.text)
    lines.extend(f"注{i}：{note}" for i, note in enumerate(notes, 1))
    return "\n".join(lines) + "\n"


def chinese_digit_phrases() -> list[str]:
    """Every phrase of the summary that mixes Chinese characters and digits (慰问金12.6万元, 2022年)."""
    import re

    text = summary_txt()
    pattern = re.compile(r"[\u4e00-\u9fff]{0,3}\d[\d.%]*[\u4e00-\u9fff]{1,2}|[\u4e00-\u9fff]{1,3}\d[\d.%]*")
    return sorted({m.group(0) for m in pattern.finditer(text) if re.search(r"[\u4e00-\u9fff]", m.group(0))})


_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text"'
)

_FONT = "仿宋"


def _styles(styled_headings: bool) -> str:
    body = (
        f'<style:paragraph-properties fo:text-indent="0.3cm" fo:line-height="150%" fo:text-align="justify"/>'
        f'<style:text-properties style:font-name="{_FONT}" fo:font-size="16pt" '
        f'style:font-name-asian="{_FONT}" style:font-size-asian="16pt"/>'
    )
    body = body.replace('fo:text-indent="0.3cm"', 'fo:text-indent="1.13cm"')  # two 16 pt characters
    heading_numbering = ""
    if styled_headings:
        # Heading 1 and 2 numbered by the word processor: 一、 and （一）.
        heading_numbering = (
            '<text:outline-style style:name="Outline">'
            '<text:outline-level-style text:level="1" style:num-format="一, 二, 三, ..." style:num-suffix="、"/>'
            '<text:outline-level-style text:level="2" style:num-format="一, 二, 三, ..." style:num-prefix="（"'
            ' style:num-suffix="）"/>'
            "</text:outline-style>"
        )
    return f"""
<office:font-face-decls>
 <style:font-face style:name="{_FONT}" svg:font-family="{_FONT}"/>
 <style:font-face style:name="黑体" svg:font-family="黑体"/>
</office:font-face-decls>
<office:styles>
 <style:style style:name="Standard" style:family="paragraph">{body}</style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:text-align="center" fo:text-indent="0cm" fo:margin-bottom="0.5cm"/>
  <style:text-properties style:font-name="黑体" fo:font-size="22pt" style:font-name-asian="黑体"
   style:font-size-asian="22pt" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
  style:parent-style-name="Standard" style:default-outline-level="1">
  <style:text-properties style:font-name-asian="黑体" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph"
  style:parent-style-name="Standard" style:default-outline-level="2">
  <style:text-properties fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:text-align="center" fo:text-indent="0cm"/>
  <style:text-properties fo:font-size="10.5pt" style:font-size-asian="10.5pt"/>
 </style:style>
 <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Header"/>
 <style:style style:name="Footnote" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:text-indent="0cm"/>
  <style:text-properties fo:font-size="10.5pt" style:font-size-asian="10.5pt"/>
 </style:style>
 {heading_numbering}
</office:styles>
<office:automatic-styles>
 <style:style style:name="Bold" style:family="paragraph" style:parent-style-name="Standard">
  <style:text-properties fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Cell" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:text-indent="0cm" fo:text-align="center" fo:line-height="100%"/>
 </style:style>
 <style:style style:name="Grid" style:family="table-cell">
  <style:table-cell-properties fo:border="0.5pt solid #000000" fo:padding="0.1cm"/>
 </style:style>
 <style:page-layout style:name="A4">
  <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2.5cm"
   fo:margin-bottom="2cm" fo:margin-left="2.8cm" fo:margin-right="2.6cm"/>
  <style:header-style><style:header-footer-properties fo:margin-bottom="0.4cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:margin-top="0.4cm"/></style:footer-style>
 </style:page-layout>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="A4">
  <style:header><text:p text:style-name="Header">{HEADER}</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">— <text:page-number text:select-page="current">1</text:page-number> —</text:p></style:footer>
 </style:master-page>
</office:master-styles>"""


_STYLED_PREFIX = {"h1": "、", "h2": "）"}


def _body(styled_headings: bool) -> str:
    out: list[str] = []
    note_number = 0
    for index, block in enumerate(BLOCKS):
        text = html.escape(block.text, quote=False)
        if block.kind == "title":
            out.append(f'<text:p text:style-name="Title">{text}</text:p>')
        elif block.kind in ("h1", "h2"):
            level = 1 if block.kind == "h1" else 2
            if styled_headings:
                # The number comes from the outline numbering; the text holds only the words.
                words = html.escape(block.text.split(_STYLED_PREFIX[block.kind], 1)[1], quote=False)
                out.append(
                    f'<text:h text:style-name="Heading_20_{level}" text:outline-level="{level}">{words}</text:h>'
                )
            else:
                out.append(f'<text:p text:style-name="Bold">{text}</text:p>')
        elif block.kind == "p":
            nxt = BLOCKS[index + 1] if index + 1 < len(BLOCKS) else None
            note = ""
            if nxt is not None and nxt.kind == "note":
                note_number += 1
                note = (
                    f'<text:note text:id="ftn{note_number}" text:note-class="footnote">'
                    f"<text:note-citation>{note_number}</text:note-citation><text:note-body>"
                    f'<text:p text:style-name="Footnote">{html.escape(nxt.text, quote=False)}</text:p>'
                    "</text:note-body></text:note>"
                )
            out.append(f'<text:p text:style-name="Standard">{text}{note}</text:p>')
        elif block.kind == "table":
            columns = len(block.rows[0])
            rows = "".join(
                "<table:table-row>"
                + "".join(
                    f'<table:table-cell table:style-name="Grid" office:value-type="string">'
                    f'<text:p text:style-name="Cell">{html.escape(cell, quote=False)}</text:p></table:table-cell>'
                    for cell in row
                )
                + "</table:table-row>"
                for row in block.rows
            )
            out.append(
                f'<table:table table:name="T{index}"><table:table-column table:number-columns-repeated="{columns}"/>'
                f"{rows}</table:table>"
            )
    return "".join(out)


def summary_fodt(*, styled_headings: bool = False) -> str:
    """The summary as a flat ODF text document laid out like an office's Word file."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_NS}>{_styles(styled_headings)}'
        f"<office:body><office:text>{_body(styled_headings)}</office:text></office:body></office:document>\n"
    )


#: Target format → LibreOffice's --convert-to argument.
TARGETS = {
    "docx": "docx:MS Word 2007 XML",
    "doc": "doc:MS Word 97",
    "odt": "odt:writer8",
    "rtf": "rtf:Rich Text Format",
    "html": "html:HTML (StarWriter)",
    "pdf": "pdf:writer_pdf_Export",
}


def soffice() -> str | None:
    """LibreOffice on PATH, or None — also when ``INDEXER_OFFICE=0`` hides it from the readers.

    The readers' own view (indexer.reading.office.find_soffice): with LibreOffice hidden,
    the tests that need it skip exactly as on a machine without it.
    """
    return find_soffice()


def convert_all(source: Path, formats: list[str], outdir: Path) -> dict[str, Path]:
    """One LibreOffice run per target format, all files of the batch at once."""
    office = soffice()
    if office is None:
        raise RuntimeError("LibreOffice is not installed")
    profile = outdir / ".lo-profile"
    produced: dict[str, Path] = {}
    for fmt in formats:
        subprocess.run(
            [
                office,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                TARGETS[fmt],
                "--outdir",
                str(outdir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        produced[fmt] = outdir / f"{source.stem}.{fmt}"
        if not produced[fmt].exists():
            raise RuntimeError(f"LibreOffice wrote no .{fmt}")
    return produced


def office_variants(directory: Path, *, styled_headings: bool = False) -> dict[str, Path]:
    """The summary as .txt and as every format LibreOffice writes, in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = "styled" if styled_headings else "typed"
    txt = directory / f"{stem}.txt"
    txt.write_text(summary_txt(), encoding="utf-8")
    fodt = directory / f"{stem}.fodt"
    fodt.write_text(summary_fodt(styled_headings=styled_headings), encoding="utf-8")
    paths = convert_all(fodt, list(TARGETS), directory)
    paths["txt"] = txt
    return paths
