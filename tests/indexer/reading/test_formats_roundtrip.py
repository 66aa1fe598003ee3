"""Every variant of one summary reads back to the same text."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from indexer.reading import RawDocument, read_source
from tests.indexer.reading.variants import (
    HEADING,
    HTML_FOOTER,
    HTML_NAV,
    HTML_SIDEBAR,
    SAMPLE_TXT,
    TRADITIONAL_SENTENCE,
    non_empty_lines,
    write_encoded,
)


def texts(document: RawDocument) -> list[str]:
    return [line.text for line in document.lines]


def non_empty(document: RawDocument) -> list[str]:
    return [line.text for line in document.lines if line.text.strip()]


def test_real_sample_reads_line_for_line(source_text: str) -> None:
    document = read_source(SAMPLE_TXT)
    assert texts(document) == source_text.split("\n")[:-1]  # the file ends with a newline
    assert document.source.encoding == "utf-8"
    assert all(line.heading_level is None for line in document.lines)


@pytest.mark.parametrize(
    ("variant", "encoding"),
    [
        ("utf8.txt", "utf-8"),
        ("gb18030.txt", "gb18030"),
        ("utf16-bom.txt", "utf-16"),
        ("utf16le-nobom.txt", "utf-16-le"),
        ("crlf.txt", "utf-8"),
    ],
)
def test_text_variants_read_to_the_same_lines(
    variants: dict[str, Path], source_text: str, variant: str, encoding: str
) -> None:
    document = read_source(variants[variant])
    assert texts(document) == source_text.split("\n")[:-1]
    assert document.source.encoding == encoding
    assert document.source.format == "txt"


def test_big5_traditional_text(tmp_path: Path) -> None:
    path = write_encoded(TRADITIONAL_SENTENCE + "\n", tmp_path / "big5.txt", "big5")
    document = read_source(path)
    assert texts(document) == [TRADITIONAL_SENTENCE]
    assert document.source.encoding in ("big5", "cp950", "big5hkscs")


@pytest.mark.parametrize("variant", ["docx", "docx-autonumber"])
def test_docx_reads_to_the_same_lines_with_heading_levels(
    variants: dict[str, Path], source_text: str, variant: str
) -> None:
    document = read_source(variants[variant])
    assert non_empty(document) == non_empty_lines(source_text)
    headings = [line.text for line in document.lines if line.heading_level == 1]
    assert headings == [line for line in source_text.split("\n") if HEADING.match(line)]
    assert all(line.heading_level in (None, 1) for line in document.lines)
    assert document.title == "工会工作总结"
    assert document.source.format == "docx"
    assert document.source.encoding is None


def test_pdf_reads_to_the_same_text_modulo_line_breaks(variants: dict[str, Path], source_text: str) -> None:
    document = read_source(variants["pdf"])
    joined = re.sub(r"\s+", "", "".join(texts(document)))
    assert joined == re.sub(r"\s+", "", source_text)
    assert all("\n" not in line for line in texts(document))
    assert document.title == "工会工作总结"
    assert document.source.format == "pdf"


@pytest.mark.parametrize("variant", ["html", "html-gbk", "mhtml"])
def test_web_pages_read_to_the_content_only(variants: dict[str, Path], source_text: str, variant: str) -> None:
    document = read_source(variants[variant])
    # HTML collapses and trims source whitespace, so compare stripped lines.
    assert [text.strip() for text in non_empty(document)] == [line.strip() for line in non_empty_lines(source_text)]
    furniture = [*HTML_NAV, HTML_FOOTER, *HTML_SIDEBAR, "分享到微信", "统计代码", "相关文章"]
    if variant == "html":  # the furniture is really on the page, so its absence means something
        page = variants[variant].read_text(encoding="utf-8")
        assert all(item in page for item in furniture)
    assert not [line for line in texts(document) if any(item in line for item in furniture)]
    headings = [line.text for line in document.lines if line.heading_level == 2]
    assert headings == [line for line in source_text.split("\n") if HEADING.match(line)]
    assert document.title == "镇工会上半年工作总结_某某县总工会"
    assert document.publish_date == "2004-07-15 09:30"


def test_gbk_page_labelled_gb2312_is_decoded_as_gb18030(variants: dict[str, Path]) -> None:
    # The sample has 喪, which GB2312 lacks: the label undersells the encoding.
    document = read_source(variants["html-gbk"])
    assert document.source.encoding == "gb18030"
    assert any("喪" in line.text for line in document.lines)
    assert document.source.format == "html"


def test_source_file_describes_the_bytes(variants: dict[str, Path]) -> None:
    path = variants["gb18030.txt"]
    document = read_source(path)
    data = path.read_bytes()
    assert document.source.path == str(path)
    assert document.source.sha256 == hashlib.sha256(data).hexdigest()
    assert document.source.size == len(data)
    modified = datetime.fromisoformat(document.source.modified)
    assert modified.utcoffset() == timedelta(0)
    assert abs(modified.timestamp() - path.stat().st_mtime) < 1


def test_no_line_contains_a_newline(variants: dict[str, Path]) -> None:
    for path in variants.values():
        assert all("\n" not in line.text and "\r" not in line.text for line in read_source(path).lines), path
