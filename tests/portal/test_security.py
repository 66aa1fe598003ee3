"""Security defaults: headers everywhere, escaping, no inline script or style, same-origin POSTs."""

from __future__ import annotations

import re

import pytest
from flask import Response
from flask.testing import FlaskClient

from portal.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, add_security_headers
from tests.portal.corpus import SCRIPT_TEXT
from tests.portal.helpers import csrf_token, soup

PAGES = [
    "/",
    "/?q=职工",
    "/?q=晨曦计划",
    "/articles/fixture0000000a?q=晨曦计划",
    "/overview",
    "/basket",
    "/copies/dup-chenxi",
    "/no-such-page",
    "/?page=x",
]


@pytest.mark.parametrize("url", [*PAGES, "/api/search?q=x", "/healthz", "/static/css/portal.css"])
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_header_the_view_set_is_kept_whatever_its_case() -> None:
    response = Response("x")
    response.headers["x-frame-options"] = "SAMEORIGIN"
    headers = add_security_headers(response).headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    others = [(name, value) for name, value in SECURITY_HEADERS.items() if name != "X-Frame-Options"]
    assert [(name, value) for name, value in headers.items() if name in SECURITY_HEADERS] == others
    assert [name for name, _ in add_security_headers(response).headers.items()].count("Referrer-Policy") == 1


def test_csp_allows_only_self() -> None:
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_style_or_handlers(client: FlaskClient, url: str) -> None:
    page = soup(client.get(url))
    for script in page.select("script"):
        assert script.has_attr("src") and not script.get_text(strip=True)
        assert script["src"].startswith("/static/")
    assert not page.select("style")
    assert not page.select("[style]")
    for element in page.find_all(True):
        assert not [a for a in element.attrs if a.lower().startswith("on")], element.name
    for link in page.select("link[href]"):
        assert link["href"].startswith("/static/")


def test_markup_in_a_paragraph_shows_as_text(client: FlaskClient) -> None:
    response = client.get("/?q=注入检验")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<b>粗体</b>" not in html
    assert "&lt;script&gt;alert(" in html
    hit = soup(response).select_one("article.hit")
    assert hit["data-text"] == SCRIPT_TEXT  # the attribute decodes back to the exact text
    assert hit.select_one(".hit-title a").get_text() == "<i>斜体</i>测试镇工会2021年工作总结"


def test_markup_in_an_article_shows_as_text(client: FlaskClient) -> None:
    html = client.get("/articles/fixture0000000c?q=注入检验").get_data(as_text=True)
    assert "<script>alert" not in html and "<i>斜体</i>" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;i&gt;斜体&lt;/i&gt;" in html


def test_query_is_escaped_wherever_it_is_echoed(client: FlaskClient) -> None:
    probe = '"><script>alert(1)</script>'
    for url in (f"/?q={probe}", f"/articles/fixture0000000a?q={probe}", f"/?q={probe}&township=鹿苑镇"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html, url
        assert not re.search(r"<script>(?!\s*</script>)", html.replace('<script src="', "")), url


def test_export_refuses_cross_site_posts(client: FlaskClient) -> None:
    form = {"p": "fixture0000000a-0001", "format": "txt", "csrf_token": csrf_token(client)}
    assert client.post("/basket/export", data=form).status_code == 403
    evil = client.post("/basket/export", data=form, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    referer = client.post("/basket/export", data=form, headers={"Referer": "http://evil.example/basket"})
    assert referer.status_code == 403
    same = client.post("/basket/export", data=form, headers={"Origin": "http://localhost"})
    assert same.status_code == 200
    via_referer = client.post("/basket/export", data=form, headers={"Referer": "http://localhost/basket"})
    assert via_referer.status_code == 200
