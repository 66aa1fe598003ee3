"""The folded view every rule matches on, with offsets back to the author's text.

Rules (boilerplate, headings, facets, topics) must not care whether a page was
written in Traditional or Simplified script, in full-width or half-width
characters, or whether a site injected readings after the characters
(``工會(huì)``, ``总结(summary)``). They match on a folded view: each character
folded by the engine's one-for-one fold (width, case, Traditional→Simplified)
and the injected readings removed. The stored text stays as the author wrote
it; ``FoldedText.original_span`` maps a match in the view back onto it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from engine.analysis import fold as _fold_each_char

# A parenthesised latin reading right after a Han character (or after another reading): pinyin with or without
# tone marks, or a one-word English gloss. Real text puts a space, digits, capitals or
# Chinese inside its brackets, so a lower-case latin word glued to a character is a reading.
_READING = re.compile(r"(?<=[\u3400-\u9fff)])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,12}\)")


@dataclass(frozen=True)
class FoldedText:
    """A folded view of ``original``; ``offsets[i]`` is where view character ``i`` came from.

    ``offsets`` is a ``range`` when the view is one for one (no readings removed).
    """

    original: str
    text: str
    offsets: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text behind the view's ``[start, end)``."""
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1


#: The blocks archive text is mostly written in: ASCII, general and CJK punctuation, the
#: unified Han block, full-width forms. Which of their characters the fold keeps is learnt once.
_COMMON_BLOCKS = ((0x20, 0x7E), (0x2000, 0x206F), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF))
#: The character Chinese prose changes most often under the fold (one in every twenty or so).
_FULL_WIDTH_COMMA = "，"


@lru_cache(maxsize=1)
def _fold_shortcuts() -> tuple[re.Pattern[str], tuple[tuple[str, str], ...]]:
    """Runs of characters the fold may change, and the replacements done before looking for them.

    The pattern matches every character outside the common blocks' fixed points, so what
    it leaves out folds to itself. A replacement is kept only when its result is such a
    fixed point: the runs left to fold then never hold a character folded already.
    """
    kept: list[int] = []
    for low, high in _COMMON_BLOCKS:
        block = "".join(map(chr, range(low, high + 1)))
        kept.extend(ord(ch) for ch, folded in zip(block, _fold_each_char(block), strict=True) if ch == folded)
    ranges: list[str] = []
    start = previous = kept[0]
    for code in [*kept[1:], -1]:
        if code != previous + 1:
            ranges.append(re.escape(chr(start)) + ("" if previous == start else "-" + re.escape(chr(previous))))
            start = code
        previous = code
    fixed = set(map(chr, kept))
    folded_comma = _fold_each_char(_FULL_WIDTH_COMMA)
    replacements = ((_FULL_WIDTH_COMMA, folded_comma),) if folded_comma in fixed else ()
    return re.compile(f"[^{''.join(ranges)}]+"), replacements


def _fold_run(match: re.Match[str]) -> str:
    return _fold_each_char(match.group())


@lru_cache(maxsize=4096)
def fold_chars(text: str) -> str:
    """The engine's one-for-one fold of ``text`` (engine.analysis.fold), remembered.

    The boilerplate rules, the zones, the facets and the duplicate keys fold the
    same lines and paragraphs of a document one after the other: each is folded once.
    The engine looks every character up in its table; most characters of Chinese text
    fold to themselves, so only the runs of other characters are looked up here (the
    same result: the fold is one character at a time).
    """
    changing, replacements = _fold_shortcuts()
    for old, new in replacements:
        text = text.replace(old, new)
    return changing.sub(_fold_run, text)


@lru_cache(maxsize=4096)
def folded_view(text: str) -> FoldedText:
    """Fold ``text`` for matching and remember where each folded character came from."""
    folded = fold_chars(text)
    if "(" not in folded:
        return FoldedText(text, folded, range(len(text)))
    kept: list[str] = []
    offsets: list[int] = []
    cursor = 0
    for match in _READING.finditer(folded):
        kept.append(folded[cursor : match.start()])
        offsets.extend(range(cursor, match.start()))
        cursor = match.end()
    kept.append(folded[cursor:])
    offsets.extend(range(cursor, len(folded)))
    return FoldedText(text, "".join(kept), tuple(offsets))


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """The folded view of ``text`` alone, for rules that need no offsets."""
    folded = fold_chars(text)
    return _READING.sub("", folded) if "(" in folded else folded


def strip_readings(text: str) -> str:
    """``text`` without injected readings, otherwise as written (for titles and names shown to users)."""
    if "(" not in text and "（" not in text:
        return text
    view = folded_view(text)
    if len(view.text) == len(text):
        return text
    keep = set(view.offsets)
    return "".join(ch for i, ch in enumerate(text) if i in keep)
