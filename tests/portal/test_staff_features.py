"""What a union staffer notices around the search (issue 15), without a browser.

Headings as context, messages that say what happened, clean URLs, result
exports with sources, original files and their text, more like this.
"""

from __future__ import annotations

import csv
import io

import docx
import pytest
from flask.testing import FlaskClient

from engine.embedded import EmbeddedEngine
from portal import create_app
from tests.portal.corpus import DUPLICATE_TEXT
from tests.portal.helpers import soup, total_of


def test_a_heading_is_never_a_card_of_its_own(client: FlaskClient) -> None:
    # 一、困难帮扶工作 is a heading of the synthetic article: found only as the context of its paragraph.
    page = soup(client.get("/?q=困难帮扶工作"))
    texts = [card["data-text"] for card in page.select(".hit")]
    assert "一、困难帮扶工作" not in texts
    assert DUPLICATE_TEXT in texts
    card = next(c for c in page.select(".hit") if c["data-text"] == DUPLICATE_TEXT)
    assert "一、困难帮扶工作" in card.select_one(".hit-section").get_text()


def test_the_count_above_the_cards_says_how_many_were_merged(client: FlaskClient) -> None:
    page = soup(client.get("/?q=晨曦计划"))
    cards = page.select(".hit")
    merged = sum(int(c.select_one(".copies summary").get_text().split()[1]) for c in cards if c.select_one(".copies"))
    assert total_of(page) == len(cards) + merged
    if merged:
        assert (
            f"其中 {merged} 段与本页其他段落相同，已合并（本页 {len(cards)} 条）"
            in page.select_one(".result-count").get_text()
        )


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("-", "检索框中没有可以检索的文字"),
        ('"工资集体协商', '引号 " 没有成对，已按普通词语检索'),
        ("送温暖 OR", "多余的 OR 已忽略"),
        ("-送温暖", "只有排除的词语"),
    ],
)
def test_a_query_not_taken_as_typed_is_explained(client: FlaskClient, query: str, said: str) -> None:
    page = soup(client.get("/", query_string={"q": query}))
    assert said in page.select_one(".query-reading").get_text()


def test_browsing_does_not_claim_a_relevance_order(client: FlaskClient) -> None:
    page = soup(client.get("/", query_string={"q": "-"}))
    sort = page.select_one(".sort").get_text()
    assert "相关度" not in sort and "年份" in sort


def test_a_plain_query_gets_no_reading_note(client: FlaskClient) -> None:
    assert soup(client.get("/?q=送温暖")).select_one(".query-reading") is None


def test_empty_parameters_are_dropped_from_the_url(client: FlaskClient) -> None:
    response = client.get("/?q=送温暖&year=&township=&sort=relevance")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?q=%E9%80%81%E6%B8%A9%E6%9A%96"


def test_a_skip_link_leads_to_the_first_hit(client: FlaskClient) -> None:
    page = soup(client.get("/?q=送温暖"))
    link = page.select_one('a.skip-link[href="#hits"]')
    assert link is not None and link.get_text() == "跳到第一条结果"
    assert page.select_one("#hits .hit") is not None


