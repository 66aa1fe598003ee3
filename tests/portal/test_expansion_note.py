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


#: 职代会's equivalents in engine/data/equivalences.toml: what an expanded search for it also marks.
_FORMS = {"职工代表大会", "教代会", "教职工代表大会", "教职工大会", "职工大会"}


def _marked(html: str) -> set[str]:
    return set(re.findall(r"<mark[^>]*>([^<]*)</mark>", html))


def _expanded_hit(client: FlaskClient) -> dict:
    """A hit for 职代会 found only through an expansion (its text names another form)."""
    hits = client.get("/api/search", query_string={"q": "职代会", "size": 50}).get_json()["hits"]
    found = [h for h in hits if "职代会" not in h["text"] and any(form in h["text"] for form in _FORMS)]
    assert found, "the corpus should hold a paragraph naming an equivalent of 职代会 but not 职代会 itself"
    return found[0]


def test_the_article_page_highlights_the_expanded_forms_too(client: FlaskClient) -> None:
    hit = _expanded_hit(client)
    url = f"/articles/{hit['article_id']}"
    page = client.get(url, query_string={"p": hit["paragraph_id"], "q": "职代会"}).get_data(as_text=True)
    assert _marked(page) & _FORMS
    # literal=1 (the results page's literal-only switch, carried by its links): the query's own words only.
    literal = client.get(url, query_string={"p": hit["paragraph_id"], "q": "职代会", "literal": "1"})
    assert not _marked(literal.get_data(as_text=True)) & _FORMS
    # A quoted phrase never expands.
    quoted = client.get(url, query_string={"p": hit["paragraph_id"], "q": '"职代会"'})
    assert not _marked(quoted.get_data(as_text=True)) & _FORMS


def test_the_copies_page_highlights_the_expanded_forms_too(client: FlaskClient) -> None:
    hit = _expanded_hit(client)
    page = client.get(f"/copies/{hit['duplicate_key']}", query_string={"q": "职代会"}).get_data(as_text=True)
    assert _marked(page) & _FORMS
    literal = client.get(f"/copies/{hit['duplicate_key']}", query_string={"q": "职代会", "literal": "1"})
    assert not _marked(literal.get_data(as_text=True)) & _FORMS


def test_result_links_carry_the_literal_switch(client: FlaskClient) -> None:
    page = client.get("/", query_string={"q": "职代会", "literal": "1"}).get_data(as_text=True)
    links = re.findall(r'href="(/articles/[^"]+)"', page)
    assert links and all("literal=1" in link for link in links)
