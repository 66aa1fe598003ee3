"""Small pieces: URL state, source lines, labels, text export."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from engine.contract import IndexDocument
from portal.citation import source_line
from portal.export import to_txt
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


def test_source_line_uses_what_the_document_has() -> None:
    assert source_line(_doc(org_name="某镇工会", year=2020, period="上半年")) == "——《标题》，某镇工会，2020年上半年"
    assert source_line(_doc(township="鹿苑镇", year=2020, period="其他")) == "——《标题》，鹿苑镇，2020年"
    assert source_line(_doc()) == "——《标题》"
    assert source_line(_doc(title="")) == "——《file.docx》"


def test_txt_export_is_exact_text() -> None:
    assert to_txt([_doc(text="甲"), _doc(text="乙")]) == "甲\r\n——《标题》\r\n\r\n乙\r\n——《标题》\r\n"
