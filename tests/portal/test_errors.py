"""Errors: 400 with the validator's reason, 404, 405, 503 for engine trouble, 500 without a trace."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from engine.contract import IncompatibleIndex
from tests.portal.conftest import failing_client
from tests.portal.helpers import soup

BAD_PARAMETERS = [
    ("page=abc", "参数 page 应为整数"),
    ("page=0", "参数 page 应在 1 到 500 之间"),
    ("size=1000", "参数 size 应在 1 到 100 之间"),
    ("sort=random", "参数 sort 只能是 relevance 或 year"),
    ("year=twenty", "年份应为四位数字或区间"),
    ("year=2020-2010", "年份区间起点大于终点"),
    ("q=" + "词" * 201, "检索词过长"),
]


@pytest.mark.parametrize(("query", "reason"), BAD_PARAMETERS)
def test_bad_parameter_is_a_400_page_with_the_reason(client: FlaskClient, query: str, reason: str) -> None:
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert response.content_type == "text/html; charset=utf-8"
    assert reason in soup(response).select_one(".error-message").get_text()


@pytest.mark.parametrize(("query", "reason"), BAD_PARAMETERS)
def test_bad_parameter_is_a_400_json_with_the_reason(client: FlaskClient, query: str, reason: str) -> None:
    for endpoint in ("/api/search", "/api/facets"):
        response = client.get(f"{endpoint}?{query}")
        assert response.status_code == 400
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert reason in response.get_json()["error"]


def test_bad_parameter_is_logged(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        client.get("/?page=abc")
    assert any("400" in r.getMessage() and "page" in r.getMessage() for r in caplog.records)


def test_unknown_page_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "找不到页面" in response.get_data(as_text=True)


def test_wrong_method_is_a_405(client: FlaskClient) -> None:
    assert client.get("/basket/export").status_code == 405
    assert client.post("/api/search").status_code == 405


@pytest.mark.parametrize("url", ["/", "/?q=送温暖", "/articles/x", "/overview", "/copies/k"])
def test_engine_unavailable_is_a_503_page(unavailable_client: FlaskClient, url: str) -> None:
    response = unavailable_client.get(url)
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "检索引擎暂时不可用" in text
    assert "es:9200" not in text  # connection details go to the log only


@pytest.mark.parametrize("url", ["/api/search?q=x", "/api/facets", "/api/articles/x", "/api/copies/k"])
def test_engine_unavailable_is_a_503_json(unavailable_client: FlaskClient, url: str) -> None:
    response = unavailable_client.get(url)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "不可用" in response.get_json()["error"]


def test_engine_unavailable_is_logged(unavailable_client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        unavailable_client.get("/?q=x")
    assert any("es:9200" in r.getMessage() for r in caplog.records)


def test_incompatible_index_says_to_rebuild() -> None:
    client = failing_client(IncompatibleIndex("schema 0 != 1"))
    page = client.get("/?q=x")
    assert page.status_code == 503
    assert "python -m indexer ingest --rebuild" in page.get_data(as_text=True)
    api = client.get("/api/search?q=x")
    assert api.status_code == 503 and "--rebuild" in api.get_json()["error"]


def test_unexpected_error_is_a_500_without_a_trace(caplog: pytest.LogCaptureFixture) -> None:
    client = failing_client(RuntimeError("secret internal detail"))
    with caplog.at_level(logging.ERROR):
        page = client.get("/?q=x")
        api = client.get("/api/search?q=x")
    assert page.status_code == 500 and api.status_code == 500
    for text in (page.get_data(as_text=True), api.get_data(as_text=True)):
        assert "secret internal detail" not in text and "Traceback" not in text
    assert "服务器内部错误" in page.get_data(as_text=True)
    assert api.get_json() == {"error": "服务器内部错误，请稍后再试。"}
    assert any(r.exc_info for r in caplog.records)
