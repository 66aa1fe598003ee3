"""A query term found only in the heading above a paragraph is marked in the heading line of its card.

Headings are context, never hits: 送温暖 finds the paragraph about 春节慰问
under 一、扎实开展送温暖活动 through its heading, and the heading line is then
the only place the reader can see why. An index of its own, so the shared
portal corpus keeps its counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine.contract import IndexDocument
from engine.embedded import EmbeddedEngine
from portal import create_app
from portal.headings import mark_heading
from tests.portal.helpers import soup

HEADING = "一、扎实开展送温暖活动"
BODY = "春节前夕走访慰问困难职工八十户，发放慰问金和慰问品。"
#: A heading that holds markup: it must show as text, with only our marks added.
HTML_HEADING = "二、<b>送温暖</b> & 帮扶"
HTML_BODY = "元宵节组织志愿者看望独居老人。"


def _doc(position: int, text: str, **fields: object) -> IndexDocument:
    return IndexDocument(
        paragraph_id=f"headingmarks-{position:04d}",
        article_id="headingmarks",
        position=position,
        text=text,
        title="测试镇工会2024年工作总结",
        source_path="fixtures/heading-marks.txt",
        source_sha256="1" * 64,
        township="测试镇",
        year=2024,
        quality=0.8,
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """A portal over one article: two headings, each above a paragraph that does not repeat its words."""
    folder: Path = tmp_path_factory.mktemp("heading-marks")
    writer = EmbeddedEngine(folder)
    writer.replace_source(
        "fixtures/heading-marks.txt",
        [
            _doc(0, HEADING, is_heading=True),
            _doc(1, BODY, section_path=(HEADING,)),
            _doc(2, HTML_HEADING, is_heading=True),
            _doc(3, HTML_BODY, section_path=(HTML_HEADING,)),
        ],
    )
    writer.commit()
    writer.close()
    reader = EmbeddedEngine(folder)
    yield create_app({"ENGINE": reader}).test_client()
    reader.close()


def _card(client: FlaskClient, query: str, text: str, **params: str):
    page = soup(client.get("/", query_string={"q": query, **params}))
    cards = {card["data-text"]: card for card in page.select(".hit")}
    assert text in cards, f"{text} is not a hit of {query}: {list(cards)}"
    return cards[text]


def test_a_term_only_in_the_heading_is_marked_in_the_heading_line(client: FlaskClient) -> None:
    card = _card(client, "送温暖", BODY)
    section = card.select_one(".hit-section")
    assert section.get_text() == HEADING
    assert [mark.get_text() for mark in section.select("mark")] == ["送温暖"]
    assert "送温暖" not in card.select_one(".hit-text").get_text()


def test_a_literal_search_found_through_the_heading_marks_only_the_heading(client: FlaskClient) -> None:
    # Without expansions (慰问 is a rewording of 送温暖) nothing in the paragraph itself matches.
    card = _card(client, "送温暖", BODY, literal="1")
    assert [mark.get_text() for mark in card.select(".hit-section mark")] == ["送温暖"]
    assert card.select_one(".hit-text mark") is None


def test_each_term_is_marked_where_it_occurs(client: FlaskClient) -> None:
    card = _card(client, "送温暖 困难职工", BODY)
    assert [mark.get_text() for mark in card.select(".hit-section mark")] == ["送温暖"]
    assert "困难职工" in "".join(mark.get_text() for mark in card.select(".hit-text mark"))


def test_a_heading_with_markup_is_shown_as_text(client: FlaskClient) -> None:
    card = _card(client, "送温暖", HTML_BODY)
    section = card.select_one(".hit-section")
    assert section.get_text() == HTML_HEADING
    assert section.select("b") == []
    assert [mark.get_text() for mark in section.select("mark")] == ["送温暖"]


def test_without_a_query_the_heading_is_plain() -> None:
    assert str(mark_heading("一、<送温暖>", [])) == "一、&lt;送温暖&gt;"
    assert str(mark_heading("一、送温暖", ["温暖"])) == "一、送<mark>温暖</mark>"
