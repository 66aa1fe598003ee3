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
