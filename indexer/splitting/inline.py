"""Break long lines where a PDF export or a web page ran several blocks together.

Article markers (篇二:), section markers (一、 (二)) and list items (一是, 2、)
that follow a sentence end or a space inside a line start a new line; a
heading run together with its body by a space ("一、学习劳模 规范管理 为弘扬…")
is split into the heading and the body, when what follows the space reads
as a sentence ("一、学习劳模 规范管理" stays one heading).
"""

from __future__ import annotations

import re

from indexer.cleaning.zones import is_body_sentence
from indexer.folding import fold
from indexer.markers import ARTICLE_MARKER, CN_DIGITS, leading_marker

_CN = f"[{CN_DIGITS}]{{1,3}}"
_AFTER_END = r"(?<=[。！？!?；;])\s*"
_AFTER_END_OR_SPACE = r"(?:(?<=[。！？!?；;])\s*|(?<=\S)\s+)"

# (what may come before the break, what the next line starts with)
_BREAK_RULES = (
    (r"(?:(?<=\S)|\s+)", ARTICLE_MARKER.pattern),
    (_AFTER_END_OR_SPACE, rf"{_CN}\s*、"),
    (_AFTER_END_OR_SPACE, rf"[（(]\s*{_CN}\s*[）)]"),
    (_AFTER_END_OR_SPACE, rf"{_CN}是\s*\S"),
    (_AFTER_END, r"\d{1,2}\s*、"),
    (_AFTER_END, r"[（(]\s*\d{1,2}\s*[）)]"),
    (_AFTER_END, rf"第{_CN}\s*[，,、]"),
)
# Every break begins with white space or with the first character of what follows it
# (第篇范 of article markers, a digit, a Chinese numeral, an opening parenthesis). Asserting
# that first lets the regex engine reject all other positions with one test, instead of
# trying the seven alternatives and their look-behinds there.
_BREAK_FIRST = rf"(?=[\s\d第篇范（({CN_DIGITS}])"
# And every break comes right after a sentence end, or at white space, or (an article marker)
# at 第篇范: a numeral inside a sentence (统一, 进一步) is rejected before the seven are tried.
_BREAK_PLACE = r"(?:(?<=[。！？!?；;])|(?=[\s第篇范]))"
_BREAKS = re.compile(
    _BREAK_FIRST + _BREAK_PLACE + "(?:" + "|".join(f"{before}(?={start})" for before, start in _BREAK_RULES) + ")"
)
_HEADING_STYLES = {"cn", "cn_paren", "num", "num_paren", "circled"}
_SENTENCE_END = re.compile(r"[。！？!?；;]")
MAX_HEADING = 40


def split_heading_from_body(line: str) -> list[str]:
    """Split "一、标题 正文…" into the heading and the body when a space separates them."""
    marker = leading_marker(line)
    if marker is None or marker.style not in _HEADING_STYLES:
        return [line]
    end = _SENTENCE_END.search(line)
    limit = min(end.start() if end else len(line), MAX_HEADING + marker.length)
    gaps = [m.start() for m in re.finditer(r" ", line[:limit]) if m.start() > marker.length]
    gaps = [g for g in gaps if len(line) - g > 1]
    if not gaps:
        return [line]
    comma_free = [g for g in gaps if not re.search(r"[，,、]", line[marker.length : g])]
    if comma_free:
        cut = comma_free[-1]
    elif len(gaps) == 1:
        cut = gaps[0]
    else:
        return [line]
    body = line[cut:].strip()
    # "一、学习劳模 规范管理" is one heading in two phrases: split only where a sentence follows.
    if not (is_body_sentence(fold(body)) or _SENTENCE_END.search(body)):
        return [line]
    return [line[:cut].rstrip(), body]


def split_inline(lines: list[str]) -> list[str]:
    """Split every line at inline markers; each piece becomes a line of its own."""
    out: list[str] = []
    for line in lines:
        pieces = [p.strip() for p in _BREAKS.split(line)]
        for piece in pieces:
            if piece:
                out.extend(split_heading_from_body(piece))
    return out
