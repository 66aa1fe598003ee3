"""The basket page and its .docx / .txt export (texts come from the engine, never the client)."""

from __future__ import annotations

import io

import docx
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.portal.corpus import DUPLICATE_TEXT
from tests.portal.helpers import csrf_token, soup

SAME_ORIGIN = {"Origin": "http://localhost"}
FIRST, SECOND = "fixture0000000a-0004", "fixture0000000a-0001"


def _export(client: FlaskClient, ids: list[str], fmt: str, **extra: str) -> TestResponse:
    form = {"p": ids, "format": fmt, "csrf_token": csrf_token(client), **extra}
    return client.post("/basket/export", data=form, headers=SAME_ORIGIN)


def test_basket_page_needs_javascript_and_says_so(client: FlaskClient) -> None:
    page = soup(client.get("/basket"))
    assert "素材篮需要启用 JavaScript" in page.select_one("noscript").get_text()
    app = page.select_one("#basket-app")
    assert app.has_attr("hidden")
    form = app.select_one("form#basket-export")
    assert form["method"] == "post" and form["action"] == "/basket/export"
    # The CSRF field sits outside #basket-ids, which the script rewrites: it survives every re-render.
    assert form.select_one("input[type=hidden][name=csrf_token]")["value"]
    assert not form.select_one("#basket-ids input[name=csrf_token]")
    assert {b["value"] for b in form.select("button[name=format]")} == {"docx", "txt"}


def test_docx_export_in_basket_order_with_source_lines(client: FlaskClient) -> None:
    response = _export(client, [FIRST, SECOND], "docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".docx" in disposition
    texts = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert texts[0] == "素材篮摘录"
    first = texts.index("全镇推行工资集体协商，签订区域性工资专项集体合同12份。")
    second = texts.index(DUPLICATE_TEXT)
    assert first < second
    # The source line, then a link back to the paragraph in the portal.
    assert (
        texts[first + 1]
        == "——测试镇总工会《测试镇工会2022年工作总结》，2022年全年，来源文件：portal-synthetic.txt 在门户中查看"
    )
    assert texts[second + 1].startswith("——测试镇总工会《测试镇工会2022年工作总结》")


def test_txt_export(client: FlaskClient) -> None:
    response = _export(client, [SECOND, FIRST], "txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.data.decode("utf-8-sig")
    blocks = text.strip().split("\r\n\r\n")
    assert [block.split("\r\n")[:2] for block in blocks] == [
        [DUPLICATE_TEXT, "——测试镇总工会《测试镇工会2022年工作总结》，2022年全年，来源文件：portal-synthetic.txt"],
        [
            "全镇推行工资集体协商，签订区域性工资专项集体合同12份。",
            "——测试镇总工会《测试镇工会2022年工作总结》，2022年全年，来源文件：portal-synthetic.txt",
        ],
    ]
    # Each block ends with the paragraph's address in the portal.
    assert all(block.split("\r\n")[2].startswith("http://localhost/articles/") for block in blocks)


def test_export_of_sample_paragraphs(client: FlaskClient) -> None:
    hits = client.get("/api/search?q=送温暖&size=2").get_json()["hits"]
    response = _export(client, [h["paragraph_id"] for h in hits], "txt")
    text = response.data.decode("utf-8-sig")
    assert text.index(hits[0]["text"]) < text.index(hits[1]["text"])


def test_export_ignores_client_text(client: FlaskClient) -> None:
    response = _export(client, [FIRST], "txt", text="伪造的段落")
    assert "伪造" not in response.data.decode("utf-8-sig")


def test_export_skips_paragraphs_no_longer_indexed(client: FlaskClient) -> None:
    response = _export(client, ["gone0000-0001", FIRST], "txt")
    assert response.status_code == 200
    assert response.headers["X-Basket-Missing"] == "1"


def test_export_errors(client: FlaskClient) -> None:
    assert _export(client, [], "docx").status_code == 400
    assert _export(client, ["gone0000-0001"], "docx").status_code == 400
    bad = _export(client, [FIRST], "pdf")
    assert bad.status_code == 400 and "docx 或 txt" in bad.get_data(as_text=True)
    too_many = _export(client, [f"x-{i:04d}" for i in range(201)], "txt")
    assert too_many.status_code == 400 and "最多导出 200 段" in too_many.get_data(as_text=True)
