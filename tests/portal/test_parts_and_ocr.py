"""What a reader sees of split paragraphs, OCR'd text and long lists of copies.

- A paragraph the indexer split into parts reads as one: the article page,
  the article API, copy, the basket and the exports give the whole text,
  exactly as written; a search still finds the part and links to the whole.
- Text recognised from a scan carries a small "OCR识别" badge explaining it.
- /copies/<key> and /api/copies/<key> come a page at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from engine.contract import IndexDocument
from engine.embedded import EmbeddedEngine
from indexer.loading import index_documents
from indexer.pipeline import parse_file
from indexer.splitting.long_paragraphs import MAX_PART_CHARS
from portal import create_app
from tests.portal.helpers import csrf_token, query_of, soup

SENTENCE = "今年工会组织开展送温暖活动，走访慰问困难职工，发放慰问金。"
#: Only in the last part of the long paragraph.
TAIL = "创建劳模创新工作室三个，带动职工技术革新四十项。"
LONG = SENTENCE * 300 + TAIL  # 8,724 characters: three parts
OCR_TEXT = "镇总工会组织全镇职工开展技能比武活动，参赛职工二百余人。"
COPY_TEXT = "深入开展职工书屋建设，丰富职工精神文化生活。"
COPIES = 45
SAME_ORIGIN = {"Origin": "http://localhost"}


def _doc(article: str, position: int, text: str, source: str, **fields: object) -> IndexDocument:
    return IndexDocument(
        paragraph_id=f"{article}-{position:04d}",
        article_id=article,
        position=position,
        text=text,
        title=f"{article}工会工作总结",
        source_path=source,
        source_sha256=f"sha-{article}",
        quality=0.8,
        year=2019,
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskClient, str]]:
    """A portal over: one file with a long paragraph (through the real pipeline), a scan, 45 copies."""
    root = tmp_path_factory.mktemp("parts")
    summary = root / "鹿苑镇总工会2019年工作总结.txt"
    summary.write_text(
        f"鹿苑镇总工会2019年工作总结\n\n一年来工作扎实推进。\n\n{LONG}\n\n明年继续努力。\n", encoding="utf-8"
    )
    engine = EmbeddedEngine(root / "index")
    parsed = parse_file(summary, root)
    engine.replace_source(parsed.source.path, index_documents(parsed))
    engine.replace_source("scan.pdf", [_doc("scan", 0, OCR_TEXT, "scan.pdf", origin="ocr")])
    for n in range(COPIES):
        engine.replace_source(
            f"c{n:02d}.txt", [_doc(f"copy{n:02d}", 0, COPY_TEXT, f"c{n:02d}.txt", duplicate_key="dup-shuwu")]
        )
    engine.commit()
    article_id = parsed.articles[0].article_id
    yield create_app({"ENGINE": engine}).test_client(), article_id
    engine.close()


def test_the_long_paragraph_is_indexed_in_parts(setting: tuple[FlaskClient, str]) -> None:
    client, article_id = setting
    hits = client.get("/api/search", query_string={"q": "劳模创新工作室"}).get_json()["hits"]
    assert len(hits) == 1
    assert hits[0]["part_of"] == f"{article_id}-0001" != hits[0]["paragraph_id"]
    assert len(hits[0]["text"]) <= MAX_PART_CHARS < 2 * MAX_PART_CHARS < len(LONG)  # three parts


# --------------------------------------------------------------------------- split paragraphs


def test_article_page_shows_the_parts_as_one_paragraph(setting: tuple[FlaskClient, str]) -> None:
    client, article_id = setting
    hit = client.get("/api/search", query_string={"q": "劳模创新工作室"}).get_json()["hits"][0]
    # The hit names its part; following it (even by the part's own id) marks the whole paragraph.
    page = soup(client.get(f"/articles/{article_id}", query_string={"p": hit["paragraph_id"], "q": "劳模"}))
    paragraphs = page.select(".article-body .para")
    assert [p.select_one("p").get_text() for p in paragraphs] == ["一年来工作扎实推进。", LONG, "明年继续努力。"]
    target = page.select_one(".para.is-target")
    assert target["id"] == f"p-{article_id}-0001"
    assert target["data-text"] == LONG  # "复制" copies the paragraph exactly as written
    assert target["data-paragraph-id"] == f"{article_id}-0001"
    assert len(page.select("mark")) == 1  # 劳模, once


def test_a_hit_on_a_part_links_copies_and_collects_the_whole(setting: tuple[FlaskClient, str]) -> None:
    client, article_id = setting
    card = soup(client.get("/", query_string={"q": "劳模创新工作室"})).select_one(".hit")
    whole = f"{article_id}-0001"
    assert query_of(card.select_one(".hit-title a")["href"])["p"] == [whole]
    assert card.select_one(".hit-title a")["href"].endswith(f"#p-{whole}")
    assert card["data-paragraph-id"] == whole  # the basket keeps the whole paragraph
    assert card["data-text"] == LONG
    assert "长段落节选" in card.select_one(".hit-meta").get_text()


def test_article_api_gives_one_paragraph_with_its_parts(setting: tuple[FlaskClient, str]) -> None:
    client, article_id = setting
    data = client.get(f"/api/articles/{article_id}").get_json()
    texts = [p["text"] for p in data["paragraphs"]]
    assert LONG in texts and len(texts) == 3
    joined = data["paragraphs"][texts.index(LONG)]
    assert joined["paragraph_id"] == f"{article_id}-0001"
    assert joined["part_ids"][0] == joined["paragraph_id"] and len(joined["part_ids"]) == 3
    assert data["paragraphs"][0]["part_ids"] == []


def test_basket_export_of_parts_gives_the_whole_paragraph_once(setting: tuple[FlaskClient, str]) -> None:
    client, article_id = setting
    parts = client.get(f"/api/articles/{article_id}").get_json()["paragraphs"][1]["part_ids"]
    form = {"p": [parts[2], parts[0]], "format": "txt", "csrf_token": csrf_token(client)}
    response = client.post("/basket/export", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    assert text.count(LONG) == 1 and text.startswith(LONG)


def test_result_export_gives_the_whole_paragraph(setting: tuple[FlaskClient, str]) -> None:
    client, _ = setting
    response = client.get("/export", query_string={"q": "困难职工", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    texts = [row["段落"] for row in rows]
    # Every part holds 困难职工: the paragraph is one row, whole.
    assert texts.count(LONG) == 1
    assert not [t for t in texts if t != LONG and t in LONG]


# --------------------------------------------------------------------------- OCR


def test_ocr_text_is_badged_on_hits_and_in_the_article(setting: tuple[FlaskClient, str]) -> None:
    client, _ = setting
    card = soup(client.get("/", query_string={"q": "技能比武"})).select_one(".hit")
    badge = card.select_one(".badge-ocr")
    assert badge.get_text() == "OCR识别" and "扫描件" in badge["title"] and "错" in badge["title"]
    article = soup(client.get("/articles/scan"))
    assert article.select_one(".para .badge-ocr").get_text() == "OCR识别"
    assert client.get("/api/articles/scan").get_json()["paragraphs"][0]["origin"] == "ocr"
    assert client.get("/api/search", query_string={"q": "技能比武"}).get_json()["hits"][0]["origin"] == "ocr"


def test_typed_text_has_no_ocr_badge(setting: tuple[FlaskClient, str]) -> None:
    client, article_id = setting
    assert not soup(client.get("/", query_string={"q": "劳模创新工作室"})).select(".badge-ocr")
    assert not soup(client.get(f"/articles/{article_id}")).select(".badge-ocr")


# --------------------------------------------------------------------------- copies, paged


def test_copies_page_comes_a_page_at_a_time_with_page_links(setting: tuple[FlaskClient, str]) -> None:
    client, _ = setting
    first = soup(client.get("/copies/dup-shuwu", query_string={"q": "职工书屋"}))
    assert "相同段落的 45 处出处" in first.select_one("h1").get_text()
    assert len(first.select(".copy-list > li")) == 20
    links = {a.get_text(): a["href"] for a in first.select(".pager a")}
    assert set(links) == {"2", "3", "下一页"}
    assert query_of(links["3"]) == {"q": ["职工书屋"], "page": ["3"]}
    last = client.get(links["3"])
    items = soup(last).select(".copy-list > li")
    assert len(items) == 5
    assert soup(last).select_one(".copy-list")["start"] == "41"
    assert client.get("/copies/dup-shuwu?page=4").status_code == 400
    assert client.get("/copies/dup-shuwu?page=x").status_code == 400


def test_copies_api_is_paged(setting: tuple[FlaskClient, str]) -> None:
    client, _ = setting
    data = client.get("/api/copies/dup-shuwu", query_string={"page": 3, "size": 20}).get_json()
    assert (data["total"], data["page"], data["pages"], len(data["copies"])) == (45, 3, 3, 5)
    everything = client.get("/api/copies/dup-shuwu", query_string={"size": 100}).get_json()
    assert len(everything["copies"]) == 45
    assert client.get("/api/copies/dup-shuwu?pgae=2").status_code == 400  # a misspelt name says so


def test_copies_page_is_small(setting: tuple[FlaskClient, str]) -> None:
    # 995 copies once made 1.76 MB of HTML; a page is bounded whatever the number of copies.
    client, _ = setting
    assert len(client.get("/copies/dup-shuwu").data) < 60_000
