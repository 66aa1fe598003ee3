"""Turn request parameters (portal query string, CLI flags) into a validated SearchRequest.

One place decides what a valid search is, so the portal's 400s and the
CLI's errors say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from engine import facets as registry
from engine.contract import FACETS, SearchRequest
from engine.expansion import NO_EXPANSION, expand
from engine.query import MAX_QUERY_LENGTH, parse_query

#: Every parameter a search takes: the query, each facet of the registry, and the options.
#: ``like`` (a paragraph id: more like this) is resolved by the caller, which knows where paragraphs are.
#: ``literal=1`` searches the query's words literally only (no expansion, engine.expansion).
PARAMETERS: tuple[str, ...] = ("q", "like", *FACETS, "sort", "page", "size", "collapse", "facet_size", "literal")

#: The one place search defaults live: SearchRequest's own field defaults. Everything else derives from them.
_DEFAULT = SearchRequest()
#: Each option's default as a URL (or a CLI flag) writes it; a URL need not carry these values.
URL_DEFAULTS: dict[str, str] = {
    "sort": _DEFAULT.sort,
    "page": str(_DEFAULT.page),
    "size": str(_DEFAULT.page_size),
    "collapse": "1" if _DEFAULT.collapse else "0",
    "literal": "1" if _DEFAULT.literal else "0",
    "facet_size": str(_DEFAULT.facet_size),
}
_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")

MAX_PAGE = 500
MAX_PAGE_SIZE = 100
#: Deepest result reachable by paging (page × size): Elasticsearch's max_result_window,
#: applied to both engines so they agree and a deep page costs the embedded one no more.
MAX_RESULT_DEPTH = 10_000
#: Browsing (no search words) goes less deep: every page walks the whole archive newest first, and
#: collapsing copies at depth 10,000 cost 74x a search. Nobody reads 1,000 unranked paragraphs.
MAX_BROWSE_DEPTH = 1_000
MAX_VALUES_PER_FACET = 20
#: Filter values across all facets together (each one is a term in every query).
MAX_FILTER_VALUES = 50
MAX_VALUE_LENGTH = 200
DEFAULT_FACET_SIZE = _DEFAULT.facet_size
MAX_FACET_SIZE = 200
_YEAR_RANGE = re.compile(r"^\s*(\d{4})?\s*[-–~至]\s*(\d{4})?\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


class InvalidParameter(ValueError):
    """A request parameter that cannot be used; the message says why, in Chinese, for the user."""


def _int(params: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    values = params.get(name) or []
    if not values or values[-1] == "":
        return default
    try:
        value = int(values[-1])
    except ValueError as exc:
        raise InvalidParameter(f"参数 {name} 应为整数，收到 “{values[-1][:20]}”") from exc
    if not low <= value <= high:
        raise InvalidParameter(f"参数 {name} 应在 {low} 到 {high} 之间，收到 {value}")
    return value


def check_names(params: Mapping[str, Sequence[str]], allowed: Sequence[str] = PARAMETERS) -> None:
    """Refuse a parameter this search does not know (a misspelt facet would otherwise filter nothing)."""
    unknown = [name for name in params if name not in allowed]
    if unknown:
        raise InvalidParameter(f"未知参数 {unknown[0][:30]}；可用的参数：{'、'.join(allowed)}")


def _last(params: Mapping[str, Sequence[str]], name: str) -> str:
    """The last value of ``name`` ("" when absent): a repeated option means its last occurrence."""
    values = params.get(name) or [""]
    return values[-1]


def _flag(params: Mapping[str, Sequence[str]], name: str) -> bool:
    """An on/off option; an absent or blank value is its default, anything else not on or off is off."""
    value = _last(params, name)
    if value == "":
        return URL_DEFAULTS[name] in _TRUE
    # collapse stays on unless switched off; literal stays off unless switched on (as the URLs always meant).
    return value not in _FALSE if URL_DEFAULTS[name] in _TRUE else value in _TRUE


def _years(values: list[str]) -> tuple[list[str], int | None, int | None]:
    """Single years of the year facet, and the bounds of a range (the last range given wins)."""
    years: list[str] = []
    year_from = year_to = None
    for value in values:
        if match := _YEAR.match(value):
            years.append(match.group(1))
        elif (match := _YEAR_RANGE.match(value)) and (match.group(1) or match.group(2)):
            year_from = int(match.group(1)) if match.group(1) else None
            year_to = int(match.group(2)) if match.group(2) else None
            if year_from and year_to and year_from > year_to:
                raise InvalidParameter(f"年份区间起点大于终点：{value}")
        else:
            raise InvalidParameter(f"年份应为四位数字或区间（如 2010-2015），收到 “{value[:20]}”")
    return years, year_from, year_to


def _filters(params: Mapping[str, Sequence[str]]) -> tuple[dict[str, tuple[str, ...]], int | None, int | None]:
    """Every facet's chosen values (blank ones dropped), and the year range when one was given."""
    filters: dict[str, tuple[str, ...]] = {}
    year_from = year_to = None
    total_values = sum(1 for facet in FACETS for v in params.get(facet) or [] if v and v.strip())
    if total_values > MAX_FILTER_VALUES:
        raise InvalidParameter(f"筛选条件过多：最多 {MAX_FILTER_VALUES} 个，收到 {total_values} 个")
    for facet in FACETS:
        values = [v.strip() for v in params.get(facet) or [] if v and v.strip()]
        if len(values) > MAX_VALUES_PER_FACET:
            raise InvalidParameter(f"筛选 {facet} 的取值过多：最多 {MAX_VALUES_PER_FACET} 个")
        if any(len(v) > MAX_VALUE_LENGTH for v in values):
            raise InvalidParameter(f"筛选 {facet} 的取值过长")
        if registry.facet(facet).kind == "year":
            values, year_from, year_to = _years(values)
        if values:
            filters[facet] = tuple(dict.fromkeys(values))
    return filters, year_from, year_to


