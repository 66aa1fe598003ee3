"""Titles, series markers and collection titles of template pages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import titles
from indexer.pagerules import zone_rules
from indexer.titles import collection_core, names_a_unit, same_title, title_shape


@pytest.mark.parametrize(
    "line",
    ["第二篇", "【篇三】", "篇4：", "范文五", "例文7", "模板篇6"],
)
def test_a_bare_series_marker_starts_an_article_without_a_title(line: str) -> None:
    shape = title_shape(line)
    assert shape is not None and shape.series and shape.title == ""


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("第3篇：社区工会工作总结", "社区工会工作总结"),
        ("社区工会工作总结 篇2", "社区工会工作总结 篇2"),
        ("社区工会工作总结3", "社区工会工作总结3"),
        ("2.职工书屋建设活动总结", "职工书屋建设活动总结"),
        ("社區工會(huì)工作總結(jié)(summary)4", "社區工會(huì)工作總結(jié)(summary)4"),
    ],
)
def test_series_titles_keep_what_tells_the_articles_apart(line: str, title: str) -> None:
    shape = title_shape(line)
    assert shape is not None and shape.series and not shape.collection
    assert shape.title == title


@pytest.mark.parametrize(
    "line",
    [
        "社区工会工作总结(通用8篇)",
        "社区工会工作总结12篇",
        "最新社区工会工作总结十篇",
        "社區工會工作總結集錦9篇",
        "社区工会工作总结合集",
    ],
)
def test_a_title_naming_a_bundle_is_a_collection(line: str) -> None:
    shape = title_shape(line)
    assert shape is not None and shape.collection


def test_a_collection_title_without_its_count_names_the_page() -> None:
    assert collection_core("2019年社区工会工作总结(通用8篇)") == "2019年社区工会工作总结"


@pytest.mark.parametrize(
    "line",
    ["今年以来，我镇工会认真贯彻上级精神。", "一是加强学习，提高素质", "为弘扬劳模精神，开展了系列活动"],
)
def test_sentences_are_not_titles(line: str) -> None:
    assert title_shape(line) is None


def test_genre_words_other_than_summary_make_titles() -> None:
    for line in ("市总工会主席在全委会上的讲话", "2024年街道工会工作计划", "庆五一职工文艺汇演主持词"):
        shape = title_shape(line)
        assert shape is not None and not shape.series


def test_same_title_ignores_markers_counts_and_script() -> None:
    assert same_title("学校工会工作总结", "第一篇：學校工會工作總結范文")
    assert same_title("学校工会工作总结(精选5篇)", "学校工会工作总结")
    assert not same_title("学校工会工作总结", "学校工会工作计划")


def test_a_title_names_a_unit_when_it_names_an_organisation() -> None:
    assert names_a_unit("高校工会工作总结")
    assert not names_a_unit("某年工作的简要总结")


TITLE_CHARS = list("第篇一二三十123 (（)）【】[]通用精选合集锦大全汇编范文总结工作:：。,\n")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(TITLE_CHARS), max_size=30))
def test_title_patterns_with_first_characters_match_as_written(text: str) -> None:
    _, collection = titles._patterns()
    plain_collection = re.compile("|".join(zone_rules()["titles"]["collection"]))
    plain_suffix = re.compile(titles._SERIES_SUFFIX.pattern.split("])(?:", 1)[1][:-1])
    for fast, plain in ((collection, plain_collection), (titles._SERIES_SUFFIX, plain_suffix)):
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert fast.sub("", text) == plain.sub("", text)


# Titles and body lines made of a title's own pieces, markers and counts, so that keys often agree.
TITLE_PIECES = [
    "社区",
    "工会",
    "工作",
    "总结",
    "篇二",
    "第1篇:",
    "范文",
    "(通用6篇)",
    "合集",
    "2021年",
    "，",
    "。",
    " ",
    "3",
    "【",
    "】",
]
title_texts = st.lists(st.sampled_from(TITLE_PIECES), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(title_texts, title_texts)
def test_same_title_compares_the_keys_of_both(a: str, b: str) -> None:
    # A line lacking a character of the title's key is told apart before its own key is made.
    assert same_title(a, b) == (bool(a) and bool(b) and titles._title_key(a) == titles._title_key(b))
