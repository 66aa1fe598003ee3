"""The results page says what was searched besides the query's words, with a one-click literal-only switch."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def _total(html: str) -> int:
    match = re.search(r'class="js-total">(\d+)<', html)
    assert match
    return int(match.group(1))


def test_the_page_names_the_added_words_and_switches_to_literal_in_one_click(client: FlaskClient) -> None:
    page = client.get("/", query_string={"q": "职代会"}).get_data(as_text=True)
    added = re.search(r'class="js-expanded">([^<]+)<', page)
    assert added and "职工代表大会" in added.group(1).split("、")
    switch = re.search(r'class="js-literal-only" href="([^"]+)"', page)
    assert switch and "literal=1" in switch.group(1)
    literal = client.get(switch.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "js-expanded" not in literal and "只按字面检索" in literal
    assert _total(literal) <= _total(page)
    # …and one click back.
    back = re.search(r'class="js-expand-again" href="([^"]+)"', literal)
    assert back and "literal" not in back.group(1)


def test_a_quoted_phrase_adds_nothing(client: FlaskClient) -> None:
    page = client.get("/", query_string={"q": '"职代会"'}).get_data(as_text=True)
    assert "js-expanded" not in page


def test_the_api_reports_the_added_words_and_takes_literal(client: FlaskClient) -> None:
    expanded = client.get("/api/search", query_string={"q": "职代会"}).get_json()
    literal = client.get("/api/search", query_string={"q": "职代会", "literal": "1"}).get_json()
    assert "职工代表大会" in expanded["expanded"] and literal["expanded"] == []
    assert literal["total"] <= expanded["total"]
