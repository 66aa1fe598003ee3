"""One request object per page: SearchState builds the engine request once, with the engine's defaults."""

from __future__ import annotations

import ast
from pathlib import Path

from werkzeug.datastructures import MultiDict

from engine.contract import SearchRequest
from engine.request import URL_DEFAULTS, build_request
from portal.urlstate import HIGHLIGHT_KEYS, SearchState

VIEWS = Path(__file__).resolve().parents[2] / "portal" / "views"


def _state(query: str, **kwargs: object) -> SearchState:
    pairs = [tuple(part.split("=", 1)) for part in query.split("&") if part]
    return SearchState(MultiDict(pairs), "/", **kwargs)  # type: ignore[arg-type]


def test_defaults_live_in_the_search_request_only() -> None:
    default = SearchRequest()
    assert build_request({}) == default
    assert URL_DEFAULTS["sort"] == default.sort and URL_DEFAULTS["size"] == str(default.page_size)
    assert URL_DEFAULTS["page"] == str(default.page) and URL_DEFAULTS["facet_size"] == str(default.facet_size)
    # A URL spelling a default says nothing: the state leaves it out of every link.
    state = _state("&".join(f"{key}={value}" for key, value in URL_DEFAULTS.items() if key != "facet_size"))
    assert state.pairs == []


def test_the_request_is_built_once() -> None:
    state = _state("q=职代会&township=鹿苑镇&size=10")
    assert state.request is state.request
    assert state.request == build_request({"q": ["职代会"], "township": ["鹿苑镇"], "size": ["10"]})
    assert state.parsed.positive_terms() == ["职代会"]


def test_highlight_terms_take_the_expansions_unless_literal() -> None:
    assert {"职代会", "职工代表大会"} <= set(_state("q=职代会").highlight_terms)
    assert _state("q=职代会&literal=1").highlight_terms == ["职代会"]
    assert _state('q="职代会"').highlight_terms == ["职代会"]  # a quoted phrase never expands


def test_a_page_of_paragraphs_reads_only_the_search_words_from_its_url() -> None:
    # The copies page's own page=600 is not the search's page (which stops at 500).
    state = _state("q=职代会&page=600&size=100&p=abc", only=HIGHLIGHT_KEYS)
    assert state.request.query == "职代会" and state.request.page == 1


def test_no_view_parses_a_query_or_builds_a_request() -> None:
    """Views ask SearchState; the query parser and the request builder are not theirs to call."""
    offenders = []
    for path in sorted(VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("engine.query", "engine.request"):
                names = {alias.name for alias in node.names} & {"parse_query", "build_request", "highlight_terms"}
                offenders += [f"{path.name}: {name}" for name in sorted(names)]
    assert not offenders
