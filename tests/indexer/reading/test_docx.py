"""The .docx reader on the structures Word, WPS and template sites produce."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from indexer.reading import RawLine, read_source
from indexer.reading.docx import read_docx
from tests.indexer.reading.variants import add_list_definition, io_bytes_of_docx

MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def with_body(body_xml: str, document: docx.document.Document | None = None) -> bytes:
    """A .docx whose body is ``body_xml`` (WordprocessingML, w: prefix)."""
    document = document or docx.Document()
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    wrapper = parse_xml(f"<w:body {nsdecls('w', 'm')} {MC}>{body_xml}</w:body>")
    for element in list(wrapper):
        body.insert(len(body) - 1, element)
    return io_bytes_of_docx(document)


def p(text: str, ppr: str = "", rpr: str = "") -> str:
    return f'<w:p>{ppr and f"<w:pPr>{ppr}</w:pPr>"}<w:r>{rpr and f"<w:rPr>{rpr}</w:rPr>"}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def lines(data: bytes) -> list[tuple[str, int | None]]:
    return [(line.text, line.heading_level) for line in read_docx(data).lines]


def document_with_list(list_id: int, levels_xml: str) -> docx.document.Document:
    """A blank document that defines list ``list_id`` with these ``<w:lvl>`` levels."""
    document = docx.Document()
    add_list_definition(document, list_id, levels_xml)
    return document


def test_heading_styles_in_english_and_chinese_and_outline_levels() -> None:
    document = docx.Document()
    chinese = document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    custom = document.styles.add_style("我的小节", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 3"]
    chinese_id, custom_id = chinese.style_id, custom.style_id
    data = with_body(
        p("总结", '<w:pStyle w:val="Title"/>')
        + p("一、概况", '<w:pStyle w:val="Heading1"/>')
        + p("（一）组织", f'<w:pStyle w:val="{chinese_id}"/>')
        + p("1. 细则", f'<w:pStyle w:val="{custom_id}"/>')
        + p("大纲级别", '<w:outlineLvl w:val="3"/>')
        + p("正文", '<w:outlineLvl w:val="9"/>'),
        document,
    )
    assert lines(data) == [
        ("总结", 0),
        ("一、概况", 1),
        ("（一）组织", 2),
        ("1. 细则", 3),
        ("大纲级别", 4),
        ("正文", None),
    ]


def test_tables_are_read_row_by_row_without_repeating_merged_cells() -> None:
    document = docx.Document()
    document.add_paragraph("表前")
    table = document.add_table(rows=2, cols=3)
    for column, text in enumerate(("项目", "人数", "金额")):
        table.cell(0, column).text = text
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "合计"
    table.cell(1, 2).text = "3万元"
    inner = table.cell(1, 2).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "嵌套"
    document.add_paragraph("表后")
    texts = [line.text for line in read_docx(io_bytes_of_docx(document)).lines]
    # One line per row, cells joined by "；": a row is never a heading nor glued to the next.
    assert texts == ["表前", "项目；人数；金额。", "合计；3万元嵌套。", "表后"]


def test_content_controls_text_boxes_and_revisions() -> None:
    text_box = "<w:txbxContent><w:p><w:r><w:t>文本框里的话</w:t></w:r></w:p></w:txbxContent>"
    data = with_body(
        "<w:sdt><w:sdtPr/><w:sdtContent>"
        + p("模板控件里的正文")
        + "</w:sdtContent></w:sdt>"
        + "<w:p><w:r><w:t>前</w:t></w:r>"
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:drawing>' + text_box + "</w:drawing></w:r>"
        "</mc:Choice><mc:Fallback><w:r><w:pict>" + text_box + "</w:pict></w:r></mc:Fallback></mc:AlternateContent>"
        "<w:r><w:t>后</w:t></w:r></w:p>"
        + '<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>删掉</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>'
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    assert [text for text, _ in lines(data)] == ["模板控件里的正文", "前后", "文本框里的话", "保留插入3"]


def test_soft_breaks_and_tabs() -> None:
    data = with_body("<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>列</w:t></w:r></w:p>")
    assert lines(data) == [("第一行", None), ("第二行\t列", None)]


def test_automatic_numbering_is_rendered() -> None:
    document = document_with_list(
        77,
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:suff w:val="nothing"/><w:lvlText w:val="（%2）"/></w:lvl>'
        # isLgl: the higher levels' numbers are shown as digits too ("1.1.1", not "一.一.1")
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/>'
        '<w:lvlText w:val="%1.%2.%3"/></w:lvl>',
    )

    def numbered(text: str, level: int) -> str:
        return p(text, f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="77"/></w:numPr>')

    data = with_body(
        numbered("概况", 0)
        + numbered("组织", 1)
        + numbered("细则", 2)
        + numbered("细则", 2)
        + numbered("活动", 1)
        + p("正文")
        + numbered("成效", 0)
        + numbered("组织", 1),
        document,
    )
    assert [text for text, _ in lines(data)] == [
        "一、概况",
        "（一）组织",
        "1.1.1\t细则",
        "1.1.2\t细则",
        "（二）活动",
        "正文",
        "二、成效",
        "（一）组织",
    ]


def test_numbering_through_heading_style() -> None:
    # Chinese templates often attach the list to the heading style itself.
    document = document_with_list(
        78,
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:pStyle w:val="Heading1"/>'
        '<w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl>',
    )
    heading = document.styles["Heading 1"].element
    heading.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="78"/></w:numPr>'))
    data = with_body(p("概况", '<w:pStyle w:val="Heading1"/>') + p("成效", '<w:pStyle w:val="Heading1"/>'), document)
    assert lines(data) == [("一、概况", 1), ("二、成效", 1)]


def test_core_title_absent_is_none() -> None:
    document = docx.Document()
    document.add_paragraph("正文")
    data = io_bytes_of_docx(document)
    # python-docx's template has an empty title; a package without core properties has none at all.
    assert read_docx(data).title is None
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            if item.filename == "docProps/core.xml":
                continue
            content = source.read(item)
            if item.filename == "_rels/.rels":
                content = re.sub(rb"<Relationship [^>]*core-properties[^>]*/>", b"", content)
            target.writestr(item, content)
    assert read_docx(buffer.getvalue()).title is None


def test_macro_enabled_docm(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("宏文档正文")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(io_bytes_of_docx(document))) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
                )
            target.writestr(item, content)
    path = tmp_path / "macro.docm"
    path.write_bytes(buffer.getvalue())
    document_read = read_source(path)
    assert [line.text for line in document_read.lines] == ["宏文档正文"]
    assert document_read.source.format == "docm"


def test_docx_renamed_to_doc_is_read_as_docx(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("一、概况", level=1)
    path = tmp_path / "renamed.doc"
    document.save(str(path))
    read = read_source(path)
    assert read.lines == [RawLine("一、概况", 1)]
    assert read.source.format == "doc"


def test_dangling_relationship_falls_back_to_plain_parts() -> None:
    document = docx.Document()
    document.add_heading("一、概况", level=1)
    document.add_paragraph("正文")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(io_bytes_of_docx(document))) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            if item.filename != "docProps/core.xml":  # the relationship to it stays
                target.writestr(item, source.read(item))
    extracted = read_docx(buffer.getvalue())
    assert extracted.lines == [RawLine("一、概况", 1), RawLine("正文")]
    assert extracted.title is None
