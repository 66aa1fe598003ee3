"""The pager under a list that spans pages: previous/next and a window of page numbers.

Shared by the search results and the list of a paragraph's copies, so both page alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    """A page number in the pager (``url`` None for the current page or a gap)."""

    label: str
    url: str | None
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    """Previous/next and a window of page numbers."""

    page: int
    pages: int
    prev_url: str | None
    next_url: str | None
    links: list[PageLink]


def pager(page: int, pages: int, url_for_page: Callable[[int], str], has_next: bool | None = None) -> Pagination:
    """The pager at ``page`` of ``pages``: the first, the last and two either side of this one.

    ``has_next`` overrides whether "next" is offered (a collapsed result list
    may end before its last counted page).
    """
    window = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in window:
        if number - previous > 1:
            links.append(PageLink("…", None))
        links.append(PageLink(str(number), None if number == page else url_for_page(number), number == page))
        previous = number
    offer_next = page < pages if has_next is None else has_next
    return Pagination(
        page=page,
        pages=pages,
        prev_url=url_for_page(page - 1) if page > 1 else None,
        next_url=url_for_page(page + 1) if offer_next else None,
        links=links,
    )
