"""Numbering markers of Chinese official writing: 一、 （一） 1、 1. （1） ① 一是 首先 第一.

Shared by cleaning (a line that starts with a marker is not a hard-wrapped
continuation) and splitting (markers open sections). The order of first
appearance in an article decides the nesting, as readers of such documents
do; this module only recognises markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CN_DIGITS = "一二三四五六七八九十"
_CN = f"[{CN_DIGITS}]{{1,3}}"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

#: (style, pattern) in matching order; the pattern matches the marker at the start of a text.
MARKER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cn", re.compile(rf"{_CN}\s*[、．.]\s*")),
    ("cn_paren", re.compile(rf"[（(]\s*{_CN}\s*[）)]\s*[、，,]?\s*")),
    ("num_paren", re.compile(r"[（(]\s*\d{1,2}\s*[）)]\s*[、，,.]?\s*")),
    ("num", re.compile(r"\d{1,2}\s*(?:[、，]|[.．](?!\d))\s*")),
    ("circled", re.compile(rf"[{_CIRCLED}]\s*[、.．]?\s*")),
    ("shi", re.compile(rf"{_CN}是\s*[，,：:]?\s*")),
    ("di", re.compile(rf"第{_CN}\s*[，,、：:]\s*")),
    ("sequence", re.compile(r"(?:首先|其次|再次|最后)\s*[，,、：:]\s*")),
)

# One alternation in MARKER_PATTERNS order: at a fixed start the first alternative
# that matches wins, exactly as trying the patterns one after the other would.
_ANY_MARKER = re.compile("|".join(f"(?P<{style}>{pattern.pattern})" for style, pattern in MARKER_PATTERNS))

#: Article markers: 篇一: 第1篇： 篇1： 范文二：
ARTICLE_MARKER = re.compile(
    rf"(?:第\s*(?:\d{{1,2}}|{_CN})\s*篇|篇\s*(?:\d{{1,2}}|{_CN})|范文\s*(?:\d{{1,2}}|{_CN}))\s*[:：]\s*"
)


@dataclass(frozen=True)
class Marker:
    """A numbering marker found at the start of a text."""

    style: str
    text: str  # the marker as written, e.g. "（一）"

    @property
    def length(self) -> int:
        """How many characters of the text the marker takes."""
        return len(self.text)


@lru_cache(maxsize=4096)
def leading_marker(text: str) -> Marker | None:
    """The numbering marker that starts ``text``, if any."""
    # Cached: cleaning, inline splitting and sectioning all ask about the same lines of
    # one document; a few thousand entries cover a document without holding on to a corpus.
    match = _ANY_MARKER.match(text)
    return Marker(match.lastgroup, match.group(0)) if match and match.lastgroup else None


def leading_article_marker(text: str) -> str | None:
    """The article marker (篇一: 第1篇：…) that starts ``text``, if any."""
    match = ARTICLE_MARKER.match(text)
    return match.group(0) if match else None
