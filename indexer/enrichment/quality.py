"""A content-quality score: substance (facts, length) over headings and filler."""

from __future__ import annotations

import re

from indexer.textstats import count_in_pages

_FACT = re.compile(r"\d")


def content_quality(text: str, is_heading: bool, placeholders: int) -> float:
    """0..1: long, concrete paragraphs score high; headings and short blanked lines low."""
    if is_heading:
        return 0.1
    han = count_in_pages(text, 0x4E, 0x9F)  # the unified Han block, U+4E00–U+9FFF
    length = min(1.0, han / 100)
    score = length
    if _FACT.search(text):
        score += 0.1
    # A blank (20xx, XX, **) weighs on a short line, where it is much of the text; a full
    # template paragraph with its blanks is still one staff copy and fill in.
    score -= 0.15 * min(placeholders, 3) * (1.0 - length)
    return round(max(0.0, min(1.0, score)), 3)
