"""Input limits (each a 400 with its reason), output escaping (HTML and .docx), typed JSON, headers on errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from flask.testing import FlaskClient

from engine.contract import IndexDocument
from engine.request import MAX_FACET_SIZE, MAX_FILTER_VALUES, MAX_RESULT_DEPTH, MAX_VALUES_PER_FACET
from portal.export import to_docx
from portal.security import CONTENT_SECURITY_POLICY
from tests.portal.adminkit import client_of, portal
from tests.portal.corpus import HTML_TITLE, SCRIPT_TEXT
from tests.portal.helpers import csrf_token, soup

LIMITS = [
    ("q=" + "词" * 201, "检索词过长：最多 200 个字符"),
    ("page=501", "参数 page 应在 1 到 500 之间"),
    ("size=101", "参数 size 应在 1 到 100 之间"),
    ("page=101&size=100", f"翻页过深：最多查看前 {MAX_RESULT_DEPTH} 条结果"),
    ("&".join(f"township=镇{i}" for i in range(MAX_VALUES_PER_FACET + 1)), "筛选 township 的取值过多：最多 20 个"),
    (
        "&".join(f"{facet}=值{i}" for facet in ("township", "org_name", "topic") for i in range(18)),
        f"筛选条件过多：最多 {MAX_FILTER_VALUES} 个，收到 54 个",
    ),
    ("township=" + "镇" * 201, "筛选 township 的取值过长"),
    (f"facet_size={MAX_FACET_SIZE + 1}", f"参数 facet_size 应在 1 到 {MAX_FACET_SIZE} 之间"),
    ("facet_size=0", "参数 facet_size 应在 1 到"),
]


@pytest.mark.parametrize(("query", "reason"), LIMITS)
def test_each_exceeded_limit_is_a_400_with_its_reason(client: FlaskClient, query: str, reason: str) -> None:
    page = client.get(f"/?{query}")
    assert page.status_code == 400
    assert reason in soup(page).select_one(".error-message").get_text()
    for endpoint in ("/api/search", "/api/facets"):
        api = client.get(f"{endpoint}?{query}")
        assert api.status_code == 400
        assert api.headers["Content-Type"] == "application/json; charset=utf-8"
        assert reason in api.get_json()["error"]


def test_limits_at_the_edge_are_accepted(client: FlaskClient) -> None:
    many = "&".join(f"township=镇{i}" for i in range(MAX_VALUES_PER_FACET))
    # Deep pages need search words: browsing without them stops at 1,000 (tests/portal/test_browse_depth.py).
    deep = ("q=工会&page=100&size=100", "q=工会&page=500&size=20", "page=10&size=100")
    for query in ("q=" + "词" * 200, *deep, many, f"facet_size={MAX_FACET_SIZE}"):
        assert client.get(f"/api/search?{query}").status_code == 200, query


def test_facet_size_bounds_the_facet_lists(client: FlaskClient) -> None:
    facets = client.get("/api/facets?facet_size=1").get_json()["facets"]
    assert all(len(values) <= 1 for values in facets.values())


def test_an_overlong_query_on_the_article_and_copies_pages_is_a_400(client: FlaskClient) -> None:
    for url in ("/articles/fixture0000000a", "/copies/dup-chenxi"):
        assert client.get(f"{url}?q={'词' * 201}").status_code == 400


# --------------------------------------------------------------------------- output escaping


def test_docx_export_keeps_markup_as_literal_text(client: FlaskClient) -> None:
    form = {"p": ["fixture0000000c-0000"], "format": "docx", "csrf_token": csrf_token(client)}
    response = client.post("/basket/export", data=form, headers={"Origin": "http://localhost"})
    assert response.status_code == 200
    texts = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert SCRIPT_TEXT in texts  # exactly the stored text, tags and all, as words
    assert any(f"《{HTML_TITLE}》" in t for t in texts)
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "<i>" not in body and "&lt;i&gt;" in body


def test_docx_export_survives_characters_xml_cannot_hold() -> None:
    doc = IndexDocument(
        paragraph_id="a-0001",
        article_id="a",
        position=1,
        text="控制\x0b字符\x00与<b>标记</b>",
        title="标题\x1f",
        source_path="x.txt",
        source_sha256="0",
    )
    texts = [p.text for p in docx.Document(io.BytesIO(to_docx([doc]))).paragraphs]
    assert "控制字符与<b>标记</b>" in texts
    assert any("《标题》" in t for t in texts)


def test_txt_export_is_plain_text_not_html(client: FlaskClient) -> None:
    form = {"p": ["fixture0000000c-0000"], "format": "txt", "csrf_token": csrf_token(client)}
    response = client.post("/basket/export", data=form, headers={"Origin": "http://localhost"})
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert SCRIPT_TEXT in response.data.decode("utf-8-sig")


def test_json_carries_markup_as_data_with_a_json_type(client: FlaskClient) -> None:
    response = client.get("/api/articles/fixture0000000c")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_json()
    assert body["title"] == HTML_TITLE and body["paragraphs"][0]["text"] == SCRIPT_TEXT


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/no-such-thing", 404),
        ("POST", "/api/search", 405),
        ("GET", "/api/articles/nope", 404),
        ("GET", "/api/search?page=x", 400),
    ],
)
def test_api_errors_are_json(client: FlaskClient, method: str, url: str, status: int) -> None:
    response = client.open(url, method=method)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert isinstance(response.get_json()["error"], str)


# --------------------------------------------------------------------------- headers on every kind of response


def _assert_headers(response) -> None:
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_error_and_admin_responses(tmp_path: Path, engine) -> None:
    client = client_of(portal(tmp_path, ENGINE=engine))
    responses = {
        "login": client.get("/login"),
        "redirect": client.get("/admin/"),
        "401": client.post("/admin/upload", data={"csrf_token": csrf_token(client, "/login")}),
        "400 csrf": client.post("/basket/export", data={"p": "x"}),
        "403 origin": client.post("/login", data={}, headers={"Origin": "http://evil.example"}),
        "404": client.get("/nope"),
        "405": client.post("/api/search"),
        "413": client.post("/basket/export", data={"p": ["x" * 1000] * 300}),
    }
    for _ in range(5):
        client.post("/login", data={"username": "a", "password": "b", "csrf_token": csrf_token(client, "/login")})
    responses["429"] = client.post(
        "/login", data={"username": "a", "password": "b", "csrf_token": csrf_token(client, "/login")}
    )
    expected = {"401": 401, "400 csrf": 400, "403 origin": 403, "404": 404, "405": 405, "413": 413, "429": 429}
    for name, response in responses.items():
        assert response.status_code == expected.get(name, response.status_code), name
        _assert_headers(response)


def test_security_headers_on_a_500(tmp_path: Path, engine) -> None:
    app = portal(tmp_path, ENGINE=engine)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and "secret detail" not in response.get_data(as_text=True)
    _assert_headers(response)
