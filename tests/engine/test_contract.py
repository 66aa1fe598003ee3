"""The search contract, as a user of either backend would notice it.

Every test runs once per backend (see conftest.BACKENDS). The corpus is
tests/engine/documents.CORPUS; expected ids and counts were worked out by
reading it, and are spelled out next to each assertion.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import fields, replace
from itertools import chain

import pytest

from engine.contract import IndexDocument, SearchEngine, SearchRequest, SearchResult
from engine.documents import analysed
from engine.highlight import strip_marks
from tests.engine.conftest import EngineFactory, load
from tests.engine.documents import CORPUS, MINE, PROXIMITY, SCHOOL, TOWN_A, TOWN_B, by_id

HELP = "困难帮扶与送温暖"
#: The corpus's two headings that introduce body paragraphs: context of those paragraphs, never hits.
HEADINGS = {"a000-0000", "a002-0000"}
#: What a search can return: every paragraph but those headings.
SEARCHABLE = tuple(d for d in CORPUS if d.paragraph_id not in HEADINGS)


@pytest.fixture(scope="module")
def corpus(engine_factory: EngineFactory) -> SearchEngine:
    """One engine per backend holding CORPUS (read-only: tests that write open their own)."""
    return engine_factory.loaded(CORPUS)


def search(engine: SearchEngine, query: str = "", **options: object) -> SearchResult:
    """A search with every matching paragraph on one page and no collapsing, unless overridden."""
    params: dict[str, object] = {"page_size": 100, "collapse": False, **options}
    return engine.search(SearchRequest(query=query, **params))  # type: ignore[arg-type]


def ids(result: SearchResult) -> list[str]:
    """Paragraph ids of the hits, in result order."""
    return [hit.paragraph_id for hit in result.hits]


def found(engine: SearchEngine, query: str, **options: object) -> set[str]:
    """The set of paragraph ids a query finds."""
    result = search(engine, query, **options)
    assert result.total == len(result.hits)
    return set(ids(result))


def counts(result: SearchResult, facet: str) -> dict[str, int]:
    """value → count of one facet."""
    return {f.value: f.count for f in result.facets[facet]}


def selected(result: SearchResult, facet: str) -> set[str]:
    """The values of a facet marked as selected."""
    return {f.value for f in result.facets[facet] if f.selected}


# --------------------------------------------------------------------------- matching


def test_words_separated_by_spaces_must_all_occur(corpus: SearchEngine) -> None:
    # 送温暖 is in three paragraphs and the heading a002-0000 (never a hit);
    # a003-0001 (“送温暖”活动…慰问) never mentions 职工.
    assert found(corpus, "送温暖") == {"a002-0001", "a004b-0001", "a003-0001"}
    assert found(corpus, "送温暖 职工") == {"a002-0001", "a004b-0001"}


def test_a_quoted_phrase_must_occur_in_that_order(corpus: SearchEngine) -> None:
    # Both 元旦 and 春节 appear in two paragraphs, always as 元旦、春节.
    assert found(corpus, '"元旦、春节"') == {"a004b-0001", "a003-0001"}
    assert found(corpus, "春节 元旦") == {"a004b-0001", "a003-0001"}
    assert found(corpus, '"春节 元旦"') == set()


def test_a_quoted_long_phrase_finds_only_its_literal_occurrences(corpus: SearchEngine) -> None:
    assert found(corpus, '"关心好特困职工"') == {"a000-0002", "a002-0002"}


def test_a_minus_word_excludes_paragraphs_containing_it(corpus: SearchEngine) -> None:
    assert found(corpus, "送温暖 -春节") == {"a002-0001"}
    assert found(corpus, '送温暖 -"元旦、春节"') == {"a002-0001"}


def test_or_finds_either_word(corpus: SearchEngine) -> None:
    # Literally (tests/engine/test_expansion.py covers what expansion adds: 教代会 ↔ 职代会 …).
    assert found(corpus, "厂务公开 OR 教代会", literal=True) == {"a003-0000", "a004a-0000"}
    # An OR clause is one requirement among the others: only a004a-0000 also says 学校.
    assert found(corpus, "厂务公开 OR 教代会 学校", literal=True) == {"a004a-0000"}


@pytest.mark.parametrize("raw", ['"送温暖', "送温暖 OR", "OR 送温暖 -", "送温暖 “", '送温暖 ""', "送温暖 -- －"])
def test_malformed_syntax_degrades_to_plain_words(corpus: SearchEngine, raw: str) -> None:
    assert found(corpus, raw) == found(corpus, "送温暖")


@pytest.mark.parametrize("raw", ["(", "*", "title:工会", "AND", "\\", "工会~2", "a:b:c [1 TO 2]", "‖"])
def test_engine_query_syntax_is_never_interpreted_nor_an_error(corpus: SearchEngine, raw: str) -> None:
    search(corpus, raw)  # must not raise


def test_zhigong_is_found_inside_jiaozhigong(corpus: SearchEngine) -> None:
    # a002-0003, a004a-0000 and a004a-0001 only ever say 教职工; Ctrl-F for 职工 finds them.
    hits = found(corpus, "职工")
    assert {"a002-0003", "a004a-0000", "a004a-0001"} <= hits
    assert len(hits) == 11  # every paragraph but the two headings, a003-0000 and a003-0001


@pytest.mark.parametrize("query", ["丧等大事", "喪等大事"])
def test_simplified_and_traditional_find_each_other(corpus: SearchEngine, query: str) -> None:
    # The samples write 婚、喪等大事 (traditional 喪).
    assert found(corpus, query) == {"a000-0002", "a002-0002"}


def test_full_width_and_half_width_find_each_other(corpus: SearchEngine) -> None:
    # a004b-0001 writes XX年 in ASCII; a query in full-width letters still finds it.
    assert found(corpus, "ＸＸ年元旦") == {"a004b-0001"}


# --------------------------------------------------------------------------- filters and facets


def test_values_of_one_facet_are_alternatives(corpus: SearchEngine) -> None:
    school_or_office = {"org_level": ("学校教育", "机关事业")}
    assert found(corpus, "职工", filters=school_or_office) == {
        "a004a-0000",
        "a004a-0001",
        "a004b-0000",
        "a004b-0001",
    }


def test_different_facets_must_all_hold(corpus: SearchEngine) -> None:
    filters = {"org_level": ("学校教育", "机关事业"), "topic": (HELP,)}
    assert found(corpus, "职工", filters=filters) == {"a004b-0000", "a004b-0001"}


def test_facet_counts_ignore_their_own_selection(corpus: SearchEngine) -> None:
    filters = {"org_level": ("乡镇街道",), "topic": (HELP,)}
    result = search(corpus, "职工", filters=filters)
    # Hits: 职工 ∧ 乡镇街道 ∧ 帮扶 = a000-0002, a002-0001, a002-0002 (the heading a002-0000 is no hit).
    assert set(ids(result)) == {"a000-0002", "a002-0001", "a002-0002"}
    # org_level counted over 职工 ∧ 帮扶 (its own selection left out): 3 town + 2 office.
    assert counts(result, "org_level") == {"乡镇街道": 3, "机关事业": 2}
    assert selected(result, "org_level") == {"乡镇街道"}
    # topic counted over 职工 ∧ 乡镇街道: the six town paragraphs that are not headings.
    assert counts(result, "topic") == {HELP: 3, "维权与劳动关系": 1, "安全生产与劳动保护": 1, "民主管理与厂务公开": 1}
    assert selected(result, "topic") == {HELP}
    # Unselected facets count the hits themselves.
    assert counts(result, "township") == {"茶湖镇": 2, "城关镇": 1}
    assert counts(result, "period") == {"全年": 2, "上半年": 1}
    assert counts(result, "year") == {"2012": 2, "2004": 1}
    assert counts(result, "source") == {TOWN_B: 2, TOWN_A: 1}
    assert counts(result, "org_name") == {"茶湖镇总工会": 2, "城关镇总工会": 1}


def test_facet_values_are_listed_by_count_and_years_newest_first(corpus: SearchEngine) -> None:
    result = search(corpus, "职工")
    assert [f.value for f in result.facets["org_level"]] == ["乡镇街道", "学校教育", "机关事业", "企业厂矿"]
    assert [f.count for f in result.facets["org_level"]] == [6, 2, 2, 1]
    assert [f.value for f in result.facets["year"]] == ["2023", "2012", "2005", "2004"]


def test_a_paragraph_with_several_topics_counts_under_each(engine_factory: EngineFactory) -> None:
    both = replace(by_id("a003-0001"), paragraph_id="t-0001", topics=(HELP, "维权与劳动关系"))
    one = replace(by_id("a003-0001"), paragraph_id="t-0002", topics=(HELP,))
    engine = engine_factory.loaded([both, one])
    assert counts(search(engine, "送温暖"), "topic") == {HELP: 2, "维权与劳动关系": 1}
    narrowed = search(engine, "送温暖", filters={"topic": ("维权与劳动关系",)})
    assert ids(narrowed) == ["t-0001"] and counts(narrowed, "topic") == {HELP: 2, "维权与劳动关系": 1}


def test_a_selected_value_is_listed_even_when_nothing_matches_it(corpus: SearchEngine) -> None:
    result = search(corpus, "厂务公开", filters={"township": ("城关镇",)})
    assert result.total == 0
    assert [(f.value, f.count, f.selected) for f in result.facets["township"]] == [("城关镇", 0, True)]


def test_facet_size_limits_the_values_listed(corpus: SearchEngine) -> None:
    result = search(corpus, "职工", facet_size=2, filters={"org_level": ("企业厂矿",)})
    assert [(f.value, f.count) for f in result.facets["org_level"]] == [
        ("乡镇街道", 6),
        ("学校教育", 2),
        ("企业厂矿", 1),
    ]


def test_year_range_keeps_years_inside_and_drops_unknown_years(corpus: SearchEngine) -> None:
    result = search(corpus, "职工", year_from=2005, year_to=2012)
    assert set(ids(result)) == {"a002-0001", "a002-0002", "a002-0003", "a004b-0000", "a004b-0001"}
    # The year facet ignores the range, like any facet ignores its own selection.
    assert counts(result, "year") == {"2004": 3, "2012": 3, "2005": 2, "2023": 1}
    assert found(corpus, "职工", year_from=2013) == {"a003-0002"}
    assert found(corpus, "职工", year_to=2004) == {"a000-0001", "a000-0002", "a000-0003"}


def test_unknown_facets_and_empty_selections_are_ignored(corpus: SearchEngine) -> None:
    result = search(corpus, "职工", filters={"colour": ("红",), "township": ()})
    assert result.total == 11
    assert selected(result, "township") == set()


def test_year_is_also_a_facet_filter(corpus: SearchEngine) -> None:
    result = search(corpus, "职工", filters={"year": ("2005", "2023")})
    assert set(ids(result)) == {"a004b-0000", "a004b-0001", "a003-0002"}
    assert selected(result, "year") == {"2005", "2023"}


# --------------------------------------------------------------------------- genre facets: doc_type, org_type
# Corpus: a000 (4 paragraphs) and a002 (4) are 总结 · 工会, a004a (2) 计划 · 工会, a004b (2) 总结 · 妇联,
# a003 (3) has neither set, so both are 其他. 职工 finds all but a003-0000 and a003-0001, and the
# headings a000-0000 and a002-0000 (never hits).

A000 = {"a000-0001", "a000-0002", "a000-0003"}
A002 = {"a002-0001", "a002-0002", "a002-0003"}
A004A = {"a004a-0000", "a004a-0001"}
A004B = {"a004b-0000", "a004b-0001"}


def test_doc_type_values_are_alternatives(corpus: SearchEngine) -> None:
    assert found(corpus, "职工", filters={"doc_type": ("总结",)}) == A000 | A002 | A004B
    assert found(corpus, "职工", filters={"doc_type": ("计划", "其他")}) == A004A | {"a003-0002"}


def test_doc_type_and_org_type_must_both_hold(corpus: SearchEngine) -> None:
    union_summaries = {"doc_type": ("总结",), "org_type": ("工会",)}
    assert found(corpus, "职工", filters=union_summaries) == A000 | A002
    assert found(corpus, "职工", filters={"org_type": ("妇联", "共青团")}) == A004B


def test_genre_counts_ignore_their_own_selection(corpus: SearchEngine) -> None:
    result = search(corpus, "职工", filters={"doc_type": ("总结",), "org_type": ("工会",)})
    assert set(ids(result)) == A000 | A002
    # doc_type counted over 职工 ∧ 工会 (a000, a002, a004a); org_type over 职工 ∧ 总结 (a000, a002, a004b).
    assert counts(result, "doc_type") == {"总结": 6, "计划": 2}
    assert counts(result, "org_type") == {"工会": 6, "妇联": 2}
    assert selected(result, "doc_type") == {"总结"} and selected(result, "org_type") == {"工会"}
    # Other facets count the hits themselves.
    assert counts(result, "period") == {"上半年": 3, "全年": 3}
    assert counts(result, "org_level") == {"乡镇街道": 6}


def test_unset_genres_count_as_other(corpus: SearchEngine) -> None:
    result = search(corpus, "职工")
    assert counts(result, "doc_type") == {"总结": 8, "计划": 2, "其他": 1}
    assert counts(result, "org_type") == {"工会": 8, "妇联": 2, "其他": 1}


def test_closed_vocabularies_are_listed_in_their_declared_order(engine_factory: EngineFactory) -> None:
    # Two 新闻 paragraphs and one 总结: 总结 still comes first, as facets.toml lists it.
    base = by_id("a003-0001")
    docs = [
        replace(base, paragraph_id="g-0001", doc_type="新闻", org_type="共青团"),
        replace(base, paragraph_id="g-0002", doc_type="新闻", org_type="共青团"),
        replace(base, paragraph_id="g-0003", doc_type="总结", org_type="工会"),
    ]
    result = search(engine_factory.loaded(docs), "送温暖")
    assert [(f.value, f.count) for f in result.facets["doc_type"]] == [("总结", 1), ("新闻", 2)]
    assert [(f.value, f.count) for f in result.facets["org_type"]] == [("工会", 1), ("共青团", 2)]


def test_the_file_facet_lists_the_files_with_most_matches_with_whole_counts(engine_factory: EngineFactory) -> None:
    # Twelve files holding 1 to 12 matching paragraphs, written in shuffled order: only two are listed,
    # and those two must be the biggest with every one of their paragraphs counted.
    base = by_id("a003-0001")
    docs = [
        replace(base, paragraph_id=f"f{n:02d}-{i:04d}", article_id=f"f{n:02d}", source_path=f"archive/f{n:02d}.txt")
        for n in (7, 12, 3, 9, 1, 11, 5, 10, 2, 8, 4, 6)
        for i in range(n)
    ]
    engine = engine_factory.loaded(docs)
    result = search(engine, "送温暖", facet_size=2)
    assert [(f.value, f.count) for f in result.facets["source"]] == [("archive/f12.txt", 12), ("archive/f11.txt", 11)]
    narrowed = search(engine, "送温暖", facet_size=2, filters={"source": ("archive/f01.txt",)})
    assert ("archive/f01.txt", 1, True) in [(f.value, f.count, f.selected) for f in narrowed.facets["source"]]


def test_an_unknown_period_is_its_own_value_apart_from_other(engine_factory: EngineFactory) -> None:
    base = by_id("a003-0001")
    docs = [
        IndexDocument(**{**_plain(base), "paragraph_id": "p-0001"}),  # period left unset: 未知
        replace(base, paragraph_id="p-0002", period="其他"),
        replace(base, paragraph_id="p-0003", period="上半年"),
    ]
    engine = engine_factory.loaded(docs)
    result = search(engine, "送温暖")
    assert [(f.value, f.count) for f in result.facets["period"]] == [("上半年", 1), ("其他", 1), ("未知", 1)]
    assert ids(search(engine, "送温暖", filters={"period": ("未知",)})) == ["p-0001"]


def test_a_value_outside_the_vocabulary_matches_nothing_but_stays_listed(corpus: SearchEngine) -> None:
    result = search(corpus, "职工", filters={"doc_type": ("年鉴",)})
    assert result.total == 0
    assert ("年鉴", 0, True) in [(f.value, f.count, f.selected) for f in result.facets["doc_type"]]


def test_hits_and_articles_carry_the_genres(corpus: SearchEngine) -> None:
    by_paragraph = {hit.paragraph_id: hit for hit in search(corpus, "职工").hits}
    assert (by_paragraph["a004b-0000"].doc_type, by_paragraph["a004b-0000"].org_type) == ("总结", "妇联")
    assert (by_paragraph["a003-0002"].doc_type, by_paragraph["a003-0002"].org_type) == ("其他", "其他")
    assert {(d.doc_type, d.org_type) for d in corpus.article("a004a")} == {("计划", "工会")}


def _plain(doc: IndexDocument) -> dict[str, object]:
    """The constructor arguments of ``doc`` without its period (so the default applies)."""
    values = {f.name: getattr(doc, f.name) for f in fields(doc)}
    del values["period"]
    return values


# --------------------------------------------------------------------------- ranking and order


# --------------------------------------------------------------------------- headings are context


def test_a_heading_is_never_a_hit_of_its_own(corpus: SearchEngine) -> None:
    # 五、努力为职工送温暖办实事 (a002-0000) names 送温暖, but only its paragraph is listed.
    for query in ("送温暖", "办实事", '"努力为职工送温暖办实事"', ""):
        assert not HEADINGS & found(corpus, query), query
    assert not any(hit.is_heading for hit in search(corpus, "职工").hits)


def test_a_paragraph_is_found_through_the_heading_above_it(corpus: SearchEngine) -> None:
    # Only the heading says 办实事; the paragraph below it (a002-0001) is found, heading as its context.
    (hit,) = search(corpus, "办实事").hits
    assert hit.paragraph_id == "a002-0001" and hit.section_path == ["五、努力为职工送温暖办实事"]
    # One term in the heading, the other in the paragraph: still the paragraph.
    assert found(corpus, "办实事 排忧解难") == {"a002-0001"}
    # 在维护权益上下功夫 heads the three a000 paragraphs, none of which says it.
    assert found(corpus, '"在维护权益上下功夫"') == {"a000-0001", "a000-0002", "a000-0003"}


def test_a_phrase_does_not_run_from_a_heading_into_its_paragraph(corpus: SearchEngine) -> None:
    # The heading ends with 办实事, the paragraph starts with 开展: never one phrase.
    assert found(corpus, '"办实事开展"') == set()


def test_an_excluded_word_in_a_heading_does_not_hide_the_paragraphs_below(corpus: SearchEngine) -> None:
    # a002-0001 itself never says 办实事; only its heading does.
    assert found(corpus, "排忧解难 -办实事", literal=True) == {"a002-0001"}


def test_an_article_of_nothing_but_headings_is_found_by_them(engine_factory: EngineFactory) -> None:
    outline = _article_of_headings("o", ["一、扎实开展送温暖活动", "二、深化职工之家建设"])
    engine = engine_factory.loaded([*CORPUS, *outline])
    assert found(engine, "职工之家") == {"o-0001"}
    assert "o-0000" in found(engine, "送温暖")
    # A heading of an article with a body is still context only.
    assert not HEADINGS & found(engine, "送温暖")


def _article_of_headings(article_id: str, texts: list[str]) -> list[IndexDocument]:
    """An article whose every paragraph is a heading (a bare outline)."""
    return [
        IndexDocument(
            paragraph_id=f"{article_id}-{i:04d}",
            article_id=article_id,
            position=i,
            text=text,
            title="工作要点",
            source_path=f"archive/{article_id}.txt",
            source_sha256=f"sha-{article_id}",
            is_heading=True,
            quality=0.1,
        )
        for i, text in enumerate(texts)
    ]


def test_a_substantial_paragraph_ranks_above_one_found_only_through_its_heading(corpus: SearchEngine) -> None:
    # a002-0001 says 送温暖 itself; every a000 paragraph is found for 权益 only through its heading
    # except a000-0001, which says it.
    order = ids(search(corpus, "权益"))
    assert order[0] == "a000-0001"
    assert set(order) == {"a000-0001", "a000-0002", "a000-0003"}


# --------------------------------------------------------------------------- more like this


def test_more_like_this_finds_paragraphs_on_the_same_subject_elsewhere(corpus: SearchEngine) -> None:
    source = by_id("a002-0001")  # 送温暖, 困难职工, 帮扶 in 茶湖镇 2012
    result = search(corpus, like_text=source.text, like_exclude=(source.paragraph_id,))
    found_ids = ids(result)
    assert "a002-0001" not in found_ids
    assert not HEADINGS & set(found_ids)
    # The top of the list is about helping workers in hardship too, from other towns and years.
    assert found_ids[0] in {"a000-0002", "a002-0002", "a004b-0000", "a004b-0001"}
    assert result.terms and all(hit.match_count >= 1 for hit in result.hits)


def test_more_like_this_leaves_out_the_paragraphs_copies_and_honours_filters(corpus: SearchEngine) -> None:
    source = by_id("a000-0002")  # duplicate key dup-teku, copied in a002-0002
    result = search(corpus, like_text=source.text, like_exclude=("dup-teku",))
    assert not {"a000-0002", "a002-0002"} & set(ids(result))
    narrowed = search(corpus, like_text=source.text, like_exclude=("dup-teku",), filters={"year": ("2005",)})
    assert set(ids(narrowed)) <= {"a004b-0000", "a004b-0001"} and narrowed.hits


def test_words_next_to_each_other_beat_words_far_apart(engine_factory: EngineFactory) -> None:
    engine = engine_factory.loaded(PROXIMITY)
    # prox-near (…为主体的劳动竞赛) is the longer text, yet ranks first.
    assert ids(search(engine, "劳动 竞赛")) == ["prox-near-0000", "prox-far-0000"]


def test_equal_scores_are_ordered_by_paragraph_id(engine_factory: EngineFactory) -> None:
    # Three identical paragraphs score the same; they were indexed in the order 9, 5, 7.
    twins = [replace(by_id("a003-0001"), paragraph_id=pid) for pid in ("a003-0009", "a003-0005", "a003-0007")]
    engine = engine_factory.loaded(twins)
    assert ids(search(engine, "送温暖")) == ["a003-0005", "a003-0007", "a003-0009"]
    assert ids(search(engine, "送温暖", sort="year")) == ["a003-0005", "a003-0007", "a003-0009"]


def test_sort_by_year_puts_newest_first_and_unknown_years_last(corpus: SearchEngine) -> None:
    result = search(corpus, "职工", sort="year")
    years = [hit.year for hit in result.hits]
    assert years == [2023] + [2012] * 3 + [2005] * 2 + [2004] * 3 + [None] * 2
    for year in (2012, 2005, 2004):
        group = [h for h in result.hits if h.year == year]
        keys = [(-h.score, h.paragraph_id) for h in group]
        assert keys == sorted(keys), f"within {year}: best score first, then paragraph_id"


def test_an_empty_query_browses_everything_newest_first(corpus: SearchEngine) -> None:
    result = search(corpus, "")
    assert result.total == len(SEARCHABLE)
    expected = sorted(SEARCHABLE, key=lambda d: (d.year is None, -(d.year or 0), d.paragraph_id))
    assert ids(result) == [d.paragraph_id for d in expected]


def test_only_exclusions_browses_the_rest(corpus: SearchEngine) -> None:
    result = search(corpus, "-职工")
    assert set(ids(result)) == {"a003-0000", "a003-0001"}


def test_pages_continue_without_gaps_or_repeats(corpus: SearchEngine) -> None:
    everything = ids(search(corpus, "职工"))
    pages = [ids(search(corpus, "职工", page=n, page_size=4)) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [4, 4, 3, 0]
    assert list(chain.from_iterable(pages)) == everything
    beyond = search(corpus, "职工", page=9, page_size=4)
    assert beyond.hits == [] and beyond.total == 11


# --------------------------------------------------------------------------- hits


HIGHLIGHT_QUERIES = ["职工", "送温暖 -春节", '"元旦、春节"', "教职工 OR 工会", "喪等大事", "script", "", "xx年"]


@pytest.mark.parametrize("query", HIGHLIGHT_QUERIES)
def test_every_hit_highlight_gives_back_the_stored_text(corpus: SearchEngine, query: str) -> None:
    result = search(corpus, query)
    assert result.hits
    for hit in result.hits:
        assert html.unescape(strip_marks(hit.highlighted)) == hit.text == by_id(hit.paragraph_id).text
        fragment = hit.text[hit.fragment_start : hit.fragment_end]
        assert html.unescape(strip_marks(hit.fragment)) == fragment
        if result.terms and not hit.section_path:
            assert hit.match_count >= 1, f"{hit.paragraph_id} matched {query!r} but nothing is marked"


def test_html_in_a_paragraph_is_escaped_in_hits(corpus: SearchEngine) -> None:
    (hit,) = search(corpus, "借阅").hits
    assert "<script>" not in hit.highlighted
    assert "<mark>借阅</mark>" in hit.highlighted


def test_hits_carry_the_paragraphs_facets_and_place(corpus: SearchEngine) -> None:
    (hit,) = search(corpus, "生命安全").hits
    assert (hit.paragraph_id, hit.article_id, hit.title) == ("a000-0003", "a000", "城关镇工会2004年上半年工作总结")
    assert hit.section_path == ["一、职工利益放在首位，在维护权益上下功夫。"]
    assert (hit.org_level, hit.township, hit.period, hit.year) == ("乡镇街道", "城关镇", "上半年", 2004)
    assert hit.topics == ["安全生产与劳动保护"] and hit.source_path == TOWN_A
    assert hit.score > 0


# --------------------------------------------------------------------------- duplicates


def test_copies_collapse_into_one_hit_that_counts_the_others(corpus: SearchEngine) -> None:
    result = search(corpus, "关心好特困职工", collapse=True, literal=True)
    assert result.total == 2  # matching paragraphs, before collapsing
    (hit,) = result.hits
    assert hit.duplicate_count == 1 and hit.duplicate_key == "dup-teku"
    assert [d.paragraph_id for d in corpus.copies("dup-teku")] == ["a000-0002", "a002-0002"]


def test_collapsing_pages_over_distinct_paragraphs(corpus: SearchEngine) -> None:
    collapsed = search(corpus, "职工", collapse=True)
    assert collapsed.total == 11 and len(collapsed.hits) == 10
    keys = [h.duplicate_key for h in collapsed.hits]
    assert len(set(keys)) == len(keys)
    paged = [ids(search(corpus, "职工", collapse=True, page=n, page_size=5)) for n in (1, 2, 3)]
    assert list(chain.from_iterable(paged)) == ids(collapsed)


def test_a_filter_can_separate_copies(corpus: SearchEngine) -> None:
    (hit,) = search(corpus, "关心好特困职工", collapse=True, filters={"township": ("茶湖镇",)}).hits
    assert (hit.paragraph_id, hit.duplicate_count) == ("a002-0002", 0)


def test_a_copy_is_counted_only_where_it_matches_too(corpus: SearchEngine) -> None:
    # a000-0002 is found through its heading; its copy a002-0002 stands under another heading.
    hits = {h.paragraph_id: h.duplicate_count for h in search(corpus, '"在维护权益上下功夫"', collapse=True).hits}
    assert hits == {"a000-0001": 0, "a000-0002": 0, "a000-0003": 0}
    assert len(corpus.copies("dup-teku")) == 2


def test_a_paragraph_without_duplicate_key_is_its_own_group(corpus: SearchEngine) -> None:
    (hit,) = search(corpus, "生命安全", collapse=True).hits
    assert hit.duplicate_count == 0
    assert [d.paragraph_id for d in corpus.copies(hit.duplicate_key)] == ["a000-0003"]


# --------------------------------------------------------------------------- articles and sources


def test_an_article_comes_back_in_reading_order(corpus: SearchEngine) -> None:
    paragraphs = corpus.article("a000")
    assert [p.position for p in paragraphs] == [0, 1, 2, 3]
    # Stored as indexed, except that a missing duplicate key becomes the paragraph's own id.
    assert paragraphs == [
        replace(d, duplicate_key=d.duplicate_key or d.paragraph_id) for d in CORPUS if d.article_id == "a000"
    ]
    assert corpus.article("no-such-article") == []


def test_sources_lists_each_file_with_its_hash(corpus: SearchEngine) -> None:
    assert corpus.sources() == {
        TOWN_A: "sha-000_ba0ac14e50997098",
        TOWN_B: "sha-002_085839b73ea06a0d",
        SCHOOL: "sha-004_0c8ed3b9e15e8dcd",
        MINE: "sha-003_1b25769b943d4546",
    }


def test_stats_count_paragraphs_and_articles(corpus: SearchEngine) -> None:
    stats = corpus.stats()
    assert (stats["documents"], stats["articles"]) == (15, 5)


# --------------------------------------------------------------------------- ingest


@pytest.fixture
def town_a(engine_factory: EngineFactory) -> Iterator[SearchEngine]:
    """A fresh engine holding only the 城关镇 file."""
    yield engine_factory.loaded(d for d in CORPUS if d.source_path == TOWN_A)


def test_an_empty_index_answers_with_nothing(engine_factory: EngineFactory) -> None:
    engine = engine_factory.empty()
    assert engine.sources() == {}
    result = search(engine, "职工", filters={"org_level": ("乡镇街道",)})
    assert (result.total, result.hits) == (0, [])
    assert selected(result, "org_level") == {"乡镇街道"}


def test_documents_analysed_beforehand_are_found_like_the_others(engine_factory: EngineFactory) -> None:
    # The indexer analyses on its worker processes (engine.documents.analysed); the engine indexes those views.
    plain = engine_factory.loaded(CORPUS)
    prepared = engine_factory.loaded(analysed(d) for d in CORPUS)
    for query in ("职工", "送温暖 困难", '"困难职工"'):
        expected = search(plain, query)
        got = search(prepared, query)
        assert [h.paragraph_id for h in got.hits] == [h.paragraph_id for h in expected.hits]
        assert got.total == expected.total > 0


def test_replacing_a_source_replaces_its_paragraphs(town_a: SearchEngine) -> None:
    edited = [replace(by_id("a000-0001"), text="维护职工合法权益，做好职工之家建设。", source_sha256="sha-edited")]
    town_a.replace_source(TOWN_A, edited)
    town_a.commit()
    assert found(town_a, "职工之家") == {"a000-0001"}
    assert found(town_a, "生命安全") == set()
    assert town_a.sources() == {TOWN_A: "sha-edited"}


def test_deleting_a_source_drops_its_paragraphs(town_a: SearchEngine) -> None:
    load(town_a, [d for d in CORPUS if d.source_path == MINE])
    town_a.delete_source(TOWN_A)
    town_a.commit()
    assert set(town_a.sources()) == {MINE}
    assert found(town_a, "生命安全") == set()
    assert town_a.article("a000") == []


def test_writes_are_invisible_until_commit(town_a: SearchEngine) -> None:
    town_a.replace_source(MINE, [d for d in CORPUS if d.source_path == MINE])
    town_a.commit()
    town_a.delete_source(MINE)
    assert found(town_a, "厂务公开") == {"a003-0000"}
    town_a.commit()
    assert found(town_a, "厂务公开") == set()


def test_another_handle_sees_new_commits(engine_factory: EngineFactory, town_a: SearchEngine) -> None:
    reader = engine_factory.reopen(engine_factory.store_of(town_a))
    assert found(reader, "厂务公开") == set()
    load(town_a, [d for d in CORPUS if d.source_path == MINE])
    assert found(reader, "厂务公开") == {"a003-0000"}


# --------------------------------------------------------------------------- rebuild


def test_a_rebuild_serves_the_old_index_until_it_finishes(engine_factory: EngineFactory, town_a: SearchEngine) -> None:
    reader = engine_factory.reopen(engine_factory.store_of(town_a))
    town_a.begin_rebuild()
    load(town_a, [d for d in CORPUS if d.source_path == MINE])
    for engine in (town_a, reader):
        assert found(engine, "生命安全") == {"a000-0003"}
        assert found(engine, "厂务公开") == set()
    town_a.finish_rebuild()
    for engine in (town_a, reader):
        assert found(engine, "生命安全") == set()
        assert found(engine, "厂务公开") == {"a003-0000"}
        assert set(engine.sources()) == {MINE}


def test_a_failed_rebuild_leaves_the_old_index(engine_factory: EngineFactory, town_a: SearchEngine) -> None:
    from engine import rebuilding

    with pytest.raises(RuntimeError, match="parse failed"), rebuilding(town_a) as engine:
        load(engine, [d for d in CORPUS if d.source_path == MINE])
        raise RuntimeError("parse failed")
    assert found(town_a, "生命安全") == {"a000-0003"}
    assert found(town_a, "厂务公开") == set()
    assert set(town_a.sources()) == {TOWN_A}
    # And the engine can rebuild again afterwards.
    with rebuilding(town_a) as engine:
        load(engine, [d for d in CORPUS if d.source_path == SCHOOL])
    assert set(town_a.sources()) == {SCHOOL}


def test_a_rebuild_of_a_new_store_creates_it(engine_factory: EngineFactory) -> None:
    from engine import rebuilding

    with rebuilding(engine_factory.empty()) as engine:
        load(engine, CORPUS)
    assert search(engine, "").total == len(SEARCHABLE)
