"""The genre facets (文档类型, 单位类型) on the pages and the API, and the one-click 只看工会工作总结.

Only the synthetic articles say 晨曦计划: a (总结 · 工会) has two such paragraphs,
b (活动总结 · 工会) two; c (讲话 · 妇联) none, but c says 工资集体协商.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.portal.helpers import query_of, soup, total_of

UNION_SUMMARIES = {"doc_type": ["总结"], "org_type": ["工会"]}


def test_the_sidebar_offers_both_genre_facets_with_counts(client: FlaskClient) -> None:
    page = soup(client.get("/?q=晨曦计划&collapse=0"))
    doc_type = page.select_one("#facet-doc_type")
    assert doc_type.select_one("legend").get_text(strip=True) == "文档类型"
    counts = {
        i["value"]: int(i.find_parent("label").select_one(".facet-count").get_text()) for i in doc_type.select("input")
    }
    assert counts == {"总结": 2, "活动总结": 2}
    # Listed in the vocabulary's order (总结 before 活动总结), not alphabetically.
    assert [i["value"] for i in doc_type.select("input")] == ["总结", "活动总结"]
    assert page.select_one("#facet-org_type legend").get_text(strip=True) == "单位类型"


def test_choosing_a_genre_narrows_and_shows_a_chip(client: FlaskClient) -> None:
    page = soup(client.get("/?q=晨曦计划&doc_type=活动总结&collapse=0"))
    assert total_of(page) == 2
    assert {hit["data-article-id"] for hit in page.select("article.hit")} == {"fixture0000000b"}
    chip = page.select_one(".chips-selected a.chip-removable")
    assert chip.get_text(strip=True).startswith("文档类型：活动总结")
    assert query_of(chip["href"]) == {"q": ["晨曦计划"], "collapse": ["0"]}
    # The other value stays offered with its count (a facet's counts ignore its own selection).
    offered = {i["value"]: i.has_attr("checked") for i in page.select("#facet-doc_type input")}
    assert offered == {"总结": False, "活动总结": True}


def test_a_hit_names_its_genre(client: FlaskClient) -> None:
    page = soup(client.get("/?q=工资集体协商&org_type=妇联"))
    meta = page.select_one("article.hit .hit-meta").get_text(" ", strip=True)
    assert "妇联" in meta and "讲话" in meta


def test_one_click_narrows_to_union_work_summaries_and_back(client: FlaskClient) -> None:
    landing = soup(client.get("/"))
    link = next(a for a in landing.select(".presets a") if a.get_text(strip=True) == "只看工会工作总结")
    assert query_of(link["href"]) == UNION_SUMMARIES
    # With a query, the link keeps it and replaces any earlier genre choice.
    page = soup(client.get("/?q=晨曦计划&doc_type=讲话&collapse=0"))
    link = next(a for a in page.select(".presets a") if "只看工会工作总结" in a.get_text())
    assert query_of(link["href"]) == {"q": ["晨曦计划"], **UNION_SUMMARIES, "collapse": ["0"]}
    narrowed = soup(client.get(link["href"]))
    assert {hit["data-article-id"] for hit in narrowed.select("article.hit")} == {"fixture0000000a"}
    active = narrowed.select_one(".presets a[aria-current=true]")
    assert active is not None and "只看工会工作总结" in active.get_text()
    assert query_of(active["href"]) == {"q": ["晨曦计划"], "collapse": ["0"]}  # one click back to everything


def test_nothing_is_filtered_by_default(client: FlaskClient) -> None:
    everything = client.get("/api/search?q=工资集体协商&size=100").get_json()
    assert {h["org_type"] for h in everything["hits"]} >= {"工会", "妇联"}
    assert not any(f["selected"] for name in ("doc_type", "org_type") for f in everything["facets"][name])


def test_the_api_takes_repeatable_genre_parameters(client: FlaskClient) -> None:
    either = client.get("/api/search?q=晨曦计划&doc_type=总结&doc_type=活动总结&collapse=0").get_json()
    assert either["total"] == 4
    both = client.get("/api/search?q=晨曦计划&doc_type=活动总结&org_type=工会&collapse=0").get_json()
    assert both["total"] == 2 and {h["doc_type"] for h in both["hits"]} == {"活动总结"}
    facets = client.get("/api/facets?q=晨曦计划&org_type=妇联").get_json()
    assert facets["total"] == 0
    assert [(f["value"], f["count"], f["selected"]) for f in facets["facets"]["org_type"]] == [
        ("工会", 4, False),
        ("妇联", 0, True),
    ]


def test_a_value_outside_the_vocabulary_filters_to_nothing_without_an_error(client: FlaskClient) -> None:
    response = client.get("/api/search?q=晨曦计划&doc_type=年鉴")
    assert response.status_code == 200 and response.get_json()["total"] == 0


def test_a_misspelt_parameter_name_is_a_400_on_the_api(client: FlaskClient) -> None:
    for endpoint in ("/api/search", "/api/facets"):
        response = client.get(f"{endpoint}?q=晨曦计划&doctype=总结")
        assert response.status_code == 400
        assert "未知参数 doctype" in response.get_json()["error"]
        assert "doc_type" in response.get_json()["error"]  # the reason lists what is accepted
    # A shared page link with a stray parameter still opens.
    assert client.get("/?q=晨曦计划&utm_source=mail").status_code == 200


def test_the_overview_counts_the_genres(client: FlaskClient) -> None:
    page = soup(client.get("/overview"))
    table = page.select_one("#count-org_type").find_parent("section")
    rows = {r.select_one("th").get_text(strip=True): r.select_one("th a")["href"] for r in table.select("tr")}
    assert "妇联" in rows and query_of(rows["妇联"]) == {"org_type": ["妇联"]}
    assert page.select_one("#count-doc_type") is not None
