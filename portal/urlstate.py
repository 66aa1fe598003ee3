"""The search page's state lives entirely in its query string.

Every link the page offers (remove a chip, change the sort, next page,
drop a filter) is the current query string with one change, so any state
can be bookmarked and the back button always works.

``SearchState`` is also the one request object of a page: the engine's
SearchRequest is built from the URL once (engine.request.build_request,
which holds the defaults), and the parsed query and the words to
highlight come from it, so no view parses a query itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from engine.contract import FACETS, SearchRequest
from engine.facets import PRESETS, Preset
from engine.query import ParsedQuery, parse_query
from engine.request import URL_DEFAULTS, build_request
from engine.request import highlight_terms as request_highlight_terms
from portal.labels import facet_label, value_label

#: Parameters that make up a search, in the order they are written to URLs (every facet of the registry).
STATE_KEYS: tuple[str, ...] = ("q", "like", *FACETS, "sort", "size", "collapse", "literal", "page")
#: The parameters a page showing a search's paragraphs (an article, the copies of one) takes to highlight them.
HIGHLIGHT_KEYS: tuple[str, ...] = ("q", "literal")
#: Parameters whose default need not appear in a URL (the engine's defaults, written as a URL writes them).
_DEFAULTS = URL_DEFAULTS


@dataclass(frozen=True)
class Chip:
    """A selected filter value, shown with a link that removes it."""

    facet: str
    value: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class PresetLink:
    """A one-click narrowing (e.g. 只看工会工作总结): applies it, or lifts it when already applied."""

    label: str
    title: str
    active: bool
    url: str


class SearchState:
    """The search parameters of one request, the engine request they make, and URLs for its variations.

    ``only`` limits which parameters count (the article page takes ``q`` and
    ``literal`` from its URL; its ``p`` and the copies page's ``page`` are
    theirs, not the search's). ``strict`` (the JSON API) refuses a parameter
    name the search does not know; the pages ignore stray names so shared
    links keep working.
    """

    def __init__(
        self,
        args: MultiDict[str, str],
        endpoint_path: str = "/",
        only: Iterable[str] | None = None,
        *,
        strict: bool = False,
    ) -> None:
        self.path = endpoint_path
        self.strict = strict
        wanted = None if only is None else frozenset(only)
        self.pairs: list[tuple[str, str]] = [
            (key, value)
            for key in STATE_KEYS
            if wanted is None or key in wanted
            for value in args.getlist(key)
            if value.strip() and _DEFAULTS.get(key) != value
        ]
        # The engine reads the URL as sent (blank values, facet_size), so its request is built from the args.
        self._params = {key: values for key, values in as_lists(args).items() if wanted is None or key in wanted}

    # -- the request -----------------------------------------------------------

    @cached_property
    def request(self) -> SearchRequest:
        """The engine request of this URL, built once; raises InvalidParameter (a 400) when it is not valid."""
        return build_request(self._params, strict=self.strict)

    @cached_property
    def parsed(self) -> ParsedQuery:
        """The query as the engine reads it."""
        return parse_query(self.request.query)

    @cached_property
    def highlight_terms(self) -> list[str]:
        """The words a page marks for this search: the query's and, unless literal, their expansions."""
        return request_highlight_terms(self.request)

    # -- reading -------------------------------------------------------------

    def get(self, key: str, default: str = "") -> str:
        """The last value of ``key`` (as the engine's request builder reads it)."""
        values = [v for k, v in self.pairs if k == key]
        return values[-1] if values else default

    @property
    def query(self) -> str:
        """What is in the search box."""
        return self.get("q")

    @property
    def like(self) -> str:
        """The paragraph a more-like-this search starts from ("" for a plain search)."""
        return self.get("like")

    def canonical(self) -> str:
        """This state's own URL: blank and default values left out (no ``&year=``)."""
        return self.url(_ordered(self.pairs))

    @property
    def sort(self) -> str:
        """relevance or year."""
        return self.get("sort", _DEFAULTS["sort"])

    def selected(self, facet: str) -> list[str]:
        """The raw values chosen for a facet (a year range stays a range)."""
        return [v.strip() for k, v in self.pairs if k == facet]

    def year_range(self) -> str:
        """The year range typed in (like 2010-2015), "" when only single years are chosen."""
        ranges = [v for v in self.selected("year") if not v.isdigit()]
        return ranges[-1] if ranges else ""

    def filter_pairs(self) -> list[tuple[str, str]]:
        """Every (facet, value) chosen, in URL order."""
        return [(k, v.strip()) for k, v in self.pairs if k in FACETS]

    @property
    def has_filters(self) -> bool:
        """True when any facet value is chosen."""
        return bool(self.filter_pairs())

    def hidden_fields(self, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
        """The pairs a form must resend as hidden inputs (never page: a new form means page 1)."""
        skip = {"page", *exclude}
        return [(k, v) for k, v in self.pairs if k not in skip]

    def chips(self) -> list[Chip]:
        """A removable chip per selected value."""
        return [
            Chip(facet, value, f"{facet_label(facet)}：{value_label(facet, value)}", self.without(facet, value))
            for facet, value in self.filter_pairs()
        ]

    # -- variations ------------------------------------------------------------

    def url(self, pairs: Iterable[tuple[str, str]]) -> str:
        """The search page URL for these pairs."""
        pairs = list(pairs)
        return f"{self.path}?{urlencode(pairs)}" if pairs else self.path

    def with_value(self, key: str, value: str) -> str:
        """This search with ``key`` set to ``value`` (replacing earlier values), back on page 1."""
        kept = [(k, v) for k, v in self.pairs if k not in (key, "page")]
        if value and _DEFAULTS.get(key) != value:
            kept.append((key, value))
        return self.url(_ordered(kept))

    def adding(self, facet: str, value: str) -> str:
        """This search narrowed by one more facet value, page 1."""
        kept = [(k, v) for k, v in self.pairs if k != "page"]
        if (facet, value) not in kept:
            kept.append((facet, value))
        return self.url(_ordered(kept))

    def without(self, facet: str, value: str) -> str:
        """This search without one selected value, page 1."""
        return self.url((k, v) for k, v in self.pairs if k != "page" and (k, v.strip()) != (facet, value))

    def cleared(self) -> str:
        """This query with every filter dropped (sort and size kept)."""
        return self.url((k, v) for k, v in self.pairs if k not in FACETS and k != "page")

    def preset_active(self, preset: Preset) -> bool:
        """True when exactly the preset's values are chosen for each facet it sets."""
        return all(set(self.selected(facet)) == set(values) for facet, values in preset.filters)

    def applying(self, preset: Preset) -> str:
        """This search narrowed by a preset (its facets' earlier values replaced), page 1."""
        names = {facet for facet, _ in preset.filters}
        kept = [(k, v) for k, v in self.pairs if k not in names and k != "page"]
        kept += [(facet, value) for facet, values in preset.filters for value in values]
        return self.url(_ordered(kept))

    def lifting(self, preset: Preset) -> str:
        """This search without any value of the facets a preset sets, page 1."""
        names = {facet for facet, _ in preset.filters}
        return self.url((k, v) for k, v in self.pairs if k not in names and k != "page")

    def presets(self) -> list[PresetLink]:
        """The registry's one-click narrowings, each with the link that applies or lifts it."""
        return [
            PresetLink(p.label, p.title, active, self.lifting(p) if active else self.applying(p))
            for p in PRESETS
            for active in [self.preset_active(p)]
        ]

    def page_url(self, page: int) -> str:
        """This search at another page."""
        return self.with_value("page", str(page)) if page > 1 else self.with_value("page", "")


def _ordered(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # Stable by STATE_KEYS so equal states give equal URLs (nicer bookmarks, better caching).
    rank = {key: i for i, key in enumerate(STATE_KEYS)}
    return sorted(pairs, key=lambda pair: rank.get(pair[0], len(rank)))


def as_lists(args: MultiDict[str, str]) -> dict[str, list[str]]:
    """Query-string args in the shape ``engine.request.build_request`` reads."""
    return args.to_dict(flat=False)
