"""Over-long paragraphs → parts of a bounded size that still read as one paragraph.

A paragraph is the unit every search works on: it is analysed, stored,
highlighted and sent to the browser whole. One enormous paragraph (a
one-line 19 MB text file, a page whose markup lost every line break) would
make each query that matches it cost seconds or minutes, so no paragraph may
exceed ``MAX_PART_CHARS``.

Longer text is cut at sentence ends (。！？!?；; and a closing quote after
them), else at clause commas, else — a run without punctuation — at the
limit itself. Parts are whole: joining them gives the original text back
exactly, so the article view can show them as the one paragraph they are
(the indexer gives every part the same ``part_of``, the id of the first).
"""

from __future__ import annotations

import re

#: Largest paragraph the index holds (characters). Real paragraphs of a work
#: summary run to a few hundred characters; the longest seen in the archives
#: about 3,000. Parts aim at this size and never exceed it.
MAX_PART_CHARS = 4_000
#: A part is not cut shorter than this when a sentence end is to be found further on.
MIN_PART_CHARS = MAX_PART_CHARS // 2

_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』）)\"']*")
_CLAUSE_END = re.compile(r"[，,、：:]+")


def _cut(text: str, start: int, limit: int) -> int:
    """Where the part starting at ``start`` ends: after the last sentence (or clause) end that fits."""
    window_end = start + limit
    for pattern in (_SENTENCE_END, _CLAUSE_END):
        best = -1
        # The last boundary in [start + MIN, start + limit]; finditer over the window only.
        for match in pattern.finditer(text, start + min(MIN_PART_CHARS, limit // 2), window_end):
            best = match.end()
        if best > start:
            return min(best, window_end)
    return window_end


def split_long_paragraph(text: str, limit: int = MAX_PART_CHARS) -> list[str]:
    """``text`` as one part when it fits in ``limit`` characters, else parts of at most ``limit``.

    ``"".join(split_long_paragraph(t)) == t`` always holds.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2 characters, got {limit}")
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start, limit)
        parts.append(text[start:end])
        start = end
    parts.append(text[start:])
    return parts


#: Joins a logical paragraph's id and a part number: ``<article>-0003`` is followed by ``<article>-0003.0001``.
#: "." sorts before every digit, so paragraph ids still sort in reading order.
PART_SEPARATOR = "."


def part_id(paragraph_id: str, part: int) -> str:
    """The id of part ``part`` of the paragraph ``paragraph_id`` (part 0 keeps the paragraph's own id)."""
    return paragraph_id if part == 0 else f"{paragraph_id}{PART_SEPARATOR}{part:04d}"


def logical_paragraph_id(paragraph_id: str) -> str:
    """The id shared by every part of one logical paragraph (the first part's id)."""
    head, separator, tail = paragraph_id.rpartition(PART_SEPARATOR)
    return head if separator and tail.isdigit() and len(tail) == 4 else paragraph_id
