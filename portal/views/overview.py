"""The overview page (/overview): what the archive holds, by facet, and topics by year."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, render_template, url_for

from engine import facets as registry
from engine.contract import SearchEngine, SearchRequest, SearchResult
from portal.chart import topics_by_year_svg
from portal.engine_access import get_engine
from portal.labels import facet_label, value_label

bp = Blueprint("overview", __name__)

#: Facets the overview counts, in display order (``overview`` in the registry).
OVERVIEW_FACETS: tuple[str, ...] = tuple(f.name for f in registry.all_facets() if f.overview)
#: Enough for every value of these facets in any real archive.
FACET_SIZE = 1000
#: Columns of the chart: the most recent years.
CHART_YEARS = 30


@dataclass(frozen=True)
class CountRow:
    """One value of a facet with its paragraph count and share of the largest."""

    label: str
    count: int
    percent: int  # of the facet's largest count, for the bar
    url: str


@dataclass(frozen=True)
class CountTable:
    """One facet's counts."""

    facet: str
    label: str
    rows: list[CountRow]


def _browse(engine: SearchEngine, filters: dict[str, tuple[str, ...]] | None = None) -> SearchResult:
    """Counts only: an empty query matches everything, page_size 0 fetches no hits."""
    return engine.search(SearchRequest(query="", filters=filters or {}, page_size=0, facet_size=FACET_SIZE))


def _search_url(**filters: str) -> str:
    return f"{url_for('search.index')}?{urlencode(filters)}"


@bp.get("/overview")
def page() -> str:
    """Counts by facet and the topic × year chart."""
    engine = get_engine()
    stats = engine.stats()
    everything = _browse(engine)
    tables = []
    for facet in OVERVIEW_FACETS:
        counts = everything.facets.get(facet, [])
        peak = max((c.count for c in counts), default=0) or 1
        rows = [
            CountRow(value_label(facet, c.value), c.count, round(100 * c.count / peak), _search_url(**{facet: c.value}))
            for c in counts
        ]
        tables.append(CountTable(facet, facet_label(facet), rows))

    # Newest years, shown oldest first so the chart reads left to right in time.
    years = sorted((c.value for c in everything.facets.get("year", [])), reverse=True)[:CHART_YEARS][::-1]
    topics = [c.value for c in everything.facets.get("topic", [])]
    matrix: dict[tuple[str, str], int] = {}
    for year in years:
        for count in _browse(engine, {"year": (year,)}).facets.get("topic", []):
            matrix[(count.value, year)] = count.count
    chart = topics_by_year_svg(topics, years, matrix, lambda t, y: _search_url(topic=t, year=y)) if years else None
    return render_template(
        "overview.html",
        stats=stats,
        total=everything.total,
        tables=tables,
        chart=chart,
        years=years,
        topics=topics,
        matrix=matrix,
    )
