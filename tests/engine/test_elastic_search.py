"""The Elasticsearch search path against the embedded engine: what the request layout must not change.

The page, its facet counts and the literal counts of the sub-word fallback
travel in one ``_msearch``, asked on the likely outcome (no fallback) and
asked again when the counts decide otherwise; the copies of the page's hits
are counted afterwards. These cases pin that the answers stay the embedded
engine's, in the fallback case in particular (few literal hits, so the
query is split into its sub-words).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.contract import SearchEngine, SearchResult
from engine.request import build_request
from tests.engine.conftest import load
from tests.engine.documents import CORPUS, PROXIMITY


@pytest.fixture(scope="module")
def engines(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The same corpus in the embedded engine and on the session's Elasticsearch node."""
    from engine.elastic import ElasticsearchEngine
    from engine.embedded import EmbeddedEngine

    url = request.getfixturevalue("elasticsearch_url")
    docs = [*CORPUS, *PROXIMITY]
    embedded = load(EmbeddedEngine(Path(tmp_path_factory.mktemp("embedded")) / "index"), docs)
    elastic = load(ElasticsearchEngine(url=url, alias=f"ts{uuid.uuid4().hex[:12]}"), docs)
    yield embedded, elastic
    elastic.drop()
    elastic.close()
    embedded.close()


def _answer(engine: SearchEngine, params: dict[str, list[str]]) -> tuple[Any, ...]:
    found: SearchResult = engine.search(build_request(params))
    hits = [(h.paragraph_id, h.duplicate_count) for h in found.hits]
    facets = {name: [(f.value, f.count) for f in values] for name, values in found.facets.items()}
    return found.total, found.expanded, found.terms, hits, facets


@pytest.mark.parametrize(
    "params",
    [
        {"q": ["困难职工帮扶"]},  # few literal hits: split into its sub-words
        {"q": ["送温暖慰问金"]},
        {"q": ["女职工权益保护", "工会"]},
        {"q": ["困难职工帮扶"], "literal": ["1"]},
        {"q": ["职工之家 OR 困难职工帮扶"]},
        {"q": ["工会"], "township": ["城关镇"]},
        {"q": ["工会"], "year": ["2004"], "township": ["城关镇", "茶湖镇"]},
        {"q": [""]},
    ],
)
def test_elasticsearch_answers_like_the_embedded_engine(engines: Any, params: dict[str, list[str]]) -> None:
    embedded, elastic = engines
    assert _answer(elastic, params) == _answer(embedded, params)


def test_group_sizes_past_the_listing_limit_are_counted_by_key(engines: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.elastic.bodies as bodies

    embedded, elastic = engines
    monkeypatch.setattr(bodies, "COPIES_LISTED", 1)
    for params in ({"q": ["工会"]}, {"q": ["职工"]}, {"q": [""]}):
        assert _answer(elastic, params) == _answer(embedded, params)
