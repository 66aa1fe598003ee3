"""The search page: hits, facets, chips, sort, pagination, empty state, URL state."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.portal.corpus import DUPLICATE_KEY, DUPLICATE_TEXT
from tests.portal.helpers import query_of, soup, total_of


def test_landing_page_offers_the_search_box_and_browsing(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    box = page.select_one("form[role=search] input[name=q]")
    assert box is not None and box.has_attr("autofocus")
    assert "空格 = 并且" in page.get_text()
    topic_links = page.select(".landing-group a.chip")
    assert any(query_of(a["href"]).get("topic") for a in topic_links)
    assert any(query_of(a["href"]).get("township") == ["鹿苑镇"] for a in topic_links)


def test_search_shows_highlighted_hits_with_their_context(client: FlaskClient) -> None:
    page = soup(client.get("/?q=送温暖"))
    assert total_of(page) >= 5
    assert "用时" in page.select_one(".result-count").get_text()
    hits = page.select("article.hit")
    assert hits
    first = hits[0]
    assert first.select_one(".hit-text mark").get_text() == "送温暖"
    link = first.select_one(".hit-title a")["href"]
    assert link.startswith(f"/articles/{first['data-article-id']}?")
    assert query_of(link)["p"] == [first["data-paragraph-id"]]
    assert query_of(link)["q"] == ["送温暖"]
    assert link.endswith(f"#p-{first['data-paragraph-id']}")
    # Section path and topics of the hit.
    assert any(hit.select(".hit-section span") for hit in hits)
    assert any(hit.select(".tags .tag") for hit in hits)
    # The clean text for copying carries no marks.
    assert "<mark>" not in first["data-text"] and "送温暖" in first["data-text"]
    assert first["data-source"].startswith("——《")


def test_facets_are_checkboxes_with_counts(client: FlaskClient) -> None:
    page = soup(client.get("/?q=职工"))
    township = page.select_one("#facet-township")
    boxes = township.select("input[type=checkbox][name=township]")
    values = {box["value"] for box in boxes}
    assert {"鹿苑镇", "寮步镇"} <= values
    counts = [int(c.get_text()) for c in township.select(".facet-count")]
    assert all(count > 0 for count in counts)
    # The facet form resends the query but not the page.
    form = page.select_one("form.js-facet-form")
    assert form["method"] == "get"
    assert form.select_one("input[type=hidden][name=q]")["value"] == "职工"


def test_ticking_a_township_narrows_and_shows_a_removable_chip(client: FlaskClient) -> None:
    everything = total_of(soup(client.get("/?q=职工")))
    page = soup(client.get("/?q=职工&township=鹿苑镇"))
    narrowed = total_of(page)
    assert 0 < narrowed < everything
    assert page.select_one("input[type=checkbox][name=township][value=鹿苑镇]").has_attr("checked")
    chip = page.select_one(".chips-selected a.chip-removable")
    assert "乡镇：鹿苑镇" in chip.get_text()
    assert query_of(chip["href"]) == {"q": ["职工"]}
    assert query_of(page.select_one(".chip-clear")["href"]) == {"q": ["职工"]}
    # Every hit is from the chosen township.
    assert all("鹿苑镇" in hit.select_one(".hit-meta").get_text() for hit in page.select("article.hit"))


def test_sort_links_keep_the_filters(client: FlaskClient) -> None:
    page = soup(client.get("/?q=职工&township=寮步镇"))
    link = page.select_one(".sort a.sort-option")
    assert query_of(link["href"]) == {"q": ["职工"], "township": ["寮步镇"], "sort": ["year"]}
    by_year = soup(client.get(link["href"]))
    assert by_year.select_one(".sort .is-active").get_text() == "年份"


def test_pagination_walks_forward_and_back(client: FlaskClient) -> None:
    first = soup(client.get("/?q=工会&size=5"))
    next_link = first.select_one(".pager a[rel=next]")["href"]
    assert query_of(next_link) == {"q": ["工会"], "size": ["5"], "page": ["2"]}
    second = soup(client.get(next_link))
    assert second.select_one(".pager-current").get_text() == "2"
    assert query_of(second.select_one(".pager a[rel=prev]")["href"]) == {"q": ["工会"], "size": ["5"]}
    ids_first = {h["data-paragraph-id"] for h in first.select("article.hit")}
    ids_second = {h["data-paragraph-id"] for h in second.select("article.hit")}
    assert ids_first and ids_second and not ids_first & ids_second


def test_url_state_round_trips_through_every_link(client: FlaskClient) -> None:
    url = "/?q=职工&township=鹿苑镇&topic=宣传教育与学习&sort=year&size=5"
    page = soup(client.get(url))
    # The query box resends the filters; the facet form resends q and sort.
    search_hidden = {(i["name"], i["value"]) for i in page.select("form.searchbar input[type=hidden]")}
    assert search_hidden == {("township", "鹿苑镇"), ("topic", "宣传教育与学习"), ("sort", "year"), ("size", "5")}
    facet_hidden = {(i["name"], i["value"]) for i in page.select("form.js-facet-form input[type=hidden]")}
    assert facet_hidden == {("q", "职工"), ("sort", "year"), ("size", "5")}
    # Removing one chip keeps everything else.
    chips = {c.get_text(strip=True): c["href"] for c in page.select(".chips-selected a.chip-removable")}
    topic_removed = query_of(next(href for label, href in chips.items() if "主题" in label))
    assert topic_removed == {"q": ["职工"], "township": ["鹿苑镇"], "sort": ["year"], "size": ["5"]}
    # Every link on the page that leads back to the search works.
    for anchor in page.select("a[href^='/?']"):
        assert client.get(anchor["href"]).status_code == 200, anchor["href"]


def test_duplicates_are_collapsed_with_a_count(client: FlaskClient) -> None:
    page = soup(client.get("/?q=晨曦计划"))
    hits = page.select("article.hit")
    with_text = [h for h in hits if h["data-text"] == DUPLICATE_TEXT]
    assert len(with_text) == 1
    copies = with_text[0].select_one("details.copies")
    assert "另有 1 处相同段落" in copies.select_one("summary").get_text()
    assert copies["data-copies-url"] == f"/api/copies/{DUPLICATE_KEY}"
    assert copies.select_one("a")["href"].startswith(f"/copies/{DUPLICATE_KEY}")
    # collapse=0 lists both copies.
    expanded = soup(client.get("/?q=晨曦计划&collapse=0"))
    assert len([h for h in expanded.select("article.hit") if h["data-text"] == DUPLICATE_TEXT]) == 2


def test_copies_page_lists_every_copy(client: FlaskClient) -> None:
    response = client.get(f"/copies/{DUPLICATE_KEY}?q=晨曦计划")
    assert response.status_code == 200
    page = soup(response)
    items = page.select(".copy-list li.hit")
    assert len(items) == 2
    assert {i["data-article-id"] for i in items} == {"fixture0000000a", "fixture0000000b"}
    assert page.select_one(".copy-list mark").get_text() == "晨曦计划"
    assert client.get("/copies/no-such-key").status_code == 404


def test_empty_result_suggests_which_filter_to_drop(client: FlaskClient) -> None:
    page = soup(client.get("/?q=送温暖&township=鹿苑镇"))
    assert total_of(page) == 0
    empty = page.select_one(".empty")
    # The filters hid them: say so, and how many there are without them.
    unfiltered = total_of(soup(client.get("/?q=送温暖")))
    assert f"包含「送温暖」的段落共有 {unfiltered} 段，都被筛选条件隐藏了" in empty.get_text()
    assert int(empty.select_one(".js-hidden").get_text()) == unfiltered
    relax = empty.select_one(".relax-list a")
    assert "去掉「乡镇：鹿苑镇」" in relax.get_text()
    assert query_of(relax["href"]) == {"q": ["送温暖"]}
    assert "可找到" in empty.select_one(".relax-list").get_text()
    assert "OR" in empty.get_text() and "排除" in empty.get_text()


def test_empty_result_without_filters_gives_syntax_tips(client: FlaskClient) -> None:
    page = soup(client.get("/?q=完全不存在的词语组合乙丙丁"))
    assert total_of(page) == 0
    assert not page.select(".relax-list")
    assert "A OR B" in page.select_one(".empty-tips").get_text()


def test_year_range_and_year_sort(client: FlaskClient) -> None:
    page = soup(client.get("/?q=晨曦计划&year=2022-2023&sort=year&collapse=0"))
    years = [h.select_one(".hit-meta").get_text() for h in page.select("article.hit")]
    assert years and all(("2022年" in y) or ("2023年" in y) for y in years)
    assert "2023年" in years[0]  # newest first
    assert page.select_one("#year-range")["value"] == "2022-2023"
    assert "年份：2022–2023 年" in page.select_one(".chips-selected").get_text()


def test_topic_tags_add_a_filter(client: FlaskClient) -> None:
    page = soup(client.get("/?q=晨曦计划"))
    tag = page.select_one("article.hit .tags a.tag")
    assert query_of(tag["href"]) == {"q": ["晨曦计划"], "topic": [tag.get_text()]}
