"""The same summary in every format and encoding parses to the same paragraphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.pipeline import parse_file
from tests.indexer.reading.variants import sample_text, write_variants

FORMATS = [
    "gb18030.txt",
    "utf16-bom.txt",
    "utf16le-nobom.txt",
    "crlf.txt",
    "docx",
    "docx-autonumber",
    "pdf",
    "html",
    "html-gbk",
    "mhtml",
]


@pytest.fixture(scope="module")
def variant_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_variants(sample_text(), tmp_path_factory.mktemp("formats"))


def paragraphs_of(path: Path) -> list[tuple[str, tuple[str, ...], bool]]:
    parsed = parse_file(path, path.parent)
    return [(p.text, tuple(p.section_path), p.is_heading) for p in parsed.paragraphs]


@pytest.mark.parametrize("variant", FORMATS)
def test_every_format_parses_to_the_paragraphs_of_the_utf8_text(variant: str, variant_files: dict[str, Path]) -> None:
    expected = paragraphs_of(variant_files["utf8.txt"])
    assert len(expected) > 15
    assert paragraphs_of(variant_files[variant]) == expected


def test_facets_do_not_depend_on_the_format(variant_files: dict[str, Path]) -> None:
    reference = parse_file(variant_files["utf8.txt"]).articles[0]
    for variant in ("gb18030.txt", "docx", "pdf"):
        article = parse_file(variant_files[variant]).articles[0]
        assert (article.org_level, article.period, article.placeholders) == (
            reference.org_level,
            reference.period,
            reference.placeholders,
        )


# --- Word-like documents written by the real LibreOffice (skipped where it is not installed) ---

from tests.indexer.reading.office_documents import chinese_digit_phrases, office_variants, soffice  # noqa: E402

needs_libreoffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
OFFICE_FORMATS = ["docx", "doc", "odt", "rtf", "html", "pdf"]


@pytest.fixture(scope="module")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("office")
    return {
        "typed": office_variants(root / "typed"),
        "styled": office_variants(root / "styled", styled_headings=True),
    }


@needs_libreoffice
@pytest.mark.parametrize("layout", ["typed", "styled"])
@pytest.mark.parametrize("fmt", OFFICE_FORMATS)
def test_office_documents_reproduce_the_text_parse(
    office_files: dict[str, dict[str, Path]], layout: str, fmt: str
) -> None:
    expected = paragraphs_of(office_files[layout]["txt"])
    got = paragraphs_of(office_files[layout][fmt])
    reproduced = sum(paragraph in got for paragraph in expected)
    assert reproduced >= 0.98 * len(expected), [p for p in expected if p not in got]


@needs_libreoffice
def test_every_chinese_digit_phrase_is_in_the_pdf_paragraphs(office_files: dict[str, dict[str, Path]]) -> None:
    # Search finds any literal run of two or more characters inside a paragraph's text.
    parsed = parse_file(office_files["typed"]["pdf"])
    text = "".join(p.text for p in parsed.paragraphs)
    title = parsed.articles[0].title
    missing = [phrase for phrase in chinese_digit_phrases() if phrase not in text and phrase not in title]
    assert not missing
    assert not any(" " in p.text for p in parsed.paragraphs)  # no space at a CJK/digit boundary
    assert not any("—" in p.text or p.text.startswith("鹿苑镇总工会文件") for p in parsed.paragraphs)


@needs_libreoffice
def test_tables_and_footnotes_in_office_documents(office_files: dict[str, dict[str, Path]]) -> None:
    for fmt in OFFICE_FORMATS:
        paragraphs = parse_file(office_files["typed"][fmt]).paragraphs
        rows = [p for p in paragraphs if "；" in p.text and p.text.startswith(("项目", "春节送温暖"))]
        assert [p.text for p in rows] == ["项目；户数；金额（万元）。", "春节送温暖；86；12.6。"], fmt
        assert not any(p.is_heading for p in rows)
        after = next(p for p in paragraphs if p.text.startswith("上表为"))
        assert not any("；" in heading for heading in after.section_path)
        assert paragraphs[-1].text.startswith("注1：数据截至2022年12月20日"), fmt
