"""Mark query terms in a paragraph, as HTML, without ever altering the text.

The marks go on the original paragraph: matching runs on the folded text
(engine.analysis.fold is one character for one character, so folded offsets
are original offsets), the text is escaped segment by segment and ``<mark>``
tags are the only markup added. Removing the tags and unescaping therefore
gives back the stored text exactly, which the copy and export features rely
on. Both backends use this module, so highlights do not depend on the engine.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from engine import analysis

MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"
_MARK_TAG = re.compile(r"</?mark>")

#: Part of a fragment shown before its first match, so the match has context.
_LEAD_FRACTION = 4
#: Matches are looked for in this many leading characters of a paragraph, no more. The indexer
#: splits longer paragraphs (indexer.splitting.long_paragraphs), so this only bounds the work a
#: request can cause on an index built before that, or a document loaded by other means: beyond
#: it the text is escaped as it is, unmarked, which is linear and cheap.
MAX_MARKED_CHARS = 20_000


@dataclass(frozen=True)
class Highlighted:
    """A paragraph with its matches marked, plus the best window of a long one."""

    html: str  # the whole paragraph, escaped, with <mark> around matches
    fragment_html: str  # the best window (the whole paragraph when short)
    fragment_start: int  # window offsets in the original text
    fragment_end: int
    match_count: int  # number of marked spans (overlapping matches merged)


def match_spans(text: str, terms: Iterable[str], limit: int | None = None) -> list[tuple[int, int]]:
    """Sorted, merged [start, end) spans where a literal run of any term occurs (in ``text[:limit]``)."""
    folded = analysis.fold(text if limit is None else text[:limit])
    spans: list[tuple[int, int]] = []
    runs = {run for term in terms for run in analysis.literal_runs(term)}
    for run in runs:
        start = folded.find(run)
        while start != -1:
            spans.append((start, start + len(run)))
            # Step by one, not by len(run), so overlapping occurrences are all
            # covered (职工职工 … or 哈哈 at both places in 哈哈哈).
            start = folded.find(run, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        # Touching spans merge too: <mark>职工</mark><mark>代表</mark> reads as one.
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """Escape text[start:end] and wrap the parts covered by spans in <mark>."""
    out: list[str] = []
    pos = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        out.append(html.escape(text[pos:span_start]))
        out.append(MARK_OPEN + html.escape(text[span_start:span_end]) + MARK_CLOSE)
        pos = span_end
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def _best_window(text_length: int, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The window of about ``size`` characters holding the most whole matches.

    Each candidate starts a little before one match (so the reader sees what
    leads up to it); the earliest of equally good windows wins. The window is
    then widened so that it never cuts a match in half.
    """
    if not spans:
        return 0, min(size, text_length)
    lead = size // _LEAD_FRACTION
    # Merged spans are disjoint, so their starts and their ends are both sorted.
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    best_start, best_count = 0, -1
    for span_start in starts:
        start = max(0, min(span_start - lead, text_length - size))
        count = max(0, bisect_right(ends, start + size) - bisect_left(starts, start))
        if count > best_count:
            best_start, best_count = start, count
    start, end = best_start, min(text_length, best_start + size)
    for span_start, span_end in spans:
        if span_start < start < span_end:
            start = span_start
        if span_start < end < span_end:
            end = span_end
    return start, end


def highlight(text: str, terms: Iterable[str], fragment_size: int = 160) -> Highlighted:
    """Mark every occurrence of every literal run of ``terms`` in ``text``.

    Matching is on folded text (width, case, traditional/simplified), so a
    search for 丧 marks 喪. Paragraphs longer than ``fragment_size`` also get
    a fragment: the window with the most matches. Only the first
    ``MAX_MARKED_CHARS`` characters are marked, so no paragraph, however
    long, makes a request slow.
    """
    scanned = min(len(text), MAX_MARKED_CHARS)
    spans = match_spans(text, terms, scanned)
    whole = _render(text, spans, 0, scanned)
    if scanned < len(text):
        whole += html.escape(text[scanned:])  # beyond the bound: the text itself, unmarked
    if len(text) <= fragment_size:
        return Highlighted(whole, whole, 0, len(text), len(spans))
    start, end = _best_window(scanned, spans, fragment_size)
    return Highlighted(whole, _render(text, spans, start, end), start, end, len(spans))


def strip_marks(marked_html: str) -> str:
    """Remove the ``<mark>`` tags; ``html.unescape`` of the result is the original text."""
    return _MARK_TAG.sub("", marked_html)
