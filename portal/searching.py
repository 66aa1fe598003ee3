"""What the search page shows besides the hits: facet groups, pagination, the empty state.

Kept apart from the view so each piece can be read (and tested) on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from engine import facets as registry
from engine.contract import FACETS, FacetCount, Hit, SearchEngine, SearchRequest, SearchResult
from engine.request import MAX_PAGE, InvalidParameter, build_request
from portal.labels import facet_label, value_label
from portal.paging import Pagination, pager
from portal.paragraphs import fetch_paragraphs
from portal.urlstate import SearchState

#: Values listed before the rest fold under "更多".
FACET_VISIBLE = 8
#: Single-filter alternatives tried for an empty result (each costs one count query).
MAX_RELAXATIONS = 10
#: Facets whose value lists are long and rarely the first thing to narrow by (``folded`` in the registry).
FOLDED_FACETS = frozenset(f.name for f in registry.all_facets() if f.folded)


@dataclass(frozen=True)
class FacetValue:
    """One checkbox in the sidebar."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetGroup:
    """One facet in the sidebar: the first values shown, the rest folded."""

    name: str
    label: str
    shown: list[FacetValue] = field(default_factory=list)
    more: list[FacetValue] = field(default_factory=list)
    selected_count: int = 0
    folded: bool = False


def facet_groups(result: SearchResult, state: SearchState) -> list[FacetGroup]:
    """The sidebar, in FACETS order; facets with nothing to offer are left out."""
    groups: list[FacetGroup] = []
    for name in FACETS:
        counts: list[FacetCount] = result.facets.get(name, [])
        values = [FacetValue(c.value, value_label(name, c.value), c.count, c.selected) for c in counts]
        selected_raw = state.selected(name)
        if not values and not selected_raw:
            continue
        # Selected values stay visible even when they rank low, so they can be unticked.
        shown = values[:FACET_VISIBLE] + [v for v in values[FACET_VISIBLE:] if v.selected]
        more = [v for v in values[FACET_VISIBLE:] if not v.selected]
        groups.append(
            FacetGroup(
                name=name,
                label=facet_label(name),
                shown=shown,
                more=more,
                selected_count=len(selected_raw),
                folded=name in FOLDED_FACETS and not selected_raw,
            )
        )
    return groups


def paginate(result: SearchResult, state: SearchState) -> Pagination:
    """The pager for a result. Collapsing duplicates can leave the last pages short, so
    "next" is offered only while this page came back full."""
    size = max(result.page_size, 1)
    pages = min(MAX_PAGE, max(1, math.ceil(result.total / size)))
    page = result.page
    return pager(page, pages, state.page_url, has_next=page < pages and len(result.hits) >= size)


@dataclass(frozen=True)
class Relaxation:
    """A way out of an empty result: drop one filter and get ``count`` paragraphs."""

    label: str
    url: str
    count: int


def relaxations(engine: SearchEngine, state: SearchState) -> list[Relaxation]:
    """For an empty result: what each single filter costs, best first, plus "clear all".

    One count-only search per selected value (the URL's request rebuilt without
    it: a year range is a filter too); only run when nothing matched, and there
    are at most a handful of chips.
    """
    out: list[Relaxation] = []
    pairs = state.pairs
    # A hand-made URL may hold a hundred values; beyond a few, only "clear all" is offered.
    chosen = state.filter_pairs()
    for facet, value in chosen if len(chosen) <= MAX_RELAXATIONS else []:
        params = _as_params([(k, v) for k, v in pairs if (k, v.strip()) != (facet, value)])
        count = _count(engine, build_request(params))
        if count:
            label = f"去掉「{facet_label(facet)}：{value_label(facet, value)}」"
            out.append(Relaxation(label, state.without(facet, value), count))
    out.sort(key=lambda r: -r.count)
    if len(chosen) > 1:
        count = unfiltered_count(engine, state)
        if count:
            out.append(Relaxation("清除全部筛选", state.cleared(), count))
    return out


def unfiltered_count(engine: SearchEngine, state: SearchState) -> int:
    """How many paragraphs the query finds with every filter dropped (what the filters hide from an empty result)."""
    return _count(engine, replace(state.request, filters={}, year_from=None, year_to=None))


def merged_on_page(result: SearchResult) -> int:
    """Paragraphs counted in the total but folded into another card of this page ("另有 N 处相同段落")."""
    return sum(hit.duplicate_count for hit in result.hits)


@dataclass(frozen=True)
class LikeSource:
    """The paragraph a more-like-this search starts from."""

    paragraph_id: str
    article_id: str
    text: str
    title: str


def with_like(engine: SearchEngine, request: SearchRequest, paragraph_id: str) -> tuple[SearchRequest, LikeSource]:
    """The request turned into "paragraphs like this one" (the paragraph and its copies left out).

    Raises InvalidParameter (a 400) when the paragraph is not in the index.
    """
    # The part as stored: its text bounds the work of the similarity search (a whole paragraph may be huge).
    found, _missing = fetch_paragraphs(engine, [paragraph_id], whole=False)
    if not found:
        raise InvalidParameter(f"参数 like：找不到段落 {paragraph_id[:60]}，索引可能已重建")
    doc = found[0]
    key = doc.duplicate_key or doc.paragraph_id
    liked = replace(request, query="", like_text=doc.text, like_exclude=(key,))
    return liked, LikeSource(doc.paragraph_id, doc.article_id, doc.text, doc.title)


def all_hits(engine: SearchEngine, request: SearchRequest, limit: int) -> tuple[list[Hit], int]:
    """Every hit of a search in result order, at most ``limit``, and the total (for exporting a result list)."""
    hits: list[Hit] = []
    page, size = 1, 100
    total = 0
    while len(hits) < limit:
        result = engine.search(replace(request, page=page, page_size=size, facet_size=1))
        total = result.total
        hits += result.hits
        if len(result.hits) < size or page * size >= total:
            break
        page += 1
    return hits[:limit], total


def _as_params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def _count(engine: SearchEngine, request: SearchRequest) -> int:
    return engine.search(replace(request, page=1, page_size=0, facet_size=1)).total
