"""The township/county gazetteer: real names found, generic words rejected, spans sane."""

from __future__ import annotations

import time
from itertools import pairwise

import pytest

from indexer.enrichment.gazetteer import (
    Place,
    data_as_of,
    find_places,
    is_county,
    is_township,
    township_bases,
)
from indexer.folding import fold


def names(text: str) -> list[str]:
    return [place.name for place in find_places(text)]


@pytest.mark.parametrize("name", ["塘桥镇", "桂园街道", "卢沟桥街道", "三岔口乡", "巴彦木仁苏木"])
def test_real_townships_are_known(name: str) -> None:
    assert is_township(name)


def test_street_office_form_counts_as_its_street() -> None:
    assert is_township("桂园街道办事处")
    assert not is_township("乡镇街道办事处")


@pytest.mark.parametrize(
    "word", ["乡镇", "城镇", "集镇", "镇", "乡", "街道", "社区", "中心镇", "城区街道", "全镇", "本乡", ""]
)
def test_unit_types_and_generic_words_are_not_townships(word: str) -> None:
    assert not is_township(word)


@pytest.mark.parametrize("name", ["顺昌县", "罗湖区", "张家港市", "丰县", "达拉特旗"])
def test_real_counties_are_known(name: str) -> None:
    assert is_county(name)


@pytest.mark.parametrize("word", ["苏州市", "塘桥镇", "城区", "郊区", "全县", "本区", "县", "市区"])
def test_prefecture_cities_townships_and_generic_words_are_not_counties(word: str) -> None:
    assert not is_county(word)


def test_finds_each_level_with_offsets_in_text_order() -> None:
    text = "江苏省苏州市张家港市塘桥镇总工会召开会员代表大会"
    places = find_places(text)
    assert [(p.name, p.kind) for p in places] == [
        ("苏州市", "city"),
        ("张家港市", "county"),
        ("塘桥镇", "township"),
    ]
    for place in places:
        assert text[place.start : place.end] == place.name
        assert place.name.startswith(place.base)
        assert place.name[len(place.base) :] in {"镇", "乡", "街道", "苏木", "县", "区", "旗", "市"}
    township = places[-1]
    assert township == Place(name="塘桥镇", base="塘桥", kind="township", start=10, end=13)


def test_street_office_mention_is_the_street() -> None:
    assert names("深圳市罗湖区桂园街道办事处工会") == ["深圳市", "罗湖区", "桂园街道"]


def test_longest_known_name_wins() -> None:
    # Both are real townships; the text names the longer one.
    assert is_township("三岔口乡") and is_township("岔口乡")
    assert names("三岔口乡工会") == ["三岔口乡"]
    assert find_places("在三岔口乡")[0].base == "三岔口"


def test_results_never_overlap() -> None:
    # Real names that contain other real names ending in a suffix: the longer mention wins.
    assert is_township("嘉定镇街道") and is_township("嘉定镇")
    assert is_township("乌镇镇") and is_township("乌镇")
    text = "上海市嘉定区嘉定镇街道工会、桐乡市乌镇镇工会，新乡县工会、番禺区市桥街道工会和镇江市总工会"
    places = find_places(text)
    assert [p.name for p in places] == [
        "上海市",
        "嘉定区",
        "嘉定镇街道",
        "桐乡市",
        "乌镇镇",
        "新乡县",
        "番禺区",
        "市桥街道",
        "镇江市",
    ]
    for earlier, later in pairwise(places):
        assert earlier.end <= later.start


def test_generic_words_in_running_text_are_not_places() -> None:
    text = "全县各乡镇工会和城镇社区工会，城区、郊区的基层工会，重点中心镇建设，本市各街道"
    assert find_places(text) == []


def test_one_character_base_only_at_a_word_edge() -> None:
    assert names("在丰县总工会") == ["丰县"]
    assert names("徐州市丰县") == ["徐州市", "丰县"]
    # 海宁县 is no longer a county and 宁县 glued to 海 is not a mention of 宁县.
    assert names("原海宁县") == []


def test_text_without_places() -> None:
    assert find_places("") == []
    assert find_places("职工代表大会制度进一步完善，困难职工帮扶工作扎实推进。") == []


def test_traditional_script_is_folded_by_the_caller() -> None:
    traditional = "張家港市塘橋鎮總工會"
    assert "塘橋鎮" not in names(traditional)
    assert names(fold(traditional)) == ["张家港市", "塘桥镇"]


def test_township_bases_and_data_date() -> None:
    bases = township_bases()
    assert {"塘桥", "桂园", "三岔口"} <= bases
    assert "乡" not in bases and "" not in bases
    assert len(bases) > 20_000
    assert data_as_of()[:4].isdigit()


def test_find_places_is_fast_on_a_page_of_text() -> None:
    text = ("今年以来，张家港市塘桥镇总工会和各乡镇工会围绕中心工作，深圳市罗湖区桂园街道开展劳动竞赛。" * 50)[:2000]
    find_places(text)
    runs = 50
    started = time.perf_counter()
    for _ in range(runs):
        find_places(text)
    per_call = (time.perf_counter() - started) / runs
    assert per_call < 0.01  # typically ~0.2 ms; a generous bound against pathological slowdowns
