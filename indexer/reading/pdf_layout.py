"""From positioned glyphs to paragraphs: the geometry of a printed page, read back.

A PDF holds characters at positions, not paragraphs. This module rebuilds what a
reader sees, using only geometry and font sizes:

* **lines**: glyphs whose vertical extents overlap, left to right. A space is
  written where the file draws a space character, and for a gap only between two
  Latin letters or digits — never for a gap at a CJK/Latin boundary, which is the
  word processor's spacing, not the author's (``职工 86 户``).
* **superscripts** (footnote citations) are small raised glyphs and are dropped.
* **page furniture**: a line at the top or bottom of a page that recurs (digits
  aside) on most pages is a running header or footer; a page number ("— 3 —",
  "第3页", "3/12") at the top or bottom of a page goes whatever its count.
* **tables**: text inside a ruled grid becomes one line per row, cells joined by
  "；" and the row closed by "。", so that a row reads as a sentence and is never
  taken for a heading or glued to the text after it.
* **footnotes**: small-print lines under the body at the bottom of a page; they are
  returned apart, for the end of the document.
* **paragraphs**: a line starts a new paragraph when it is indented, when the line
  before it stopped short of the right margin, after a larger gap, or when the font
  size or weight changes (a heading); otherwise it continues the paragraph, across
  pages too.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

TABLE_CELL_SEPARATOR = "；"
TABLE_ROW_END = "。"

_WIDE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f\u2018-\u201d]")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~·•\s]*\d{1,4}[-—–－~·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,3})\s*")


@dataclass(frozen=True)
class Glyph:
    """One character at its place on the page (PDF units, y upwards)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool = False


@dataclass(frozen=True)
class Segment:
    """A straight rule drawn on the page (table borders are made of these)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) < 2 and self.x1 - self.x0 > 4

    @property
    def vertical(self) -> bool:
        return abs(self.x1 - self.x0) < 2 and self.y1 - self.y0 > 4


@dataclass(eq=False)
class Line:
    """A line of text with its box and dominant font."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    #: The superscript digits dropped from this line (a footnote citation), if any.
    superscript: str = ""
    #: A table row: never joined with other lines.
    table_row: bool = False


@dataclass
class PageText:
    """What one page holds once read: its lines (in reading order) and footnotes."""

    lines: list[Line] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    width: float = 595.0
    height: float = 842.0


def is_wide(char: str) -> bool:
    """A CJK (full-width) character, including CJK punctuation and curly quotes."""
    return bool(_WIDE.match(char))


def build_lines(glyphs: Iterable[Glyph]) -> list[Line]:
    """Group glyphs into lines (top to bottom), each left to right, superscripts dropped."""
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: (-g.y1, g.x0)):
        if not glyph.text.strip() and glyph.text != " ":
            continue
        for row in reversed(rows[-3:]):
            top, bottom = max(g.y1 for g in row), min(g.y0 for g in row)
            overlap = min(top, glyph.y1) - max(bottom, glyph.y0)
            if overlap > 0.3 * min(top - bottom, glyph.y1 - glyph.y0):
                row.append(glyph)
                break
        else:
            rows.append([glyph])
    lines = [_line(row) for row in rows]
    return sorted((line for line in lines if line.text), key=lambda line: -line.y1)


def _line(glyphs: list[Glyph]) -> Line:
    glyphs.sort(key=lambda g: g.x0)
    sizes = [g.size for g in glyphs if g.text.strip()] or [g.size for g in glyphs]
    size = statistics.median(sizes)
    baseline = statistics.median(g.y0 for g in glyphs if g.size >= 0.9 * size) if sizes else glyphs[0].y0
    parts: list[str] = []
    superscript: list[str] = []
    previous: Glyph | None = None
    for glyph in glyphs:
        if glyph.size < 0.8 * size and glyph.y0 > baseline + 0.2 * size:
            superscript.append(glyph.text)  # a raised small glyph: a footnote citation
            continue
        if glyph.text == " ":
            previous = glyph if previous is None else previous
            if parts and parts[-1] != " ":
                parts.append(" ")
            continue
        if (
            previous is not None
            and parts
            and parts[-1] != " "
            and glyph.x0 - previous.x1 > 0.2 * size
            and not is_wide(previous.text[-1:])
            and not is_wide(glyph.text[:1])
        ):
            # A gap between two Latin letters or digits is a word space the file did not
            # draw as a glyph; a gap at a CJK boundary is the word processor's spacing.
            parts.append(" ")
        parts.append(glyph.text)
        previous = glyph
    text = "".join(parts).strip()
    bold_share = sum(g.bold for g in glyphs) / len(glyphs)
    body = [g for g in glyphs if g.text.strip()] or glyphs
    return Line(
        text=text,
        x0=min(g.x0 for g in body),
        y0=min(g.y0 for g in body),
        x1=max(g.x1 for g in body),
        y1=max(g.y1 for g in body),
        size=size,
        bold=bold_share > 0.6,
        superscript="".join(superscript).strip(),
    )


