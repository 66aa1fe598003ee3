"""Portal fixtures: one real embedded index (samples/ plus a few synthetic paragraphs) per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.contract import EngineUnavailable, SearchEngine
from engine.embedded import EmbeddedEngine
from indexer.loading import index_documents
from indexer.pipeline import discover, parse_file
from portal import create_app
from tests.portal.corpus import SOURCE, synthetic_documents


@pytest.fixture(scope="session")
def portal_index(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    """An index folder built from the samples through the real parse pipeline."""
    folder = tmp_path_factory.mktemp("portal-index")
    writer = EmbeddedEngine(folder)
    try:
        for path, root in discover([samples_dir]):
            parsed = parse_file(path, root)
            writer.replace_source(parsed.source.path, index_documents(parsed))
        writer.replace_source(SOURCE, synthetic_documents())
        writer.commit()
    finally:
        writer.close()
    return folder


@pytest.fixture(scope="session")
def engine(portal_index: Path) -> Iterator[EmbeddedEngine]:
    """A reading engine on the session index."""
    reader = EmbeddedEngine(portal_index)
    yield reader
    reader.close()


@pytest.fixture(scope="session")
def app(engine: EmbeddedEngine) -> Flask:
    """The portal over the session index."""
    return create_app({"ENGINE": engine})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (fresh cookies per test)."""
    return app.test_client()


class FailingEngine:
    """An engine double whose every call raises ``error``: only for the error-path tests."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise self.error

        return fail


def failing_client(error: Exception) -> FlaskClient:
    """A client of a portal whose engine raises ``error`` on every call."""
    engine: SearchEngine = FailingEngine(error)  # type: ignore[assignment]
    return create_app({"ENGINE": engine}).test_client()


@pytest.fixture
def unavailable_client() -> FlaskClient:
    """A client of a portal whose engine is unreachable."""
    return failing_client(EngineUnavailable("connection refused to http://es:9200"))
