"""Small helpers for reading portal responses in tests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def soup(response: TestResponse) -> BeautifulSoup:
    """The response body parsed as HTML."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def query_of(url: str) -> dict[str, list[str]]:
    """The query parameters of a URL."""
    return parse_qs(urlsplit(url).query)


def total_of(page: BeautifulSoup) -> int:
    """The result count shown on a search page."""
    return int(page.select_one(".js-total").get_text(strip=True))


def csrf_token(client: FlaskClient, page: str = "/basket") -> str:
    """The CSRF token a page's form carries (fetching it starts the client's session)."""
    field = soup(client.get(page)).select_one("input[name=csrf_token]")
    assert field is not None, f"{page} has no CSRF field"
    return str(field["value"])