def find_tables(segments: Sequence[Segment]) -> list[tuple[list[float], list[float]]]:
    """Ruled grids: for each, its column edges (x, left to right) and row edges (y, top to bottom)."""
    rules = [s for s in segments if s.horizontal or s.vertical]
    groups: list[list[Segment]] = []
    for rule in rules:
        touching = [g for g in groups if any(_touch(rule, other) for other in g)]
        merged = [rule]
        for group in touching:
            merged.extend(group)
            groups.remove(group)
        groups.append(merged)
    tables = []
    for group in groups:
        xs = _distinct(s.x0 for s in group if s.vertical)
        ys = _distinct(s.y0 for s in group if s.horizontal)
        if len(xs) >= 2 and len(ys) >= 2 and (len(xs) >= 3 or len(ys) >= 3):
            tables.append((xs, sorted(ys, reverse=True)))
    return tables


def _touch(a: Segment, b: Segment, tolerance: float = 2.0) -> bool:
    return not (
        a.x1 + tolerance < b.x0 or b.x1 + tolerance < a.x0 or a.y1 + tolerance < b.y0 or b.y1 + tolerance < a.y0
    )


def _distinct(values: Iterable[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > tolerance:
            out.append(value)
    return out


def read_page(glyphs: Sequence[Glyph], segments: Sequence[Segment], width: float, height: float) -> PageText:
    """One page's lines in reading order, table rows as single lines."""
    tables = find_tables(segments)
    in_table: list[list[Glyph]] = [[] for _ in tables]
    free: list[Glyph] = []
    for glyph in glyphs:
        cx, cy = (glyph.x0 + glyph.x1) / 2, (glyph.y0 + glyph.y1) / 2
        for index, (xs, ys) in enumerate(tables):
            if xs[0] <= cx <= xs[-1] and ys[-1] <= cy <= ys[0]:
                in_table[index].append(glyph)
                break
        else:
            free.append(glyph)
    lines = build_lines(free)
    for (xs, ys), table_glyphs in zip(tables, in_table, strict=True):
        lines.extend(_table_rows(xs, ys, table_glyphs))
    lines.sort(key=lambda line: -line.y1)
    return PageText(lines=lines, width=width, height=height)


def _table_rows(xs: list[float], ys: list[float], glyphs: list[Glyph]) -> list[Line]:
    rows: list[Line] = []
    for top, bottom in itertools.pairwise(ys):
        cells: list[str] = []
        for left, right in itertools.pairwise(xs):
            inside = [g for g in glyphs if left <= (g.x0 + g.x1) / 2 <= right and bottom <= (g.y0 + g.y1) / 2 <= top]
            text = "".join(line.text for line in build_lines(inside)).strip()
            if text:
                cells.append(text)
        if cells:
            rows.append(
                Line(
                    TABLE_CELL_SEPARATOR.join(cells) + TABLE_ROW_END,
                    xs[0],
                    bottom,
                    xs[-1],
                    top,
                    0.0,
                    False,
                    table_row=True,
                )
            )
    return rows


def split_footnotes(page: PageText, body_size: float) -> None:
    """Move small print below the last body-size line of the page into ``page.footnotes``.

    Run after :func:`remove_furniture`, so that a small page footer is not taken for one.
    """
    last_body = max(
        (i for i, line in enumerate(page.lines) if line.size >= 0.9 * body_size or line.table_row), default=-1
    )
    tail = page.lines[last_body + 1 :]
    if not tail or not all(line.size < 0.85 * body_size for line in tail):
        return
    notes: list[str] = []
    for line in tail:
        match = _LEADING_NUMBER.match(line.text)
        if line.superscript or match or not notes:
            notes.append(line.text[match.end() :] if match and not line.superscript else line.text)
        else:
            notes[-1] += line.text  # a footnote wrapped onto a second line
    page.footnotes = notes
    del page.lines[last_body + 1 :]


def remove_furniture(pages: list[PageText]) -> int:
    """Drop running headers, footers and page numbers from the top and bottom of each page.

    Returns how many lines went.
    """

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    edge_keys: Counter[str] = Counter()
    for page in pages:
        edge_keys.update({key(line) for line in _edges(page)})
    needed = max(2, (len(pages) + 1) // 2)
    removed = 0
    for page in pages:
        edges = {id(line) for line in _edges(page)}
        kept = []
        for line in page.lines:
            if id(line) in edges and (
                _PAGE_NUMBER.match(line.text) or (len(pages) >= 2 and edge_keys[key(line)] >= needed)
            ):
                removed += 1
                continue
            kept.append(line)
        page.lines = kept
    return removed


def _edges(page: PageText) -> list[Line]:
    """The first two and last two lines of a page, when they lie in its top or bottom fifth."""
    candidates = page.lines[:2] + page.lines[-2:]
    return [
        line
        for line in dict.fromkeys(candidates)
        if not line.table_row and (line.y0 > 0.8 * page.height or line.y1 < 0.2 * page.height)
    ]


def body_font_size(glyphs: Iterable[Glyph]) -> float:
    """The most common glyph size, rounded to half points: the body text's."""
    sizes = Counter(round(g.size * 2) / 2 for g in glyphs if g.text.strip())
    return sizes.most_common(1)[0][0] if sizes else 12.0


def paragraphs(pages: Sequence[PageText], body_size: float) -> list[str]:
    """Join the lines of all pages into paragraphs by indent, right margin, gaps and font."""
    body_lines = [line for page in pages for line in page.lines if not line.table_row]
    if not body_lines:
        return [line.text for page in pages for line in page.lines]
    left = Counter(round(line.x0) for line in body_lines if abs(line.size - body_size) < 1).most_common(1)
    left_margin = float(left[0][0]) if left else min(line.x0 for line in body_lines)
    right_edges = sorted(line.x1 for line in body_lines)
    right_margin = right_edges[int(0.9 * (len(right_edges) - 1))]
    gaps = [
        a.y0 - b.y1
        for page in pages
        for a, b in zip(page.lines, page.lines[1:], strict=False)
        if not a.table_row and not b.table_row and a.y0 > b.y1
    ]
    usual_gap = statistics.median(gaps) if gaps else body_size * 0.5
    out: list[str] = []
    previous: Line | None = None
    for page in pages:
        for index, line in enumerate(page.lines):
            same_page_gap = line is not page.lines[0] and previous is not None
            if previous is None or _starts_paragraph(
                previous, line, left_margin, right_margin, usual_gap if same_page_gap else None
            ):
                out.append(line.text)
            else:
                out[-1] = _join(out[-1], line.text)
            previous = line
            del index
    return out


def _starts_paragraph(previous: Line, line: Line, left: float, right: float, usual_gap: float | None) -> bool:
    size = line.size or previous.size or 12.0
    if line.table_row or previous.table_row:
        return True
    if line.x0 - left > 0.6 * size:  # indented first line, or centred
        return True
    if previous.x1 < right - 1.2 * size:  # the line before stopped short: it ended its paragraph
        return True
    if abs(line.size - previous.size) > 0.1 * size or line.bold != previous.bold:
        return True
    return usual_gap is not None and (previous.y0 - line.y1) > usual_gap + 0.6 * size


def _join(left: str, right: str) -> str:
    if left and right and not is_wide(left[-1]) and not is_wide(right[0]) and left[-1].isalnum() and right[0].isalnum():
        return f"{left} {right}"
    return left + right
