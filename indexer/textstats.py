"""How many characters of a text lie in a range of Unicode pages, counted without new strings.

Cleaning and enrichment ask of every line and paragraph how much of it is Han
text. Removing the runs of other characters with a regex builds a string and
steps run by run, and Chinese prose alternates runs at every comma. Here the text
is encoded once as UTF-16, and the high byte of each code unit (its page of 256
characters) is kept when inside the range: all of it in C.
"""

from __future__ import annotations

from functools import lru_cache

#: Pages of UTF-16 surrogates: never counted, so that a character outside the Basic
#: Multilingual Plane (two code units) never passes for one inside it.
_SURROGATE_PAGES = range(0xD8, 0xE0)


@lru_cache(maxsize=8)
def _other_pages(first: int, last: int) -> bytes:
    """The high bytes to drop: every page outside ``first``–``last``."""
    if not 0 <= first <= last <= 0xFF or any(page in _SURROGATE_PAGES for page in range(first, last + 1)):
        raise ValueError(f"pages {first:#x}-{last:#x}: not a range of Basic Multilingual Plane pages")
    return bytes(page for page in range(256) if not first <= page <= last)


def count_in_pages(text: str, first: int, last: int) -> int:
    """How many characters of ``text`` lie in U+``first``00–U+``last``FF (e.g. 0x34, 0x9F: the Han blocks)."""
    # Big-endian: the high byte of each code unit comes first; lone surrogates pass as themselves.
    return len(text.encode("utf-16-be", "surrogatepass")[::2].translate(None, _other_pages(first, last)))
