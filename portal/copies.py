"""One page of a duplicated paragraph's copies (/copies/<key> and /api/copies/<key>).

A template paragraph can be in a thousand summaries; its copies are listed a
page at a time, like search results, with the same page and size limits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.contract import IndexDocument
from engine.request import MAX_PAGE_SIZE, InvalidParameter

#: Copies per page, as many as search results.
COPIES_PAGE_SIZE = 20


@dataclass(frozen=True)
class CopiesPage:
    """The copies shown on one page, and where that page is in the whole list."""

    documents: list[IndexDocument]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the whole list takes (at least one)."""
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first_number(self) -> int:
        """The 1-based number of the first copy on this page (for the list's numbering)."""
        return (self.page - 1) * self.page_size + 1


def _number(args: Mapping[str, Sequence[str]], name: str, default: int, high: int) -> int:
    values = [v for v in args.get(name, ()) if v.strip()]
    if not values:
        return default
    try:
        value = int(values[-1])
    except ValueError as exc:
        raise InvalidParameter(f"参数 {name} 应为整数，收到 “{values[-1][:20]}”") from exc
    if not 1 <= value <= high:
        raise InvalidParameter(f"参数 {name} 应在 1 到 {high} 之间，收到 {value}")
    return value


def copies_page(documents: Sequence[IndexDocument], args: Mapping[str, Sequence[str]]) -> CopiesPage:
    """The page of ``documents`` that ``args`` ask for (``page``, ``size``); InvalidParameter (400) when out of range."""
    size = _number(args, "size", COPIES_PAGE_SIZE, MAX_PAGE_SIZE)
    pages = max(1, math.ceil(len(documents) / size))
    page = _number(args, "page", 1, pages)
    start = (page - 1) * size
    return CopiesPage(list(documents[start : start + size]), len(documents), page, size)
