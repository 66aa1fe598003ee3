"""Backends for the engine test suites: every contract test runs on each of them.

``engine_factory`` is parametrized over ``BACKENDS``. The embedded backend
needs nothing; the Elasticsearch one uses the session's ``elasticsearch_url``
node (tests/support/es_fixture.py) and is skipped when no node can be had or
engine.elastic is not importable. Each engine the factory opens gets its own
store (a temporary folder, or a unique alias) which is removed afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from pathlib import Path

import pytest

from engine.contract import IndexDocument, SearchEngine

BACKENDS = ["embedded", "elasticsearch"]


def load(engine: SearchEngine, docs: Iterable[IndexDocument]) -> SearchEngine:
    """Ingest documents source by source, as the indexer does, and commit."""
    ordered = sorted(docs, key=lambda d: (d.source_path, d.paragraph_id))
    for source, group in groupby(ordered, key=lambda d: d.source_path):
        engine.replace_source(source, list(group))
    engine.commit()
    return engine


class EngineFactory:
    """Opens engines of one backend on fresh, isolated stores."""

    def __init__(self, backend: str, opener: Callable[[str], SearchEngine], root: Path) -> None:
        self.backend = backend
        self._opener = opener
        self._root = root
        self._opened: list[tuple[str, SearchEngine]] = []

    def empty(self) -> SearchEngine:
        """An engine over a new store with nothing in it."""
        return self.reopen(f"t{uuid.uuid4().hex[:12]}")

    def loaded(self, docs: Iterable[IndexDocument]) -> SearchEngine:
        """An engine over a new store holding ``docs`` (committed)."""
        return load(self.empty(), docs)

    def reopen(self, store: str) -> SearchEngine:
        """Another handle on ``store`` — what a second process (the portal) would open."""
        engine = self._opener(store)
        self._opened.append((store, engine))
        return engine

    @staticmethod
    def store_of(engine: SearchEngine) -> str:
        """The store name an engine was opened on (its alias or folder name)."""
        return str(getattr(engine, "alias", None) or Path(engine.index_dir).name)  # type: ignore[attr-defined]

    def cleanup(self) -> None:
        """Close every engine and delete what it stored."""
        for _, engine in reversed(self._opened):
            drop = getattr(engine, "drop", None)
            if callable(drop):
                drop()
            engine.close()


def _embedded_opener(root: Path) -> Callable[[str], SearchEngine]:
    from engine.embedded import EmbeddedEngine

    return lambda store: EmbeddedEngine(root / store)


def _elasticsearch_opener(request: pytest.FixtureRequest) -> Callable[[str], SearchEngine]:
    try:
        from engine.elastic import ElasticsearchEngine
    except ImportError as exc:
        pytest.skip(f"engine.elastic is not importable yet: {exc}")
    try:
        url = request.getfixturevalue("elasticsearch_url")
    except pytest.FixtureLookupError:
        pytest.skip("the elasticsearch_url fixture (tests/support/es_fixture.py) is not registered")
    return lambda store: ElasticsearchEngine(url=url, alias=store)


@pytest.fixture(scope="module", params=BACKENDS)
def engine_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineFactory]:
    """Opens engines of each backend in turn; stores are deleted after the module."""
    root = tmp_path_factory.mktemp(f"index-{request.param}")
    opener = _embedded_opener(root) if request.param == "embedded" else _elasticsearch_opener(request)
    factory = EngineFactory(request.param, opener, root)
    yield factory
    factory.cleanup()
