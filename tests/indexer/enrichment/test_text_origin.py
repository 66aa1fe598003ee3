"""Paragraphs recognised from scanned pages carry origin "ocr" from the reader to the index document."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.enrichment.text_origin import TextOrigins
from indexer.loading import index_documents
from indexer.model import SourceFile
from indexer.pipeline import parse_document, parse_file
from indexer.reading import RawDocument, RawLine, ocr
from tests.indexer.reading.test_ocr import scanned_pdf

TYPED = "一、工会组织建设不断加强，全年新建基层工会十二个，发展会员三百余人。"
SCANNED = "二、镇总工会走访慰问困难职工86户，发放慰问金12万元，帮助职工解决实际困难。"


def _document(lines: list[RawLine]) -> RawDocument:
    source = SourceFile("mixed.pdf", "0" * 64, "pdf", None, 1, "2024-01-01T00:00:00Z")
    return RawDocument(source=source, lines=lines, title="城关镇总工会2023年工作总结")


def test_a_document_without_scans_is_typed_throughout() -> None:
    origins = TextOrigins([RawLine(TYPED), RawLine(SCANNED)])
    assert origins.of(TYPED) == origins.of(SCANNED) == "text"


def test_a_paragraph_glued_from_ocr_lines_is_ocr_and_typed_lines_stay_text() -> None:
    # OCR gives a paragraph in two lines with spaces between characters; cleaning joins them.
    origins = TextOrigins(
        [RawLine(TYPED), RawLine(SCANNED[:20] + " ", origin="ocr"), RawLine(SCANNED[20:], origin="ocr")]
    )
    assert origins.of(SCANNED) == "ocr"
    assert origins.of(SCANNED[5:30]) == "ocr"  # a piece split off by the indexer
    assert origins.of(TYPED) == "text"


def test_mixed_pdf_marks_only_its_scanned_paragraphs() -> None:
    parsed = parse_document(
        _document([RawLine("城关镇总工会2023年工作总结"), RawLine(TYPED), RawLine(SCANNED, origin="ocr")]),
        Path("mixed.pdf"),
        Path("."),
    )
    by_text = {p.text: p.origin for p in parsed.paragraphs}
    assert by_text[TYPED] == "text"
    assert by_text[SCANNED] == "ocr"
    # …and the mark reaches what the engines index.
    assert {d.text: d.origin for d in index_documents(parsed)}[SCANNED] == "ocr"


def test_every_part_of_a_long_scanned_paragraph_is_ocr() -> None:
    long_scan = "镇总工会走访慰问困难职工，发放慰问金。" * 400  # 7,600 characters: two parts
    parsed = parse_document(
        _document([RawLine("城关镇总工会2023年工作总结"), RawLine(TYPED), RawLine(long_scan, origin="ocr")]),
        Path("mixed.pdf"),
        Path("."),
    )
    parts = [p for p in parsed.paragraphs if p.part_of]
    assert len(parts) >= 2 and {p.origin for p in parts} == {"ocr"}


@pytest.mark.skipif(ocr.why_not() is not None, reason=f"OCR unavailable: {ocr.why_not()}")
def test_a_scanned_pdf_is_indexed_as_ocr(tmp_path: Path) -> None:
    parsed = parse_file(scanned_pdf(tmp_path / "scan.pdf"))
    assert parsed.paragraphs
    assert {p.origin for p in parsed.paragraphs} == {"ocr"}
    assert {d.origin for d in index_documents(parsed)} == {"ocr"}


def test_a_typed_file_is_text(tmp_path: Path) -> None:
    path = tmp_path / "城关镇总工会2023年工作总结.txt"
    path.write_text(f"{TYPED}\n\n{SCANNED}\n", encoding="utf-8")
    assert {p.origin for p in parse_file(path).paragraphs} == {"text"}
