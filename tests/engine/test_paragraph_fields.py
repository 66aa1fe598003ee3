"""Parts of a split paragraph and the OCR mark survive indexing, on every backend.

Runs once per backend (tests/engine/conftest.BACKENDS), like the contract suite.
"""

from __future__ import annotations

import pytest

from engine.contract import IndexDocument, SearchEngine, SearchRequest
from tests.engine.conftest import EngineFactory

SOURCE = "archive/扫描/2019年工作总结.pdf"
FIRST = "镇总工会全年走访慰问困难职工八十六户。"
SECOND = "发放慰问金十二万元，帮助职工渡过难关。"


def _doc(paragraph_id: str, position: int, text: str, **extra: object) -> IndexDocument:
    return IndexDocument(
        paragraph_id=paragraph_id,
        article_id="scan1",
        position=position,
        text=text,
        title="2019年工会工作总结",
        source_path=SOURCE,
        source_sha256="sha-scan",
        quality=0.8,
        **extra,  # type: ignore[arg-type]
    )


DOCS = [
    _doc("scan1-0000", 0, FIRST, part_of="scan1-0000", origin="ocr"),
    _doc("scan1-0000.0001", 1, SECOND, part_of="scan1-0000", origin="ocr"),
    _doc("scan1-0001", 2, "工会换届选举顺利完成。"),
]


@pytest.fixture(scope="module")
def engine(engine_factory: EngineFactory) -> SearchEngine:
    return engine_factory.loaded(DOCS)


def test_article_gives_back_part_of_and_origin(engine: SearchEngine) -> None:
    stored = engine.article("scan1")
    assert [(d.paragraph_id, d.part_of, d.origin) for d in stored] == [
        ("scan1-0000", "scan1-0000", "ocr"),
        ("scan1-0000.0001", "scan1-0000", "ocr"),
        ("scan1-0001", "", "text"),
    ]
    assert [d.text for d in stored] == [d.text for d in DOCS]


def test_a_hit_on_a_later_part_names_its_paragraph_and_is_marked_ocr(engine: SearchEngine) -> None:
    hits = engine.search(SearchRequest(query="慰问金", collapse=False)).hits
    assert [(h.paragraph_id, h.part_of, h.origin) for h in hits] == [("scan1-0000.0001", "scan1-0000", "ocr")]
    typed = engine.search(SearchRequest(query="换届选举")).hits
    assert [(h.part_of, h.origin) for h in typed] == [("", "text")]


def test_copies_carry_the_fields(engine: SearchEngine) -> None:
    key = engine.search(SearchRequest(query="慰问金")).hits[0].duplicate_key
    assert [(d.part_of, d.origin) for d in engine.copies(key)] == [("scan1-0000", "ocr")]
