"""Expansion, the literal-only switch, one-character queries and near-duplicates, on both engines.

Every test but the last runs once per backend (conftest.BACKENDS). The last
loads the same paragraphs into both engines and asks that every query of
this suite and of the contract suite lists its first ten hits in the same
order on both. The paragraphs below are made up in the style of the
archive; expected ids are worked out by reading them.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from engine import analysis
from engine.contract import IndexDocument, SearchEngine, SearchRequest, SearchResult
from engine.expansion import FALLBACK_BELOW, parse_table, subwords
from indexer.enrichment.dedup import paragraph_key
from tests.engine.conftest import EngineFactory, load
from tests.engine.documents import CORPUS, PROXIMITY


def _doc(pid: str, text: str, *, quality: float = 0.8, key: str = "", year: int = 2021) -> IndexDocument:
    article = pid.split("-")[0]
    return IndexDocument(
        paragraph_id=pid,
        article_id=article,
        position=int(pid.split("-")[1]),
        text=text,
        title="工会工作总结",
        source_path=f"archive/x/{article}.txt",
        source_sha256=f"sha-{article}",
        quality=quality,
        duplicate_key=key or paragraph_key(text),
        year=year,
    )


SIMPLIFIED = "2023年，**公司工会组织开展职工技能竞赛，评选岗位能手二十名，带动职工学技术、练本领。"
TRADITIONAL = "20xx年，××公司工會組織開展職工技能競賽，評選崗位能手二十名，帶動職工學技術、練本領。"

EXPANSION = [
    _doc("x1-0000", "公司召开职代会，通报厂务公开落实情况，职工代表提出提案十二件。"),
    _doc("x2-0000", "公司召开教代会，通报校务公开落实情况，职工代表提出提案十二件。"),
    _doc("x3-0000", "召开三届二次职工代表大会，审议通过集体合同草案和女职工专项集体合同。"),
    _doc("x4-0000", "春节前夕，镇总工会走访慰问困难职工二十户，送去慰问金和米面油。"),
    _doc("x5-0000", "积极推进农夫工入会工作，新发展会员三百余人，建立会员档案。"),
    _doc("x6-0000", "全镇农民工入会率达到百分之九十，农民工维权站运转良好。"),
    _doc("x7-0000", "推进职工书屋建设，完善图书借阅制度，全年借阅三千人次。"),
    _doc("x7-0001", "职工书屋新添图书五百册，阅览室建设工作得到县总工会表彰。"),
    _doc("x8-0000", SIMPLIFIED),
    _doc("x9-0000", TRADITIONAL),
    _doc("x10-0000", "教职工代表大会(huì)审议通过了学校绩效工资分配方案。"),
]


def search(engine: SearchEngine, query: str, **options: object) -> SearchResult:
    """Every hit on one page, copies not collapsed, unless overridden."""
    params: dict[str, object] = {"page_size": 100, "collapse": False, **options}
    return engine.search(SearchRequest(query=query, **params))  # type: ignore[arg-type]


def ids(result: SearchResult) -> list[str]:
    return [hit.paragraph_id for hit in result.hits]


@pytest.fixture(scope="module")
def archive(engine_factory: EngineFactory) -> SearchEngine:
    return engine_factory.loaded(EXPANSION)


# --------------------------------------------------------------------------- expansion


def test_an_abbreviation_also_finds_its_full_forms_after_the_literal_hits(archive: SearchEngine) -> None:
    result = search(archive, "职代会")
    # The literal hit first, then 教代会 (the school form), 职工代表大会 and 教职工代表大会 (with a reading injected).
    assert ids(result)[0] == "x1-0000"
    assert set(ids(result)) == {"x1-0000", "x2-0000", "x3-0000", "x10-0000"}
    # The page says what was added.
    assert {"职工代表大会", "教代会", "教职工代表大会"} <= set(result.expanded)
    assert "职代会" not in result.expanded


def test_at_equal_relevance_the_literal_hit_ranks_first(archive: SearchEngine) -> None:
    # x1 and x2 are the same sentence but for 职代会/教代会 and 厂务公开/校务公开.
    assert ids(search(archive, "职代会"))[:2] == ["x1-0000", "x2-0000"]
    assert ids(search(archive, "教代会"))[:2] == ["x2-0000", "x1-0000"]
    assert ids(search(archive, "校务公开"))[:2] == ["x2-0000", "x1-0000"]


def test_expanded_matches_are_highlighted(archive: SearchEngine) -> None:
    by_id = {hit.paragraph_id: hit for hit in search(archive, "职代会").hits}
    assert "<mark>职工代表大会</mark>" in by_id["x3-0000"].highlighted
    assert "<mark>教代会</mark>" in by_id["x2-0000"].highlighted


def test_the_literal_only_switch_turns_expansion_off(archive: SearchEngine) -> None:
    result = search(archive, "职代会", literal=True)
    assert ids(result) == ["x1-0000"] and result.expanded == []


def test_a_quoted_phrase_never_expands(archive: SearchEngine) -> None:
    result = search(archive, '"职代会"')
    assert ids(result) == ["x1-0000"] and result.expanded == []


def test_a_spam_site_rewording_is_found(archive: SearchEngine) -> None:
    result = search(archive, "农民工")
    assert ids(result) == ["x6-0000", "x5-0000"]  # 农夫工 (a template site's rewording) after the real word
    assert "农夫工" in result.expanded


def test_a_topic_word_finds_its_everyday_wording(archive: SearchEngine) -> None:
    # 送温暖 is what the春节 visits to workers in hardship are called.
    assert ids(search(archive, "送温暖")) == ["x4-0000"]
    assert ids(search(archive, "送温暖", literal=True)) == []


def test_a_rare_compound_is_also_looked_for_as_its_words(archive: SearchEngine) -> None:
    result = search(archive, "职工书屋建设")
    # The literal hit first, then the paragraph with 职工书屋 and 建设 apart.
    assert ids(result) == ["x7-0000", "x7-0001"]
    assert "职工书屋+建设" in result.expanded
    assert ids(search(archive, "职工书屋建设", literal=True)) == ["x7-0000"]


_TOWNS = "东西南北中"
_UNITS = "甲乙丙丁戊己庚辛壬癸"


def _negotiations(count: int) -> list[IndexDocument]:
    """``count`` different paragraphs that say 工资集体协商 as one word, and one that has its words apart."""
    said = [
        _doc(f"w{n}-0000", f"{_TOWNS[n // 10]}片{_UNITS[n % 10]}厂开展工资集体协商，签订专项合同。")
        for n in range(count)
    ]
    return [*said, _doc("apart-0000", "工资待遇由集体讨论后与企业协商确定。")]


@pytest.mark.parametrize(("said", "split"), [(FALLBACK_BELOW - 1, True), (FALLBACK_BELOW, False)])
def test_a_compound_is_split_only_while_the_archive_rarely_says_it(
    engine_factory: EngineFactory, said: int, split: bool
) -> None:
    # 工资集体协商 is one word of the index: below the threshold its words are also looked for apart.
    engine = engine_factory.loaded(_negotiations(said))
    found = ids(search(engine, "工资集体协商"))
    assert len(found) == said + split and ("apart-0000" in found) is split


def test_excluded_words_never_expand(archive: SearchEngine) -> None:
    # -教代会 excludes 教代会 only, not the paragraphs saying 职代会 or 职工代表大会.
    assert set(ids(search(archive, "提案 -教代会"))) == {"x1-0000"}


def test_the_list_is_general_knowledge_read_from_its_file() -> None:
    table = parse_table(
        {
            "equivalent": [{"terms": ["職代會", "职工代表大会"]}],
            "reword": [{"word": "服务", "as": ["效劳"]}],
            "includes": [{"word": "帮扶", "covers": ["送温暖"]}],
        }
    )
    assert table.equivalents["职代会"] == ("职工代表大会",)  # written Traditional, folded
    assert table.rewords["效劳"] == ("服务",) and table.rewords["服务"] == ("效劳",)
    assert table.includes["帮扶"] == ("送温暖",) and "送温暖" not in table.includes
    assert subwords("工资集体协商") == ["工资", "集体", "协商"]
    assert subwords("农民工入会") == ["农民工", "入会"]


# --------------------------------------------------------------------------- ranking


FRAGMENT = _doc("r1-0000", "加强职工之家建设", quality=0.08)
SUBSTANCE = _doc(
    "r2-0000",
    "今年以来，镇总工会以职工之家建设为抓手，新建职工书屋三个、爱心驿站五个，为一线职工提供休息、阅读、"
    "热饭和应急药品等服务，全年接待职工四千余人次，职工对工会工作的满意度明显提高。",
    quality=1.0,
)


def test_a_short_fragment_does_not_outrank_the_substantial_paragraph(engine_factory: EngineFactory) -> None:
    # BM25 alone puts the eight-character line first (it is nearly all query); quality puts substance first.
    engine = engine_factory.loaded([FRAGMENT, SUBSTANCE])
    assert ids(search(engine, "职工之家")) == ["r2-0000", "r1-0000"]


def test_the_quality_factor_is_smooth() -> None:
    from engine.plan import quality_factor

    steps = [quality_factor(q / 100) for q in range(101)]
    assert steps == sorted(steps) and max(b - a for a, b in pairwise(steps)) < 0.02


# --------------------------------------------------------------------------- one character


@pytest.mark.parametrize("char", ["会", "賽", "工", "2"])
def test_a_one_character_query_finds_every_paragraph_that_holds_it(archive: SearchEngine, char: str) -> None:
    wanted = {d.paragraph_id for d in EXPANSION if analysis.fold(char) in analysis.fold(d.text)}
    assert wanted and set(ids(search(archive, char))) == wanted


# --------------------------------------------------------------------------- near-duplicates


def test_traditional_and_simplified_copies_with_other_placeholders_collapse(archive: SearchEngine) -> None:
    assert paragraph_key(SIMPLIFIED) == paragraph_key(TRADITIONAL)
    result = search(archive, "技能竞赛", collapse=True)
    (hit,) = result.hits
    assert hit.duplicate_count == 1 and result.total == 2


def test_a_readings_injected_paragraph_is_found_by_its_words(archive: SearchEngine) -> None:
    # 教职工代表大会(huì): the injected reading no longer splits the word.
    assert "x10-0000" in ids(search(archive, "教职工代表大会", literal=True))


# --------------------------------------------------------------------------- both engines agree

#: Every query of this suite and of the contract suite (tests/engine/test_contract.py) whose order matters.
QUERIES = [
    "职工", "困难 职工", "劳动 竞赛", "送温暖", "职代会", "教代会", "农民工", "职工书屋建设", "工 会", "会",
    "职工 -困难", "送温暖 OR 帮扶", "厂务公开 OR 教代会", '"集体协商"', "关心好特困职工", "权益", "办实事",
    "办实事 排忧解难", "排忧解难 -办实事", "技能竞赛", "职工之家 OR 工会", "工资集体协商", "困难职工 慰问",
    "生命安全", "教职工", "安全生产", "女职工 维权",
]  # fmt: skip


@pytest.fixture(scope="module")
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[SearchEngine]]:
    """The embedded engine and an Elasticsearch one, holding the same paragraphs."""
    from engine.embedded import EmbeddedEngine

    try:
        from engine.elastic import ElasticsearchEngine

        url = request.getfixturevalue("elasticsearch_url")
    except (ImportError, pytest.FixtureLookupError) as exc:
        pytest.skip(f"no Elasticsearch node: {exc}")
    docs = [*CORPUS, *PROXIMITY, *EXPANSION]
    embedded = load(EmbeddedEngine(Path(tmp_path_factory.mktemp("both")) / "index"), docs)
    elastic = load(ElasticsearchEngine(url=url, alias=f"both-{tmp_path_factory.getbasetemp().name[-8:]}"), docs)
    yield [embedded, elastic]
    elastic.drop()
    for engine in (embedded, elastic):
        engine.close()


@pytest.mark.parametrize("collapse", [True, False])
def test_both_engines_list_the_same_first_ten_in_the_same_order(both: list[SearchEngine], collapse: bool) -> None:
    embedded, elastic = both
    for query in QUERIES:
        left = search(embedded, query, page_size=10, collapse=collapse)
        right = search(elastic, query, page_size=10, collapse=collapse)
        assert ids(left) == ids(right), query
        assert (left.total, left.expanded) == (right.total, right.expanded), query