def test_the_whole_result_list_exports_to_word_with_sources(client: FlaskClient) -> None:
    total = total_of(soup(client.get("/?q=送温暖&collapse=0")))
    response = client.get("/export?q=送温暖&collapse=0&format=docx")
    assert response.status_code == 200 and int(response.headers["X-Result-Total"]) == total
    document = docx.Document(io.BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "检索「送温暖」的结果"
    assert sum(1 for t in texts if t.startswith("——")) == total  # one source line per paragraph
    assert DUPLICATE_TEXT in texts


def test_the_whole_result_list_exports_to_csv_for_excel(client: FlaskClient) -> None:
    response = client.get("/export?q=送温暖&township=测试镇&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert {"段落", "出处", "来源文件", "链接"} <= set(header)
    assert body and all(row[header.index("乡镇")] == "测试镇" for row in body)
    assert all(row[header.index("链接")].startswith("http://localhost/articles/") for row in body)


def test_an_unknown_export_format_is_a_400_with_the_reason(client: FlaskClient) -> None:
    response = client.get("/export?q=送温暖&format=pdf")
    assert response.status_code == 400 and "docx 或 csv" in response.get_data(as_text=True)


def _sample_article(client: FlaskClient) -> str:
    data = client.get("/api/search?q=困难职工&size=1").get_json()
    return data["hits"][0]["article_id"]


def test_original_file_download_needs_a_login_by_default(client: FlaskClient) -> None:
    article_id = _sample_article(client)
    response = client.get(f"/articles/{article_id}/original")
    assert response.status_code == 403 and "登录" in response.get_data(as_text=True)
    assert soup(client.get(f"/articles/{article_id}")).select_one('a[href$="/original"]') is None


def test_original_file_is_open_to_all_when_the_setting_allows(engine: EmbeddedEngine) -> None:
    client = create_app({"ENGINE": engine, "PUBLIC_ORIGINALS": True}).test_client()
    article_id = _sample_article(client)
    hit = client.get("/api/search?q=困难职工&size=1").get_json()["hits"][0]
    page = soup(client.get(f"/articles/{article_id}"))
    link = page.select_one('a[href$="/original"]')
    assert link is not None and link.get_text() == "下载原文件"
    response = client.get(link["href"])
    assert response.status_code == 200
    with open(hit["source_path"], "rb") as original:
        assert response.data == original.read()
    assert "attachment" in response.headers["Content-Disposition"]


def test_the_whole_file_reads_as_plain_text(client: FlaskClient) -> None:
    article_id = _sample_article(client)
    page = soup(client.get(f"/articles/{article_id}/text"))
    blocks = page.select(".preview-text")
    # Every article of the file, the one searched among them.
    assert len(blocks) >= 1 and "困难职工" in " ".join(b.get_text() for b in blocks)
    assert page.select_one(f'a[href="/articles/{article_id}"]') is not None


def test_more_like_this_lists_similar_paragraphs_but_not_the_paragraph_itself(client: FlaskClient) -> None:
    hit = client.get("/api/search?q=困难职工&size=1").get_json()["hits"][0]
    page = soup(client.get("/", query_string={"like": hit["paragraph_id"]}))
    assert "与这一段相似的段落" in page.select_one(".like-source").get_text()
    ids = [card["data-paragraph-id"] for card in page.select(".hit")]
    assert ids and hit["paragraph_id"] not in ids
    api = client.get("/api/search", query_string={"like": hit["paragraph_id"]}).get_json()
    assert [h["paragraph_id"] for h in api["hits"]][: len(ids)] == ids[: len(api["hits"])]


def test_more_like_this_of_an_unknown_paragraph_is_a_400(client: FlaskClient) -> None:
    response = client.get("/?like=no-such-paragraph-0001")
    assert response.status_code == 400 and "找不到段落" in response.get_data(as_text=True)


def test_every_hit_offers_more_like_this(client: FlaskClient) -> None:
    cards = soup(client.get("/?q=送温暖")).select(".hit")
    assert all(c.select_one('a[href*="like="]') for c in cards)


def test_the_saved_searches_page_is_there(client: FlaskClient) -> None:
    page = soup(client.get("/saved"))
    assert page.select_one("#saved-list") is not None
    assert soup(client.get("/?q=送温暖")).select_one(".js-save-search")["data-total"]


def test_the_outline_lists_each_heading_once(client: FlaskClient) -> None:
    for article_id in {h["article_id"] for h in client.get("/api/search?q=工会&size=50").get_json()["hits"]}:
        entries = [
            a.get_text(strip=True).rstrip("。：:；;，, ")
            for a in soup(client.get(f"/articles/{article_id}")).select(".outline-list a")
        ]
        assert len(entries) == len(set(entries)), article_id
