"""The article view: outline, target paragraph, highlighted matches, metadata with origins."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask.testing import FlaskClient

from engine.contract import IndexDocument
from portal.articles import build_article_view
from tests.portal.helpers import soup

ARTICLE = "fixture0000000a"


def test_article_shows_every_paragraph_in_order_with_permalinks(client: FlaskClient) -> None:
    response = client.get(f"/articles/{ARTICLE}")
    assert response.status_code == 200
    page = soup(response)
    paragraphs = page.select(".article-body .para")
    assert [p["id"] for p in paragraphs] == [f"p-{ARTICLE}-{i:04d}" for i in range(5)]
    body = page.select(".article-body div.para")
    for para in body:
        permalink = para.select_one("a.permalink, a.para-action")["href"]
        assert permalink.endswith(f"#{para['id']}")
    assert page.select_one("h1.article-title").get_text() == "测试镇工会2022年工作总结"
    assert "portal-synthetic.txt" in page.select_one(".source-file").get_text()


def test_outline_links_to_section_anchors(client: FlaskClient) -> None:
    page = soup(client.get(f"/articles/{ARTICLE}"))
    outline = [(a.get_text(), a["href"]) for a in page.select(".outline a")]
    assert outline == [("一、困难帮扶工作", f"#p-{ARTICLE}-0000"), ("二、工资集体协商", f"#p-{ARTICLE}-0003")]
    headings = page.select(".article-body .para-heading")
    assert [h.name for h in headings] == ["h2", "h2"]


def test_hit_paragraph_is_marked_and_matches_numbered(client: FlaskClient) -> None:
    target = f"{ARTICLE}-0002"
    page = soup(client.get(f"/articles/{ARTICLE}?p={target}&q=晨曦计划"))
    marked = page.select_one(".para.is-target")
    assert marked["id"] == f"p-{target}"
    assert "检索命中段落" in marked.get_text()
    marks = page.select(".article-body mark")
    assert [m["id"] for m in marks] == [f"m-{i}" for i in range(1, len(marks) + 1)]
    assert len(marks) == 3 and {m.get_text() for m in marks} == {"晨曦计划"}
    nav = page.select_one("#match-nav")
    assert nav["data-total"] == "3"
    assert "共 3 处匹配" in nav.get_text()
    assert page.select_one("#match-next") is not None and page.select_one("#match-prev") is not None


def test_article_from_the_samples_with_a_real_hit(client: FlaskClient) -> None:
    api = client.get("/api/search?q=送温暖&size=1").get_json()
    hit = api["hits"][0]
    page = soup(client.get(f"/articles/{hit['article_id']}?p={hit['paragraph_id']}&q=送温暖"))
    target = page.select_one(".para.is-target")
    assert target["data-text"] == hit["text"]
    assert target.select("mark")
    assert page.select(".outline a")


def test_metadata_rows(client: FlaskClient) -> None:
    page = soup(client.get(f"/articles/{ARTICLE}"))
    rows = {row.select_one("dt").get_text(): row.select_one("dd").get_text() for row in page.select(".meta-item")}
    assert rows["乡镇"].startswith("测试镇")
    assert rows["年份"].startswith("2022年")
    assert rows["时段"].startswith("全年")


@dataclass(frozen=True)
class _WithOrigins(IndexDocument):
    """IndexDocument as it will be once the indexer records origins."""

    origins: dict[str, str] = field(default_factory=dict)


def test_metadata_says_where_each_value_came_from() -> None:
    doc = _WithOrigins(
        paragraph_id="x-0000",
        article_id="x",
        position=0,
        text="正文",
        title="鹿苑镇工会总结",
        source_path="a/b.txt",
        source_sha256="",
        township="鹿苑镇",
        org_level="乡镇街道",
        year=2020,
        origins={"township": "path", "org_level": "title", "year": "sidecar"},
    )
    view = build_article_view([doc], [], None)
    origins = {row.label: row.origin for row in view.metadata}
    # The genres and the period were not found (其他, 其他, 未知): shown, with no origin.
    assert origins == {
        "文档类型": "",
        "单位类型": "",
        "单位层级": "标题",
        "乡镇": "文件路径",
        "时段": "",
        "年份": "人工标注",
    }


def test_documents_without_origins_still_render() -> None:
    doc = IndexDocument(
        paragraph_id="x-0000", article_id="x", position=0, text="正文", title="t", source_path="b.txt", source_sha256=""
    )
    view = build_article_view([doc], ["正文"], "x-0000")
    assert all(row.origin == "" for row in view.metadata)
    assert view.match_total == 1 and view.target == doc


def test_unknown_article_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404
    assert "找不到这篇文章" in response.get_data(as_text=True)
    assert response.content_type.startswith("text/html")


def test_article_query_is_validated_like_the_search(client: FlaskClient) -> None:
    response = client.get(f"/articles/{ARTICLE}?q=" + "长" * 300)
    assert response.status_code == 400
    assert "检索词过长" in response.get_data(as_text=True)
