"""Small pieces: URL state, source lines, labels, text export."""

from __future__ import annotations

import csv
import io

import pytest
from werkzeug.datastructures import MultiDict

from engine.contract import IndexDocument
from portal import ConfigurationError, create_app
from portal.citation import InvalidCitation, parse_parts, source_line
from portal.export import to_csv, to_txt
from portal.labels import value_label
from portal.urlstate import SearchState
from tests.portal.helpers import query_of


def _state(query: str) -> SearchState:
    pairs = [tuple(part.split("=", 1)) for part in query.split("&") if part]
    return SearchState(MultiDict(pairs), "/")


def test_state_drops_defaults_and_unknown_keys() -> None:
    state = _state("q=工会&sort=relevance&page=1&size=20&collapse=1&junk=1&township=")
    assert state.pairs == [("q", "工会")]
    assert state.url(state.pairs) == "/?q=%E5%B7%A5%E4%BC%9A"


def test_state_variations_reset_the_page() -> None:
    state = _state("q=工会&township=鹿苑镇&page=3")
    assert query_of(state.adding("topic", "文体活动")) == {"q": ["工会"], "township": ["鹿苑镇"], "topic": ["文体活动"]}
    assert query_of(state.without("township", "鹿苑镇")) == {"q": ["工会"]}
    assert query_of(state.with_value("sort", "year")) == {"q": ["工会"], "township": ["鹿苑镇"], "sort": ["year"]}
    assert query_of(state.page_url(4))["page"] == ["4"]
    assert "page" not in query_of(state.page_url(1))
    assert state.cleared() == "/?q=%E5%B7%A5%E4%BC%9A"


def test_state_chips_and_year_range() -> None:
    state = _state("township=鹿苑镇&year=2010-2015&year=2020")
    assert [c.label for c in state.chips()] == ["乡镇：鹿苑镇", "年份：2010–2015 年", "年份：2020年"]
    assert state.year_range() == "2010-2015"


def test_value_labels() -> None:
    assert value_label("source", "samples/a/b.txt") == "b.txt"
    assert value_label("year", "2021") == "2021年"
    assert value_label("township", "鹿苑镇") == "鹿苑镇"


def _doc(**fields: object) -> IndexDocument:
    base: dict[str, object] = {
        "paragraph_id": "a-0000",
        "article_id": "a",
        "position": 0,
        "text": "正文",
        "title": "标题",
        "source_path": "x/file.docx",
        "source_sha256": "",
    }
    base.update(fields)
    return IndexDocument(**base)  # type: ignore[arg-type]


def test_source_line_names_unit_date_title_and_file() -> None:
    doc = _doc(org_name="某镇工会", year=2020, period="上半年")
    assert source_line(doc) == "——某镇工会《标题》，2020年上半年，来源文件：file.docx"
    # Without a unit name: the township, with its level unless that is the township's own level.
    assert source_line(_doc(township="鹿苑镇", org_level="学校教育", year=2020, period="其他")) == (
        "——鹿苑镇（学校教育）《标题》，2020年，来源文件：file.docx"
    )
    assert source_line(_doc(township="鹿苑镇", org_level="乡镇街道")).startswith("——鹿苑镇《标题》")
    # Without a year: the publish date.
    assert source_line(_doc(publish_date="2023-07-02")) == "——《标题》，2023年7月2日，来源文件：file.docx"
    assert source_line(_doc()) == "——《标题》，来源文件：file.docx"
    assert source_line(_doc(title="")) == "——《file.docx》，来源文件：file.docx"


def test_source_line_parts_are_configurable() -> None:
    doc = _doc(org_name="某镇工会", year=2020, period="全年", publish_date="2021-01-05")
    assert source_line(doc, parse_parts("title,unit")) == "——《标题》，某镇工会"
    assert (
        source_line(doc, parse_parts("unit title date published"))
        == "——某镇工会《标题》，2020年全年，发布于2021年1月5日"
    )
    with pytest.raises(InvalidCitation, match="colour"):
        parse_parts("title,colour")


def test_a_bad_citation_setting_stops_the_portal_with_the_reason() -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_CITATION"):
        create_app({"ENGINE": object(), "CITATION_PARTS": "title,年份"})


def test_txt_export_is_exact_text() -> None:
    line = "——《标题》，来源文件：file.docx"
    assert to_txt([_doc(text="甲"), _doc(text="乙")]) == f"甲\r\n{line}\r\n\r\n乙\r\n{line}\r\n"


def test_csv_export_keeps_every_source_field_and_defuses_formulas() -> None:
    rows = list(csv.reader(io.StringIO(to_csv([_doc(text="=SUM(A1)", org_name="某镇工会", year=2020)]))))
    assert rows[0][:3] == ["序号", "段落", "出处"]
    assert rows[1][1] == "'=SUM(A1)"  # Excel would run it as a formula otherwise
    assert rows[1][2] == "——某镇工会《标题》，2020年，来源文件：file.docx"
    assert rows[1][rows[0].index("来源文件")] == "file.docx"
