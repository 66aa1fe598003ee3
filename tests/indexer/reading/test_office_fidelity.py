"""A summary saved by the real LibreOffice in every format parses to the paragraphs of its text.

The summary of ``office_documents`` (Word-like layout: 仿宋 16 pt, first-line indents,
typed bold or styled auto-numbered headings, running header, "— N —" footer, a table,
a footnote) is written by LibreOffice as .docx, .doc, .odt, .rtf, .html and .pdf. Each
must reproduce at least 98% of the .txt parse's paragraphs exactly (white space aside):
the same text, the same heading flag, the same section path — and every heading.
Skipped where LibreOffice is not installed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.pipeline import parse_file
from indexer.reading import read_source
from tests.indexer.reading.office_documents import office_variants, soffice

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")

FORMATS = ["docx", "doc", "odt", "rtf", "html", "pdf"]
LAYOUTS = ["typed", "styled"]
Paragraph = tuple[str, bool, tuple[str, ...]]


@pytest.fixture(scope="module")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("fidelity")
    return {layout: office_variants(root / layout, styled_headings=layout == "styled") for layout in LAYOUTS}


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def paragraphs(path: Path) -> list[Paragraph]:
    """Each paragraph's text (white space aside), heading flag and section path."""
    return [
        (_squeeze(p.text), p.is_heading, tuple(_squeeze(s) for s in p.section_path))
        for p in parse_file(path, path.parent).paragraphs
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reproduces_the_text_parse(office_files: dict[str, dict[str, Path]], layout: str, fmt: str) -> None:
    expected = paragraphs(office_files[layout]["txt"])
    got = paragraphs(office_files[layout][fmt])
    assert len(expected) >= 20
    missing = [paragraph for paragraph in expected if paragraph not in got]
    assert len(expected) - len(missing) >= 0.98 * len(expected), missing
    # Every heading, in order: the outline a reader navigates by.
    assert [p for p in got if p[1]] == [p for p in expected if p[1]]


@pytest.mark.parametrize("fmt", ["docx", "doc", "odt", "rtf", "html"])
def test_styled_headings_keep_their_numbers_and_levels(office_files: dict[str, dict[str, Path]], fmt: str) -> None:
    # The word processor numbers these headings; the number must read as the author saw it
    # (一、 and （一）, not 一? or (一)), on a heading of the right level.
    lines = read_source(office_files["styled"][fmt]).lines
    headings = [(line.heading_level, line.text) for line in lines if line.heading_level in (1, 2)]
    assert headings == [
        (1, "一、坚持维权服务，职工幸福感不断提升"),
        (2, "（一）扎实开展“送温暖”活动"),
        (2, "（二）深化工资集体协商"),
        (1, "二、加强自身建设，基层组织活力不断增强"),
        (2, "（一）推进职工之家建设"),
        (2, "（二）丰富职工文化生活"),
        (1, "三、2023年工作打算"),
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_tables_footnotes_and_page_furniture(office_files: dict[str, dict[str, Path]], layout: str, fmt: str) -> None:
    texts = [p.text for p in parse_file(office_files[layout][fmt]).paragraphs]
    assert "项目；户数；金额（万元）。" in texts and "医疗救助；23；4.6。" in texts
    assert texts[-1] == "注1：数据截至2022年12月20日，以县总工会统计口径为准。"
    assert not any(text.endswith("30篇。1") for text in texts)  # the footnote mark is not text
    assert not any("鹿苑镇总工会文件" in text or "—" in text for text in texts)  # header and "— 1 —"
