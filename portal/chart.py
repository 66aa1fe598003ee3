"""The overview's chart: paragraphs per topic and year, as inline SVG rendered on the server.

A heat-map grid (topics down, years across) stays readable with fifteen
topics and dozens of years, where grouped bars would not. The SVG is
built as a string, so every label and URL is escaped here explicitly;
colours are presentation attributes, which the Content-Security-Policy
allows (style="" attributes it does not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

from markupsafe import Markup

LABEL_WIDTH = 176
HEADER_HEIGHT = 30
CELL_WIDTH = 52
CELL_HEIGHT = 30
GAP = 3
FILL = "#1f6f6b"  # the portal's accent colour
EMPTY_FILL = "#eef1f3"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def topics_by_year_svg(
    topics: Sequence[str],
    years: Sequence[str],
    counts: Mapping[tuple[str, str], int],
    link: Callable[[str, str], str] | None = None,
) -> Markup:
    """An SVG grid: one row per topic, one column per year, cells shaded by count.

    ``link(topic, year)`` gives the URL a cell opens (the search for that
    topic in that year); every cell also has a <title> tooltip.
    """
    peak = max(counts.values(), default=0) or 1
    width = LABEL_WIDTH + len(years) * (CELL_WIDTH + GAP)
    height = HEADER_HEIGHT + len(topics) * (CELL_HEIGHT + GAP)
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">各主题逐年段落数</title>',
    ]
    for col, year in enumerate(years):
        x = LABEL_WIDTH + col * (CELL_WIDTH + GAP) + CELL_WIDTH / 2
        out.append(
            f'<text class="chart-year" x="{x}" y="{HEADER_HEIGHT - 10}" text-anchor="middle">{escape(year)}</text>'
        )
    for row, topic in enumerate(topics):
        y = HEADER_HEIGHT + row * (CELL_HEIGHT + GAP)
        out.append(
            f'<text class="chart-topic" x="{LABEL_WIDTH - 10}" y="{y + CELL_HEIGHT / 2 + 5}" '
            f'text-anchor="end">{escape(topic)}</text>'
        )
        for col, year in enumerate(years):
            count = counts.get((topic, year), 0)
            x = LABEL_WIDTH + col * (CELL_WIDTH + GAP)
            ratio = count / peak
            fill, opacity = (FILL, round(0.12 + 0.88 * ratio, 3)) if count else (EMPTY_FILL, 1)
            cell = [
                f"<title>{escape(topic)} · {escape(year)}年：{count} 段</title>",
                f'<rect x="{x}" y="{y}" width="{CELL_WIDTH}" height="{CELL_HEIGHT}" rx="4" '
                f'fill="{fill}" fill-opacity="{opacity}"/>',
            ]
            if count:
                colour = "#ffffff" if ratio > 0.5 else "#1d2733"
                cell.append(
                    f'<text class="chart-count" x="{x + CELL_WIDTH / 2}" y="{y + CELL_HEIGHT / 2 + 5}" '
                    f'text-anchor="middle" fill="{colour}">{count}</text>'
                )
            body = "".join(cell)
            if link and count:
                body = f'<a href="{_attr(link(topic, year))}">{body}</a>'
            out.append(f'<g class="chart-cell">{body}</g>')
    out.append("</svg>")
    return Markup("".join(out))  # safe: every interpolated label and URL is escaped above