def _check_depth(query: str, page: int, page_size: int) -> None:
    """Refuse a page deeper than a search (or, without search words, a browse) may go."""
    if page * page_size > MAX_RESULT_DEPTH:
        raise InvalidParameter(
            f"翻页过深：最多查看前 {MAX_RESULT_DEPTH} 条结果（第 {page} 页、每页 {page_size} 条超出），请增加筛选条件"
        )
    if page * page_size > MAX_BROWSE_DEPTH and not parse_query(query).required:
        raise InvalidParameter(
            f"不带检索词浏览时最多查看前 {MAX_BROWSE_DEPTH} 条（第 {page} 页、每页 {page_size} 条超出），"
            "请输入检索词或增加筛选条件"
        )


def build_request(params: Mapping[str, Sequence[str]], *, strict: bool = False) -> SearchRequest:
    """Validate parameters (each a list of values, as in a query string) into a SearchRequest.

    A value outside a facet's vocabulary is fine (it simply matches nothing);
    with ``strict`` (the JSON API) a parameter name that is not a search
    parameter is an error too. Absent options take SearchRequest's defaults.
    """
    if strict:
        check_names(params)
    query = _last(params, "q")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidParameter(f"检索词过长：最多 {MAX_QUERY_LENGTH} 个字符，收到 {len(query)} 个")
    sort = _last(params, "sort") or _DEFAULT.sort
    if sort not in ("relevance", "year"):
        raise InvalidParameter(f"参数 sort 只能是 relevance 或 year，收到 “{sort[:20]}”")
    filters, year_from, year_to = _filters(params)
    page = _int(params, "page", _DEFAULT.page, 1, MAX_PAGE)
    page_size = _int(params, "size", _DEFAULT.page_size, 1, MAX_PAGE_SIZE)
    _check_depth(query, page, page_size)
    return SearchRequest(
        query=query,
        filters=filters,
        year_from=year_from,
        year_to=year_to,
        sort=sort,  # type: ignore[arg-type]
        page=page,
        page_size=page_size,
        collapse=_flag(params, "collapse"),
        literal=_flag(params, "literal"),
        facet_size=_int(params, "facet_size", _DEFAULT.facet_size, 1, MAX_FACET_SIZE),
    )


def highlight_terms(request: SearchRequest) -> list[str]:
    """What a page showing this search's paragraphs marks: the query's own words and, unless literal, their expansions.

    The same terms the engines highlight in results (engine.plan.search_plan),
    so an article or the copies of a paragraph opened from a hit mark the
    equivalents and rewordings too (职代会 also marks 职工代表大会). The
    sub-word fallback is left out: whether it applies depends on hit counts
    only a search knows. Quoted phrases never expand.
    """
    parsed = parse_query(request.query)
    expansion = NO_EXPANSION if request.literal else expand(parsed)
    return list(dict.fromkeys([*parsed.positive_terms(), *expansion.highlight_terms()]))
