"""bench.alternatives mirrors the engine's matching: the same ids as the embedded engine on crafted paragraphs.

Each case is one of the engine's rules (engine.plan ``text_query``): a term
found in the headings above a paragraph, headings never hits unless their
article has nothing else, an excluded term looked for in the paragraph's own
text only, a phrase kept within one heading, the runs of an unquoted term
spread over several headings, OR, an empty query, pinyin readings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.alternatives import Filters, Fts5Trigram, SubstringScan, hit_flags
from bench.parse import paragraph_record
from engine.contract import IndexDocument, SearchRequest
from engine.embedded import EmbeddedEngine
from tests.engine.conftest import load

#: (article, text, section_path, is_heading) per paragraph; one source file per article.
PARAGRAPHS: list[tuple[str, str, tuple[str, ...], bool]] = [
    ("a", "一、送温暖活动", (), True),
    ("a", "（一）春节慰问", ("一、送温暖活动",), True),
    ("a", "走访困难职工120户。", ("一、送温暖活动", "（一）春节慰问"), False),
    ("a", "开展金秋助学。", ("一、送温暖活动",), False),
    ("b", "工会工作要点", (), True),
    ("b", "职工之家建设", ("工会工作要点",), True),
    ("c", "帮扶困难职工，春节前夕送去慰问金。", (), False),
    ("c", "元旦、春节期间走访劳模。", (), False),
    ("d", "元旦", (), True),
    ("d", "春节活动", ("元旦",), True),
    ("d", "组织文体活动。", ("元旦", "春节活动"), False),
    ("e", "困(kùn)难职工帮扶。", (), False),
]

QUERIES = [
    "",
    "送温暖",
    "送温暖 困难职工",
    "春节",
    "帮扶 -春节",
    "困难职工 -送温暖",
    "职工之家",
    "工会工作要点",
    '"元旦、春节"',
    '"元旦春节"',
    "元旦、春节",
    "元旦春节",
    "文体 OR 金秋助学",
    "困难职工",
    "-春节",
    "文体 -元旦",
    "节",
    '"春节 活动"',
    '"元 旦"',
    "困难 OR 温暖 职工",
]


def _documents() -> list[IndexDocument]:
    """The crafted paragraphs as the engine stores them."""
    positions: dict[str, int] = {}
    docs = []
    for article, text, section_path, is_heading in PARAGRAPHS:
        position = positions[article] = positions.get(article, -1) + 1
        docs.append(
            IndexDocument(
                paragraph_id=f"{article}-{position:04d}",
                article_id=article,
                position=position,
                text=text,
                title=article,
                source_path=f"{article}.txt",
                source_sha256=article,
                section_path=section_path,
                is_heading=is_heading,
                quality=0.8,
                township="宁口镇" if article in "ab" else "江店镇",
                year=2020,
            )
        )
    return docs


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedEngine, SubstringScan, Fts5Trigram]]:
    """The embedded engine, the scan and FTS5 over the same crafted paragraphs."""
    root: Path = tmp_path_factory.mktemp("agreement")
    docs = _documents()
    engine = load(EmbeddedEngine(root / "index"), docs)
    records = [paragraph_record(d) for d in docs]
    fts = Fts5Trigram(root / "fts5.sqlite", records)
    yield engine, SubstringScan(records), fts
    engine.close()
    fts.db.close()


def _engine_ids(engine: EmbeddedEngine, query: str, filters: dict[str, tuple[str, ...]]) -> set[str]:
    """Every paragraph the literal search matches (collapse off, one page)."""
    request = SearchRequest(query=query, filters=filters, literal=True, collapse=False, page_size=100)
    return {hit.paragraph_id for hit in engine.search(request).hits}


@pytest.mark.parametrize("query", QUERIES)
def test_scan_and_fts5_find_what_the_engine_finds(
    setup: tuple[EmbeddedEngine, SubstringScan, Fts5Trigram], query: str
) -> None:
    engine, scan, fts = setup
    expected = _engine_ids(engine, query, {})
    assert scan.search(query, Filters({})) == expected
    assert fts.search(query, Filters({}))[0] == expected


def test_filters_apply_alike(setup: tuple[EmbeddedEngine, SubstringScan, Fts5Trigram]) -> None:
    engine, scan, fts = setup
    filters = {"township": ("宁口镇",)}
    for query in ("", "职工", "送温暖"):
        expected = _engine_ids(engine, query, filters)
        assert scan.search(query, Filters(filters)) == expected == fts.search(query, Filters(filters))[0]


def test_the_cases_are_the_ones_meant(setup: tuple[EmbeddedEngine, SubstringScan, Fts5Trigram]) -> None:
    """The rules are exercised: found through a heading, a headings-only article, a phrase kept in one heading."""
    _engine, scan, _fts = setup
    assert scan.search("送温暖 困难职工", Filters({})) == {"a-0002"}
    assert scan.search("职工之家", Filters({})) == {"b-0001"}
    assert "a-0002" in scan.search("困难职工 -送温暖", Filters({}))
    assert "d-0002" not in scan.search('"元旦、春节"', Filters({}))
    assert "d-0002" in scan.search("元旦、春节", Filters({}))
    assert "e-0000" in scan.search("困难职工", Filters({}))
    assert "d-0002" in scan.search("文体 -元旦", Filters({}))


def test_hit_flags_keep_headings_of_articles_without_body() -> None:
    records = [paragraph_record(d) for d in _documents()]
    flags = dict(zip((r["id"] for r in records), hit_flags(records), strict=True))
    assert not flags["a-0000"] and flags["a-0002"]
    assert flags["b-0000"] and flags["b-0001"]
