"""The overview page and chart, /healthz, and how the engine is opened."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from portal import create_app
from portal.chart import topics_by_year_svg
from portal.engine_access import get_engine
from tests.portal.helpers import query_of, soup


def test_overview_counts_by_facet(client: FlaskClient) -> None:
    response = client.get("/overview")
    assert response.status_code == 200
    page = soup(response)
    titles = [h.get_text() for h in page.select(".count-grid .panel-title")]
    assert titles == ["按文档类型", "按单位类型", "按单位层级", "按乡镇", "按时段", "按年份", "按主题"]
    township = page.select_one("#count-township").find_parent("section")
    rows = {
        r.select_one("th").get_text(strip=True): int(r.select_one(".count-number").get_text())
        for r in township.select("tr")
    }
    assert rows["鹿苑镇"] > 0 and rows["寮步镇"] > 0 and rows["测试镇"] > 0
    link = township.select_one("th a")["href"]
    assert set(query_of(link)) == {"township"}


def test_overview_chart_of_topics_by_year(client: FlaskClient) -> None:
    page = soup(client.get("/overview"))
    svg = page.select_one(".chart-panel svg.chart")
    assert svg is not None
    years = [t.get_text() for t in svg.select("text.chart-year")]
    assert years == ["2021", "2022", "2023"]
    assert "困难帮扶与送温暖" in [t.get_text() for t in svg.select("text.chart-topic")]
    tips = [t.get_text() for t in svg.select("g.chart-cell title")]
    assert "困难帮扶与送温暖 · 2023年：1 段" in tips
    assert page.select_one(".chart-table table")  # the same numbers as a table


def test_chart_escapes_labels_and_links() -> None:
    svg = str(
        topics_by_year_svg(
            ["<script>x</script>"],
            ["2020"],
            {("<script>x</script>", "2020"): 3},
            lambda t, y: f'/?topic={t}&year={y}"onload="x',
        )
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg
    assert '"onload="' not in svg
    parsed = BeautifulSoup(svg, "html.parser")
    assert parsed.select_one("a")["href"] == '/?topic=<script>x</script>&year=2020"onload="x'


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    data = response.get_json()
    assert data["status"] == "ok"
    assert data["engine"]["documents"] > 400 and data["engine"]["articles"] > 20
    assert data["engine"]["size_bytes"] > 0


def test_healthz_when_unreachable(unavailable_client: FlaskClient) -> None:
    response = unavailable_client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "error": "检索引擎不可用"}


def test_engine_opened_lazily_once_from_index_dir(portal_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(portal_index)})
    holder = app.extensions["portal.engine"]
    assert holder._engine is None  # nothing opened at start-up
    with app.app_context():
        first = get_engine()
        assert get_engine() is first
    assert app.test_client().get("/healthz").get_json()["engine"]["documents"] > 400
    holder.close()
